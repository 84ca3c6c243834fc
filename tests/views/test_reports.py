"""Reports: counts against hand-built fixtures, exports read back, the stats API."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Submission
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, login, make_user


def approve(session, submission_id, moderator, tags, **kwargs):
    submission = session.get(Submission, submission_id)
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version, tags=tagging.TagInput(**tags), **kwargs)
    session.commit()


@pytest.fixture()
def corpus(session, open_round):
    """Four approved submissions, one rejected, one pending; emails on all of them.

    | ref | language | actor | country | age   | principles | commitments | themes |
    | a   | ar       | youth | EG (002) | 18_24 | P2         | C1          | TH12   |
    | b   | en       | youth | KE (002) | 25_34 | P2, P1     |             | TH06   |
    | c   | fr       | academia | FR (150) | -  | P2         | C3          |        |
    | d   | zh       | government | CN (142) | - | P5        | C1          |        |
    """
    moderator = make_user(session, "moderator", "corpus-mod@example.org")
    specs = [
        ("a", dict(language="ar", title="الاتصال أولا", body="الإنترنت حق للجميع في القرى.",
                   actor_type="youth", country="EG", age_range="18_24", gender="female"),
         dict(principles=["P2"], commitments=["C1"], themes=["TH12"], keywords=["Access"]),
         "الإنترنت حق للجميع"),
        ("b", dict(language="en", title="=HYPERLINK(\"http://evil\")", body="+cmd|' /C calc'!A0",
                   actor_type="youth", country="KE", age_range="25_34"),
         dict(principles=["P2", "P1"], themes=["TH06"], keywords=["access", "data"]), None),
        ("c", dict(language="fr", title="Partenariats", body="Travailler avec les universités.",
                   actor_type="academia", country="FR"),
         dict(principles=["P2"], commitments=["C3"]), "Travailler avec les universités"),
        ("d", dict(language="zh", title="能力建设", body="加强政府能力。", actor_type="government",
                   country="CN"),
         dict(principles=["P5"], commitments=["C1"]), None),
    ]
    ids = {}
    for key, fields, tags, highlight in specs:
        submission, _ = factories.make_submission(session, open_round,
                                                  email=f"{key}@example.org", **fields)
        approve(session, submission.id, moderator, tags, highlight=highlight)
        ids[key] = submission.id
    rejected, _ = factories.make_submission(session, open_round, title="Rejected view",
                                            email="rejected@example.org")
    rejected = session.get(Submission, rejected.id)
    moderation.decide(session, rejected, by=moderator, action="reject",
                      version=rejected.version, reason="spam")
    factories.make_submission(session, open_round, title="Pending view",
                              email="pending@example.org")
    session.commit()
    return ids


def test_stats_api_counts_match_the_fixture(client, session, corpus):
    token = api_token(session, "reference")

    def stats(**params):
        response = client.get("/api/v1/stats", query_string=params, headers=bearer(token))
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    body = stats(group_by="principle")
    assert body["total"] == 4
    assert body["counts"] == {"P1": 1, "P2": 3, "P5": 1}
    assert stats(group_by="commitment")["counts"] == {"C1": 2, "C3": 1}
    assert stats(group_by="theme")["counts"] == {"TH12": 1, "TH06": 1}
    assert stats(group_by="keyword")["counts"] == {"access": 2, "data": 1}
    assert stats(group_by="actor_type")["counts"] == {"youth": 2, "academia": 1,
                                                      "government": 1}
    assert stats(group_by="region")["counts"] == {"002": 2, "150": 1, "142": 1}
    assert stats(group_by="language")["counts"] == {"ar": 1, "en": 1, "fr": 1, "zh": 1}
    # Demographic filters: counts only, each under MIN_CELL_COUNT as "< 5" (issue #14).
    assert stats(group_by="principle", youth="yes")["counts"] == {"P2": "< 5"}
    assert stats(group_by="principle", region="002")["counts"] == {"P1": 1, "P2": 2}
    assert stats(group_by="principle", gender="female")["total"] == "< 5"
    assert stats(group_by="commitment", code="P2")["counts"] == {"C1": 1, "C3": 1}
    bad = client.get("/api/v1/stats?group_by=colour&date_from=yesterday", headers=bearer(token))
    assert bad.status_code == 400
    assert "date_from" in bad.get_json()["errors"]


def test_dashboard_page_shows_counts_and_crosstabs(client, session, corpus):
    login(client, session, "reference")
    response = client.get("/en/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<strong>4</strong>" in html
    assert 'role="img"' in html and "<title id=" in html
    assert "P2 · Foster inclusion and transparency" in html
    assert "75%" in html  # P2: 3 of 4
    assert "Principles by actor type" in html and "Commitments by region" in html
    assert "@example.org" not in html
    arabic = client.get("/ar/reports/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "تشجيع الإدماج والشفافية" in arabic  # the official UN Arabic label
    assert 'direction="rtl"' in arabic  # the bar chart is mirrored
    assert client.get("/en/reports/?date_from=nonsense").status_code == 400


def test_themed_summary_page(client, session, corpus):
    login(client, session, "reference")
    html = client.get("/en/reports/summary/P2").get_data(as_text=True)
    assert "<strong>3</strong> of 4 approved submissions (75%)" in html
    assert "الإنترنت حق للجميع" in html and "Travailler avec les universités" in html
    assert "C1 · " in html and "C3 · " in html  # co-occurring commitments
    assert "@example.org" not in html and "Rejected view" not in html
    assert client.get("/en/reports/summary/P9").status_code == 404


def read_csv(response) -> list[dict[str, str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_by_api(client, session, corpus):
    token = api_token(session, "reference")
    response = client.get("/api/v1/exports/submissions.csv", headers=bearer(token))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert list(rows[0]) == ["reference", "round", "language", "title", "body", "actor_type",
                             "country", "region", "age_range", "gender", "principles",
                             "commitments", "technologies", "themes", "keywords",
                             "created_at", "decided_at", "cluster_id", "channel", "source",
                             "paragraph",
                             "language_label", "actor_type_label", "country_label",
                             "region_label", "age_range_label", "gender_label",
                             "principles_labels", "commitments_labels", "technologies_labels",
                             "themes_labels", "organisation", "organisation_website",
                             "organisation_publish", "attachments", "attachment_urls"]
    assert len(rows) == 4
    by_lang = {row["language"]: row for row in rows}
    assert by_lang["ar"]["title"] == "الاتصال أولا"
    assert by_lang["ar"]["body"] == "الإنترنت حق للجميع في القرى."
    assert by_lang["ar"]["region"] == "002"
    assert by_lang["en"]["principles"] == "P1;P2"
    assert by_lang["en"]["keywords"] == "access;data"
    # Formula injection neutralized; no email, rejected or pending text anywhere.
    assert by_lang["en"]["title"].startswith("'=")
    assert by_lang["en"]["body"].startswith("'+")
    assert "@example.org" not in raw and "Rejected view" not in raw and "Pending view" not in raw
    # The reference role gets no age range or gender, even though they were given.
    assert all(row["age_range"] == "" and row["gender"] == "" for row in rows)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.submissions"))
    assert event.details["rows"] == 4 and event.details["format"] == "csv"


def test_export_dates_are_the_stored_instants_in_utc(client, session, corpus):
    """The export reads timestamps without their column type (see export._iso_utc): they
    must come out as the ORM gives them, whole seconds and microseconds alike."""
    import datetime as dt

    approved = session.scalars(select(Submission).where(
        Submission.decided_at.is_not(None)).order_by(Submission.id)).all()
    whole = dt.datetime(2026, 3, 1, 9, 30, 0, tzinfo=dt.UTC)
    precise = dt.datetime(2026, 3, 2, 23, 59, 59, 123456, tzinfo=dt.timezone(dt.timedelta(
        hours=3)))  # given in another zone: stored and exported as UTC
    approved[0].created_at, approved[1].created_at = whole, precise
    session.commit()
    session.expire_all()
    expected = {s.reference: (s.created_at.isoformat(),
                              s.decided_at.isoformat() if s.decided_at else "")
                for s in session.scalars(select(Submission))}
    first, second = approved[0].reference, approved[1].reference
    token = api_token(session, "reference")
    rows = {row["reference"]: row for row in read_csv(
        client.get("/api/v1/exports/submissions.csv", headers=bearer(token)))}
    assert rows[first]["created_at"] == "2026-03-01T09:30:00+00:00"
    assert rows[second]["created_at"] == "2026-03-02T20:59:59.123456+00:00"
    assert len(rows) == 4
    for reference, row in rows.items():
        assert (row["created_at"], row["decided_at"]) == expected[reference]


def test_moderator_export_carries_age_and_gender_but_no_email(client, session, corpus):
    token = api_token(session, "moderator")
    rows = read_csv(client.get("/api/v1/exports/submissions.csv", headers=bearer(token)))
    arabic = next(row for row in rows if row["language"] == "ar")
    assert arabic["age_range"] == "18_24" and arabic["gender"] == "female"
    assert not any("@example.org" in value for row in rows for value in row.values())


def test_export_filters(client, session, corpus):
    token = api_token(session, "reference")
    rows = read_csv(client.get("/api/v1/exports/submissions.csv?code=C1",
                               headers=bearer(token)))
    assert sorted(row["language"] for row in rows) == ["ar", "zh"]
    assert client.get("/api/v1/exports/submissions.csv?region=999",
                      headers=bearer(token)).status_code == 400


def test_jsonl_export(client, session, corpus):
    token = api_token(session, "reference")
    response = client.get("/api/v1/exports/submissions.jsonl", headers=bearer(token))
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(lines) == 4
    english = next(item for item in lines if item["language"] == "en")
    assert english["principles"] == ["P1", "P2"] and english["themes"] == ["TH06"]
    assert english["title"] == '=HYPERLINK("http://evil")'  # data, exactly as stored
    assert "email" not in english


def test_export_pages_for_signed_in_readers(client, session, corpus):
    login(client, session, "reference")
    response = client.get("/en/reports/export/submissions.csv?language=ar")
    assert response.status_code == 200
    assert len(read_csv(response)) == 1


def test_erased_submission_leaves_exports(client, session, corpus):
    from app.services.contributions import intake
    intake.erase(session, session.get(Submission, corpus["a"]))
    session.commit()
    token = api_token(session, "reference")
    raw = client.get("/api/v1/exports/submissions.csv", headers=bearer(token)).get_data()
    assert "الاتصال أولا".encode() not in raw
    assert len(read_csv(client.get("/api/v1/exports/submissions.csv",
                                   headers=bearer(token)))) == 3


@pytest.mark.parametrize("url", ["/api/v1/stats", "/api/v1/exports/submissions.csv"])
def test_report_api_needs_a_token(client, url):
    assert client.get(url).status_code == 401


def test_arabic_docx_summary_by_api_and_page(client, session, corpus):
    from docx import Document

    token = api_token(session, "reference")
    response = client.get("/api/v1/exports/summary.docx?code=P2&lang=ar", headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype.endswith("wordprocessingml.document")
    document = Document(io.BytesIO(response.get_data()))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "تشجيع الإدماج والشفافية" in text
    assert "الإنترنت حق للجميع" in text
    assert "@example.org" not in text + cells
    assert document.paragraphs[0]._p.pPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidi") is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.summary"))
    assert event.details["code"] == "P2" and event.details["lang"] == "ar"
    assert client.get("/api/v1/exports/summary.docx?code=P9", headers=bearer(token)
                      ).status_code == 404
    assert client.get("/api/v1/exports/summary.docx", headers=bearer(token)).status_code == 400
    assert client.get("/api/v1/exports/summary.docx?code=P2&lang=de", headers=bearer(token)
                      ).status_code == 400
    login(client, session, "reference", "page-reader@example.org")
    page = client.get("/en/reports/summary/P2.docx")
    assert page.status_code == 200
    assert "Foster inclusion and transparency" in "\n".join(
        p.text for p in Document(io.BytesIO(page.get_data())).paragraphs)


def test_export_batches_read_a_range_only_when_dense():
    from sqlalchemy import column

    from app.services.reporting.export import _within

    dense = str(_within(column("submission_id"), list(range(100, 1100))))
    sparse = str(_within(column("submission_id"), list(range(100, 100_000, 97))))
    assert "BETWEEN" in dense and "IN" not in dense
    assert "IN" in sparse and "BETWEEN" not in sparse
