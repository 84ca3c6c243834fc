"""The workshop link `/<lang>/w/<code>`: the round's form for the people of one workshop.

Routes of the `public` blueprint (imported by `register_blueprints`). The form, its checks
and the receipt are the submit page's; only the limit differs: the workshop's own budget
instead of the per-address limit (see app.services.contributions.workshops).
"""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, make_response, redirect, render_template, request, url_for

from app.db import db
from app.forms import CSRF_ERROR
from app.public.routes import (
    _attach_errors,
    _build_form,
    _encoding_errors,
    bp,
    received,
)
from app.services import NotFound, ValidationFailed
from app.services.contributions import workshops
from app.services.contributions.workshops import BudgetSpent, WorkshopClosed


@bp.route("/<lang:lang>/w/<code>", methods=["GET", "POST"])
def workshop(lang: str, code: str) -> Any:
    encoding_errors = _encoding_errors() if request.method == "POST" else {}
    try:
        found = workshops.find(db.session, code)
        workshops.check_open(found)
    except NotFound:
        abort(404)
    except WorkshopClosed:
        return make_response(render_template("public/workshop_closed.html", workshop=found), 410)
    round_ = found.round
    form = _build_form(round_, request.form if request.method == "POST" else None)
    status = 200
    other_errors: dict[str, list[str]] = {}
    answers = form.answers(request.form) if request.method == "POST" else {}
    if request.method == "POST":
        if form.csrf_failed():
            other_errors["form"] = [str(CSRF_ERROR)]
            status = 400
        elif form.website.data:
            return redirect(url_for("public.thanks"), code=303)
        elif encoding_errors:
            other_errors = _attach_errors(form, encoding_errors)
            status = 422
        else:
            flag = None if form.filled_slowly(current_app.config["MIN_FILL_SECONDS"]) \
                else "fast_fill"
            try:
                submission, token = workshops.submit(
                    db.session, found, form.to_input(round_.id, request.form), flag=flag)
            except ValidationFailed as exc:
                db.session.rollback()
                other_errors = _attach_errors(form, exc.errors)
                status = 422
            except WorkshopClosed as exc:
                db.session.rollback()
                other_errors["form"] = [str(exc.message)]
                status = 410
            except BudgetSpent as exc:
                db.session.rollback()
                other_errors["form"] = [str(exc.message)]
                status = 429
            else:
                return received(submission, token)
    form.stamp_start()
    return render_template("public/submit.html", form=form, round=round_, answers=answers,
                           other_errors=other_errors, workshop=found,
                           action=url_for("public.workshop", code=found.code)), status
