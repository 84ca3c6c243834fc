"""Admin: the taxonomy of the current strategy version (add, rename per language, retire)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from app.admin.forms import (
    KIND_LABELS,
    ItemForm,
    NewItemForm,
    attach_errors,
    fill_texts,
    language_texts,
    refuse_control_characters,
)
from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.auth.forms import EmptyForm
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import LANGUAGES, native_name
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.models import Role, StrategyVersion, TaxonomyItem
from app.services import NotEditable, ValidationFailed
from app.services.platform import lexicon as lexicon_service
from app.services.platform import taxonomy as taxonomy_service

SECTIONS.append(("admin.taxonomy", _l("Taxonomy")))


def _current_version() -> StrategyVersion:
    version = taxonomy_service.current_version(db.session)
    if version is None:
        abort(404)
    return version


def _get_item(item_id: int) -> TaxonomyItem:
    found = db.session.get(TaxonomyItem, item_id)
    if found is None:
        abort(404)
    return found


def _error_labels(form: ItemForm) -> dict[str, str]:
    labels = {}
    for code in LANGUAGES:
        for name in ("label", "description", "lexicon"):
            field = form[f"{name}_{code}"]
            labels[field.id] = _("%(field)s (%(language)s)", field=field.label.text,
                                 language=native_name(code))
    return labels


def _lexicon_texts(form: ItemForm) -> dict[str, str]:
    """The keyword lists sent, per language (a language whose box was not sent is kept)."""
    return {code: text for code, text in language_texts(form, "lexicon").items()
            if f"lexicon_{code}" in request.form}


def _form_for(item: TaxonomyItem) -> ItemForm:
    data: dict[str, Any] = {}
    fill_texts(data, "label", item.labels)
    fill_texts(data, "description", item.descriptions)
    fill_texts(data, "lexicon", {lang: "\n".join(terms) for lang, terms
                                 in lexicon_service.terms_of(db.session, item).items()})
    return ItemForm(data=data)


def _render_form(form: ItemForm, item: TaxonomyItem | None, other_errors: dict[str, list[str]],
                 status: int) -> Any:
    return render_template("admin/taxonomy_item.html", form=form, item=item,
                           other_errors=other_errors, error_labels=_error_labels(form),
                           kind_labels=KIND_LABELS), status


@bp.get("/taxonomy")
@role_required(Role.ADMIN)
def taxonomy(lang: str) -> Any:
    version = taxonomy_service.current_version(db.session)
    grouped = taxonomy_service.all_items_by_kind(db.session, version.id) if version else {}
    return render_template("admin/taxonomy.html", version=version, grouped=grouped,
                           kind_labels=KIND_LABELS)


@bp.route("/taxonomy/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_item(lang: str) -> Any:
    version = _current_version()
    form = NewItemForm(request.form if request.method == "POST" else None)
    if request.method == "GET":
        return _render_form(form, None, {}, 200)
    if form.csrf_failed():
        return _render_form(form, None, {"form": [str(CSRF_ERROR)]}, 400)
    if refuse_control_characters(form, "code"):
        return _render_form(form, None, {}, 422)
    try:
        item = taxonomy_service.add_item(
            db.session, version, kind=form.kind.data, code=form.code.data,
            labels=language_texts(form, "label"),
            descriptions=language_texts(form, "description"),
            official=form.official_languages(), by=g.staff_user)
        lexicon_service.update_terms(db.session, item, _lexicon_texts(form), by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        loose = attach_errors(form, exc.errors, aliases={"labels": "labels.en"})
        return _render_form(form, None, loose, 422)
    db.session.commit()
    flash(_("Item %(code)s added.", code=item.code), "success")
    return redirect(url_for("admin.taxonomy") + f"#item-{item.id}", code=303)


# `max`: a larger id is a 404 rather than an integer overflow in PostgreSQL.
@bp.route("/taxonomy/<int(max=2147483647):item_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_item(lang: str, item_id: int) -> Any:
    item = _get_item(item_id)
    if request.method == "GET":
        return _render_form(_form_for(item), item, {}, 200)
    form = ItemForm(request.form)
    if form.csrf_failed():
        return _render_form(form, item, {"form": [str(CSRF_ERROR)]}, 400)
    try:
        taxonomy_service.update_item(
            db.session, item, labels=language_texts(form, "label"),
            descriptions=language_texts(form, "description"),
            official=form.official_languages(),
            by=g.staff_user)
        lexicon_service.update_terms(db.session, item, _lexicon_texts(form), by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        loose = attach_errors(form, exc.errors, aliases={"labels": "labels.en"})
        return _render_form(form, _get_item(item_id), loose, 422)
    db.session.commit()
    flash(_("Item %(code)s saved.", code=item.code), "success")
    return redirect(url_for("admin.taxonomy") + f"#item-{item.id}", code=303)


@bp.post("/taxonomy/<int(max=2147483647):item_id>/retire")
@role_required(Role.ADMIN)
def retire_item(lang: str, item_id: int) -> Any:
    item = _get_item(item_id)
    retire = request.form.get("retire") == "1"
    if EmptyForm(request.form).csrf_failed():
        return _render_form(_form_for(item), item, {"form": [str(CSRF_ERROR)]}, 400)
    try:
        taxonomy_service.set_retired(db.session, item, retire, by=g.staff_user)
    except NotEditable as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Item %(code)s retired: it is no longer offered for tagging; existing tags "
                "stay.", code=item.code) if retire
              else _("Item %(code)s is offered for tagging again.", code=item.code), "success")
    return redirect(url_for("admin.edit_item", item_id=item_id), code=303)
