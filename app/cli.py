"""Command-line interface: `flask --app wsgi db|taxonomy|rounds|setup ...`."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask
from flask.cli import AppGroup

from app.db import db, write_intent
from app.i18n import LANGUAGES, localized
from app.models import Role, User
from app.services import DomainError, NotFound, ValidationFailed
from app.services.accounts import users as users_service
from app.services.platform import rounds
from app.services.platform import taxonomy as taxonomy_service
from app.services.reporting import archive
from app.services.strategy import sample as strategy_sample

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

db_cli = AppGroup("db", help="Database migrations (Alembic).")
taxonomy_cli = AppGroup("taxonomy", help="The strategy's principles, commitments and vocabularies.")
rounds_cli = AppGroup("rounds", help="Consultation rounds.")
translate_cli = AppGroup("translate", help="Message catalogs of the six languages.")
users_cli = AppGroup("users", help="Staff accounts and their API tokens.")
backup_cli = AppGroup("backup", help="Back up and restore the database.")
privacy_cli = AppGroup("privacy", help="Retention of personal data.")
demo_cli = AppGroup("demo", help="Synthetic data for demonstrations and benchmarks.")
search_cli = AppGroup("search", help="The full-text search index.")
clusters_cli = AppGroup("clusters", help="Campaign folding of near-identical submissions.")
ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS_DIR = ROOT / "translations"
POT_FILE = ROOT / "messages.pot"


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template",
                        "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return cfg


def schema_is_current(engine: Any) -> tuple[bool, set[str]]:
    """Whether the database is at every head of the migration scripts."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads, heads


def _fail_with(exc: ValidationFailed) -> None:
    lines = [f"{field}: {'; '.join(str(m) for m in messages)}"
             for field, messages in exc.errors.items()]
    raise click.ClickException("\n".join(lines))


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    command.current(alembic_config(), verbose=True)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration comparing the models with the database."""
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@taxonomy_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                default=taxonomy_service.DEFAULT_FILE)
@click.option("--version", "version_code", default=taxonomy_service.DEFAULT_VERSION,
              show_default=True, help="Strategy version the items belong to.")
@click.option("--refresh", is_flag=True,
              help="Overwrite stored labels and keyword lexicon with the files' (undoes "
                   "corrections made in the admin panel).")
def taxonomy_load(path: Path, version_code: str, refresh: bool) -> None:
    """Load the taxonomy from PATH: add new items and missing languages (idempotent)."""
    write_intent.set(True)
    result = taxonomy_service.load(db.session, path, version_code, refresh=refresh)
    db.session.commit()
    click.echo(f"Strategy version {result.version.code}: {result.added} items added, "
               f"{result.updated} updated.")


def _parse_time(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date or time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@rounds_cli.command("create")
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A JSON file with title, description and questions per language, "
                   "opens_at and closes_at.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of --title, --description and --question.")
@click.option("--title")
@click.option("--description", default="")
@click.option("--question", "questions", multiple=True, help="A guiding question (repeatable).")
@click.option("--opens", help="Opening time, ISO 8601 (UTC if no offset). Default: now.")
@click.option("--closes", help="Closing time, ISO 8601 (UTC if no offset).")
def rounds_create(file_: Path | None, lang: str, title: str | None, description: str,
                  questions: tuple[str, ...], opens: str | None, closes: str | None) -> None:
    """Create a consultation round."""
    write_intent.set(True)
    if file_ is not None:
        spec = json.loads(file_.read_text(encoding="utf-8"))
        title_texts = spec.get("title", {})
        description_texts = spec.get("description", {})
        question_texts = spec.get("questions", [])
        opens = opens or spec.get("opens_at")
        closes = closes or spec.get("closes_at")
    else:
        if not title:
            raise click.UsageError("Give --title (or --file).")
        title_texts = {lang: title}
        description_texts = {lang: description} if description else {}
        question_texts = [{lang: q} for q in questions]
    if not closes:
        raise click.UsageError("Give --closes (or closes_at in the file).")
    opens_at = _parse_time(opens) if opens else dt.datetime.now(dt.UTC)
    try:
        created = rounds.create_round(db.session, title=title_texts,
                                      description=description_texts, questions=question_texts,
                                      opens_at=opens_at, closes_at=_parse_time(closes))
    except ValidationFailed as exc:
        _fail_with(exc)
    db.session.commit()
    click.echo(f"Created round {created.id}.")


@rounds_cli.command("list")
def rounds_list() -> None:
    """List rounds with their state."""
    for r in rounds.list_rounds(db.session):
        state = "open" if r.is_open else "closed"
        click.echo(f"{r.id}\t{state}\t{r.opens_at:%Y-%m-%d %H:%M}Z\t{r.closes_at:%Y-%m-%d %H:%M}Z"
                   f"\t{localized(r.title, 'en')}")


@rounds_cli.command("archive")
@click.argument("round_id", type=int)
def rounds_archive(round_id: int) -> None:
    """Close ROUND_ID if still open and freeze its counts for comparing rounds."""
    write_intent.set(True)
    try:
        snapshot = archive.archive_round(db.session, rounds.get_round(db.session, round_id),
                                         by=None)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"Archived round {round_id}: {snapshot.total} approved submissions, "
               f"counts frozen.")


def setup_command() -> None:
    """Everything a fresh install needs before serving (idempotent): migrate to head,
    load the taxonomy, create an open demo round when there is no round, and load the
    sample strategy text when there is none."""
    command.upgrade(alembic_config(), "head")
    write_intent.set(True)
    result = taxonomy_service.load(db.session)
    demo = rounds.ensure_demo_round(db.session)
    strategy = strategy_sample.ensure_sample(db.session)
    db.session.commit()
    click.echo(f"Database at head. Taxonomy {result.version.code}: {result.added} added, "
               f"{result.updated} updated.")
    if strategy is not None:
        click.echo(f"Loaded the sample strategy text {strategy.label} (placeholder paragraphs).")
    if demo is not None:
        click.echo(f"Created demo round {demo.id}, open until {demo.closes_at:%Y-%m-%d}.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (else it is asked for).")
def users_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff account."""
    write_intent.set(True)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = users_service.create_user(db.session, email, password, role, name=name)
    except ValidationFailed as exc:
        _fail_with(exc)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


