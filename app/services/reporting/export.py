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
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.models import (
    Keyword,
    Organisation,
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
from app.services.reporting import attachments
from app.services.reporting.reports import ReportFilter, conditions

# On whose behalf a view was sent (issue #21): in CSV files after the label columns, so
# that a program reading the earlier columns by position keeps working.
ORGANISATION_COLUMNS = ("organisation", "organisation_website", "organisation_publish")
COLUMNS = ("reference", "round", "language", "title", "body", "actor_type", "country", "region",
           "age_range", "gender", "principles", "commitments", "technologies", "themes",
           "keywords", "created_at", "decided_at", "cluster_id", "channel", "source",
           "paragraph")
LIST_COLUMNS = ("principles", "commitments", "technologies", "themes", "keywords")
# The files a moderator marked public (issue #21): their names, and where the reference
# group downloads them (same order). After the label columns in CSV, at the end in JSON.
ATTACHMENT_COLUMNS = ("attachments", "attachment_urls")
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
              batch: int = BATCH, attachment_url: Callable[[int], str] | None = None
              ) -> Iterator[dict[str, Any]]:
    """Approved submissions matching `f` as dicts with the export columns, by id.

    Age range and gender are filled only `with_personal` (moderators and admins); for
    everyone else the columns stay empty. No email is ever read. Attachments: the public
    ones only, whoever exports (`reporting.attachments`), each named and, given
    `attachment_url` (attachment id -> URL), with its download address.

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
                        type_coerce(table.channel, String), table.paragraph_key)
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
        organisations = _organisations(connection, ids)
        files = attachments.public_files(connection, ids)
        no_tags: dict[str, list[str]] = {}
        for (sid, reference, round_id, language, title, body, redacted, redacted_title,
             actor_type, country, created_at, decided_at, cluster_id, channel,
             paragraph) in rows:
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
                "paragraph": paragraph,  # the strategy's paragraph it is about, if any
                # On whose behalf (issue #21): the reference group sees the name whether
                # or not it may be published; `organisation_publish` says if it may.
                **organisations.get(sid, NO_ORGANISATION),
                "attachments": [item.filename for item in files.get(sid, ())],
                "attachment_urls": [attachment_url(item.id) for item in files.get(sid, ())]
                if attachment_url is not None else [],
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
    return {item_id: (kind.group, code) for item_id, kind, code in session.execute(
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


NO_ORGANISATION = {"organisation": None, "organisation_website": None,
                   "organisation_publish": None}


def _organisations(session: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(Organisation.submission_id, Organisation.name,
                                  Organisation.website, Organisation.publish)
                           .where(_within(Organisation.submission_id, ids)))
    wanted = set(ids)
    return {sid: {"organisation": name, "organisation_website": website,
                  "organisation_publish": bool(publish)}
            for sid, name, website, publish in rows if sid in wanted}


@dataclass(frozen=True)
class Labels:
    """The labels of an export's codes in the reader's language: taxonomy items (retired
    ones too), actor types, age ranges, genders, and CLDR's names of languages, countries
    and regions. Built by the caller (who knows the language), read here row by row."""

    items: Mapping[str, str]
    actor_types: Mapping[str, str]
    age_ranges: Mapping[str, str]
    genders: Mapping[str, str]
    languages: Mapping[str, str]
    territories: Mapping[str, str]  # countries and M49 regions alike

    def tagged(self, code: str) -> str:
        """A code with its label, "P2 · Foster inclusion and transparency"."""
        label = self.items.get(code)
        return f"{code} · {label}" if label else code


# Label columns after the codes, so that a program reading the codes by name or position
# keeps working: one per coded column, in the language of `lang=`.
LABEL_COLUMNS = ("language_label", "actor_type_label", "country_label", "region_label",
                 "age_range_label", "gender_label", "principles_labels", "commitments_labels",
                 "technologies_labels", "themes_labels")
SCALAR_LABELS = (("language", "languages"), ("actor_type", "actor_types"),
                 ("country", "territories"), ("region", "territories"),
                 ("age_range", "age_ranges"), ("gender", "genders"))


def with_labels(rows: Iterator[dict[str, Any]], labels: Labels) -> Iterator[dict[str, Any]]:
    """The rows of `iter_rows` with a label column next to each code column (see
    LABEL_COLUMNS): None where the code is None, lists for the tag columns."""
    items = labels.items
    scalars = [(column, f"{column}_label", getattr(labels, source))
               for column, source in SCALAR_LABELS]
    for record in rows:
        for column, label_column, names in scalars:
            code = record[column]
            record[label_column] = names.get(code, code) if code else None
        for column in ("principles", "commitments", "technologies", "themes"):
            record[f"{column}_labels"] = [items.get(code, code) for code in record[column]]
        yield record


def _sources(session: Connection, ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(SubmissionProvenance.submission_id, SubmissionProvenance.source)
                           .where(_within(SubmissionProvenance.submission_id, ids)))
    wanted = set(ids)
    return {sid: source for sid, source in rows if sid in wanted}


def _cells(record: dict[str, Any], columns: tuple[str, ...]) -> list[Any]:
    """A record as spreadsheet cells: lists joined, text neutralized."""
    cells = []
    for column in columns:
        value = record[column]
        if isinstance(value, list):
            value = ";".join(value)
        if value and isinstance(value, str) and value[0] in FORMULA_FIRST:
            value = "'" + value
        cells.append(value)
    return cells


def csv_chunks(rows: Iterator[dict[str, Any]], *, columns: tuple[str, ...] = COLUMNS,
               per_chunk: int = 1000) -> Iterator[str]:
    """CSV text in chunks: a BOM (so spreadsheets read UTF-8), the header, then rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(columns)
    pending: list[list[Any]] = []
    for record in rows:
        pending.append(_cells(record, columns))
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


