"""The views of a code in the browser (/<lang>/reports/summary/<code>/views) and its Word
summary through the API: public texts only, grouped, paged, filtered; bad input answered
in the reader's language."""
from __future__ import annotations

import io
import re

import docx
import pytest

from tests.code_views_data import (
    ARABIC,
    ARABIC_HIGHLIGHT,
    CHINESE,
    FRENCH,
    ORIGINAL_BODY,
    ORIGINAL_TITLE,
    OTHER_CODE,
    PENDING,
    REDACTED_BODY,
    REDACTED_TITLE,
    REJECTED,
    WITHHELD_BODY,
    WITHHELD_REDACTED,
    WITHHELD_TITLE,
    build_views,
)
from tests.helpers import api_token, bearer, login

SECRETS = (ORIGINAL_TITLE, ORIGINAL_BODY, "Zanele", "Mokoena", WITHHELD_TITLE, WITHHELD_BODY,
           "Thabo", "example.org", REJECTED, "Rejected title", PENDING, "Pending title",
           OTHER_CODE)


@pytest.fixture()
def views(session, open_round):
    return build_views(session, open_round)


def group_links(html: str) -> list[str]:
    return re.findall(r"group=([A-Za-z0-9]+)", html)


def every_page(client, url: str) -> str:
    """The HTML of every group and page of the views page."""
    first = client.get(url).get_data(as_text=True)
    pages = [first]
    for group in dict.fromkeys(group_links(first)):
        page = 1
        while True:
            html = client.get(f"{url}{'&' if '?' in url else '?'}group={group}&page={page}"
                              ).get_data(as_text=True)
            pages.append(html)
            if 'rel="next"' not in html:
                break
            page += 1
    return "\n".join(pages)


def test_dashboard_links_each_code_to_its_views(client, session, views):
    login(client, session, "reference")
    html = client.get("/ar/reports/?language=ar").get_data(as_text=True)
    assert "/ar/reports/summary/P2/views?language=ar" in html
    summary = client.get("/ar/reports/summary/P2").get_data(as_text=True)
    assert "/ar/reports/summary/P2/views" in summary


def test_every_approved_view_with_its_public_text_and_nothing_else(client, session, views):
    login(client, session, "reference")
    response = client.get("/ar/reports/summary/P2/views")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    # Groups largest first, the view without a theme last.
    assert list(dict.fromkeys(group_links(html))) == ["TH06", "TH12", "T01", "none"]
    everything = every_page(client, "/ar/reports/summary/P2/views")
    for public in (ARABIC, CHINESE, FRENCH, REDACTED_BODY, REDACTED_TITLE, WITHHELD_REDACTED):
        assert public in everything, public
    for secret in SECRETS:
        assert secret not in everything, secret
    # A view's text carries its own language and direction.
    assert re.search(r'<blockquote dir="auto" lang="zh"><p class="user-text">'
                     + re.escape(CHINESE), everything)


def test_a_group_is_paged_highlights_first(client, session, views):
    login(client, session, "reference")
    html = client.get("/en/reports/summary/P2/views?group=TH06").get_data(as_text=True)
    assert "44 views" in html and "Page 1 of 2" in html
    assert html.count('<article class="view"') == 25
    second = client.get("/en/reports/summary/P2/views?group=TH06&page=2").get_data(as_text=True)
    assert second.count('<article class="view"') == 19 and 'rel="prev"' in second
    group = client.get("/en/reports/summary/P2/views?group=TH12").get_data(as_text=True)
    assert "By actor type:" in group and "By region:" in group
    first_view = group.index('<article class="view"')
    assert group.index(ARABIC_HIGHLIGHT) > first_view
    assert group.index(ARABIC_HIGHLIGHT) < group.index(REDACTED_BODY)


def test_a_large_group_is_read_by_sub_theme_as_in_the_word_summary(client, session, views):
    login(client, session, "reference")
    pages = [client.get(f"/en/reports/summary/P2/views?group=TH06&page={n}").get_data(
        as_text=True) for n in (1, 2)]
    assert "found by a machine" in pages[0] and "found by a machine" in pages[1]
    headings = re.findall(r'<h3 class="subtheme">Sub-theme (\d) \(machine-made\):', pages[0]
                          + pages[1])
    assert headings == ["1", "2"]
    assert "The 3 views most typical of this sub-theme come first." in pages[0]
    ids = re.findall(r'<article class="view" aria-labelledby="view-(\d+)"', "".join(pages))
    assert len(ids) == 44 and len(set(ids)) == 44
    # Each sub-theme holds one wording: the cameras or the schools.
    first, second = "".join(pages).split('<h3 class="subtheme">')[1:]
    assert ("camera" in first) != ("camera" in second)
    assert ("Village schools" in first or "Affordable internet" in first) != \
        ("Village schools" in second or "Affordable internet" in second)


