"""The rules a strategy edition's content follows, shared by the file import and the
browser: shapes of labels and keys, text lengths, the codes and the views a change may
cite. Each check adds localized messages to an `errors` dict under a location."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import lazy_gettext as _l
from app.models import ItemKind, Status, StrategyEdition, Submission, TaxonomyItem
from app.models.strategy_text import KEY_MAX, LABEL_MAX
from app.services.platform import taxonomy as taxonomy_service
from app.services.text.multilingual import clean_texts

LABEL = re.compile(rf"[0-9A-Za-z][0-9A-Za-z._-]{{0,{LABEL_MAX - 1}}}")
# Words the URLs use after /strategy/ and /revision/: no edition may be called so.
RESERVED_LABELS = frozenset({"compare", "traceability.csv", "import", "drafts"})
SECTION_KEY = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,{KEY_MAX - 1}}}")
PARAGRAPH_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*")
ISSUED = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
REFERENCE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}")
_SEPARATORS = re.compile(r"[\s,;،，；]+")

TITLE_MAX = 300
TEXT_MAX = 10_000
EXPLANATION_MAX = 5000
MAX_PARAGRAPHS = 2000
MAX_SECTIONS = 200
MAX_CODES = 20
MAX_VIEWS = 200
# What a paragraph may be linked to, and what may have motivated a change.
PARAGRAPH_CODE_KINDS = (ItemKind.PRINCIPLE, ItemKind.COMMITMENT)
CHANGE_CODE_KINDS = (ItemKind.PRINCIPLE, ItemKind.COMMITMENT, ItemKind.THEME)


def fail(errors: dict[str, list[Any]], where: str, message: Any) -> None:
    errors.setdefault(where, []).append(message)


def check_label(session: Session, value: Any, errors: dict[str, list[Any]],
                where: str = "label") -> str:
    if not isinstance(value, str) or not value.strip():
        fail(errors, where, _l("Give the version a label, like 2027."))
        return ""
    label = value.strip()
    if not LABEL.fullmatch(label) or label.lower() in RESERVED_LABELS:
        fail(errors, where, _l("Use 1 to 32 letters, digits, dots, hyphens or underscores, "
                               "starting with a letter or digit, like 2027 or 2027-rev1."))
        return ""
    if session.scalar(select(StrategyEdition.id).where(StrategyEdition.label == label)):
        fail(errors, where, _l("A version with this label exists already: choose another "
                               "label (published versions never change)."))
    return label


def check_issued(value: Any, errors: dict[str, list[Any]], where: str = "issued") -> str | None:
    if value in (None, ""):
        return None
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not ISSUED.fullmatch(text):
            raise ValueError(text)
        parts = [int(p) for p in text.split("-")] + [1, 1]
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        fail(errors, where, _l("Use a date like 2027, 2027-09 or 2027-09-24."))
        return None
    return text


def check_texts(value: Any, where: str, errors: dict[str, list[Any]], *, maximum: int,
                required: bool = False, multiline: bool = True) -> dict[str, str]:
    """Texts per language ({"ar": ..., "en": ...}); `required`: in one language at least."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        fail(errors, where, _l("Must be an object of language codes and texts, like "
                               "{\"en\": \"...\", \"ar\": \"...\"}."))
        return {}
    cleaned = clean_texts(value, where, errors, maximum=maximum, multiline=multiline)
    if required and not cleaned and not any(key.startswith(where) for key in errors):
        fail(errors, where, _l("Write this text in one language at least."))
    return cleaned


def split_list(value: Any) -> list[str]:
    """"P1, TH3; c2" or a list -> ["P1", "TH3", "C2"] (upper case, no repeats)."""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    return list(dict.fromkeys(p.upper() for p in _SEPARATORS.split(str(value or "")) if p))


def known_codes(session: Session, kinds: Iterable[ItemKind]) -> set[str]:
    """Codes of the current taxonomy of these kinds (retired ones excluded)."""
    version = taxonomy_service.current_version(session)
    if version is None:
        return set()
    return set(session.scalars(select(TaxonomyItem.code).where(
        TaxonomyItem.strategy_version_id == version.id, TaxonomyItem.retired_at.is_(None),
        TaxonomyItem.kind.in_(list(kinds)))))


def check_code(value: Any, known: set[str], errors: dict[str, list[Any]], where: str
               ) -> str | None:
    if value in (None, ""):
        return None
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in known:
        fail(errors, where, _l("Not a principle or commitment code we know: %(code)s",
                               code=str(value)[:16]))
        return None
    return code


def check_codes(value: Any, known: set[str], errors: dict[str, list[Any]], where: str
                ) -> list[str]:
    if value is not None and not isinstance(value, list | tuple | str):
        fail(errors, where, _l("Must be a list of codes."))
        return []
    codes = split_list(value)
    unknown = [code for code in codes if code not in known]
    if unknown:
        fail(errors, where, _l("This is not a code we know: %(code)s",
                               code=", ".join(unknown)[:100]))
    if len(codes) > MAX_CODES:
        fail(errors, where, _l("Name at most %(num)d codes.", num=MAX_CODES))
    return [code for code in codes if code in known][:MAX_CODES]


def approved_views(session: Session, references: list[str]) -> dict[str, int]:
    """{reference: id} of those of `references` that are approved views (not erased)."""
    wanted = sorted({ref for ref in references if REFERENCE.fullmatch(ref)})
    if not wanted:
        return {}
    return dict(session.execute(select(Submission.reference, Submission.id).where(
        Submission.reference.in_(wanted), Submission.status == Status.APPROVED,
        Submission.erased_at.is_(None))).all())


def check_views(session: Session, value: Any, errors: dict[str, list[Any]], where: str
                ) -> list[int]:
    """Submission ids of the approved views named by reference ("ABCD-EFGH")."""
    if value is not None and not isinstance(value, list | tuple | str):
        fail(errors, where, _l("Must be a list of view references."))
        return []
    references = split_list(value)
    if len(references) > MAX_VIEWS:
        fail(errors, where, _l("Name at most %(num)d views.", num=MAX_VIEWS))
        references = references[:MAX_VIEWS]
    found = approved_views(session, references)
    missing = [ref for ref in references if ref not in found]
    if missing:
        fail(errors, where, _l("Not an approved view: %(refs)s",
                               refs=", ".join(missing)[:200]))
    return [found[ref] for ref in references if ref in found]
