"""Public round pages: published views, moderation numbers, open data and Atom feeds.

Routes of the `public` blueprint (imported by `register_blueprints`). Everything here is
read by anyone without an account, so it shows only what `app.services.publishing.publication`
lets out: the public text of views whose authors consented, and aggregates.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # nosec B405
from collections.abc import Iterator
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)

from app import cache
from app.db import db
from app.files import file_missing, send_attachment
from app.i18n import current_language, language_name, localized, pick, text_direction
from app.i18n import gettext as _
from app.labels import ACTOR_TYPES, REJECT_REASONS
from app.models import ActorType, ItemKind, RejectReason, Round, TaxonomyItem
from app.public.routes import bp
from app.regions import REGIONS, region_name
from app.reports import charts
from app.security import external_url, limit, public_host
from app.services import MAX_ID, ValidationFailed
from app.services.platform import taxonomy as taxonomy_service
from app.services.platform.rounds import list_rounds, round_state
from app.services.publishing import publication, responses
from app.services.reporting import archive, export

FEED_SIZE = 50
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot carry at all (the text is cleaned on intake; this is a guard).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _round_or_404(round_id: int) -> Round:
    found = db.session.get(Round, round_id) if 0 < round_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


def state_of(round_: Round, archived: set[int]) -> str:
    """upcoming, open, closed or archived (closed with frozen counts)."""
    if round_.id in archived:
        return "archived"
    return round_state(round_).value


def state_label(state: str) -> str:
    return {"upcoming": _("Not open yet"), "open": _("Open"), "closed": _("Closed"),
            "archived": _("Closed and archived")}[state]


def _archived_ids() -> set[int]:
    return set(archive.snapshots_by_round(db.session))


def _labels(round_: Round) -> tuple[dict[ItemKind, list[TaxonomyItem]], dict[str, str]]:
    items = taxonomy_service.items_by_kind(db.session, round_.strategy_version_id)
    lang = current_language()
    return items, {item.code: localized(item.labels, lang)
                   for kind_items in items.values() for item in kind_items}


def actor_label(code: str | None) -> str:
    try:
        return str(ACTOR_TYPES[ActorType(code)]) if code else ""
    except ValueError:
        return ""


def region_label(code: str | None) -> str:
    return region_name(code, current_language()) if code else ""


def _published_counts() -> dict[str, int]:
    """Published views per round, cached for COUNTS_CACHE_SECONDS."""
    def compute() -> dict[str, int]:
        return {str(round_id): n for round_id, n
                in publication.count_published_by_round(db.session).items()}
    return cache.remember("published_counts", [], current_app.config["COUNTS_CACHE_SECONDS"],
                          compute)


@bp.get("/<lang:lang>/rounds")
def rounds_list(lang: str) -> str:
    archived = _archived_ids()
    listed = [(r, state_of(r, archived)) for r in list_rounds(db.session)]
    return render_template("public/rounds.html", rounds=listed, counts=_published_counts(),
                           state_label=state_label)


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>")
def round_page(lang: str, round_id: int) -> Any:
    round_ = _round_or_404(round_id)
    items, labels = _labels(round_)
    status = 200
    errors: dict[str, list[str]] = {}
    try:
        f = publication.PublicFilter.from_args(request.args, items)
        found = publication.page(db.session, round_.id, f,
                                 cursor=request.args.get("after") or None)
    except ValidationFailed as exc:
        errors = {name: [str(m) for m in messages] for name, messages in exc.errors.items()}
        f, status = publication.PublicFilter(), 400
        found = publication.Page(views=[], next_cursor=None)
    total = _published_counts().get(str(round_.id), 0)
    return render_template(
        "public/round.html", round=round_,
        has_response=responses.has_published(db.session, round_.id),
        state=state_of(round_, _archived_ids()),
        state_label=state_label, items=items, labels=labels, f=f, args=request.args,
        errors=errors, found=found, total=total, filter_args=f.to_args(),
        actor_label=actor_label, region_label=region_label,
        kinds=publication.PublicFilter.KINDS), status


@bp.get("/<lang:lang>/contributions/<reference>")
def contribution(lang: str, reference: str) -> Any:
    view = publication.get(db.session, reference)
    if view is None:
        return render_template("public/contribution_missing.html"), 404
    round_ = db.session.get(Round, view.round_id)
    _items, labels = _labels(round_)
    return render_template("public/contribution.html", view=view, round=round_, labels=labels,
                           actor_label=actor_label, region_label=region_label)


@bp.get("/<lang:lang>/contributions/<reference>/files/<int(max=2147483647):attachment_id>")
def contribution_file(lang: str, reference: str, attachment_id: int) -> Any:
    """A file of a published view that a moderator made public; any other id of any other
    file is not found, the same way."""
    found = publication.published_attachment(db.session, reference, attachment_id)
    if found is None:
        return file_missing(_("There is no such file with this published view."))
    return send_attachment(found)


# Moderation transparency.

OUTCOMES = ("published", "not_published_no_consent", "pending", "withdrawn")


def outcome_label(key: str) -> str:
    return {"received": _("Views received"),
            "published": _("Published"),
            "not_published_no_consent": _("Accepted, not published: the author did not "
                                          "consent to publication"),
            "pending": _("Waiting for review"),
            "withdrawn": _("Withdrawn and erased by their authors"),
            "rejected": _("Not accepted"),
            "clusters": _("Campaigns detected (many near-identical views)"),
            "folded": _("Views folded into a campaign")}[key]


def transparency(round_: Round) -> dict[str, Any]:
    """The round's moderation numbers, cached for REPORTS_CACHE_SECONDS: counting them
    reads every row of the round."""
    def compute() -> dict[str, Any]:
        counts = publication.moderation_counts(db.reports_session, round_.id)
        counts["campaigns"] = publication.campaign_counts(db.reports_session, round_.id)
        return counts
    return cache.remember("transparency", [round_.id],
                          current_app.config["REPORTS_CACHE_SECONDS"], compute)


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>/moderation")
def moderation_numbers(lang: str, round_id: int) -> str:
    round_ = _round_or_404(round_id)
    counts = transparency(round_)
    rows = [(outcome_label(key), counts[key]) for key in OUTCOMES]
    rows[2:2] = [(_("Not accepted: %(reason)s", reason=str(REJECT_REASONS[reason])),
                  counts["rejected_by_reason"].get(reason.value, 0)) for reason in RejectReason]
    chart = charts.bar_chart(
        rows, title=_("What became of the views received"),
        description="; ".join(f"{label}: {count}" for label, count in rows),
        rtl=text_direction() == "rtl")
    return render_template("public/moderation.html", round=round_, counts=counts, rows=rows,
                           chart=chart, outcome_label=outcome_label)


# Open data.

def dictionary() -> list[tuple[str, str]]:
    """The open data columns and what each holds, in the reader's language."""
    return [
        ("reference", _("The view's public reference code; its page is "
                        "/<language>/contributions/<reference>.")),
        ("round", _("The number of the consultation round.")),
        ("language", _("The language the view was written in (ISO 639-1 code).")),
        ("title", _("The title as published: its author's, or the version from which "
                    "moderators removed personal details (empty when they published none).")),
        ("text", _("The text as published: the author's answers and view, or the version "
                   "from which moderators removed personal details.")),
        ("actor_type", _("The kind of actor the author wrote as (government, academia, "
                         "civil society...), as a code.")),
        ("region", _("The UN M49 region of the author's country or area (002 Africa, 019 "
                     "Americas, 142 Asia, 150 Europe, 009 Oceania); never the country.")),
        ("principles", _("The strategy's principles that moderators tagged, as codes "
                         "(separated by semicolons in CSV).")),
        ("commitments", _("The strategy's commitments that moderators tagged, as codes.")),
        ("technologies", _("The technology areas that moderators tagged, as codes.")),
        ("themes", _("The themes that moderators tagged, as codes.")),
        ("published_at", _("When the view was accepted for publication (UTC, ISO 8601).")),
        ("paragraph", _("The paragraph of the strategy the view is about, as its key "
                        "(principles.p2); empty when the view is about no paragraph.")),
        ("organisation", _("The organisation the view was sent on behalf of, when its author "
                           "agreed that the name be published; empty otherwise.")),
        ("organisation_website", _("The website of that organisation, when one was given "
                                   "and the name may be published.")),
    ]


