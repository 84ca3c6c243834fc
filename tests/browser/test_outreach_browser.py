"""The pages of "you said, we did" and offline intake in a real browser: axe-core on each,
in English and Arabic (right to left).

Seeded once for the module: a round of its own with one published view, closed, with a
published response (which queues one message), and one import with a bad row.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app.db import db, utcnow
from app.i18n import LANGUAGES
from app.services.contributions import intake, offline_intake
from app.services.platform import rounds
from app.services.publishing import responses
from app.services.review import moderation, tagging
from tests.browser.conftest import use_live_database
from tests.browser.test_staff_browser import axe_problems, new_account, sign_in, visit, with_axe
from tests.helpers import make_user

pytestmark = pytest.mark.browser


@dataclass
class Seeded:
    round_id: int
    import_id: int


@pytest.fixture(scope="module")
def outreach(live_server) -> Seeded:
    use_live_database(live_server)
    with live_server.app.test_request_context("/en/"):
        session = db.session
        moderator = make_user(session, "moderator", "outreach-mod@example.org")
        now = utcnow()
        round_ = rounds.create_round(
            session, title={"en": "Connectivity", "ar": "الاتصال"},
            description={"en": "What should change?"}, questions=[{"en": "What first?"}],
            opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(days=1))
        session.commit()
        submission, _token = intake.submit(session, intake.SubmissionInput(
            round_id=round_.id, language="ar", title="الاتصال أولا",
            body="نحتاج إلى إنترنت ميسور التكلفة.", actor_type="youth", country="EG",
            email="outreach-view@example.org", consent_processing=True,
            consent_publication=True))
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=["P2"]))
        rounds.close_now(session, round_, by=None)
        session.commit()
        response = responses.save_draft(
            session, round_, summary={c: f"Summary {c}" for c in LANGUAGES},
            changes=[responses.ChangeEdit(text={c: f"Change {c}" for c in LANGUAGES},
                                          codes="P2, TH03", references=[submission.reference])],
            by=None)
        responses.publish(session, response, by=None,
                          link_for=lambda lang: f"{live_server.url}/{lang}/rounds/"
                                                f"{round_.id}/response")
        header = ",".join(offline_intake.columns(round_))
        record = offline_intake.import_file(
            session, round_, "w.csv",
            (header + "\n1,sw,Mtandao,Data,,youth,KE,,,,,,,yes,,,\n"
             "2,sw,,,,youth,XX,,,,,,,,,,\n").encode(),
            source="Workshop, Nairobi", channel="workshop")
        session.commit()
        return Seeded(round_id=round_.id, import_id=record.id)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_outreach_pages_pass_axe(new_context, outreach, lang):
    problems: list[str] = []
    page = with_axe(new_context()).new_page()
    for label, url in (("response", f"/{lang}/rounds/{outreach.round_id}/response"),
                       ("paper form", f"/{lang}/rounds/{outreach.round_id}/paper-form")):
        visit(page, url)
        assert page.locator("html").get_attribute("lang") == lang, label
        problems.extend(axe_problems(page, f"{lang} {label}"))
    sign_in(page, lang, new_account("admin"))
    for label, url in (
            ("responses", f"/{lang}/admin/responses"),
            ("response edit", f"/{lang}/admin/rounds/{outreach.round_id}/response"),
            ("outbox", f"/{lang}/admin/outbox"),
            ("intake", f"/{lang}/admin/intake")):
        visit(page, url)
        problems.extend(axe_problems(page, f"{lang} {label}"))
    assert problems == [], "\n".join(problems)