# The workbook: a report for people, not a dump. Sheet names and every text come
# translated from the caller (`XlsxReport`); this module lays them out.

@dataclass
class Table:
    """A block of the totals or cross-tab sheets: a heading, column headings, and rows of
    (code, label, numbers...). `shares_of`: add a share column, each count over it."""

    title: str
    headings: list[str]
    rows: list[tuple[Any, ...]]
    shares_of: int | None = None


@dataclass
class XlsxReport:
    """Everything a workbook says besides its rows, in the reader's language."""

    lang: str
    rtl: bool
    labels: Labels
    headings: dict[str, str]  # data columns (DATA_COLUMNS) -> heading
    sheet_names: dict[str, str]  # "readme", "all", "totals", "by_actor", "by_region"
    readme: list[tuple[str, Any]]  # (label, value) lines of the "Read me" sheet
    readme_title: str
    code_table: Table  # the code list of the "Read me" sheet
    code_sheets: list[tuple[str, str]]  # (code, label) of a sheet per code; [] above the cap
    totals: list[Table]
    by_actor: Table
    by_region: Table
    with_personal: bool = False
    share_heading: str = "%"
    yes_no: tuple[str, str] = ("yes", "no")  # a true or false cell, in the reader's language


DATA_COLUMNS = ("reference", "round", "language", "language_label", "title", "body",
                "actor_type", "actor_type_label", "country", "country_label", "region",
                "region_label", "age_range_label", "gender_label", "principles",
                "commitments", "technologies", "themes", "keywords", "created_at",
                "decided_at", "cluster_id", "channel", "source", "paragraph",
                *ORGANISATION_COLUMNS, *ATTACHMENT_COLUMNS)
PERSONAL_COLUMNS = frozenset({"age_range_label", "gender_label"})
TAGGED_COLUMNS = frozenset({"principles", "commitments", "technologies", "themes"})
DATE_COLUMNS = frozenset({"created_at", "decided_at"})
USER_TEXT_COLUMNS = frozenset({"reference", "title", "body", "keywords", "organisation",
                               "organisation_website", "attachments"})
# Wrapped: a readable line, not the longest text.
WIDE_COLUMNS = {"body": 80, "title": 40, "attachments": 40, "attachment_urls": 60}
MAX_WIDTH = 45
WIDTH_SAMPLE = 500  # column widths fit the header and the first rows


def sheet_name(name: str, fallback: str) -> str:
    """`name` as a sheet name if it fits Excel's 31 characters once the characters Excel
    refuses are replaced, else `fallback` (a code): never a name cut inside a word."""
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    name = " ".join(name.split()).strip("'")
    return name if 0 < len(name) <= 31 else fallback[:31]


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _utc_naive(value: str | None) -> dt.datetime | None:
    """An export timestamp (ISO 8601, UTC) as the naive datetime a spreadsheet stores."""
    if not value:
        return None
    return dt.datetime.fromisoformat(value).replace(tzinfo=None)


