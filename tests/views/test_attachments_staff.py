"""Files attached to views, for staff (issue #21 item 5): the moderators' downloads, the
review page, the public/withheld decision, the reference group's downloads, exports and
Word summaries, the published view's files and the staff API."""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import docx
import openpyxl
import pytest
from sqlalchemy import select

from app import storage
from app.models import Attachment, AuditEvent
from tests import attachment_data, factories
from tests.attachment_data import (
    ARABIC_NAME,
    ARABIC_TEXT,
    DOCX_BYTES,
    PDF_BYTES,
    WITHHELD_NAME,
    WITHHELD_TEXT,
)
from tests.helpers import api_token, bearer, csrf_token, login, make_user

PDF = "application/pdf"


@pytest.fixture()
def files(app, session, open_round):
    return attachment_data.view_with_files(app, session, open_round)


def download_url(files, attachment):
    return f"/en/moderate/submissions/{files.submission.id}/attachments/{attachment.id}"


def review_html(client, submission_id, **args):
    query = "&".join(f"{k}={quote(v)}" for k, v in args.items())
    url = f"/en/moderate/submissions/{submission_id}" + (f"?{query}" if query else "")
    return client.get(url).get_data(as_text=True)


# Moderators' downloads.

def test_moderator_downloads_with_safe_headers(client, session, files):
    login(client, session, "moderator")
    response = client.get(download_url(files, files.public))
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    headers = response.headers
    assert headers["Content-Type"] == PDF
    assert headers["Content-Length"] == str(len(PDF_BYTES))
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''" + quote(ARABIC_NAME, safe=""))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert headers["Cache-Control"] == "private, no-store"
    withheld = client.get(download_url(files, files.withheld))
    assert withheld.status_code == 200 and withheld.data == DOCX_BYTES
    assert withheld.headers["Content-Disposition"] == (
        f"attachment; filename=\"{WITHHELD_NAME}\"; filename*=UTF-8''{WITHHELD_NAME}")
    assert withheld.headers["Content-Type"].startswith("application/vnd.openxmlformats")


def test_admin_downloads_and_others_may_not(app, client, session, files):
    url = download_url(files, files.public)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, session, "reference")
    assert client.get(url).status_code == 403
    admin = app.test_client()
    login(admin, session, "admin")
    assert admin.get(url).status_code == 200


def test_unknown_or_foreign_id_and_missing_file_are_404(app, client, session, files,
                                                        open_round):
    other = attachment_data.view_with_files(app, session, open_round, title="Another")
    login(client, session, "moderator")
    base = f"/en/moderate/submissions/{files.submission.id}/attachments"
    unknown = client.get(f"{base}/999999")
    assert unknown.status_code == 404
    assert "This view has no such file." in unknown.get_data(as_text=True)
    # Another view's file is not reachable through this view's address.
    assert client.get(f"{base}/{other.public.id}").status_code == 404
    assert client.get(f"{base}/abc").status_code == 404
    with app.app_context():
        storage.store().delete(files.public.sha256)
    missing = client.get(download_url(files, files.public))
    assert missing.status_code == 404
    assert "no longer in the attachment store" in missing.get_data(as_text=True)
    assert "Content-Disposition" not in missing.headers


# The review page.

def test_review_page_shows_each_file_with_its_text(client, session, files):
    login(client, session, "moderator")
    html = review_html(client, files.submission.id)
    assert ARABIC_NAME in html and WITHHELD_NAME in html
    assert "PDF" in html and "Word document (DOCX)" in html
    assert "12 pages" in html
    assert f'href="{download_url(files, files.public)}" download' in html
    assert '<details class="attachment-text">' in html  # closed without a search
    assert f'dir="auto" lang="ar">{ARABIC_TEXT}</div>' in html
    assert html.count('class="badge badge-withheld"') == 1
    assert html.count('class="badge badge-public"') == 1


def test_review_page_marks_the_search_terms_in_the_text(client, session, files):
    login(client, session, "moderator")
    html = review_html(client, files.submission.id, q="حوكمة")
    section = html[html.index(f'id="attachment-{files.public.id}"'):]
    section = section[:section.index("</article>")]
    assert "<details class=\"attachment-text\" open>" in section
    assert "<mark>حوكمة</mark>" in section
    # The same search carried to the decision form's and the visibility form's targets.
    assert "q=%D8%AD%D9%88%D9%83%D9%85%D8%A9" in section


def test_review_page_shows_no_section_without_files(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    login(client, session, "moderator")
    assert 'id="attachments"' not in review_html(client, submission.id)


# Public or withheld.

def post_visibility(client, files, attachment, public, token=None):
    html = review_html(client, files.submission.id)
    return client.post(f"{download_url(files, attachment)}/visibility",
                       data={"csrf_token": token if token is not None else csrf_token(html),
                             "public": public})


def test_moderator_marks_a_file_public_then_withheld_audited(client, session, files):
    user = login(client, session, "moderator")
    response = post_visibility(client, files, files.withheld, "1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#attachment-{files.withheld.id}")
    session.expire_all()
    assert session.get(Attachment, files.withheld.id).public is True
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is public" in page
    post_visibility(client, files, files.withheld, "0")
    session.expire_all()
    assert session.get(Attachment, files.withheld.id).public is False
    events = session.scalars(select(AuditEvent).where(AuditEvent.target_type == "attachments")
                             .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["attachment.public", "attachment.withheld"]
    assert all(e.actor_id == user.id and e.target_id == files.withheld.id for e in events)
    assert events[0].before == {"public": False} and events[0].after == {"public": True}
    assert WITHHELD_NAME not in json.dumps([e.details for e in events])


def test_visibility_needs_the_csrf_token_and_a_choice(client, session, files):
    login(client, session, "moderator")
    post_visibility(client, files, files.withheld, "1", token="forged")
    post_visibility(client, files, files.withheld, "maybe")
    session.expire_all()
    assert session.get(Attachment, files.withheld.id).public is False
    assert session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("attachment.%"))).all() == []


