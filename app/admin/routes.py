"""The admin panel: one blueprint, one module per area, all for the admin role."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from app.auth.access import role_required
from app.models import Role

bp = Blueprint("admin", __name__, url_prefix="/<lang:lang>/admin")


@bp.get("/")
@role_required(Role.ADMIN)
def index(lang: str) -> Any:
    return render_template("admin/index.html")


# The sections of the panel, in the order the index page lists them. Each area module adds
# its routes to `bp` and its entry here.
SECTIONS: list[tuple[str, Any]] = []


@bp.app_context_processor
def _admin_sections() -> dict[str, Any]:
    return {"admin_sections": lambda: list(SECTIONS)}
