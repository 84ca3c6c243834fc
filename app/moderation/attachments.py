"""Files attached to views, for moderators (issue #21): download one, read its text on the
review page with the search terms marked, and mark it public or withheld."""
from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from markupsafe import Markup

from app.auth.access import role_required
from app.db import db
from app.files import file_missing, send_attachment
from app.forms import CSRF_ERROR
from app.i18n import gettext as _
from app.moderation.forms import NoteForm
from app.moderation.routes import REVIEWERS, _filter_args, _get_submission, bp
from app.services import NotFound
from app.services.assist import search
from app.services.review import attachments as attachment_service

# The review page shows this much of a file's extracted text (a 300-page PDF holds about a
# million characters); the download has the rest.
TEXT_SHOWN = 60_000


@bp.app_template_filter("search_marks")
def search_marks(text: str | None, q: str | None) -> Markup:
    """The start of `text` (TEXT_SHOWN characters), escaped, with each match of the search
    `q` in <mark>: the queue's snippets, made as wide as the text shown."""
    shown = (text or "")[:TEXT_SHOWN]
    return search.snippet(shown, q, width=len(shown))


@bp.app_template_global()
def attachment_text_cut(text: str | None) -> bool:
    return len(text or "") > TEXT_SHOWN


ATTACHMENT = "/<lang:lang>/moderate/submissions/<int(max=2147483647):submission_id>" \
             "/attachments/<int(max=2147483647):attachment_id>"


@bp.get(ATTACHMENT)
@role_required(*REVIEWERS)
def download_attachment(lang: str, submission_id: int, attachment_id: int) -> Any:
    found = attachment_service.find(db.session, submission_id, attachment_id)
    if found is None:
        return file_missing(_("This view has no such file."))
    return send_attachment(found)


@bp.post(ATTACHMENT + "/visibility")
@role_required(*REVIEWERS)
def attachment_visibility(lang: str, submission_id: int, attachment_id: int) -> Any:
    """Mark a file public (`public=1`) or withheld (`public=0`)."""
    submission = _get_submission(submission_id)
    form = NoteForm(request.form)  # only its CSRF token is used
    choice = request.form.get("public", "")
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
    elif choice not in ("0", "1"):
        flash(_("Choose whether the file is public or withheld."), "error")
    else:
        try:
            found = attachment_service.set_public(db.session, submission, attachment_id,
                                                  public=choice == "1", by=g.staff_user)
        except NotFound as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("“%(name)s” is public: the reference group and, once the view is "
                    "published, everyone can download it.", name=found.filename)
                  if found.public else
                  _("“%(name)s” is withheld: only moderators can download it.",
                    name=found.filename), "success")
    return redirect(url_for("moderation.review", submission_id=submission_id,
                            **_filter_args()) + f"#attachment-{attachment_id}", code=303)
