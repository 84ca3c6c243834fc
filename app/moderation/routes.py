"""The moderation workspace: the queue, the review page and decisions."""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from app import cache, reference
from app.auth.access import role_required
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import current_language, format_share, localized, ngettext
from app.i18n import gettext as _
from app.labels import ACTOR_TYPES, AGE_RANGES, GENDERS, REJECT_REASONS, STATUSES
from app.models import ItemKind, Role, TagSource
from app.moderation.forms import BulkForm, DecisionForm, NoteForm, QueueFilterForm
from app.regions import region_name, region_of
from app.services import NotEditable, StaleVersion, ValidationFailed, parse_id
from app.services.assist import search, stored_suggestions
from app.services.assist import suggest as suggest_service
from app.services.contributions import privacy
from app.services.review import agreement, moderation, tagging
from app.services.strategy import editions as strategy_editions
from app.services.text import pii

bp = Blueprint("moderation", __name__)

REVIEWERS = (Role.ADMIN, Role.MODERATOR)


@bp.app_template_filter("mark_pii")
def mark_pii(text: str) -> Markup:
    """Escape `text` and wrap likely personal data in <mark> for the moderator.

    Emails, links, phone and identity numbers read left to right even in Arabic text: a
    phone number has no strong character, so `dir="auto"` would lay it out right to left
    and show its groups of digits in reverse order.
    """
    labels = {
        "email": _("Possible email address"),
        "url": _("Link"),
        "phone": _("Possible phone number"),
        "id_number": _("Possible identity number"),
    }
    out: list[Any] = []
    position = 0
    for span in pii.find(text or ""):
        out.append(escape(text[position:span.start]))
        out.append(Markup('<mark class="pii" dir="ltr" data-kind="{}">'
                          '<span class="visually-hidden">{}: </span>{}</mark>'
                          ).format(span.kind, labels[span.kind], text[span.start:span.end]))
        position = span.end
    out.append(escape((text or "")[position:]))
    return Markup("").join(out)


def _filter_form(*, paragraphs: bool = False, args: Any = None) -> QueueFilterForm:
    """The queue's filter (of `args`, else the query string); `paragraphs`: with the
    paragraph choices, to render it."""
    form = QueueFilterForm(request.args if args is None else args)
    lang = current_language()
    form.prepare(lang, reference.all_rounds(), [
        (p.key, strategy_editions.paragraph_label(p, lang))
        for p in reference.current_paragraphs()] if paragraphs else [])
    return form


def _filter_args() -> dict[str, str]:
    """The queue's filter and order, to carry from page to page (review, next, back)."""
    keys = ("status", "round", "language", "actor_type", "country", "region", "date_from",
            "date_to", "has_email", "claimed", "q", "detected", "paragraph")
    args = {k: v for k in keys if (v := request.args.get(k))}
    if _newest_first():
        args["order"] = "newest"
    if _page_size() != PAGE_SIZES[0]:
        args["per_page"] = str(_page_size())
    return args


# A kept fragment's renderer: (language, the filter's sorted arguments) -> its markup.
FragmentRenderer = Callable[[str, tuple[tuple[str, str], ...]], Markup]


def _kept_fragment(render: FragmentRenderer, lang: str,
                   filter_args: dict[str, str] | None = None) -> Markup:
    """A part of the queue page that is the same markup for the same language, reference
    data (rounds, taxonomy, paragraphs) and filter, made by `render`: the filter form
    (`_render_filters`) or the bulk actions with their tag picker (`_render_bulk_bar`).

    Rendering them is a quarter of a queue page's CPU: the app keeps the last 64 (about
    20 KB each) in each worker, so a moderator paging through a filtered queue, or coming
    back to it from a review, gets them from there. Kept by issue #19's rule (more than 10 %
    of a page's CPU), bench/profile_page.py at 50,000 views, CPU per request rendering the
    filter form each time and kept: the queue 10.6 -> 9.0 ms (-15 %), filtered 13.6 ->
    11.8 ms (-13 %), a search that matches nothing 5.5 -> 3.8 ms (-32 %). The bulk bar
    (a form, the tag boxes and the reasons) kept as well, at a million views in process,
    30 alternated pairs of 10 pages: the queue 12.8 -> 11.5 ms (-9 %), filtered -9 %; with
    it, the queue came back to 6e62452's CPU (it kept the tag boxes another way)."""
    versions = reference.version_key()
    args = tuple(sorted((filter_args or {}).items()))
    if versions is None:  # this transaction changed reference data: nothing to keep
        return render(lang, args)
    kept = current_app.extensions.get("queue_fragments")
    if kept is None:
        kept = current_app.extensions["queue_fragments"] = functools.lru_cache(maxsize=64)(
            _render_kept)
    return kept(render, lang, versions, args)


