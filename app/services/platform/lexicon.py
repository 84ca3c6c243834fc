"""The keyword lexicon of the taxonomy: loading, editing and matching.

Each taxonomy item has, per language, words and phrases that suggest it
(`app/data/lexicon.json`, then the `taxonomy_lexicons` table, editable by admins).

Matching conventions (the same for every language but Chinese):
- text and terms are folded by `textnorm.normalize` (case, accents, Arabic hamza forms,
  taa marbuta, alef maqsura, diacritics, tatweel), so "الخصوصية" typed as "الخُصوصيّة" or
  "الخصوصيه" matches;
- a term matches whole words in sequence; a word of a term ending in `*` matches any
  word starting with it (`privac*` finds "privacy", `конфиденциальност*` every case);
- in Arabic the article (ال) and the proclitics (و ف, then ب ك ل) are ignored at the
  start of a word, on both sides: the term "الخصوصية" finds "وبالخصوصية" and "خصوصية".
A term written in Chinese characters (or any CJK script) matches anywhere in the text,
with no word segmentation.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import LANGUAGES
from app.i18n import lazy_gettext as _l
from app.models import ItemKind, LexiconEntry, StrategyVersion, TaxonomyItem, User
from app.security import UnsafeText, clean_text
from app.services import ValidationFailed
from app.services.accounts import audit
from app.services.text.textnorm import has_cjk, normalize

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "lexicon.json"
TERM_MAX = 80
TERMS_PER_LANGUAGE = 60

# A word of the original text, with the combining marks and tatweel that `\w` leaves out
# (so that a vowelled Arabic word stays one word).
_TOKEN = re.compile(r"[\w\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]+")
_WORD = re.compile(r"\w+")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# A conjunction (و ف), then a preposition (ب ك ل), then the article (ال), each optional;
# li + al is written لل.
_ARABIC_PROCLITICS = sorted(
    {conj + prep + article for conj in ("", "و", "ف") for prep in ("", "ب", "ك", "ل")
     for article in ("", "ال")} | {conj + "لل" for conj in ("", "و", "ف")},
    key=len, reverse=True)
_MIN_STEM = 2


def load(session: Session, version: StrategyVersion, path: Path = DEFAULT_FILE, *,
         refresh: bool = False) -> int:
    """Fill the lexicon of `version`'s items from a lexicon file; return how many items
    changed. Like the taxonomy: languages already stored are kept (an admin may have
    edited them) and only missing languages are added, unless `refresh`."""
    if not Path(path).exists():
        return 0
    data = json.loads(Path(path).read_text(encoding="utf-8")).get("lexicon", {})
    items = {item.code: item for item in session.scalars(
        select(TaxonomyItem).where(TaxonomyItem.strategy_version_id == version.id))}
    stored = {entry.item_id: entry for entry in session.scalars(
        select(LexiconEntry).where(LexiconEntry.item_id.in_([i.id for i in items.values()])))}
    changed = 0
    for code, per_language in data.items():
        item = items.get(code)
        if item is None:
            continue
        terms = {lang: [str(t) for t in values] for lang, values in per_language.items()
                 if lang in LANGUAGES and isinstance(values, list)}
        entry = stored.get(item.id)
        if entry is None:
            session.add(LexiconEntry(item_id=item.id, terms=terms))
            changed += 1
            continue
        merged = terms if refresh else {**terms, **(entry.terms or {})}
        if merged != entry.terms:
            entry.terms = merged
            changed += 1
    session.flush()
    return changed


def terms_of(session: Session, item: TaxonomyItem) -> dict[str, list[str]]:
    entry = session.get(LexiconEntry, item.id)
    return dict(entry.terms) if entry is not None else {}


def parse_terms(text: str) -> list[str]:
    """One term per line (commas also separate), blanks and repeats dropped."""
    found: list[str] = []
    for line in (text or "").replace("،", "\n").replace("，", "\n").replace(",", "\n") \
            .splitlines():
        term = " ".join(line.split())
        if term and term not in found:
            found.append(term)
    return found


def update_terms(session: Session, item: TaxonomyItem, texts: Mapping[str, str], *,
                 by: User | None = None) -> LexiconEntry:
    """Replace the terms of `item` in each language of `texts` (one term per line); the
    languages not in `texts` keep theirs."""
    errors: dict[str, list] = {}
    entry = session.get(LexiconEntry, item.id)
    old = dict(entry.terms or {}) if entry is not None else {}
    terms = {lang: values for lang, values in old.items() if lang not in texts}
    for lang in (code for code in LANGUAGES if code in texts):
        key = f"lexicon.{lang}"
        try:
            values = parse_terms(clean_text(str(texts.get(lang) or "")))
        except UnsafeText:
            errors[key] = [_l("This text contains invisible control characters. "
                              "Remove them and try again.")]
            continue
        if any(len(t) > TERM_MAX for t in values):
            errors.setdefault(key, []).append(
                _l("Keep each term under %(num)d characters.", num=TERM_MAX))
        if len(values) > TERMS_PER_LANGUAGE:
            errors.setdefault(key, []).append(
                _l("Use at most %(num)d terms per language.", num=TERMS_PER_LANGUAGE))
        if any(not _usable(t) for t in values):
            errors.setdefault(key, []).append(
                _l("Each term needs at least one letter or digit besides the *."))
        if values:
            terms[lang] = values
    if errors:
        raise ValidationFailed(errors)
    if entry is None:
        entry = LexiconEntry(item_id=item.id, terms={})
        session.add(entry)
    before = {lang: v for lang, v in old.items() if terms.get(lang) != v}
    after = {lang: v for lang, v in terms.items() if old.get(lang) != v}
    if before or after:
        entry.terms = terms
        audit.record(session, "taxonomy.lexicon", actor=by, target=item,
                     before=before, after=after)
    session.flush()
    return entry


def _usable(term: str) -> bool:
    return bool(_WORD.search(normalize(term.replace("*", " "))))


# Matching.

@dataclass
class _Term:
    code: str
    shown: str  # as the admin wrote it, without the *
    words: list[tuple[str, bool]]  # (folded word, is a prefix)


@dataclass
class CompiledLexicon:
    """Every active item's terms, indexed for a fast pass over a text."""

    kinds: dict[str, ItemKind] = field(default_factory=dict)
    exact: dict[str, list[_Term]] = field(default_factory=dict)  # first word -> terms
    prefix: dict[str, list[_Term]] = field(default_factory=dict)  # first prefix -> terms
    cjk: list[tuple[str, str, str]] = field(default_factory=list)  # (folded, shown, code)


