"""Revising the strategy's text: the reference group (and admins) draft the next version in
the browser and explain each change; admins import a version from a file, publish a draft
(audit-logged; the contributors of the cited views are told) or delete one."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from app.admin.forms import attach_errors
from app.admin.routes import SECTIONS
from app.auth.access import role_required
from app.auth.forms import EmptyForm
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import LANGUAGES, current_language, localized, native_name
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.models import Role, StrategyEdition
from app.services import NotEditable, NotFound, ValidationFailed
from app.services.strategy import compare as compare_service
from app.services.strategy import editions, importer, rules
from app.strategy.forms import DraftForm, ImportForm, NewParagraphForm, ParagraphForm
from app.strategy.public import change_label, compare_link, render_compare, render_edition

bp = Blueprint("revision", __name__, url_prefix="/<lang:lang>/revision")

EDITORS = (Role.ADMIN, Role.REFERENCE)
SECTIONS.append(("revision.index", _l("The strategy's text: versions, drafts and imports")))
UPLOAD_LIMIT = importer.MAX_BYTES + 64 * 1024


def _edition_or_404(label: str) -> StrategyEdition:
    try:
        return editions.get_edition(db.session, label, drafts=True)
    except NotFound:
        abort(404)


def _draft_or_409(label: str) -> StrategyEdition:
    edition = _edition_or_404(label)
    if edition.is_published:
        flash(_("This version is published: published versions never change. Start a draft "
                "of the next version instead."), "error")
        abort(redirect(url_for("revision.edition", label=label), code=303))
    return edition


@bp.get("/")
@role_required(*EDITORS)
def index(lang: str, form: DraftForm | None = None, status: int = 200) -> Any:
    current = editions.current_edition(db.session)
    return render_template("strategy/revision_index.html", editions=editions.all_editions(
        db.session), current=current, form=form or DraftForm(), other_errors={}), status


@bp.post("/drafts")
@role_required(*EDITORS)
def start_draft(lang: str) -> Any:
    form = DraftForm(request.form)
    if form.csrf_failed():
        form.label.errors = [str(CSRF_ERROR)]
        return index(lang, form, 400)
    try:
        draft = editions.start_draft(db.session, label=form.label.data,
                                     issued=form.issued.data, by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        loose = attach_errors(form, exc.errors)
        form.label.errors = list(form.label.errors or []) + loose.get("form", [])
        return index(lang, form, 422)
    db.session.commit()
    flash(_("Draft %(label)s started: a copy of the current version.", label=draft.label),
          "success")
    return redirect(url_for("revision.edition", label=draft.label), code=303)


def _overview(edition: StrategyEdition, status: int = 200, *,
              new_form: NewParagraphForm | None = None) -> Any:
    base = editions.previous_edition(db.session, edition)
    comparison = compare_service.compare(db.session, base, edition, current_language()) \
        if base is not None else None
    sections = [(s["key"], localized(s.get("title")) or s["key"]) for s in edition.sections]
    if new_form is None:
        new_form = NewParagraphForm(language=current_language())
    new_form.prepare(sections)
    return render_template(
        "strategy/revision_edition.html", edition=edition, base=base, comparison=comparison,
        rows=comparison.rows if comparison else [], change_label=change_label,
        new_form=new_form, C=compare_service, other_errors={},
        can_publish=g.staff_user.role == Role.ADMIN), status


@bp.get("/<label>")
@role_required(*EDITORS)
def edition(lang: str, label: str) -> Any:
    return _overview(_edition_or_404(label))


@bp.get("/<label>/preview")
@role_required(*EDITORS)
def preview(lang: str, label: str) -> Any:
    return render_edition(_edition_or_404(label), preview=True)


@bp.get("/<label>/changes")
@role_required(*EDITORS)
def changes(lang: str, label: str) -> Any:
    edition = _edition_or_404(label)
    base = editions.previous_edition(db.session, edition)
    if base is None:
        abort(404)
    return render_compare(base, edition, preview=True)


def _paragraph_form(edition: StrategyEdition, key: str, formdata: Any = None) -> ParagraphForm:
    paragraph = editions.paragraph_of(edition, key)
    change = editions.change_of(edition, key)
    linked = editions.linked_references(db.session, change)
    data: dict[str, Any] = {}
    if formdata is None:
        for code in LANGUAGES:
            if paragraph is not None:
                data[f"title_{code}"] = paragraph.title.get(code, "")
                data[f"text_{code}"] = paragraph.text.get(code, "")
            data[f"explanation_{code}"] = (change.explanation if change else {}).get(code, "")
        if paragraph is not None:
            data.update(section=paragraph.section, code=paragraph.code or "",
                        placeholder=paragraph.placeholder)
        data["codes"] = ", ".join(change.codes) if change else ""
    form = ParagraphForm(formdata, data=data)
    lang = current_language()
    form.section.choices = [(s["key"], localized(s.get("title")) or s["key"])
                            for s in edition.sections]
    known = sorted(rules.known_codes(db.session, rules.PARAGRAPH_CODE_KINDS))
    form.code.choices = [("", _("None"))] + [(code, code) for code in known]
    about = editions.views_about(db.session, key, also=linked)
    form.views.choices = [(v.reference, f"{v.reference} · {v.title}" if v.title else v.reference)
                          for v in about]
    form.view_details = {v.reference: v for v in about}
    if formdata is None:
        listed = {v.reference for v in about}
        form.views.data = [ref for ref in linked if ref in listed]
        form.other_views.data = ", ".join(ref for ref in linked if ref not in listed)
    form.paragraph_title = (editions.paragraph_label(paragraph, lang) if paragraph is not None
                            else key)
    return form


def _edit_page(edition: StrategyEdition, key: str, form: ParagraphForm,
               other_errors: dict[str, list[str]], status: int) -> Any:
    paragraph = editions.paragraph_of(edition, key)
    base = editions.previous_edition(db.session, edition)
    original = editions.paragraph_of(base, key) if base is not None else None
    labels = {}
    for code in LANGUAGES:
        name = native_name(code)
        labels[form[f"title_{code}"].id] = _("Title (%(language)s)", language=name)
        labels[form[f"text_{code}"].id] = _("Text (%(language)s)", language=name)
        labels[form[f"explanation_{code}"].id] = _("Why it changed (%(language)s)",
                                                  language=name)
    return render_template(
        "strategy/revision_paragraph.html", edition=edition, key=key, paragraph=paragraph,
        original=original, base=base, form=form, other_errors=other_errors,
        error_labels=labels), status


@bp.get("/<label>/paragraphs/<key>")
@role_required(*EDITORS)
def edit_paragraph(lang: str, label: str, key: str) -> Any:
    edition = _edition_or_404(label)
    base = editions.previous_edition(db.session, edition)
    if editions.paragraph_of(edition, key) is None and (
            base is None or editions.paragraph_of(base, key) is None):
        abort(404)
    return _edit_page(edition, key, _paragraph_form(edition, key), {}, 200)


@bp.post("/<label>/paragraphs/<key>")
@role_required(*EDITORS)
def save_paragraph(lang: str, label: str, key: str) -> Any:
    edition = _draft_or_409(label)
    base = editions.previous_edition(db.session, edition)
    if editions.paragraph_of(edition, key) is None and (
            base is None or editions.paragraph_of(base, key) is None):
        abort(404)
    form = _paragraph_form(edition, key, request.form)
    if form.csrf_failed():
        return _edit_page(edition, key, form, {"form": [str(CSRF_ERROR)]}, 400)

    def texts(name: str) -> dict[str, str]:
        return {code: form[f"{name}_{code}"].data or "" for code in LANGUAGES}

    edit = editions.ParagraphEdit(
        section=form.section.data, code=form.code.data, title=texts("title"),
        text=texts("text"), placeholder=form.placeholder.data,
        explanation=texts("explanation"), codes=form.codes.data or "",
        views=form.view_references())
    try:
        editions.save_paragraph(db.session, edition, key, edit, by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        edition = _edition_or_404(label)
        loose = attach_errors(form, exc.errors, aliases={
            "text": f"text_{current_language()}", "views": "other_views"})
        return _edit_page(edition, key, form, loose, 422)
    db.session.commit()
    flash(_("Paragraph %(key)s saved.", key=key), "success")
    return redirect(url_for("revision.edition", label=label) + f"#row-{key}", code=303)


@bp.post("/<label>/paragraphs")
@role_required(*EDITORS)
def add_paragraph(lang: str, label: str) -> Any:
    edition = _draft_or_409(label)
    form = NewParagraphForm(request.form)
    if form.csrf_failed():
        form.key.errors = [str(CSRF_ERROR)]
        return _overview(edition, 400, new_form=form)
    language = form.language.data if form.language.data in LANGUAGES else current_language()
    try:
        editions.add_paragraph(db.session, edition, key=(form.key.data or "").strip(),
                               section=form.section.data, text={language: form.text.data or ""},
                               by=g.staff_user)
    except ValidationFailed as exc:
        db.session.rollback()
        edition = _edition_or_404(label)
        loose = attach_errors(form, exc.errors, aliases={f"text.{language}": "text"})
        form.text.errors = list(form.text.errors or []) + loose.get("form", [])
        return _overview(edition, 422, new_form=form)
    db.session.commit()
    key = (form.key.data or "").strip()
    flash(_("Paragraph %(key)s added: write it in the other languages and say why.", key=key),
          "success")
    return redirect(url_for("revision.edit_paragraph", label=label, key=key), code=303)


@bp.post("/<label>/paragraphs/<key>/remove")
@role_required(*EDITORS)
def remove_paragraph(lang: str, label: str, key: str) -> Any:
    return _paragraph_action(label, key, editions.remove_paragraph, lambda: _(
        "Paragraph %(key)s removed from the draft: say why on its page.", key=key))


@bp.post("/<label>/paragraphs/<key>/restore")
@role_required(*EDITORS)
def restore_paragraph(lang: str, label: str, key: str) -> Any:
    return _paragraph_action(label, key, editions.restore_paragraph, lambda: _(
        "Paragraph %(key)s is back in the draft.", key=key))


def _paragraph_action(label: str, key: str, action: Any, message: Any) -> Any:
    edition = _draft_or_409(label)
    if EmptyForm(request.form).csrf_failed():
        flash(str(CSRF_ERROR), "error")
        return redirect(url_for("revision.edition", label=label), code=303)
    try:
        action(db.session, edition, key, by=g.staff_user)
    except NotFound:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(message(), "success")
    return redirect(url_for("revision.edition", label=label) + f"#row-{key}", code=303)


@bp.post("/<label>/publish")
@role_required(Role.ADMIN)
def publish(lang: str, label: str) -> Any:
    edition = _draft_or_409(label)
    if EmptyForm(request.form).csrf_failed():
        flash(str(CSRF_ERROR), "error")
        return redirect(url_for("revision.edition", label=label), code=303)
    try:
        queued = editions.publish(db.session, edition, by=g.staff_user, link_for=compare_link)
    except (ValidationFailed, NotEditable) as exc:
        db.session.rollback()
        messages = exc.errors.get("form", []) if isinstance(exc, ValidationFailed) \
            else [exc.message]
        for message in messages:
            flash(str(message), "error")
        return redirect(url_for("revision.edition", label=label), code=303)
    db.session.commit()
    flash(_("Version %(label)s is published and is now the current version. Messages queued "
            "for contributors: %(num)d.", label=label, num=queued), "success")
    return redirect(url_for("revision.edition", label=label), code=303)


@bp.post("/<label>/delete")
@role_required(Role.ADMIN)
def delete(lang: str, label: str) -> Any:
    edition = _draft_or_409(label)
    if EmptyForm(request.form).csrf_failed():
        flash(str(CSRF_ERROR), "error")
        return redirect(url_for("revision.edition", label=label), code=303)
    editions.delete_draft(db.session, edition, by=g.staff_user)
    db.session.commit()
    flash(_("Draft %(label)s deleted.", label=label), "success")
    return redirect(url_for("revision.index"), code=303)


def _import_page(form: ImportForm, problems: list[tuple[str, str]], status: int) -> Any:
    return render_template("strategy/revision_import.html", form=form, problems=problems,
                           other_errors={}), status


@bp.get("/import")
@role_required(Role.ADMIN)
def import_form(lang: str) -> Any:
    return _import_page(ImportForm(), [], 200)


@bp.post("/import")
@role_required(Role.ADMIN)
def import_file(lang: str) -> Any:
    request.max_content_length = UPLOAD_LIMIT
    form = ImportForm(request.form)
    if form.csrf_failed():
        form.file.errors = [str(CSRF_ERROR)]
        return _import_page(form, [], 400)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.file.errors = [_("Choose a JSON file.")]
        return _import_page(form, [], 422)
    try:
        draft = importer.import_document(db.session, upload.read(importer.MAX_BYTES + 1),
                                         by=g.staff_user, source=upload.filename)
    except ValidationFailed as exc:
        db.session.rollback()
        problems = [(where, str(message)) for where, messages in exc.errors.items()
                    for message in messages]
        form.file.errors = [_("The file was not imported: nothing was stored. Correct the "
                              "problems listed and upload it again.")]
        return _import_page(form, problems, 422)
    db.session.commit()
    flash(_("Version %(label)s imported as a draft: check it, then publish it.",
            label=draft.label), "success")
    return redirect(url_for("revision.edition", label=draft.label), code=303)