def _render_kept(render: FragmentRenderer, lang: str, _versions: Any,
                 args: tuple[tuple[str, str], ...]) -> Markup:
    """`render`, with the reference versions in the kept fragments' key."""
    return render(lang, args)


def _render_filters(lang: str, args: tuple[tuple[str, str], ...]) -> Markup:
    form = _filter_form(paragraphs=True, args=MultiDict(args))
    return Markup(render_template("moderation/_queue_filters.html",  # noqa: S704  # nosec B704
                                  form=form, filter_args=dict(args)))


def _render_bulk_bar(lang: str, _args: tuple[tuple[str, str], ...]) -> Markup:
    bulk_form = BulkForm()
    version_id = reference.current_taxonomy_version_id()
    if version_id is not None:
        bulk_form.prepare(lang, reference.items_by_kind(version_id))
    return Markup(render_template("moderation/_bulk_bar.html",  # noqa: S704  # nosec B704
                                  bulk_form=bulk_form))


PAGE_SIZES = (50, 100)


def _newest_first() -> bool:
    return request.args.get("order") == "newest"


def _page_size() -> int:
    size = parse_id(request.args.get("per_page", ""))
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


@bp.get("/<lang:lang>/moderate")
@role_required(*REVIEWERS)
def queue(lang: str) -> Any:
    queue_filter = _filter_form().to_filter(g.staff_user.id)
    try:
        page = moderation.queue(db.session, queue_filter, cursor=request.args.get("cursor"),
                                limit=_page_size(), newest_first=_newest_first(),
                                with_text=bool(queue_filter.q), listing=True)
    except ValidationFailed:
        abort(400)
    ids = [item.id for item in page.items]
    # A search shows where the words matched; otherwise each row shows how its text begins.
    snippets = search.snippets({item.id: item.full_text for item in page.items},
                               queue_filter.q) if queue_filter.q else {}
    text_starts = {} if queue_filter.q else moderation.text_starts(db.session, ids)
    chips = _suggestion_chips(lang, stored_suggestions.top_for(db.session, ids))
    counts = cache.remember(
        "status_counts", {**dataclasses.asdict(queue_filter), "status": None,
                          "viewer_id": queue_filter.viewer_id if queue_filter.claimed else None},
        current_app.config["COUNTS_CACHE_SECONDS"],
        lambda: {s.value: n for s, n in moderation.status_counts(db.session,
                                                                  queue_filter).items()})
    filter_args = _filter_args()
    # Labels translated once per page rather than once per row.
    return render_template(
        "moderation/queue.html", page=page, counts=counts,
        filters=_kept_fragment(_render_filters, lang, filter_args),
        bulk_bar=_kept_fragment(_render_bulk_bar, lang) if page.items else None,
        statuses={s: str(label) for s, label in STATUSES.items()},
        actor_types={a: str(label) for a, label in ACTOR_TYPES.items()},
        filter_args=filter_args, current_status=queue_filter.status,
        snippets=snippets, text_starts=text_starts, chips=chips,
        newest_first=_newest_first(), page_size=_page_size(),
        page_sizes=PAGE_SIZES, select_page=request.args.get("select") == "page",
        cursor=request.args.get("cursor"))


def _suggestion_chips(lang: str, tops: dict[int, dict[ItemKind, Any]]
                      ) -> dict[int, list[tuple[str, str, str]]]:
    """(code, label, confidence as a percentage) of each row's top principle, then
    commitment: made here rather than in the template, where fifty rows of lookups and
    filters cost more than the rest of the row."""
    version_id = reference.current_taxonomy_version_id()
    items = reference.items_by_kind(version_id) if version_id is not None else {}
    labels = {item.code: localized(item.labels, lang)
              for kind in stored_suggestions.QUEUE_KINDS for item in items.get(kind, [])}
    return {ident: [(top.code, labels.get(top.code, ""), format_share(top.confidence, lang))
                    for kind in stored_suggestions.QUEUE_KINDS if (top := found.get(kind))]
            for ident, found in tops.items()}


@bp.post("/<lang:lang>/moderate/claim")
@role_required(*REVIEWERS)
def claim(lang: str) -> Any:
    form = NoteForm(request.form)  # only its CSRF token is used
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
    else:
        queue_filter = _filter_form().to_filter(g.staff_user.id)
        claimed = moderation.claim_next(db.session, g.staff_user, count=20,
                                        minutes=current_app.config["CLAIM_MINUTES"],
                                        f=queue_filter)
        db.session.commit()
        flash(_("No submission was left to claim with these filters.") if not claimed else
              ngettext("You claimed %(num)d submission.", "You claimed %(num)d submissions.",
                       len(claimed)), "success")
    return redirect(url_for("moderation.queue", **_filter_args(), claimed="mine"), code=303)


