"""Exports of approved submissions: CSV, JSON Lines and XLSX, in constant memory.

Rows come from `iter_rows`, which walks the table in keyset batches by id and loads the
tags and keywords of each batch in two queries: memory stays flat at a million rows and
no transaction stays open for the whole download. Spreadsheet formats neutralize cells
that a spreadsheet would run as a formula.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    ItemKind,
    Keyword,
    PersonalData,
    Submission,
    SubmissionKeyword,
    SubmissionTag,
    TagSource,
    TaxonomyItem,
)
from app.regions import region_of
from app.services.reports import ReportFilter, conditions

COLUMNS = ("reference", "round", "language", "title", "body", "actor_type", "country", "region",
           "age_range", "gender", "principles", "commitments", "technologies", "themes",
           "keywords", "created_at", "decided_at")
LIST_COLUMNS = ("principles", "commitments", "technologies", "themes", "keywords")
KIND_COLUMN = {
    ItemKind.PRINCIPLE: "principles",
    ItemKind.COMMITMENT: "commitments",
    ItemKind.TECHNOLOGY: "technologies",
    ItemKind.THEME: "themes",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


def neutralize(value: Any) -> Any:
    """Make a text cell inert in spreadsheets (OWASP CSV injection): a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def iter_rows(session: Session, f: ReportFilter, *, with_personal: bool = False,
              batch: int = BATCH) -> Iterator[dict[str, Any]]:
    """Approved submissions matching `f` as dicts with the export columns, by id.

    Age range and gender are filled only `with_personal` (moderators and admins); for
    everyone else the columns stay empty. No email is ever read."""
    last_id = 0
    while True:
        query = (select(Submission.id, Submission.reference, Submission.round_id,
                        Submission.language, Submission.title, Submission.body,
                        Submission.redacted_text, Submission.actor_type, Submission.country,
                        Submission.created_at, Submission.decided_at)
                 .where(*conditions(f), Submission.id > last_id)
                 .order_by(Submission.id).limit(batch))
        rows = session.execute(query).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        tags = _tags(session, ids)
        keywords = _keywords(session, ids)
        answers = _answers(session, ids)
        personal = _personal(session, ids) if with_personal else {}
        for row in rows:
            body = row.redacted_text if row.redacted_text is not None else \
                "\n\n".join(p for p in (*answers.get(row.id, ()), row.body) if p)
            age, gender = personal.get(row.id, (None, None))
            record = {
                "reference": row.reference,
                "round": row.round_id,
                "language": row.language,
                "title": row.title,
                "body": body,
                "actor_type": row.actor_type.value if row.actor_type else None,
                "country": row.country,
                "region": region_of(row.country),
                "age_range": age,
                "gender": gender,
                "keywords": keywords.get(row.id, []),
                "created_at": row.created_at.isoformat(),
                "decided_at": row.decided_at.isoformat() if row.decided_at else None,
            }
            for column in KIND_COLUMN.values():
                record[column] = sorted(tags.get(row.id, {}).get(column, []))
            yield {column: record[column] for column in COLUMNS}
        last_id = ids[-1]


def _tags(session: Session, ids: list[int]) -> dict[int, dict[str, list[str]]]:
    rows = session.execute(
        select(SubmissionTag.submission_id, TaxonomyItem.kind, TaxonomyItem.code)
        .join(TaxonomyItem, TaxonomyItem.id == SubmissionTag.item_id)
        .where(SubmissionTag.submission_id.in_(ids),
               SubmissionTag.source == TagSource.MODERATOR))
    out: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for submission_id, kind, code in rows:
        out[submission_id][KIND_COLUMN[kind]].append(code)
    return out


def _keywords(session: Session, ids: list[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(SubmissionKeyword.submission_id, Keyword.text)
        .join(Keyword, Keyword.id == SubmissionKeyword.keyword_id)
        .where(SubmissionKeyword.submission_id.in_(ids)).order_by(Keyword.text))
    out: dict[int, list[str]] = defaultdict(list)
    for submission_id, text in rows:
        out[submission_id].append(text)
    return out


def _answers(session: Session, ids: list[int]) -> dict[int, list[str]]:
    from app.models import Answer
    rows = session.execute(select(Answer.submission_id, Answer.text)
                           .where(Answer.submission_id.in_(ids))
                           .order_by(Answer.submission_id, Answer.position))
    out: dict[int, list[str]] = defaultdict(list)
    for submission_id, text in rows:
        out[submission_id].append(text)
    return out


def _personal(session: Session, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    rows = session.execute(select(PersonalData.submission_id, PersonalData.age_range,
                                  PersonalData.gender)
                           .where(PersonalData.submission_id.in_(ids)))
    return {sid: (age.value if age else None, gender.value if gender else None)
            for sid, age, gender in rows}


def _flat(record: dict[str, Any]) -> list[Any]:
    return [";".join(record[c]) if c in LIST_COLUMNS else record[c] for c in COLUMNS]


def csv_chunks(rows: Iterator[dict[str, Any]], *, per_chunk: int = 500) -> Iterator[str]:
    """CSV text in chunks: a BOM (so spreadsheets read UTF-8), the header, then rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for count, record in enumerate(rows, 1):
        writer.writerow([neutralize(value) for value in _flat(record)])
        if count % per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
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
               totals: list[tuple[str, str, int]], totals_headings: tuple[str, str, str]
               ) -> tempfile.SpooledTemporaryFile:
    """An XLSX workbook: every row on the first sheet, a sheet per principle and commitment
    (the rows tagged with it), and a totals sheet. Written with openpyxl's write-only mode,
    which streams each sheet to disk: memory does not grow with the number of rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    everything = workbook.create_sheet(sheet_titles["all"])
    per_code = {code: workbook.create_sheet(_sheet_title(sheet_titles.get(code, code)))
                for code in sheet_codes}
    header = [headings.get(c, c) for c in COLUMNS]
    everything.append(header)
    for sheet in per_code.values():
        sheet.append(header)
    for record in rows:
        cells = [neutralize(v) for v in _flat(record)]
        everything.append(cells)
        for code in (*record["principles"], *record["commitments"]):
            if code in per_code:
                per_code[code].append(cells)
    summary = workbook.create_sheet(sheet_titles["totals"])
    summary.append(list(totals_headings))
    for code, label, count in totals:
        summary.append([code, neutralize(label), count])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(out)
    out.seek(0)
    return out


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]


__all__ = ["COLUMNS", "csv_chunks", "iter_rows", "jsonl_chunks", "neutralize", "write_xlsx"]
