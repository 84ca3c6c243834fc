"""Admin: workshop links. A facilitator's room shares one address; its link gives the
room a budget of its own for a time window (see app.services.contributions.workshops)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from wtforms import DateTimeLocalField, SelectField, StringField

from app.admin.forms import DATETIME_FORMATS, attach_errors, refuse_control_characters
from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.auth.forms import EmptyForm
from app.db import db, utcnow
from app.forms import CSRF_ERROR, BaseForm
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.i18n import localized
from app.models import Role, Workshop
from app.security import external_url
from app.services import ValidationFailed, parse_id
from app.services.contributions import workshops
from app.services.platform import rounds as rounds_service

SECTIONS.append(("admin.workshops_page", _l("Workshop links")))


class WorkshopForm(BaseForm):
    round_id = SelectField(_l("Consultation round"), choices=[])
    name = StringField(_l("Workshop name"), render_kw={"maxlength": 200},
                       description=_l("Shown to participants and kept with each view as "
                                      "its source, e.g. “Youth workshop, Nairobi, March 2027”."))
    facilitator = StringField(_l("Facilitator"), render_kw={"maxlength": 200})
    participants = StringField(
        _l("Expected participants"),
        render_kw={"inputmode": "numeric", "maxlength": 5, "dir": "ltr"},
        description=_l("The link accepts twice this number of views in its window."))
    starts_at = DateTimeLocalField(_l("Opens (UTC)"), format=DATETIME_FORMATS, tz=dt.UTC,
                                   description=_l("Date and time in UTC (Coordinated Universal "
                                                  "Time), not your local time."))
    ends_at = DateTimeLocalField(_l("Closes (UTC)"), format=DATETIME_FORMATS, tz=dt.UTC,
                                 description=_l("Date and time in UTC. At most 14 days after "
                                                "it opens."))


def _form(formdata: Any = None, **data: Any) -> WorkshopForm:
    form = WorkshopForm(formdata, **data)
    form.round_id.choices = [(str(r.id), localized(r.title))
                             for r in rounds_service.list_rounds(db.session)]
    return form


def _render(form: WorkshopForm, other_errors: dict[str, list[str]], status: int) -> Any:
    return render_template("admin/workshops.html", form=form, other_errors=other_errors,
                           workshops=workshops.list_workshops(db.session), now=utcnow()), status


@bp.get("/workshops")
@role_required(Role.ADMIN)
def workshops_page(lang: str) -> Any:
    now = utcnow().replace(second=0, microsecond=0)
    return _render(_form(starts_at=now, ends_at=now + dt.timedelta(hours=3)), {}, 200)


@bp.post("/workshops")
@role_required(Role.ADMIN)
def create_workshop(lang: str) -> Any:
    form = _form(request.form)
    if form.csrf_failed():
        return _render(form, {"form": [str(CSRF_ERROR)]}, 400)
    if refuse_control_characters(form, "name", "facilitator", "participants"):
        return _render(form, {}, 422)
    raw = (form.participants.data or "").strip()
    participants = parse_id(raw) if raw else None
    round_id = parse_id(form.round_id.data or "")
    try:
        created = workshops.create(
            db.session, round_id=round_id, name=form.name.data, facilitator=form.facilitator.data,
            participants=participants if participants is not None else -1,
            starts_at=form.starts_at.data, ends_at=form.ends_at.data, by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(form, attach_errors(form, exc.errors), 422)
    db.session.commit()
    flash(_("Workshop link created: %(url)s",
            url=external_url("public.workshop", code=created.code)), "success")
    return redirect(url_for("admin.workshops_page"), code=303)


@bp.post("/workshops/<int(max=2147483647):workshop_id>/close")
@role_required(Role.ADMIN)
def close_workshop(lang: str, workshop_id: int) -> Any:
    found = db.session.get(Workshop, workshop_id)
    if found is None:
        abort(404)
    if EmptyForm(request.form).csrf_failed():
        flash(str(CSRF_ERROR), "error")
    else:
        workshops.close(db.session, found, by=g.staff_user)
        db.session.commit()
        flash(_("The workshop link is closed: it accepts no more views."), "success")
    return redirect(url_for("admin.workshops_page"), code=303)
