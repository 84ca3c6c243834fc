"""Search over submissions for moderators, the reference group and public round pages.

Interface (used by the queue, the reports, the API's `q=` and the public round pages):
- `condition(session, q)`: a SQL condition on `Submission` for the text `q`, or None for an
  empty query; combine it with any other filter.

Interim implementation: a substring match on title and body, or the exact reference.
Issue #8 replaces it with full-text search (FTS5 / PostgreSQL) behind the same functions.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session

from app.models import Submission


def condition(session: Session, q: str | None) -> Any:
    q = (q or "").strip()
    if not q:
        return None
    pattern = "%" + re.sub(r"([%_\\])", r"\\\1", q) + "%"
    return or_(Submission.title.ilike(pattern, escape="\\"),
               Submission.body.ilike(pattern, escape="\\"),
               Submission.reference == q.upper())
