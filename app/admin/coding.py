"""Admin: the share of each round's approved submissions coded twice (coder agreement)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.auth.forms import EmptyForm
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.models import Role, Round
from app.services import ValidationFailed
from app.services.platform import rounds as rounds_service
from app.services.review import agreement

SECTIONS.append(("admin.double_coding", _l("Double coding")))


def _render(errors: dict[int, list[str]] | None = None, status: int = 200) -> Any:
    return render_template("admin/double_coding.html",
                           rounds=rounds_service.list_rounds(db.session),
                           shares=agreement.shares(db.session), errors=errors or {},
                           submitted=request.form if errors else {}), status


@bp.get("/double-coding")
@role_required(Role.ADMIN)
def double_coding(lang: str) -> Any:
    return _render()


@bp.post("/double-coding/<int(max=2147483647):round_id>")
@role_required(Role.ADMIN)
def set_double_coding(lang: str, round_id: int) -> Any:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    if EmptyForm(request.form).csrf_failed():
        return _render({round_id: [str(CSRF_ERROR)]}, 400)
    try:
        agreement.set_share(db.session, round_, request.form.get("percent", ""), by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render({round_id: [str(m) for m in exc.errors["percent"]]}, 422)
    db.session.commit()
    flash(_("Double-coding share saved."), "success")
    return redirect(url_for("admin.double_coding"), code=303)
