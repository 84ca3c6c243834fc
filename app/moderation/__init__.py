"""The moderators' workspace: the queue and review page (`routes.py`, which holds the
blueprint), campaigns, double coding and attached files."""
from app.moderation import (  # noqa: F401 - each adds its routes to `bp`
    attachments,
    campaigns,
    coding,
)
from app.moderation.routes import bp

__all__ = ["bp"]
