"""What anyone can see without signing in: the form and receipt (`routes.py`, which holds
the blueprint), published views, responses and workshops."""
from app.public import (  # noqa: F401 - each adds its routes to `bp`
    published,
    responses,
    workshops,
)
from app.public.routes import bp

__all__ = ["bp"]
