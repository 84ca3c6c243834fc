"""The public JSON API, `/api/v1`. Documented in `openapi.json` beside this module.

Messages follow the Accept-Language header. Bodies must be `application/json`, so that
a cross-site HTML form cannot post here, and no cookie is ever set. The one exception,
`POST /submissions` with attached files, is `multipart/form-data` (the JSON as a
`submission` part, the files as `files` parts); a browser that sends one from another
site says so in its Origin header, and is refused.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.errors import json_errors
from app.i18n import LANGUAGES, current_language, localized
from app.i18n import lazy_gettext as _l
from app.models import Channel, ItemKind
from app.security import (
    accept_files,
    body_digest,
    external_url,
    hash_token,
    idempotent_token,
    limit,
    token_or_address,
)
from app.services import ValidationFailed
from app.services.contributions import attachments, intake
from app.services.platform import rounds
from app.services.platform import taxonomy as taxonomy_service
from app.services.publishing import outbox

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Every API route: per token for staff, per address otherwise.
limit("API_RATE_LIMIT", key_func=token_or_address)(bp)

OPENAPI_FILE = Path(__file__).parent / "openapi.json"
SECTIONS = {
    ItemKind.PRINCIPLE: "principles",
    ItemKind.COMMITMENT: "commitments",
    ItemKind.TECHNOLOGY: "technologies",
    ItemKind.THEME: "themes",
}
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{8,255}")
SUBMISSION_FIELDS = (
    "round_id", "language", "title", "body", "answers", "actor_type", "country", "age_range",
    "gender", "email", "technologies", "principles", "commitments", "consent_processing",
    "consent_publication", "anonymous", "paragraph", "on_behalf_of_organisation",
    "organisation_name", "organisation_website", "publish_organisation",
)


@bp.before_request
def _files_with_a_submission() -> Any:
    """A submission with files may be larger than any other body (before the view's rate
    limit, which may read the body). A browser on another site may not send one."""
    if request.method != "POST" or request.endpoint != "api.create_submission" \
            or request.mimetype != "multipart/form-data":
        return None
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/") != request.host_url.rstrip("/") and \
            origin.rstrip("/") != (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/"):
        return json_errors({"request": [_l(
            "Views with files can be sent here by programs, not by pages of other "
            "sites. Use the form on this site.")]}, 403)
    accept_files()
    return None


@bp.after_request
def _no_cookies(response: Response) -> Response:
    response.headers.pop("Set-Cookie", None)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/openapi.json")
def openapi() -> Response:
    response = current_app.response_class(OPENAPI_FILE.read_bytes(), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _lang_param() -> str | None:
    lang = request.args.get("lang")
    if lang is None:
        return current_language()
    return lang if lang in LANGUAGES else None


@bp.get("/taxonomy")
def taxonomy() -> Any:
    lang = _lang_param()
    if lang is None:
        return json_errors({"lang": [_l("Use one of: %(codes)s", codes=", ".join(LANGUAGES))]}, 400)
    version = taxonomy_service.current_version(db.session)
    body: dict[str, Any] = {"strategy_version": version.code if version else None, "lang": lang}
    for section in SECTIONS.values():
        body[section] = []
    if version is not None:
        for item in taxonomy_service.active_items(db.session, version.id):
            body[SECTIONS[item.kind]].append({
                "code": item.code,
                "label": localized(item.labels, lang),
                "description": localized(item.descriptions, lang) or None,
                "official": bool(item.official.get(lang, False)),
            })
    return jsonify(body)


@bp.get("/rounds")
def list_rounds() -> Any:
    lang = _lang_param()
    if lang is None:
        return json_errors({"lang": [_l("Use one of: %(codes)s", codes=", ".join(LANGUAGES))]}, 400)
    items = [{
        "id": r.id,
        "title": localized(r.title, lang),
        "description": localized(r.description, lang),
        "opens_at": r.opens_at.isoformat(),
        "closes_at": r.closes_at.isoformat(),
        "is_open": r.is_open,
        "strategy_version": r.strategy_version.code,
        "questions": [{"id": q.id, "text": localized(q.text, lang)} for q in r.questions],
    } for r in rounds.list_rounds(db.session)]
    return jsonify({"items": items})


def _json_body(*, files_allowed: bool = False) -> tuple[dict[str, Any] | None, Any]:
    """The request's JSON object, or an error response to return instead."""
    if files_allowed and request.mimetype == "multipart/form-data":
        return _submission_part()
    if request.mimetype != "application/json":
        return None, json_errors({"request": [_l(
            "Send the data as JSON, with the header Content-Type: application/json.")]}, 415)
    return _parse_object(request.get_data(cache=False))


def _submission_part() -> tuple[dict[str, Any] | None, Any]:
    """The `submission` part of a multipart body: a text field or a file part."""
    part = request.files.get("submission")
    raw = part.read(current_app.config["MAX_CONTENT_LENGTH"] + 1) if part is not None \
        else request.form.get("submission", "").encode("utf-8", "surrogateescape")
    if not raw:
        return None, json_errors({"submission": [_l(
            "Send the view as JSON in a part named “submission”.")]}, 400)
    if len(raw) > current_app.config["MAX_CONTENT_LENGTH"]:
        return None, json_errors({"submission": [_l(
            "What you sent is too large. Shorten it and try again.")]}, 413)
    return _parse_object(raw)


