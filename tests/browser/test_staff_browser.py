"""The staff pages in a real browser: sign-in with a second factor, a moderator's decision
made with the keyboard alone, axe-core on every staff page in English and Arabic, and
screenshots at phone and desktop widths.

The data is seeded once for the module through the services, in a round of its own that
is closed at once (so the public pages, which offer the open round, do not change). Every
sign-in uses a fresh account: a TOTP code is accepted once, and two sign-ins of one account
within 30 seconds would share a code.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.base import AXE_SCRIPT, AxeResults
from playwright.sync_api import expect
from sqlalchemy import select

from app.db import db, utcnow
from app.models import ItemKind, Status, Submission, TagSource, TaxonomyItem, User
from app.services.contributions import intake
from app.services.platform import rounds
from app.services.review import moderation
from app.services.review.tagging import TagInput
from tests.browser.conftest import use_live_database
from tests.helpers import PASSWORD, make_user, totp_now

pytestmark = pytest.mark.browser

EMAIL = "amal.haddad@example.org"
PHONE = "+20 100 123 4567"
# Views waiting for review, by language: (title, answer, actor type, country). The Arabic
# one carries personal data to mark; the English pair is for the keyboard test, which
# approves the first and moves on to the second.
PENDING = {
    "ar": ("الاتصال أولا في القرى", "أرى أن الأمم المتحدة يجب أن تربط القرى بالإنترنت. "
           f"راسلوني على {EMAIL} أو اتصلوا على {PHONE}.", "civil_society", "EG"),
    "zh": ("先连通，再谈数字化", "联合国应当投资于农村的互联网接入，让数字工具真正到达每个村庄。",
           "academia", "CN"),
    "en-1": ("Open data for local councils", "Councils need open data and the skills to "
             "use it; the UN could share what works.", "government", "KE"),
    "en-2": ("Digital identity without exclusion", "Digital identity systems must not leave "
             "out people without papers.", "individual", "BR"),
}
# Approved views, so that the reports have data: (language, title, answer, actor type,
# country, principles, commitments, keywords, highlight).
APPROVED = {
    "ar-ok": ("ar", "الذكاء الاصطناعي في الصحة", "نحتاج إلى قواعد واضحة لاستخدام الذكاء "
              "الاصطناعي في المستشفيات العامة.", "youth", "JO", ["P2"], ["C1"],
              ["الصحة"], "قواعد واضحة لاستخدام الذكاء الاصطناعي"),
    "zh-ok": ("zh", "数据保护", "个人数据必须受到保护，联合国应当以身作则。", "civil_society", "CN",
              ["P1", "P2"], [], ["数据"], "个人数据必须受到保护"),
    "en-ok": ("en", "Skills before tools", "Training people matters more than buying new "
              "systems; the UN should fund digital skills.", "academia", "FR", ["P2"],
              ["C3"], ["skills", "training"], "Training people matters more than buying"),
}


@dataclass
class Seeded:
    round_id: int
    demo_round_id: int
    ids: dict[str, int]
    p2_item_id: int


_accounts = itertools.count(1)


@pytest.fixture(scope="module")
def seeded(live_server) -> Seeded:
    use_live_database(live_server)
    with live_server.app.app_context():
        session = db.session
        admin = make_user(session, "admin", "seed-admin@example.org")
        now = utcnow()
        round_ = rounds.create_round(
            session, title={"en": "Digital public goods", "ar": "المنافع الرقمية العامة",
                            "zh": "数字公共产品"},
            description={"en": "A round for the staff pages.", "ar": "جولة لصفحات الموظفين."},
            questions=[{"en": "What should the UN do?", "ar": "ماذا ينبغي أن تفعل الأمم المتحدة؟",
                        "zh": "联合国应当做什么？"}],
            opens_at=now - dt.timedelta(days=20), closes_at=now + dt.timedelta(days=1))
        session.commit()
        question_id = round_.questions[0].id
        ids: dict[str, int] = {}

        def submit(key: str, lang: str, title: str, answer: str, actor: str, country: str,
                   principles: list[str] | None = None) -> Submission:
            submission, _token = intake.submit(session, intake.SubmissionInput(
                round_id=round_.id, language=lang, title=title, answers={question_id: answer},
                actor_type=actor, country=country, principles=principles or [],
                email=EMAIL if lang == "ar" else None, consent_processing=True,
                consent_publication=True))
            session.commit()
            ids[key] = submission.id
            return submission

        for key, (title, answer, actor, country) in PENDING.items():
            submit(key, key[:2], title, answer, actor, country, ["P2"])
        for key, (lang, title, answer, actor, country, principles, commitments, keywords,
                  highlight) in APPROVED.items():
            submission = submit(key, lang, title, answer, actor, country)
            moderation.decide(session, submission, by=admin, action="approve",
                              version=submission.version,
                              tags=TagInput(principles=principles, commitments=commitments,
                                            keywords=keywords), highlight=highlight)
            session.commit()
        rounds.close_now(session, round_, by=admin)
        session.commit()
        p2 = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "P2"))
        demo = next(r for r in rounds.list_rounds(session) if r.id != round_.id)
        return Seeded(round_.id, demo.id, ids, p2.id)


def visit(page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.status == status, f"{url}: {response.status}"


def send(page, locator, status: int = 200) -> None:
    with page.expect_navigation() as navigation:
        locator.click()
    assert navigation.value.status == status, page.url


def new_account(role: str, *, with_2fa: bool = True) -> User:
    return make_user(db.session, role, f"{role}-{next(_accounts)}@example.org",
                     with_2fa=with_2fa)


def enter_password(page, lang: str, user: User, then: str) -> None:
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    send(page, page.locator("form button[type='submit']"))
    assert page.url.endswith(f"/{lang}/login/{then}"), page.url


def sign_in(page, lang: str, user: User, checks=None) -> None:
    """Password then TOTP through the real pages; `checks(label)` runs on each page."""
    visit(page, f"/{lang}/login")
    if checks:
        checks("login")
    enter_password(page, lang, user, "verify")
    if checks:
        checks("2FA verify")
    page.locator("#code").fill(totp_now(user.totp_secret))
    send(page, page.locator("form button[type='submit']"))
    assert f"/{lang}/login" not in page.url, page.url


def with_axe(context):
    """`context`, with axe-core in each of its pages from the start (sent to the browser
    once, rather than before every check: the script is 570 kB)."""
    context.add_init_script(script=AXE_SCRIPT)
    return context


def axe_problems(page, label: str) -> list[str]:
    """axe-core's violations on the page as it is now (all rules of its default set)."""
    results = AxeResults(page.evaluate("axe.run({resultTypes: ['violations']})"))
    if not results.violations_count:
        return []
    return [f"{label} ({page.url}): {results.generate_report()}"]


