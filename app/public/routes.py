"""Pages for the public: the current round, the submission form and the private receipt."""
from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from limits import RateLimitItemPerMinute

from app import reference
from app.db import db
from app.extensions import limiter
from app.forms import CSRF_ERROR
from app.i18n import current_language
from app.i18n import gettext as _
from app.labels import ACTOR_TYPES, AGE_RANGES, GENDERS, REJECT_REASONS, STATUSES
from app.models import ItemKind, Round, Submission, TagSource
from app.public.forms import EraseForm, RemoveFileForm, SubmissionForm
from app.security import accept_files, external_url, limit, undecodable_form_fields
from app.services import NotEditable, NotFound, StaleVersion, ValidationFailed, parse_id
from app.services.contributions import attachments, intake
from app.services.contributions.intake import ENCODING_ERROR
from app.services.platform import rounds
from app.services.publishing import outbox
from app.services.publishing.responses import has_published as has_published_response

bp = Blueprint("public", __name__)


@bp.before_request
def _files_on_the_form() -> None:
    """The submission form may carry attached files: a larger body, for it alone. Before
    any view decorator (the rate limit's answer reads the form too)."""
    if request.method == "POST" and request.endpoint == "public.submit" and \
            request.mimetype == "multipart/form-data":
        accept_files()


def uploads() -> list[attachments.Upload]:
    """The files of the form's `files` input; an input left empty sends a part with no
    name and no bytes, which is no file. Each is read up to one byte over the limit: the
    service then says it is too large."""
    most = attachments.limits().max_bytes + 1
    return [attachments.Upload(part.filename or "", part.read(most))
            for part in request.files.getlist("files")
            if part.filename or part.content_length]


@bp.get("/")
def root() -> Response:
    """Send the reader to the best of the six languages for their browser."""
    return redirect(url_for("public.home", lang=current_language()))


@bp.get("/<lang:lang>/")
def home(lang: str) -> str:
    open_now = reference.open_rounds()
    featured = open_now[0] if open_now else rounds.featured_round(db.session)
    others = [r for r in open_now if featured and r.id != featured.id]
    return render_template("public/home.html", round=featured, other_rounds=others)


@bp.get("/<lang:lang>/privacy")
def privacy(lang: str) -> str:
    return render_template("public/privacy.html")


def _round_for_submission() -> reference.RoundData | None:
    """The round named by `?round=`, else the open round closing soonest."""
    requested = request.args.get("round", "")
    if requested:
        found = reference.get_round(parse_id(requested))
        if found is None:
            abort(404)
        return found
    open_now = reference.open_rounds()
    return open_now[0] if open_now else None


def _build_form(round_: Round | reference.RoundData, formdata: Any = None, obj: Any = None,
                **kwargs: Any) -> SubmissionForm:
    form = SubmissionForm(formdata, obj=obj, **kwargs)
    items = reference.items_by_kind(round_.strategy_version_id)
    form.prepare(current_language(), list(round_.questions), items)
    form.prepare_paragraphs(current_language(), reference.current_paragraphs())
    return form


def _encoding_errors() -> dict[str, list[Any]]:
    """Field errors for form values that are not valid UTF-8 (see security)."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return {}
    bad = undecodable_form_fields(request.get_data(cache=True))
    return {name: [ENCODING_ERROR] for name in sorted(bad)}


def _attach_errors(form: SubmissionForm, errors: dict[str, list[Any]]) -> dict[str, list[str]]:
    """Put service errors on the form's fields; return those with no field (answers)."""
    loose: dict[str, list[str]] = {}
    for name, messages in errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = list(field.errors or []) + [str(m) for m in messages]
        else:
            loose[name] = [str(m) for m in messages]
    return loose


# A client gets the whole form back this many times a minute once over the limit.
FULL_PAGE_BREACHES = RateLimitItemPerMinute(3)


def _repeated_breach(key: str) -> bool:
    """True once a client has gone over the limit FULL_PAGE_BREACHES times this minute.

    A person who goes over the limit sends again a few times at most; a flood sends
    hundreds a second, and rendering the whole form for each would spend the workers on
    the bots (measured by make bench's flood scenario). Counted by the rate limiter's own
    storage (Redis when configured: every worker and node), like the limit itself."""
    try:
        return not limiter.limiter.hit(FULL_PAGE_BREACHES, "submit-breach", key)
    except Exception:  # noqa: BLE001 - the storage is down: the limiter lets people in too
        return False


def _submit_rate_limited(limit: Any) -> Response | None:
    """Too many views from this address: show the form again with everything typed, so
    that someone behind a busy shared connection loses nothing and can send again. A
    client that keeps going gets the short error page instead (None: the default 429)."""
    if _repeated_breach(str(getattr(limit, "key", ""))):
        return None
    round_ = _round_for_submission()
    if round_ is None:
        return make_response(render_template("public/closed.html", round=None), 429)
    form = _build_form(round_, request.form)
    message = _("Many views were sent from your network in a short time. Wait a minute, then "
                "send yours again: what you wrote is kept below.")
    html = render_template("public/submit.html", form=form, round=round_,
                           answers=form.answers(request.form), other_errors={"form": [message]},
                           action=url_for("public.submit", round=round_.id))
    return make_response(html, 429)


