"""Views sent on behalf of an organisation (issue #21, item 6), end to end: the public form
and the API, what staff and the reference group see (review page, staff API, exports,
Word summaries), what the public sees (only with consent), the dashboard's count of
organisations, the contributor's receipt and erasure."""
from __future__ import annotations

import csv
import io
import json

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.models import Organisation, Submission
from app.services.reporting import code_views, reports
from app.services.reporting.summary_docx import summary_docx
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, form_post, login, make_user, web_form

ORG = {"on_behalf_of_organisation": True, "organisation_name": "Réseau Sahel Numérique",
       "organisation_website": "https://reseau-sahel.example.org",
       "publish_organisation": True, "actor_type": "civil_society", "country": "SN"}
ORG_FORM = {"on_behalf_of_organisation": "y", "organisation_name": "Réseau Sahel Numérique",
            "organisation_website": "reseau-sahel.example.org", "publish_organisation": "y",
            "actor_type": "civil_society"}


def approve(session, submission, moderator, highlight=None):
    submission = session.get(Submission, submission.id)
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version, highlight=highlight,
                      tags=tagging.TagInput(principles=["P2"]))
    session.commit()
    return submission


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


# The public form -------------------------------------------------------------------------

def test_the_form_offers_the_organisation_fields(client, open_round):
    html = client.get("/en/submit").get_data(as_text=True)
    for name in ("on_behalf_of_organisation", "organisation_name", "organisation_website",
                 "publish_organisation"):
        assert f'name="{name}"' in html
    assert "I am answering on behalf of an organisation" in html
    # Without JavaScript every field is there to fill in: nothing starts hidden.
    assert 'id="organisation-details" hidden' not in html


def test_the_form_sends_a_view_on_behalf_of_an_organisation(client, session, open_round):
    response = form_post(client, "/en/submit", web_form(open_round, **ORG_FORM))
    assert response.status_code == 303, response.get_data(as_text=True)
    row = session.scalars(select(Organisation)).one()
    # "reseau-sahel.example.org" as typed became an https address.
    assert (row.name, row.website, row.publish) == (
        "Réseau Sahel Numérique", "https://reseau-sahel.example.org", True)
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "On behalf of" in receipt and "Réseau Sahel Numérique" in receipt
    assert "its name may be published" in receipt
    token = response.headers["Location"].split("/manage/")[1].split("?")[0]
    copy = json.loads(client.get(f"/en/manage/{token}/copy.json").get_data(as_text=True))
    assert copy["organisation"] == {"name": "Réseau Sahel Numérique",
                                    "website": "https://reseau-sahel.example.org",
                                    "publish": True}
    text = client.get(f"/en/manage/{token}/copy.txt").get_data(as_text=True)
    assert "On behalf of: Réseau Sahel Numérique" in text
    # The correction form comes back filled in, and unticking drops the organisation.
    edit = client.get(f"/en/manage/{token}/edit").get_data(as_text=True)
    assert 'value="Réseau Sahel Numérique"' in edit
    data = web_form(open_round, **{**ORG_FORM, "on_behalf_of_organisation": None,
                                   "version": str(session.scalars(select(Submission)).one()
                                                  .version)})
    response = form_post(client, f"/en/manage/{token}/edit", data)
    assert response.status_code == 303
    assert count(session, Organisation) == 0


