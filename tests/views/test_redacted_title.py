"""Redacted titles (issue #14, item 2): the reference group and the public get the title a
moderator wrote for a redacted view, never the contributor's original one."""
from __future__ import annotations

import json

import pytest

from app.models import Submission
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, csrf_token, login, make_user

ORIGINAL_TITLE = "Layla Haddad of Amman asks for open data"


def _approve(session, submission_id, moderator, **kwargs):
    submission = session.get(Submission, submission_id)
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version,
                      tags=tagging.TagInput(principles=["P2"]), **kwargs)
    session.commit()
    return submission


@pytest.fixture()
def redacted(session, open_round):
    moderator = make_user(session, "moderator", "title-moderator@example.org")
    submission, _ = factories.make_submission(
        session, open_round, title=ORIGINAL_TITLE, consent_publication=True,
        body="My name is Layla Haddad and I want open data in Amman.")
    _approve(session, submission.id, moderator,
             redacted_text="My name is [removed] and I want open data.",
             redacted_title="A call for open data")
    return submission.id


def test_the_reference_api_and_exports_carry_the_redacted_title_only(client, session, redacted):
    headers = bearer(api_token(session, "reference"))
    item = client.get(f"/api/v1/submissions/{redacted}", headers=headers).get_json()
    assert item["title"] == "A call for open data"
    listing = client.get("/api/v1/submissions", headers=headers).get_data(as_text=True)
    assert "A call for open data" in listing
    for fmt in ("csv", "jsonl"):
        body = client.get(f"/api/v1/exports/submissions.{fmt}", headers=headers)
        assert body.status_code == 200
        text = body.get_data(as_text=True)
        assert "A call for open data" in text, fmt
        assert "Layla" not in text and "Haddad" not in text, fmt


def test_moderators_see_both_titles_through_the_api(client, session, redacted):
    item = client.get(f"/api/v1/submissions/{redacted}",
                      headers=bearer(api_token(session, "moderator"))).get_json()
    assert item["title"] == ORIGINAL_TITLE
    assert item["redacted_title"] == "A call for open data"


def test_a_view_redacted_without_a_title_has_no_public_title(client, session, open_round):
    moderator = make_user(session, "moderator", "title-moderator2@example.org")
    submission, _ = factories.make_submission(session, open_round, title=ORIGINAL_TITLE,
                                              body="Layla Haddad wants open data.")
    _approve(session, submission.id, moderator, redacted_text="[removed] wants open data.")
    headers = bearer(api_token(session, "reference"))
    item = client.get(f"/api/v1/submissions/{submission.id}", headers=headers).get_json()
    assert item["title"] == ""
    text = client.get("/api/v1/exports/submissions.jsonl", headers=headers).get_data(as_text=True)
    assert "Layla" not in text
    assert json.loads(text.splitlines()[0])["title"] == ""


def test_the_decision_json_takes_a_redacted_title(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round, title=ORIGINAL_TITLE,
                                              body="Layla Haddad wants open data.")
    headers = bearer(api_token(session, "moderator"))
    response = client.post(
        f"/api/v1/submissions/{submission.id}/decision", headers=headers,
        json={"action": "approve", "version": submission.version,
              "tags": {"principles": ["P2"]}, "redacted_text": "[removed] wants open data.",
              "redacted_title": "Open data, please"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["redacted_title"] == "Open data, please"
    too_long = client.post(
        f"/api/v1/submissions/{submission.id}/decision", headers=headers,
        json={"action": "approve", "version": response.get_json()["version"],
              "tags": {"principles": ["P2"]}, "redacted_title": "x" * 201})
    assert too_long.status_code == 422
    assert "redacted_title" in too_long.get_json()["errors"]


def test_the_review_page_prefills_the_title_and_saves_an_edit(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round, title=ORIGINAL_TITLE,
                                              body="Layla Haddad wants open data.")
    login(client, session, "moderator")
    url = f"/en/moderate/submissions/{submission.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="redacted_title"' in page and ORIGINAL_TITLE in page
    response = client.post(f"{url}/decision", data={
        "csrf_token": csrf_token(page), "version": str(submission.version),
        "action": "approve", "principles": ["P2"], "redacted_title": "Open data in Jordan",
        "redacted_text": "[removed] wants open data."})
    assert response.status_code in (302, 303)
    session.expire_all()
    stored = session.get(Submission, submission.id)
    assert stored.redacted_title == "Open data in Jordan"
    assert stored.public_title == "Open data in Jordan"


def test_the_public_page_shows_the_redacted_title(client, session, redacted):
    reference = session.get(Submission, redacted).reference
    page = client.get(f"/en/contributions/{reference}").get_data(as_text=True)
    assert "A call for open data" in page
    assert "Haddad" not in page


def test_no_page_or_file_of_the_reference_group_carries_the_original_title(
        client, session, open_round):
    """Every place the reference group reads (issue #14 item 2): dashboard, themed summary
    page (with the view's highlight), round comparison, staff API list, CSV, JSON Lines,
    XLSX in two languages, the Word summary; none has the original title or name."""
    import io

    from docx import Document
    from openpyxl import load_workbook

    moderator = make_user(session, "moderator", "title-moderator3@example.org")
    submission, _ = factories.make_submission(
        session, open_round, title=ORIGINAL_TITLE, language="en",
        body="My name is Layla Haddad and I want open data in Amman.")
    _approve(session, submission.id, moderator,
             redacted_text="My name is [removed] and I want open data.",
             redacted_title="A call for open data", highlight="I want open data")
    headers = bearer(api_token(session, "reference"))
    user = login(client, session, "reference", "title-reader@example.org")
    assert user is not None
    texts = {
        "dashboard": client.get("/en/reports/").get_data(as_text=True),
        "summary": client.get("/en/reports/summary/P2").get_data(as_text=True),
        "compare": client.get(f"/en/reports/compare?round={open_round.id}"
                              ).get_data(as_text=True),
        "api list": client.get("/api/v1/submissions", headers=headers).get_data(as_text=True),
    }
    assert "I want open data" in texts["summary"]  # the highlight is there, the name not
    for fmt in ("csv", "jsonl"):
        texts[fmt] = client.get(f"/api/v1/exports/submissions.{fmt}?lang=ar",
                                headers=headers).get_data(as_text=True)
        assert "A call for open data" in texts[fmt]
    for lang in ("en", "ar"):
        response = client.get(f"/{lang}/reports/export/submissions.xlsx")
        book = load_workbook(io.BytesIO(response.get_data()))
        cells = [str(cell) for sheet in book.worksheets
                 for row in sheet.iter_rows(values_only=True) for cell in row if cell]
        assert "A call for open data" in cells
        texts[f"xlsx {lang}"] = "\n".join(cells)
    docx = client.get("/api/v1/exports/summary.docx?code=P2&lang=en", headers=headers)
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.get_data()))
    texts["docx"] = "\n".join([p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells])
    for where, text in texts.items():
        assert "Haddad" not in text and "Layla" not in text and "Amman" not in text, where
