"""Issue #9's 'done when': a closed round has its public page, moderation numbers,
response and open data live in the six languages, and a workshop CSV imports with a clean
error report for its bad rows."""
from __future__ import annotations

import csv
import io

import pytest

from app.i18n import LANGUAGES
from app.services.contributions import offline_intake
from app.services.publishing import responses
from tests import outreach_data as data

RTL = {"ar"}


@pytest.fixture()
def closed_round(app, session):
    views = data.round_with_views(session)
    round_ = views["round"]
    with app.test_request_context("/en/"):
        response = data.draft(session, round_, references=[views["published"].reference])
        responses.publish(session, response, by=None, link_for=data.link_for(round_.id))
        session.commit()
    return views


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_of_a_closed_round_in_each_language(client, closed_round, lang):
    round_id = closed_round["round"].id
    published = closed_round["published"].reference
    pages = {
        "round": f"/{lang}/rounds/{round_id}",
        "numbers": f"/{lang}/rounds/{round_id}/moderation",
        "response": f"/{lang}/rounds/{round_id}/response",
        "open data": f"/{lang}/rounds/{round_id}/open-data",
        "view": f"/{lang}/contributions/{published}",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        html = response.get_data(as_text=True)
        direction = "rtl" if lang in RTL else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in html, name
        assert data.TITLES[lang] in html, (name, "the round's title in the page's language")
    response_page = client.get(pages["response"]).get_data(as_text=True)
    assert f"Connectivity comes first [{lang}]" in response_page
    assert f"/{lang}/contributions/{published}" in response_page
    numbers = client.get(pages["numbers"]).get_data(as_text=True)
    assert "<svg" in numbers
    download = client.get(f"/{lang}/rounds/{round_id}/open-data/views.csv")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["reference"] for row in rows] == [published]


def test_a_workshop_csv_imports_with_a_clean_error_report(app, session, closed_round):
    round_ = closed_round["round"]
    header = offline_intake.columns(round_)
    good = {"row_id": "1", "language": "sw", "title": "Mtandao kwanza",
            "body": "Bei ya data ni ghali kwa vijana wa kijiji chetu.",
            "actor_type": "youth", "country": "KE", "consent_processing": "yes"}
    bad = {**good, "row_id": "2", "country": "XX", "consent_processing": ""}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows([good, bad])
    with app.test_request_context("/en/"):
        record = offline_intake.import_file(session, round_, "nairobi.csv",
                                            out.getvalue().encode("utf-8"),
                                            source="Workshop, Nairobi, 2026-03-02")
        session.commit()
        report = offline_intake.error_report_csv(record, ("row", "column", "message"))
    assert (record.created, record.failed) == (1, 1)
    lines = list(csv.reader(io.StringIO(report.lstrip("\ufeff"))))
    assert lines[0] == ["row", "column", "message"]
    assert {line[0] for line in lines[1:]} == {"3"}  # the spreadsheet row of the bad one
    assert {line[1] for line in lines[1:]} == {"country", "consent_processing"}
