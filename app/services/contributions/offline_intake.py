"""Workshop and paper intake: submissions collected offline, imported from CSV or XLSX.

Each row goes through the web form's own rules (app.services.contributions.intake), is stored as a
pending submission with its channel (workshop, paper) and provenance (source, facilitator),
and is keyed by a hash of the round, the source and the row's own `row_id` (or, without
one, its content): importing the same file again creates nothing. Bad rows create nothing
either; they are listed in the error report (row number as a spreadsheet shows it, column,
message), so that a facilitator can fix them and import the file again.

The columns are `columns(round_)`: docs/workshop-intake.md and the admin page describe them,
and the printable paper form (/<lang>/rounds/<id>/paper-form) follows them.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import lazy_gettext as _l
from app.models import (
    Channel,
    OfflineImport,
    Round,
    Status,
    Submission,
    SubmissionProvenance,
    User,
)
from app.security import hash_token, new_token
from app.services import DomainError, ValidationFailed
from app.services.accounts import audit
from app.services.assist import clusters, search, stored_suggestions
from app.services.contributions import intake

OFFLINE_CHANNELS = (Channel.WORKSHOP, Channel.PAPER)
# Keeps an upload within the web worker's timeout (about 3-5 ms a row, measured).
MAX_ROWS = 2000
MAX_COLUMNS = 50
MAX_BYTES = 5 * 1024 * 1024
# An XLSX file is a ZIP archive: 5 MB of it can unpack to gigabytes. Every part is read
# only up to its declared size (zipfile stops there), so these bound the work: the shared
# strings (every text of the sheet, read whole by openpyxl) and the parts together.
XLSX_MAX_STRINGS_BYTES = 24 * 1024 * 1024
XLSX_MAX_UNPACKED_BYTES = 96 * 1024 * 1024
# The csv module's own limit on one field (its default, set here for every reader).
CSV_FIELD_LIMIT = 131072
FLUSH_EVERY = 100
SOURCE_MAX = 200
# Before the answers: who and what; after them: the rest of the web form, then consents.
LEADING = ("row_id", "language", "title")
TRAILING = ("body", "actor_type", "country", "age_range", "gender", "email", "principles",
            "commitments", "technologies", "consent_processing", "consent_publication",
            "anonymous", "facilitator")
# A ticked box as typed in: yes, x, a check mark, or "yes" in the six languages.
TRUE = {"yes", "y", "true", "1", "x", "✓", "✔", "oui", "si", "sí", "da",
        "да", "نعم", "是"}
FALSE = {"no", "n", "false", "0", "non", "нет", "لا", "否"}


def columns(round_: Round) -> list[str]:
    """The import columns for a round: one `answer_N` per guiding question, in order."""
    answers = [f"answer_{n}" for n in range(1, len(round_.questions) + 1)]
    return [*LEADING, *answers, *TRAILING]


def template_csv(round_: Round) -> str:
    """A CSV with the header row only (UTF-8 with a BOM, so spreadsheets read it right)."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerow(columns(round_))
    return out.getvalue()


