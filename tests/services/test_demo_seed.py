"""`flask demo seed`: bulk synthetic data, usable by every page and count."""
from __future__ import annotations

from sqlalchemy import func, select

from app.db import db
from app.models import PersonalData, Status, Submission, SubmissionTag
from app.services.reporting import reports


def test_seed_on_a_fresh_install(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    result = runner.invoke(args=["demo", "seed", "--submissions", "2500",
                                 "--approved-share", "0.6"])
    assert result.exit_code == 0, result.output
    assert "Added 2500 submissions" in result.output
    with fresh_app.app_context():
        session = db.session
        by_status = dict(session.execute(select(Submission.status, func.count())
                                         .group_by(Submission.status)).all())
        assert sum(by_status.values()) == 2500
        assert 0.55 < by_status[Status.APPROVED] / 2500 < 0.65
        tagged = session.scalar(select(func.count(func.distinct(SubmissionTag.submission_id))))
        assert tagged == by_status[Status.APPROVED]
        assert session.scalar(select(func.count()).select_from(PersonalData)) > 500
        languages = {lang for (lang,) in session.execute(
            select(Submission.language).distinct())}
        assert {"ar", "zh", "en", "fr", "ru", "es"} <= languages
        assert reports.total(session, reports.ReportFilter()) == by_status[Status.APPROVED]
        db.session.remove()
    # New submissions still get ids after the bulk insert (the sequence moved on).
    more = runner.invoke(args=["demo", "seed", "--submissions", "10"])
    assert more.exit_code == 0, more.output
    with fresh_app.app_context():
        from app.models import Round
        from tests import factories
        round_ = db.session.scalar(select(Round))
        made, _ = factories.make_submission(db.session, round_)  # ORM insert, sequence id
        assert made.id > 2510
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 2511
        db.session.remove()


def test_seed_needs_a_round(fresh_app):
    runner = fresh_app.test_cli_runner()
    from alembic import command

    from app.migrate import alembic_config
    with fresh_app.app_context():
        command.upgrade(alembic_config(), "head")
    result = runner.invoke(args=["demo", "seed", "--submissions", "5"])
    assert result.exit_code != 0 and "setup" in result.output