def _user(email: str) -> User:
    try:
        return users_service.find_by_email(db.session, email)
    except NotFound:
        raise click.ClickException(f"No account has the email {email!r}.") from None


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (else it is asked for).")
def users_set_password(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL; every session of the account ends."""
    write_intent.set(True)
    user = _user(email)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        users_service.set_password(db.session, user, password)
    except ValidationFailed as exc:
        _fail_with(exc)
    db.session.commit()
    click.echo(f"Password changed for {user.email}; their sessions have ended.")


@users_cli.command("token")
@click.argument("email")
def users_token(email: str) -> None:
    """Print a new personal API token for EMAIL (its last line is the token)."""
    write_intent.set(True)
    user = _user(email)
    if not user.active:
        raise click.ClickException("This account is disabled.")
    token = users_service.issue_token(db.session, user)
    db.session.commit()
    click.echo(f"New API token for {user.email} ({user.role.value}); it is shown only once:")
    click.echo(token)


@users_cli.command("revoke-tokens")
@click.argument("email")
@click.option("--prefix", help="Revoke only the token starting with this prefix.")
def users_revoke_tokens(email: str, prefix: str | None) -> None:
    """Revoke the API tokens of EMAIL (all, or one by its prefix)."""
    write_intent.set(True)
    count = users_service.revoke_tokens(db.session, _user(email), prefix=prefix)
    db.session.commit()
    click.echo(f"Revoked {count} token(s).")


@users_cli.command("list")
def users_list() -> None:
    """List staff accounts."""
    for user in users_service.list_users(db.session):
        state = "active" if user.active else "disabled"
        twofa = "2fa" if user.has_2fa else "no-2fa"
        click.echo(f"{user.id}\t{user.email}\t{user.role.value}\t{state}\t{twofa}")


@users_cli.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable an account: its sessions end and its API tokens are revoked."""
    write_intent.set(True)
    users_service.set_active(db.session, _user(email), False)
    db.session.commit()
    click.echo(f"Disabled {email}.")


@users_cli.command("enable")
@click.argument("email")
def users_enable(email: str) -> None:
    """Enable a disabled account again."""
    write_intent.set(True)
    users_service.set_active(db.session, _user(email), True)
    db.session.commit()
    click.echo(f"Enabled {email}.")


@users_cli.command("reset-2fa")
@click.argument("email")
def users_reset_2fa(email: str) -> None:
    """Remove the second factor of EMAIL (they set up a new one at next sign-in)."""
    write_intent.set(True)
    users_service.reset_totp(db.session, _user(email))
    db.session.commit()
    click.echo(f"Second factor removed for {email}.")


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_create(path: Path | None) -> None:
    """Write a consistent backup of the live database (default: instance/backups/)."""
    from flask import current_app

    from app.services.platform import backup

    target = path or backup.default_path(Path(current_app.instance_path) / "backups", db.engine)
    try:
        backup.create(db.engine, target, private_folder=path is None)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {target}.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(path: Path, yes: bool) -> None:
    """Replace the database's content with the backup at PATH."""
    from app.services.platform import backup

    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    db.session.remove()
    try:
        backup.restore(db.engine, path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Database restored from {path}.")


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
    db.session.commit()
    click.echo(f"Removed {count} email address(es).")


@demo_cli.command("seed")
@click.option("--submissions", "count", type=click.IntRange(1, 10_000_000), default=1000,
              show_default=True)
@click.option("--approved-share", type=click.FloatRange(0, 1), default=0.6, show_default=True)
def demo_seed(count: int, approved_share: float) -> None:
    """Bulk-insert COUNT synthetic submissions in the six languages (and a few others)."""
    import time

    from app.services.platform import demo

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


@translate_cli.command("update")
def translate_update() -> None:
    """Extract messages, merge them into every catalog, and fill English from the source."""
    from babel.messages.frontend import CommandLineInterface

    run = CommandLineInterface().run
    run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
         "-k", "lazy_ngettext:1,2", "--no-location", "--sort-output", "--omit-header",
         "-o", str(POT_FILE), str(ROOT)])
    for lang in LANGUAGES:
        po = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
        action = "update" if po.exists() else "init"
        args = ["pybabel", "-q", action, "-i", str(POT_FILE), "-d", str(TRANSLATIONS_DIR),
                "-l", lang]
        if action == "update":
            args += ["--no-fuzzy-matching", "--ignore-obsolete"]
        run(args)
    _fill_english(TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po")
    POT_FILE.unlink()
    click.echo("Catalogs updated. Translate the empty entries, then run `make i18n` again.")


def _fill_english(po_path: Path) -> None:
    """English is the source language: its translations are the messages themselves."""
    from babel.messages.pofile import read_po, write_po

    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po_path.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, width=100)


