"""Comparing two editions paragraph by paragraph, with a redline in one language.

A paragraph is matched across editions by its key. It is *added* or *removed* when only
one edition has it; *moved* when its section changed or its place among the paragraphs
both editions share did (those outside the longest common order); *changed* when its
text, title or code differs in any language. The redline is word by word for languages
written with spaces and character by character for Chinese (difflib, on tokens).

Why a paragraph changed is read from the later edition's `StrategyChange` of that key,
with the number of approved views it cites and the references of the published ones.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.i18n import pick
from app.models import StrategyChange, StrategyEdition, StrategyParagraph
from app.services.strategy import editions

# Chinese (and Japanese) are written without spaces: a word-level diff would mark whole
# sentences as changed.
CHARACTER_LANGUAGES = frozenset({"zh", "ja"})
_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)

ADDED, REMOVED, CHANGED, MOVED, UNCHANGED = "added", "removed", "changed", "moved", "unchanged"


@dataclass
class Op:
    op: str  # "equal", "insert" or "delete"
    text: str

    def to_json(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


def tokens(text: str, lang: str) -> list[str]:
    if lang.split("-")[0] in CHARACTER_LANGUAGES:
        return list(text)
    return _WORDS.findall(text)


def redline(old: str, new: str, lang: str) -> list[Op]:
    """The operations that turn `old` into `new`, adjacent ones of a kind merged."""
    a, b = tokens(old or "", lang), tokens(new or "", lang)
    ops: list[Op] = []

    def add(kind: str, parts: list[str]) -> None:
        text = "".join(parts)
        if not text:
            return
        if ops and ops[-1].op == kind:
            ops[-1].text += text
        else:
            ops.append(Op(kind, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return _absorb_spaces(ops)


def _absorb_spaces(ops: list[Op]) -> list[Op]:
    """One deletion and one insertion for a run of changed words: "~~a b~~ x y" reads
    better than "~~a~~ x ~~b~~ y" (the spaces kept between them join the run)."""
    def joins(i: int) -> bool:
        return (ops[i].op == "equal" and ops[i].text.isspace() and 0 < i < len(ops) - 1
                and ops[i - 1].op != "equal" and ops[i + 1].op != "equal")

    out: list[Op] = []
    i = 0
    while i < len(ops):
        if ops[i].op == "equal" and not joins(i):
            out.append(ops[i])
            i += 1
            continue
        deleted: list[str] = []
        inserted: list[str] = []
        while i < len(ops) and (ops[i].op != "equal" or joins(i)):
            if ops[i].op != "insert":
                deleted.append(ops[i].text)
            if ops[i].op != "delete":
                inserted.append(ops[i].text)
            i += 1
        if deleted:
            out.append(Op("delete", "".join(deleted)))
        if inserted:
            out.append(Op("insert", "".join(inserted)))
    return out


@dataclass
class Row:
    key: str
    section: str
    change: str  # ADDED, REMOVED, CHANGED, MOVED or UNCHANGED
    moved: bool
    old: StrategyParagraph | None
    new: StrategyParagraph | None
    lang: str  # the language the texts and the redline are in
    ops: list[Op]
    title_ops: list[Op]
    # The text differs in another language only (the redline here shows no change).
    changed_elsewhere: bool = False
    note: StrategyChange | None = None
    explanation: tuple[str, str] = ("", "")  # (text, its language)
    views: int = 0
    published: list[str] = field(default_factory=list)

    @property
    def is_change(self) -> bool:
        return self.change != UNCHANGED


@dataclass
class Comparison:
    old: StrategyEdition
    new: StrategyEdition
    rows: list[Row]

    def count(self, change: str) -> int:
        return sum(1 for row in self.rows
                   if row.change == change or (change == MOVED and row.moved))

    @property
    def changed_rows(self) -> list[Row]:
        return [row for row in self.rows if row.is_change]


def _order(edition: StrategyEdition) -> list[StrategyParagraph]:
    return editions.in_section_order(sorted(edition.paragraphs, key=lambda p: p.position),
                                     edition.sections)


def _moved_keys(old: list[str], new: list[str]) -> set[str]:
    """Keys of both lists that are outside their longest common order."""
    common = set(old) & set(new)
    a = [k for k in old if k in common]
    b = [k for k in new if k in common]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    kept = {a[block.a + i] for block in matcher.get_matching_blocks() for i in range(block.size)}
    return common - kept


def _texts(old: dict[str, str] | None, new: dict[str, str] | None, lang: str
           ) -> tuple[str, str, str]:
    """Both texts in one language: the reader's, else what `pick` falls back to."""
    old, new = old or {}, new or {}
    _text, used = pick(new or old, lang)
    old_text = old.get(used) if old.get(used) else pick(old, lang)[0]
    new_text = new.get(used) if new.get(used) else pick(new, lang)[0]
    return old_text, new_text, used


