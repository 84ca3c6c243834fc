"""Exports of approved submissions: CSV, JSON Lines and XLSX, in constant memory.

Rows come from `iter_rows`, which walks the table in keyset batches by id and loads the
tags and keywords of each batch in two queries: memory stays flat at a million rows and
no transaction stays open for the whole download. Spreadsheet formats neutralize cells
that a spreadsheet would run as a formula.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.models import (
    ItemKind,
    Keyword,
    PersonalData,
    Submission,
    SubmissionKeyword,
    SubmissionProvenance,
    SubmissionTag,
    TagSource,
    TaxonomyItem,
)
from app.models.submission import public_title
from app.regions import region_of
from app.services.reports import ReportFilter, conditions

COLUMNS = ("reference", "round", "language", "title", "body", "actor_type", "country", "region",
           "age_range", "gender", "principles", "commitments", "technologies", "themes",
           "keywords", "created_at", "decided_at", "cluster_id", "channel", "source")
LIST_COLUMNS = ("principles", "commitments", "technologies", "themes", "keywords")
KIND_COLUMN = {
    ItemKind.PRINCIPLE: "principles",
    ItemKind.COMMITMENT: "commitments",
    ItemKind.TECHNOLOGY: "technologies",
    ItemKind.THEME: "themes",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_PREFIXES)
BATCH = 1000
XLSX_MAX_ROWS = 1_048_576  # a sheet's limit in Excel, header included
# Above this many rows, a workbook has no sheet per principle and commitment: each row
# would be written two to four times (a 600,000-row workbook took 222 s to build, most of
# it copies), and a sheet of one theme is one filtered export away (`code=P2`).
XLSX_SHEETS_MAX_ROWS = 100_000


def neutralize(value: Any) -> Any:
    """Make a text cell inert in spreadsheets (OWASP CSV injection): a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def iter_rows(session: Session, f: ReportFilter, *, with_personal: bool = False,
              batch: int = BATCH) -> Iterator[dict[str, Any]]:
    """Approved submissions matching `f` as dicts with the export columns, by id.

    Age range and gender are filled only `with_personal` (moderators and admins); for
    everyone else the columns stay empty. No email is ever read.

    The hot loop runs on Core rows (no ORM objects, enums read as their stored strings):
    at a million rows the per-row cost is the whole cost of an export."""
    table = Submission.__table__.c
    # Core statements on the session's connection: through the Session, each row would
    # also pass the ORM's result machinery (a fifth of an export's time).
    connection = session.connection()
    items = _item_columns(connection)
    last_id = 0
    while True:
        query = (select(table.id, table.reference, table.round_id, table.language,
                        table.title, table.body, table.redacted_text, table.redacted_title,
                        type_coerce(table.actor_type, String), table.country,
                        type_coerce(table.created_at, String),
                        type_coerce(table.decided_at, String), table.cluster_id,
                        type_coerce(table.channel, String))
                 .where(*conditions(f), table.id > last_id)
                 .order_by(table.id).limit(batch))
        rows = connection.execute(query).all()
        if not rows:
            return
        ids = [row[0] for row in rows]
        tags = _tags(connection, ids, items)
        keywords = _keywords(connection, ids)
        answers = _answers(connection, ids)
        personal = _personal(connection, ids) if with_personal else {}
        sources = _sources(connection, ids)
        no_tags: dict[str, list[str]] = {}
        for (sid, reference, round_id, language, title, body, redacted, redacted_title,
             actor_type, country, created_at, decided_at, cluster_id, channel) in rows:
            title = public_title(title, redacted, redacted_title)
            if redacted is None:
                parts = answers.get(sid)
                if parts:
                    redacted = "\n\n".join([*parts, body] if body else parts)
                else:
                    redacted = body
            age, gender = personal.get(sid, (None, None))
            by_kind = tags.get(sid, no_tags)
            yield {
                "reference": reference, "round": round_id, "language": language,
                "title": title, "body": redacted, "actor_type": actor_type,
                "country": country, "region": region_of(country),
                "age_range": age, "gender": gender,
                "principles": by_kind.get("principles", []),
                "commitments": by_kind.get("commitments", []),
                "technologies": by_kind.get("technologies", []),
                "themes": by_kind.get("themes", []),
                "keywords": keywords.get(sid, []),
                "created_at": _iso_utc(created_at),
                "decided_at": _iso_utc(decided_at),
                "cluster_id": cluster_id,  # the campaign it was folded into, if any
                "channel": channel,
                "source": sources.get(sid),  # the workshop or import it came from
            }
        last_id = ids[-1]


