"""Comparing consultation rounds for the strategy's revision, and archiving a round.

Registered on the reports blueprint (imported at the bottom of `app.reports.routes`).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from app.auth.access import role_required
from app.auth.forms import EmptyForm
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import (
    current_language,
    format_day,
    format_share,
    format_signed,
    localized,
    text_direction,
)
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.models import ItemKind, Role, Round
from app.reports import charts
from app.reports.charts import AXIS_COLOUR, TEXT_COLOUR
from app.reports.routes import READERS, bp
from app.services import NotEditable, NotFound, ValidationFailed, parse_id
from app.services.platform import rounds as rounds_service
from app.services.platform.rounds import RoundState
from app.services.reporting import archive

MAX_ROUNDS = 6
STATE_LABELS = {
    RoundState.UPCOMING: _l("Upcoming"),
    RoundState.OPEN: _l("Open"),
    RoundState.CLOSED: _l("Closed"),
}
# Several rounds side by side: different shades, and each bar also says its round's number,
# so that colour is never the only way to tell them apart.
ROUND_FILLS = ("#005a8e", "#6f9ec2", "#1b1b1b", "#8a8f96", "#3d7a3d", "#a86f00")



def share_text(value: float | None, lang: str) -> str:
    """A share as a localized percentage with one decimal at most (75 %, 33,3 %)."""
    if value is None:
        return _("Not in this round")
    return format_share(value, lang)


def change_text(points: float | None, lang: str) -> str:
    """A change in percentage points with its sign and, in words, its direction."""
    if points is None:
        return _("Not comparable")
    points = round(points, 1)
    if points == 0:
        return _("No change")
    number = format_signed(points, lang)
    return _("%(points)s (up)", points=number) if points > 0 else \
        _("%(points)s (down)", points=number)


def comparison_chart(rows: Sequence[dict[str, Any]], rounds: int, *, title: str,
                     description: str, rtl: bool, width: int = 640) -> Markup:
    """Grouped horizontal bars: for each item, one bar per round (numbered), the share
    written at its end. Mirrored for right-to-left languages (bars grow from the right)."""
    bar, gap, group_gap, margin = 16, 3, 14, 8
    label_width = 200
    plot = width - label_width - 110
    group = rounds * (bar + gap) - gap
    height = margin * 2 + len(rows) * (group + group_gap)
    top = max((s for row in rows for s in row["shares"] if s is not None), default=0) or 1
    parts: list[str] = []

    def x(position: float) -> float:
        """Distance from the start edge, turned into an SVG x for the direction."""
        return width - position if rtl else position

    # With direction="rtl", text-anchor start and end are already mirrored.
    direction = ' direction="rtl"' if rtl else ""
    for index, row in enumerate(rows):
        y0 = margin + index * (group + group_gap)
        label = row["short"]
        parts.append(f'<text x="{x(label_width - margin):.0f}" y="{y0 + group / 2 + 5:.0f}" '
                     f'text-anchor="end" font-size="13" fill="{TEXT_COLOUR}"'
                     f'{direction}>{escape(label)}</text>')
        for number, (share, text) in enumerate(zip(row["shares"], row["share_texts"],
                                                   strict=True)):
            y = y0 + number * (bar + gap)
            length = round(plot * share / top) if share else 0
            start = x(label_width + length) if rtl else x(label_width)
            if length:
                parts.append(f'<rect x="{start:.0f}" y="{y}" width="{length}" height="{bar}" '
                             f'fill="{ROUND_FILLS[number % len(ROUND_FILLS)]}"/>')
            caption = f"{number + 1}: {text}"
            parts.append(f'<text x="{x(label_width + length + 6):.0f}" y="{y + bar - 4}" '
                         f'text-anchor="start" font-size="12" fill="{TEXT_COLOUR}"'
                         f'{direction}>{escape(caption)}</text>')
    axis = x(label_width)
    parts.append(f'<line x1="{axis:.0f}" y1="{margin}" x2="{axis:.0f}" y2="{height - margin}" '
                 f'stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    return charts.svg_frame(width, height, title, description, "".join(parts))


def _selected() -> tuple[list[int], bool]:
    """Round ids from ?round=1&round=2, and whether any value was not a round id."""
    raw = request.args.getlist("round")
    ids = [ident for ident in map(parse_id, raw) if ident is not None]
    return list(dict.fromkeys(ids)), len(ids) != len(raw)


def _sections(comparison: archive.Comparison, lang: str) -> list[dict[str, Any]]:
    titles = {ItemKind.PRINCIPLE: _("Principles"), ItemKind.COMMITMENT: _("Commitments")}
    count = len(comparison.rounds)
    sections = []
    for kind, rows in comparison.rows.items():
        view_rows = []
        for row in rows:
            label = localized(row.labels, lang)
            full = f"{row.code} · {label}" if label else row.code
            view_rows.append({
                "code": row.code, "labels": row.labels, "label": full,
                "short": full if len(full) <= 28 else full[:27] + "…",
                "shares": row.shares,
                "share_texts": [share_text(s, lang) for s in row.shares],
                "counts": row.counts,
                "changes": [change_text(c, lang) for c in row.changes],
            })
        description = "; ".join(
            f"{r['label']}: " + ", ".join(
                _("round %(number)s %(share)s", number=i + 1, share=text)
                for i, text in enumerate(r["share_texts"]))
            for r in view_rows)
        title = _("%(kind)s: share of approved submissions in each round", kind=titles[kind])
        sections.append({
            "id": f"compare-{kind.value}", "title": titles[kind], "rows": view_rows,
            "chart": comparison_chart(view_rows, count, title=title, description=description,
                                      rtl=text_direction(lang) == "rtl"),
        })
    return sections


def _render(*, error: str | None = None, status: int = 200) -> Any:
    lang = current_language()
    ids, malformed = _selected()
    comparison = None
    if error is None and malformed:
        error, status = _("Choose rounds from the list."), 400
    elif error is None and len(ids) > MAX_ROUNDS:
        error = _("Choose at most %(count)s rounds.", count=MAX_ROUNDS)
        status = 400
    elif error is None and ids:
        try:
            comparison = archive.compare(db.reports_session, ids)
        except ValidationFailed as exc:
            error, status = "; ".join(str(m) for m in exc.errors.get("round", [])), 400
        except NotFound as exc:
            error, status = str(exc.message), 404
    all_rounds = rounds_service.list_rounds(db.reports_session)
    return render_template(
        "reports/compare.html", rounds=all_rounds, selected=set(ids),
        snapshots=archive.snapshots_by_round(db.reports_session), comparison=comparison,
        sections=_sections(comparison, lang) if comparison else [], error=error,
        states={round_.id: rounds_service.round_state(round_) for round_ in all_rounds},
        state_labels=STATE_LABELS,
        can_archive=g.staff_user.role == Role.ADMIN,
        format_day=lambda value: format_day(value, "long", lang)), status


@bp.get("/compare")
@role_required(*READERS)
def compare(lang: str) -> Any:
    return _render()


@bp.post("/rounds/<int(max=2147483647):round_id>/archive")
@role_required(Role.ADMIN)
def archive_round(lang: str, round_id: int) -> Any:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    if EmptyForm(request.form).csrf_failed():
        return _render(error=str(CSRF_ERROR), status=400)
    try:
        archive.archive_round(db.session, round_, by=g.staff_user)
    except NotEditable as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The round is closed and archived: its counts are frozen for comparisons."),
              "success")
    back = [str(i) for i in map(parse_id, request.form.getlist("round")) if i is not None]
    return redirect(url_for("reports.compare", round=back[:MAX_ROUNDS]), code=303)
