"""Admin: short texts of the public pages, and the `site_text` template global that shows
them (one query where a page asks for one, none elsewhere)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from app.admin.forms import SiteTextForm, attach_errors, fill_texts, language_texts
from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import LANGUAGES, current_language, native_name
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.models import Role
from app.services import ValidationFailed
from app.services.platform import site_texts
from app.services.platform.site_texts import ShownText

SECTIONS.append(("admin.texts", _l("Site texts")))

# What each key is called in the panel, and where the public sees it.
KEY_LABELS = {
    "home_intro": (_l("Introduction on the home page"),
                   _l("Shown under the description of the consultation.")),
    "privacy_contact": (_l("Privacy contact"),
                        _l("Shown at the end of the privacy notice: whom to write to about "
                           "personal data.")),
}


@bp.app_template_global("site_text")
def site_text(key: str) -> ShownText | None:
    """The text of `key` for this page's language (English, else any, when missing)."""
    return site_texts.text_for(db.session, key, current_language())


def _check_key(key: str) -> None:
    if key not in site_texts.KEYS:
        abort(404)


def _render_form(key: str, form: SiteTextForm, other_errors: dict[str, list[str]],
                 status: int) -> Any:
    labels = {form[f"text_{code}"].id: native_name(code) for code in LANGUAGES}
    return render_template("admin/text_form.html", key=key, form=form, key_label=KEY_LABELS[key],
                           other_errors=other_errors, error_labels=labels), status



@bp.get("/texts", endpoint="texts")
@role_required(Role.ADMIN)
def texts_index(lang: str) -> Any:
    return render_template("admin/texts.html", texts=site_texts.all_texts(db.session),
                           key_labels=KEY_LABELS)


@bp.route("/texts/<key>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_text(lang: str, key: str) -> Any:
    _check_key(key)
    if request.method == "GET":
        data: dict[str, Any] = {}
        fill_texts(data, "text", site_texts.texts_of(db.session, key))
        return _render_form(key, SiteTextForm(data=data), {}, 200)
    form = SiteTextForm(request.form)
    if form.csrf_failed():
        return _render_form(key, form, {"form": [str(CSRF_ERROR)]}, 400)
    try:
        site_texts.set_texts(db.session, key, language_texts(form, "text"),
                             by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_form(key, form, attach_errors(form, exc.errors), 422)
    db.session.commit()
    flash(_("Text saved."), "success")
    return redirect(url_for("admin.texts"), code=303)
