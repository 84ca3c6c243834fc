"""Public pages of the strategy's text: the current version, any published version, what
changed between two versions and why, and the traceability CSV (open data)."""
from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from app import reference
from app.db import db
from app.i18n import current_language, localized, pick
from app.i18n import gettext as _
from app.models import StrategyEdition
from app.security import external_url
from app.services import NotFound
from app.services.reporting.export import neutralize
from app.services.strategy import compare as compare_service
from app.services.strategy import editions

bp = Blueprint("strategy", __name__)

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
TRACEABILITY_COLUMNS = ("version", "previous_version", "paragraph", "section", "change",
                        "moved", "views", "published_views", "codes", "explanation",
                        "explanation_language")


def compare_link(edition: StrategyEdition, lang: str) -> str:
    """The public page of what `edition` changed (its own page when it is the first)."""
    previous = editions.previous_edition(db.session, edition)
    if previous is None:
        return external_url("strategy.edition", lang=lang, label=edition.label)
    return external_url("strategy.compare", lang=lang, old=previous.label, new=edition.label)


def change_label(change: str) -> str:
    return {
        compare_service.ADDED: _("Added"),
        compare_service.REMOVED: _("Removed"),
        compare_service.CHANGED: _("Changed"),
        compare_service.MOVED: _("Moved"),
        compare_service.UNCHANGED: _("Unchanged"),
    }[change]


def _edition_or_404(label: str, *, drafts: bool = False) -> StrategyEdition:
    try:
        return editions.get_edition(db.session, label, drafts=drafts)
    except NotFound:
        abort(404)


def render_edition(edition: StrategyEdition, *, preview: bool = False) -> str:
    published = editions.published_editions(db.session)
    current = published[-1] if published else None
    current_keys = {p.key for p in current.paragraphs} if current is not None else set()
    return render_template(
        "strategy/edition.html", edition=edition, current=current, published=published,
        previous=editions.previous_edition(db.session, edition),
        counts=editions.published_view_counts(db.session), current_keys=current_keys,
        sections=_sections(edition), preview=preview,
        placeholders=any(p.placeholder for p in edition.paragraphs))


def _sections(edition: StrategyEdition) -> list[tuple[dict[str, Any], list[Any]]]:
    """[(section, its paragraphs in order)], sections in order."""
    grouped: dict[str, list[Any]] = {s["key"]: [] for s in edition.sections}
    for paragraph in sorted(edition.paragraphs, key=lambda p: p.position):
        grouped.setdefault(paragraph.section, []).append(paragraph)
    titles = {s["key"]: s for s in edition.sections}
    return [(titles.get(key, {"key": key, "title": {}}), items)
            for key, items in grouped.items() if items]


@bp.get("/<lang:lang>/strategy")
def current(lang: str) -> Any:
    edition = editions.current_edition(db.session)
    if edition is None:
        return render_template("strategy/none.html"), 404
    return render_edition(_edition_or_404(edition.label))


@bp.get("/<lang:lang>/strategy/<label>")
def edition(lang: str, label: str) -> Any:
    return render_edition(_edition_or_404(label))


def render_compare(old: StrategyEdition, new: StrategyEdition, *, preview: bool = False,
                   form_endpoint: str = "strategy.compare_form") -> str:
    lang = current_language()
    comparison = compare_service.compare(db.session, old, new, lang)
    show_all = request.args.get("all") == "1"
    rows = comparison.rows if show_all else comparison.changed_rows
    sections = {s["key"]: s for s in (*old.sections, *new.sections)}
    return render_template(
        "strategy/compare.html", comparison=comparison, rows=rows, show_all=show_all,
        unchanged=len(comparison.rows) - len(comparison.changed_rows), sections=sections,
        published=editions.published_editions(db.session), change_label=change_label,
        preview=preview, form_endpoint=form_endpoint, C=compare_service)


@bp.get("/<lang:lang>/strategy/compare/<old>/<new>")
def compare(lang: str, old: str, new: str) -> Any:
    return render_compare(_edition_or_404(old), _edition_or_404(new))


@bp.get("/<lang:lang>/strategy/compare")
def compare_form(lang: str) -> Any:
    """The version picker of the compare page (a GET form: works without JavaScript)."""
    old, new = request.args.get("from", ""), request.args.get("to", "")
    if not old or not new:
        abort(404)
    return redirect(url_for("strategy.compare", old=old[:64], new=new[:64]), code=303)


# Open data: which views motivated which change, version after version.

def traceability_rows(lang: str) -> Iterator[list[Any]]:
    """One row per paragraph each published version added, changed, moved or removed."""
    published = editions.published_editions(db.session)
    for previous, edition in itertools.pairwise(published):
        old = editions.get_edition(db.session, previous.label)
        new = editions.get_edition(db.session, edition.label)
        for row in compare_service.compare(db.session, old, new, lang).changed_rows:
            yield [new.label, old.label, row.key, row.section, row.change,
                   "yes" if row.moved else "no", row.views, ";".join(row.published),
                   ";".join(row.note.codes) if row.note else "", row.explanation[0],
                   row.explanation[1]]


def traceability_csv(lang: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(TRACEABILITY_COLUMNS)
    for row in traceability_rows(lang):
        writer.writerow([neutralize(value) if isinstance(value, str) else value
                         for value in row])
    yield buffer.getvalue()


@bp.get("/<lang:lang>/strategy/traceability.csv")
def traceability(lang: str) -> Response:
    response = Response(traceability_csv(lang), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="strategy-traceability.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global("strategy_title")
def strategy_title(edition: StrategyEdition) -> str:
    return localized(edition.title) or edition.label


@bp.app_template_global("paragraph_name")
def paragraph_name(key: str | None) -> str:
    """"P2 · Foster inclusion and transparency" for a paragraph key of the current text
    (its key alone when the current text no longer has it)."""
    if not key:
        return ""
    found = g.get("strategy_paragraphs")
    if found is None:
        found = g.strategy_paragraphs = {p.key: p for p in
                                         reference.current_paragraphs()}
    paragraph = found.get(key)
    return editions.paragraph_label(paragraph, current_language()) if paragraph is not None else key


@bp.app_template_global("paragraph_heading")
def paragraph_heading(paragraph: Any) -> tuple[str, str]:
    """(title, its language) of a paragraph, its key when it has none."""
    title, lang = pick(paragraph.title)
    return (title, lang) if title else (paragraph.key, "en")