def attribution(round_: Round) -> str:
    return _("United Nations University, “%(title)s”, consultation on the UN and new "
             "technologies, licensed under CC BY 4.0.", title=localized(round_.title))


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>/open-data")
def open_data(lang: str, round_id: int) -> str:
    round_ = _round_or_404(round_id)
    return render_template("public/open_data.html", round=round_, dictionary=dictionary(),
                           attribution=attribution(round_), licence_url=LICENCE_URL,
                           total=_published_counts().get(str(round_.id), 0))


def _download(body: Iterator[str], mimetype: str, filename: str) -> Response:
    """Streamed from the database at each request: an erased view is never in a later
    download, and memory stays flat whatever the size."""
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>/open-data/views.<any(csv, jsonl):fmt>")
@limit("DOWNLOAD_RATE_LIMIT")
def open_data_views(lang: str, round_id: int, fmt: str) -> Response:
    round_ = _round_or_404(round_id)
    rows = publication.iter_published(db.session, round_.id)
    if fmt == "csv":
        return _download(export.csv_chunks(rows, columns=publication.COLUMNS, per_chunk=500),
                         "text/csv; charset=utf-8",
                         f"round-{round_.id}-views.csv")
    return _download(export.jsonl_chunks(rows), "application/x-ndjson; charset=utf-8",
                     f"round-{round_.id}-views.jsonl")


