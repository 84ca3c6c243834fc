"""The reference group's dashboard, summaries and downloads (`routes.py` holds the
blueprint), and the comparison of rounds."""
from app.reports import (  # noqa: F401 - each adds its routes to `bp`
    compare,
)
from app.reports.routes import bp

__all__ = ["bp"]
