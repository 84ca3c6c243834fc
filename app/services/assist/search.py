"""Full-text search over submissions, the same in every language and on both databases.

Interface (used by the queue, the reports, the API's `q=` and the public round pages):
- `condition(session, q)`: a SQL condition on `Submission` for the text `q`, or None for an
  empty query; combine it with any other filter.
- `snippet(text, q, width=200)`: the passage of `text` around the first match, escaped, with
  every match in `<mark>`.
- `index(session, submission)`, `index_many(session, submissions)` and
  `remove(session, submission)`: keep the searched text in step (intake, imports and
  moderation call them); `reindex(session)` rebuilds it in batches.

Documents and queries are folded alike by `app.services.text.textnorm` (Arabic hamza forms, taa
marbuta, alef maqsura, diacritics and tatweel; Latin accents; case), and Chinese, Japanese
and Korean runs become character bigrams, so 人工智能 is found inside 发展人工智能的规则 and
الذكاء الاصطناعي whether typed with hamza and harakat or without. Every term of the query is
required; the last one also matches as a prefix when the query does not end with a space
("intellig" finds "intelligence"). A query that looks like a reference (ABCD-EFGH, with or
without the hyphen) also finds that submission.

The SQL differs per engine (SQLite FTS5 MATCH, PostgreSQL tsquery on a GIN-indexed
tsvector) and is chosen when the statement is compiled, so the condition needs no session
and the reports (which may read a replica) use the same one. User input never reaches the
engine's query syntax: terms are made of word characters only and quoted, so no query is
an error.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    and_,
    bindparam,
    column,
    delete,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy import table as sql_table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import NullType

from app.models import Status, Submission, SubmissionSearch
from app.models.search import FTS_TABLE, TSV_COLUMN
from app.models.submission import ASSIST_ATTACHMENT_CHARS
from app.services.text import langid, textnorm

MAX_QUERY = 500
MAX_TERMS = 12
MIN_PREFIX = 3
# intake.REFERENCE_ALPHABET (no 0/O, 1/I/L, U): "internet" can never be a reference.
_REFERENCE = re.compile(r"^([2-9A-HJKMNP-TV-Z]{4})[-\s]?([2-9A-HJKMNP-TV-Z]{4})$")


# Documents.

# Arabic writes "and the", "with the", "like the", "so the", "for the" onto the word: the
# index also holds the form with just "the" (ال), so المساءلة finds والمساءلة and للمساءلة.
_ARABIC_PROCLITICS = {"وال": "ال", "فال": "ال", "بال": "ال", "كال": "ال", "لل": "ال"}


def fold(text: str) -> str:
    """`text` as the index stores it: folded words, CJK runs as bigrams, one space apart."""
    if text.isascii():
        # The common case, 8x faster: for ASCII, textnorm.normalize is lower-casing.
        return " ".join(textnorm.words(text.lower()))
    terms: list[str] = []
    for word in textnorm.words(textnorm.normalize(text)):
        if not textnorm.has_cjk(word):
            terms.append(word)
            if "\u0621" <= word[0] <= "\u064a" and len(word) > 4:
                for clitic, article in _ARABIC_PROCLITICS.items():
                    if word.startswith(clitic):
                        terms.append(article + word[len(clitic):])
                        break
            continue
        terms.extend(textnorm.cjk_grams(word))
        terms.extend("".join(" " if textnorm.has_cjk(ch) else ch for ch in word).split())
    return " ".join(terms)


def document(submission: Submission) -> str:
    """What search reads: the title and the text, or once a moderator wrote a redacted
    version, that version alone with its redacted title (if any). What was redacted out can
    then no longer be found, by the reference group, the public or anyone.

    Then the text of the attached files: all of them while the view waits for review
    (only moderators see it then), afterwards only those a moderator marked public, so a
    word in a withheld file never finds a published view (moderation re-indexes a view
    with files when deciding it)."""
    if submission.redacted_text is not None or submission.redacted_title is not None:
        text = f"{submission.public_title}\n{submission.public_text}"
    else:
        text = f"{submission.title}\n{submission.full_text}"
    files = attachment_text(submission)
    return fold(f"{text}\n{files}" if files else text)


def attachment_text(submission: Submission) -> str:
    """The attachments' text search may read (see `document`)."""
    if not submission.attachments:
        return ""
    if submission.status == Status.PENDING:
        return submission.attachment_text
    shown = "\n\n".join(a.text for a in submission.attachments if a.public and a.text)
    return shown[:ASSIST_ATTACHMENT_CHARS]


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SubmissionSearch.__table__)
    session.execute(statement.on_conflict_do_update(
        index_elements=[SubmissionSearch.submission_id],
        set_={"document": statement.excluded.document}), rows)


