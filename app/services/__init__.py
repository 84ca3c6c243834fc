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


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def parse_id(value: Any) -> int | None:
    """A database id from untrusted input (text or JSON), or None: never a value that
    the database would refuse with an error (PostgreSQL integers stop at 2**31 - 1)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            return None
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None