@pytest.mark.parametrize(("fields", "message"), [
    ({"actor_type": "individual"}, "You chose to answer as an individual."),
    ({"organisation_name": ""}, "This field is required."),
    ({"organisation_website": "javascript:alert(1)"},
     "Enter the address of a website starting with https:// or http://"),
    ({"organisation_name": "N" * 201}, "Use at most 200 characters (you used 201)."),
    ({"organisation_name": "<script>x</script>"}, "without the characters &lt; and &gt;"),
])
def test_the_form_explains_what_is_wrong(client, session, open_round, fields, message):
    response = form_post(client, "/en/submit", web_form(open_round, **{**ORG_FORM, **fields}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'class="error-summary"' in html
    assert count(session, Submission) == 0 and count(session, Organisation) == 0


def test_the_errors_are_in_the_language_of_the_page(client, session, open_round):
    response = form_post(client, "/fr/submit", web_form(
        open_round, **{**ORG_FORM, "actor_type": "individual",
                       "organisation_website": "javascript:alert(1)"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vous avez choisi de répondre à titre individuel." in html
    assert "https://" in html and "commençant par" in html
    arabic = form_post(client, "/ar/submit", web_form(open_round, **{
        **ORG_FORM, "organisation_name": ""})).get_data(as_text=True)
    assert "أُجيب باسم منظمة" in arabic  # the box's label, in Arabic


# The API ---------------------------------------------------------------------------------

def test_the_api_takes_an_organisation(client, session, open_round):
    response = client.post("/api/v1/submissions",
                           json=factories.submission_data(open_round, **ORG))
    assert response.status_code == 201, response.get_json()
    row = session.scalars(select(Organisation)).one()
    assert row.name == "Réseau Sahel Numérique" and row.publish is True


@pytest.mark.parametrize(("fields", "field"), [
    ({"actor_type": "individual"}, "on_behalf_of_organisation"),
    ({"organisation_name": None}, "organisation_name"),
    ({"organisation_name": "N" * 201}, "organisation_name"),
    ({"organisation_website": "javascript:alert(1)"}, "organisation_website"),
    ({"organisation_website": "reseau-sahel.example.org"}, "organisation_website"),
    ({"publish_organisation": "yes"}, "publish_organisation"),
])
def test_the_api_refuses_a_bad_organisation(client, session, open_round, fields, field):
    response = client.post("/api/v1/submissions", headers={"Accept-Language": "es"},
                           json=factories.submission_data(open_round, **{**ORG, **fields}))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors, errors
    if field == "on_behalf_of_organisation":
        assert "a título individual" in errors[field][0]
    assert count(session, Submission) == 0 and count(session, Organisation) == 0


# Staff and the reference group ------------------------------------------------------------

@pytest.fixture()
def orgs(session, open_round):
    """Approved: two views of "UNESCO" typed two ways (academia, Africa and Europe), one of
    ACME (private sector, no consent to publish its name), one with no organisation.
    Pending: one more organisation, not counted."""
    moderator = make_user(session, "moderator", "org-mod@example.org")
    made = {}
    for key, fields in {
        "unesco": {**ORG, "organisation_name": "UNESCO", "actor_type": "academia",
                   "country": "KE", "organisation_website": None},
        "unesco2": {**ORG, "organisation_name": "  unesco ", "actor_type": "academia",
                    "country": "FR", "organisation_website": None},
        "sahel": {**ORG},
        "acme": {**ORG, "organisation_name": "ACME Robotics", "actor_type": "private_sector",
                 "country": "DE", "publish_organisation": False,
                 "organisation_website": "https://acme.example.com"},
        "plain": {"actor_type": "individual", "country": "BR"},
    }.items():
        submission, _ = factories.make_submission(session, open_round, title=f"View {key}",
                                                  **fields)
        made[key] = approve(session, submission, moderator,
                            highlight="Without affordable internet")
    factories.make_submission(session, open_round, **{**ORG, "organisation_name": "Pending"})
    made["moderator"] = moderator
    return made


def test_the_review_page_and_staff_api_show_the_organisation(client, session, orgs):
    login(client, session, "moderator")
    html = client.get(f"/en/moderate/submissions/{orgs['acme'].id}").get_data(as_text=True)
    assert "ACME Robotics" in html and "https://acme.example.com" in html
    assert "its name is not to be published" in html
    token = api_token(session, "reference", "org-ref@example.org")
    item = client.get(f"/api/v1/submissions/{orgs['acme'].id}",
                      headers=bearer(token)).get_json()
    assert item["organisation"] == {"name": "ACME Robotics",
                                    "website": "https://acme.example.com", "publish": False}
    listed = client.get("/api/v1/submissions?status=approved",
                        headers=bearer(token)).get_json()["items"]
    by_title = {i["title"]: i["organisation"] for i in listed}
    assert by_title["View plain"] is None
    assert by_title["View unesco"]["name"] == "UNESCO"


def test_exports_carry_the_organisation(client, session, orgs):
    token = bearer(api_token(session, "reference", "org-ref@example.org"))
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/v1/exports/submissions.csv", headers=token).get_data(as_text=True).lstrip("\ufeff"))))
    by_title = {row["title"]: row for row in rows}
    assert by_title["View acme"]["organisation"] == "ACME Robotics"
    assert by_title["View acme"]["organisation_website"] == "https://acme.example.com"
    assert by_title["View acme"]["organisation_publish"] == "False"
    assert by_title["View plain"]["organisation"] == ""
    lines = [json.loads(line) for line in client.get(
        "/api/v1/exports/submissions.jsonl", headers=token).get_data(as_text=True).splitlines()]
    record = next(r for r in lines if r["title"] == "View sahel")
    assert (record["organisation"], record["organisation_publish"]) == (
        "Réseau Sahel Numérique", True)
    workbook = load_workbook(io.BytesIO(client.get(
        "/api/v1/exports/submissions.xlsx?lang=fr", headers=token).get_data()), read_only=True)
    sheet = workbook.worksheets[1]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = table[0]
    column = header.index("Au nom de (organisation)")
    acme = next(row for row in table if row[header.index("Titre")] == "View acme")
    assert acme[column] == "ACME Robotics"
    assert acme[header.index("Le nom de l’organisation peut être publié")] == "non"


def test_word_summaries_say_on_whose_behalf(app, session, orgs):
    views = code_views.load_views(session, [orgs["acme"].id, orgs["plain"].id], "P2")
    assert [v.organisation for v in views] == ["ACME Robotics", None]
    quotes = reports.highlights(session, reports.ReportFilter())
    assert {q.organisation for q in quotes["academia"]} == {"UNESCO", "unesco"}
    with app.test_request_context():
        data = summary_docx(session, "P2", reports.ReportFilter(), "en")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "on behalf of ACME Robotics" in text


# The public ------------------------------------------------------------------------------

def test_the_public_sees_the_name_only_with_consent(client, session, open_round, orgs):
    page = client.get(f"/en/rounds/{open_round.id}").get_data(as_text=True)
    assert "Réseau Sahel Numérique" in page and "https://reseau-sahel.example.org" in page
    assert "ACME" not in page and "acme.example.com" not in page
    one = client.get(f"/en/contributions/{orgs['acme'].reference}").get_data(as_text=True)
    assert "View acme" in one and "ACME" not in one
    data = client.get(f"/en/rounds/{open_round.id}/open-data/views.csv").get_data(as_text=True)
    assert "Réseau Sahel Numérique" in data and "ACME" not in data
    lines = [json.loads(line) for line in client.get(
        f"/en/rounds/{open_round.id}/open-data/views.jsonl").get_data(as_text=True).splitlines()]
    by_title = {r["title"]: r for r in lines}
    assert by_title["View sahel"]["organisation"] == "Réseau Sahel Numérique"
    assert by_title["View acme"]["organisation"] is None
    assert by_title["View acme"]["organisation_website"] is None
    assert "organisation" in client.get(
        f"/en/rounds/{open_round.id}/open-data").get_data(as_text=True)


# The dashboard ---------------------------------------------------------------------------

def test_the_dashboard_counts_organisations(client, session, orgs):
    counts = reports.organisation_counts(session, reports.ReportFilter())
    # UNESCO typed two ways counts once; the pending view's organisation not at all.
    assert counts["total"] == 3
    assert counts["by_actor_type"] == {"academia": 1, "civil_society": 1, "private_sector": 1}
    assert counts["by_region"] == {"002": 2, "150": 2}  # Africa: UNESCO, Sahel; Europe: both
    assert counts["cells"]["academia"] == {"002": 1, "150": 1}
    assert reports.organisation_counts(
        session, reports.ReportFilter(actor_type="academia"))["total"] == 1
    login(client, session, "reference", "org-dash@example.org")
    html = client.get("/en/reports/").get_data(as_text=True)
    assert 'id="organisations-table"' in html
    assert "Distinct organisations that sent approved views on their behalf: <strong>3</strong>" \
        in html
    token = bearer(api_token(session, "reference", "org-ref@example.org"))
    body = client.get("/api/v1/stats?group_by=organisations_by_actor_type",
                      headers=token).get_json()
    assert body["counts"] == {"academia": 1, "civil_society": 1, "private_sector": 1}
    body = client.get("/api/v1/stats?group_by=organisations_by_region",
                      headers=token).get_json()
    assert body["counts"] == {"002": 2, "150": 2}


# Erasure ---------------------------------------------------------------------------------

def test_erasing_a_view_erases_its_organisation(client, session, open_round):
    response = form_post(client, "/en/submit", web_form(open_round, **ORG_FORM))
    token = response.headers["Location"].split("/manage/")[1].split("?")[0]
    assert count(session, Organisation) == 1
    response = form_post(client, f"/en/manage/{token}/erase", {"confirm": "y"})
    assert response.status_code == 303
    assert count(session, Organisation) == 0
    assert json.loads(client.get(f"/en/manage/{token}/copy.json").get_data(
        as_text=True))["organisation"] is None
