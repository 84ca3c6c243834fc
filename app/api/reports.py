"""Report endpoints of the API: exports and counts, for reference, moderator and admin
tokens. The filters are the dashboard's, as query parameters."""
from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request

from app import cache
from app.api.routes import bp
from app.auth.access import role_required
from app.db import db
from app.errors import json_errors
from app.i18n import LANGUAGES, current_language
from app.i18n import lazy_gettext as _l
from app.models import Role
from app.reports.downloads import (
    ROWS_REFUSED,
    refused_filters,
    submissions_export,
    summary_docx_response,
)
from app.services import ValidationFailed
from app.services.reporting import reports

READERS = (Role.ADMIN, Role.MODERATOR, Role.REFERENCE)


def _filter_and_lang() -> tuple[reports.ReportFilter | None, str | None, Any]:
    lang = request.args.get("lang", current_language())
    if lang not in LANGUAGES:  # `lang=` too: leave it out for the default
        return None, None, json_errors(
            {"lang": [_l("Use one of: %(codes)s", codes=", ".join(LANGUAGES))]}, 400)
    try:
        return reports.ReportFilter.from_args(request.args, blank_is_error=True), lang, None
    except ValidationFailed as exc:
        return None, None, json_errors(exc.errors, 400)


@bp.get("/exports/submissions.<any(csv, xlsx, jsonl):fmt>")
@role_required(*READERS)
def export_submissions(fmt: str) -> Any:
    f, lang, error = _filter_and_lang()
    if error is not None:
        return error
    refused = refused_filters(f, g.staff_user)
    if refused:
        return json_errors({name: [ROWS_REFUSED] for name in refused}, 403)
    if fmt != "xlsx" and not request.args.get("lang"):
        lang = "en"  # labels for programs: one language unless asked, whoever calls
    return submissions_export(fmt, f, g.staff_user, lang)


@bp.get("/stats")
@role_required(*READERS)
def stats() -> Any:
    f, _lang, error = _filter_and_lang()
    if error is not None:
        return error
    group_by = request.args.get("group_by", "principle")
    if group_by not in reports.GROUPS:
        return json_errors({"group_by": [_l("Use one of: %(codes)s",
                                            codes=", ".join(reports.GROUPS))]}, 400)
    body = cache.remember(
        "stats", [group_by, f.to_args()], current_app.config["REPORTS_CACHE_SECONDS"],
        lambda: {"group_by": group_by, "filter": f.to_args(),
                 **reports.totals(db.reports_session, f),
                 "counts": reports.stats(db.reports_session, f, group_by)})
    if refused_filters(f, g.staff_user):  # counts only, small ones suppressed
        body = reports.suppressed(body, current_app.config["MIN_CELL_COUNT"])
    return jsonify(body)


@bp.get("/exports/summary.docx")
@role_required(*READERS)
def export_summary() -> Any:
    f, lang, error = _filter_and_lang()
    if error is not None:
        return error
    code = (request.args.get("code") or "").strip()
    if not code:
        return json_errors({"code": [_l("Give the code of a principle, commitment, "
                                        "technology or theme, e.g. P2.")]}, 400)
    refused = refused_filters(f, g.staff_user)
    if refused:  # the summary quotes views: rows
        return json_errors({name: [ROWS_REFUSED] for name in refused}, 403)
    # The code names the summary's subject here, not a filter on the rows.
    f.code = None
    response = summary_docx_response(code, f, g.staff_user, lang)
    if response is None:
        return json_errors({"code": [_l("This is not a code we know: %(code)s",
                                        code=code[:16])]}, 404)
    return response