def test_filters_apply(client, session, views):
    login(client, session, "reference")
    html = client.get("/en/reports/summary/P2/views?language=fr").get_data(as_text=True)
    assert FRENCH in html and ARABIC not in html and CHINESE not in html
    assert list(dict.fromkeys(group_links(html))) == ["none"]
    html = client.get("/en/reports/summary/P2/views?actor_type=government").get_data(
        as_text=True)
    assert CHINESE in html and FRENCH not in html
    html = client.get("/en/reports/summary/P2/views?region=002&group=TH12").get_data(
        as_text=True)
    assert REDACTED_BODY in html and ">2 views<" not in html


@pytest.mark.parametrize(("lang", "phrase"), [("en", "Page not found"),
                                              ("ar", "الصفحة غير موجودة")])
def test_unknown_code_or_group_is_a_localized_404(client, session, views, lang, phrase):
    login(client, session, "reference")
    for url in (f"/{lang}/reports/summary/P99/views", f"/{lang}/reports/summary/P2/views"
                "?group=TH99"):
        response = client.get(url)
        assert response.status_code == 404
        assert phrase in response.get_data(as_text=True)


def test_unknown_language_or_bad_page_is_a_localized_400(client, session, views):
    login(client, session, "reference")
    response = client.get("/ar/reports/summary/P2/views?language=qq")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "qq" in html and "This is not a language we know" not in html
    for page in ("abc", "0", "²", "-1"):
        response = client.get(f"/fr/reports/summary/P2/views?page={page}")
        assert response.status_code == 400
        assert "The page must be" not in response.get_data(as_text=True)
        assert "Le numéro de page doit être un nombre entier" in response.get_data(as_text=True)
    assert client.get("/en/reports/summary/P2/views?group=TH06&page=999").status_code == 200
    assert client.get("/en/reports/summary/P2/views?date_from=yesterday").status_code == 400


def test_only_staff_readers(client, session, views):
    assert client.get("/en/reports/summary/P2/views").status_code in (302, 303)


def test_word_summary_through_the_api(client, session, views):
    token = api_token(session, "reference")
    response = client.get("/api/v1/exports/summary.docx?code=P2&lang=ar", headers=bearer(token))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    for public in (ARABIC, CHINESE, FRENCH, REDACTED_BODY, REDACTED_TITLE, WITHHELD_REDACTED):
        assert public in text
    for secret in SECRETS:
        assert secret not in text
    filtered = client.get("/api/v1/exports/summary.docx?code=P2&lang=en&language=zh",
                          headers=bearer(token))
    quotes = [p.text for p in docx.Document(io.BytesIO(filtered.data)).paragraphs
              if p.style.name == "Quote"]
    assert quotes == [CHINESE]
    refused = client.get("/api/v1/exports/summary.docx?code=P2&lang=qq",
                         headers={**bearer(token), "Accept-Language": "fr"})
    assert refused.status_code == 400 and "Use one of" not in refused.get_data(as_text=True)
    unknown = client.get("/api/v1/exports/summary.docx?code=P77&lang=ar",
                         headers={**bearer(token), "Accept-Language": "es"})
    assert unknown.status_code == 404 and "P77" in unknown.get_data(as_text=True)
    assert "This is not a code we know" not in unknown.get_data(as_text=True)


def test_a_gender_filter_lists_no_view_for_the_reference_group(client, session, views):
    """A list of views is row-level: filtered by gender or age, it would tell each view's
    gender back (issue #14), so the reference group gets the 403 that exports give."""
    login(client, session, "reference")
    refused = client.get("/en/reports/summary/P2/views?gender=female")
    assert refused.status_code == 403
    assert "counts only" in refused.get_data(as_text=True)
    assert client.get("/en/reports/summary/P2/views").status_code == 200


def test_no_view_under_the_filters_says_so_once(client, session, views):
    """Zero views: one sentence saying so, no "0 approved views" line above it and no link
    to a Word summary that would be empty."""
    login(client, session, "reference")
    html = client.get("/en/reports/summary/P2/views?language=ru").get_data(as_text=True)
    assert "No approved view is tagged with this code under these filters." in html
    assert "approved view" not in html.replace(
        "No approved view is tagged with this code under these filters.", "")
    assert "Download this summary (Word)" not in html
    html = client.get("/en/reports/summary/P2/views").get_data(as_text=True)
    assert "approved views" in html and "Download this summary (Word)" in html
