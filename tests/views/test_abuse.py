"""Honeypot, minimum fill time, and idempotent API retries."""
from __future__ import annotations

import json
import re
import time

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from app.models import Submission
from tests import factories
from tests.helpers import csrf_token, login, web_form


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Submission))


def form_fields(html: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(html),
            "started": re.search(r'name="started" type="hidden" value="([^"]*)"', html).group(1)}


def test_honeypot_answers_like_success_and_stores_nothing(client, session, open_round):
    html = client.get("/en/submit").get_data(as_text=True)
    assert 'class="trap" aria-hidden="true"' in html
    response = client.post("/en/submit", data={**form_fields(html), **web_form(
        open_round), "website": "http://spam.example"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/thanks")
    assert "Thank you" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert count(session) == 0


def test_fast_submission_is_flagged_not_dropped(client, session, open_round):
    html = client.get("/en/submit").get_data(as_text=True)
    response = client.post("/en/submit", data={**form_fields(html), **web_form(open_round)})
    assert response.status_code == 303
    assert session.scalar(select(Submission)).flag == "fast_fill"
    login(client, session, "moderator")
    assert "sent within seconds" in client.get("/en/moderate").get_data(as_text=True)


def test_considered_submission_is_not_flagged(client, session, open_round, app):
    html = client.get("/en/submit").get_data(as_text=True)
    fields = form_fields(html)
    with app.app_context():
        serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="form-started")
        fields["started"] = serializer.dumps(time.time() - 120)
    response = client.post("/en/submit", data={**fields, **web_form(open_round)})
    assert response.status_code == 303
    assert session.scalar(select(Submission)).flag is None


def test_forged_start_time_counts_as_fast(client, session, open_round):
    html = client.get("/en/submit").get_data(as_text=True)
    fields = {**form_fields(html), "started": "1.0"}
    client.post("/en/submit", data={**fields, **web_form(open_round)})
    assert session.scalar(select(Submission)).flag == "fast_fill"


def post(client, payload, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/submissions", data=json.dumps(payload),
                       content_type="application/json", headers=headers)


def test_idempotent_retry_returns_the_same_answer(client, session, open_round):
    payload = factories.submission_data(open_round)
    first = post(client, payload, "3f1c2b7e-6a1d-4a8e-9c55-0d9f7a6c1e2b")
    again = post(client, payload, "3f1c2b7e-6a1d-4a8e-9c55-0d9f7a6c1e2b")
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(session) == 1
    token = first.get_json()["manage_url"].rsplit("/", 1)[1]
    assert client.get(f"/en/manage/{token}").status_code == 200
    other = post(client, payload, "another-key-0001")
    assert other.get_json()["reference"] != first.get_json()["reference"]
    assert count(session) == 2


def test_bad_idempotency_key_is_400(client, session, open_round):
    response = post(client, factories.submission_data(open_round), "short")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert count(session) == 0


def test_invalid_payload_with_a_key_can_be_corrected_and_retried(client, session, open_round):
    bad_payload = factories.submission_data(open_round, title="")
    good_payload = factories.submission_data(open_round)
    bad = post(client, bad_payload, "retry-key-000001")
    assert bad.status_code == 422
    good = post(client, good_payload, "retry-key-000001")
    assert good.status_code == 201 and count(session) == 1


def test_idempotency_key_is_bound_to_the_body(client, session, open_round):
    """#14 item 8: the same key with another body gets a 422, never the first submission's
    private link; the same key with the same body (keys in another order) replays."""
    key = "5b0c7a8e-1d2f-4c3b-8a9e-7f6d5c4b3a21"
    payload = factories.submission_data(open_round)
    first = post(client, payload, key)
    assert first.status_code == 201
    other = post(client, factories.submission_data(open_round, title="Another view"), key)
    assert other.status_code == 422
    assert list(other.get_json()["errors"]) == ["idempotency_key"]
    assert first.get_json()["manage_url"] not in other.get_data(as_text=True)
    assert first.get_json()["reference"] not in other.get_data(as_text=True)
    reordered = client.post("/api/v1/submissions", content_type="application/json",
                            headers={"Idempotency-Key": key, "Accept-Language": "fr"},
                            data=json.dumps(dict(reversed(list(payload.items()))), indent=2))
    assert reordered.status_code == 201 and reordered.get_json() == first.get_json()
    assert count(session) == 1
    # A submission stored before bodies were hashed (c0ffee000008) is never replayed.
    session.scalar(select(Submission)).idempotency_body_hash = None
    session.commit()
    assert post(client, payload, key).status_code == 422


def test_idempotency_key_race_is_decided_by_the_unique_index(client, session, open_round,
                                                             monkeypatch):
    """#14 item 8, concurrent retries: two requests with one key both find nothing, both
    insert; the unique index refuses the second, which then answers as the first did (same
    body) or 422 (another body)."""
    from app.services.contributions import intake

    key = "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b"
    payload = factories.submission_data(open_round)
    first = post(client, payload, key)
    real_find = intake.find_by_idempotency_key
    for body, expected in ((payload, 201), (factories.submission_data(open_round, title="B"),
                                            422)):
        calls = []

        def racing_find(session_, key_hash, _calls=calls):
            _calls.append(key_hash)
            return None if len(_calls) == 1 else real_find(session_, key_hash)

        monkeypatch.setattr(intake, "find_by_idempotency_key", racing_find)
        response = post(client, body, key)
        assert len(calls) == 2  # the lookup missed, the insert lost the race, looked again
        assert response.status_code == expected
        if expected == 201:
            assert response.get_json() == first.get_json()
        else:
            assert "idempotency_key" in response.get_json()["errors"]
    assert count(session) == 1


def test_concurrent_retries_store_one_submission(fresh_app):
    """#14 item 8 under real concurrency: eight clients send the same key at once, half
    of them with another body. One submission is stored; every same-body answer is the
    first one, every other-body answer a 422."""
    import threading

    from app.db import db

    assert fresh_app.test_cli_runner().invoke(args=["setup"]).exit_code == 0
    with fresh_app.app_context():
        round_ = factories.make_round(db.session)
        same = factories.submission_data(round_)
        other = factories.submission_data(round_, title="Not the same view")
        db.session.remove()
    key = "c0ncurrent-retry-0001"
    start = threading.Barrier(8)
    answers: list = []

    def send(body):
        client = fresh_app.test_client()
        start.wait()
        response = post(client, body, key)
        answers.append((body is same, response.status_code, response.get_json()))

    threads = [threading.Thread(target=send, args=(same if n % 2 else other,))
               for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 8
    created = [a for a in answers if a[1] == 201]
    assert created and {a[0] for a in created} == {created[0][0]}  # all of one body
    assert len({a[2]["reference"] for a in created}) == 1
    refused = [a for a in answers if a[1] != 201]
    assert all(a[1] == 422 and "idempotency_key" in a[2]["errors"] for a in refused)
    assert len(created) == 4 and len(refused) == 4
    with fresh_app.app_context():
        assert count(db.session) == 1
        db.session.remove()
