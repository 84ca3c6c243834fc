"""Texts kept once per UN language (`{"ar": ..., "en": ...}`): cleaning what staff typed,
and the compact differences the audit log records."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.i18n import LANGUAGES, lazy_ngettext
from app.i18n import lazy_gettext as _l
from app.security import UnsafeText, clean_text


def clean_texts(texts: Mapping[str, Any] | None, name: str, errors: dict[str, list], *,
                maximum: int, multiline: bool = False) -> dict[str, str]:
    """The non-empty texts of `texts`, cleaned, in the UN's language order.

    Problems are added to `errors` under `name.lang` (`title.fr`), or under `name` for an
    unknown language code.
    """
    texts = dict(texts or {})
    unknown = sorted(str(code) for code in texts if code not in LANGUAGES)
    if unknown:
        errors.setdefault(name, []).append(
            _l("Unknown language code: %(codes)s", codes=", ".join(unknown)))
    cleaned: dict[str, str] = {}
    for code in LANGUAGES:
        value = texts.get(code)
        if value is None:
            continue
        key = f"{name}.{code}"
        if not isinstance(value, str):
            errors.setdefault(key, []).append(_l("Must be text."))
            continue
        try:
            value = clean_text(value, multiline=multiline)
        except UnsafeText:
            errors.setdefault(key, []).append(
                _l("This text contains invisible control characters. Remove them and try "
                   "again."))
            continue
        if len(value) > maximum:
            errors.setdefault(key, []).append(lazy_ngettext(
                "Use at most %(num)d character (you used %(used)d).",
                "Use at most %(num)d characters (you used %(used)d).",
                maximum, used=len(value)))
        if value:
            cleaned[code] = value
    return cleaned


def changes(before: Mapping[str, Any], after: Mapping[str, Any], prefix: str
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The entries that differ, keyed `prefix.lang`, as (before, after) for the audit log."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for code in sorted(set(before) | set(after)):
        if before.get(code) != after.get(code):
            old[f"{prefix}.{code}"] = before.get(code)
            new[f"{prefix}.{code}"] = after.get(code)
    return old, new
