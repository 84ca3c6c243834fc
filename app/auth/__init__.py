"""Signing in and out, passwords, and who may do what (`access.py`)."""
from app.auth.routes import bp

__all__ = ["bp"]
