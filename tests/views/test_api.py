"""The public JSON API under /api/v1, and /healthz."""
from __future__ import annotations

import json
import unicodedata

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from app.models import Channel, Submission
from tests import factories


def post_json(client, payload, lang="en", **headers):
    return client.post("/api/v1/submissions", data=json.dumps(payload, ensure_ascii=False),
                       content_type="application/json",
                       headers={"Accept-Language": lang, **headers})


def stored(session) -> int:
    return session.scalar(select(func.count()).select_from(Submission))


def test_openapi_document_is_valid_and_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    for path in ("/api/v1/taxonomy", "/api/v1/rounds", "/api/v1/submissions", "/healthz",
                 "/api/v1/submissions/{id}", "/api/v1/submissions/{id}/decision"):
        assert path in spec["paths"], path


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_taxonomy_in_arabic_uses_official_labels(client, taxonomy):
    body = client.get("/api/v1/taxonomy?lang=ar").get_json()
    assert body["lang"] == "ar"
    assert [p["code"] for p in body["principles"]] == ["P1", "P2", "P3", "P4", "P5"]
    assert [c["code"] for c in body["commitments"]] == ["C1", "C2", "C3", "C4"]
    p1 = body["principles"][0]
    assert p1["label"] == "حماية القيم العالمية وتعزيزها"
    assert p1["official"] is True
    assert len(body["technologies"]) == 17 and len(body["themes"]) == 17


def test_taxonomy_unknown_language_is_400(client, taxonomy):
    response = client.get("/api/v1/taxonomy?lang=xx")
    assert response.status_code == 400
    assert "lang" in response.get_json()["errors"]


def test_rounds_list(client, open_round):
    body = client.get("/api/v1/rounds?lang=ar").get_json()
    [item] = body["items"]
    assert set(item) >= {"id", "title", "opens_at", "closes_at", "is_open"}
    assert item["id"] == open_round.id
    assert item["is_open"] is True
    assert item["title"].startswith("كيف")
    assert len(item["questions"]) == 2


def test_create_submission_arabic_round_trips_byte_for_byte(client, session, open_round):
    # Decomposed input (alef + combining hamza) must come back NFC, and otherwise unchanged.
    decomposed = "رأي: " + unicodedata.normalize("NFD", "إ") + "نترنت للجميع\nسطر ثان"
    payload = factories.submission_data(open_round, language="ar", title="الاتصال أولا",
                                        body=decomposed, country="EG")
    response = post_json(client, payload, lang="ar")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"reference", "manage_url"}
    assert "/ar/manage/" in body["manage_url"]
    assert "Set-Cookie" not in response.headers

    token = body["manage_url"].rsplit("/", 1)[1]
    copy = client.get(f"/ar/manage/{token}/copy.json").get_json()
    expected = unicodedata.normalize("NFC", decomposed)
    assert copy["body"].encode("utf-8") == expected.encode("utf-8")
    assert copy["title"] == "الاتصال أولا"
    submission = session.scalar(select(Submission))
    assert submission.channel == Channel.API
    assert submission.reference == body["reference"]


def test_answers_by_question_id(client, session, open_round):
    question = open_round.questions[1]
    payload = factories.submission_data(open_round, body="", answers={str(question.id): "Yes."})
    assert post_json(client, payload).status_code == 201
    submission = session.scalar(select(Submission))
    assert [(a.question_id, a.text) for a in submission.answers] == [(question.id, "Yes.")]


def test_any_iso_639_1_language_is_accepted(client, open_round):
    payload = factories.submission_data(open_round, language="sw", body="Maoni yangu")
    assert post_json(client, payload).status_code == 201


@pytest.mark.parametrize("field,value,fragment", [
    ("round_id", 99999, "does not exist"),
    ("round_id", "one", "Choose a consultation round"),
    ("language", "xx", "not a code we know"),
    ("title", "", "required"),
    ("title", 42, "Must be text"),
    ("title", "t" * 201, "at most 200"),
    ("body", "b" * 5001, "at most 5000"),
    ("body", "nul\x00byte", "control characters"),
    ("actor_type", "alien", "Choose one of the options"),
    ("country", "XX", "not a code we know"),
    ("age_range", "12", "Choose one of the options"),
    ("gender", "robot", "Choose one of the options"),
    ("email", "not-an-email", "Enter an email address"),
    ("technologies", ["T77"], "T77"),
    ("technologies", "T01,T02", "not a code we know"),
    ("principles", ["C1"], "C1"),
    ("commitments", [1, 2], "list of codes"),
    ("consent_processing", False, "agree to its processing"),
    ("consent_processing", "yes", "true or false"),
    ("anonymous", "no", "true or false"),
    ("answers", ["not", "an", "object"], "object"),
    ("answers", {"999999": "x"}, "not part of the round"),
])
def test_invalid_fields_get_422_with_field_errors(client, session, open_round, field, value,
                                                  fragment):
    response = post_json(client, factories.submission_data(open_round, **{field: value}))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors
    assert stored(session) == 0


def test_errors_follow_accept_language(client, session, open_round):
    payload = factories.submission_data(open_round, title="", consent_processing=False)
    english = post_json(client, payload, lang="en").get_json()["errors"]
    arabic = post_json(client, payload, lang="ar").get_json()["errors"]
    assert english["title"] == ["This field is required."]
    assert arabic["title"] != english["title"]
    assert arabic["consent_processing"] != english["consent_processing"]


def test_closed_round_is_422(client, session, taxonomy):
    import datetime as dt

    from app.db import utcnow
    closed = factories.make_round(session, opens_at=utcnow() - dt.timedelta(days=3),
                                  closes_at=utcnow() - dt.timedelta(seconds=1))
    response = post_json(client, factories.submission_data(closed))
    assert response.status_code == 422
    assert "round_id" in response.get_json()["errors"]


@pytest.mark.parametrize("raw,content_type,status", [
    (b'{"title": "x"', "application/json", 400),
    (b"\xff\xfe{}", "application/json", 400),
    (b"[1, 2, 3]", "application/json", 400),
    (b"title=x", "application/x-www-form-urlencoded", 415),
    (b'{"title": "x"}', "text/plain", 415),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
])
def test_malformed_bodies_are_4xx(client, session, open_round, raw, content_type, status):
    response = client.post("/api/v1/submissions", data=raw, content_type=content_type)
    assert response.status_code == status
    assert "request" in response.get_json()["errors"]
    assert stored(session) == 0


def test_huge_body_is_413_json(client, open_round):
    payload = factories.submission_data(open_round, body="x" * 700_000)
    response = post_json(client, payload)
    assert response.status_code == 413
    assert "errors" in response.get_json()


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["errors"]["request"]


def test_method_not_allowed_is_json_405(client):
    response = client.delete("/api/v1/submissions")
    assert response.status_code == 405
    assert response.get_json()["errors"]["request"]


def test_every_api_route_is_documented(app, client):
    import re as _re
    documented = {_re.sub(r"\{[^}]+\}", "{id}", path)  # /strategy/{version} too
                  for path in client.get("/api/v1/openapi.json").get_json()["paths"]}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        choices = _re.search(r"<any\(([^)]*)\):\w+>", rule.rule)
        rules = ([_re.sub(r"<any\([^)]*\):\w+>", option.strip(), rule.rule)
                  for option in choices.group(1).split(",")] if choices else [rule.rule])
        for expanded in rules:
            path = _re.sub(r"<[^>]+>", "{id}", expanded)
            assert path in documented, path