def _arabic_forms(word: str) -> set[str]:
    """The word and its possible stems without the article or a proclitic."""
    forms = {word}
    if _ARABIC.match(word):
        for proclitic in _ARABIC_PROCLITICS:
            if word.startswith(proclitic) and len(word) - len(proclitic) >= _MIN_STEM:
                forms.add(word[len(proclitic):])
    return forms


def _term_word(word: str) -> str:
    """The canonical form of a term's word: Arabic loses its article."""
    if _ARABIC.match(word) and word.startswith("ال") and len(word) - 2 >= _MIN_STEM:
        return word[2:]
    return word


def compile_lexicon(rows: list[tuple[str, ItemKind, Mapping[str, list[str]]]]
                    ) -> CompiledLexicon:
    """Index (code, kind, terms per language) rows for `match`."""
    compiled = CompiledLexicon()
    for code, kind, per_language in rows:
        compiled.kinds[code] = kind
        for values in (per_language or {}).values():
            for raw in values:
                shown = raw.replace("*", "").strip()
                folded = normalize(raw)
                if not folded:
                    continue
                if has_cjk(folded):
                    compiled.cjk.append((folded.replace("*", "").replace(" ", ""), shown, code))
                    continue
                words: list[tuple[str, bool]] = []
                for part in folded.split():
                    is_prefix = part.endswith("*")
                    words.extend((_term_word(w), False) for w in _WORD.findall(part))
                    if is_prefix and words:
                        words[-1] = (words[-1][0], True)
                if not words:
                    continue
                term = _Term(code=code, shown=shown, words=words)
                first, is_prefix = words[0]
                (compiled.prefix if is_prefix else compiled.exact).setdefault(
                    first, []).append(term)
    return compiled


@dataclass
class Token:
    forms: set[str]
    surface: str


def tokens(text: str) -> list[Token]:
    """The words of `text` (CJK runs left out), each with its folded forms and as typed."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text or ""):
        surface = match.group()
        for word in _WORD.findall(normalize(surface)):
            if has_cjk(word):
                continue
            found.append(Token(forms=_arabic_forms(word), surface=surface))
    return found


def _word_matches(token: Token, word: str, is_prefix: bool) -> bool:
    if is_prefix:
        return any(form.startswith(word) for form in token.forms)
    return word in token.forms


def match(compiled: CompiledLexicon, text: str, words: list[Token] | None = None
          ) -> dict[str, list[str]]:
    """{code: evidence}: for each code whose terms occur in `text`, the words of the text
    that matched (as typed), in order of appearance, without repeats."""
    hits: dict[str, list[str]] = {}

    def add(code: str, evidence: str) -> None:
        found = hits.setdefault(code, [])
        if evidence not in found:
            found.append(evidence)

    words = tokens(text) if words is None else words
    max_prefix = max((len(k) for k in compiled.prefix), default=0)
    for position, token in enumerate(words):
        candidates: list[_Term] = []
        for form in token.forms:
            candidates.extend(compiled.exact.get(form, ()))
            for length in range(1, min(len(form), max_prefix) + 1):
                candidates.extend(compiled.prefix.get(form[:length], ()))
        for term in candidates:
            end = position + len(term.words)
            if end > len(words):
                continue
            if all(_word_matches(words[position + i], w, p)
                   for i, (w, p) in enumerate(term.words[1:], start=1)):
                add(term.code, " ".join(t.surface for t in words[position:end]))
    if compiled.cjk and has_cjk(text or ""):
        folded = normalize(text).replace(" ", "")
        for term, shown, code in compiled.cjk:
            if term in folded:
                add(code, shown)
    return hits
