"""Importing an edition of the strategy from a JSON file (docs/strategy-format.md).

The whole file is checked before anything is stored: a file that does not follow the
format raises `ValidationFailed` with every problem, keyed by where it is
(`paragraphs[3].text.fr`), and the database is left as it was.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.i18n import lazy_gettext as _l
from app.models import EditionStatus, StrategyEdition, StrategyParagraph, User
from app.models.strategy_text import KEY_MAX
from app.services import ValidationFailed
from app.services.accounts import audit
from app.services.strategy import editions, rules
from app.services.strategy.rules import fail

FORMAT = "strategy/1"
MAX_BYTES = 5 * 1024 * 1024
TOP_KEYS = {"format", "label", "issued", "title", "sections", "paragraphs", "removed"}
SECTION_KEYS = {"key", "title"}
PARAGRAPH_KEYS = {"key", "section", "code", "title", "text", "placeholder", "change"}
CHANGE_KEYS = {"explanation", "codes", "views"}
REMOVED_KEYS = {"key", "change"}


@dataclass
class _Change:
    explanation: dict[str, str] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    view_ids: list[int] = field(default_factory=list)


@dataclass
class Parsed:
    """A checked file, ready to store."""

    label: str
    issued: str | None
    title: dict[str, str]
    sections: list[dict[str, Any]]
    paragraphs: list[dict[str, Any]]
    changes: dict[str, _Change]


def read_file(raw: bytes) -> Any:
    """The JSON document in `raw`, or ValidationFailed under "file"."""
    if len(raw) > MAX_BYTES:
        raise ValidationFailed({"file": [_l("The file is larger than 5 MB.")]})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": [_l("The file is not UTF-8 text.")]}) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed({"file": [_l(
            "The file is not valid JSON: %(problem)s at line %(line)d, column %(column)d.",
            problem=exc.msg, line=exc.lineno, column=exc.colno)]}) from None
    except RecursionError:
        raise ValidationFailed({"file": [_l("The file is not valid JSON.")]}) from None


def _unknown_keys(obj: Mapping[str, Any], allowed: set[str], where: str,
                  errors: dict[str, list[Any]]) -> None:
    unknown = sorted(str(k) for k in obj if k not in allowed)
    if unknown:
        fail(errors, where, _l("Unknown field(s): %(names)s. Allowed: %(allowed)s.",
                               names=", ".join(unknown)[:200], allowed=", ".join(sorted(allowed))))


def _change(session: Session, value: Any, where: str, errors: dict[str, list[Any]],
            codes: set[str]) -> _Change | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        fail(errors, where, _l("Must be an object with explanation, codes and views."))
        return None
    _unknown_keys(value, CHANGE_KEYS, where, errors)
    return _Change(
        explanation=rules.check_texts(value.get("explanation"), f"{where}.explanation", errors,
                                      maximum=rules.EXPLANATION_MAX),
        codes=rules.check_codes(value.get("codes"), codes, errors, f"{where}.codes"),
        view_ids=rules.check_views(session, value.get("views"), errors, f"{where}.views"))


def _list(data: Mapping[str, Any], name: str, errors: dict[str, list[Any]], *,
          required: bool, maximum: int) -> list[Any]:
    value = data.get(name)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        fail(errors, name, _l("Must be a list with one entry at least."))
        return []
    if len(value) > maximum:
        fail(errors, name, _l("At most %(num)d entries.", num=maximum))
        return value[:maximum]
    return value


def check(session: Session, data: Any) -> Parsed:
    """Check a whole document; raise ValidationFailed listing every problem."""
    errors: dict[str, list[Any]] = {}
    if not isinstance(data, dict):
        raise ValidationFailed({"file": [_l("The file must hold one JSON object.")]})
    _unknown_keys(data, TOP_KEYS, "file", errors)
    if data.get("format") != FORMAT:
        fail(errors, "format", _l("Must be \"%(format)s\".", format=FORMAT))
    label = rules.check_label(session, data.get("label"), errors)
    issued = rules.check_issued(data.get("issued"), errors)
    title = rules.check_texts(data.get("title"), "title", errors, maximum=rules.TITLE_MAX,
                              multiline=False)

    sections: list[dict[str, Any]] = []
    for index, entry in enumerate(_list(data, "sections", errors, required=True,
                                        maximum=rules.MAX_SECTIONS)):
        where = f"sections[{index}]"
        if not isinstance(entry, dict):
            fail(errors, where, _l("Must be an object with key and title."))
            continue
        _unknown_keys(entry, SECTION_KEYS, where, errors)
        key = entry.get("key")
        if not isinstance(key, str) or not rules.SECTION_KEY.fullmatch(key):
            fail(errors, f"{where}.key", _l(
                "Use lower-case letters, digits, hyphens or underscores, like principles."))
            key = None
        elif any(s["key"] == key for s in sections):
            fail(errors, f"{where}.key", _l("This key is used twice: %(key)s", key=key))
        section_title = rules.check_texts(entry.get("title"), f"{where}.title", errors,
                                          maximum=rules.TITLE_MAX, required=True,
                                          multiline=False)
        if key:
            sections.append({"key": key, "title": section_title})
    section_keys = [s["key"] for s in sections]

    paragraph_codes = rules.known_codes(session, rules.PARAGRAPH_CODE_KINDS)
    change_codes = rules.known_codes(session, rules.CHANGE_CODE_KINDS)
    paragraphs: list[dict[str, Any]] = []
    changes: dict[str, _Change] = {}
    seen: set[str] = set()
    for index, entry in enumerate(_list(data, "paragraphs", errors, required=True,
                                        maximum=rules.MAX_PARAGRAPHS)):
        where = f"paragraphs[{index}]"
        if not isinstance(entry, dict):
            fail(errors, where, _l("Must be an object with key, section and text."))
            continue
        _unknown_keys(entry, PARAGRAPH_KEYS, where, errors)
        key = _paragraph_key(entry.get("key"), f"{where}.key", errors)
        if key and key in seen:
            fail(errors, f"{where}.key", _l("This key is used twice: %(key)s", key=key))
        seen.add(key or "")
        section = entry.get("section")
        if section not in section_keys:
            fail(errors, f"{where}.section", _l(
                "Name one of the sections of the file: %(keys)s",
                keys=", ".join(section_keys)[:200] or "-"))
        placeholder = entry.get("placeholder", False)
        if not isinstance(placeholder, bool):
            fail(errors, f"{where}.placeholder", _l("Must be true or false."))
        paragraph = {
            "key": key, "section": section,
            "code": rules.check_code(entry.get("code"), paragraph_codes, errors, f"{where}.code"),
            "title": rules.check_texts(entry.get("title"), f"{where}.title", errors,
                                       maximum=rules.TITLE_MAX, multiline=False),
            "text": rules.check_texts(entry.get("text"), f"{where}.text", errors,
                                      maximum=rules.TEXT_MAX, required=True),
            "placeholder": placeholder is True,
        }
        change = _change(session, entry.get("change"), f"{where}.change", errors, change_codes)
        if key:
            paragraphs.append(paragraph)
            if change is not None:
                changes[key] = change
    for index, entry in enumerate(_list(data, "removed", errors, required=False,
                                        maximum=rules.MAX_PARAGRAPHS)):
        where = f"removed[{index}]"
        if not isinstance(entry, dict):
            fail(errors, where, _l("Must be an object with key and change."))
            continue
        _unknown_keys(entry, REMOVED_KEYS, where, errors)
        key = _paragraph_key(entry.get("key"), f"{where}.key", errors)
        if key and key in seen:
            fail(errors, f"{where}.key", _l(
                "This paragraph is in the file: it cannot be removed too (%(key)s).", key=key))
        change = _change(session, entry.get("change"), f"{where}.change", errors, change_codes)
        if key and change is not None:
            changes[key] = change
    if errors:
        raise ValidationFailed(errors)
    return Parsed(label=label, issued=issued, title=title, sections=sections,
                  paragraphs=paragraphs, changes=changes)


def _paragraph_key(value: Any, where: str, errors: dict[str, list[Any]]) -> str | None:
    if not isinstance(value, str) or len(value) > KEY_MAX \
            or not rules.PARAGRAPH_KEY.fullmatch(value):
        fail(errors, where, _l("Use lower-case letters, digits, hyphens and underscores in "
                               "parts separated by dots, like principles.p2 (64 at most)."))
        return None
    return value


def store(session: Session, parsed: Parsed, *, by: User | None, source: str = ""
          ) -> StrategyEdition:
    """A draft edition from a checked file, based on the current published edition."""
    base = editions.current_edition(session)
    edition = StrategyEdition(label=parsed.label, issued=parsed.issued, title=parsed.title,
                              sections=parsed.sections, status=EditionStatus.DRAFT,
                              based_on_id=base.id if base else None)
    edition.paragraphs = [StrategyParagraph(position=position, **paragraph)
                          for position, paragraph in enumerate(editions.in_section_order(
                              parsed.paragraphs, parsed.sections))]
    session.add(edition)
    session.flush()
    for key, change in parsed.changes.items():
        editions.set_change(session, edition, key, explanation=change.explanation,
                            codes=change.codes, view_ids=change.view_ids)
    session.flush()
    audit.record(session, "strategy.import", actor=by, target=edition, label=edition.label,
                 paragraphs=len(edition.paragraphs), source=source[:200] or None)
    return edition


def import_document(session: Session, raw: bytes, *, by: User | None, source: str = ""
                    ) -> StrategyEdition:
    """Check the file in `raw` and store it as a draft (ValidationFailed: nothing stored)."""
    return store(session, check(session, read_file(raw)), by=by, source=source)