def aggregates(round_: Round) -> dict[str, Any]:
    """Counts of all approved views, cached for REPORTS_CACHE_SECONDS (aggregates only)."""
    return cache.remember("open_data_counts", [round_.id],
                          current_app.config["REPORTS_CACHE_SECONDS"],
                          lambda: publication.aggregate_counts(db.reports_session, round_.id))


COUNT_COLUMNS = ("round", "dimension", "code", "label", "count")


def _count_label(dimension: str, code: str, labels: dict[str, str]) -> str:
    if dimension == "actor_types":
        return actor_label(code)
    if dimension == "regions":
        return region_label(code) if code in REGIONS else _("Not given")
    if dimension == "languages":
        return language_name(code)
    return labels.get(code, "")


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>/open-data/counts.<any(csv, json):fmt>")
def open_data_counts(lang: str, round_id: int, fmt: str) -> Response:
    round_ = _round_or_404(round_id)
    data = aggregates(round_)
    if fmt == "json":
        response = Response(json.dumps(data, ensure_ascii=False, indent=1),
                            mimetype="application/json")
        response.headers["Content-Disposition"] = \
            f'attachment; filename="round-{round_.id}-counts.json"'
        return response
    _items, labels = _labels(round_)
    records = [{"round": round_.id, "dimension": "total", "code": "", "label": "",
                "count": data["total"]}]
    records += [{"round": round_.id, "dimension": dimension, "code": code,
                 "label": _count_label(dimension, code, labels), "count": count}
                for dimension in publication.AGGREGATES
                for code, count in sorted(data["counts"].get(dimension, {}).items())]
    body = "".join(export.csv_chunks(iter(records), columns=COUNT_COLUMNS))
    response = Response(body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="round-{round_.id}-counts.csv"'
    return response


# Atom feeds.

def _xml_text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def _tag_uri(round_: Round, path: str) -> str:
    """A tag: URI (RFC 4151), stable for the life of the site: host and the round's
    creation date, then the path."""
    return f"tag:{public_host()},{round_.created_at:%Y-%m-%d}:{path}"


def atom_feed(round_: Round, *, title: str, self_url: str, alternate_url: str,
              entries: list[dict[str, Any]]) -> Response:
    """An Atom 1.0 document. `entries` hold id, title, updated (datetime), url, text and
    lang; ElementTree escapes every text."""
    ET.register_namespace("", ATOM)
    lang = current_language()
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: lang})

    def sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str
            ) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
        if text is not None:
            element.text = _xml_text(text)
        return element

    sub(feed, "id", _tag_uri(round_, f"rounds/{round_.id}/{self_url.rsplit('/', 1)[-1]}"))
    sub(feed, "title", title, type="text")
    updated = max((e["updated"] for e in entries), default=round_.created_at)
    sub(feed, "updated", updated.isoformat())
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=alternate_url)
    author = sub(feed, "author")
    sub(author, "name", _("United Nations University"))
    for entry in entries:
        element = sub(feed, "entry")
        sub(element, "id", entry["id"])
        sub(element, "title", entry["title"], type="text")
        sub(element, "updated", entry["updated"].isoformat())
        sub(element, "link", rel="alternate", type="text/html", href=entry["url"])
        content = sub(element, "content", entry["text"], type="text")
        if entry.get("lang"):
            content.set(XML_LANG, entry["lang"])
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    response = Response('<?xml version="1.0" encoding="utf-8"?>\n' + body,
                        content_type="application/atom+xml; charset=utf-8")
    return response


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>/feed.atom")
def views_feed(lang: str, round_id: int) -> Response:
    round_ = _round_or_404(round_id)
    entries = []
    for view in publication.newest(db.session, round_.id, limit=FEED_SIZE):
        heading = view.title or _("View %(reference)s", reference=view.reference)
        entries.append({
            "id": _tag_uri(round_, f"contributions/{view.reference}"),
            "title": heading, "updated": view.decided_at, "text": view.text,
            "lang": view.language,
            "url": external_url("public.contribution", reference=view.reference)})
    return atom_feed(round_, title=_("Published views: %(round)s", round=localized(round_.title)),
                     self_url=external_url("public.views_feed", round_id=round_.id),
                     alternate_url=external_url("public.round_page", round_id=round_.id),
                     entries=entries)