@dataclass
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    values: dict[str, str]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def read_rows(filename: str, data: bytes) -> tuple[list[str], list[Row]]:
    """The header and rows of a CSV (UTF-8) or XLSX file, keyed by lower-case column name;
    empty rows are skipped.

    Raises DomainError for a file that cannot be read or whose header is wrong."""
    if len(data) > MAX_BYTES:
        raise DomainError(_l("The file is too large (at most %(num)d MB).",
                             num=MAX_BYTES // (1024 * 1024)))
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        table = _csv_rows(data)
    else:
        raise DomainError(_l("Choose a CSV or XLSX file."))
    header = next(table, None)
    if not header:
        raise DomainError(_l("The file is empty."))
    header = [_cell(h).strip().lower() for h in header]
    for required in ("language", "title", "consent_processing"):
        if required not in header:
            raise DomainError(_l("The column %(name)s is missing. Start from the template.",
                                 name=required))
    rows: list[Row] = []
    for number, cells in enumerate(table, start=2):
        values = {h: _cell(c).strip() for h, c in zip(header, cells, strict=False) if h}
        if not any(values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError(_l("The file has more than %(num)d rows: split it.",
                                 num=MAX_ROWS))
        rows.append(Row(number, values))
    return header, rows


def check_header(round_: Round, header: list[str]) -> None:
    """Refuse columns the round does not have (a typo would silently lose answers)."""
    unknown = [name for name in header if name and name not in columns(round_)]
    if unknown:
        raise DomainError(_l("Unknown columns: %(names)s. Use the columns of the template.",
                             names=", ".join(unknown)[:200]))


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_l("The file is not in UTF-8. Save it as \u201cCSV UTF-8\u201d and try "
                             "again.")) from None
    if "\x00" in text:
        raise DomainError(_l("This does not look like a CSV file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return _csv_records(csv.reader(io.StringIO(text, newline=""), dialect))


def _csv_records(reader: Any) -> Iterator[list[str]]:
    """The reader's records; a record it cannot read is refused with its row number (as a
    spreadsheet numbers it: the header is row 1), never a traceback."""
    number = 0
    while True:
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise DomainError(_l("Row %(row)d has a cell longer than %(num)d characters. "
                                     "Shorten it and import the file again.", row=number,
                                     num=CSV_FIELD_LIMIT)) from None
            raise DomainError(_l("Row %(row)d could not be read. Check its quotation marks "
                                 "and import the file again.", row=number)) from None
        yield record


def _check_archive(data: bytes) -> None:
    """Refuse an XLSX that would take openpyxl too long or too much memory, before it opens
    it: parts that unpack to more than the caps (a ZIP bomb), a worksheet with more cells,
    or a shared-strings table with more texts, than MAX_ROWS rows of MAX_COLUMNS columns
    can hold. openpyxl reads the whole shared-strings table at once, and a whole worksheet
    when it declares no size; counting tags in the unpacked bytes costs a fraction of that."""
    from zipfile import BadZipFile, ZipFile

    most_cells = (MAX_ROWS + 1) * MAX_COLUMNS
    too_large = DomainError(_l("The sheet is larger than %(rows)d rows of %(cols)d columns, "
                               "even if some of its cells look empty. Copy only the rows with "
                               "views into a new file, or split it.", rows=MAX_ROWS,
                               cols=MAX_COLUMNS))
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            strings = [p for p in parts if p.filename.lower().endswith("sharedstrings.xml")]
            if sum(p.file_size for p in strings) > XLSX_MAX_STRINGS_BYTES or \
                    sum(p.file_size for p in parts) > XLSX_MAX_UNPACKED_BYTES:
                raise too_large
            for part in parts:
                name = part.filename.lower()
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    pattern = _CELL_TAG
                elif part in strings:
                    pattern = _STRING_TAG
                else:
                    continue
                with archive.open(part) as stream:
                    if _count_tags(stream, pattern, most_cells) > most_cells:
                        raise too_large
    except (BadZipFile, ValueError, OSError, EOFError):
        raise DomainError(_l("This does not look like an XLSX file.")) from None


# A cell (<c ...>) and a shared string (<si>), with or without a namespace prefix.
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def _count_tags(stream: Any, pattern: re.Pattern, limit: int) -> int:
    """How many times `pattern` occurs in the stream, read a megabyte at a time; stops
    counting past `limit`. Each chunk is cut before its last "<" so no tag is split."""
    count, carry = 0, b""
    while chunk := stream.read(1 << 20):
        buffer = carry + chunk
        cut = buffer.rfind(b"<")
        scan, carry = (buffer[:cut], buffer[cut:]) if cut > 0 else (buffer, b"")
        count += sum(1 for _ in pattern.finditer(scan))
        if count > limit:
            return count
    return count + sum(1 for _ in pattern.finditer(carry))


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    """The first sheet's rows, streamed (openpyxl's read-only mode): the declared size is
    checked before any row is read, and reading stops at MAX_ROWS rows and MAX_COLUMNS
    columns whatever the file declares."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except (BadZipFile, KeyError, ValueError, OSError, IndexError, SyntaxError):
        # SyntaxError: defusedxml's refusal of entities (an XML bomb) and broken XML.
        raise DomainError(_l("This does not look like an XLSX file.")) from None
    try:
        _check_size(sheet.max_row, sheet.max_column, sheet.min_row)
    except DomainError:
        workbook.close()
        raise
    return _stream_sheet(workbook, sheet)


def _check_size(max_row: int | None, max_column: int | None, min_row: int | None = 1) -> None:
    if max_column is not None and max_column > MAX_COLUMNS:
        raise DomainError(_l("The file has more than %(num)d columns. Start from the "
                             "template.", num=MAX_COLUMNS))
    if max_row is not None and max_row - (min_row or 1) > MAX_ROWS:
        raise DomainError(_l("The file has more than %(num)d rows: split it.", num=MAX_ROWS))


def _stream_sheet(workbook: Any, sheet: Any) -> Iterator[tuple]:
    """Rows up to the caps, plus one row and one column beyond them to notice a sheet that
    declared a smaller size than it has."""
    from zipfile import BadZipFile

    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2,
                                                     max_col=MAX_COLUMNS + 1), start=1):
            if len(row) > MAX_COLUMNS and any(v is not None for v in row[MAX_COLUMNS:]):
                _check_size(None, len(row))
            if number > MAX_ROWS + 1 and any(v is not None for v in row):
                _check_size(number, None)
            yield row[:MAX_COLUMNS]
    except (BadZipFile, KeyError, ValueError, OSError, SyntaxError):
        raise DomainError(_l("This does not look like an XLSX file.")) from None
    finally:
        workbook.close()


def _flag(value: str, *, empty: Any) -> Any:
    """A checkbox as transcribed: yes/no, x, 1/0... Anything else goes to the intake rules
    unchanged, which answer "Must be true or false."."""
    lowered = value.strip().casefold()
    if not lowered:
        return empty
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    return value


def _codes(value: str) -> list[str]:
    return [part for part in value.replace(";", ",").replace(" ", ",").split(",") if part]


def to_input(round_: Round, row: Row) -> intake.SubmissionInput:
    v = row.values
    answers = {str(q.id): v.get(f"answer_{n}", "")
               for n, q in enumerate(round_.questions, start=1) if v.get(f"answer_{n}")}
    return intake.SubmissionInput(
        round_id=round_.id, language=v.get("language", ""), title=v.get("title", ""),
        body=v.get("body", ""), answers=answers, actor_type=v.get("actor_type") or None,
        country=v.get("country") or None, age_range=v.get("age_range") or None,
        gender=v.get("gender") or None, email=v.get("email") or None,
        technologies=_codes(v.get("technologies", "")),
        principles=_codes(v.get("principles", "")),
        commitments=_codes(v.get("commitments", "")),
        consent_processing=_flag(v.get("consent_processing", ""), empty=False),
        consent_publication=_flag(v.get("consent_publication", ""), empty=False),
        anonymous=_flag(v.get("anonymous", ""), empty=None))


def row_key(round_id: int, source: str, row: Row) -> str:
    """The row's identity across imports: its `row_id` if it has one, else its content."""
    own = row.values.get("row_id", "")
    if own:
        identity = ["id", own]
    else:
        identity = ["content", sorted((k, v) for k, v in row.values.items()
                                      if k != "facilitator" and v)]
    raw = json.dumps([round_id, " ".join(source.casefold().split()), identity],
                     ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _column_for(round_: Round, field_name: str) -> str:
    """The import column an intake error key speaks of."""
    if field_name.startswith("answer_"):
        positions = {str(q.id): n for n, q in enumerate(round_.questions, start=1)}
        number = positions.get(field_name.removeprefix("answer_"))
        return f"answer_{number}" if number else "answers"
    return {"round_id": "", "answers": "answers"}.get(field_name, field_name)


def _check_options(source: str, channel: Any, facilitator: str | None) -> tuple[str, Channel,
                                                                            str | None]:
    errors: dict[str, list[Any]] = {}
    source = " ".join((source or "").split())
    if not source:
        errors["source"] = [_l("Say where the views were collected, e.g. \u201cWorkshop, "
                               "Nairobi, 2026-03-02\u201d.")]
    elif len(source) > SOURCE_MAX:
        errors["source"] = [_l("Use at most %(num)d characters.", num=SOURCE_MAX)]
    try:
        channel = Channel(channel)
    except ValueError:
        channel = None
    if channel not in OFFLINE_CHANNELS:
        errors["channel"] = [_l("Choose one of the options.")]
    facilitator = " ".join((facilitator or "").split()) or None
    if facilitator and len(facilitator) > SOURCE_MAX:
        errors["facilitator"] = [_l("Use at most %(num)d characters.", num=SOURCE_MAX)]
    if errors:
        raise ValidationFailed(errors)
    return source, channel, facilitator


def import_rows(session: Session, round_: Round, rows: list[Row], *, source: str,
                channel: Any = Channel.WORKSHOP, facilitator: str | None = None,
                filename: str = "", dry_run: bool = False, by: User | None = None
                ) -> OfflineImport:
    """Validate every row; store the good new ones as pending submissions (unless
    `dry_run`); return the import's record with its counts and error report.

    Rows already imported (same key) are counted as `repeated` and left alone."""
    source, channel, facilitator = _check_options(source, channel, facilitator)
    keyed = [(row, row_key(round_.id, source, row)) for row in rows]
    existing: set[str] = set()
    all_keys = [key for _row, key in keyed]
    for start in range(0, len(all_keys), 500):
        chunk = all_keys[start:start + 500]
        existing.update(session.scalars(select(SubmissionProvenance.row_key)
                                        .where(SubmissionProvenance.row_key.in_(chunk))))
    record = OfflineImport(round_id=round_.id, channel=channel, source=source,
                           facilitator=facilitator, filename=(filename or "")[-200:],
                           dry_run=dry_run, rows=len(rows), created=0, repeated=0, failed=0,
                           errors=[], created_by_id=by.id if by is not None else None)
    session.add(record)
    session.flush()
    errors: list[list[Any]] = []
    seen: set[str] = set()
    good: list[tuple[Row, str, Any]] = []
    for row, key in keyed:
        if key in existing or key in seen:
            record.repeated += 1
            continue
        seen.add(key)
        try:
            clean = intake._validate(session, to_input(round_, row), round_=round_,
                                     check_open=False)
        except ValidationFailed as exc:
            record.failed += 1
            for name, messages in exc.errors.items():
                for message in messages:
                    errors.append([row.number, _column_for(round_, name), str(message)])
            continue
        good.append((row, key, clean))
    record.errors = errors
    if not dry_run and good:
        references = _new_references(session, len(good))
        _store(session, record, round_, channel, source, facilitator, good, references)
        record.created = len(good)
    session.flush()
    audit.record(session, "intake.import", actor=by, target=record, round_id=round_.id,
                 channel=channel.value, source=source, dry_run=dry_run, rows=record.rows,
                 created=record.created, repeated=record.repeated, failed=record.failed,
                 valid=len(good))
    return record


def _store(session: Session, record: OfflineImport, round_: Round, channel: Channel,
           source: str, facilitator: str | None, good: list[tuple[Row, str, Any]],
           references: list[str]) -> None:
    stored: list[Submission] = []
    for number, ((row, key, clean), reference) in enumerate(zip(good, references, strict=True)):
        if number % FLUSH_EVERY == 0:
            _index(session, stored)  # the unit of work stays small: one flush per batch
            stored = []
        submission = Submission(reference=reference, manage_token_hash=hash_token(new_token()),
                                round_id=round_.id, status=Status.PENDING, channel=channel)
        intake._apply(submission, clean)
        session.add(submission)
        stored.append(submission)
        own_facilitator = row.values.get("facilitator", "")[:SOURCE_MAX] or facilitator
        session.add(SubmissionProvenance(
            submission=submission, import_id=record.id, row_key=key, row_number=row.number,
            source=source, facilitator=own_facilitator))
    _index(session, stored)


def _index(session: Session, submissions: list[Submission]) -> None:
    """Flush, then make the new views searchable and fold them into campaigns, as the web
    form's intake does for each view."""
    session.flush()
    if submissions:
        search.index_many(session, submissions)
        for submission in submissions:
            clusters.fold(session, submission)
            stored_suggestions.store(session, submission)


def _new_references(session: Session, count: int) -> list[str]:
    """`count` unused references, checked in one query per attempt."""
    chosen: list[str] = []
    while len(chosen) < count:
        candidates = list({intake.new_reference() for _ in range(count - len(chosen))}
                          - set(chosen))
        taken = set(session.scalars(select(Submission.reference)
                                    .where(Submission.reference.in_(candidates))))
        chosen += [ref for ref in candidates if ref not in taken]
    return chosen


def error_report_csv(record: OfflineImport, headers: tuple[str, str, str]) -> str:
    """The error report as CSV: row number, column, message (headers localized)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(headers)
    for number, column, message in record.errors or []:
        # A message that a spreadsheet would run as a formula starts with an apostrophe.
        text = f"'{message}" if str(message)[:1] in ("=", "+", "-", "@") else message
        writer.writerow([number, column, text])
    return out.getvalue()


def import_file(session: Session, round_: Round, filename: str, data: bytes, **options: Any
                ) -> OfflineImport:
    """Read a CSV or XLSX file and import its rows (see `import_rows` for the options)."""
    header, rows = read_rows(filename, data)
    check_header(round_, header)
    return import_rows(session, round_, rows, filename=filename, **options)


def valid_count(record: OfflineImport) -> int:
    return record.rows - record.repeated - record.failed
