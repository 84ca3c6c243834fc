"""The strategy's text in the public API (issue #20): its published versions, one version,
and what changed between two, with the evidence of each change. Routes of the `api`
blueprint (imported by `register_blueprints`), documented in openapi.json."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from app.api.routes import _lang_param, bp
from app.db import db
from app.errors import json_errors
from app.i18n import LANGUAGES, pick
from app.i18n import lazy_gettext as _l
from app.models import StrategyEdition
from app.services import NotFound
from app.services.strategy import compare as compare_service
from app.services.strategy import editions


def _lang_error() -> Any:
    return json_errors({"lang": [_l("Use one of: %(codes)s", codes=", ".join(LANGUAGES))]}, 400)


def _texts(texts: dict[str, str] | None, lang: str, name: str) -> dict[str, Any]:
    """`name` and `name_lang`: the text in `lang`, or the one it falls back to."""
    value, used = pick(texts, lang)
    return {name: value or None, f"{name}_lang": used if value else None}


def _summary(edition: StrategyEdition, lang: str, current: StrategyEdition | None
             ) -> dict[str, Any]:
    return {
        "label": edition.label,
        "issued": edition.issued,
        **_texts(edition.title, lang, "title"),
        "published_at": edition.published_at.isoformat() if edition.published_at else None,
        "current": current is not None and edition.id == current.id,
        "paragraphs": len(edition.paragraphs),
        "based_on": edition.based_on.label if edition.based_on is not None else None,
    }


@bp.get("/strategy")
def strategy_versions() -> Any:
    lang = _lang_param()
    if lang is None:
        return _lang_error()
    published = editions.published_editions(db.session)
    current = published[-1] if published else None
    return jsonify({"current": current.label if current else None, "lang": lang,
                    "versions": [_summary(e, lang, current) for e in reversed(published)]})


def _published(label: str, name: str) -> tuple[StrategyEdition | None, Any]:
    try:
        return editions.get_edition(db.session, label), None
    except NotFound as exc:
        return None, json_errors({name: [exc.message]}, 404)


@bp.get("/strategy/<label>")
def strategy_version(label: str) -> Any:
    lang = _lang_param()
    if lang is None:
        return _lang_error()
    edition, error = _published(label, "version")
    if error is not None:
        return error
    counts = editions.published_view_counts(db.session)
    grouped: dict[str, list[dict[str, Any]]] = {s["key"]: [] for s in edition.sections}
    for paragraph in sorted(edition.paragraphs, key=lambda p: p.position):
        grouped.setdefault(paragraph.section, []).append({
            "key": paragraph.key,
            "code": paragraph.code,
            **_texts(paragraph.title, lang, "title"),
            "text": pick(paragraph.text, lang)[0],
            "lang": pick(paragraph.text, lang)[1],
            "placeholder": paragraph.placeholder,
            "published_views": counts.get(paragraph.key, 0),
        })
    titles = {s["key"]: s.get("title") for s in edition.sections}
    return jsonify({
        **_summary(edition, lang, editions.current_edition(db.session)),
        "lang": lang,
        "sections": [{"key": key, **_texts(titles.get(key), lang, "title"),
                      "paragraphs": items} for key, items in grouped.items()],
    })


@bp.get("/strategy/compare")
def strategy_compare() -> Any:
    lang = _lang_param()
    if lang is None:
        return _lang_error()
    missing = {name: [_l("Give the label of a published version, like 2018.")]
               for name in ("from", "to") if not request.args.get(name)}
    if missing:
        return json_errors(missing, 400)
    old, error = _published(request.args["from"], "from")
    if error is not None:
        return error
    new, error = _published(request.args["to"], "to")
    if error is not None:
        return error
    comparison = compare_service.compare(db.session, old, new, lang)
    return jsonify({**compare_service.to_json(comparison), "lang": lang})
