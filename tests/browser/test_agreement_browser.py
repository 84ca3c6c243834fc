"""The double-coding pages in a real browser: axe-core on each, in English and Arabic.

Seeded once for the module in a round of its own (closed at once, so the public pages do
not change): one submission waiting for a second coding, one in reconciliation.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app.db import db, utcnow
from app.services.contributions import intake
from app.services.platform import rounds
from app.services.review import agreement, moderation, tagging
from tests.browser.conftest import use_live_database
from tests.browser.test_staff_browser import axe_problems, new_account, sign_in, visit, with_axe
from tests.helpers import make_user

pytestmark = pytest.mark.browser


@dataclass
class Seeded:
    awaiting: int
    disagreed: int


@pytest.fixture(scope="module")
def coded(live_server) -> Seeded:
    use_live_database(live_server)
    with live_server.app.app_context():
        session = db.session
        admin = make_user(session, "admin", "coding-admin@example.org")
        first = make_user(session, "moderator", "coding-first@example.org")
        second = make_user(session, "moderator", "coding-second@example.org")
        now = utcnow()
        round_ = rounds.create_round(
            session, title={"en": "Coder agreement", "ar": "اتفاق المرمّزين"},
            description={"en": "Double coding."}, questions=[{"en": "What should change?"}],
            opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(days=1))
        session.commit()
        agreement.set_share(session, round_, 100, by=admin)
        ids = []
        for language, title, body in (
                ("ar", "الاتصال أولا", "نحتاج إلى إنترنت ميسور التكلفة في المدارس."),
                ("en", "Skills first", "Train people before buying new systems.")):
            submission, _token = intake.submit(session, intake.SubmissionInput(
                round_id=round_.id, language=language, title=title,
                body=body, actor_type="youth", country="EG", consent_processing=True))
            moderation.decide(session, submission, by=first, action="approve",
                              version=submission.version,
                              tags=tagging.TagInput(principles=["P2"], commitments=["C1"]))
            session.commit()
            ids.append(submission.id)
        agreement.second_code(session, agreement.get_unit(session, ids[1]), by=second,
                              principles=["P3"], commitments=[])
        rounds.close_now(session, round_, by=admin)
        session.commit()
        return Seeded(awaiting=ids[0], disagreed=ids[1])


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_double_coding_pages_pass_axe(new_context, coded, lang):
    problems: list[str] = []
    page = with_axe(new_context()).new_page()
    sign_in(page, lang, new_account("admin"))
    for label, url in (
            ("second-coding queue", f"/{lang}/moderate/second-coding"),
            ("second coding", f"/{lang}/moderate/second-coding/{coded.awaiting}"),
            ("reconciliation queue", f"/{lang}/moderate/reconcile"),
            ("reconciliation", f"/{lang}/moderate/reconcile/{coded.disagreed}"),
            ("double-coding share", f"/{lang}/admin/double-coding"),
            ("dashboard", f"/{lang}/reports/")):
        visit(page, url)
        assert page.locator("html").get_attribute("lang") == lang, label
        problems.extend(axe_problems(page, f"{lang} {label}"))
    assert problems == [], "\n".join(problems)
