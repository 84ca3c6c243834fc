"""Double coding in the moderation workspace: the second-coding queue (the text without the
first coder's tags) and the reconciliation queue (both codings side by side)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from wtforms import HiddenField

from app.auth.access import role_required
from app.db import db
from app.forms import CSRF_ERROR, BaseForm, MultiCheckboxField
from app.i18n import current_language, localized
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.models import ItemKind, TagSource
from app.models.coding import CodingState, DoubleCoding
from app.moderation.routes import REVIEWERS, bp
from app.services import NotEditable, StaleVersion, ValidationFailed, parse_id
from app.services.platform import taxonomy as taxonomy_service
from app.services.review import agreement


class CodingForm(BaseForm):
    principles = MultiCheckboxField(_l("Principles"), validate_choice=False)
    commitments = MultiCheckboxField(_l("Commitments"), validate_choice=False)

    def prepare(self, items: dict[ItemKind, list[Any]]) -> None:
        lang = current_language()
        for kind in (ItemKind.PRINCIPLE, ItemKind.COMMITMENT):
            getattr(self, kind.group).choices = [
                (item.code, f"{item.code} · {localized(item.labels, lang)}")
                for item in items[kind]]


class ReconcileForm(CodingForm):
    version = HiddenField()


def _unit(submission_id: int) -> DoubleCoding:
    unit = agreement.get_unit(db.session, submission_id)
    if unit is None:
        abort(404)
    return unit


def _items(unit: DoubleCoding) -> dict[ItemKind, list[Any]]:
    return taxonomy_service.items_by_kind(db.session, unit.submission.round.strategy_version_id)


def _attach(form: CodingForm, errors: dict[str, list[Any]]) -> None:
    for name, messages in errors.items():
        target = form.commitments if name == "commitments" else form.principles
        target.errors = list(target.errors or []) + [str(m) for m in messages]


@bp.get("/<lang:lang>/moderate/second-coding")
@role_required(*REVIEWERS)
def second_coding_queue(lang: str) -> Any:
    try:
        page = agreement.second_coding_queue(db.session, g.staff_user,
                                             cursor=request.args.get("cursor"))
    except ValidationFailed:
        abort(400)
    return render_template("moderation/coding_queue.html", page=page,
                           title=_("Second coding"), endpoint="moderation.second_coding",
                           queue_endpoint="moderation.second_coding_queue",
                           intro=_("Code these approved submissions again, on your own: the "
                                   "first moderator's tags stay hidden until you have coded."),
                           empty=_("Nothing waits for a second coding."))


@bp.get("/<lang:lang>/moderate/reconcile")
@role_required(*REVIEWERS)
def reconcile_queue(lang: str) -> Any:
    try:
        page = agreement.reconciliation_queue(db.session, cursor=request.args.get("cursor"))
    except ValidationFailed:
        abort(400)
    return render_template("moderation/coding_queue.html", page=page,
                           title=_("Reconciliation"), endpoint="moderation.reconcile",
                           queue_endpoint="moderation.reconcile_queue",
                           intro=_("The two moderators who coded these submissions chose "
                                   "different principles or commitments. Set the final tags."),
                           empty=_("No disagreements to reconcile."))


def _render_second(unit: DoubleCoding, form: CodingForm, status: int = 200) -> Any:
    submission = unit.submission
    contributor = {t.item.code for t in submission.tags if t.source == TagSource.CONTRIBUTOR}
    return render_template("moderation/second_coding.html", unit=unit, submission=submission,
                           form=form, contributor_codes=contributor), status


def _refuse(unit: DoubleCoding) -> Any:
    """Why this moderator cannot code this unit now, or None when they can."""
    if unit.first_coder_id == g.staff_user.id:
        return _("You coded this submission first: another moderator must code it the "
                 "second time.")
    if unit.state != CodingState.AWAITING:
        return _("Someone else already coded this submission a second time.")
    return None


@bp.get("/<lang:lang>/moderate/second-coding/<int(max=2147483647):submission_id>")
@role_required(*REVIEWERS)
def second_coding(lang: str, submission_id: int) -> Any:
    unit = _unit(submission_id)
    refusal = _refuse(unit)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("moderation.second_coding_queue"), code=303)
    form = CodingForm()  # empty on purpose: the first coder's tags are not shown
    form.prepare(_items(unit))
    return _render_second(unit, form)


@bp.post("/<lang:lang>/moderate/second-coding/<int(max=2147483647):submission_id>")
@role_required(*REVIEWERS)
def second_code(lang: str, submission_id: int) -> Any:
    unit = _unit(submission_id)
    form = CodingForm(request.form)
    form.prepare(_items(unit))
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
        return _render_second(unit, form, 400)
    try:
        agreement.second_code(db.session, unit, by=g.staff_user,
                              principles=form.principles.data or [],
                              commitments=form.commitments.data or [])
    except (NotEditable, StaleVersion) as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("moderation.second_coding_queue"), code=303)
    except ValidationFailed as exc:
        db.session.rollback()
        _attach(form, exc.errors)
        return _render_second(_unit(submission_id), form, 422)
    state = unit.state
    db.session.commit()
    if state == CodingState.AGREED:
        flash(_("Thank you: your coding agrees with the first one."), "success")
    else:
        flash(_("Thank you: your coding differs from the first one, so the submission goes "
                "to reconciliation."), "success")
    return redirect(url_for("moderation.second_coding_queue"), code=303)


def _render_reconcile(unit: DoubleCoding, form: ReconcileForm, status: int = 200) -> Any:
    items = _items(unit)
    coded = {kind: items[kind] for kind in (ItemKind.PRINCIPLE, ItemKind.COMMITMENT)}
    first = next((c for c in unit.codings if c.coder_id == unit.first_coder_id), None)
    second = next((c for c in unit.codings if c.coder_id == unit.second_coder_id), None)
    return render_template("moderation/reconcile.html", unit=unit, submission=unit.submission,
                           form=form, coded=coded, first=first, second=second,
                           first_codes=set(first.codes if first else []),
                           second_codes=set(second.codes if second else [])), status


@bp.get("/<lang:lang>/moderate/reconcile/<int(max=2147483647):submission_id>")
@role_required(*REVIEWERS)
def reconcile(lang: str, submission_id: int) -> Any:
    unit = _unit(submission_id)
    if unit.state != CodingState.DISAGREED:
        flash(_("This submission is not waiting for reconciliation any more."), "error")
        return redirect(url_for("moderation.reconcile_queue"), code=303)
    form = ReconcileForm()
    form.prepare(_items(unit))
    both = [set(c.codes) for c in unit.codings]
    agreed = set.intersection(*both) if len(both) == 2 else set()
    # Only what both coders chose starts ticked: each difference is a conscious choice.
    form.principles.data = sorted(c for c in agreed if c in dict(form.principles.choices))
    form.commitments.data = sorted(c for c in agreed if c in dict(form.commitments.choices))
    form.version.data = str(unit.submission.version)
    return _render_reconcile(unit, form)


@bp.post("/<lang:lang>/moderate/reconcile/<int(max=2147483647):submission_id>")
@role_required(*REVIEWERS)
def reconcile_submit(lang: str, submission_id: int) -> Any:
    unit = _unit(submission_id)
    form = ReconcileForm(request.form)
    form.prepare(_items(unit))
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
        return _render_reconcile(unit, form, 400)
    try:
        agreement.reconcile(db.session, unit, by=g.staff_user,
                            version=parse_id(form.version.data),
                            principles=form.principles.data or [],
                            commitments=form.commitments.data or [])
    except (StaleVersion, NotEditable) as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("moderation.reconcile_queue"), code=303)
    except ValidationFailed as exc:
        db.session.rollback()
        _attach(form, exc.errors)
        return _render_reconcile(_unit(submission_id), form, 422)
    db.session.commit()
    flash(_("Final tags saved."), "success")
    return redirect(url_for("moderation.reconcile_queue"), code=303)
