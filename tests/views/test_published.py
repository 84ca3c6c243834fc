"""The public round pages, published views, moderation numbers, open data and feeds.

The key test walks every public URL of a round with a mix of submissions and checks that
nothing personal, nothing unpublished and no redacted-out text appears anywhere.
"""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from app.models import Submission
from app.services.assist import clusters
from app.services.contributions import intake, privacy
from tests import publication_data
from tests.publication_data import EMAILS, HIDDEN, PERSONAL_MARKERS, REDACTED, SECRET

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture()
def campaigns(monkeypatch):
    """`clusters.campaign_stats` (issue #8's campaign folding) with fixed numbers, so that
    the page's side of that interface is tested on its own."""
    calls = []

    def campaign_stats(session, round_id):
        calls.append(round_id)
        return {"clusters": 3, "folded": 41}

    monkeypatch.setattr(clusters, "campaign_stats", campaign_stats)
    return calls


@pytest.fixture()
def mixed(session):
    return publication_data.build(session)


def public_urls(data, lang: str) -> list[str]:
    rid = data.round.id
    base = f"/{lang}/rounds/{rid}"
    urls = [f"/{lang}/", f"/{lang}/rounds", base, f"{base}/moderation", f"{base}/open-data",
            f"{base}/open-data/views.csv", f"{base}/open-data/views.jsonl",
            f"{base}/open-data/counts.csv", f"{base}/open-data/counts.json",
            f"{base}/feed.atom", f"{base}/responses.atom"]
    for query in ("principle=P2", "commitment=C1", "technology=T15", "theme=TH01",
                  "principle=P3&technology=T05", "q=connectivity", "q=drones",
                  f"q={SECRET}", "q=NOCONSENT", "q=SECRET-TITLE", "principle=P9", "after=x"):
        urls.append(f"{base}?{query}")
    for submission in (*data.published.values(), *data.hidden.values()):
        if submission.round_id != rid:
            continue
        urls.append(f"/{lang}/contributions/{submission.reference}")
    return urls


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_public_url_shows_personal_data_or_unpublished_text(client, mixed, campaigns, lang):
    forbidden = [*EMAILS, "@example.org", *PERSONAL_MARKERS, *HIDDEN, *mixed.tokens]
    seen_published = set()
    for url in public_urls(mixed, lang):
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        body = response.get_data(as_text=True)
        searched = re.search(r"[?&]q=([^&]+)", url)
        if searched:  # the page repeats what was searched for: that is not a leak
            body = body.replace(searched.group(1), "")
        for needle in forbidden:
            assert needle not in body, (url, needle)
        # The country (not the region) is never shown: Kenya and France are in the data.
        assert "Kenya" not in body and "France" not in body, url
        if REDACTED in body or "[removed]" in body:
            seen_published.add("redacted")
        if "Drones could map floods quickly." in body:
            seen_published.add("plain")
    assert seen_published == {"redacted", "plain"}


def test_round_page_shows_questions_state_and_published_views(client, mixed):
    html = client.get(f"/ar/rounds/{mixed.round.id}").get_data(as_text=True)
    assert "السؤال 1؟" in html  # the question in the page's language
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert REDACTED in html and "Drones for disaster relief" in html
    plain = mixed.published["plain"]
    assert f'href="/ar/contributions/{plain.reference}"' in html
    html = client.get(f"/en/rounds/{mixed.round.id}").get_data(as_text=True)
    assert "Open" in html and "Academia and research" in html
    assert "Europe" in html and "Africa" in html  # regions, not countries


@pytest.mark.parametrize(("query", "expected"), [
    ("principle=P2", {"redacted"}), ("commitment=C1", {"redacted"}),
    ("technology=T05", {"plain"}), ("theme=TH01", {"redacted"}),
    ("principle=P3&technology=T05", {"plain"}), ("principle=P2&technology=T05", set()),
    ("q=drones", {"plain"}), ("q=connectivity", {"redacted"}),
    (f"q={SECRET}", set()), ("q=SECRET-TITLE-OF-REDACTED", set()), ("", {"redacted", "plain"}),
])
def test_round_page_filters_and_search(client, mixed, query, expected):
    html = client.get(f"/en/rounds/{mixed.round.id}?{query}").get_data(as_text=True)
    shown = {name for name, s in mixed.published.items()
             if f"/en/contributions/{s.reference}" in html}
    assert shown == expected, query