@bp.post("/<lang:lang>/moderate/release")
@role_required(*REVIEWERS)
def release(lang: str) -> Any:
    form = NoteForm(request.form)
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
    else:
        count = moderation.release_claims(db.session, g.staff_user)
        db.session.commit()
        flash(_("You had no claimed submission to release.") if count == 0 else
              ngettext("You released %(num)d submission.", "You released %(num)d submissions.",
                       count), "success")
    return redirect(url_for("moderation.queue", **_filter_args()), code=303)


def _selection(values: list[str]) -> list[tuple[int, int]]:
    pairs = []
    for value in values:
        ident, _sep, version = value.partition(":")
        if parse_id(ident) is not None and parse_id(version) is not None:
            pairs.append((parse_id(ident), parse_id(version)))
    return pairs


@bp.post("/<lang:lang>/moderate/bulk")
@role_required(*REVIEWERS)
def bulk(lang: str) -> Any:
    form = BulkForm(request.form)
    action = request.form.get("action", "")
    selection = _selection(request.form.getlist("selected"))
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
    elif action not in ("approve", "reject", "tag") or not selection:
        flash(_("Select at least one submission and an action."), "error")
    else:
        result = moderation.bulk(db.session, by=g.staff_user, selection=selection,
                                 action=action, tags=form.tag_input(), reason=form.reason.data)
        db.session.commit()
        if result.done:
            flash(ngettext("%(num)d submission updated.", "%(num)d submissions updated.",
                           len(result.done)), "success")
        if result.stale:
            flash(ngettext("%(num)d submission was changed by someone else and was skipped.",
                           "%(num)d submissions were changed by someone else and were skipped.",
                           len(result.stale)), "error")
        if result.invalid:
            messages = sorted({str(m) for errors in result.invalid.values()
                               for ms in errors.values() for m in ms})
            flash(ngettext("%(num)d submission was not changed: %(reasons)s",
                           "%(num)d submissions were not changed: %(reasons)s",
                           len(result.invalid), reasons=" ".join(messages)), "error")
    return redirect(url_for("moderation.queue", **_filter_args()), code=303)


def _review_context(submission: Any, form: DecisionForm) -> dict[str, Any]:
    lang = current_language()
    queue_filter = _filter_form().to_filter(g.staff_user.id)
    following = moderation.neighbour(db.session, submission, queue_filter,
                                     newest_first=_newest_first())
    contributor_codes = {t.item.code for t in submission.tags if t.source == TagSource.CONTRIBUTOR}
    suggestions = suggest_service.suggestions(db.session, submission)
    errors = _decision_errors(form)
    return {
        "submission": submission, "form": form, "note_form": NoteForm(),
        "statuses": STATUSES, "actor_types": ACTOR_TYPES, "age_ranges": AGE_RANGES,
        "genders": GENDERS, "reasons": REJECT_REASONS,
        "contributor_codes": contributor_codes,
        "region": region_name(region_of(submission.country), lang),
        "next_submission": following, "filter_args": _filter_args(),
        "keywords": cache.remember("popular_keywords", [], 300,
                                   lambda: moderation.popular_keywords(db.session)),
        "TagSource": TagSource, "ItemKind": ItemKind,
        "suggestions": suggestions,
        "suggested_accepted": set(request.form.getlist("suggested")),
        # Principles and commitments suggested, marked beside their boxes in the panel.
        "suggested_codes": {s.code: s.confidence for group in ("principles", "commitments")
                            for s in suggestions.get(group, [])},
        "decision_errors": errors, "first_invalid": errors[0][0] if errors else None,
    }


# The decision form's fields in the order the page shows them: the panel first, then the
# text column. Errors are listed in this order and the first one is focused.
DECISION_FIELDS = ("principles", "commitments", "reason", "note", "redacted_title",
                   "redacted_text", "highlight", "technologies", "themes", "keywords")


def _decision_errors(form: DecisionForm) -> list[tuple[str, str, str]]:
    """(field id, field label, message) of each error of the decision form, in page order."""
    found = []
    for name in DECISION_FIELDS:
        field = form[name]
        found += [(field.id, str(field.label.text), str(m)) for m in field.errors or []]
    return found


