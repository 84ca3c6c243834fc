"""Helpers that build test data through the services, and commit (into the test's
SAVEPOINT) so that requests made afterwards see it."""
from __future__ import annotations

import datetime as dt
from typing import Any

from app.db import utcnow
from app.models import Round
from app.services.contributions import intake
from app.services.platform import rounds
from app.services.platform import taxonomy as taxonomy_service


def load_taxonomy(session: Any) -> Any:
    result = taxonomy_service.load(session)
    session.commit()
    return result.version


def make_round(session: Any, *, opens_at: dt.datetime | None = None,
               closes_at: dt.datetime | None = None, questions: int = 2,
               title: dict[str, str] | None = None) -> Round:
    now = utcnow()
    created = rounds.create_round(
        session,
        title=title or {"en": "How should the UN use new technologies?",
                        "ar": "كيف ينبغي للأمم المتحدة أن تستخدم التكنولوجيات الجديدة؟"},
        description={"en": "Tell us what you think.", "ar": "أخبرنا برأيك."},
        questions=[{"en": f"Question {i + 1}?", "ar": f"السؤال {i + 1}؟"}
                   for i in range(questions)],
        opens_at=opens_at or now - dt.timedelta(days=1),
        closes_at=closes_at or now + dt.timedelta(days=30),
    )
    session.commit()
    return created


def submission_data(round_: Round, **overrides: Any) -> dict[str, Any]:
    """A valid API payload; override any field."""
    data: dict[str, Any] = {
        "round_id": round_.id,
        "language": "en",
        "title": "Connectivity first",
        "body": "Without affordable internet, the UN's digital tools do not reach my village.",
        "actor_type": "youth",
        "country": "KE",
        "technologies": ["T15"],
        "principles": ["P2"],
        "commitments": [],
        "consent_processing": True,
        "consent_publication": True,
        "anonymous": True,
    }
    data.update(overrides)
    return data


def make_submission(session: Any, round_: Round, **overrides: Any) -> tuple[Any, str]:
    submission, token = intake.submit(session, intake.SubmissionInput(
        **submission_data(round_, **overrides)))
    session.commit()
    return submission, token
