"""Admin: importing submissions collected at workshops or on paper (CSV or XLSX)."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, g, render_template, request
from sqlalchemy import select
from wtforms import BooleanField, FileField, StringField

from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.db import db
from app.forms import CSRF_ERROR, BaseForm, SelectField
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.i18n import localized
from app.labels import CHANNELS
from app.models import ActorType, AgeRange, Gender, OfflineImport, Role, Round
from app.services import DomainError, ValidationFailed, parse_id
from app.services.contributions import offline_intake
from app.services.platform import rounds as rounds_service

SECTIONS.append(("admin.intake", _l("Workshop and paper intake")))
# The whole request: the file plus the few form fields.
UPLOAD_LIMIT = offline_intake.MAX_BYTES + 64 * 1024
# The columns as the admin page documents them (docs/workshop-intake.md says the same).
COLUMN_DOCS = [
    (["row_id"], _l("The number written on the paper form. Optional, but it is what lets a "
                    "corrected file be imported again without repeating the rows already in.")),
    (["language"], _l("Required. The language the view is written in, as a code: ar, zh, en, "
                      "fr, ru, es or another ISO 639-1 code.")),
    (["title"], _l("Required. A short title for the view.")),
    (["answer_1", "answer_2", "…"], _l("The answer to each guiding question of the round, in "
                                       "their order.")),
    (["body"], _l("The view or experience in the contributor's words. Required unless a "
                  "question is answered.")),
    (["actor_type"], _l("Required. One of: %(codes)s.",
                        codes=", ".join(a.value for a in ActorType))),
    (["country"], _l("Required. A two-letter country code (KE, BR, FR…).")),
    (["age_range", "gender"], _l("Optional, codes as in the web form: %(ages)s; %(genders)s.",
                                 ages=", ".join(a.value for a in AgeRange),
                                 genders=", ".join(g.value for g in Gender))),
    (["email"], _l("Optional, and only when the person asked in writing to be told what "
                   "became of the views.")),
    (["principles", "commitments", "technologies"], _l(
        "Optional codes ticked on the form, separated by commas, e.g. P2, C1, T15.")),
    (["consent_processing"], _l("Required: yes. Without the person's consent a view cannot "
                                "be received.")),
    (["consent_publication", "anonymous"], _l(
        "yes or no. Publication is off unless ticked; anonymous is on unless written no.")),
    (["facilitator"], _l("Optional: who ran the session, when it differs from the facilitator "
                         "given above.")),
]


class IntakeForm(BaseForm):
    round_id = SelectField(_l("Consultation round"), choices=[])
    channel = SelectField(_l("Channel"), choices=[])
    source = StringField(_l("Source"), description=_l(
        "Where and when the views were collected, e.g. “Workshop, Nairobi, 2026-03-02”. "
        "Importing the same file with the same source again adds nothing."),
        render_kw={"maxlength": offline_intake.SOURCE_MAX})
    facilitator = StringField(_l("Facilitator (optional)"),
                              render_kw={"maxlength": offline_intake.SOURCE_MAX})
    file = FileField(_l("File (CSV in UTF-8, or XLSX)"),
                     render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd."
                                          "openxmlformats-officedocument.spreadsheetml.sheet"})
    dry_run = BooleanField(_l("Check only: validate the rows without importing them"))


def _form(formdata: Any = None) -> IntakeForm:
    form = IntakeForm(formdata)
    form.round_id.choices = [(str(r.id), f"{r.id} · {localized(r.title)}")
                             for r in rounds_service.list_rounds(db.session)]
    form.channel.choices = [(c.value, str(CHANNELS[c])) for c in offline_intake.OFFLINE_CHANNELS]
    return form


def _recent() -> list[OfflineImport]:
    return list(db.session.scalars(select(OfflineImport)
                                   .order_by(OfflineImport.id.desc()).limit(20)))


def _render(form: IntakeForm, *, result: OfflineImport | None = None,
            other_errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    round_ = None
    round_id = parse_id(form.round_id.data or "")
    if round_id is not None:
        round_ = db.session.get(Round, round_id)
    if round_ is None and form.round_id.choices:
        round_ = db.session.get(Round, int(form.round_id.choices[0][0]))
    return render_template("admin/intake.html", form=form, result=result,
                           other_errors=other_errors or {}, recent=_recent(), round=round_,
                           columns=offline_intake.columns(round_) if round_ else [],
                           channels=CHANNELS, column_docs=COLUMN_DOCS), status


@bp.get("/intake")
@role_required(Role.ADMIN)
def intake(lang: str) -> Any:
    return _render(_form())


@bp.post("/intake")
@role_required(Role.ADMIN)
def intake_upload(lang: str) -> Any:
    # Larger than the site's limit for a submission, only here (Flask 3.1: per request).
    request.max_content_length = UPLOAD_LIMIT
    form = _form(request.form)
    if form.csrf_failed():
        return _render(form, other_errors={"form": [str(CSRF_ERROR)]}, status=400)
    round_id = parse_id(form.round_id.data or "")
    round_ = db.session.get(Round, round_id) if round_id else None
    upload = request.files.get("file")
    errors: dict[str, list[str]] = {}
    if round_ is None:
        errors["round_id"] = [_("Choose a consultation round.")]
    if upload is None or not upload.filename:
        errors["file"] = [_("Choose a CSV or XLSX file.")]
    if errors:
        for name, messages in errors.items():
            form[name].errors = messages
        return _render(form, status=422)
    try:
        record = offline_intake.import_file(
            db.session, round_, upload.filename, upload.read(offline_intake.MAX_BYTES + 1),
            source=form.source.data or "", channel=form.channel.data,
            facilitator=form.facilitator.data, dry_run=form.dry_run.data, by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        for name, messages in exc.errors.items():
            form[name].errors = [str(m) for m in messages]
        return _render(form, status=422)
    except DomainError as exc:
        db.session.rollback()
        form.file.errors = [str(exc.message)]
        return _render(form, status=422)
    db.session.commit()
    return _render(form, result=record)


@bp.get("/intake/imports/<int(max=2147483647):import_id>/errors.csv")
@role_required(Role.ADMIN)
def intake_errors(lang: str, import_id: int) -> Response:
    record = db.session.get(OfflineImport, import_id)
    if record is None:
        abort(404)
    body = offline_intake.error_report_csv(record, (_("Row"), _("Column"), _("Problem")))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="import-{record.id}-errors.csv"'})
