"""A code's views in a real browser, in Arabic, on a phone (360 px) and a desktop
(1280 px): reached from the dashboard, no sideways scrolling, each text in its own
direction, axe-core clean. Screenshots go to test-artifacts/screenshots."""
from __future__ import annotations

import datetime as dt

import pytest

from app.db import db, utcnow
from app.services.platform import rounds
from app.services.review import moderation, tagging
from tests import factories
from tests.browser.conftest import use_live_database
from tests.browser.test_staff_browser import axe_problems, new_account, sign_in, visit, with_axe
from tests.helpers import make_user

pytestmark = pytest.mark.browser

ARABIC = "نحتاج إلى إنترنت ميسور التكلفة في كل مدرسة ريفية، فالاتصال شرط المشاركة."
ENGLISH = "Facial recognition in our streets is surveillance without consent or oversight."
SECRET = "Original text naming Zanele Mokoena"


@pytest.fixture(scope="module")
def round_id(live_server) -> int:
    use_live_database(live_server)
    with live_server.app.app_context():
        session = db.session
        moderator = make_user(session, "moderator", "views-browser-mod@example.org")
        now = utcnow()
        round_ = rounds.create_round(
            session, title={"en": "Views in the browser", "ar": "الآراء في المتصفح"},
            description={"en": "Reading views."}, questions=[{"en": "What should change?"}],
            opens_at=now - dt.timedelta(days=2), closes_at=now + dt.timedelta(days=10))
        session.commit()
        for language, body, redacted in (("ar", ARABIC, None), ("en", ENGLISH, None),
                                         ("en", SECRET, "Original text naming [name].")):
            submission, _ = factories.make_submission(
                session, round_, language=language, title=body[:30], body=body)
            moderation.decide(session, submission, by=moderator, action="approve",
                              version=submission.version, redacted_text=redacted,
                              redacted_title="" if redacted else None,
                              tags=tagging.TagInput(principles=["P2"], themes=["TH02"]),
                              highlight=body[:20] if language == "ar" else None)
            session.commit()
        return round_.id


@pytest.mark.parametrize("width", [360, 1280])
def test_views_of_a_code_in_arabic(new_context, round_id, screenshots, width):
    user = new_account("reference")
    page = with_axe(new_context(viewport={"width": width, "height": 800})).new_page()
    sign_in(page, "ar", user)
    visit(page, f"/ar/reports/?round_id={round_id}")
    link = page.locator(f"a.views-link[href*='/summary/P2/views?round_id={round_id}']")
    link.click()
    page.wait_for_load_state()
    assert "/ar/reports/summary/P2/views" in page.url
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("details.filters").get_attribute("open") == ""  # a round is chosen
    arabic = page.locator("blockquote[lang='ar']")
    english = page.locator("blockquote[lang='en']").first
    assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
    text = page.locator("main").inner_text()
    assert ENGLISH in text and ARABIC in text and "[name]" in text
    assert "Zanele" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(screenshots / f"code-views-ar-{width}.png"), full_page=True)
    assert axe_problems(page, f"views of P2 at {width} px") == []
