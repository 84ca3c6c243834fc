"""The reference group's dashboard, summaries and downloads (`routes.py` holds the
blueprint), the comparison of rounds, and the public files of approved views."""
from app.reports import (  # noqa: F401 - each adds its routes to `bp`
    attachments,
    compare,
)
from app.reports.routes import bp

__all__ = ["bp"]
