"""Admin: "you said, we did", the response to a closed round (draft, publish, unpublish),
and the outbox that tells contributors about it."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from wtforms import FieldList, Form, FormField, StringField, TextAreaField

from app.admin.forms import _per_language, attach_errors, fill_texts, language_texts
from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.auth.forms import EmptyForm
from app.db import db, utcnow
from app.forms import CSRF_ERROR, BaseForm
from app.i18n import LANGUAGES, native_name
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.models import Role, Round
from app.security import external_url
from app.services import NotEditable, ValidationFailed
from app.services.platform import rounds as rounds_service
from app.services.publishing import responses as responses_service
from app.services.publishing.responses import CHANGE_MAX, SUMMARY_MAX, ChangeEdit

SECTIONS.append(("admin.responses", _l("You said, we did: responses to rounds")))
NEW_CHANGE_SLOTS = 2


class ChangeForm(Form):
    """One change of the strategy (no CSRF of its own: part of ResponseForm)."""

    codes = StringField(_l("Principles and themes (codes)"),
                        description=_l("Codes separated by commas, e.g. P2, TH3."))
    references = StringField(_l("Views that motivated it (references)"),
                             description=_l("References of published views, e.g. ABCD-EFGH. "
                                            "Only approved views whose authors agreed to "
                                            "publication can be named."))


for _code in LANGUAGES:
    setattr(ChangeForm, _code, TextAreaField(
        native_name(_code), render_kw={"lang": _code, "dir": "auto", "rows": 3,
                                       "maxlength": CHANGE_MAX}))


class ResponseForm(BaseForm):
    def change_edits(self) -> list[ChangeEdit]:
        return [ChangeEdit(text={code: entry.form[code].data or "" for code in LANGUAGES},
                           codes=entry.form.codes.data or "",
                           references=entry.form.references.data or "")
                for entry in self.changes]


_per_language(ResponseForm, "summary", _l("Summary"), TextAreaField, maxlength=SUMMARY_MAX,
              rows=5)
ResponseForm.changes = FieldList(FormField(ChangeForm), max_entries=60)


def _round_or_404(round_id: int) -> Round:
    found = db.session.get(Round, round_id)
    if found is None:
        abort(404)
    return found


def _form_for(response: Any) -> ResponseForm:
    data: dict[str, Any] = {}
    fill_texts(data, "summary", response.summary if response else {})
    changes = [{**{code: (c.text or {}).get(code, "") for code in LANGUAGES},
                "codes": ", ".join(c.codes), "references": ", ".join(c.references)}
               for c in (response.changes if response else [])]
    data["changes"] = changes + [{} for _slot in range(NEW_CHANGE_SLOTS)]
    return ResponseForm(data=data)


def _attach(form: ResponseForm, errors: dict[str, list[Any]]) -> dict[str, list[str]]:
    """Service errors onto the fields: `changes.2.text.ar`, `changes.2.codes`, `summary.fr`."""
    loose: dict[str, list[str]] = {}
    others: dict[str, list[Any]] = {}
    entries = form.changes.entries
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "changes" and len(parts) > 2 and parts[1].isdigit() \
                and int(parts[1]) < len(entries):
            entry = entries[int(parts[1])]
            name = parts[3] if parts[2] == "text" and len(parts) == 4 else parts[2]
            target = entry.form._fields.get(name)
            if target is not None:
                target.errors = list(target.errors or []) + [str(m) for m in messages]
                loose.setdefault(target.id, []).extend(str(m) for m in messages)
                continue
        others[key] = messages
    loose.update(attach_errors(form, others))
    return loose


def _render(round_: Round, response: Any, form: ResponseForm,
            other_errors: dict[str, list[str]], status: int) -> Any:
    labels = {}
    for number, entry in enumerate(form.changes.entries, start=1):
        for code in LANGUAGES:
            labels[entry.form[code].id] = _("Change %(num)d (%(language)s)", num=number,
                                            language=native_name(code))
        labels[entry.form.codes.id] = _("Change %(num)d: codes", num=number)
        labels[entry.form.references.id] = _("Change %(num)d: views", num=number)
    for code in LANGUAGES:
        labels[form[f"summary_{code}"].id] = _("Summary (%(language)s)",
                                               language=native_name(code))
    return render_template(
        "admin/response.html", round=round_, response=response, form=form,
        other_errors=other_errors, error_labels=labels,
        state=rounds_service.round_state(round_), closed=rounds_service.RoundState.CLOSED), status


@bp.get("/responses")
@role_required(Role.ADMIN)
def responses(lang: str) -> Any:
    from sqlalchemy import select

    from app.models import RoundResponse
    items = rounds_service.list_rounds(db.session)
    found = {r.round_id: r for r in db.session.scalars(select(RoundResponse))}
    now = utcnow()
    states = {r.id: rounds_service.round_state(r, now) for r in items}
    return render_template("admin/responses.html", rounds=items, responses=found,
                           states=states)


@bp.route("/rounds/<int(max=2147483647):round_id>/response", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_response(lang: str, round_id: int) -> Any:
    round_ = _round_or_404(round_id)
    response = responses_service.get_response(db.session, round_.id)
    if request.method == "GET":
        return _render(round_, response, _form_for(response), {}, 200)
    form = ResponseForm(request.form)
    if form.csrf_failed():
        return _render(round_, response, form, {"form": [str(CSRF_ERROR)]}, 400)
    try:
        responses_service.save_draft(db.session, round_, summary=language_texts(form, "summary"),
                                     changes=form.change_edits(), by=g.staff_user)
    except NotEditable as exc:
        db.session.rollback()
        return _render(round_, response, form, {"form": [str(exc.message)]}, 409)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(round_, responses_service.get_response(db.session, round_id), form,
                       _attach(form, exc.errors), 422)
    db.session.commit()
    flash(_("Draft saved."), "success")
    return redirect(url_for("admin.edit_response", round_id=round_id), code=303)


@bp.post("/rounds/<int(max=2147483647):round_id>/response/publish")
@role_required(Role.ADMIN)
def publish_response(lang: str, round_id: int) -> Any:
    round_ = _round_or_404(round_id)
    response = responses_service.get_response(db.session, round_.id)
    if response is None:
        abort(404)
    if EmptyForm(request.form).csrf_failed():
        return _render(round_, response, _form_for(response), {"form": [str(CSRF_ERROR)]}, 400)

    def link_for(code: str) -> str:
        return external_url("public.round_response", lang=code, round_id=round_id)

    try:
        enqueued = responses_service.publish(db.session, response, by=g.staff_user,
                                             link_for=link_for)
    except NotEditable as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("admin.edit_response", round_id=round_id), code=303)
    except ValidationFailed as exc:
        db.session.rollback()
        response = responses_service.get_response(db.session, round_id)
        form = _form_for(response)
        return _render(round_, response, form, _attach(form, exc.errors), 422)
    db.session.commit()
    flash(_("The response is published. Messages queued for contributors: %(num)d.",
            num=enqueued), "success")
    return redirect(url_for("admin.edit_response", round_id=round_id), code=303)


@bp.post("/rounds/<int(max=2147483647):round_id>/response/unpublish")
@role_required(Role.ADMIN)
def unpublish_response(lang: str, round_id: int) -> Any:
    round_ = _round_or_404(round_id)
    response = responses_service.get_response(db.session, round_.id)
    if response is None:
        abort(404)
    if EmptyForm(request.form).csrf_failed():
        return _render(round_, response, _form_for(response), {"form": [str(CSRF_ERROR)]}, 400)
    try:
        responses_service.unpublish(db.session, response, by=g.staff_user)
    except NotEditable as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The response is a draft again and no longer public."), "success")
    return redirect(url_for("admin.edit_response", round_id=round_id), code=303)
