"""Suggested tags in a real browser: S ticks the top suggestions, A approves with them."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect
from sqlalchemy import select

from app.db import db, utcnow
from app.models import AuditEvent, Submission, TagSource
from app.services.contributions import intake
from app.services.platform import rounds
from tests.browser.conftest import use_live_database
from tests.browser.test_staff_browser import new_account, sign_in, visit


def test_s_ticks_the_top_suggestions_and_a_approves_with_them(page, live_server):
    use_live_database(live_server)
    with live_server.app.app_context():
        session = db.session
        now = utcnow()
        round_ = rounds.create_round(
            session, title={"en": "Suggested tags"}, description={"en": "Browser test."},
            questions=[{"en": "What should the UN do?"}],
            opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1))
        session.commit()
        submission, _token = intake.submit(session, intake.SubmissionInput(
            round_id=round_.id, language="en", title="Camps",
            answers={round_.questions[0].id: "Drones carry medicine to the refugee camps; "
                                             "artificial intelligence plans the routes."},
            actor_type="individual", country="KE", consent_processing=True))
        session.commit()
        target = submission.id
    sign_in(page, "en", new_account("moderator"))
    visit(page, f"/en/moderate/submissions/{target}")
    button = page.locator("#accept-top-suggestions")
    expect(button).to_be_visible()  # shown only when JavaScript runs
    page.locator("#decision-form input[name='principles'][value='P3']").check()
    page.locator("body").focus()
    page.keyboard.press("s")
    top = page.locator("input[name='suggested'][data-top]")
    codes = sorted(top.evaluate_all("boxes => boxes.filter(b => b.checked).map(b => b.value)"))
    assert codes == ["T01", "TH14"], codes
    # The technology box (in the text column, tied to the form) is ticked with it.
    expect(page.locator("input[form='decision-form'][name='technologies'][value='T01']")
           ).to_be_checked()
    # The others stay as they were: one key accepts the top ones only.
    expect(page.locator("#suggested-T06")).not_to_be_checked()
    page.locator("body").focus()
    with page.expect_navigation():
        page.keyboard.press("a")
    expect(page.locator(".notice-success")).to_have_text("Submission approved.")

    db.session.remove()
    decided = db.session.get(Submission, target)
    assert decided.tag_codes(TagSource.MODERATOR) == ["P3", "T01", "TH14"]
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "submission.approve", AuditEvent.target_id == target))
    assert event.details["suggestions"]["accepted"] == {"technologies": ["T01"],
                                                        "themes": ["TH14"]}
    assert "T06" in event.details["suggestions"]["shown"]["technologies"]


def test_arabic_review_ranks_a_principle_and_a_commitment(page, live_server):
    """The case of issue #17: an Arabic view about young people and the digital divide got
    technologies and themes but no principle or commitment, though one of each is needed
    to approve. Now both groups are ranked, with evidence, at 360 px and on a desktop."""
    use_live_database(live_server)
    with live_server.app.app_context():
        session = db.session
        now = utcnow()
        round_ = rounds.create_round(
            session, title={"ar": "الشباب والتكنولوجيا"}, description={"ar": "اختبار."},
            questions=[{"ar": "ماذا يجب أن تفعل الأمم المتحدة؟"}],
            opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1))
        session.commit()
        submission, _token = intake.submit(session, intake.SubmissionInput(
            round_id=round_.id, language="ar", title="الفجوة الرقمية",
            answers={round_.questions[0].id: "الشباب في قريتنا لا يملكون إنترنت ولا حواسيب. "
                                             "الفجوة الرقمية تكبر كل سنة ونحتاج مساعدة "
                                             "الحكومة."},
            actor_type="youth", country="EG", consent_processing=True))
        session.commit()
        target = submission.id
    sign_in(page, "ar", new_account("moderator"))
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        visit(page, f"/ar/moderate/submissions/{target}")
        panel = page.locator("#suggestions")
        principles = panel.locator("input[name='suggested'][data-group='principles']")
        commitments = panel.locator("input[name='suggested'][data-group='commitments']")
        assert principles.count() == 5 and commitments.count() == 4
        # Keywords fire here: the top principle and commitment are confident ones.
        assert principles.first.get_attribute("data-top") == "1"
        assert commitments.first.get_attribute("data-top") == "1"
        expect(panel).to_contain_text("ثقة منخفضة")
        panel.screenshot(path=f"/tmp/h17-suggestions-ar-{width}.png")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow
