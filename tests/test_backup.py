"""Backup and restore drill: what was there at backup time is there after a restore."""
from __future__ import annotations

from sqlalchemy import func, select

from app.db import db
from app.models import Submission
from tests import factories


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def test_restore_drill(fresh_app, tmp_path):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    with fresh_app.app_context():
        round_ = factories.make_round(db.session)
        kept, _ = factories.make_submission(db.session, round_, title="Kept through restore",
                                            language="ar", body="نص يبقى بعد الاستعادة")
        kept_reference = kept.reference
        db.session.remove()

    target = tmp_path / "drill.backup"
    result = runner.invoke(args=["backup", "create", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    with fresh_app.app_context():
        round_ = factories.make_round(db.session)
        factories.make_submission(db.session, round_, title="Written after the backup")
        db.session.get(Submission, kept.id).title = "Changed after the backup"
        db.session.commit()
        assert count() == 2
        db.session.remove()

    result = runner.invoke(args=["backup", "restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        assert count() == 1
        restored = db.session.scalar(select(Submission))
        assert restored.reference == kept_reference
        assert restored.title == "Kept through restore"
        assert restored.body == "نص يبقى بعد الاستعادة"
        db.session.remove()
    assert fresh_app.test_client().get("/readyz").status_code == 200


def test_restore_refuses_a_missing_or_damaged_file(fresh_app, tmp_path):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    bad = tmp_path / "garbage.backup"
    bad.write_bytes(b"this is not a backup")
    result = runner.invoke(args=["backup", "restore", str(bad), "--yes"])
    assert result.exit_code == 1 and "Error:" in result.output  # a message, not a traceback
    assert runner.invoke(args=["backup", "restore", str(tmp_path / "none"), "--yes"]
                         ).exit_code != 0
    with fresh_app.app_context():
        from app.models import TaxonomyItem
        assert db.session.scalar(select(func.count()).select_from(TaxonomyItem)) == 43
