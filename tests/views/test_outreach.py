"""Pages of issue #9 items 3-4: the admin's response, outbox and intake pages, the public
response page, the paper form, the receipt-page link, and the CLI commands."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.i18n import LANGUAGES
from app.models import AuditEvent, OutboxMessage, OutboxStatus, Submission, SubmissionProvenance
from app.services.contributions import intake, offline_intake
from app.services.publishing import responses
from tests import factories
from tests import outreach_data as data
from tests.helpers import api_token, bearer, csrf_token, form_post, login, make_user
from tests.services.contributions.test_offline_intake import SOURCE, rows, to_csv, to_xlsx


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture()
def views(app, session):
    with app.test_request_context("/en/"):
        return data.round_with_views(session)


def admin_pages(round_id: int) -> list[str]:
    return ["/en/admin/responses", f"/en/admin/rounds/{round_id}/response", "/en/admin/outbox",
            "/en/admin/intake"]


# Access.

@pytest.mark.parametrize("role", ["moderator", "reference"])
def test_only_admins_reach_the_pages(client, session, views, role):
    round_id = views["round"].id
    login(client, session, role)
    for url in admin_pages(round_id):
        assert client.get(url).status_code == 403, url
    token = csrf_token(text(client.get("/en/account")))
    for url in (f"/en/admin/rounds/{round_id}/response",
                f"/en/admin/rounds/{round_id}/response/publish", "/en/admin/intake"):
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, views):
    for url in admin_pages(views["round"].id):
        response = client.get(url)
        assert response.status_code == 302 and "/en/login?next=" in response.headers["Location"]


def test_admin_pages_render_and_are_linked_from_the_index(client, session, views):
    login(client, session, "admin")
    for url in admin_pages(views["round"].id):
        assert client.get(url).status_code == 200, url
    index = text(client.get("/en/admin/"))
    for endpoint in ("/en/admin/responses", "/en/admin/outbox", "/en/admin/intake"):
        assert f'href="{endpoint}"' in index


# Responses.

def _response_form(round_, *, references="", summary=None, change=None) -> dict[str, str]:
    summary = summary or data.six("We listened")
    form = {f"summary_{code}": value for code, value in summary.items()}
    for code, value in (change or data.six("Connectivity first")).items():
        form[f"changes-0-{code}"] = value
    form["changes-0-codes"] = "P2, TH03"
    form["changes-0-references"] = references
    for code in LANGUAGES:
        form[f"changes-1-{code}"] = ""
    form["changes-1-codes"] = form["changes-1-references"] = ""
    return form


def test_draft_publish_public_page_and_receipt_link(client, session, views):
    round_ = views["round"]
    login(client, session, "admin")
    edit_url = f"/en/admin/rounds/{round_.id}/response"
    public_url = f"/en/rounds/{round_.id}/response"
    assert client.get(public_url).status_code == 404  # nothing published yet

    # A reference that is not a published view is refused next to its field.
    bad = form_post(client, edit_url, _response_form(round_,
                                                     references=views["private"].reference))
    assert bad.status_code == 422
    assert "Not a published view of this round" in text(bad)
    assert 'id="changes-0-references"' in text(bad)

    saved = form_post(client, edit_url, _response_form(
        round_, references=f"{views['published'].reference.lower()}"))
    assert saved.status_code == 303
    assert client.get(public_url).status_code == 404  # a draft is not public

    page = text(client.get(edit_url))
    published = client.post(f"{edit_url}/publish", data={"csrf_token": csrf_token(page)})
    assert published.status_code == 303
    assert "Messages queued for contributors: 3" in text(client.get(edit_url))

    html = text(client.get(public_url))
    assert "Connectivity first [en]" in html and "We listened [en]" in html
    assert "TH03" in html and "P2" in html
    assert f'href="/en/contributions/{views["published"].reference}"' in html
    assert views["private"].reference not in html
    assert "fatou@example.org" not in html
    french = text(client.get(f"/fr/rounds/{round_.id}/response"))
    assert "Connectivity first [fr]" in french and '<html lang="fr"' in french
    assert f'href="/fr/contributions/{views["published"].reference}"' in french

    # The author erases the published view: the link disappears from the response.
    intake.erase(session, session.get(Submission, views["published"].id))
    session.commit()
    assert views["published"].reference not in text(client.get(public_url))

    # Unpublish: off the site, editable again.
    page = text(client.get(edit_url))
    assert client.post(f"{edit_url}/unpublish",
                       data={"csrf_token": csrf_token(page)}).status_code == 303
    assert client.get(public_url).status_code == 404
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("response.%")).order_by(AuditEvent.id)).all()
    assert actions == ["response.save", "response.publish", "response.unpublish"]


def test_publish_with_missing_languages_shows_the_fields(client, session, views):
    round_ = views["round"]
    login(client, session, "admin")
    edit_url = f"/en/admin/rounds/{round_.id}/response"
    form_post(client, edit_url, _response_form(round_, summary={"en": "Only English"}))
    page = text(client.get(edit_url))
    response = client.post(f"{edit_url}/publish", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 422
    assert "Write this text in every language before publishing." in text(response)
    assert responses.published_response(session, round_.id) is None


def test_publish_without_csrf_is_refused(client, session, views):
    login(client, session, "admin")
    with client.application.test_request_context("/en/"):
        data.draft(session, views["round"])
    response = client.post(f"/en/admin/rounds/{views['round'].id}/response/publish", data={})
    assert response.status_code == 400
    assert responses.published_response(session, views["round"].id) is None


def test_receipt_page_links_to_the_published_response(app, client, session, taxonomy):
    round_ = factories.make_round(session)
    _submission, token = factories.make_submission(session, round_)
    manage = f"/en/manage/{token}"
    assert "Read the response to this consultation" not in text(client.get(manage))
    data.close(session, round_)
    with app.test_request_context("/en/"):
        response = data.draft(session, round_)
        responses.publish(session, response, by=None, link_for=data.link_for(round_.id))
        session.commit()
    html = text(client.get(manage))
    assert "Read the response to this consultation" in html
    assert f'href="/en/rounds/{round_.id}/response"' in html


# Outbox.

def test_outbox_page_lists_queued_messages_without_a_mail_server(app, client, session, views):
    app.config["MAIL_SERVER"] = None
    with app.test_request_context("/en/"):
        response = data.draft(session, views["round"])
        responses.publish(session, response, by=None,
                          link_for=data.link_for(views["round"].id))
        session.commit()
    login(client, session, "admin")
    html = text(client.get("/en/admin/outbox"))
    assert "No mail server is configured" in html
    for address in ("fatou@example.org", "amina@example.org", "li@example.org"):
        assert address in html
    assert "erased@example.org" not in html
    assert f"/fr/rounds/{views['round'].id}/response" in html


def test_outbox_send_command(app, runner, session, views, monkeypatch):
    import smtplib

    from tests.services.publishing.test_responses import FakeSMTP

    with app.test_request_context("/en/"):
        response = data.draft(session, views["round"])
        responses.publish(session, response, by=None, link_for=data.link_for(views["round"].id))
        session.commit()
    app.config["MAIL_SERVER"] = None
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code != 0 and "MAIL_SERVER is not set" in result.output

    FakeSMTP.sent, FakeSMTP.refuse, FakeSMTP.down = [], set(), False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_SENDER="consult@example.org")
    result = runner.invoke(args=["outbox", "send", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "Sent 3;" in result.output
    assert "@example.org" not in result.output.replace("consult@example.org", "")
    assert sorted(m["To"] for m in FakeSMTP.sent) == [
        "amina@example.org", "fatou@example.org", "li@example.org"]
    session.expire_all()
    assert session.scalar(select(func.count()).where(
        OutboxMessage.status == OutboxStatus.SENT)) == 3


# Intake.

def test_admin_upload_imports_and_offers_the_error_report(client, session, taxonomy):
    round_ = factories.make_round(session)
    login(client, session, "admin")
    page = text(client.get("/en/admin/intake"))
    assert "row_id" in page and "consent_processing" in page  # the columns are documented
    payload = {"csrf_token": csrf_token(page), "round_id": str(round_.id), "channel": "paper",
               "source": SOURCE, "facilitator": "Awa",
               "file": (io.BytesIO(to_xlsx(round_, rows(round_))), "views.xlsx")}
    response = client.post("/en/admin/intake", data=payload,
                           content_type="multipart/form-data")
    html = text(response)
    assert response.status_code == 200, html
    assert "New submissions, waiting for moderation: 2" in html
    assert "Rows with problems, not imported: 3" in html
    report_url = re.search(r'href="(/en/admin/intake/imports/\d+/errors\.csv)"', html).group(1)
    report = text(client.get(report_url))
    assert report.lstrip("\ufeff").splitlines()[0] == "Row,Column,Problem"
    assert sorted({line.split(",")[0] for line in report.splitlines()[1:]}) == ["3", "5", "7"]
    assert session.scalar(select(func.count()).select_from(SubmissionProvenance)) == 2

    # The same upload again: nothing new.
    payload["file"] = (io.BytesIO(to_xlsx(round_, rows(round_))), "views.xlsx")
    payload["csrf_token"] = csrf_token(text(client.get("/en/admin/intake")))
    again = text(client.post("/en/admin/intake", data=payload,
                             content_type="multipart/form-data"))
    assert "New submissions, waiting for moderation: 0" in again
    assert "Rows already imported before, left alone: 3" in again
    assert session.scalar(select(func.count()).select_from(Submission)) == 2


def test_admin_upload_errors(client, session, taxonomy):
    round_ = factories.make_round(session)
    login(client, session, "admin")
    token = csrf_token(text(client.get("/en/admin/intake")))
    no_csrf = client.post("/en/admin/intake", data={
        "round_id": str(round_.id), "channel": "workshop", "source": SOURCE,
        "file": (io.BytesIO(to_csv(round_, rows(round_))), "v.csv")},
        content_type="multipart/form-data")
    assert no_csrf.status_code == 400
    wrong = client.post("/en/admin/intake", data={
        "csrf_token": token, "round_id": str(round_.id), "channel": "workshop",
        "source": SOURCE, "file": (io.BytesIO(b"%PDF-1.4"), "v.pdf")},
        content_type="multipart/form-data")
    assert wrong.status_code == 422 and "Choose a CSV or XLSX file." in text(wrong)
    no_source = client.post("/en/admin/intake", data={
        "csrf_token": token, "round_id": str(round_.id), "channel": "workshop", "source": "",
        "file": (io.BytesIO(to_csv(round_, rows(round_))), "v.csv")},
        content_type="multipart/form-data")
    assert no_source.status_code == 422 and "Say where the views were collected" in text(no_source)
    too_big = _post_large(client, {
        "csrf_token": token, "round_id": str(round_.id), "channel": "workshop",
        "source": SOURCE, "file": (io.BytesIO(b"x" * (6 * 1024 * 1024)), "v.csv")})
    assert too_big.status_code == 413
    # A file larger than a submission's limit but within the upload limit is accepted.
    big_rows = [{**rows(round_)[0], "row_id": str(n), "body": "x" * 3000} for n in range(300)]
    big = to_csv(round_, big_rows)
    assert len(big) > 512 * 1024
    ok = _post_large(client, {
        "csrf_token": token, "round_id": str(round_.id), "channel": "workshop",
        "source": SOURCE, "dry_run": "y", "file": (io.BytesIO(big), "v.csv")})
    assert ok.status_code == 200 and "Rows that would be imported: 300" in text(ok)
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


def _post_large(client, fields):
    """A multipart POST encoded in memory (the test client spools large bodies to a
    temporary file that nothing closes when the app refuses the request)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    stream, filename = fields.pop("file")
    fields["file"] = FileStorage(stream, filename=filename, content_type="text/csv")
    boundary, body = encode_multipart(fields)
    return client.post("/en/admin/intake", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_intake_import_command(app, runner, session, taxonomy, tmp_path):
    round_ = factories.make_round(session)
    path = tmp_path / "nairobi.csv"
    path.write_bytes(to_csv(round_, rows(round_)))
    report = tmp_path / "errors.csv"
    args = ["intake", "import", str(path), "--source", SOURCE, "--round", str(round_.id),
            "--facilitator", "Joseph K.", "--channel", "workshop"]
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert "2 would be imported" in dry.output and "Nothing was imported" in dry.output
    result = runner.invoke(args=[*args, "--report", str(report)])
    assert result.exit_code == 1  # some rows had problems
    assert "2 new submissions, 1 already imported (nothing new), 3 with problems" in result.output
    assert "row 3, title:" in result.output
    assert report.read_text(encoding="utf-8").lstrip("\ufeff").startswith("row,column,message")
    again = runner.invoke(args=args)
    assert "0 new submissions, 3 already imported (nothing new)" in again.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Submission)) == 2
    assert runner.invoke(args=["intake", "import", str(path), "--source", SOURCE,
                               "--round", "999999"]).exit_code != 0


