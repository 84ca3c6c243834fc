"""Export responses shared by the report pages and the API: audited, then streamed."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Response,
    make_response,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from app import reference
from app.db import db, writing
from app.i18n import cldr, force_locale, format_number, localized, text_direction
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.labels import ACTOR_TYPES, AGE_RANGES, GENDERS
from app.models import ActorType, ItemKind, User
from app.regions import REGIONS
from app.security import external_url
from app.services.accounts import audit
from app.services.reporting import export, reports

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


ROWS_REFUSED = _l("For your role, filters on gender and age apply to counts only (the "
                  "dashboard and the stats API): remove them to download or list views.")


def refused_filters(f: reports.ReportFilter, user: User) -> list[str]:
    """The demographic filters of `f` that `user` may not apply to rows (issue #14): all
    of them for the reference group, none for moderators and admins."""
    return [] if user.role.is_staff_reviewer else reports.demographic_filters(f)


def refusal_page() -> Response:
    """The 403 page of a row-level download that a demographic filter makes refused, with
    a link to the same download without those filters."""
    args = {key: value for key, value in request.args.items()
            if key not in reports.DEMOGRAPHIC_FILTERS}
    retry_url = url_for(request.endpoint, **(request.view_args or {}), **args)
    response = make_response(render_template(
        "errors/error.html", status=403, title=_("Not with these filters"),
        message=str(ROWS_REFUSED), retry_url=retry_url,
        retry_label=_("Download without the gender and age filters")))
    response.status_code = 403
    return response


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M}.{extension}"


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # let nginx pass the stream through
    return response


def _audit(action: str, user: User, **details: Any) -> None:
    """Record a download in the audit log in a short transaction of its own.

    Whatever was read before (the row count) ends first: on SQLite a transaction that has
    read cannot start writing once another connection has written since ("database is
    locked" at once, the busy timeout does not help), so an export that read, then wrote
    its audit row in the same transaction, failed whenever a submission or another
    download's audit row landed in between. A fresh transaction that begins by taking the
    write lock waits its turn instead."""
    db.reports_session.commit()  # ends the read; nothing is pending in it
    with writing():
        audit.record(db.session, action, actor=user, **details)
        db.session.commit()


def submissions_export(fmt: str, f: reports.ReportFilter, user: User, lang: str) -> Response:
    """Record the export in the audit log (who, filter, rows), commit, then stream it.

    Rows are read through the reports session (a replica when configured); the audit
    event is written to the primary. Codes come with their labels in `lang`."""
    rows = reports.total(db.reports_session, f)
    _audit("export.submissions", user, format=fmt, filter=f.to_args(), rows=rows)
    with_personal = user.role.is_staff_reviewer
    items = reference.report_items(f.round_id)
    labels = export_labels(items, lang)
    records = export.with_labels(
        export.iter_rows(db.reports_session, f, with_personal=with_personal,
                         attachment_url=attachment_url), labels)
    if fmt == "csv":
        body = stream_with_context(export.csv_chunks(
            records, columns=(*export.COLUMNS, *export.LABEL_COLUMNS,
                              *export.ORGANISATION_COLUMNS, *export.ATTACHMENT_COLUMNS)))
        return _attachment(Response(body, mimetype=MIMETYPES["csv"]),
                           _filename("submissions", "csv"))
    if fmt == "jsonl":
        body = stream_with_context(export.jsonl_chunks(records))
        return _attachment(Response(body, mimetype=MIMETYPES["jsonl"]),
                           _filename("submissions", "jsonl"))
    report = xlsx_report(f, lang, rows, items, labels, with_personal=with_personal)
    workbook = export.write_xlsx(records, report)

    def chunks() -> Any:
        try:
            while block := workbook.read(64 * 1024):
                yield block
        finally:
            workbook.close()

    return _attachment(Response(chunks(), mimetype=MIMETYPES["xlsx"]),
                       _filename("submissions", "xlsx"))


def attachment_url(attachment_id: int) -> str:
    """Where the reference group downloads a public attachment (an export's links)."""
    return external_url("reports.download_attachment", attachment_id=attachment_id)


def export_labels(items: dict[ItemKind, list[Any]], lang: str) -> export.Labels:
    """The labels of every code an export writes, in `lang`."""
    locale = cldr(lang)
    with force_locale(lang):
        return export.Labels(
            items={item.code: localized(item.labels, lang)
                   for kind in ItemKind for item in items[kind]},
            actor_types={a.value: str(label) for a, label in ACTOR_TYPES.items()},
            age_ranges={a.value: str(label) for a, label in AGE_RANGES.items()},
            genders={g.value: str(label) for g, label in GENDERS.items()},
            languages=locale.languages, territories=locale.territories)


def _kind_titles() -> dict[ItemKind, str]:
    return {ItemKind.PRINCIPLE: _("Principles"), ItemKind.COMMITMENT: _("Commitments"),
            ItemKind.TECHNOLOGY: _("Technology areas"), ItemKind.THEME: _("Themes")}


def _filters_used(f: reports.ReportFilter, labels: export.Labels, lang: str) -> str:
    """The filters of an export as a reader would say them, one a line."""
    lines = []
    if f.round_id is not None:
        found = next((r for r in reference.all_rounds() if r.id == f.round_id), None)
        lines.append((_("Round"), localized(found.title, lang) if found else str(f.round_id)))
    if f.date_from:
        lines.append((_("From (date)"), f.date_from.isoformat()))
    if f.date_to:
        lines.append((_("To (date)"), f.date_to.isoformat()))
    if f.language:
        lines.append((_("Language"), labels.languages.get(f.language, f.language)))
    if f.actor_type is not None:
        lines.append((_("Actor type"), labels.actor_types.get(f.actor_type.value, "")))
    if f.region:
        lines.append((_("Region"), labels.territories.get(f.region, f.region)))
    if f.youth is not None:
        lines.append((_("Age"), _("Under 25") if f.youth else _("25 or over")))
    if f.age_range is not None:
        lines.append((_("Age range"), labels.age_ranges.get(f.age_range.value, "")))
    if f.gender is not None:
        lines.append((_("Gender"), labels.genders.get(f.gender.value, "")))
    if f.code:
        lines.append((_("Code"), labels.tagged(f.code)))
    if f.q:
        lines.append((_("Search text or reference"), f.q))
    if not lines:
        return _("None: every approved view.")
    return "\n".join(f"{name}: {value}" for name, value in lines)


def xlsx_report(f: reports.ReportFilter, lang: str, rows: int,
                items: dict[ItemKind, list[Any]], labels: export.Labels, *,
                with_personal: bool) -> export.XlsxReport:
    """What the workbook says besides its rows, in `lang`: sheet names, headings, the
    "Read me" sheet, the totals and the cross-tabs (counted on the reports session)."""
    coded = [*items[ItemKind.PRINCIPLE], *items[ItemKind.COMMITMENT]]
    sheets_per_code = rows <= export.XLSX_SHEETS_MAX_ROWS
    session = db.reports_session
    counts = {kind: reports.count_by_tag(session, f, kind) for kind in ItemKind}
    by_actor, by_region = reports.code_crosstabs(session, f)
    actor_counts = reports.count_by_actor_type(session, f)
    region_counts = reports.count_by_region(session, f)
    language_counts = reports.count_by_language(session, f)
    actor_codes = [a.value for a in ActorType]
    region_codes = [*REGIONS, "unknown"]
    all_items = [item for kind in ItemKind for item in items[kind]]
    with force_locale(lang):
        kinds = _kind_titles()
        not_given = _("Not given")
        views = _("Submissions")
        region_names = {code: labels.territories.get(code, code) for code in REGIONS}
        region_names["unknown"] = not_given
        actor_names = {**labels.actor_types, "unknown": not_given}
        headings = {
            "reference": _("Reference"), "round": _("Round"), "language": _("Language code"),
            "language_label": _("Language"), "title": _("Title"), "body": _("Text"),
            "actor_type": _("Actor type code"), "actor_type_label": _("Actor type"),
            "country": _("Country code"), "country_label": _("Country or area"),
            "region": _("Region code"), "region_label": _("Region"),
            "age_range_label": _("Age range"), "gender_label": _("Gender"),
            "principles": _("Principles"), "commitments": _("Commitments"),
            "technologies": _("Technology areas"), "themes": _("Themes"),
            "keywords": _("Keywords"), "created_at": _("Received (UTC)"),
            "decided_at": _("Decided (UTC)"), "cluster_id": _("Campaign"),
            "channel": _("Channel"), "source": _("Source"),
            "paragraph": _("Paragraph of the strategy"),
            "organisation": _("On behalf of (organisation)"),
            "organisation_website": _("Website of the organisation"),
            "organisation_publish": _("Organisation's name may be published"),
            "attachments": _("Attached files"),
            "attachment_urls": _("Attached files: download links"),
        }
        sheet_names = {"readme": _("Read me"), "all": _("All submissions"),
                       "totals": _("Totals"), "by_actor": _("Codes by actor type"),
                       "by_region": _("Codes by region")}
        readme = [
            ("", _("One row per approved view that matches the filters below, as the "
                   "reference group may read it: the public text (the moderators' redacted "
                   "version where there is one), never a name or an email address. Codes "
                   "are kept for sorting and filtering; labels are in the language of this "
                   "file. Dates and times are in UTC.")),
            (_("Filters used"), _filters_used(f, labels, lang)),
            (_("Made on (UTC)"), dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)),
            (_("Views in this file"), rows),
            ("", ""),
            (sheet_names["all"], _("Every view, one row each, with the codes and their "
                                   "labels.")),
            (_("A sheet per code"), _("The views tagged with each principle and commitment, "
                                      "named by its code, or by its code and label when "
                                      "they fit.")
             if sheets_per_code else _(
                 "This workbook has more than %(limit)s rows, so it has no sheet per "
                 "principle and commitment. To get the rows of one, export again with it "
                 "as a filter.", limit=format_number(export.XLSX_SHEETS_MAX_ROWS, lang))),
            (sheet_names["totals"], _("Views per code, actor type, region and language, "
                                      "with their share of all the views in this file. A "
                                      "view can carry several codes, so shares add up to "
                                      "more than 100%.")),
            (sheet_names["by_actor"], _("Views per code and actor type.")),
            (sheet_names["by_region"], _("Views per code and region.")),
        ]
        code_table = export.Table(
            title=_("Codes and their labels"), headings=[_("Code"), _("Label"), _("Kind")],
            rows=[(item.code, labels.items.get(item.code, ""), kinds[item.kind])
                  for item in all_items])
        heading = [_("Code"), _("Label"), views]
        totals = [export.Table(title=kinds[kind], headings=heading, shares_of=rows or None,
                               rows=[(item.code, labels.items.get(item.code, ""),
                                      counts[kind].get(item.code, 0)) for item in items[kind]])
                  for kind in ItemKind]
        totals += [
            export.Table(title=_("Actor types"), headings=heading, shares_of=rows or None,
                         rows=[(code, actor_names[code], actor_counts.get(code, 0))
                               for code in actor_codes]),
            export.Table(title=_("Regions"), headings=heading, shares_of=rows or None,
                         rows=[(code, region_names[code], region_counts.get(code, 0))
                               for code in region_codes]),
            export.Table(title=_("Languages"), headings=heading, shares_of=rows or None,
                         rows=[(code, labels.languages.get(code, code), n) for code, n in
                               sorted(language_counts.items(), key=lambda pair: -pair[1])]),
        ]
        total_heading = _("All actor types")
        cross_actor = export.Table(
            title=sheet_names["by_actor"],
            headings=[_("Code"), _("Label"), total_heading,
                      *(actor_names[code] for code in [*actor_codes, "unknown"])],
            rows=[(item.code, labels.items.get(item.code, ""),
                   sum(by_actor.get(item.code, {}).values()),
                   *(by_actor.get(item.code, {}).get(code, 0)
                     for code in [*actor_codes, "unknown"])) for item in all_items])
        cross_region = export.Table(
            title=sheet_names["by_region"],
            headings=[_("Code"), _("Label"), _("All regions"),
                      *(region_names[code] for code in region_codes)],
            rows=[(item.code, labels.items.get(item.code, ""),
                   sum(by_region.get(item.code, {}).values()),
                   *(by_region.get(item.code, {}).get(code, 0) for code in region_codes))
                  for item in all_items])
        return export.XlsxReport(
            lang=lang, rtl=text_direction(lang) == "rtl", labels=labels, headings=headings,
            sheet_names=sheet_names, readme=readme,
            readme_title=_("Approved views of the consultation"), code_table=code_table,
            code_sheets=[(item.code, labels.items.get(item.code, "")) for item in coded]
            if sheets_per_code else [],
            totals=totals, by_actor=cross_actor, by_region=cross_region,
            with_personal=with_personal, share_heading=_("Share"),
            yes_no=(_("yes"), _("no")))


def summary_docx_response(code: str, f: reports.ReportFilter, user: User, lang: str
                          ) -> Response | None:
    """The themed summary of `code` as a Word document (None for an unknown code)."""
    from app.services.reporting import summary_docx

    data = summary_docx.summary_docx(db.reports_session, code, f, lang)
    if data is None:
        return None
    _audit("export.summary", user, format="docx", code=code.upper(), lang=lang,
           filter=f.to_args())
    return _attachment(Response(data, mimetype=summary_docx.MIMETYPE),
                       summary_docx.filename(code, lang))