def index(session: Session, submission: Submission) -> None:
    """Write the searched text of a (flushed) submission: on submit, correction, decision."""
    index_many(session, [submission])


def index_many(session: Session, submissions: Iterable[Submission]) -> None:
    """The same for many flushed submissions in one statement (imports)."""
    _upsert(session, [{"submission_id": s.id, "document": document(s)} for s in submissions])


def remove(session: Session, submission: Submission) -> None:
    """Take an erased submission out of the index."""
    session.execute(delete(SubmissionSearch)
                    .where(SubmissionSearch.submission_id == submission.id))


def reindex(session: Session, *, batch: int = 2000) -> Iterator[int]:
    """Rewrite every submission's searched text, and fill `detected_language` where it is
    missing; yields the count done after each batch (the caller commits between batches)."""
    last_id, done = 0, 0
    while True:
        rows = list(session.scalars(
            select(Submission).options(selectinload(Submission.answers),
                                       selectinload(Submission.attachments))
            .execution_options(populate_existing=True)
            .where(Submission.id > last_id).order_by(Submission.id).limit(batch)))
        if not rows:
            return
        documents, detected = [], []
        for submission in rows:
            if submission.status == Status.WITHDRAWN:
                remove(session, submission)
                continue
            documents.append({"submission_id": submission.id, "document": document(submission)})
            if submission.detected_language is None:
                language = langid.detect(submission.title, submission.full_text,
                                         submission.attachment_text)
                if language is not None:
                    detected.append({"row_id": submission.id, "found": language})
        _upsert(session, documents)
        if detected:
            session.execute(Submission.__table__.update()
                            .where(Submission.id == bindparam("row_id"))
                            .values(detected_language=bindparam("found")), detected)
        last_id = rows[-1].id
        done += len(rows)
        for submission in rows:  # keeps memory flat over a million rows
            session.expunge(submission)
        yield done


# Queries.

@dataclass(frozen=True)
class Query:
    """A parsed query: groups of terms that must all match (a CJK run is one group, its
    bigrams in a row), the last group possibly as a prefix, and a reference if it is one."""

    groups: tuple[tuple[str, ...], ...]
    prefix: bool
    reference: str | None


def parse(q: str | None) -> Query:
    q = (q or "")[:MAX_QUERY]
    match = _REFERENCE.match(q.strip().upper())
    reference = f"{match[1]}-{match[2]}" if match else None
    groups: list[tuple[str, ...]] = []
    for word in textnorm.words(textnorm.normalize(q)):
        for run, cjk in _runs(word):
            if cjk:
                grams = textnorm.cjk_grams(run)
                groups.append(tuple(grams))
            elif any(ch.isalnum() for ch in run):
                groups.append((run,))
    groups = list(dict.fromkeys(groups))[:MAX_TERMS]
    last = groups[-1] if groups else ()
    prefix = (bool(last) and len(last) == 1 and not q[-1:].isspace()
              and (len(last[0]) >= MIN_PREFIX or textnorm.has_cjk(last[0])))
    return Query(groups=tuple(groups), prefix=prefix, reference=reference)


def _runs(word: str) -> list[tuple[str, bool]]:
    """Split a word into runs of CJK and other characters (query words are short)."""
    runs: list[tuple[str, bool]] = []
    for ch in word:
        cjk = textnorm.has_cjk(ch)
        if runs and runs[-1][1] == cjk:
            runs[-1] = (runs[-1][0] + ch, cjk)
        else:
            runs.append((ch, cjk))
    return runs