@bp.route("/<lang:lang>/submit", methods=["GET", "POST"])
@limit("SUBMIT_RATE_LIMIT", methods=["POST"], on_breach=_submit_rate_limited)
def submit(lang: str) -> Any:
    # Read the raw body before request.form consumes it.
    encoding_errors = _encoding_errors() if request.method == "POST" else {}
    round_ = _round_for_submission()
    if round_ is None or (request.method == "GET" and not round_.is_open):
        return render_template("public/closed.html", round=round_)
    # A POST to a round that closed while the form was being filled in goes on to the
    # service, which refuses it with a message shown above the form: nothing typed is lost.
    if request.method == "POST":
        form = _build_form(round_, request.form)
    else:  # "Comment on this paragraph" on the strategy's page: /<lang>/submit?paragraph=key
        form = _build_form(round_, paragraph=request.args.get("paragraph", "")[:64] or None)
    status = 200
    other_errors: dict[str, list[str]] = {}
    answers = form.answers(request.form) if request.method == "POST" else {}
    if request.method == "POST":
        if form.csrf_failed():
            other_errors["form"] = [str(CSRF_ERROR)]
            status = 400
        elif form.website.data:
            # The honeypot, a field people never see, was filled in: a bot. Answer as if
            # all went well, store nothing.
            return redirect(url_for("public.thanks"), code=303)
        elif encoding_errors:
            other_errors = _attach_errors(form, encoding_errors)
            status = 422
        else:
            flag = None if form.filled_slowly(current_app.config["MIN_FILL_SECONDS"]) \
                else "fast_fill"
            try:
                data = form.to_input(round_.id, request.form)
                data.files = uploads()
                _submission, token = intake.submit(db.session, data, flag=flag)
            except ValidationFailed as exc:
                db.session.rollback()
                other_errors = _attach_errors(form, exc.errors)
                status = 422
            else:
                return received(_submission, token)
    form.stamp_start()
    return render_template("public/submit.html", form=form, round=round_, answers=answers,
                           other_errors=other_errors, files=attachments.limits(),
                           accept=attachments.ACCEPT,
                           action=url_for("public.submit", round=round_.id)), status


def manage_link(token: str) -> str:
    """The absolute private link, in the language of the page."""
    return external_url("public.manage", token=token)


def received(submission: Submission, token: str) -> Response:
    """After a new view is stored: queue its private link by email when an address was
    given (in the page's language), commit, and show the receipt."""
    emailed = outbox.enqueue_receipt(db.session, submission, current_language(),
                                     manage_link(token))
    db.session.commit()
    flash(_("Thank you. Your view has been received."), "success")
    if emailed:
        flash(_("We are also sending the private link to the email address you gave."), "info")
    return redirect(url_for("public.manage", token=token, new=1), code=303)


@bp.get("/<lang:lang>/thanks")
def thanks(lang: str) -> str:
    return render_template("public/thanks.html")