def _parse_object(raw: bytes) -> tuple[dict[str, Any] | None, Any]:
    try:
        payload = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, json_errors({"request": [_l("The body is not valid UTF-8 text.")]}, 400)
    except (ValueError, RecursionError):
        return None, json_errors({"request": [_l("The body is not valid JSON.")]}, 400)
    if not isinstance(payload, dict):
        return None, json_errors({"request": [_l("The body must be a JSON object.")]}, 400)
    return payload, None


@bp.post("/submissions")
@limit("SUBMIT_RATE_LIMIT")
def create_submission() -> Any:
    payload, error = _json_body(files_allowed=True)
    if error is not None:
        return error
    files = _uploads()
    key = request.headers.get("Idempotency-Key")
    token = key_hash = body_hash = None
    if key is not None:
        if not IDEMPOTENCY_KEY.fullmatch(key):
            return json_errors({"Idempotency-Key": [_l(
                "Use 8 to 255 visible ASCII characters, for example a random UUID.")]}, 400)
        key_hash = hash_token(key)
        # A retry must send the same files too (their hashes, in order).
        body_hash = body_digest({"submission": payload, "files": [
            hashlib.sha256(f.data).hexdigest() for f in files]} if files else payload)
        token = idempotent_token(current_app.config["SECRET_KEY"], key)
        earlier = intake.find_by_idempotency_key(db.session, key_hash)
        if earlier is not None:  # a retry: the same answer, nothing stored twice
            return _replay(earlier, token, body_hash)
    data = intake.SubmissionInput(**{k: payload[k] for k in SUBMISSION_FIELDS if k in payload})
    data.files = files
    if "anonymous" not in payload:
        data.anonymous = True
    try:
        submission, token = intake.submit(db.session, data, channel=Channel.API, token=token,
                                          idempotency_key_hash=key_hash,
                                          idempotency_body_hash=body_hash)
        # The private link by email too, when one was given (issue #18), in the view's
        # language: the same link the answer carries.
        outbox.enqueue_receipt(db.session, submission, _link_language(submission),
                               _manage_url(submission, token))
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        return json_errors(exc.errors, 422)
    except IntegrityError:
        # The same key raced in from a parallel retry and won: answer as that one did.
        db.session.rollback()
        earlier = intake.find_by_idempotency_key(db.session, key_hash) if key_hash else None
        if earlier is None:
            raise
        return _replay(earlier, token, body_hash)
    return _created(submission, token)


def _uploads() -> list[attachments.Upload]:
    """The `files` parts of a multipart submission (none for a JSON body)."""
    if request.mimetype != "multipart/form-data":
        return []
    most = attachments.limits().max_bytes + 1
    return [attachments.Upload(part.filename or "", part.read(most))
            for part in request.files.getlist("files")]


def _replay(earlier: Any, token: str, body_hash: str) -> Any:
    """The first answer again for a retry of the same body; 422 for another body under the
    same key (rows stored before bodies were hashed have none, and are never replayed)."""
    stored = earlier.idempotency_body_hash
    if stored is None or not hmac.compare_digest(stored, body_hash):
        return json_errors({"idempotency_key": [_l(
            "This Idempotency-Key was already used with a different body. Use a new key "
            "for a new submission.")]}, 422)
    return _created(earlier, token, replayed=True)


def _link_language(submission: Any) -> str:
    return submission.language if submission.language in LANGUAGES else current_language()


def _manage_url(submission: Any, token: str) -> str:
    return external_url("public.manage", lang=_link_language(submission), token=token)


def _created(submission: Any, token: str, *, replayed: bool = False) -> Any:
    manage_url = _manage_url(submission, token)
    response = jsonify({"reference": submission.reference, "manage_url": manage_url})
    response.status_code = 201
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


health_bp = Blueprint("health", __name__)


@health_bp.get("/readyz")
def readyz() -> Any:
    """Readiness: the database answers and its schema is at the migrations' head."""
    from app.migrate import schema_is_current

    # Settings that work but weaken something (several workers without Redis).
    found = current_app.config.get("STARTUP_WARNINGS")
    warnings = {"warnings": found} if found else {}
    if not db.ping():
        return jsonify({"status": "unavailable", "database": False, **warnings}), 503
    current, heads = schema_is_current(db.engine)
    if not current:
        return jsonify({"status": "migrations pending", "database": True,
                        "heads": sorted(heads), **warnings}), 503
    return jsonify({"status": "ok", "database": True, **warnings})


@health_bp.get("/healthz")
def healthz() -> Any:
    """Liveness for load balancers: 200 when the database answers, 503 otherwise."""
    if db.ping():
        return jsonify({"status": "ok"})
    return jsonify({"status": "unavailable"}), 503