def test_csv_field_over_the_limit_is_a_clear_error_on_the_page_and_the_cli(
        app, client, runner, session, taxonomy, tmp_path):
    """#14 item 10: a field over 131,072 characters answered 500 (upload) or a traceback
    (CLI); both now name the row, in the page's language."""
    round_ = factories.make_round(session)
    records = rows(round_)[:2]
    records[1] = {**records[1], "body": "x" * 131_073}
    data = to_csv(round_, records)
    login(client, session, "admin")
    page = text(client.get("/fr/admin/intake"))
    response = client.post("/fr/admin/intake", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "round_id": str(round_.id), "channel": "workshop",
        "source": SOURCE, "file": (io.BytesIO(data), "views.csv")})
    assert response.status_code == 422
    html = text(response)
    assert "Ligne 3" in html and "131072" in html
    path = tmp_path / "long.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["intake", "import", str(path), "--source", SOURCE,
                                 "--round", str(round_.id)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Row 3 has a cell longer than 131072 characters" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


# Public pages of the offline intake.

@pytest.mark.parametrize("lang", LANGUAGES)
def test_paper_form_in_each_language_matches_the_columns(client, session, taxonomy, lang):
    round_ = factories.make_round(session, title=dict(data.TITLES))
    html = text(client.get(f"/{lang}/rounds/{round_.id}/paper-form"))
    assert f'<html lang="{lang}"' in html and data.TITLES[lang] in html
    for column in ("row_id", "language", "title", "answer_1", "answer_2", "body", "actor_type",
                   "country", "email", "principles", "consent_processing",
                   "consent_publication"):
        assert f"[{column}]" in html, column
    assert "paper-form.css" in html
    template = client.get(f"/{lang}/rounds/{round_.id}/paper-form.csv")
    assert template.mimetype == "text/csv"
    assert text(template).lstrip("\ufeff").strip().split(",")[:4] == [
        "row_id", "language", "title", "answer_1"]


