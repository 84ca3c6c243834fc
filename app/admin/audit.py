"""Admin: reading the audit log, newest first, with filters."""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from app.admin.forms import AuditFilterForm, refuse_control_characters
from app.admin.routes import SECTIONS, bp
from app.db import db
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.models import AuditEvent, Role
from app.security import role_required
from app.services import ValidationFailed
from app.services import audit as audit_service

SECTIONS.append(("admin.audit", _l("Audit log")))

TARGET_TYPES = {
    "users": _l("Account"),
    "rounds": _l("Round"),
    "taxonomy_items": _l("Taxonomy item"),
    "submissions": _l("Submission"),
}
# Where a target is looked at; its number is the `id` argument.
TARGET_PAGES = {
    "users": ("admin.user", "user_id"),
    "rounds": ("admin.edit_round", "round_id"),
    "taxonomy_items": ("admin.edit_item", "item_id"),
    "submissions": ("moderation.review", "submission_id"),
}
# Contributors' words never belong in the log; should an event ever carry them, the
# panel does not show them.
_TEXT_KEYS = frozenset({"title", "body", "text", "answers", "redacted_text", "highlight",
                        "note", "email"})
_MAX_ID = 2**31 - 1
_VALUE_MAX = 160
FILTER_KEYS = ("action", "actor", "target_type", "target_id", "date_from", "date_to")


def compact(value: Any) -> str:
    """A value of the log on one short line: lists joined, mappings as `key: value`."""
    if value is None:
        text = "—"
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    elif isinstance(value, dict):
        text = "; ".join(f"{key}: {compact(item)}" for key, item in value.items())
    elif isinstance(value, list):
        text = ", ".join(compact(item) for item in value)
    else:
        text = str(value)
    return text if len(text) <= _VALUE_MAX else text[:_VALUE_MAX - 1] + "…"


def entries(event: AuditEvent, which: str) -> list[tuple[str, str]]:
    values = getattr(event, which) or {}
    if not isinstance(values, dict):
        return [("", compact(values))]
    hide = _TEXT_KEYS if event.target_type == "submissions" else frozenset()
    return [(key, _("(not shown)") if key in hide else compact(value))
            for key, value in values.items()]


def target_url(event: AuditEvent) -> str | None:
    page = TARGET_PAGES.get(event.target_type or "")
    if page is None or event.target_id is None:
        return None
    endpoint, argument = page
    return url_for(endpoint, **{argument: event.target_id})


def _filter(form: AuditFilterForm) -> audit_service.AuditFilter | None:
    """The filter the form describes, or None after marking the fields that are wrong."""
    valid = not refuse_control_characters(form, "action", "actor", "target_id")
    target_type = form.target_type.data or None
    if target_type is not None and target_type not in TARGET_TYPES:
        form.target_type.errors = [_("Choose one of the options.")]
        valid = False
    target_id = None
    raw = (form.target_id.data or "").strip()
    if raw and not form.target_id.errors:
        if raw.isascii() and raw.isdigit() and int(raw) <= _MAX_ID:
            target_id = int(raw)
        else:
            form.target_id.errors = [_("Enter a whole number.")]
            valid = False
    for field in (form.date_from, form.date_to):
        if field.data is None and field.raw_data and field.raw_data[0].strip():
            field.errors = [_("Enter a date like 2027-03-31.")]
            valid = False
    if not valid:
        return None
    return audit_service.AuditFilter(
        action=(form.action.data or "").strip() or None,
        actor_email=(form.actor.data or "").strip() or None,
        target_type=target_type, target_id=target_id,
        date_from=form.date_from.data, date_to=form.date_to.data)


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit(lang: str) -> Any:
    form = AuditFilterForm(request.args)
    form.target_type.choices = [SelectChoice("", _l("Any"))] + [
        SelectChoice(value, label) for value, label in TARGET_TYPES.items()]
    filter_args = {key: value for key in FILTER_KEYS if (value := request.args.get(key))}
    audit_filter = _filter(form)
    page, status = None, 200
    if audit_filter is None:
        status = 422
    else:
        try:
            page = audit_service.events(db.session, audit_filter,
                                        cursor=request.args.get("cursor"), limit=50)
        except ValidationFailed:
            abort(400)
    return render_template("admin/audit.html", form=form, page=page, filter_args=filter_args,
                           target_types=TARGET_TYPES, entries=entries,
                           target_url=target_url), status
