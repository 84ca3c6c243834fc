"""Operators' commands: `backup`, `privacy purge`, `demo seed`, `search reindex`,
`clusters rebuild`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.db import db, write_intent

backup_cli = AppGroup("backup", help="Back up and restore the database.")


privacy_cli = AppGroup("privacy", help="Retention of personal data.")


demo_cli = AppGroup("demo", help="Synthetic data for demonstrations and benchmarks.")


search_cli = AppGroup("search", help="The full-text search index.")


clusters_cli = AppGroup("clusters", help="Campaign folding of near-identical submissions.")


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_create(path: Path | None) -> None:
    """Write a consistent backup of the live database (default: instance/backups/)."""
    from flask import current_app

    from app.services.platform import backup

    target = path or backup.default_path(Path(current_app.instance_path) / "backups", db.engine)
    from app import storage

    try:
        backup.create(db.engine, target, private_folder=path is None)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    copied = backup.back_up_files(storage.store(), target)
    click.echo(f"Backup written to {target}.")
    click.echo(f"Attached files: {copied}, in {backup.files_folder(target)}.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(path: Path, yes: bool) -> None:
    """Replace the database's content with the backup at PATH."""
    from app.services.platform import backup

    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    from sqlalchemy import text

    from app import storage

    db.session.remove()
    try:
        backup.restore(db.engine, path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    with db.engine.connect() as connection:
        named = set(connection.scalars(text("SELECT DISTINCT sha256 FROM attachments")))
    restored, missing = backup.restore_files(storage.store(), path, named)
    click.echo(f"Database restored from {path}.")
    click.echo(f"Attached files restored: {restored}.")
    if missing:
        raise click.ClickException(
            f"{len(missing)} attached file(s) named by the database are missing or damaged "
            f"in {backup.files_folder(path)}: {', '.join(missing[:5])}")


@privacy_cli.command("purge")
@click.option("--older-than", "older_than", default="365d", show_default=True,
              help="Age of the submissions whose emails go, e.g. 365d or 52w.")
def privacy_purge(older_than: str) -> None:
    """Drop contributors' emails once their round has closed and the period has passed."""
    from app.services.contributions import privacy

    try:
        age = privacy.parse_age(older_than)
    except ValueError:
        raise click.BadParameter("use a number of days, like 365d or 52w",
                                 param_hint="--older-than") from None
    write_intent.set(True)
    count = privacy.purge_emails(db.session, older_than=age)
    files = privacy.purge_attachments(db.session, older_than=age)
    db.session.commit()
    orphans = privacy.purge_orphan_files(db.session)
    click.echo(f"Removed {count} email address(es).")
    click.echo(f"Removed {files} withheld attached file(s) and {orphans} stored file(s) "
               "no view names.")


@demo_cli.command("seed")
@click.option("--submissions", "count", type=click.IntRange(1, 10_000_000), default=1000,
              show_default=True)
@click.option("--approved-share", type=click.FloatRange(0, 1), default=0.6, show_default=True)
def demo_seed(count: int, approved_share: float) -> None:
    """Bulk-insert COUNT synthetic submissions in the six languages (and a few others)."""
    import time

    from app.services import demo

    write_intent.set(True)
    started = time.perf_counter()
    try:
        added = demo.seed(db.session, count, approved_share=approved_share)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Added {added} submissions in {time.perf_counter() - started:.1f} s.")
    click.echo("Bulk inserts skip campaign folding: run `flask --app wsgi clusters rebuild`.")


@clusters_cli.command("rebuild")
@click.option("--round", "round_id", type=click.IntRange(1), default=None,
              help="Only this round (default: every round).")
@click.option("--batch", type=click.IntRange(100, 100_000), default=5000, show_default=True)
def clusters_rebuild(round_id: int | None, batch: int) -> None:
    """Recompute signatures, the LSH index and the clusters from the stored texts."""
    import time

    from app.services.assist import clusters

    write_intent.set(True)
    started = time.perf_counter()
    result = None
    for result in clusters.rebuild(db.session, round_id=round_id, batch=batch):
        db.session.commit()
        click.echo(f"{result.submissions} submissions read, {result.clusters} campaigns "
                   f"({result.folded} submissions folded) after {result.rounds} round(s).")
    if result is None:
        raise click.ClickException("There is no round.")
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.")


@search_cli.command("reindex")
@click.option("--batch", type=click.IntRange(100, 100_000), default=2000, show_default=True)
def search_reindex(batch: int) -> None:
    """Rewrite the searched text of every submission and fill in detected languages."""
    from app.services.assist import search

    write_intent.set(True)
    for done in search.reindex(db.session, batch=batch):
        db.session.commit()
        click.echo(f"{done} submissions indexed.")
    db.session.commit()
