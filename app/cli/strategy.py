"""`flask --app wsgi strategy import FILE [--publish]` and `strategy list`: the strategy's
text, edition by edition (docs/strategy-format.md)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import db, write_intent
from app.services import DomainError, ValidationFailed
from app.services.strategy import editions, importer

strategy_cli = AppGroup("strategy", help="The strategy's text, version by version.")


def problem_lines(errors: dict[str, list]) -> list[str]:
    """Every problem of a refused file, one line each, in the order of the file."""
    return [f"{where}: {message}" for where, messages in errors.items() for message in messages]


@strategy_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True,
              help="Publish it at once (it becomes the current version and never changes). "
                   "Without it, the version is a draft to check and publish in the browser.")
def strategy_import(path: Path, publish: bool) -> None:
    """Import a version of the strategy from PATH, a JSON file (docs/strategy-format.md).

    A file that does not follow the format is refused with every problem listed, and
    nothing is stored."""
    from app.strategy.public import compare_link

    write_intent.set(True)
    try:
        edition = importer.import_document(db.session, path.read_bytes(), by=None,
                                           source=path.name)
        queued = 0
        if publish:
            with current_app.test_request_context():
                queued = editions.publish(db.session, edition, by=None, link_for=compare_link)
    except ValidationFailed as exc:
        db.session.rollback()
        lines = problem_lines(exc.errors)
        raise click.ClickException(
            f"{path.name} was not imported ({len(lines)} problem(s)); nothing was stored:\n"
            + "\n".join(lines)) from None
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    state = "published" if publish else "saved as a draft"
    click.echo(f"Version {edition.label}: {len(edition.paragraphs)} paragraphs, "
               f"{len(edition.changes)} explained changes, {state}.")
    if publish:
        click.echo(f"Messages queued for contributors: {queued}.")


@strategy_cli.command("list")
def strategy_list() -> None:
    """List the versions: label, status, date, paragraphs."""
    current = editions.current_edition(db.session)
    for edition in editions.all_editions(db.session):
        mark = "current" if current is not None and edition.id == current.id \
            else edition.status.value
        click.echo(f"{edition.label}\t{mark}\t{edition.issued or '-'}\t"
                   f"{len(edition.paragraphs)} paragraphs")