def response_entries(round_: Round) -> list[dict[str, Any]]:
    """The round's published response ("you said, we did") as feed entries.

    Reads `publishing.responses.published_responses(session, round_id)`: `RoundResponse`
    rows with `id`, `summary[lang]`, `changes` (each with `text[lang]`) and `published_at`.
    The entry's text is the summary, then each change; its link, the response's page.
    """
    lang = current_language()
    out = []
    for response in responses.published_responses(db.session, round_id=round_.id):
        summary, text_lang = pick(response.summary, lang)
        parts = [summary, *(pick(change.text, text_lang)[0] for change in response.changes)]
        out.append({"id": _tag_uri(round_, f"responses/{response.id}"),
                    "title": _("What we did with your views: %(round)s",
                               round=localized(round_.title, lang)),
                    "updated": response.published_at, "text": "\n\n".join(p for p in parts if p),
                    "lang": text_lang,
                    "url": external_url("public.round_response", round_id=round_.id)})
    return out


@bp.get("/<lang:lang>/rounds/<int(max=2147483647):round_id>/responses.atom")
def responses_feed(lang: str, round_id: int) -> Response:
    round_ = _round_or_404(round_id)
    return atom_feed(round_, title=_("Responses: %(round)s", round=localized(round_.title)),
                     self_url=external_url("public.responses_feed", round_id=round_.id),
                     alternate_url=external_url("public.round_page", round_id=round_.id),
                     entries=response_entries(round_))