def _decision_form(submission: Any, formdata: Any = None) -> DecisionForm:
    form = DecisionForm(formdata)
    form.prepare(current_language(), reference.items_by_kind(submission.round.strategy_version_id))
    if formdata is None:
        form.version.data = str(submission.version)
        for kind in ItemKind:
            getattr(form, kind.group).data = submission.tag_codes(TagSource.MODERATOR, kind)
        form.keywords.data = ", ".join(k.text for k in submission.keywords)
        form.reason.data = submission.reject_reason.value if submission.reject_reason else ""
        form.note.data = submission.reject_note or ""
        form.redacted_text.data = submission.public_text
        form.redacted_title.data = submission.public_title
        form.highlight.data = submission.highlight or ""
    return form


def _get_submission(submission_id: int) -> Any:
    submission = tagging.get_for_review(db.session, submission_id)
    if submission is None:
        abort(404)
    return submission


@bp.get("/<lang:lang>/moderate/submissions/<int(max=2147483647):submission_id>")
@role_required(*REVIEWERS)
def review(lang: str, submission_id: int) -> Any:
    submission = _get_submission(submission_id)
    # A possible second coder must not see the first coding. An admin may still open the
    # page on purpose (to erase a submission on its author's request, say).
    revealed = g.staff_user.role == Role.ADMIN and request.args.get("reveal") == "1"
    if not revealed and agreement.is_blind(db.session, submission, g.staff_user):
        return redirect(url_for("moderation.second_coding", submission_id=submission_id))
    form = _decision_form(submission)
    return render_template("moderation/review.html", **_review_context(submission, form))


@bp.post("/<lang:lang>/moderate/submissions/<int(max=2147483647):submission_id>/decision")
@role_required(*REVIEWERS)
def decide(lang: str, submission_id: int) -> Any:
    submission = _get_submission(submission_id)
    form = _decision_form(submission, request.form)
    action = request.form.get("action", "")
    status = 200
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
        status = 400
    else:
        version = parse_id(form.version.data)
        # Ticked suggestions join the tags; the audit event records which came from them.
        tags, suggested = tagging.with_accepted(
            form.tag_input(), request.form.getlist("suggestion_shown"),
            request.form.getlist("suggested"))
        try:
            moderation.decide(db.session, submission, by=g.staff_user, action=action,
                              version=version, tags=tags, reason=form.reason.data,
                              note=form.note.data, redacted_text=form.redacted_text.data,
                              redacted_title=form.redacted_title.data,
                              highlight=form.highlight.data, suggestions=suggested)
        except (StaleVersion, NotEditable) as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("moderation.review", submission_id=submission_id,
                                    **_filter_args()), code=303)
        except ValidationFailed as exc:
            db.session.rollback()
            for name, messages in exc.errors.items():
                field = form._fields.get(name)
                target = field if field is not None else form.reason
                target.errors = list(target.errors or []) + [str(m) for m in messages]
            status = 422
        else:
            db.session.commit()
            flash(_("Submission approved.") if action == "approve"
                  else _("Submission not published."), "success")
            if request.form.get("then") == "next":
                following = moderation.neighbour(
                    db.session, submission, _filter_form().to_filter(g.staff_user.id),
                    newest_first=_newest_first())
                if following is not None:
                    return redirect(url_for("moderation.review", submission_id=following.id,
                                            **_filter_args()), code=303)
                return redirect(url_for("moderation.queue", **_filter_args()), code=303)
            return redirect(url_for("moderation.review", submission_id=submission_id,
                                    **_filter_args()), code=303)
    submission = _get_submission(submission_id)
    return render_template("moderation/review.html",
                           **_review_context(submission, form)), status


@bp.post("/<lang:lang>/moderate/submissions/<int(max=2147483647):submission_id>/notes")
@role_required(*REVIEWERS)
def add_note(lang: str, submission_id: int) -> Any:
    submission = _get_submission(submission_id)
    form = NoteForm(request.form)
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
    else:
        try:
            moderation.add_note(db.session, submission, by=g.staff_user, text=form.note.data)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(" ".join(str(m) for ms in exc.errors.values() for m in ms), "error")
        else:
            db.session.commit()
            flash(_("Note added."), "success")
    return redirect(url_for("moderation.review", submission_id=submission_id,
                            **_filter_args()) + "#notes", code=303)


@bp.post("/<lang:lang>/moderate/submissions/<int(max=2147483647):submission_id>/erase")
@role_required(Role.ADMIN)
def erase(lang: str, submission_id: int) -> Any:
    """Erase a submission's text and personal data (e.g. a contributor's request by email)."""
    submission = _get_submission(submission_id)
    form = NoteForm(request.form)
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
    elif request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm the erasure."), "error")
    else:
        privacy.erase_by_admin(db.session, submission, by=g.staff_user)
        db.session.commit()
        flash(_("The submission was erased. Only an anonymous record remains."), "success")
    return redirect(url_for("moderation.review", submission_id=submission_id), code=303)


# The double-coding and campaign pages add their routes to `bp` when imported.
