""""You said, we did" and offline intake, for the public: a round's published response,
and the printable paper form with its CSV template.

Routes of the `public` blueprint (imported by `register_blueprints`).
"""
from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template
from sqlalchemy import select

from app.db import db
from app.i18n import LANGUAGES, localized, native_name
from app.labels import ACTOR_TYPES, AGE_RANGES, GENDERS
from app.models import ItemKind, Round, TaxonomyItem
from app.public.routes import bp
from app.services import MAX_ID
from app.services.contributions import offline_intake
from app.services.platform import taxonomy as taxonomy_service
from app.services.publishing import responses


def _round_or_404(round_id: int) -> Round:
    found = db.session.get(Round, round_id) if 0 < round_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>/response")
def round_response(lang: str, round_id: int) -> Any:
    """The published response to a round: its changes, their codes and the published
    views that motivated them (only those still published)."""
    round_ = _round_or_404(round_id)
    response = responses.published_response(db.session, round_.id)
    if response is None:
        abort(404)
    codes = sorted({code for change in response.changes for code in change.codes})
    items = {item.code: item for item in db.session.scalars(
        select(TaxonomyItem).where(TaxonomyItem.strategy_version_id == round_.strategy_version_id,
                                   TaxonomyItem.code.in_(codes)))} if codes else {}
    visible = responses.visible_references(
        db.session, round_.id, [ref for change in response.changes for ref in change.references])
    return render_template("public/response.html", round=round_, response=response,
                           items=items, visible=visible)


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>/paper-form")
def paper_form(lang: str, round_id: int) -> str:
    """A form to print for a workshop without internet; its boxes are the import columns."""
    round_ = _round_or_404(round_id)
    grouped = taxonomy_service.items_by_kind(db.session, round_.strategy_version_id)
    return render_template(
        "public/paper_form.html", round=round_, columns=offline_intake.columns(round_),
        principles=grouped.get(ItemKind.PRINCIPLE, []),
        commitments=grouped.get(ItemKind.COMMITMENT, []),
        technologies=grouped.get(ItemKind.TECHNOLOGY, []),
        actor_types=ACTOR_TYPES, age_ranges=AGE_RANGES, genders=GENDERS,
        un_languages=[(code, native_name(code)) for code in LANGUAGES],
        localized=localized)


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>/paper-form.csv")
def paper_form_template(lang: str, round_id: int) -> Response:
    """The CSV template with the import columns of the round (header row only)."""
    round_ = _round_or_404(round_id)
    return Response(offline_intake.template_csv(round_), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="round-{round_.id}-intake-template.csv"'})
