"""Issue #18 in a real browser: error summaries that take focus, the receipt that keeps
the link (copy button, print), and the round page, receipt and moderation numbers on a
360 px phone in Arabic and Chinese (screenshots in test-artifacts/screenshots)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from app.db import db, utcnow
from tests.browser.test_public_browser import (
    axe_problems,
    no_horizontal_overflow,
    publish_a_view,
    submit_view,
    visit,
)
from tests.helpers import make_user

pytestmark = pytest.mark.browser


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_error_summaries_take_focus_and_axe_stays_at_zero(page, lang):
    problems: list[str] = []
    # The submission form, sent empty.
    visit(page, f"/{lang}/submit")
    page.locator("form button[type='submit']").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_focused()
    problems += axe_problems(page, "submit with errors")
    # Chinese sentences in the summary use full-width punctuation.
    if lang == "zh":
        first = page.locator("#error-summary a").first.inner_text()
        assert "：" in first and ": " not in first, first
    # The correction form of a receipt.
    private_link = submit_view(page, lang)
    visit(page, private_link.replace("?new=1", "") + "/edit")
    page.locator("#title").fill("")
    page.locator("form button[type='submit']").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_focused()
    problems += axe_problems(page, "edit with errors")
    # Erasing without ticking the confirmation.
    visit(page, private_link.replace("?new=1", "") + "/erase")
    page.locator("form button[type='submit']").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_focused()
    problems += axe_problems(page, "erase without confirming")
    # A wrong password.
    visit(page, f"/{lang}/login")
    page.locator("#email").fill("nobody@example.org")
    page.locator("#password").fill("not the password at all")
    page.locator("form button[type='submit']").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_focused()
    problems += axe_problems(page, "login with errors")
    # A wrong second factor.
    user = make_user(db.session, "admin", f"focus-{lang}@example.org")
    visit(page, f"/{lang}/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill("correct horse battery staple 42")
    page.locator("form button[type='submit']").click()
    page.wait_for_url(re.compile(r"/login/verify$"))
    page.locator("#code").fill("000000")
    page.locator("form button[type='submit']").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_focused()
    problems += axe_problems(page, "2FA with errors")
    assert not problems, "\n".join(problems)


def test_an_admin_form_with_errors_focuses_its_summary(page, live_server):
    from tests.helpers import PASSWORD, totp_now

    user = make_user(db.session, "admin", "focus-admin@example.org")
    visit(page, "/ar/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type='submit']").click()
    page.wait_for_url(re.compile(r"/login/verify$"))
    page.locator("#code").fill(totp_now(user.totp_secret))
    page.locator("form button[type='submit']").click()
    page.wait_for_url(re.compile(r"/ar/admin/$"))  # admins land on their panel
    visit(page, "/ar/admin/workshops")
    page.locator("#name").fill("")
    page.locator("form.admin-form button[type='submit']").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_focused()
    assert not axe_problems(page, "workshop form with errors")


def test_the_receipt_copies_the_link_and_prints_as_a_receipt(new_context, screenshots):
    context = new_context(viewport={"width": 360, "height": 740})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    private_link = submit_view(page, "ar")
    copy = page.get_by_role("button", name="نسخ الرابط")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator("#copy-status")).to_have_text("نُسخ الرابط. الصقه في مكان آمن.")
    assert page.evaluate("navigator.clipboard.readText()") == private_link
    page.emulate_media(media="print")
    expect(page.locator(".actions")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".private-url")).to_be_visible()
    page.screenshot(path=screenshots / "receipt-ar-print.png", full_page=True)
    # Without JavaScript the button, which could not work, is not shown.
    bare = new_context(java_script_enabled=False).new_page()
    visit(bare, private_link)
    expect(bare.locator("[data-copy-target]")).to_be_hidden()


def _add_views_in_other_languages(round_id: int) -> None:
    """An English title on the Arabic page and an Arabic one on the Chinese page."""
    from app.services.accounts import users as users_service
    from app.services.contributions import intake
    from app.services.review import moderation, tagging

    session = db.session
    moderator = users_service.create_user(session, f"mixed-{round_id}@example.org",
                                          "correct horse battery staple 42", "moderator")
    for lang, title in (("en", "Connectivity first, then the rest"),
                        ("ar", "الاتصال أولا ثم الباقي")):
        submission, _token = intake.submit(session, intake.SubmissionInput(
            round_id=round_id, language=lang, title=title,
            body="Without affordable internet, nothing else reaches the village.",
            actor_type="youth", country="EG", consent_processing=True,
            consent_publication=True))
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=["P2"], technologies=["T15"]))
    session.commit()


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_phone_pages_at_360_px(new_context, screenshots, lang):
    round_id, _reference = publish_a_view(lang)
    _add_views_in_other_languages(round_id)
    page = new_context(viewport={"width": 360, "height": 740}).new_page()

    private_link = submit_view(page, lang)
    assert no_horizontal_overflow(page)
    page.screenshot(path=screenshots / f"issue18-receipt-{lang}-360.png", full_page=True)

    # The round page: views first, the filters folded.
    visit(page, f"/{lang}/rounds/{round_id}")
    assert no_horizontal_overflow(page)
    details = page.locator("details.view-filters")
    assert details.evaluate("d => d.open") is False
    expect(page.locator("#q")).to_be_hidden()
    first_view = page.locator("article.quote").first
    assert first_view.bounding_box()["y"] < 1400, first_view.bounding_box()
    # A title in another script follows its own direction and starts where it starts.
    other = "Connectivity first, then the rest" if lang == "ar" else "الاتصال أولا ثم الباقي"
    heading = page.locator("article.quote h3", has_text=other)
    style = heading.evaluate("h => [getComputedStyle(h).direction, getComputedStyle(h).textAlign]")
    assert style == (["ltr", "start"] if lang == "ar" else ["rtl", "start"])
    # Chips without an underline through the letters.
    decoration = page.locator(".tags abbr").first.evaluate(
        "a => getComputedStyle(a).textDecorationLine")
    assert decoration == "none"
    page.screenshot(path=screenshots / f"issue18-round-{lang}-360.png", full_page=True)
    details.locator("summary").click()
    expect(page.locator("#q")).to_be_visible()

    # The moderation numbers: the table, at a readable size, instead of the shrunk chart.
    visit(page, f"/{lang}/rounds/{round_id}/moderation")
    assert no_horizontal_overflow(page)
    expect(page.locator(".chart-figure")).to_be_hidden()
    cells = page.locator("table.data th, table.data td")
    sizes = cells.evaluate_all("cs => cs.map(c => parseFloat(getComputedStyle(c).fontSize))")
    assert sizes and min(sizes) >= 12, sizes
    page.screenshot(path=screenshots / f"issue18-moderation-{lang}-360.png", full_page=True)

    # On a wide screen the filters are open and the chart is back.
    page.set_viewport_size({"width": 1280, "height": 800})
    visit(page, f"/{lang}/rounds/{round_id}/moderation")
    expect(page.locator(".chart-figure")).to_be_visible()
    visit(page, f"/{lang}/rounds/{round_id}")
    expect(page.locator("#q")).to_be_visible()
    assert private_link


def test_workshop_link_at_360_px_in_arabic(new_context, screenshots):
    from app.services.contributions import workshops
    from app.services.platform import rounds

    session = db.session
    round_ = rounds.list_rounds(session)[0]
    now = utcnow()
    workshop = workshops.create(session, round_id=round_.id, name="ورشة الشباب، القاهرة",
                                facilitator="أمينة", participants=20,
                                starts_at=now - dt.timedelta(minutes=5),
                                ends_at=now + dt.timedelta(hours=2), by=None)
    session.commit()
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    visit(page, f"/ar/w/{workshop.code}")
    expect(page.locator(".notice-info")).to_contain_text("ورشة الشباب، القاهرة")
    assert no_horizontal_overflow(page)
    assert not axe_problems(page, "workshop form")
    page.screenshot(path=screenshots / "issue18-workshop-ar-360.png", full_page=True)