class _Match(ColumnElement[bool]):
    """`Submission.id` is among the documents matching every group (compiled per engine).

    The terms are bound parameters held by the element, so SQLAlchemy's statement cache
    keys a search by its shape (how many groups, prefix or not, scan or not) and hands each
    search its own values: one compiled statement serves every word. (Keyed by the terms,
    as it was, each new word compiled the whole queue statement again, 3 ms of a search
    page's 25 at a million views, and filled the cache with statements used once.)"""

    # Untyped on purpose: a Boolean element would be written "(...) = 1" inside OR on
    # SQLite, which hides the IN from the planner.
    type = NullType()
    inherit_cache = False  # the cache key is the traversal below
    _traverse_internals = [("fts", InternalTraversal.dp_clauseelement),
                           ("phrases", InternalTraversal.dp_clauseelement_tuple),
                           ("prefix", InternalTraversal.dp_boolean),
                           ("scan", InternalTraversal.dp_boolean)]

    def __init__(self, query: Query, *, scan: bool = False) -> None:
        # SQLite: the FTS5 MATCH text. PostgreSQL and others: one phrase per group (the
        # last one a lone term when `prefix`). Each engine renders the ones it needs.
        self.fts = bindparam("fts", _fts_expression(query), unique=True)
        self.phrases = tuple(bindparam("phrase", " ".join(group), unique=True)
                             for group in query.groups)
        self.prefix = query.prefix
        # SQLite only: walk the caller's ORDER BY index and test each row's id against the
        # matches, instead of letting the planner start from the matches and sort them all
        # (see `condition`).
        self.scan = scan

    @property
    def _from_objects(self) -> list[Any]:
        return [Submission.__table__]  # so select(func.count()).where(match) has its FROM


def _fts_expression(query: Query) -> str:
    """The FTS5 MATCH text: each group a quoted phrase (its terms are word characters only,
    so quoting is enough), all required, the last one possibly a prefix."""
    parts = [f'"{" ".join(group)}"' for group in query.groups]
    if query.prefix:
        parts[-1] += "*"
    return " AND ".join(parts)


# SQLite's FTS5 index (made by the migrations, no model): its rowid is the view's id. One
# object for the process: a table built per query is a reference cycle left to the collector.
_FTS = sql_table(FTS_TABLE, column("rowid"))


def _fts_matching(match_text: Any) -> Any:
    return select(_FTS.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(match_text))


@compiles(_Match, "sqlite")
def _match_sqlite(element: _Match, compiler: Any, **kw: Any) -> str:
    sql = compiler.process(Submission.id.in_(_fts_matching(element.fts)), **kw)
    # A unary plus keeps SQLite from using the id for an index lookup: the plan then scans
    # the ORDER BY index and checks membership in the (materialized) matches.
    return f"+{sql}" if element.scan else sql


@compiles(_Match, "postgresql")
def _match_postgresql(element: _Match, compiler: Any, **kw: Any) -> str:
    simple = literal_column("'simple'::regconfig")  # the text is folded already
    tsqueries = [func.phraseto_tsquery(simple, phrase) for phrase in element.phrases]
    if element.prefix:  # the last phrase is one term: 'term':* (quote_literal quotes it)
        tsqueries[-1] = func.to_tsquery(
            simple, func.quote_literal(element.phrases[-1]).op("||")(literal_column("':*'")))
    combined = tsqueries[0]
    for tsquery in tsqueries[1:]:
        combined = combined.op("&&")(tsquery)
    vector = literal_column(f"{SubmissionSearch.__tablename__}.{TSV_COLUMN}")
    matching = select(SubmissionSearch.submission_id).where(vector.op("@@")(combined))
    return compiler.process(Submission.id.in_(matching), **kw)


@compiles(_Match)
def _match_other(element: _Match, compiler: Any, **kw: Any) -> str:
    """Any other engine: a slow substring match on the folded text (terms are word
    characters, so only an underscore in a term would match more than itself)."""
    document_ = SubmissionSearch.document
    matching = select(SubmissionSearch.submission_id).where(and_(*(
        document_.contains(phrase) for phrase in element.phrases)))
    return compiler.process(Submission.id.in_(matching), **kw)


# SQLite pages of search results (ORDER BY a date LIMIT 50) need a different plan for rare
# and common terms; the planner cannot tell them apart, FTS5 can count them in a few ms.
RARE_MATCHES = 1000


