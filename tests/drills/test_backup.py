"""Backup and restore drill: what was there at backup time is there after a restore."""
from __future__ import annotations

import pytest
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


def test_backups_are_private_whatever_the_umask(fresh_app, tmp_path):
    """#14 item 13: the file 0600, a folder made for it 0700, even under umask 022, both for
    a path given and for the default folder."""
    import os
    import stat
    from pathlib import Path

    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    old = os.umask(0o022)
    try:
        target = tmp_path / "new-folder" / "nightly.backup"
        result = runner.invoke(args=["backup", "create", str(target)])
        assert result.exit_code == 0, result.output
        default = runner.invoke(args=["backup", "create"])
        assert default.exit_code == 0, default.output
    finally:
        os.umask(old)
    written = Path(default.output.splitlines()[0].removeprefix("Backup written to ")
                   .rstrip("."))
    assert written.parent == Path(fresh_app.instance_path) / "backups"
    for path in (target, written):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, path.parent
        assert path.stat().st_size > 0


def test_backup_refuses_the_live_database_file(fresh_app, tmp_path):
    """#14 item 13: the target cannot be the live SQLite file (it used to say "Backup
    written" and write nothing)."""
    from pathlib import Path

    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's live database is no file a backup could name")
    live = Path(db.engine.url.database)
    before = live.read_bytes()
    result = runner.invoke(args=["backup", "create", str(live)])
    assert result.exit_code == 1 and "live database" in result.output
    assert "Backup written" not in result.output
    alias = tmp_path / "alias.db"
    alias.symlink_to(live)
    assert runner.invoke(args=["backup", "create", str(alias)]).exit_code == 1
    assert live.read_bytes() == before


def test_backup_and_restore_carry_the_attached_files(fresh_app, tmp_path):
    """Issue #21: the files are copied beside the backup, and a restore puts back those
    the restored database names (checked against their SHA-256) and no others."""
    import stat

    from app import storage
    from app.models import Attachment
    from app.services.contributions.attachments import Upload

    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    with fresh_app.app_context():
        round_ = factories.make_round(db.session)
        factories.make_submission(db.session, round_, files=[
            Upload("ورقة.txt", "ورقة موقف".encode()), Upload("paper.txt", b"paper one")])
        kept = sorted(db.session.scalars(select(Attachment.sha256)))
        db.session.remove()

    target = tmp_path / "drill.backup"
    result = runner.invoke(args=["backup", "create", str(target)])
    assert result.exit_code == 0, result.output
    assert "Attached files: 2," in result.output
    copies = target.with_name("drill.backup.files")
    assert stat.S_IMODE(copies.stat().st_mode) == 0o700
    assert sorted(p.name for p in copies.glob("*/*")) == kept

    with fresh_app.app_context():
        store = storage.store()
        store.delete(kept[0])  # lost on disk
        factories.make_submission(db.session, round_, files=[Upload("later.txt", b"later")])
        later = db.session.scalar(select(Attachment.sha256).where(
            Attachment.filename == "later.txt"))
        db.session.remove()

    result = runner.invoke(args=["backup", "restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Attached files restored: 1." in result.output
    with fresh_app.app_context():
        assert sorted(storage.store().names()) == kept
        assert later not in set(storage.store().names())
        with storage.store().open(kept[0]) as fh:
            assert fh.read() in ("ورقة موقف".encode(), b"paper one")
        db.session.remove()

    # A damaged copy in the backup is reported, not restored.
    (copies / kept[1][:2] / kept[1]).write_bytes(b"tampered")
    with fresh_app.app_context():
        storage.store().delete(kept[1])
    result = runner.invoke(args=["backup", "restore", str(target), "--yes"])
    assert result.exit_code == 1 and "missing or damaged" in result.output
