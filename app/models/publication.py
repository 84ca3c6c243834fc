"""The index behind the public round pages (issue #9).

Published views are read per round, newest decision first, with keyset pagination: this
index serves `WHERE round_id = ? AND status = 'approved' AND consent_publication ...
ORDER BY decided_at DESC, id DESC` without sorting, at any depth. It is declared here on
the submissions table so that the publication feature keeps its schema in one place.
"""
from __future__ import annotations

from sqlalchemy import Index

from app.models.submission import Submission

published_views_index = Index(
    "ix_submissions_published", Submission.round_id, Submission.status,
    Submission.consent_publication, Submission.decided_at, Submission.id)