def _iso_utc(value: Any) -> str | None:
    """A timestamp column read without its type, in ISO 8601 with the UTC offset, as
    `UTCDateTime` would give it: SQLite returns its stored text (naive UTC, always with
    microseconds), PostgreSQL a datetime. Parsing the text into a datetime only to print
    it again was a tenth of an export's time."""
    if value is None:
        return None
    if isinstance(value, str):
        day, _sep, time_ = value.partition(" ")
        if time_.endswith(".000000"):
            time_ = time_[:-7]
        return f"{day}T{time_}+00:00"
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return aware.isoformat()


def _item_columns(session: Connection) -> dict[int, tuple[str, str]]:
    """Every taxonomy item (retired ones too) as id -> (export column, code)."""
    return {item_id: (KIND_COLUMN[kind], code) for item_id, kind, code in session.execute(
        select(TaxonomyItem.id, TaxonomyItem.kind, TaxonomyItem.code))}


def _tags(session: Connection, ids: list[int], items: dict[int, tuple[str, str]]
          ) -> dict[int, dict[str, list[str]]]:
    """The moderators' codes of each submission, by export column, sorted. The taxonomy is
    small and read once per export: this query touches the tags' primary key only."""
    table = SubmissionTag.__table__.c
    rows = session.execute(select(table.submission_id, table.item_id)
                           .where(_within(table.submission_id, ids),
                                  table.source == TagSource.MODERATOR.value))
    out: dict[int, dict[str, list[str]]] = {}
    wanted = set(ids)
    for submission_id, item_id in rows:
        if submission_id in wanted:
            column, code = items[item_id]
            by_kind = out.get(submission_id)
            if by_kind is None:
                by_kind = out[submission_id] = {}
            codes = by_kind.get(column)
            if codes is None:
                by_kind[column] = [code]
            else:
                codes.append(code)
    for by_kind in out.values():
        for codes in by_kind.values():
            codes.sort()
    return out


def _within(column: Any, ids: list[int]) -> Any:
    """Rows of the batch `ids` (ascending). When the batch is dense (an unfiltered export:
    most ids in its span), a range of the index read in one pass, cheaper than a lookup
    per id; callers skip the rows of ids outside the batch. A sparse batch (a filter that
    keeps one view in a hundred) would make that range read far more rows than it keeps:
    it gets the lookups."""
    if ids[-1] - ids[0] < 2 * len(ids):
        return column.between(ids[0], ids[-1])
    return column.in_(ids)


