"""Reports for the reference group: the dashboard, themed summaries and downloads."""
from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, abort, current_app, g, render_template, request

from app import cache, reference
from app.auth.access import role_required
from app.db import db
from app.i18n import (
    cldr,
    country_name,
    current_language,
    format_day,
    format_number,
    format_share,
    language_name,
    localized,
    text_direction,
)
from app.i18n import gettext as _
from app.labels import ACTOR_TYPES, CHANNELS
from app.models import ActorType, ItemKind, Role
from app.regions import REGIONS, region_name
from app.reports import charts
from app.reports.downloads import (
    refusal_page,
    refused_filters,
    submissions_export,
    summary_docx_response,
)
from app.reports.forms import ReportFilterForm
from app.services import ValidationFailed
from app.services.reporting import code_views as views_of_code
from app.services.reporting import reliability, reports
from app.services.review import agreement
from app.services.strategy import editions as strategy_editions

bp = Blueprint("reports", __name__, url_prefix="/<lang:lang>/reports")

READERS = (Role.ADMIN, Role.MODERATOR, Role.REFERENCE)


@bp.app_template_filter("reject_code")
def reject_code(args: dict[str, str]) -> dict[str, str]:
    """Filter arguments without the themed-summary code, for links to other codes."""
    return {key: value for key, value in args.items() if key != "code"}


def kind_title(kind: ItemKind) -> str:
    return {
        ItemKind.PRINCIPLE: _("Principles"),
        ItemKind.COMMITMENT: _("Commitments"),
        ItemKind.TECHNOLOGY: _("Technology areas"),
        ItemKind.THEME: _("Themes"),
    }[kind]


def actor_label(code: str) -> str:
    try:
        return str(ACTOR_TYPES[ActorType(code)])
    except ValueError:
        return _("Not given")


def region_label(code: str) -> str:
    return region_name(code, current_language()) if code != "unknown" else _("Not given")


def _filter() -> tuple[reports.ReportFilter, ReportFilterForm, int]:
    form = ReportFilterForm(request.args)
    lang = current_language()
    form.prepare(lang, reference.all_rounds(), [
        (p.key, strategy_editions.paragraph_label(p, lang))
        for p in reference.current_paragraphs()])
    try:
        return reports.ReportFilter.from_args(request.args), form, 200
    except ValidationFailed as exc:
        for name, messages in exc.errors.items():
            field = form._fields.get(name)
            if field is not None:
                field.errors = [str(m) for m in messages]
        return reports.ReportFilter(), form, 400


def _min_cell(f: reports.ReportFilter) -> int:
    """The small-cell threshold of this page: MIN_CELL_COUNT when a reference group member
    filters on gender or age (counts only, small ones shown as "< N"), else 0."""
    return current_app.config["MIN_CELL_COUNT"] if refused_filters(f, g.staff_user) else 0


@bp.app_template_filter("cell")
def cell(count: int, min_cell: int = 0) -> str:
    """A count as the page shows it: "< 5" when small-cell suppression hides it."""
    if reports.small(count, min_cell or 0):
        return f"< {format_number(min_cell)}"
    return format_number(count)


@bp.app_template_filter("share_cell")
def share_cell(share: float, count: int, min_cell: int = 0) -> str:
    """A share, or a dash when its count is suppressed (the share would give it back)."""
    return "–" if reports.small(count, min_cell or 0) else format_share(share)


def _rows(counts: dict[str, int], labels: dict[str, str], total: int
          ) -> list[tuple[str, str, int, float]]:
    """(code, label, count, share) in the order of `labels`."""
    return [(code, label, counts.get(code, 0), counts.get(code, 0) / total if total else 0.0)
            for code, label in labels.items()]


def _chart(rows: list[tuple[str, str, int, float]], title: str) -> Any:
    described = "; ".join(f"{label}: {count}" for _code, label, count, _share in rows)
    return charts.bar_chart([(label, count) for _code, label, count, _share in rows],
                            title=title, description=described,
                            rtl=text_direction() == "rtl")


