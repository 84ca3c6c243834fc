"""Campaign pages of the moderation workspace: near-identical submissions reviewed once.

A moderator opens a campaign, sees its members, and takes one decision (approve with
tags, or do not publish with a reason) for all its pending members except those they
untick. The decision goes through moderation.bulk: each member's version is checked and
each gets its own audit event.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from app import reference
from app.auth.access import role_required
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import current_language, localized, ngettext
from app.i18n import gettext as _
from app.labels import REJECT_REASONS, STATUSES
from app.moderation.forms import BulkForm
from app.moderation.routes import REVIEWERS, _selection, bp
from app.services import ValidationFailed, parse_id
from app.services.assist import clusters
from app.services.review import campaigns as campaign_service


@bp.app_template_global()
def campaign_sizes(items: Any) -> dict[int, int]:
    """{cluster id: size} for the submissions of a page, in one query (queue badges)."""
    return clusters.sizes(db.session, [getattr(item, "cluster_id", None) for item in items])


@bp.get("/<lang:lang>/moderate/clusters")
@role_required(*REVIEWERS)
def clusters_list(lang: str) -> Any:
    order = request.args.get("order", "size")
    order = order if order in campaign_service.ORDERS else "size"
    round_id = parse_id(request.args.get("round", ""))
    try:
        page = campaign_service.list_clusters(db.session, round_id=round_id, order=order,
                                      cursor=request.args.get("cursor"), limit=50)
    except ValidationFailed:
        abort(400)
    all_rounds = reference.all_rounds()
    return render_template(
        "moderation/clusters.html", page=page, order=order, round_id=round_id,
        rounds=[(r.id, localized(r.title, current_language())) for r in all_rounds],
        stats=clusters.campaign_stats(db.session, round_id))


def _bulk_form(cluster: Any, formdata: Any = None) -> BulkForm:
    form = BulkForm(formdata)
    form.prepare(current_language(), reference.report_items(cluster.round_id))
    return form


def _cluster_or_404(cluster_id: int) -> Any:
    cluster = campaign_service.get(db.session, cluster_id)
    if cluster is None:
        abort(404)
    return cluster


@bp.get("/<lang:lang>/moderate/clusters/<int(max=2147483647):cluster_id>")
@role_required(*REVIEWERS)
def cluster(lang: str, cluster_id: int) -> Any:
    found = _cluster_or_404(cluster_id)
    return _render(found, _bulk_form(found))


def _render(found: Any, form: BulkForm, status: int = 200) -> Any:
    return render_template(
        "moderation/cluster.html", cluster=found, form=form,
        members=campaign_service.members(db.session, found), statuses=STATUSES,
        reasons=REJECT_REASONS, excerpt=campaign_service.excerpt), status


@bp.post("/<lang:lang>/moderate/clusters/<int(max=2147483647):cluster_id>/decision")
@role_required(*REVIEWERS)
def cluster_decide(lang: str, cluster_id: int) -> Any:
    found = _cluster_or_404(cluster_id)
    form = _bulk_form(found, request.form)
    action = request.form.get("action", "")
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
        return _render(found, form, 400)
    try:
        result = campaign_service.decide(db.session, found, by=g.staff_user, action=action,
                                 selection=_selection(request.form.getlist("selected")),
                                 tags=form.tag_input() if action == "approve" else None,
                                 reason=form.reason.data)
    except ValidationFailed as exc:
        db.session.rollback()
        for message in (m for ms in exc.errors.values() for m in ms):
            flash(str(message), "error")
        return _render(campaign_service.get(db.session, cluster_id), form, 422)
    db.session.commit()
    if result.done:
        flash(ngettext("%(num)d submission updated.", "%(num)d submissions updated.",
                       len(result.done)), "success")
    if result.stale:
        flash(ngettext("%(num)d submission was changed by someone else and was skipped.",
                       "%(num)d submissions were changed by someone else and were skipped.",
                       len(result.stale)), "error")
    if result.invalid:
        messages = sorted({str(m) for errors in result.invalid.values()
                           for ms in errors.values() for m in ms})
        flash(ngettext("%(num)d submission was not changed: %(reasons)s",
                       "%(num)d submissions were not changed: %(reasons)s",
                       len(result.invalid), reasons=" ".join(messages)), "error")
    if not (result.done or result.stale or result.invalid):
        flash(_("Nothing was changed."), "error")
    return redirect(url_for("moderation.cluster", cluster_id=cluster_id), code=303)
