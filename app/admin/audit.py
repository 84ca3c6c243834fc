"""Admin: reading the audit log, newest first, with filters."""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.admin.forms import AuditFilterForm, refuse_control_characters
from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.db import db
from app.forms import SelectField
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.i18n import localized
from app.models import (
    AuditEvent,
    Role,
    Round,
    RoundResponse,
    Submission,
    TaxonomyItem,
    User,
    Workshop,
)
from app.services import ValidationFailed
from app.services.accounts import audit as audit_service

SECTIONS.append(("admin.audit", _l("Audit log")))

TARGET_TYPES = {
    "users": _l("Account"),
    "rounds": _l("Round"),
    "taxonomy_items": _l("Taxonomy item"),
    "submissions": _l("Submission"),
    "workshops": _l("Workshop link"),
}
# Where a target is looked at; its number is the `id` argument.
TARGET_PAGES = {
    "users": ("admin.user", "user_id"),
    "rounds": ("admin.edit_round", "round_id"),
    "taxonomy_items": ("admin.edit_item", "item_id"),
    "submissions": ("moderation.review", "submission_id"),
    "workshops": ("admin.workshops_page", None),
}
# Contributors' words never belong in the log; should an event ever carry them, the
# panel does not show them.
_TEXT_KEYS = frozenset({"title", "body", "text", "answers", "redacted_text", "highlight",
                        "note", "email"})
_MAX_ID = 2**31 - 1
_VALUE_MAX = 160
FILTER_KEYS = ("action", "actor", "target_type", "target_id", "date_from", "date_to")


# Each event as a sentence in the reader's language: who did what to what.
SENTENCES = {
    "auth.sign_in": _l("%(who)s signed in"),
    "auth.locked": _l("The account %(target)s was locked after repeated wrong passwords"),
    "auth.sign_out_everywhere": _l("%(who)s signed %(target)s out on every device"),
    "auth.2fa_enabled": _l("%(who)s turned on the second factor"),
    "auth.2fa_reset": _l("%(who)s reset the second factor of %(target)s"),
    "cluster.decide": _l("%(who)s decided a campaign of near-identical views"),
    "coding.reconcile": _l("%(who)s settled the coders' disagreement on %(target)s"),
    "coding.second": _l("%(who)s coded %(target)s a second time"),
    "coding.select": _l("%(who)s chose %(target)s for a second coding"),
    "coding.share": _l("%(who)s changed the share of double coding of %(target)s"),
    "export.submissions": _l("%(who)s exported submissions"),
    "export.summary": _l("%(who)s exported a themed summary"),
    "intake.import": _l("%(who)s imported views collected offline"),
    "privacy.purge_emails": _l("%(who)s erased the email addresses of closed rounds"),
    "response.publish": _l("%(who)s published %(target)s"),
    "response.save": _l("%(who)s saved %(target)s"),
    "response.unpublish": _l("%(who)s withdrew %(target)s"),
    "round.archive": _l("%(who)s archived the round %(target)s"),
    "round.close": _l("%(who)s closed the round %(target)s"),
    "round.create": _l("%(who)s created the round %(target)s"),
    "round.open": _l("%(who)s opened the round %(target)s"),
    "round.update": _l("%(who)s edited the round %(target)s"),
    "site_text.update": _l("%(who)s edited a text of the site"),
    "submission.approve": _l("%(who)s approved %(target)s"),
    "submission.reject": _l("%(who)s rejected %(target)s"),
    "submission.claim": _l("%(who)s took views to review"),
    "submission.erase": _l("%(who)s erased %(target)s"),
    "submission.note": _l("%(who)s added a note to %(target)s"),
    "submission.tags": _l("%(who)s changed the tags of %(target)s"),
    "taxonomy.add": _l("%(who)s added %(target)s to the taxonomy"),
    "taxonomy.lexicon": _l("%(who)s edited the lexicon of %(target)s"),
    "taxonomy.retire": _l("%(who)s retired %(target)s"),
    "taxonomy.unretire": _l("%(who)s brought %(target)s back"),
    "taxonomy.update": _l("%(who)s edited %(target)s"),
    "token.issue": _l("%(who)s issued an API token for %(target)s"),
    "token.revoke": _l("%(who)s revoked the API tokens of %(target)s"),
    "user.create": _l("%(who)s created the account %(target)s"),
    "user.disable": _l("%(who)s disabled the account %(target)s"),
    "user.enable": _l("%(who)s enabled the account %(target)s"),
    "user.password": _l("%(who)s changed the password of %(target)s"),
    "user.role": _l("%(who)s changed the role of %(target)s"),
    "workshop.create": _l("%(who)s created the workshop link %(target)s"),
    "workshop.close": _l("%(who)s closed the workshop link %(target)s"),
}
# The action filter: kinds of events (a prefix), then the two most asked for.
ACTION_CHOICES = {
    "submission.approve": _l("Approvals"),
    "submission.reject": _l("Rejections"),
    "submission.": _l("Moderation"),
    "coding.": _l("Double coding"),
    "cluster.": _l("Campaigns"),
    "auth.": _l("Sign-in and security"),
    "user.": _l("Accounts"),
    "token.": _l("API tokens"),
    "round.": _l("Consultation rounds"),
    "response.": _l("Responses to rounds"),
    "taxonomy.": _l("Taxonomy"),
    "site_text.": _l("Site texts"),
    "export.": _l("Exports"),
    "intake.": _l("Offline intake"),
    "workshop.": _l("Workshop links"),
    "privacy.": _l("Privacy"),
}


