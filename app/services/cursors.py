"""Keyset page links: the (timestamp, id) of the last row of a page, as an opaque token.

Every paged list (the queue, the coding queues, campaigns, published views, the audit log)
pages by a sort key and the id, so a page costs the same at any depth. A token that does
not decode to an aware timestamp (or a number, for keys that are counts) and a valid id is
refused with one localized message, never a 500.
"""
from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from app.i18n import lazy_gettext as _l
from app.services import ValidationFailed, parse_id

INVALID = _l("This page link is not valid.")


def encode(key: dt.datetime | int, ident: int) -> str:
    raw = f"{key.isoformat() if isinstance(key, dt.datetime) else key}|{ident}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, *, numeric: bool = False) -> tuple[Any, int]:
    """(key, id) from a token made by `encode`: the key is an aware datetime, or a
    positive int with `numeric`. Raises ValidationFailed on anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        first, _sep, ident = raw.partition("|")
        number = parse_id(ident)
        key: Any = parse_id(first) if numeric else dt.datetime.fromisoformat(first)
        if key is None or number is None or (not numeric and key.tzinfo is None):
            raise ValueError
        return key, number
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed({"cursor": [INVALID]}) from exc
