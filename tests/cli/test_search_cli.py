"""`flask search reindex` and the demo seed's search documents, on a migrated database."""
from __future__ import annotations

from sqlalchemy import func, select

from app.db import db
from app.models import Submission, SubmissionSearch
from app.services.assist import search


def _counts(session) -> dict[str, int]:
    return {q: session.scalar(select(func.count()).select_from(Submission)
                              .where(search.condition(session, q)))
            for q in ("人工智能", "الذكاء الاصطناعي", "consentement", "intelligence artificial")}


def test_seeded_rows_are_searchable_and_reindex_rebuilds_them(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    result = runner.invoke(args=["demo", "seed", "--submissions", "600"])
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        session = db.session
        seeded = _counts(session)
        chinese = session.scalar(select(func.count()).select_from(Submission)
                                 .where(Submission.body.contains("人工智能")))
        assert seeded["人工智能"] == chinese > 0
        assert all(seeded.values()), seeded
        detected = set(session.scalars(select(Submission.detected_language).distinct()))
        assert {"ar", "zh", "en", "fr", "ru", "es"} <= detected <= {
            None, "ar", "zh", "en", "fr", "ru", "es"}

        session.execute(SubmissionSearch.__table__.delete())
        session.execute(Submission.__table__.update().values(detected_language=None))
        session.commit()
        assert not any(_counts(session).values())
        session.remove()

    result = runner.invoke(args=["search", "reindex", "--batch", "250"])
    assert result.exit_code == 0, result.output
    assert "250 submissions indexed." in result.output
    assert "600 submissions indexed." in result.output
    with fresh_app.app_context():
        session = db.session
        assert _counts(session) == seeded
        assert session.scalar(select(func.count()).select_from(Submission)
                              .where(Submission.detected_language == "zh")) > 0
        session.remove()
