"""The moderators' workspace: the queue and review page (`routes.py`, which holds the
blueprint), campaigns and double coding."""
from app.moderation import (  # noqa: F401 - each adds its routes to `bp`
    campaigns,
    coding,
)
from app.moderation.routes import bp

__all__ = ["bp"]
