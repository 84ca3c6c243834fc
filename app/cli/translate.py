"""`flask --app wsgi translate update|check`: the message catalogs of the six languages."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.i18n import LANGUAGES

translate_cli = AppGroup("translate", help="Message catalogs of the six languages.")


ROOT = Path(__file__).resolve().parents[2]


TRANSLATIONS_DIR = ROOT / "translations"


POT_FILE = ROOT / "messages.pot"


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
