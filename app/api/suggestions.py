"""Suggested tags in the API, for moderators and admins (the review page's panel)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from app.api.routes import bp
from app.auth.access import role_required
from app.db import db
from app.errors import json_errors
from app.i18n import lazy_gettext as _l
from app.models import Role
from app.services.assist import suggest
from app.services.review import tagging


@bp.get("/submissions/<int(max=2147483647):submission_id>/suggestions")
@role_required(Role.ADMIN, Role.MODERATOR)
def submission_suggestions(submission_id: int) -> Any:
    submission = tagging.get_for_review(db.session, submission_id)
    if submission is None:
        return json_errors({"request": [_l("There is no submission with this id.")]}, 404)
    return jsonify(suggest.as_json(suggest.suggestions(db.session, submission)))
