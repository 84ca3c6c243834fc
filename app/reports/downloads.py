"""Export responses shared by the report pages and the API: audited, then streamed."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, stream_with_context
from flask_babel import force_locale

from app import reference
from app.db import db
from app.i18n import format_number, localized
from app.i18n import gettext as _
from app.models import ItemKind, User
from app.services import audit, export, reports

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M}.{extension}"


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # let nginx pass the stream through
    return response


def submissions_export(fmt: str, f: reports.ReportFilter, user: User, lang: str) -> Response:
    """Record the export in the audit log (who, filter, rows), commit, then stream it.

    Rows are read through the reports session (a replica when configured); the audit
    event is written to the primary."""
    rows = reports.total(db.reports_session, f)
    audit.record(db.session, "export.submissions", actor=user, format=fmt,
                 filter=f.to_args(), rows=rows)
    db.session.commit()
    with_personal = user.role.is_staff_reviewer
    records = export.iter_rows(db.reports_session, f, with_personal=with_personal)
    if fmt == "csv":
        body = stream_with_context(export.csv_chunks(records))
        return _attachment(Response(body, mimetype=MIMETYPES["csv"]),
                           _filename("submissions", "csv"))
    if fmt == "jsonl":
        body = stream_with_context(export.jsonl_chunks(records))
        return _attachment(Response(body, mimetype=MIMETYPES["jsonl"]),
                           _filename("submissions", "jsonl"))
    return _xlsx(records, f, lang, rows)


def _xlsx(records: Any, f: reports.ReportFilter, lang: str, rows: int) -> Response:
    items = reference.report_items(f.round_id)
    coded = [*items[ItemKind.PRINCIPLE], *items[ItemKind.COMMITMENT]]
    sheets_per_code = rows <= export.XLSX_SHEETS_MAX_ROWS
    with force_locale(lang):
        note = None if sheets_per_code else _(
            "This workbook has more than %(limit)s rows, so it has no sheet per principle "
            "and commitment. To get the rows of one, export again with it as a filter.",
            limit=format_number(export.XLSX_SHEETS_MAX_ROWS, lang))
        headings = {
            "reference": _("Reference"), "round": _("Round"), "language": _("Language"),
            "title": _("Title"), "body": _("Text"), "actor_type": _("Actor type"),
            "country": _("Country or area"), "region": _("Region"), "age_range": _("Age range"),
            "gender": _("Gender"), "principles": _("Principles"),
            "commitments": _("Commitments"), "technologies": _("Technology areas"),
            "themes": _("Themes"), "keywords": _("Keywords"), "created_at": _("Received"),
            "decided_at": _("Decided"), "cluster_id": _("Campaign"),
            "channel": _("Channel"), "source": _("Source"),
        }
        titles = {"all": _("All submissions"), "totals": _("Totals")}
        totals_headings = (_("Code"), _("Label"), _("Submissions"))
    titles.update({item.code: f"{item.code} {localized(item.labels, lang)}" for item in coded})
    counts = {kind: reports.count_by_tag(db.reports_session, f, kind) for kind in ItemKind}
    totals = [(item.code, localized(item.labels, lang), counts[kind].get(item.code, 0))
              for kind in ItemKind for item in items[kind]]
    workbook = export.write_xlsx(records, headings=headings,
                                 sheet_codes=[item.code for item in coded]
                                 if sheets_per_code else [],
                                 sheet_titles=titles, totals=totals,
                                 totals_headings=totals_headings, note=note)

    def chunks() -> Any:
        try:
            while block := workbook.read(64 * 1024):
                yield block
        finally:
            workbook.close()

    return _attachment(Response(chunks(), mimetype=MIMETYPES["xlsx"]),
                       _filename("submissions", "xlsx"))


def summary_docx_response(code: str, f: reports.ReportFilter, user: User, lang: str
                          ) -> Response | None:
    """The themed summary of `code` as a Word document (None for an unknown code)."""
    from app.services import summary_docx

    data = summary_docx.summary_docx(db.reports_session, code, f, lang)
    if data is None:
        return None
    audit.record(db.session, "export.summary", actor=user, format="docx", code=code.upper(),
                 lang=lang, filter=f.to_args())
    db.session.commit()
    return _attachment(Response(data, mimetype=summary_docx.MIMETYPE),
                       summary_docx.filename(code, lang))
