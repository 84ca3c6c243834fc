"""Campaign clusters in the API, for moderator and admin tokens.

The reference role is refused (403): a cluster's sample is any member's text, pending or
rejected ones included, and that role reads approved, redacted texts only.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from app.api.routes import bp
from app.auth.access import role_required
from app.db import db
from app.errors import json_errors
from app.i18n import lazy_gettext as _l
from app.models import Role
from app.services import ValidationFailed, parse_id
from app.services.review import campaigns as campaign_service

REVIEWERS = (Role.ADMIN, Role.MODERATOR)


@bp.get("/clusters")
@role_required(*REVIEWERS)
def list_clusters() -> Any:
    args = request.args
    errors: dict[str, list] = {}
    round_id = None
    if "round_id" in args:  # `round_id=` is refused: leave it out for every round
        round_id = parse_id(args.get("round_id"))
        if round_id is None:
            errors["round_id"] = [_l("Must be a whole number.")]
    limit = parse_id(args.get("limit", "50"))
    if limit is None or limit > 200:
        errors["limit"] = [_l("Must be a whole number from 1 to 200.")]
    order = args.get("order", "size")
    if order not in campaign_service.ORDERS:
        errors["order"] = [_l("Use one of: %(codes)s", codes=", ".join(campaign_service.ORDERS))]
    if errors:
        return json_errors(errors, 400)
    try:
        page = campaign_service.list_clusters(db.session, round_id=round_id, order=order,
                                      cursor=args.get("cursor"), limit=limit or 50)
    except ValidationFailed as exc:
        return json_errors(exc.errors, 400)
    return jsonify({"items": [campaign_service.serialize(row) for row in page.items],
                    "next_cursor": page.next_cursor})