@bp.get("/")
@role_required(*READERS)
def dashboard(lang: str) -> Any:
    f, form, status = _filter()
    min_cell = _min_cell(f)
    counts = cache.remember("dashboard", f.to_args(), current_app.config["REPORTS_CACHE_SECONDS"],
                            lambda: reports.dashboard_counts(db.reports_session, f))
    data = reports.Dashboard.from_counts(counts, reference.report_items(f.round_id))
    sections = []
    for kind in ItemKind:
        labels = {item.code: f"{item.code} · {localized(item.labels, lang)}"
                  for item in data.items[kind]}
        rows = _rows(data.by_kind[kind], labels, data.total)
        sections.append({"kind": kind, "title": kind_title(kind), "rows": rows,
                         "chart": None if min_cell else _chart(rows, kind_title(kind))})
    actor_rows = _rows(data.actor_types, {a.value: str(label) for a, label in ACTOR_TYPES.items()},
                       data.total)
    region_rows = _rows(data.regions, {code: region_label(code) for code in
                                       (*REGIONS, "unknown")}, data.total)
    language_rows = sorted(_rows(data.languages, {code: language_name(code) for code in
                                                  data.languages}, data.total),
                           key=lambda row: -row[2])
    coder_agreement = reliability.Agreement.from_json(cache.remember(
        "agreement", f.to_args(), current_app.config["REPORTS_CACHE_SECONDS"],
        lambda: reliability.agreement(db.reports_session, f).to_json()))
    timeline = charts.bucket_timeline(data.timeline)
    timeline_rows = [(format_day(day, "medium", lang), count) for day, count in timeline]
    timeline_chart = None if min_cell else charts.column_chart(
        timeline_rows, title=_("Submissions over time"),
        description="; ".join(f"{label}: {count}" for label, count in timeline_rows),
        rtl=text_direction() == "rtl")
    return render_template(
        "reports/dashboard.html", form=form, data=data, sections=sections,
        actor_rows=actor_rows,
        actor_chart=None if min_cell else _chart(actor_rows, _("Actor types")),
        region_rows=region_rows,
        region_chart=None if min_cell else _chart(region_rows, _("Regions")),
        language_rows=language_rows, timeline_rows=timeline_rows, min_cell=min_cell,
        channel_rows=_rows(data.channels, {c.value: str(label) for c, label in CHANNELS.items()},
                           data.total),
        paragraph_rows=_paragraph_rows(data.paragraphs, data.total, lang),
        timeline_chart=timeline_chart, filter_args=f.to_args(),
        principle_items=data.items[ItemKind.PRINCIPLE],
        commitment_items=data.items[ItemKind.COMMITMENT],
        actor_codes=[a.value for a in ActorType], region_codes=[*REGIONS, "unknown"],
        organisations=data.organisations,
        organisation_actors=[a.value for a in ActorType if a != ActorType.INDIVIDUAL],
        actor_label=actor_label, region_label=region_label,
        coder_agreement=coder_agreement, code_labels={
            item.code: f"{item.code} · {localized(item.labels, lang)}"
            for kind in agreement.CODED_KINDS for item in data.items[kind]}), status


def _paragraph_rows(counts: dict[str, int], total: int, lang: str
                    ) -> list[tuple[str, str, int, float]]:
    """Views per paragraph of the strategy: the current text's in order, then any other
    key views still name (a paragraph a revision removed)."""
    labels = {p.key: strategy_editions.paragraph_label(p, lang)
              for p in reference.current_paragraphs()}
    labels.update({key: key for key in sorted(counts) if key not in labels})
    return _rows(counts, labels, total) if counts else []


def cached_summary(code: str, f: reports.ReportFilter) -> reports.Summary | None:
    """The themed summary, its counts and quotes cached like the dashboard's."""
    item = reports.find_item(db.reports_session, code, f)
    if item is None:
        return None

    def compute() -> dict[str, Any]:
        found = reports.summary(db.reports_session, item.code, f)
        data = dataclasses.asdict(found)
        del data["item"], data["filter"]
        return data

    data = cache.remember("summary", [item.code, f.to_args()],
                          current_app.config["REPORTS_CACHE_SECONDS"], compute)
    themed = dataclasses.replace(f, code=item.code)
    return reports.Summary(
        item=item, filter=themed, total=data["total"], base_total=data["base_total"],
        actor_types=data["actor_types"], regions=data["regions"], languages=data["languages"],
        co_occurring=[tuple(pair) for pair in data["co_occurring"]],
        keywords=[tuple(pair) for pair in data["keywords"]],
        quotes={actor: [reports.Quote(**quote) for quote in quotes]
                for actor, quotes in data["quotes"].items()})


