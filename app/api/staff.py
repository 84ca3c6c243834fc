"""The staff part of the API: submissions for moderators, admins and the reference group.

The reference role sees approved submissions only, never an email, and for a redacted
submission only its redacted text.
"""
from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from app.api.routes import _json_body, bp
from app.auth.access import role_required
from app.db import db
from app.errors import json_errors
from app.i18n import lazy_gettext as _l
from app.models import ItemKind, Role, Status, Submission, TagSource
from app.reports.downloads import ROWS_REFUSED
from app.services import NotEditable, StaleVersion, ValidationFailed, filters, parse_id
from app.services.contributions import organisations
from app.services.reporting.reports import DEMOGRAPHIC_FILTERS
from app.services.review import agreement, moderation, tagging

STAFF = (Role.ADMIN, Role.MODERATOR, Role.REFERENCE)
REVIEWERS = (Role.ADMIN, Role.MODERATOR)
TAG_GROUPS = {
    "principles": ItemKind.PRINCIPLE,
    "commitments": ItemKind.COMMITMENT,
    "technologies": ItemKind.TECHNOLOGY,
    "themes": ItemKind.THEME,
}


def serialize(submission: Submission, role: Role, *, blind: bool = False) -> dict[str, Any]:
    """`blind`: the submission waits for a second, independent coding that this user may
    give, so the first coder's tags, keywords and highlight are left out."""
    reviewer = role.is_staff_reviewer
    item: dict[str, Any] = {
        "id": submission.id,
        "reference": submission.reference,
        "status": submission.status.value,
        "round_id": submission.round_id,
        "language": submission.language,
        "detected_language": submission.detected_language,
        "title": submission.title if reviewer else submission.public_title,
        "body": submission.full_text if reviewer else submission.public_text,
        "actor_type": submission.actor_type.value if submission.actor_type else None,
        "country": submission.country,
        "created_at": submission.created_at.isoformat(),
        "decided_at": submission.decided_at.isoformat() if submission.decided_at else None,
        "tags": {name: [] if blind else submission.tag_codes(TagSource.MODERATOR, kind)
                 for name, kind in TAG_GROUPS.items()}
        | {"keywords": [] if blind else [k.text for k in submission.keywords]},
        "tags_hidden": blind,
        "highlight": None if blind else submission.highlight,
        "version": submission.version,
        "cluster_id": submission.cluster_id,  # its campaign (app.services.assist.clusters), or None
        "paragraph": submission.paragraph_key,  # of the strategy's text (issue #20), or None
        # On whose behalf (issue #21): every staff role, the reference group included.
        "organisation": organisations.as_dict(submission.organisation),
        # Its files (issue #21): every one for moderators and admins, the public ones only
        # for the reference group (who sees approved submissions only).
        "attachments": [{"id": a.id, "name": a.filename, "type": a.content_type,
                         "size": a.size, "pages": a.page_count, "public": a.public}
                        for a in submission.attachments if reviewer or a.public],
    }
    if reviewer:
        personal = submission.personal
        item["email"] = personal.email if personal else None
        item["redacted_body"] = submission.redacted_text
        item["redacted_title"] = submission.redacted_title
        item["reject_reason"] = submission.reject_reason.value if submission.reject_reason else None
        item["contributor_tags"] = {
            name: submission.tag_codes(TagSource.CONTRIBUTOR, kind)
            for name, kind in TAG_GROUPS.items() if kind != ItemKind.THEME}
    return item


QUEUE_ARGUMENTS = ("status", "round_id", "language", "principle", "commitment", "q",
                   "paragraph", "detected")


def _filter_from_args(role: Role) -> tuple[moderation.QueueFilter, int, dict[str, list]]:
    args = request.args
    # A typed filter given with an empty value (`status=`) is refused, not ignored: leaving
    # the parameter out is the way to ask for no filter.
    values, errors = filters.parse(args, QUEUE_ARGUMENTS, blank_is_error=True)
    f = moderation.QueueFilter(**{"status": None, **values})
    if not role.is_staff_reviewer:
        if f.status not in (None, Status.APPROVED):
            errors["status"] = [_l("Your role sees approved submissions only.")]
        f.status = Status.APPROVED
        for name in DEMOGRAPHIC_FILTERS:  # rows listed by gender or age: refused (#14)
            if args.get(name):
                errors[name] = [ROWS_REFUSED]
    limit_raw = args.get("limit", "50")
    limit = parse_id(limit_raw)
    limit = limit if limit is not None and limit <= 200 else None
    if limit is None:
        errors["limit"] = [_l("Must be a whole number from 1 to 200.")]
    return f, limit or 50, errors


@bp.get("/submissions")
@role_required(*STAFF)
def list_submissions() -> Any:
    role = g.staff_user.role
    f, limit, errors = _filter_from_args(role)
    if errors:
        refused = ("status", *DEMOGRAPHIC_FILTERS)
        status = 403 if not role.is_staff_reviewer and any(n in errors for n in refused) \
            else 400
        return json_errors(errors, status)
    try:
        page = moderation.queue(db.session, f, cursor=request.args.get("cursor"), limit=limit,
                                with_details=True)
    except ValidationFailed as exc:
        return json_errors(exc.errors, 400)
    blind = agreement.blind_ids(db.session, [s.id for s in page.items], g.staff_user)
    return jsonify({"items": [serialize(s, role, blind=s.id in blind) for s in page.items],
                    "next_cursor": page.next_cursor})


def _visible(submission_id: int) -> Submission | None:
    submission = tagging.get_for_review(db.session, submission_id)
    if submission is None:
        return None
    if not g.staff_user.role.is_staff_reviewer and submission.status != Status.APPROVED:
        return None  # as if it did not exist: no leak of pending or rejected views
    return submission


@bp.get("/submissions/<int(max=2147483647):submission_id>")
@role_required(*STAFF)
def get_submission(submission_id: int) -> Any:
    submission = _visible(submission_id)
    if submission is None:
        return json_errors({"request": [_l("There is no submission with this id.")]}, 404)
    blind = agreement.is_blind(db.session, submission, g.staff_user)
    return jsonify(serialize(submission, g.staff_user.role, blind=blind))


@bp.post("/submissions/<int(max=2147483647):submission_id>/decision")
@role_required(*REVIEWERS)
def decide(submission_id: int) -> Any:
    payload, error = _json_body()
    if error is not None:
        return error
    submission = _visible(submission_id)
    if submission is None:
        return json_errors({"request": [_l("There is no submission with this id.")]}, 404)
    try:
        tags = tagging.TagInput.from_mapping(payload.get("tags")) if "tags" in payload \
            else None
        moderation.decide(db.session, submission, by=g.staff_user,
                          action=payload.get("action"), version=payload.get("version"),
                          tags=tags, reason=payload.get("reason"), note=payload.get("note"),
                          redacted_text=payload.get("redacted_text"),
                          redacted_title=payload.get("redacted_title"),
                          highlight=payload.get("highlight"))
    except (StaleVersion, NotEditable) as exc:
        db.session.rollback()
        return json_errors({"version": [exc.message]}, 409)
    except ValidationFailed as exc:
        db.session.rollback()
        return json_errors(exc.errors, 422)
    db.session.commit()
    blind = agreement.is_blind(db.session, submission, g.staff_user)
    return jsonify(serialize(submission, g.staff_user.role, blind=blind))