def _row(key: str, old: StrategyParagraph | None, new: StrategyParagraph | None, moved: bool,
         lang: str) -> Row:
    old_text, new_text, used = _texts(old.text if old else None, new.text if new else None,
                                      lang)
    old_title, new_title, _title_lang = _texts(old.title if old else None,
                                               new.title if new else None, used)
    if old is None:
        change = ADDED
    elif new is None:
        change = REMOVED
    elif (old.text, old.title, old.code) != (new.text, new.title, new.code):
        change = CHANGED
    elif moved:
        change = MOVED
    else:
        change = UNCHANGED
    return Row(key=key, section=(new or old).section, change=change, moved=moved, old=old,
               new=new, lang=used,
               ops=redline(old_text if old else "", new_text if new else "", used),
               title_ops=redline(old_title if old else "", new_title if new else "", used),
               changed_elsewhere=change == CHANGED and old_text == new_text
               and old_title == new_title and old.code == new.code)


def compare(session: Session, old: StrategyEdition, new: StrategyEdition, lang: str
            ) -> Comparison:
    """Every paragraph of `new` in its order, with those `old` had and `new` has not
    shown where they were (after the paragraph that preceded them)."""
    old_list, new_list = _order(old), _order(new)
    old_by_key = {p.key: p for p in old_list}
    new_by_key = {p.key: p for p in new_list}
    moved = _moved_keys([p.key for p in old_list], [p.key for p in new_list])
    moved |= {key for key, p in new_by_key.items()
              if key in old_by_key and old_by_key[key].section != p.section}
    keys = [p.key for p in new_list]
    placed = set(keys)
    for index, paragraph in enumerate(old_list):
        if paragraph.key in placed:
            continue
        before = next((p.key for p in reversed(old_list[:index]) if p.key in placed), None)
        at = keys.index(before) + 1 if before is not None else 0
        keys.insert(at, paragraph.key)
        placed.add(paragraph.key)
    rows = [_row(key, old_by_key.get(key), new_by_key.get(key), key in moved, lang)
            for key in keys]
    notes = {c.paragraph_key: c for c in new.changes}
    found = editions.evidence(session, notes.values())
    for row in rows:
        note = notes.get(row.key)
        if note is None:
            continue
        row.note = note
        row.explanation = pick(note.explanation, row.lang) if note.explanation else ("", "")
        row.views = found[note.id].views
        row.published = found[note.id].published
    return Comparison(old=old, new=new, rows=rows)


def to_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as the API answers it."""
    return {
        "from": comparison.old.label,
        "to": comparison.new.label,
        "paragraphs": [{
            "key": row.key,
            "section": row.section,
            "change": row.change,
            "moved": row.moved,
            "lang": row.lang,
            "code": (row.new or row.old).code,
            "ops": [op.to_json() for op in row.ops],
            "title_ops": [op.to_json() for op in row.title_ops],
            "explanation": row.explanation[0] or None,
            "explanation_lang": row.explanation[1] or None,
            "codes": list(row.note.codes) if row.note else [],
            "views": row.views,
            "published_views": row.published,
        } for row in comparison.rows],
    }