@bp.get("/summary/<code>")
@role_required(*READERS)
def summary(lang: str, code: str) -> Any:
    f, form, status = _filter()
    min_cell = _min_cell(f)
    result = cached_summary(code, f)
    if result is None:
        abort(404)
    if min_cell:  # the quotes are views one by one: not with a demographic filter
        result.quotes = {}
    actor_rows = _rows(result.actor_types, {a.value: str(label)
                                            for a, label in ACTOR_TYPES.items()}, result.total)
    region_rows = _rows(result.regions, {c: region_label(c) for c in
                                         (*REGIONS, "unknown")}, result.total)
    language_rows = sorted(_rows(result.languages, {c: language_name(c)
                                                    for c in result.languages}, result.total),
                           key=lambda row: -row[2])
    labels = {item.code: localized(item.labels, lang)
              for items in reference.report_items(f.round_id).values() for item in items}
    return render_template(
        "reports/summary.html", form=form, result=result, item=result.item,
        actor_rows=actor_rows,
        actor_chart=None if min_cell else _chart(actor_rows, _("Actor types")),
        region_rows=region_rows, language_rows=language_rows, labels=labels,
        min_cell=min_cell,
        filter_args=f.to_args(), actor_label=actor_label, country_name=country_name), status


VIEWS_PER_PAGE = 25


@bp.get("/summary/<code>/views")
@role_required(*READERS)
def code_views(lang: str, code: str) -> Any:
    """Every approved view of a code, one group and one page at a time, grouped as in the
    Word summary; the public text only."""
    f, form, status = _filter()
    item = reports.find_item(db.reports_session, code, f)
    if item is None:
        abort(404)
    if refused_filters(f, g.staff_user):  # a list of views is row-level (issue #14)
        return refusal_page()
    if f.language and f.language not in cldr("en").languages:
        form.language.errors = [_("This is not a language we know: %(code)s",
                                  code=f.language)]
        status = 400
    page = (request.args.get("page") or "1").strip()
    page_error = None
    if not (page.isascii() and page.isdigit()) or int(page) < 1:  # "²" is a digit too
        page_error = _("The page must be a whole number, from 1.")
        status = 400
    context = {"form": form, "item": item, "page_error": page_error, "groups": [],
               "current": None, "total": 0, "filter_args": reject_code(f.to_args()),
               "page": 1, "pages": 1, "labels": {}, "actor_label": actor_label,
               "region_label": region_label, "country_name": country_name}
    if status != 200:
        return render_template("reports/views.html", **context), status
    session = db.reports_session
    themed = dataclasses.replace(f, code=item.code)
    order = views_of_code.group_order(session, themed)
    sizes = views_of_code.group_sizes(session, themed, order)
    groups = sorted(sizes.items(), key=lambda pair: (pair[0] == views_of_code.NO_GROUP,
                                                     -pair[1], pair[0]))
    key = request.args.get("group") or (groups[0][0] if groups else views_of_code.NO_GROUP)
    if groups and key not in sizes:
        abort(404)
    size = sizes.get(key, 0)
    pages = max(1, -(-size // VIEWS_PER_PAGE))
    number = min(int(page), pages)
    listing = None
    if views_of_code.SUBTHEME_MIN_GROUP < size <= current_app.config["SUMMARY_MAX_VIEWS"]:
        # Sub-themes as in the Word summary: clustering reads the whole group, so its
        # order is kept like the report's counts while the reader pages through it.
        listing = cache.remember(
            "code_views", [item.code, key, lang, f.to_args()],
            current_app.config["REPORTS_CACHE_SECONDS"],
            lambda: views_of_code.group_listing(session, themed, order, key))
    context.update(
        groups=groups, total=sum(sizes.values()), page=number, pages=pages,
        current=views_of_code.group_page(session, themed, order, key, size, page=number,
                                         per_page=VIEWS_PER_PAGE, listing=listing)
        if size else None,
        labels={i.code: f"{i.code} · {localized(i.labels, lang)}"
                for items in reference.report_items(f.round_id).values() for i in items})
    return render_template("reports/views.html", **context)


@bp.get("/export/submissions.<any(csv, xlsx, jsonl):fmt>")
@role_required(*READERS)
def export_submissions(lang: str, fmt: str) -> Any:
    f, _form, status = _filter()
    if status != 200:
        abort(400)
    if refused_filters(f, g.staff_user):
        return refusal_page()
    return submissions_export(fmt, f, g.staff_user, lang)


@bp.get("/summary/<code>.docx")
@role_required(*READERS)
def summary_docx(lang: str, code: str) -> Any:
    f, _form, status = _filter()
    if status != 200:
        abort(400)
    if refused_filters(f, g.staff_user):
        return refusal_page()
    response = summary_docx_response(code, f, g.staff_user, lang)
    if response is None:
        abort(404)
    return response
