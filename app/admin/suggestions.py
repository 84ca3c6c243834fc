"""Admin: how often moderators accept suggested tags, and which model suggests them."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, render_template, request

from app import cache
from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.db import db, utcnow
from app.i18n import lazy_gettext as _l
from app.models import Role
from app.services.assist import suggest

SECTIONS.append(("admin.suggestions", _l("Suggested tags")))
WINDOWS = (7, 30, 90, 365)
GROUP_LABELS = {
    "principles": _l("Principles"),
    "commitments": _l("Commitments"),
    "technologies": _l("Technology areas"),
    "themes": _l("Themes"),
}


@bp.get("/suggestions")
@role_required(Role.ADMIN)
def suggestions(lang: str) -> Any:
    days = request.args.get("days", "30")
    days_count = int(days) if days.isdigit() and int(days) in WINDOWS else 30
    since = utcnow() - dt.timedelta(days=days_count)
    # Read from the audit log in batches, and cached like the reports' counts.
    rows = cache.remember(
        "suggestion_acceptance", {"days": days_count},
        current_app.config["REPORTS_CACHE_SECONDS"],
        lambda: [(r.group, r.shown, r.accepted, r.tagged)
                 for r in suggest.acceptance_rates(db.session, since)])
    rows = [suggest.AcceptanceRow(*row) for row in rows]
    total = suggest.AcceptanceRow("total", sum(r.shown for r in rows),
                                  sum(r.accepted for r in rows), sum(r.tagged for r in rows))
    return render_template("admin/suggestions.html", rows=rows, total=total,
                           days=days_count, windows=WINDOWS, group_labels=GROUP_LABELS,
                           model=suggest.latest_model_info(db.session))