def _private(response: Any) -> Response:
    """Receipt pages carry a secret in their URL: never cache or index them."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _submission_or_404(token: str) -> Submission:
    try:
        return intake.find_by_token(db.session, token)
    except NotFound:
        abort(404)


@bp.get("/<lang:lang>/manage/<token>")
@limit("RECEIPT_RATE_LIMIT")
def manage(lang: str, token: str) -> Response:
    submission = _submission_or_404(token)
    return _private(render_template(
        "public/manage.html", submission=submission, token=token, remove_form=RemoveFileForm(),
        is_new=request.args.get("new") == "1", statuses=STATUSES, actor_types=ACTOR_TYPES,
        age_ranges=AGE_RANGES, genders=GENDERS, reasons=REJECT_REASONS, TagSource=TagSource,
        ItemKind=ItemKind,
        manage_url=manage_link(token),
        has_response=has_published_response(db.session, submission.round_id)))


@bp.route("/<lang:lang>/manage/<token>/edit", methods=["GET", "POST"])
@limit("RECEIPT_RATE_LIMIT")
def edit(lang: str, token: str) -> Response:
    encoding_errors = _encoding_errors() if request.method == "POST" else {}
    submission = _submission_or_404(token)
    if not submission.is_editable:
        flash(_("This view has already been reviewed and can no longer be changed."), "error")
        return redirect(url_for("public.manage", token=token), code=303)
    round_ = submission.round
    status = 200
    other_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = _build_form(round_, request.form)
        answers = form.answers(request.form)
        version = parse_id(form.version.data)
        if form.csrf_failed():
            other_errors["form"] = [str(CSRF_ERROR)]
            status = 400
        elif encoding_errors:
            other_errors = _attach_errors(form, encoding_errors)
            status = 422
        else:
            try:
                intake.update(db.session, submission,
                              form.to_input(round_.id, request.form), version=version)
            except ValidationFailed as exc:
                db.session.rollback()
                other_errors = _attach_errors(form, exc.errors)
                status = 422
            except (StaleVersion, NotEditable) as exc:
                db.session.rollback()
                flash(str(exc.message), "error")
                return redirect(url_for("public.manage", token=token), code=303)
            else:
                db.session.commit()
                flash(_("Your changes have been saved."), "success")
                return redirect(url_for("public.manage", token=token), code=303)
    else:
        form = _build_form(round_, obj=_FormView(submission), version=str(submission.version))
        answers = {a.question_id: a.text for a in submission.answers}
    return _private((render_template(
        "public/submit.html", form=form, round=round_, answers=answers, editing=True,
        other_errors=other_errors, token=token,
        action=url_for("public.edit", token=token)), status))


@bp.post("/<lang:lang>/manage/<token>/files/<int:attachment_id>/remove")
@limit("RECEIPT_RATE_LIMIT")
def remove_file(lang: str, token: str, attachment_id: int) -> Response:
    """The contributor takes one file off a view still waiting for review."""
    submission = _submission_or_404(token)
    form = RemoveFileForm(request.form)
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
        return redirect(url_for("public.manage", token=token), code=303)
    try:
        intake.remove_file(db.session, submission, attachment_id)
    except NotEditable as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    except NotFound:
        db.session.rollback()
        abort(404)
    else:
        db.session.commit()
        flash(_("The file has been removed from your view."), "success")
    return redirect(url_for("public.manage", token=token), code=303)


class _FormView:
    """Presents a stored submission with the attribute names of the form."""

    def __init__(self, submission: Submission) -> None:
        personal = submission.personal
        self.title = submission.title
        self.body = submission.body
        self.language = submission.language
        self.actor_type = submission.actor_type.value if submission.actor_type else ""
        self.country = submission.country or ""
        self.age_range = personal.age_range.value if personal and personal.age_range else ""
        self.gender = personal.gender.value if personal and personal.gender else ""
        self.email = personal.email if personal else ""
        self.technologies = submission.tag_codes(TagSource.CONTRIBUTOR, ItemKind.TECHNOLOGY)
        self.principles = submission.tag_codes(TagSource.CONTRIBUTOR, ItemKind.PRINCIPLE)
        self.commitments = submission.tag_codes(TagSource.CONTRIBUTOR, ItemKind.COMMITMENT)
        self.consent_processing = submission.consent_processing
        self.consent_publication = submission.consent_publication
        self.anonymous = submission.anonymous
        self.paragraph = submission.paragraph_key or ""
        organisation = submission.organisation
        self.on_behalf_of_organisation = organisation is not None
        self.organisation_name = organisation.name if organisation else ""
        self.organisation_website = (organisation.website or "") if organisation else ""
        self.publish_organisation = organisation.publish if organisation else False


@bp.get("/<lang:lang>/manage/<token>/copy.json")
@limit("RECEIPT_RATE_LIMIT")
def download_copy(lang: str, token: str) -> Response:
    submission = _submission_or_404(token)
    payload = json.dumps(intake.copy_of(submission), ensure_ascii=False, indent=2)
    response = Response(payload, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="submission-{submission.reference}.json"')
    return _private(response)


@bp.get("/<lang:lang>/manage/<token>/copy.txt")
@limit("RECEIPT_RATE_LIMIT")
def download_text(lang: str, token: str) -> Response:
    """The receipt as plain text in the page's language: readable on any phone, and
    printable or forwardable by someone who does not know what JSON is."""
    submission = _submission_or_404(token)
    text = render_template(
        "public/copy.txt", submission=submission, statuses=STATUSES, actor_types=ACTOR_TYPES,
        age_ranges=AGE_RANGES, genders=GENDERS, manage_url=manage_link(token),
        TagSource=TagSource)
    # CRLF and a byte order mark: Notepad and phone viewers pick UTF-8 and the lines.
    response = Response("\ufeff" + text.replace("\r\n", "\n").replace("\n", "\r\n"),
                        mimetype="text/plain")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="submission-{submission.reference}.txt"')
    return _private(response)


@bp.route("/<lang:lang>/manage/<token>/erase", methods=["GET", "POST"])
@limit("RECEIPT_RATE_LIMIT")
def erase(lang: str, token: str) -> Response:
    submission = _submission_or_404(token)
    form = EraseForm(request.form if request.method == "POST" else None)
    status = 200
    if submission.erased_at is not None:
        return redirect(url_for("public.manage", token=token), code=303)
    if request.method == "POST":
        if form.csrf_failed():
            form.confirm.errors = [str(CSRF_ERROR)]
            status = 400
        elif not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm that you want to erase your view.")]
            status = 422
        else:
            intake.erase(db.session, submission)
            db.session.commit()
            flash(_("Your view has been withdrawn and erased."), "success")
            return redirect(url_for("public.manage", token=token), code=303)
    return _private((render_template("public/erase.html", form=form, submission=submission,
                                     token=token), status))
