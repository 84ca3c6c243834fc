"""The API answers what `app/api/openapi.json` says, checked by Schemathesis.

The real application runs behind a real HTTP server (a thread on 127.0.0.1 and a free
port) on a database prepared by `flask setup` and seeded with staff tokens and submissions
in every status. Schemathesis reads the document from /api/v1/openapi.json and sends
requests that the document allows (they must be accepted) and requests it forbids (they
must be refused), and runs all its checks on every answer: status codes, content types,
headers and bodies as documented, no 5xx. A seed and a bounded number of examples keep it
repeatable and short.

Some rules depend on the data, not on the shape of a request, and no document can state
them: the round must exist and be open, an answer must be keyed by one of the round's
questions, a decision must carry the submission's current version, a highlight must be a
passage of the text. `_with_live_values` fills those in from the seeded data for the
requests meant to be accepted, so that they reach the checks of shape behind them.
"""
from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.api.routes import IDEMPOTENCY_KEY
from app.db import db
from app.models import Round, Submission
from config import TestingConfig
from tests import factories
from tests.conftest import create_postgres_database, drop_postgres_database

SEED = 19
EXAMPLES = 12  # per operation and generation mode


@dataclass
class LiveApi:
    url: str
    tokens: dict[str, str]
    round_id: int
    question_ids: list[int]
    submission_ids: list[int] = field(default_factory=list)
    engine: Any = None


def _seed(application: Any) -> LiveApi:
    from app.services.accounts import users as users_service
    from app.services.review import moderation, tagging

    result = application.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    with application.app_context():
        session = db.session
        round_ = session.scalars(select(Round)).one()
        tokens = {}
        users = {}
        for role in ("admin", "moderator", "reference"):
            users[role] = users_service.create_user(session, f"{role}@example.org",
                                                    "correct horse battery staple 42", role)
            tokens[role] = users_service.issue_token(session, users[role])
        session.commit()
        ids = []
        for index, status in enumerate(("pending", "pending", "approved", "rejected")):
            submission, _ = factories.make_submission(
                session, round_, title=f"Seeded {index}", email=f"seed{index}@example.org",
                age_range="18_24", gender="female")
            if status != "pending":
                submission = session.get(Submission, submission.id)
                moderation.decide(
                    session, submission, by=users["moderator"], version=submission.version,
                    action="approve" if status == "approved" else "reject",
                    tags=tagging.TagInput(principles=["P2"]), reason="spam")
                session.commit()
            ids.append(submission.id)
        return LiveApi(url="", tokens=tokens, round_id=round_.id,
                       question_ids=[q.id for q in round_.questions], submission_ids=ids,
                       engine=db.engine)


def _databases() -> list:
    import os
    kinds = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("TEST_DATABASE_URL"):
        kinds.append(pytest.param("postgresql", id="postgresql"))
    return kinds


@pytest.fixture(scope="module", params=_databases())
def live_api(request, tmp_path_factory, server_url) -> Iterator[LiveApi]:
    folder = tmp_path_factory.mktemp("conformance")
    url = f"sqlite:///{folder / 'platform.db'}" if request.param == "sqlite" \
        else create_postgres_database(server_url)

    class Config(TestingConfig):
        DATABASE_URL = url

    application = create_app(Config)
    application.instance_path = str(folder)
    live = _seed(application)
    db.session.remove()
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="conformance", daemon=True)
    thread.start()
    live.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        db.session.remove()
        live.engine.dispose()
        if request.param == "postgresql":
            drop_postgres_database(server_url, url)


@pytest.fixture()
def _live_database(live_api) -> Iterator[None]:
    """`db` is one module-level object that every create_app() binds to its database;
    point it back at the live server's (tests of other modules may have rebound it)."""
    db.session.remove()
    db.engine = live_api.engine
    db.session.configure(bind=live_api.engine)
    yield
    db.session.remove()


OPENAPI = json.loads((Path(__file__).parents[2] / "app/api/openapi.json").read_text("utf-8"))
schema = schemathesis.openapi.from_dict(OPENAPI, config=schemathesis.Config.from_dict({
    "seed": SEED,
    "phases": {"coverage": {"enabled": False}},
    # The API ignores query parameters it does not know, as HTTP APIs do; the bearer
    # token is sent by the test (and left out by the `ignored_auth` check).
    "generation": {"mode": "all", "max-examples": EXAMPLES, "allow-extra-parameters": False,
                   "with-security-parameters": False},
}))


def test_the_document_tested_is_the_one_served(live_api):
    import requests

    served = requests.get(f"{live_api.url}/api/v1/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == OPENAPI


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_api_answers_as_documented(case, live_api, _live_database):
    _with_live_values(case, live_api)
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and IDEMPOTENCY_KEY.fullmatch(key):
        # A key already used answers as the first request did, whatever the body: each
        # case gets a key of its own, so that its body is the one checked.
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    case.call_and_validate(base_url=live_api.url,
                           headers={"Authorization": f"Bearer {live_api.tokens['admin']}"})


def _with_live_values(case: Any, live: LiveApi) -> None:
    """Fill in, for requests the document allows, the values that depend on the data."""
    meta = case.meta
    if meta is not None and meta.generation.mode.is_negative:
        return
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)  # only a next_cursor the server gave is valid
    if isinstance((case.path_parameters or {}).get("id"), int):
        ids = live.submission_ids
        case.path_parameters["id"] = ids[case.path_parameters["id"] % len(ids)]
    body = case.body
    if operation == "POST /api/v1/submissions" and case.media_type == "multipart/form-data" \
            and isinstance(body, dict):
        # Files are read for what they are: random bytes are (rightly) refused, so the
        # requests meant to be accepted carry a real, small text file instead.
        if isinstance(body.get("files"), list):
            body["files"] = [b"A position paper on digital cooperation.\n"] * len(body["files"])
        body = body.get("submission")
    if operation == "POST /api/v1/submissions" and isinstance(body, dict):
        body["round_id"] = live.round_id
        if isinstance(body.get("paragraph"), str) and body["paragraph"]:
            body["paragraph"] = "principles.p2"  # a key of the current text (`flask setup`'s)
        if isinstance(body.get("answers"), dict):
            body["answers"] = dict(zip(map(str, live.question_ids), body["answers"].values(),
                                       strict=False))
    if operation.endswith("/decision") and isinstance(body, dict):
        with live.engine.connect() as connection:
            body["version"] = connection.scalar(select(Submission.version).where(
                Submission.id == case.path_parameters["id"]))
        body.pop("highlight", None)  # a passage of the text as published
