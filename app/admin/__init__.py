"""The admin panel, for the admin role: `routes.py` holds the blueprint and the index;
each other module is one section of the panel."""
from app.admin import (  # noqa: F401 - each adds its routes to `bp`
    audit,
    coding,
    intake,
    outbox,
    responses,
    rounds,
    suggestions,
    taxonomy,
    texts,
    users,
    workshops,
)
from app.admin.routes import bp

__all__ = ["bp"]
