"""Admin: consultation rounds, their texts in the six languages, questions and times."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from app.admin.forms import RoundForm, attach_errors, fill_texts, language_texts
from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.auth.forms import EmptyForm
from app.db import db, utcnow
from app.forms import CSRF_ERROR
from app.i18n import LANGUAGES, native_name
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.models import Role, Round
from app.services import NotEditable, ValidationFailed
from app.services.platform import rounds as rounds_service
from app.services.platform.rounds import QuestionEdit, RoundState

SECTIONS.append(("admin.rounds", _l("Consultation rounds")))

STATE_LABELS = {
    RoundState.UPCOMING: _l("Upcoming"),
    RoundState.OPEN: _l("Open"),
    RoundState.CLOSED: _l("Closed"),
}
NEW_QUESTION_SLOTS = 3


def _get_round(round_id: int) -> Round:
    found = db.session.get(Round, round_id)
    if found is None:
        abort(404)
    return found


def _attach_round_errors(form: RoundForm, errors: dict[str, list[Any]]) -> dict[str, list[str]]:
    """Service errors onto the form: `questions.2.ar` onto that text, `questions.2` onto the
    question's block (for the summary and next to the block), the rest by name."""
    loose: dict[str, list[str]] = {}
    others: dict[str, list[Any]] = {}
    entries = form.questions.entries
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "questions" and len(parts) > 1 and parts[1].isdigit() \
                and int(parts[1]) < len(entries):
            entry = entries[int(parts[1])]
            target = entry.form[parts[2]] if len(parts) == 3 and parts[2] in LANGUAGES else None
            if target is not None:
                target.errors = list(target.errors or []) + [str(m) for m in messages]
                loose.setdefault(target.id, []).extend(str(m) for m in messages)
            else:
                loose.setdefault(entry.id, []).extend(str(m) for m in messages)
        else:
            others[key] = messages
    loose.update(attach_errors(form, others, aliases={"title": "title.en"}))
    return loose


def _error_labels(form: RoundForm) -> dict[str, str]:
    labels = {}
    for code in LANGUAGES:
        for name in ("title", "description"):
            field = form[f"{name}_{code}"]
            labels[field.id] = _("%(field)s (%(language)s)", field=field.label.text,
                                 language=native_name(code))
    for number, entry in enumerate(form.questions.entries, start=1):
        labels[entry.id] = _("Question %(num)d", num=number)
        for code in LANGUAGES:
            labels[entry.form[code].id] = _("Question %(num)d (%(language)s)", num=number,
                                            language=native_name(code))
    return labels


def _render_form(form: RoundForm, round_: Round | None, other_errors: dict[str, list[str]],
                 status: int) -> Any:
    state = rounds_service.round_state(round_) if round_ is not None else None
    return render_template("admin/round_form.html", form=form, round=round_, state=state,
                           state_labels=STATE_LABELS, other_errors=other_errors,
                           error_labels=_error_labels(form)), status


@bp.get("/rounds")
@role_required(Role.ADMIN)
def rounds(lang: str) -> Any:
    now = utcnow()
    items = rounds_service.list_rounds(db.session)
    states = {r.id: rounds_service.round_state(r, now) for r in items}
    return render_template("admin/rounds.html", rounds=items, states=states,
                           state_labels=STATE_LABELS)


@bp.route("/rounds/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_round(lang: str) -> Any:
    if request.method == "GET":
        form = RoundForm(data={"questions": [{} for _slot in range(NEW_QUESTION_SLOTS)]})
        return _render_form(form, None, {}, 200)
    form = RoundForm(request.form)
    if form.csrf_failed():
        return _render_form(form, None, {"form": [str(CSRF_ERROR)]}, 400)
    try:
        created = rounds_service.add_round(
            db.session, title=language_texts(form, "title"),
            description=language_texts(form, "description"),
            questions=[text for _ident, text in form.question_edits()],
            opens_at=form.opens_at.data, closes_at=form.closes_at.data, by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_form(form, None, _attach_round_errors(form, exc.errors), 422)
    db.session.commit()
    flash(_("Round created."), "success")
    return redirect(url_for("admin.edit_round", round_id=created.id), code=303)


def _form_for(round_: Round) -> RoundForm:
    data: dict[str, Any] = {"opens_at": round_.opens_at, "closes_at": round_.closes_at}
    fill_texts(data, "title", round_.title)
    fill_texts(data, "description", round_.description)
    data["questions"] = [{"question_id": str(q.id), **{code: (q.text or {}).get(code, "")
                                                       for code in LANGUAGES}}
                         for q in round_.questions] + [{}]
    return RoundForm(data=data)


# `max`: a larger id is a 404 rather than an integer overflow in PostgreSQL.
@bp.route("/rounds/<int(max=2147483647):round_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_round(lang: str, round_id: int) -> Any:
    round_ = _get_round(round_id)
    if request.method == "GET":
        return _render_form(_form_for(round_), round_, {}, 200)
    form = RoundForm(request.form)
    if form.csrf_failed():
        return _render_form(form, round_, {"form": [str(CSRF_ERROR)]}, 400)
    try:
        rounds_service.update_round(
            db.session, round_, title=language_texts(form, "title"),
            description=language_texts(form, "description"),
            questions=[QuestionEdit(ident, text) for ident, text in form.question_edits()],
            opens_at=form.opens_at.data, closes_at=form.closes_at.data, by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_form(form, _get_round(round_id), _attach_round_errors(form, exc.errors),
                            422)
    db.session.commit()
    flash(_("Round saved."), "success")
    return redirect(url_for("admin.edit_round", round_id=round_id), code=303)


def _change_state(round_id: int, change: Any, done: str) -> Any:
    round_ = _get_round(round_id)
    if EmptyForm(request.form).csrf_failed():
        return _render_form(_form_for(round_), round_, {"form": [str(CSRF_ERROR)]}, 400)
    try:
        change(db.session, round_, by=g.staff_user)
    except NotEditable as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("admin.edit_round", round_id=round_id), code=303)


@bp.post("/rounds/<int(max=2147483647):round_id>/open")
@role_required(Role.ADMIN)
def open_round(lang: str, round_id: int) -> Any:
    return _change_state(round_id, rounds_service.open_now,
                         _("The round is open: views can be sent from now on."))


@bp.post("/rounds/<int(max=2147483647):round_id>/close")
@role_required(Role.ADMIN)
def close_round(lang: str, round_id: int) -> Any:
    return _change_state(round_id, rounds_service.close_now,
                         _("The round is closed: no more views can be sent."))