def test_reference_group_cannot_mark(client, session, files):
    login(client, session, "reference")
    html = client.get("/en/reports/").get_data(as_text=True)
    response = client.post(f"{download_url(files, files.withheld)}/visibility",
                           data={"csrf_token": csrf_token(html), "public": "1"})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Attachment, files.withheld.id).public is False


def test_files_arrive_withheld(app, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    (item,) = attachment_data.attach(app, session, submission,
                                     attachment_data.checked("a.pdf", PDF_BYTES))
    assert item.public is False


# The reference group.

@pytest.fixture()
def approved(app, session, open_round):
    moderator = make_user(session, "moderator", "approver@example.org")
    return attachment_data.view_with_files(app, session, open_round, approved_by=moderator)


def test_reference_group_downloads_public_files_of_approved_views(client, session, approved):
    login(client, session, "reference")
    response = client.get(f"/en/reports/attachments/{approved.public.id}")
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response.headers["Cache-Control"] == "private, no-store"
    refused = client.get(f"/en/reports/attachments/{approved.withheld.id}")
    assert refused.status_code == 404
    assert "has not been made available" in refused.get_data(as_text=True)


def test_export_lists_public_files_with_links(client, session, approved):
    login(client, session, "reference")
    text = client.get("/en/reports/export/submissions.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["attachments"] == ARABIC_NAME
    assert rows[0]["attachment_urls"] == \
        f"http://localhost/en/reports/attachments/{approved.public.id}"
    assert list(rows[0])[-2:] == ["attachments", "attachment_urls"]
    lines = client.get("/en/reports/export/submissions.jsonl").get_data(as_text=True)
    record = json.loads(lines.splitlines()[0])
    assert record["attachments"] == [ARABIC_NAME]
    assert record["attachment_urls"] == [
        f"http://localhost/en/reports/attachments/{approved.public.id}"]
    workbook = openpyxl.load_workbook(io.BytesIO(
        client.get("/en/reports/export/submissions.xlsx").data), read_only=True)
    sheet = workbook.worksheets[1]
    header, first = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    assert first[header.index("Attached files")] == ARABIC_NAME
    assert first[header.index("Attached files: download links")].endswith(
        f"/en/reports/attachments/{approved.public.id}")
    for body in (text, lines):
        assert WITHHELD_NAME not in body


def test_word_summary_lists_public_files_under_the_view(client, session, approved):
    login(client, session, "reference")
    response = client.get("/en/reports/summary/P2.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in document.paragraphs]
    assert f"Attachments: {ARABIC_NAME} (12 pages)" in paragraphs
    assert not any(WITHHELD_NAME in p for p in paragraphs)


def test_views_of_a_code_link_the_public_files(client, session, approved):
    login(client, session, "reference")
    html = client.get("/en/reports/summary/P2/views").get_data(as_text=True)
    assert f'href="/en/reports/attachments/{approved.public.id}" download' in html
    assert ARABIC_NAME in html and WITHHELD_NAME not in html


# The published view.

def test_published_view_shows_and_serves_its_public_files(client, approved):
    reference = approved.submission.reference
    html = client.get(f"/en/contributions/{reference}").get_data(as_text=True)
    url = f"/en/contributions/{reference}/files/{approved.public.id}"
    assert f'href="{url}" download' in html and ARABIC_NAME in html
    assert WITHHELD_NAME not in html
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    withheld = client.get(f"/en/contributions/{reference}/files/{approved.withheld.id}")
    assert withheld.status_code == 404


# The staff API.

def test_staff_api_lists_files(client, session, approved):
    moderator = bearer(api_token(session, "moderator", "api-mod@example.org"))
    item = client.get(f"/api/v1/submissions/{approved.submission.id}",
                      headers=moderator).get_json()
    assert item["attachments"] == [
        {"id": approved.public.id, "name": ARABIC_NAME, "type": PDF, "size": len(PDF_BYTES),
         "pages": 12, "public": True},
        {"id": approved.withheld.id, "name": WITHHELD_NAME,
         "type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "size": len(DOCX_BYTES), "pages": None, "public": False}]
    listed = client.get("/api/v1/submissions?status=approved", headers=moderator).get_json()
    assert [len(i["attachments"]) for i in listed["items"]] == [2]
    reference = bearer(api_token(session, "reference", "api-ref@example.org"))
    item = client.get(f"/api/v1/submissions/{approved.submission.id}",
                      headers=reference).get_json()
    assert [a["name"] for a in item["attachments"]] == [ARABIC_NAME]
    listed = json.dumps(client.get("/api/v1/submissions", headers=reference).get_json(),
                        ensure_ascii=False)
    assert WITHHELD_NAME not in listed and ARABIC_NAME in listed


def test_text_is_never_in_the_api(client, session, approved):
    moderator = bearer(api_token(session, "moderator", "api-mod@example.org"))
    body = json.dumps(client.get(f"/api/v1/submissions/{approved.submission.id}",
                                 headers=moderator).get_json(), ensure_ascii=False)
    assert ARABIC_NAME in body
    assert WITHHELD_TEXT not in body and "حوكمة" not in body