def catalog_problems(lang: str) -> dict[str, list[str]]:
    """Untranslated and fuzzy messages of one catalog."""
    from babel.messages.pofile import read_po

    po = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    problems: dict[str, list[str]] = {"untranslated": [], "fuzzy": []}
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if not all(strings) or len(strings) < (catalog.num_plurals if message.pluralizable else 1):
            problems["untranslated"].append(msgid)
        if message.fuzzy:
            problems["fuzzy"].append(msgid)
    return problems


@translate_cli.command("check")
@click.argument("langs", nargs=-1)
def translate_check(langs: tuple[str, ...]) -> None:
    """Fail when a catalog has an untranslated or fuzzy message."""
    failed = False
    for lang in langs or LANGUAGES:
        problems = catalog_problems(lang)
        count = sum(len(v) for v in problems.values())
        click.echo(f"{lang}: {len(problems['untranslated'])} untranslated, "
                   f"{len(problems['fuzzy'])} fuzzy")
        failed = failed or count > 0
    if failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(taxonomy_cli)
    app.cli.add_command(rounds_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(clusters_cli)
    app.cli.command("setup")(setup_command)
    from app.suggest_cli import suggest_cli
    app.cli.add_command(suggest_cli)
    from app.offline_cli import intake_cli, outbox_cli
    app.cli.add_command(intake_cli)
    app.cli.add_command(outbox_cli)
    from app.strategy_cli import strategy_cli
    app.cli.add_command(strategy_cli)
