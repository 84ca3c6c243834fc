"""Workshop links (issue #18 item 2): a room behind one address gets through on the
workshop's own budget, the link lives only in its window, views carry their provenance."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from app.db import Base, db, utcnow
from app.models import Channel, Submission, SubmissionProvenance, Workshop
from app.services.accounts import audit as audit_service
from app.services.contributions import workshops
from app.services.reporting import export
from app.services.reporting.reports import ReportFilter
from tests import factories
from tests.helpers import csrf_token, login, web_form


def _workshop(session, round_, *, participants=3, starts=None, ends=None,
              name="Youth lab, Nairobi"):
    now = utcnow()
    created = workshops.create(
        session, round_id=round_.id, name=name, facilitator="Amina K.", participants=participants,
        starts_at=starts or now - dt.timedelta(minutes=5),
        ends_at=ends or now + dt.timedelta(hours=2), by=None)
    session.commit()
    return created


@pytest.fixture()
def limited_app(app):
    app.config.update(SUBMIT_RATE_LIMIT="2 per minute")
    return app


def test_a_room_behind_one_address_gets_through_on_the_workshop_budget(
        limited_app, session, open_round):
    found = _workshop(session, open_round, participants=3)  # budget 6
    client = limited_app.test_client()
    url = f"/en/w/{found.code}"
    html = client.get(url).get_data(as_text=True)
    assert "Youth lab, Nairobi" in html and "Amina K." in html
    token = csrf_token(html)
    statuses = [client.post(url, data={"csrf_token": token, **web_form(
        open_round, title=f"Participant {n}")}).status_code for n in range(7)]
    # Six views from one address (the per-address limit is 2 a minute), the seventh
    # refused with what was typed kept.
    assert statuses == [303] * 6 + [429]
    last = client.post(url, data={"csrf_token": token,
                                  **web_form(open_round, body="Keep this text")})
    assert last.status_code == 429
    page = last.get_data(as_text=True)
    assert "Keep this text" in page and "all the views it was set up for" in page
    # The main form still counts per address.
    main = [client.post("/en/submit", data={"csrf_token": token, **web_form(open_round)}
                        ).status_code for _ in range(3)]
    assert main == [303, 303, 429]
    rows = session.execute(select(Submission.channel, SubmissionProvenance.source,
                                  SubmissionProvenance.facilitator)
                           .join(SubmissionProvenance,
                                 SubmissionProvenance.submission_id == Submission.id)).all()
    assert sorted(rows) == [(Channel.WORKSHOP, "Youth lab, Nairobi", "Amina K.")] * 6
    session.expire_all()
    assert session.get(Workshop, found.id).used == 6


def test_the_link_is_dead_outside_its_window_and_when_closed(client, session, open_round):
    now = utcnow()
    later = _workshop(session, open_round, starts=now + dt.timedelta(hours=1),
                      ends=now + dt.timedelta(hours=3))
    response = client.get(f"/ar/w/{later.code}")
    assert response.status_code == 410
    assert "رابط حلقة العمل هذا غير مفتوح" in response.get_data(as_text=True)
    current = _workshop(session, open_round)
    url = f"/en/w/{current.code}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    workshops.close(session, session.get(Workshop, current.id), by=None)
    session.commit()
    assert client.get(url).status_code == 410
    response = client.post(url, data={"csrf_token": token, **web_form(open_round)})
    assert response.status_code == 410
    assert session.scalar(select(func.count()).select_from(Submission)) == 0
    assert client.get("/en/w/nosuchcode").status_code == 404
    assert client.get("/en/w/" + "x" * 300).status_code == 404
    for junk in ("%00", "a%00b", "%C3%A9t%C3%A9", "..%2F..", "%F0%9F%98%80"):
        assert client.get(f"/en/w/{junk}").status_code == 404, junk
        assert client.post(f"/en/w/{junk}", data={"title": "x"}).status_code == 404, junk


def test_workshop_provenance_is_filterable_and_exported(session, open_round, app):
    found = _workshop(session, open_round)
    submission, _token = workshops.submit(session, found, factories.intake.SubmissionInput(
        **factories.submission_data(open_round)))
    factories.make_submission(session, open_round, title="From the web")
    session.commit()
    from app.services.review import moderation
    for sub in session.scalars(select(Submission)):
        sub.status = moderation.Status.APPROVED
    session.commit()
    with app.test_request_context():
        rows = list(export.iter_rows(session, ReportFilter(source="Youth lab, Nairobi")))
        assert [r["reference"] for r in rows] == [submission.reference]
        assert rows[0]["channel"] == "workshop" and rows[0]["source"] == "Youth lab, Nairobi"
        by_channel = {r["channel"] for r in export.iter_rows(session, ReportFilter())}
        assert by_channel == {"workshop", "web"}
        web = list(export.iter_rows(session, ReportFilter(channel=Channel.WEB)))
        assert [r["title"] for r in web] == ["From the web"]


def test_admin_creates_and_closes_a_workshop_link(client, session, open_round):
    login(client, session, "admin")
    page = client.get("/en/admin/workshops")
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    bad = client.post("/en/admin/workshops", data={
        "csrf_token": token, "round_id": str(open_round.id), "name": "", "facilitator": "F",
        "participants": "lots", "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T09:00"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="error-summary"' in html and "from 1 to 5,000" in html
    now = utcnow()
    response = client.post("/en/admin/workshops", data={
        "csrf_token": token, "round_id": str(open_round.id), "name": "Atelier, Dakar",
        "facilitator": "Moussa D.", "participants": "25",
        "starts_at": (now - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 303
    created = session.scalar(select(Workshop))
    assert (created.name, created.participants, created.budget) == ("Atelier, Dakar", 25, 50)
    listing = client.get("/en/admin/workshops").get_data(as_text=True)
    assert f"/en/w/{created.code}" in listing and "0 of 50" in listing
    response = client.post(f"/en/admin/workshops/{created.id}/close",
                           data={"csrf_token": token})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Workshop, created.id).closed_at is not None
    actions = [e.action for e in audit_service.events(
        session, audit_service.AuditFilter(action="workshop.")).items]
    assert actions == ["workshop.close", "workshop.create"]


@pytest.fixture()
def live_app(fresh_app):
    """A schema on a real database with separate connections per thread (no test
    transaction around it), for concurrent requests."""
    with fresh_app.app_context():
        Base.metadata.create_all(db.engine)
        factories.load_taxonomy(db.session)
        round_ = factories.make_round(db.session)
        found = _workshop(db.session, round_, participants=4)  # budget 8
        ids = (round_.id, found.code, found.id)
        db.session.remove()
    fresh_app.config.update(SUBMIT_RATE_LIMIT="1 per minute")
    return fresh_app, ids


def test_the_budget_holds_under_concurrent_posts(live_app):
    application, (round_id, code, workshop_id) = live_app
    posts = 20
    clients, tokens = [], []
    for _n in range(posts):
        client = application.test_client()
        tokens.append(csrf_token(client.get(f"/en/w/{code}").get_data(as_text=True)))
        clients.append(client)
    barrier = threading.Barrier(posts)
    results: list[int] = []
    lock = threading.Lock()

    class _Round:
        id = round_id

    def post(n: int) -> None:
        barrier.wait()
        response = clients[n].post(f"/en/w/{code}", data={
            "csrf_token": tokens[n], **web_form(_Round, title=f"Concurrent {n}")})
        with lock:
            results.append(response.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [303] * 8 + [429] * 12
    with application.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Submission)
                                   .where(Submission.channel == Channel.WORKSHOP))
        used = db.session.scalar(select(Workshop.used).where(Workshop.id == workshop_id))
        db.session.remove()
    assert (stored, used) == (8, 8)


def test_the_api_filters_by_channel_and_source(client, session, open_round):
    import csv
    import io

    from app.services.review import moderation, tagging
    from tests.helpers import api_token, bearer

    found = _workshop(session, open_round)
    workshops.submit(session, found, factories.intake.SubmissionInput(
        **factories.submission_data(open_round, title="From the room")))
    factories.make_submission(session, open_round, title="From the web")
    from tests.helpers import make_user

    moderator = make_user(session, "moderator", with_2fa=False)
    for sub in session.scalars(select(Submission)):
        moderation.decide(session, sub, by=moderator, action="approve", version=sub.version,
                          tags=tagging.TagInput(principles=["P2"]))
    session.commit()
    headers = bearer(api_token(session, "reference"))
    url = "/api/v1/exports/submissions.csv?source=Youth%20lab,%20Nairobi"
    rows = list(csv.DictReader(io.StringIO(
        client.get(url, headers=headers).get_data().decode("utf-8-sig"))))
    assert [(r["title"], r["channel"], r["source"]) for r in rows] == [
        ("From the room", "workshop", "Youth lab, Nairobi")]
    stats = client.get("/api/v1/stats?group_by=principle&channel=web", headers=headers)
    assert stats.get_json()["submissions"] == 1
    bad = client.get("/api/v1/stats?group_by=principle&channel=fax", headers=headers)
    assert bad.status_code == 400