def _keywords(session: Connection, ids: list[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(SubmissionKeyword.submission_id, Keyword.text)
        .join(Keyword, Keyword.id == SubmissionKeyword.keyword_id)
        .where(_within(SubmissionKeyword.submission_id, ids)).order_by(Keyword.text))
    out: dict[int, list[str]] = defaultdict(list)
    wanted = set(ids)
    for submission_id, text in rows:
        if submission_id in wanted:
            out[submission_id].append(text)
    return out


def _answers(session: Connection, ids: list[int]) -> dict[int, list[str]]:
    from app.models import Answer
    rows = session.execute(select(Answer.submission_id, Answer.text)
                           .where(_within(Answer.submission_id, ids))
                           .order_by(Answer.submission_id, Answer.position))
    out: dict[int, list[str]] = defaultdict(list)
    wanted = set(ids)
    for submission_id, text in rows:
        if submission_id in wanted:
            out[submission_id].append(text)
    return out


def _personal(session: Connection, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    rows = session.execute(select(PersonalData.submission_id, PersonalData.age_range,
                                  PersonalData.gender)
                           .where(_within(PersonalData.submission_id, ids)))
    wanted = set(ids)
    return {sid: (age.value if age else None, gender.value if gender else None)
            for sid, age, gender in rows if sid in wanted}


def _sources(session: Connection, ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(SubmissionProvenance.submission_id, SubmissionProvenance.source)
                           .where(_within(SubmissionProvenance.submission_id, ids)))
    wanted = set(ids)
    return {sid: source for sid, source in rows if sid in wanted}


def _cells(record: dict[str, Any]) -> list[Any]:
    """A record as spreadsheet cells: lists joined, text neutralized."""
    cells = []
    for column in COLUMNS:
        value = record[column]
        if column in LIST_COLUMNS:
            value = ";".join(value)
        if value and isinstance(value, str) and value[0] in FORMULA_FIRST:
            value = "'" + value
        cells.append(value)
    return cells


def csv_chunks(rows: Iterator[dict[str, Any]], *, per_chunk: int = 1000) -> Iterator[str]:
    """CSV text in chunks: a BOM (so spreadsheets read UTF-8), the header, then rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    pending: list[list[Any]] = []
    for record in rows:
        pending.append(_cells(record))
        if len(pending) >= per_chunk:
            writer.writerows(pending)
            pending.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(pending)
    yield buffer.getvalue()


def jsonl_chunks(rows: Iterator[dict[str, Any]], *, per_chunk: int = 500) -> Iterator[str]:
    """One JSON object a line, tags as arrays. JSON is data, not a spreadsheet: the text is
    exported exactly as stored."""
    lines: list[str] = []
    for record in rows:
        lines.append(json.dumps(record, ensure_ascii=False))
        if len(lines) >= per_chunk:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def write_xlsx(rows: Iterator[dict[str, Any]], *, headings: dict[str, str],
               sheet_codes: list[str], sheet_titles: dict[str, str],
               totals: list[tuple[str, str, int]], totals_headings: tuple[str, str, str],
               note: str | None = None) -> Any:
    """An XLSX workbook: every row on the first sheet, a sheet per code of `sheet_codes`
    (the rows tagged with it), and a totals sheet, with `note` under the totals; returned
    as an open temporary file.

    XlsxWriter in constant-memory mode writes each row to its sheet's temporary file as soon
    as the next row starts, so memory stays flat whatever the number of rows (and it is
    several times faster than openpyxl's write-only mode). Cells are written as strings,
    never as formulas, and text is neutralized as in the CSV."""
    import xlsxwriter

    out = tempfile.NamedTemporaryFile(suffix=".xlsx")  # the caller reads and closes it
    workbook = xlsxwriter.Workbook(out.name, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "tmpdir": tempfile.gettempdir()})
    bold = workbook.add_format({"bold": True})
    everything = workbook.add_worksheet(_sheet_title(sheet_titles["all"]))
    per_code = {}
    used_titles = {everything.name}
    for code in sheet_codes:
        title = _sheet_title(sheet_titles.get(code, code))
        if title in used_titles:  # two labels cut to the same 31 characters
            title = _sheet_title(code)
        used_titles.add(title)
        per_code[code] = [workbook.add_worksheet(title), 1]
    header = [headings.get(c, c) for c in COLUMNS]
    everything.write_row(0, 0, header, bold)
    for sheet, _next_row in per_code.values():
        sheet.write_row(0, 0, header, bold)
    row_number = 1
    for record in rows:
        if row_number >= XLSX_MAX_ROWS:
            break
        cells = _cells(record)
        everything.write_row(row_number, 0, cells)
        row_number += 1
        for code in (*record["principles"], *record["commitments"]):
            target = per_code.get(code)
            if target is not None and target[1] < XLSX_MAX_ROWS:
                target[0].write_row(target[1], 0, cells)
                target[1] += 1
    summary = workbook.add_worksheet(_sheet_title(sheet_titles["totals"]))
    summary.write_row(0, 0, list(totals_headings), bold)
    for number, (code, label, count) in enumerate(totals, 1):
        summary.write_row(number, 0, [code, neutralize(label), count])
    if note:
        summary.write_string(len(totals) + 2, 0, neutralize(note))
    workbook.close()
    out.seek(0)
    return out


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]


__all__ = ["COLUMNS", "csv_chunks", "iter_rows", "jsonl_chunks", "neutralize", "write_xlsx"]