def focused(page) -> dict:
    return page.evaluate("""() => {
        const e = document.activeElement;
        const style = getComputedStyle(e);
        return {tag: e.tagName, id: e.id, name: e.getAttribute('name'), value: e.value,
                type: e.type, href: e.getAttribute('href'),
                outline: style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0,
                shadow: style.boxShadow};
    }""")


def tab_to(page, predicate, limit: int = 150) -> dict:
    """Press Tab until the focused element satisfies `predicate`; return it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if predicate(element):
            return element
    raise AssertionError("not reached with Tab")


def visible_focus(element: dict) -> bool:
    return element["outline"] > 0 or element["shadow"] not in ("", "none")


def test_moderator_decides_with_the_keyboard_alone(page, seeded):
    target, following = seeded.ids["en-1"], seeded.ids["en-2"]
    sign_in(page, "en", new_account("moderator"))
    queue = f"/en/moderate?round={seeded.round_id}&language=en"
    visit(page, queue)

    # From the top of the queue, Tab to the submission's link and open it with Enter.
    page.locator("body").focus()
    link = tab_to(page, lambda e: (e["href"] or "").split("?")[0].endswith(
        f"/moderate/submissions/{target}"))
    assert visible_focus(link), link
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(rf"/en/moderate/submissions/{target}\?", page.url), page.url

    # Every control of the decision form shown (some sit in the text column, tied to the
    # form; the note on the reason shows for "other") is reachable with Tab, and shows
    # its focus.
    controls = set(page.locator("#decision-form").evaluate(
        "f => [...f.elements].filter(e => e.matches('input:not([type=hidden]), select, "
        "textarea, button') && !e.disabled && e.checkVisibility())"
        ".map(e => e.id || e.name + ':' + e.value)"))
    assert {"approve-button", "reject-button", "reason", "keywords"} <= controls
    page.locator("body").focus()
    reached, unseen = set(), []
    for _ in range(300):
        page.keyboard.press("Tab")
        element = focused(page)
        key = element["id"] or f"{element['name']}:{element['value']}"
        if key in controls:
            reached.add(key)
            if not visible_focus(element):
                unseen.append(key)
        if reached == controls:
            break
    assert reached == controls, controls - reached
    assert not unseen, f"no visible focus on {unseen}"

    # The shortcut does nothing while typing: "a" in the keywords field is a letter...
    page.locator("body").focus()
    tab_to(page, lambda e: e["id"] == "keywords")
    page.keyboard.type("access")
    expect(page.locator("#keywords")).to_have_value("access")
    assert re.search(rf"/submissions/{target}\?", page.url)
    # ...and works from a checkbox: tick P2 with Space (in the panel, after the text
    # column), then A.
    tab_to(page, lambda e: e["name"] == "principles" and e["value"] == "P2")
    page.keyboard.press("Space")
    expect(page.locator("#decision-form input[name='principles'][value='P2']")).to_be_checked()
    assert focused(page)["type"] == "checkbox"
    with page.expect_navigation() as navigation:
        page.keyboard.press("a")
    # Approved; the form goes on to the next submission of the same filter.
    assert navigation.value.status == 200
    assert re.search(rf"/en/moderate/submissions/{following}\?", page.url), page.url
    expect(page.locator(".notice-success")).to_have_text("Submission approved.")

    db.session.remove()
    decided = db.session.get(Submission, target)
    assert decided.status == Status.APPROVED
    assert decided.tag_codes(TagSource.MODERATOR, ItemKind.PRINCIPLE) == ["P2"]
    assert [k.text for k in decided.keywords] == ["access"]

    # The approved submission says so, and N opens the next one from there.
    visit(page, f"/en/moderate/submissions/{target}?round={seeded.round_id}&language=en")
    expect(page.locator(".meta")).to_contain_text("Accepted")
    assert focused(page)["tag"] == "BODY"
    with page.expect_navigation():
        page.keyboard.press("n")
    assert re.search(rf"/en/moderate/submissions/{following}\?", page.url), page.url
    # R moves to the reason for not publishing.
    page.locator("body").focus()
    page.keyboard.press("r")
    assert focused(page)["id"] == "reason"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_staff_page_passes_axe(new_context, seeded, lang):
    problems: list[str] = []

    def check(label: str) -> None:
        assert page.locator("html").get_attribute("lang") == lang, label
        problems.extend(axe_problems(page, f"{lang} {label}"))

    # A new moderator's first sign-in enrols the second factor, with the key shown.
    page = with_axe(new_context()).new_page()
    newcomer = new_account("moderator", with_2fa=False)
    visit(page, f"/{lang}/login")
    enter_password(page, lang, newcomer, "setup-2fa")
    check("2FA setup")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.locator("#code").fill(totp_now(secret))
    send(page, page.locator("form button[type='submit']"))
    assert re.search(rf"/{lang}/moderate$", page.url), page.url

    page = with_axe(new_context()).new_page()  # signed out: cookies are per context
    admin = new_account("admin")
    sign_in(page, lang, admin, check)

    # The queue with rows, its filters opened; the review page with personal data
    # marked, after a refused decision (no reason given for not publishing).
    visit(page, f"/{lang}/moderate")
    assert page.locator("table.queue tbody tr").count() >= 2
    expect(page.locator("#q")).to_be_hidden()
    page.locator("details.filters > summary").click()
    expect(page.locator("#q")).to_be_visible()
    check("queue, filters open")
    visit(page, f"/{lang}/moderate/submissions/{seeded.ids['ar']}")
    send(page, page.locator("#reject-button"), 422)
    expect(page.locator("#reason-error")).to_be_visible()
    assert page.locator("#reason").get_attribute("aria-invalid") == "true"
    assert page.locator("mark.pii").count() == 2
    check("review, refused decision")

    pages = {
        "account": f"/{lang}/account",
        "admin index": f"/{lang}/admin/",
        "users": f"/{lang}/admin/users",
        "new user": f"/{lang}/admin/users/new",
        "user": f"/{lang}/admin/users/{admin.id}",
        "rounds": f"/{lang}/admin/rounds",
        "new round": f"/{lang}/admin/rounds/new",
        "edit round": f"/{lang}/admin/rounds/{seeded.round_id}",
        "taxonomy": f"/{lang}/admin/taxonomy",
        "taxonomy item": f"/{lang}/admin/taxonomy/{seeded.p2_item_id}",
        "texts": f"/{lang}/admin/texts",
        "edit text": f"/{lang}/admin/texts/home_intro",
        "audit log": f"/{lang}/admin/audit",
        "suggested tags": f"/{lang}/admin/suggestions",
        "reports": f"/{lang}/reports/",
        "summary": f"/{lang}/reports/summary/P2",
        "compare": f"/{lang}/reports/compare?round={seeded.demo_round_id}"
                   f"&round={seeded.round_id}",
    }
    for label, url in pages.items():
        visit(page, url)
        check(label)
    assert not problems, "\n".join(problems)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_staff_screenshots_at_phone_and_desktop_widths(page, seeded, screenshots, lang):
    sign_in(page, lang, new_account("admin"))
    pages = {"queue": f"/{lang}/moderate?round={seeded.round_id}",
             "review": f"/{lang}/moderate/submissions/{seeded.ids['ar']}",
             "reports": f"/{lang}/reports/"}
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for name, url in pages.items():
            visit(page, url)
            assert no_horizontal_overflow(page), f"{name} overflows at {width}px in {lang}"
            page.screenshot(path=screenshots / f"staff-{name}-{lang}-{width}.png",
                            full_page=True)

    # Mirrored in Arabic: the decision panel sits at the end of the line (left in Arabic)...
    visit(page, pages["review"])
    text, panel = box(page, ".review-text"), box(page, ".decision-panel")
    assert (panel["x"] < text["x"]) == (lang == "ar")
    # ...while an email or a phone number still reads left to right, its digits in order.
    for kind in ("email", "phone"):
        assert page.locator(f"mark.pii[data-kind='{kind}']").evaluate(
            "e => getComputedStyle(e).direction") == "ltr"
    digits = page.locator("mark.pii[data-kind='phone']").evaluate("""e => {
        const text = e.lastChild, range = document.createRange(), xs = [];
        for (const group of ['+20', '4567']) {
            const at = text.textContent.indexOf(group);
            range.setStart(text, at); range.setEnd(text, at + group.length);
            xs.push(range.getBoundingClientRect().x);
        }
        return xs;
    }""")
    assert digits[0] < digits[1], digits
