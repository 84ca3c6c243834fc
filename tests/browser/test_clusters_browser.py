"""The campaign pages in a real browser: axe-core on each, in English and Arabic."""
from __future__ import annotations

import datetime as dt

import pytest

from app.db import db, utcnow
from app.services.contributions import intake
from app.services.platform import rounds
from tests.browser.conftest import use_live_database
from tests.browser.test_staff_browser import axe_problems, new_account, sign_in, visit, with_axe
from tests.helpers import make_user

pytestmark = pytest.mark.browser

TEXT = ("نطالب الأمم المتحدة بضمان اتصال ميسور التكلفة لكل شاب بحلول عام 2030. "
        "أشركوا الشباب في كل قرار بشأن التكنولوجيا الرقمية. اسمي {name}.")


@pytest.fixture(scope="module")
def campaign(live_server) -> dict[str, int]:
    use_live_database(live_server)
    with live_server.app.app_context():
        session = db.session
        admin = make_user(session, "admin", "campaign-admin@example.org")
        now = utcnow()
        round_ = rounds.create_round(
            session, title={"en": "Campaigns", "ar": "الحملات"},
            description={"en": "Folding."}, questions=[{"en": "What should change?"}],
            opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(days=1))
        session.commit()
        ids = []
        for name in ("أحمد", "فاطمة", "ليلى"):
            submission, _token = intake.submit(session, intake.SubmissionInput(
                round_id=round_.id, language="ar", title="الاتصال أولا",
                body=TEXT.format(name=name), actor_type="youth", country="EG",
                consent_processing=True))
            session.commit()
            ids.append(submission.id)
        rounds.close_now(session, round_, by=admin)
        session.commit()
        cluster_id = db.session.get(type(submission), ids[0]).cluster_id
        assert cluster_id is not None
        return {"cluster": cluster_id, "member": ids[0]}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_campaign_pages_pass_axe(new_context, campaign, lang):
    problems: list[str] = []
    page = with_axe(new_context()).new_page()
    sign_in(page, lang, new_account("moderator"))
    for label, url in (
            ("campaigns", f"/{lang}/moderate/clusters"),
            ("campaign", f"/{lang}/moderate/clusters/{campaign['cluster']}"),
            ("review of a member", f"/{lang}/moderate/submissions/{campaign['member']}"),
            ("queue", f"/{lang}/moderate?status=all")):
        visit(page, url)
        assert page.locator("html").get_attribute("lang") == lang, label
        problems.extend(axe_problems(page, f"{lang} {label}"))
    assert problems == [], "\n".join(problems)