def condition(session: Session | None, q: str | None, *, ordered: bool = False) -> Any:
    """The submissions matching `q` (see the module doc), or None for an empty query.

    The SQL is chosen per engine at compile time, so `session` is optional. `ordered`: the
    caller reads one page in index order (the queue); on SQLite the first RARE_MATCHES + 1
    matches are then read (a millisecond or two): up to RARE_MATCHES become a list of ids,
    and more are checked row by row along the page's index, which finds a page after a few
    hundred rows instead of sorting every match. At a million rows, a queue page of every
    status: 72 -> 6 ms for a word in 56,000 views, 146 -> 14 ms for one in 141,000
    (timed on the bench's seeded database)."""
    if not (q or "").strip():
        return None
    query = parse(q)
    clauses = []
    if query.groups and ordered and session is not None \
            and session.get_bind().dialect.name == "sqlite":
        clauses.append(_sqlite_page_match(session, query))
    elif query.groups:
        clauses.append(_Match(query))
    if query.reference:
        clauses.append(Submission.reference == query.reference)
    if not clauses:
        return false()  # only punctuation: nothing can match it
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


def _sqlite_page_match(session: Session, query: Query) -> Any:
    found = session.execute(_fts_matching(_fts_expression(query))
                            .limit(RARE_MATCHES + 1)).scalars().all()
    if len(found) <= RARE_MATCHES:
        return Submission.id.in_(found) if found else false()
    return _Match(query, scan=True)


# Snippets.

# Each character folded on its own, remembered (a bounded dict: a plain lookup in the
# loop below costs a third of an lru_cache call, and snippets fold every character of
# every row of a queue page).
_FOLDED: dict[str, str] = {}
_ASCII_SPACES = str.maketrans({ch: " " for ch in map(chr, range(128)) if ch.isspace()})


def _fold_char(ch: str) -> str:
    folded = _FOLDED.get(ch)
    if folded is None:
        folded = " " if ch.isspace() else textnorm.normalize(ch)
        if len(_FOLDED) < 65536:
            _FOLDED[ch] = folded
    return folded


def _folded_with_origin(text: str) -> tuple[str, Sequence[int]]:
    """`text` folded one character at a time, with the index in `text` of each character."""
    if text.isascii():  # folding is lower-casing there, one character for one
        return text.lower().translate(_ASCII_SPACES), range(len(text))
    lookup = _FOLDED.get
    pieces = [lookup(ch) for ch in text]
    if None in pieces:
        pieces = [_fold_char(ch) if piece is None else piece
                  for piece, ch in zip(pieces, text, strict=True)]
    origin = [position for position, piece in enumerate(pieces) for _ in piece]
    return "".join(pieces), origin


def _patterns(query: Query) -> list[re.Pattern[str]]:
    patterns = []
    for number, group in enumerate(query.groups):
        if textnorm.has_cjk(group[0]):
            run = group[0] + "".join(gram[1:] for gram in group[1:])
            patterns.append(re.compile(re.escape(run)))
        else:
            tail = r"\w*" if query.prefix and number == len(query.groups) - 1 else r"(?!\w)"
            patterns.append(re.compile(rf"(?<!\w){re.escape(group[0])}{tail}"))
    return patterns


def snippet(text: str | None, q: str | None, width: int = 200) -> Markup:
    """About `width` characters of `text` centred on the first match of `q`, escaped, with
    each match in <mark>; the start of the text when nothing matches in it."""
    return snippets({0: text}, q, width)[0]


def snippets(texts: Mapping[Any, str | None], q: str | None, width: int = 200
             ) -> dict[Any, Markup]:
    """`snippet` of each text (by key), the query parsed once for them all."""
    query = parse(q or "")
    patterns = _patterns(query)
    return {key: _snippet(text or "", query, patterns, width) for key, text in texts.items()}


def _snippet(text: str, query: Query, patterns: list[re.Pattern[str]], width: int) -> Markup:
    spans: list[tuple[int, int]] = []
    if query.groups and text:
        folded, origin = _folded_with_origin(text)
        for pattern in patterns:
            for found in pattern.finditer(folded):
                if found.end() > found.start():
                    end = origin[found.end() - 1] + 1
                    while end < len(text) and not _fold_char(text[end]):
                        end += 1  # a dropped hamza or a diacritic ends the word too
                    spans.append((origin[found.start()], end))
    spans.sort()
    if spans:
        first_start, first_end = spans[0]
        start = max(0, first_start - max(0, width - (first_end - first_start)) // 2)
    else:
        start = 0
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    parts: list[Any] = ["…" if start > 0 else ""]
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, position), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(escape(text[position:span_start]))
        parts.append(Markup("<mark>{}</mark>").format(text[span_start:span_end]))
        position = span_end
    parts.append(escape(text[position:end]))
    parts.append("…" if end < len(text) else "")
    return Markup("").join(parts)