class _DataSheet:
    """One sheet of rows (every view, or one code's views), written as they come in
    constant memory: header frozen, an autofilter over the rows written, text wrapped.
    Column widths fit the first rows of every view (`fit`, on the first sheet; the
    sheets per code take the same), and each row is as tall as its wrapped text."""

    def __init__(self, workbook: Any, name: str, columns: tuple[str, ...], report: XlsxReport,
                 formats: dict[str, Any]) -> None:
        self.sheet = workbook.add_worksheet(name)
        self.columns = columns
        self.next_row = 1
        _page_setup(self.sheet, report, landscape=True, one_page_wide=False)
        self.sheet.repeat_rows(0)
        self.sheet.repeat_columns(0)
        header = [report.headings[c] for c in columns]
        self.sheet.write_row(0, 0, header, formats["header"])
        self.sheet.freeze_panes(1, 0)
        self.widths = [max(18 if c in DATE_COLUMNS else 0,
                           min(MAX_WIDTH, _display_width(h) + 2))
                       for c, h in zip(columns, header, strict=True)]
        # Per column, once: how to write it, and its format.
        self.cells = [(index, column in DATE_COLUMNS,
                       formats["date"] if column in DATE_COLUMNS else
                       formats["text"] if column in USER_TEXT_COLUMNS else formats["cell"])
                      for index, column in enumerate(columns)]
        self.wrapped = [(index, WIDE_COLUMNS.get(column)) for index, column in enumerate(columns)
                        if column in WIDE_COLUMNS or column in TAGGED_COLUMNS]

    def fit(self, values: list[Any]) -> None:
        """Widen the columns to the text of one of the first rows."""
        for index, value in enumerate(values):
            if isinstance(value, str):
                longest = max(_display_width(line) for line in value.split("\n"))
                self.widths[index] = max(self.widths[index], min(MAX_WIDTH, longest + 2))

    def height(self, values: list[Any]) -> float | None:
        """The row height that shows all the wrapped text of `values` (None: one line).
        Only the title, the text and the tag columns wrap: the others are short."""
        lines = 1
        for index, width in self.wrapped:
            value = values[index]
            if value:
                lines = max(lines, _lines(value, width or self.widths[index]))
        return _row_height(lines) if lines > 1 else None

    def write(self, values: list[Any], height: float | None) -> None:
        row = self.next_row
        sheet = self.sheet
        if height:
            sheet.set_row(row, height)
        for (index, is_date, style), value in zip(self.cells, values, strict=True):
            if value is None or value == "":
                continue
            if is_date:
                sheet.write_datetime(row, index, value, style)
            elif isinstance(value, int):
                sheet.write_number(row, index, value, style)
            else:
                sheet.write_string(row, index, value, style)
        self.next_row += 1

    def close(self, widths: list[int]) -> None:
        for index, column in enumerate(self.columns):
            self.sheet.set_column(index, index, WIDE_COLUMNS.get(column, widths[index]))
        self.sheet.autofilter(0, 0, max(self.next_row - 1, 1), len(self.columns) - 1)


