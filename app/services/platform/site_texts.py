"""Short texts administrators write for the public pages, in each of the six languages.

Only the keys in `KEYS` exist: each is placed by a template (`site_text("home_intro")`),
so a new key is a template change as well as a line here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import lazy_gettext as _l
from app.i18n import pick
from app.models import SiteText, User
from app.services import NotFound, ValidationFailed
from app.services.accounts import audit
from app.services.text.multilingual import changes, clean_texts

TEXT_MAX = 2000
# Key -> where it shows. The admin panel gives each a translated label.
KEYS = (
    "home_intro",       # home page, under the round's description
    "privacy_contact",  # end of the privacy notice
)


@dataclass(frozen=True)
class ShownText:
    text: str
    lang: str  # the language of `text`, which may be a fallback


def _check_key(key: str) -> None:
    if key not in KEYS:
        raise NotFound(_l("This text does not exist."))


def texts_of(session: Session, key: str) -> dict[str, str]:
    """The texts of `key` by language (only the languages that have one)."""
    _check_key(key)
    return dict(session.execute(
        select(SiteText.lang, SiteText.text).where(SiteText.key == key)).all())


def all_texts(session: Session) -> dict[str, dict[str, str]]:
    """Every key, with its texts by language, in one query."""
    found: dict[str, dict[str, str]] = {key: {} for key in KEYS}
    for key, lang, text in session.execute(select(SiteText.key, SiteText.lang, SiteText.text)):
        if key in found:
            found[key][lang] = text
    return found


def text_for(session: Session, key: str, lang: str) -> ShownText | None:
    """The text to show for `key` in `lang`, falling back to English then any language
    (like rounds); None when none was written. One query."""
    text, actual = pick(texts_of(session, key), lang)
    return ShownText(text, actual) if text else None


def set_texts(session: Session, key: str, texts: Mapping[str, Any], *,
              by: User | None = None) -> dict[str, str]:
    """Replace the texts of `key`: a language left empty has no text. Errors are keyed
    `text.fr`. Audited with the languages that changed."""
    _check_key(key)
    errors: dict[str, list] = {}
    cleaned = clean_texts(texts, "text", errors, maximum=TEXT_MAX, multiline=True)
    if errors:
        raise ValidationFailed(errors)
    rows = {row.lang: row for row in session.scalars(select(SiteText).where(SiteText.key == key))}
    before, after = changes({lang: row.text for lang, row in rows.items()}, cleaned, "text")
    for lang, row in rows.items():
        if lang not in cleaned:
            session.delete(row)
    for lang, text in cleaned.items():
        row = rows.get(lang)
        if row is None:
            session.add(SiteText(key=key, lang=lang, text=text))
        elif row.text != text:
            row.text = text
    if before or after:
        audit.record(session, "site_text.update", actor=by, before=before, after=after, key=key)
    session.flush()
    return cleaned