def test_unknown_rounds_are_404(client, taxonomy):
    for url in ("/en/rounds/999/response", "/en/rounds/999/paper-form",
                "/en/rounds/999/paper-form.csv", "/en/rounds/99999999999/response"):
        assert client.get(url).status_code == 404, url


def test_dashboard_and_stats_count_by_channel(app, client, session, taxonomy):
    round_ = factories.make_round(session)
    factories.make_submission(session, round_)
    with app.test_request_context("/en/"):
        offline_intake.import_file(session, round_, "v.csv", to_csv(round_, rows(round_)),
                                   source=SOURCE, channel="workshop")
        session.commit()
    moderator = make_user(session, "moderator", "mod-channel@example.org")
    for submission in session.scalars(select(Submission)).all():
        data.approve(session, moderator, submission)
    token = api_token(session, "reference", "ref-channel@example.org")
    stats = client.get(f"/api/v1/stats?group_by=channel&round_id={round_.id}",
                       headers=bearer(token))
    assert stats.status_code == 200, text(stats)
    assert stats.get_json()["counts"] == {"web": 1, "workshop": 2}
    login(client, session, "reference")
    html = text(client.get(f"/en/reports/?round_id={round_.id}"))
    table = html[html.index('id="channels-table"'):]
    table = table[:table.index("</table>")]
    assert re.search(r'<th scope="row">Workshop</th><td class="num">2</td>', table)
    assert re.search(r'<th scope="row">Web form</th><td class="num">1</td>', table)
    assert re.search(r'<th scope="row">Paper form</th><td class="num">0</td>', table)