def write_xlsx(rows: Iterator[dict[str, Any]], report: XlsxReport) -> Any:
    """An XLSX workbook for people, returned as an open temporary file:

    * "Read me": what the file holds, the filters, when it was made, the row count, and
      the codes with their labels;
    * every view, one row each, codes next to their labels, tags as "P2 · label", dates as
      dates, numbers as numbers, the header frozen, an autofilter, widths that fit;
    * a sheet per principle and commitment (`report.code_sheets`);
    * totals with counts and shares, and the codes by actor type and by region.

    XlsxWriter in constant-memory mode writes each row to its sheet's temporary file as soon
    as the next row starts, so memory stays flat whatever the number of rows (and it is
    several times faster than openpyxl's write-only mode); every sheet keeps its features
    at any size. Cells are written as strings, never as formulas, and text is neutralized
    as in the CSV. Sheets are right-to-left for Arabic."""
    import xlsxwriter

    out = tempfile.NamedTemporaryFile(suffix=".xlsx")  # the caller reads and closes it
    workbook = xlsxwriter.Workbook(out.name, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "tmpdir": tempfile.gettempdir()})
    formats = _formats(workbook, report.rtl)
    names = _SheetNames()
    _readme_sheet(workbook, names.take(report.sheet_names["readme"], "1"), report, formats)
    columns = tuple(c for c in DATA_COLUMNS
                    if report.with_personal or c not in PERSONAL_COLUMNS)
    everything = _DataSheet(workbook, names.take(report.sheet_names["all"], "2"), columns,
                            report, formats)
    per_code = {code: _DataSheet(workbook, names.take(f"{code} {label}", code), columns,
                                 report, formats)
                for code, label in report.code_sheets}
    labels = report.labels
    for record in rows:
        if everything.next_row >= XLSX_MAX_ROWS:
            break
        values = _xlsx_values(record, columns, labels, report.yes_no)
        if everything.next_row <= WIDTH_SAMPLE:
            everything.fit(values)
        height = everything.height(values)
        everything.write(values, height)
        for code in (*record["principles"], *record["commitments"]):
            target = per_code.get(code)
            if target is not None and target.next_row < XLSX_MAX_ROWS:
                target.write(values, height)
    everything.close(everything.widths)
    for sheet in per_code.values():
        sheet.close(everything.widths)
    _tables_sheet(workbook, names.take(report.sheet_names["totals"], "3"), report.totals,
                  report, formats)
    _tables_sheet(workbook, names.take(report.sheet_names["by_actor"], "4"), [report.by_actor],
                  report, formats, crosstab=True)
    _tables_sheet(workbook, names.take(report.sheet_names["by_region"], "5"),
                  [report.by_region], report, formats, crosstab=True)
    workbook.close()
    out.seek(0)
    return out


