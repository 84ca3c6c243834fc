"""Domain operations shared by the pages, the API and the CLI.

Services take a session, flush and never commit: the caller owns the transaction. They
never touch `request`, `g`, `flash` or the Flask session. They raise `DomainError`s.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the operation; `message` is safe to show."""

    def __init__(self, message: Any = "") -> None:
        super().__init__(str(message))
        self.message = message


class ValidationFailed(DomainError):
    """Input broke one or more rules; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[Any]]) -> None:
        super().__init__("invalid input")
        self.errors = errors


class NotFound(DomainError):
    pass


class StaleVersion(DomainError):
    """The object changed since the caller read it."""


class NotEditable(DomainError):
    """The object is in a state that no longer allows this change."""
