"""The JSON API under /api/v1 (documented in static/openapi.yaml): `routes.py` holds the
blueprint, the public submission endpoints and the health checks; the others add staff
endpoints."""
from app.api import (  # noqa: F401 - each adds its routes to `bp`
    clusters,
    reports,
    staff,
    strategy,
    suggestions,
)
from app.api.routes import bp, health_bp

__all__ = ["bp", "health_bp"]