@pytest.mark.parametrize("query", ["principle=P99", "theme=nonsense", "q=" + "x" * 201,
                                   "after=not-a-cursor", "after=" + "A" * 40])
def test_bad_filters_are_a_localized_400_not_a_500(client, mixed, query):
    response = client.get(f"/fr/rounds/{mixed.round.id}?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html or \
        "Ce lien de pagination n&#39;est pas valide." in html


def test_pagination_is_stable_and_complete(client, session, mixed):
    made = []
    for i in range(45):
        submission, _token = publication_data.factories.make_submission(
            session, mixed.round, title=f"Paged view {i:02d}", body=f"Body of paged view {i:02d}")
        publication_data.approve(session, mixed.moderator, submission)
        made.append(submission.reference)
    url = f"/en/rounds/{mixed.round.id}"
    seen: list[str] = []
    pages = 0
    while url:
        html = client.get(url).get_data(as_text=True)
        pages += 1
        seen += re.findall(r'href="/en/contributions/([A-Z0-9-]+)"', html)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert pages < 10
    assert pages == 3
    assert len(seen) == len(set(seen)) == 47
    assert set(made) <= set(seen)
    # Newest decision first.
    assert seen[0] == made[-1]


def test_pagination_keeps_filters(client, session, mixed):
    for i in range(25):
        submission, _token = publication_data.factories.make_submission(
            session, mixed.round, title=f"Tagged {i}", body="About satellites")
        publication_data.approve(session, mixed.moderator, submission, principles=["P5"])
    html = client.get(f"/en/rounds/{mixed.round.id}?principle=P5").get_data(as_text=True)
    next_url = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "principle=P5" in next_url
    html = client.get(next_url).get_data(as_text=True)
    assert len(re.findall(r'href="/en/contributions/', html)) == 5


def test_contribution_page_and_friendly_404s(client, mixed):
    plain = mixed.published["plain"]
    response = client.get(f"/es/contributions/{plain.reference}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Drones could map floods quickly." in html and plain.reference in html
    redacted = mixed.published["redacted"]
    html = client.get(f"/en/contributions/{redacted.reference.lower()}").get_data(as_text=True)
    assert REDACTED in html and SECRET not in html and "SECRET-TITLE" not in html
    for submission in mixed.hidden.values():
        if submission is mixed.hidden["elsewhere"]:
            continue
        response = client.get(f"/fr/contributions/{submission.reference}")
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert '<html lang="fr"' in html and "/fr/rounds" in html
    for bad in ("NOPE-NOPE", "x" * 300, "%00", "ÄÖÜ"):
        assert client.get(f"/en/contributions/{bad}").status_code == 404


def test_unknown_rounds_are_404(client, mixed):
    for url in ("/en/rounds/999999", "/en/rounds/99999999999999", "/en/rounds/0",
                "/en/rounds/999999/feed.atom", "/en/rounds/999999/open-data/views.csv",
                "/en/rounds/999999/moderation", "/en/rounds/abc"):
        assert client.get(url).status_code == 404, url


def parse_feed(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.get_data())


def test_feed_is_valid_atom_with_published_views_only(client, mixed):
    feed = parse_feed(client.get(f"/ar/rounds/{mixed.round.id}/feed.atom"))
    assert feed.tag == f"{ATOM}feed" and feed.get(XML_LANG) == "ar"
    assert feed.find(f"{ATOM}id").text.startswith("tag:localhost,")
    assert feed.find(f"{ATOM}title").text
    assert feed.find(f"{ATOM}updated").text
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"].endswith(f"/ar/rounds/{mixed.round.id}/feed.atom")
    assert links["alternate"].endswith(f"/ar/rounds/{mixed.round.id}")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    newest = entries[0]
    assert newest.find(f"{ATOM}id").text.startswith("tag:")
    assert newest.find(f"{ATOM}id").text.endswith(mixed.published["plain"].reference)
    assert newest.find(f"{ATOM}title").text == "Drones for disaster relief"
    content = newest.find(f"{ATOM}content")
    assert content.get("type") == "text" and content.get(XML_LANG) == "en"
    assert content.text == "Drones could map floods quickly."
    assert newest.find(f"{ATOM}link").get("href").endswith(
        f"/ar/contributions/{mixed.published['plain'].reference}")
    assert entries[1].find(f"{ATOM}content").text == REDACTED
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(set(ids)) == 2


def test_feed_escapes_markup(client, session, mixed):
    submission, _token = publication_data.factories.make_submission(
        session, mixed.round, title="Fish & \"chips\" <3 'UN'", body="a < b && c > d ]]>")
    publication_data.approve(session, mixed.moderator, submission)
    response = client.get(f"/en/rounds/{mixed.round.id}/feed.atom")
    assert "a < b" not in response.get_data(as_text=True)
    entry = parse_feed(response).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == submission.title
    assert "&" in submission.title and "<" in submission.title
    assert entry.find(f"{ATOM}content").text == "a < b && c > d ]]>"


def read_csv(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_open_data_downloads(client, mixed):
    base = f"/en/rounds/{mixed.round.id}/open-data"
    page = client.get(base)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "CC BY 4.0" in html and "creativecommons.org/licenses/by/4.0" in html
    for column in ("reference", "text", "region", "principles", "published_at"):
        assert f"<code>{column}</code>" in html

    response = client.get(f"{base}/views.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = {row["reference"]: row for row in read_csv(response)}
    plain, redacted = mixed.published["plain"], mixed.published["redacted"]
    assert set(rows) == {plain.reference, redacted.reference}
    assert rows[redacted.reference]["text"] == REDACTED
    assert rows[redacted.reference]["title"] == ""
    assert rows[redacted.reference]["region"] == "002"
    assert rows[redacted.reference]["themes"] == "TH01"
    assert rows[plain.reference]["technologies"] == "T05"
    assert rows[plain.reference]["actor_type"] == "academia"
    assert set(rows[plain.reference]) == {"reference", "round", "language", "title", "text",
                                          "actor_type", "region", "principles", "commitments",
                                          "technologies", "themes", "published_at",
                                          "paragraph", "organisation", "organisation_website"}

    lines = client.get(f"{base}/views.jsonl").get_data(as_text=True).splitlines()
    records = {r["reference"]: r for r in map(json.loads, lines)}
    assert records[redacted.reference]["principles"] == ["P2"]
    assert records[plain.reference]["text"] == "Drones could map floods quickly."

    counts = json.loads(client.get(f"{base}/counts.json").get_data(as_text=True))
    assert counts["total"] == 3  # every approved view of the round, published or not
    assert counts["counts"]["principles"] == {"P2": 2, "P3": 1}
    assert counts["counts"]["regions"] == {"002": 2, "150": 1}
    rows = read_csv(client.get(f"{base}/counts.csv"))
    assert {"round": str(mixed.round.id), "dimension": "principles", "code": "P2",
            "label": rows[1]["label"], "count": "2"} in rows
    assert any(row["dimension"] == "regions" and row["label"] == "Africa" for row in rows)


def test_open_data_neutralizes_formulas(client, session, mixed):
    submission, _token = publication_data.factories.make_submission(
        session, mixed.round, title="=HYPERLINK(\"http://x\")", body="+1 for this")
    publication_data.approve(session, mixed.moderator, submission)
    rows = read_csv(client.get(f"/en/rounds/{mixed.round.id}/open-data/views.csv"))
    row = next(r for r in rows if r["reference"] == submission.reference)
    assert row["title"].startswith("'=") and row["text"] == "'+1 for this"


def test_moderation_numbers(client, mixed, campaigns):
    response = client.get(f"/en/rounds/{mixed.round.id}/moderation")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">([\d,]+)</td>', html))
    assert table["Views received"] == "6"
    assert table["Published"] == "2"
    assert table["Accepted, not published: the author did not consent to publication"] == "1"
    assert table["Not accepted: Spam or advertising"] == "1"
    assert table["Not accepted: Abusive or hateful content"] == "0"
    assert table["Withdrawn and erased by their authors"] == "1"
    assert table["Waiting for review"] == "1"
    assert table["Views folded into a campaign"] == "41"
    assert campaigns == [mixed.round.id]
    assert '<svg' in html and 'role="img"' in html and "<title" in html and "<desc" in html


def test_moderation_numbers_with_the_real_campaign_folding(client, mixed):
    response = client.get(f"/en/rounds/{mixed.round.id}/moderation")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'Views folded into a campaign</th><td class="num">0<', html)


@pytest.mark.parametrize("how", ["author", "admin"])
def test_erasure_removes_a_view_from_pages_feeds_and_open_data(client, session, mixed,
                                                               campaigns, how):
    plain = mixed.published["plain"]
    reference = plain.reference
    base = f"/en/rounds/{mixed.round.id}"
    checks = (base, f"{base}/feed.atom", f"{base}/open-data/views.csv",
              f"{base}/open-data/views.jsonl", "/en/rounds")
    for url in checks[:4]:
        assert reference in client.get(url).get_data(as_text=True), url
    stored = session.scalar(select(Submission).where(Submission.reference == reference))
    if how == "author":
        intake.erase(session, stored)
    else:
        admin = publication_data.make_user(session, "admin", "admin-publication@example.org")
        privacy.erase_by_admin(session, stored, by=admin)
    session.commit()
    for url in checks:
        body = client.get(url).get_data(as_text=True)
        assert reference not in body and "Drones could map" not in body, url
    assert client.get(f"/en/contributions/{reference}").status_code == 404
    counts = json.loads(client.get(f"{base}/open-data/counts.json").get_data(as_text=True))
    assert counts["total"] == 2
    html = client.get(f"{base}/moderation").get_data(as_text=True)
    assert re.search(r"Withdrawn and erased by their authors</th><td class=\"num\">2<", html)


def test_rounds_list_and_home_link_the_round_pages(client, mixed):
    html = client.get("/en/rounds").get_data(as_text=True)
    assert f'href="/en/rounds/{mixed.round.id}"' in html
    assert f'href="/en/rounds/{mixed.other_round.id}"' in html
    assert "2 published views" in html and "1 published view<" in html
    home = client.get("/en/").get_data(as_text=True)
    assert 'href="/en/rounds"' in home
    assert re.search(r'href="/en/rounds/\d+"', home)


def test_responses_feed(client, session, mixed):
    from app.db import utcnow
    from app.models import ResponseChange, ResponseStatus, RoundResponse

    feed = parse_feed(client.get(f"/fr/rounds/{mixed.round.id}/responses.atom"))
    assert feed.tag == f"{ATOM}feed" and feed.findall(f"{ATOM}entry") == []
    session.add(RoundResponse(
        round_id=mixed.round.id, status=ResponseStatus.PUBLISHED, published_at=utcnow(),
        summary={"en": "We heard you.", "fr": "Nous vous avons entendus."},
        changes=[ResponseChange(position=0, text={"en": "Connectivity & <access> first.",
                                                  "fr": "D'abord la connectivité & <l'accès>."},
                                codes=["P2"], references=[])]))
    session.commit()
    feed = parse_feed(client.get(f"/fr/rounds/{mixed.round.id}/responses.atom"))
    (entry,) = feed.findall(f"{ATOM}entry")
    content = entry.find(f"{ATOM}content")
    assert content.get(XML_LANG) == "fr" and content.get("type") == "text"
    assert content.text == "Nous vous avons entendus.\n\nD'abord la connectivité & <l'accès>."
    assert entry.find(f"{ATOM}id").text.startswith("tag:localhost,")
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/fr/rounds/{mixed.round.id}/response")
    html = client.get(f"/fr/rounds/{mixed.round.id}").get_data(as_text=True)
    assert f'href="/fr/rounds/{mixed.round.id}/response"' in html
    assert f'href="/fr/rounds/{mixed.round.id}/responses.atom"' in html
