"""Attached files on the review page in a real browser (issue #21): an Arabic position
paper's text read at 360 px in Arabic and at 1280 px in English, the queue's search term
marked in it, no sideways scroll, axe-core clean, and the public/withheld decision taken
without JavaScript. Screenshots go to test-artifacts/screenshots (and SHOTS_DIR if set)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from app.db import db, utcnow
from app.models import Attachment
from app.services.contributions import attachments, intake
from app.services.platform import rounds
from tests.attachment_data import checked
from tests.browser.conftest import use_live_database
from tests.browser.test_staff_browser import (
    axe_problems,
    new_account,
    send,
    sign_in,
    visit,
    with_axe,
)

pytestmark = pytest.mark.browser

TERM = "الشفافية"
PAPER = "\n\n".join([
    "ورقة موقف مقدَّمة من شبكة منظمات المجتمع المدني العربية للحقوق الرقمية",
    "أولًا: ندعو الأمم المتحدة إلى اعتماد مبادئ واضحة تضمن الشفافية في استخدام الخوارزميات في "
    "الخدمات العامة، وإلى نشر تقييمات الأثر قبل أي استخدام واسع.",
    "ثانيًا: إن الشفافية وحدها لا تكفي؛ يجب أن تقترن بآليات للمساءلة والتظلم يستطيع "
    "المواطنون الوصول إليها بلغتهم.",
    "ثالثًا: نوصي بتمويل برامج لمحو الأمية الرقمية في المناطق الريفية، مع إشراك الشباب "
    "والنساء في تصميمها وتقييمها.",
])


@pytest.fixture(scope="module")
def paper_view(live_server) -> dict[str, int]:
    use_live_database(live_server)
    with live_server.app.app_context():
        session = db.session
        admin = new_account("admin")
        now = utcnow()
        round_ = rounds.create_round(
            session, title={"en": "Position papers", "ar": "أوراق الموقف"},
            description={"en": "A round for the attachment pages."},
            questions=[], opens_at=now - dt.timedelta(days=3),
            closes_at=now + dt.timedelta(days=3))
        session.commit()
        submission, _token = intake.submit(session, intake.SubmissionInput(
            round_id=round_.id, language="ar", title="ورقة موقف الشبكة العربية للحقوق الرقمية",
            body="نرفق ورقة موقف الشبكة، وهي تشرح مقترحاتنا بالتفصيل.",
            actor_type="civil_society", country="LB", consent_processing=True,
            consent_publication=True))
        attachments.attach(session, submission, [
            checked("ورقة موقف الشبكة العربية.pdf", b"%PDF-1.7 paper" * 5000, text=PAPER,
                    pages=4, language="ar"),
            checked("annex-signatories.docx", b"PK\x03\x04 signatories", kind="docx",
                    text="List of the 40 member organisations and their contact persons.",
                    language="en")])
        session.commit()
        rounds.close_now(session, round_, by=admin)
        session.commit()
        return {"submission": submission.id,
                "paper": submission.attachments[0].id}


def _shoot(page, name: str, screenshots: Path) -> None:
    """The whole page, and the files' section alone (readable at its own size)."""
    folders = [screenshots]
    if os.environ.get("SHOTS_DIR"):
        folders.append(Path(os.environ["SHOTS_DIR"]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        page.locator("#attachments").screenshot(path=str(folder / f"{name}-files.png"))


@pytest.mark.parametrize(("lang", "width"), [("ar", 360), ("en", 1280)])
def test_review_page_reads_the_paper_with_the_term_marked(new_context, paper_view, screenshots,
                                                          lang, width):
    context = with_axe(new_context(viewport={"width": width, "height": 900}))
    page = context.new_page()
    sign_in(page, lang, new_account("moderator"))
    visit(page, f"/{lang}/moderate/submissions/{paper_view['submission']}?q={quote(TERM)}"
                "&status=pending")
    paper = page.locator(f"#attachment-{paper_view['paper']}")
    details = paper.locator("details.attachment-text")
    assert details.get_attribute("open") is not None  # opened: the search matched in it
    marks = paper.locator("mark")
    assert marks.count() == 2 and marks.first.inner_text() == TERM
    text = paper.locator(".user-text")
    assert text.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_problems(page, f"review {lang}") == []
    paper.scroll_into_view_if_needed()
    _shoot(page, f"review-attachment-{lang}-{width}", screenshots)


def test_marking_public_works_without_javascript(new_context, paper_view):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, "en", new_account("moderator"))
    visit(page, f"/en/moderate/submissions/{paper_view['submission']}")
    paper = page.locator(f"#attachment-{paper_view['paper']}")
    assert paper.locator(".badge-withheld").count() == 1
    send(page, paper.get_by_role("button", name="Mark public"))
    assert page.url.endswith(f"#attachment-{paper_view['paper']}")
    assert page.locator(f"#attachment-{paper_view['paper']} .badge-public").count() == 1
    db.session.remove()
    assert db.session.get(Attachment, paper_view["paper"]).public is True