def _labels(session: Any, model: Any, column: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return dict(session.execute(select(model.id, column).where(model.id.in_(ids))).all())


def target_labels(session: Any, events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """A readable name for each event's target, read in one query per kind of target."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_type and event.target_id is not None:
            wanted.setdefault(event.target_type, set()).add(event.target_id)
    out: dict[tuple[str, int], str] = {}
    for ident, reference in _labels(session, Submission, Submission.reference,
                                    wanted.get("submissions", set())).items():
        out[("submissions", ident)] = _("the view %(reference)s", reference=reference)
    for ident, title in _labels(session, Round, Round.title, wanted.get("rounds", set())).items():
        out[("rounds", ident)] = _("“%(name)s”", name=localized(title))
    for ident, code in _labels(session, TaxonomyItem, TaxonomyItem.code,
                               wanted.get("taxonomy_items", set())).items():
        out[("taxonomy_items", ident)] = code
    for ident, name in _labels(session, Workshop, Workshop.name,
                               wanted.get("workshops", set())).items():
        out[("workshops", ident)] = _("“%(name)s”", name=name)
    for ident, round_id in _labels(session, RoundResponse, RoundResponse.round_id,
                                   wanted.get("round_responses", set())).items():
        title = session.scalar(select(Round.title).where(Round.id == round_id))
        out[("round_responses", ident)] = _("the response to the round “%(title)s”",
                                            title=localized(title))
    users = wanted.get("users", set())
    if users:
        for ident, name, email in session.execute(
                select(User.id, User.name, User.email).where(User.id.in_(users))):
            out[("users", ident)] = name or email
    return out


def person(user: User | None) -> str:
    # No one signed in: a command on the server (users create, rounds create...).
    return (user.name or user.email) if user is not None else _("The system")


def sentence(event: AuditEvent, targets: dict[tuple[str, int], str]) -> str:
    """The event as a sentence: "Amina approved the view AB12-CD34"."""
    target = targets.get((event.target_type or "", event.target_id or 0))
    if target is None:
        if event.target_type:
            kind = TARGET_TYPES.get(event.target_type, event.target_type)
            target = f"{kind} {event.target_id if event.target_id is not None else ''}".strip()
        else:
            target = "—"
    template = SENTENCES.get(event.action)
    if template is None:
        return _("%(who)s: %(action)s (%(target)s)", who=person(event.actor),
                 action=event.action, target=target)
    return str(template) % {"who": person(event.actor), "target": target}


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
    return url_for(endpoint, **({argument: event.target_id} if argument else {}))


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


class AuditFilters(AuditFilterForm):
    """The log's filters with the action and the person chosen from lists (the query
    string keeps the action prefix and the email, so older links still work)."""

    action = SelectField(_l("What"), validate_choice=False)
    actor = SelectField(_l("Who"), validate_choice=False)


def _filter_form() -> AuditFilters:
    form = AuditFilters(request.args)
    form.target_type.choices = [SelectChoice("", _l("Any"))] + [
        SelectChoice(value, label) for value, label in TARGET_TYPES.items()]
    actions = [SelectChoice("", _l("Any"))] + [
        SelectChoice(value, label) for value, label in ACTION_CHOICES.items()]
    if form.action.data and form.action.data not in ACTION_CHOICES:
        actions.append(SelectChoice(form.action.data, form.action.data))
    form.action.choices = actions
    staff = db.session.execute(select(User.email, User.name).order_by(User.name, User.email))
    people = [SelectChoice("", _l("Anyone"))] + [
        SelectChoice(email, f"{name} ({email})" if name else email) for email, name in staff]
    if form.actor.data and form.actor.data not in {c.value for c in people}:
        people.append(SelectChoice(form.actor.data, form.actor.data))
    form.actor.choices = people
    return form


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit(lang: str) -> Any:
    form = _filter_form()
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
    targets = target_labels(db.session, page.items) if page is not None else {}
    return render_template("admin/audit.html", form=form, page=page, filter_args=filter_args,
                           target_types=TARGET_TYPES, entries=entries, target_url=target_url,
                           sentence=lambda event: sentence(event, targets)), status