class _SheetNames:
    """Sheet names of one workbook: each fits 31 characters whole, none taken twice
    (Excel compares them without case)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, name: str, fallback: str) -> str:
        chosen = sheet_name(name, fallback)
        if chosen.casefold() in self.used:
            chosen = sheet_name(fallback, fallback)
        self.used.add(chosen.casefold())
        return chosen


def _page_setup(sheet: Any, report: XlsxReport, *, landscape: bool = False,
                one_page_wide: bool = True) -> None:
    """Right to left for Arabic; printed (or made a PDF) on A4, one page wide unless it
    is a sheet of rows (too wide to read at that size)."""
    if report.rtl:
        sheet.right_to_left()
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    if one_page_wide:
        sheet.fit_to_pages(1, 0)


LINE_HEIGHT = 18  # points, one line of 11-point text, Arabic and Chinese glyphs included
MAX_ROW_HEIGHT = 409  # Excel's limit


def _lines(text: str, width: int) -> int:
    """About how many lines `text` takes wrapped in a column `width` characters wide.
    Spreadsheets do not grow a row to fit wrapped text that a program wrote, so the row
    height is set from this. Cheap on purpose (it runs on every cell of a million rows):
    a line that starts with a wide (CJK) character counts two columns a character."""
    width = max(width - 1, 1)
    count = 0
    for line in text.split("\n"):
        length = len(line)
        if line and unicodedata.east_asian_width(line[0]) in "WF":
            length *= 2
        count += max(1, -(-length // width))
    return count


def _row_height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)


def _formats(workbook: Any, rtl: bool) -> dict[str, Any]:
    align = {"reading_order": 2} if rtl else {}
    return {
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                       "bg_color": "#DDEBF7", "bottom": 1, **align}),
        "cell": workbook.add_format({"text_wrap": True, "valign": "top", **align}),
        # Contributors' own words keep their own direction (a Chinese view in an Arabic
        # workbook reads left to right): the reading order follows the text.
        "text": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14, **align}),
        "bold": workbook.add_format({"bold": True, "valign": "top", "text_wrap": True, **align}),
        "share": workbook.add_format({"num_format": "0.0%", "valign": "top"}),
        "number": workbook.add_format({"num_format": "#,##0", "valign": "top"}),
    }


def _xlsx_values(record: dict[str, Any], columns: tuple[str, ...], labels: Labels,
                 yes_no: tuple[str, str] = ("yes", "no")) -> list[Any]:
    values: list[Any] = []
    for column in columns:
        value = record[column]
        if isinstance(value, bool):
            value = yes_no[0] if value else yes_no[1]
        elif column in TAGGED_COLUMNS:
            value = "\n".join(labels.tagged(code) for code in value)
        elif column == "keywords":
            value = "; ".join(value)
        elif column in ATTACHMENT_COLUMNS:
            value = "\n".join(value)
        elif column in DATE_COLUMNS:
            values.append(_utc_naive(value))
            continue
        if value and isinstance(value, str) and value[0] in FORMULA_FIRST:
            value = "'" + value
        values.append(value)
    return values


def _readme_sheet(workbook: Any, name: str, report: XlsxReport, formats: dict[str, Any]
                  ) -> None:
    sheet = workbook.add_worksheet(name)
    _page_setup(sheet, report)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 90)
    sheet.set_column(2, 2, 24)
    sheet.merge_range(0, 0, 0, 2, neutralize(report.readme_title), formats["title"])
    row = 2
    for label, value in report.readme:
        if isinstance(value, str) and value:
            sheet.set_row(row, _row_height(max(_lines(value, 90), _lines(label, 30))))
        if label:
            sheet.write_string(row, 0, neutralize(label), formats["bold"])
        if isinstance(value, dt.datetime):
            sheet.write_datetime(row, 1, value, formats["date"])
        elif isinstance(value, int):
            sheet.write_number(row, 1, value, formats["number"])
        elif value:
            sheet.write_string(row, 1, neutralize(str(value)), formats["cell"])
        row += 1
    row += 1
    table = report.code_table
    sheet.write_string(row, 0, neutralize(table.title), formats["title"])
    row += 1
    sheet.write_row(row, 0, table.headings, formats["header"])
    for values in table.rows:
        row += 1
        for index, value in enumerate(values):
            sheet.write_string(row, index, neutralize(str(value)), formats["cell"])


def _tables_sheet(workbook: Any, name: str, tables: list[Table], report: XlsxReport,
                  formats: dict[str, Any], *, crosstab: bool = False) -> None:
    """Tables one under the other: a heading, column headings, rows of a code, its label
    and counts (numbers), with a share column where the table has a base. A cross-tab
    freezes its header and code columns and has an autofilter."""
    sheet = workbook.add_worksheet(name)
    _page_setup(sheet, report, landscape=crosstab)
    codes = [str(values[0]) for table in tables for values in table.rows]
    labels = [str(values[1]) for table in tables for values in table.rows]
    widths = [max([8] + [_display_width(code) + 2 for code in codes]),
              min(MAX_WIDTH + 15, max([20] + [_display_width(label) + 2 for label in labels]))]
    widths += [12] * 30
    row = 0
    for table in tables:
        headings = [*table.headings, *([report.share_heading] if table.shares_of else [])]
        if not crosstab:
            sheet.write_string(row, 0, neutralize(table.title), formats["title"])
            row += 1
        sheet.write_row(row, 0, headings, formats["header"])
        for index, heading in enumerate(headings[2:], 2):
            widths[index] = max(widths[index], min(MAX_WIDTH, _display_width(heading) + 2))
        header_row = row
        for values in table.rows:
            row += 1
            code, label, *numbers = values
            lines = _lines(str(label), widths[1])
            if lines > 1:
                sheet.set_row(row, _row_height(lines))
            sheet.write_string(row, 0, neutralize(str(code)), formats["cell"])
            sheet.write_string(row, 1, neutralize(str(label)), formats["cell"])
            for index, number in enumerate(numbers, 2):
                sheet.write_number(row, index, number, formats["number"])
            if table.shares_of:
                share = numbers[0] / table.shares_of
                sheet.write_number(row, 2 + len(numbers), share, formats["share"])
        if crosstab:
            sheet.freeze_panes(header_row + 1, 2)
            sheet.autofilter(header_row, 0, max(row, header_row + 1), len(headings) - 1)
        row += 2
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)


__all__ = ["ATTACHMENT_COLUMNS", "COLUMNS", "LABEL_COLUMNS", "ORGANISATION_COLUMNS", "Labels",
           "Table", "XlsxReport",
           "csv_chunks", "iter_rows", "jsonl_chunks", "neutralize", "sheet_name", "with_labels",
           "write_xlsx"]
