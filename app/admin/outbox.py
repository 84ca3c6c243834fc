"""Admin: the outbox. Without MAIL_SERVER nothing is sent, and this page is how admins
read the queued messages (to send them another way); with it, it shows what is pending."""
from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request

from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.db import db
from app.i18n import lazy_gettext as _l
from app.models import Role
from app.services import parse_id
from app.services.publishing import outbox as outbox_service

SECTIONS.append(("admin.outbox", _l("Outbox: messages to contributors")))
PAGE = 50


@bp.get("/outbox")
@role_required(Role.ADMIN)
def outbox(lang: str) -> Any:
    after = parse_id(request.args.get("after", "")) or 0
    messages = outbox_service.queued(db.session, after_id=after, limit=PAGE + 1)
    next_after = messages[PAGE - 1].id if len(messages) > PAGE else None
    return render_template("admin/outbox.html", messages=messages[:PAGE], next_after=next_after,
                           counts=outbox_service.count_by_status(db.session),
                           last_failure=outbox_service.last_failure(db.session),
                           is_receipt=outbox_service.is_receipt,
                           mail_server=bool(current_app.config.get("MAIL_SERVER")))
