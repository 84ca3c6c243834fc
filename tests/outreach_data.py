"""Shared builders for the response, outbox and offline intake tests."""
from __future__ import annotations

import datetime as dt
from typing import Any

from app.db import utcnow
from app.i18n import LANGUAGES
from app.services.publishing import responses
from app.services.review import moderation
from app.services.review.tagging import TagInput
from tests import factories
from tests.helpers import make_user

TITLES = {"ar": "عنوان الجولة", "zh": "本轮标题", "en": "Round title", "fr": "Titre du cycle",
          "ru": "Название раунда", "es": "Título de la ronda"}


def six(text: str) -> dict[str, str]:
    return {code: f"{text} [{code}]" for code in LANGUAGES}


def approve(session: Any, moderator: Any, submission: Any) -> Any:
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version,
                      tags=TagInput(principles=["P2"], commitments=[], technologies=[],
                                    themes=[]))
    session.commit()
    return submission


def close(session: Any, round_: Any) -> Any:
    round_.closes_at = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    return round_


def round_with_views(session: Any) -> dict[str, Any]:
    """A round in six titles with: a published view (emailed, in French), one approved
    without publication consent (emailed, in Arabic), a pending one (emailed, in Chinese),
    an erased one (had an email), one without email; then closed."""
    factories.load_taxonomy(session)
    round_ = factories.make_round(session, title=dict(TITLES))
    moderator = make_user(session, "moderator", "mod-outreach@example.org")
    published, _t = factories.make_submission(session, round_, language="fr",
                                              email="fatou@example.org")
    private, _t = factories.make_submission(session, round_, language="ar",
                                            email="amina@example.org", consent_publication=False)
    pending, _t = factories.make_submission(session, round_, language="zh",
                                            email="li@example.org")
    erased, _t = factories.make_submission(session, round_, language="ru",
                                           email="erased@example.org")
    silent, _t = factories.make_submission(session, round_, language="es")
    approve(session, moderator, published)
    approve(session, moderator, private)
    from app.services.contributions import intake
    intake.erase(session, erased)
    session.commit()
    close(session, round_)
    return {"round": round_, "published": published, "private": private, "pending": pending,
            "erased": erased, "silent": silent, "moderator": moderator}


def draft(session: Any, round_: Any, *, references: list[str] | None = None,
          codes: str = "P2, TH03") -> Any:
    response = responses.save_draft(
        session, round_, summary=six("We listened"),
        changes=[responses.ChangeEdit(text=six("Connectivity comes first"), codes=codes,
                                      references=references or [])],
        by=None)
    session.commit()
    return response


def link_for(round_id: int):
    return lambda lang: f"https://consult.example.org/{lang}/rounds/{round_id}/response"
