"""The lists of known codes in `app/api/openapi.json` are the code's own, and the API
refuses a typed filter given with an empty value instead of ignoring it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.i18n import LANGUAGES, country_codes, language_codes
from app.models import ActorType, AgeRange, Channel, Gender, RejectReason, Status
from app.regions import REGIONS
from app.services.reporting import reports
from app.services.review import campaigns as campaign_service
from app.services.text import langid
from tests.helpers import api_token, bearer

DOCUMENT = json.loads((Path(__file__).parents[2] / "app/api/openapi.json").read_text("utf-8"))
SCHEMAS = DOCUMENT["components"]["schemas"]
TAXONOMY = json.loads((Path(__file__).parents[2] / "app/data/taxonomy.json").read_text("utf-8"))


def _parameter(path: str, name: str) -> dict:
    operation = DOCUMENT["paths"][path]["get"]
    return next(p for p in operation["parameters"] if p["name"] == name)["schema"]


def test_the_documented_codes_are_the_ones_the_code_accepts():
    assert SCHEMAS["LanguageCode"]["enum"] == sorted(language_codes())
    assert SCHEMAS["CountryCode"]["enum"] == list(country_codes())
    assert SCHEMAS["UnLanguage"]["enum"] == list(LANGUAGES)
    assert SCHEMAS["Region"]["enum"] == list(REGIONS)
    for name, enum in (("ActorType", ActorType), ("AgeRange", AgeRange), ("Gender", Gender),
                       ("Channel", Channel), ("Status", Status),
                       ("RejectReason", RejectReason)):
        assert SCHEMAS[name]["enum"] == [member.value for member in enum], name
    for name, section in (("PrincipleCode", "principles"), ("CommitmentCode", "commitments"),
                          ("TechnologyCode", "technologies"), ("ThemeCode", "themes")):
        assert SCHEMAS[name]["enum"] == [item["code"] for item in TAXONOMY[section]], name
    assert _parameter("/api/v1/stats", "group_by")["enum"] == list(reports.GROUPS)
    assert _parameter("/api/v1/clusters", "order")["enum"] == list(campaign_service.ORDERS)
    assert _parameter("/api/v1/submissions", "detected")["enum"] == \
        [*langid.UN_LANGUAGES, "differs"]
    reasons = [branch["properties"]["reason"] for branch in SCHEMAS["Decision"]["oneOf"]
               if "reason" in branch["properties"]]
    assert sorted([*reasons[0]["enum"], reasons[1]["const"]]) == \
        sorted(r.value for r in RejectReason)


BLANK = [
    ("/api/v1/exports/submissions.csv?date_to=", "date_to"),
    ("/api/v1/exports/submissions.jsonl?date_from=", "date_from"),
    ("/api/v1/exports/submissions.xlsx?lang=", "lang"),
    ("/api/v1/stats?date_to=", "date_to"),
    ("/api/v1/stats?round_id=", "round_id"),
    ("/api/v1/stats?youth=", "youth"),
    ("/api/v1/stats?region=", "region"),
    ("/api/v1/stats?gender=", "gender"),
    ("/api/v1/stats?actor_type=", "actor_type"),
    ("/api/v1/stats?age_range=", "age_range"),
    ("/api/v1/stats?channel=", "channel"),
    ("/api/v1/exports/submissions.csv?age_range=", "age_range"),
    ("/api/v1/exports/submissions.jsonl?channel=", "channel"),
    ("/api/v1/exports/summary.docx?code=P2&date_to=", "date_to"),
    ("/api/v1/submissions?status=", "status"),
    ("/api/v1/submissions?round_id=", "round_id"),
    ("/api/v1/submissions?detected=", "detected"),
    ("/api/v1/clusters?round_id=", "round_id"),
]


@pytest.mark.parametrize(("url", "field"), BLANK)
def test_an_empty_typed_filter_is_a_field_error(client, session, url, field):
    token = api_token(session, "admin")
    response = client.get(url, headers={**bearer(token), "Accept-Language": "fr"})
    assert response.status_code == 400, url
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert errors[field][0] and "request" not in errors


@pytest.mark.parametrize("value", ["20260331", "2026-W13-2", "2026-03-31T00:00"])
def test_a_date_filter_takes_the_documented_form_only(client, session, value):
    token = api_token(session, "admin")
    response = client.get(f"/api/v1/stats?date_from={value}", headers=bearer(token))
    assert response.status_code == 400
    assert response.get_json()["errors"]["date_from"] == ["Use a date like 2026-03-31."]
    assert client.get("/api/v1/stats?date_from=2026-03-31&date_to=2026-04-30&group_by=region",
                      headers=bearer(token)).status_code == 200


def test_the_dashboard_still_reads_an_empty_field_as_no_filter(client, session):
    from tests.helpers import login

    login(client, session, "reference", "dashboard-reader@example.org")
    response = client.get("/en/reports/?date_from=&date_to=&round_id=&actor_type=&region="
                          "&age_range=&channel=&source=")
    assert response.status_code == 200


def _valid(schema_name: str, body: dict) -> bool:
    import jsonschema

    root = {"$ref": f"#/components/schemas/{schema_name}", "components": DOCUMENT["components"]}
    return jsonschema.Draft202012Validator(root).is_valid(body)


@pytest.mark.parametrize(("body", "valid"), [
    ({"action": "approve", "version": 1, "tags": {"principles": ["P2"]}}, True),
    ({"action": "approve", "version": 1, "tags": {"commitments": ["C1"], "principles": []}}, True),
    ({"action": "approve", "version": 1}, False),
    ({"action": "approve", "version": 1, "tags": {"themes": ["TH01"]}}, False),
    ({"action": "approve", "version": 1, "tags": {"principles": ["P9"]}}, False),
    ({"action": "reject", "version": 1, "reason": "spam"}, True),
    ({"action": "reject", "version": 1}, False),
    ({"action": "reject", "version": 1, "reason": "bored"}, False),
    ({"action": "reject", "version": 1, "reason": "other"}, False),
    ({"action": "reject", "version": 1, "reason": "other", "note": "  "}, False),
    ({"action": "reject", "version": 1, "reason": "other", "note": "Advertising"}, True),
    ({"action": "reject", "version": True, "reason": "spam"}, False),
])
def test_the_document_states_what_a_decision_needs(body, valid):
    assert _valid("Decision", body) is valid


@pytest.mark.parametrize(("changes", "valid"), [
    ({}, True),
    ({"body": None, "answers": {"12": "Only an answer"}}, True),
    ({"body": " ", "answers": {}}, False),
    ({"country": "XX"}, False),
    ({"language": "english"}, False),
    ({"technologies": ["T42"]}, False),
    ({"title": "a\x07b"}, False),
    ({"gender": ""}, True),
    ({"email": ""}, True),
    ({"email": "not an address"}, False),
    ({"round_id": 0}, False),
])
def test_the_document_states_what_a_submission_needs(changes, valid):
    body = {"round_id": 1, "language": "sw", "title": "Connectivity first",
            "body": "Without affordable internet.", "actor_type": "youth", "country": "KE",
            "technologies": ["T15"], "consent_processing": True, **changes}
    assert _valid("NewSubmission", body) is valid
