"""The strategy's pages in a real browser (issue #20): the current version and the
comparison of two versions, in Arabic, Chinese and English, at 360 and 1280 px: no
sideways scrolling, right to left in Arabic, the redline and its explanation readable,
axe-core clean, no JavaScript needed. Screenshots go to test-artifacts/screenshots."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import db
from app.models import StrategyEdition
from app.services.review import moderation, tagging
from app.services.strategy import editions
from tests import factories
from tests.browser.conftest import use_live_database
from tests.browser.test_staff_browser import axe_problems, visit, with_axe
from tests.helpers import make_user

pytestmark = pytest.mark.browser

P2 = "principles.p2"
LABEL = "2027"
TEXTS = {
    "ar": "يجب أن نوفر منصة مفتوحة تتيح للحكومات والشباب والمجتمع المدني بشتى أجياله إجراء "
          "اختيارات جماعية بشأن التكنولوجيات الجديدة.",
    "zh": "我们必须为各国政府、青年和世世代代的民间社会提供一个开放平台，"
          "以便就新技术作出集体选择。",
    "en": "We must provide an open platform for governments, young people and civil society "
          "across generations to make collective choices about new technologies.",
}
EXPLAIN = {
    "ar": "طلب المشاركون في الجولة أن يُذكر الشباب صراحة وأن تكون المنصة مفتوحة.",
    "zh": "本轮参与者要求明确提及青年，并要求平台保持开放。",
    "en": "Contributors asked that young people be named and that the platform be open.",
}


@pytest.fixture(scope="module")
def revised(live_server) -> str:
    use_live_database(live_server)
    return seed(live_server.app)


def seed(app) -> str:
    """A second published version (once per database): P2 revised with two views about it
    (Arabic and Chinese), C4 removed, a paragraph added."""
    with app.app_context():
        session = db.session
        if session.scalar(select(StrategyEdition.id).where(StrategyEdition.label == LABEL)):
            return LABEL
        moderator = make_user(session, "moderator", "strategy-browser-mod@example.org")
        round_ = factories.make_round(session)
        references = []
        for language, title, body in (("ar", "الشباب أولا", "نريد أن تذكر الاستراتيجية الشباب."),
                                      ("zh", "青年", "战略应当明确提到青年。")):
            view, _token = factories.make_submission(
                session, round_, language=language, title=title, body=body, paragraph=P2)
            moderation.decide(session, view, by=moderator, action="approve",
                              version=view.version,
                              tags=tagging.TagInput(principles=["P2"]))
            session.commit()
            references.append(view.reference)
        draft = editions.start_draft(session, label=LABEL, issued="2027-09", by=None)
        p2 = editions.paragraph_of(draft, P2)
        editions.save_paragraph(session, draft, P2, editions.ParagraphEdit(
            section=p2.section, code=p2.code, title=p2.title, text={**p2.text, **TEXTS},
            explanation=EXPLAIN, codes="P2", views=" ".join(references)), by=None)
        editions.remove_paragraph(session, draft, "commitments.c4", by=None)
        editions.save_paragraph(session, draft, "commitments.c4", editions.ParagraphEdit(
            explanation={"en": "Merged into C3.", "ar": "دُمجت في الالتزام الثالث.",
                         "zh": "并入承诺3。"}), by=None)
        editions.add_paragraph(session, draft, key="principles.p6", section="principles",
                               text={"en": "Listen to young people.",
                                     "ar": "الإصغاء إلى الشباب.", "zh": "倾听青年的声音。"},
                               by=None)
        editions.publish(session, draft, by=None, link_for=lambda e, lang: "")
        session.commit()
        return LABEL


@pytest.mark.parametrize("lang", ["ar", "zh", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_strategy_and_compare_pages(new_context, revised, screenshots, lang, width):
    # No JavaScript: everything the pages offer is in the HTML.
    context = with_axe(new_context(viewport={"width": width, "height": 800},
                                   java_script_enabled=True))
    page = context.new_page()
    problems: list[str] = []
    for name, path in (("strategy", f"/{lang}/strategy"),
                       ("compare", f"/{lang}/strategy/compare/2018/{revised}")):
        visit(page, path)
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        page.screenshot(path=str(screenshots / f"strategy-{name}-{lang}-{width}.png"),
                        full_page=True)
        problems += axe_problems(page, f"{lang} {name} at {width} px")
    row = page.locator(f"article[id='{P2}']")
    assert row.locator("del").count() >= 1 and row.locator("ins").count() >= 1
    assert EXPLAIN[lang] in row.inner_text()
    assert row.locator("a[href*='/contributions/']").count() == 2
    assert page.locator("article[id='commitments.c4'] del").count() == 1
    assert page.locator("article[id='principles.p6'] ins").count() == 1
    if lang == "ar":
        assert row.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert problems == []


def test_the_pages_work_without_javascript(new_context, revised):
    page = new_context(java_script_enabled=False).new_page()
    visit(page, f"/ar/strategy/compare/2018/{revised}")
    page.locator("a[href='?all=1']").click()
    page.wait_for_load_state()
    assert page.locator("article[id='principles.p1']").count() == 1
    visit(page, "/ar/strategy")
    page.locator(f"article[id='{P2}'] a.comment-link").click()
    page.wait_for_load_state()
    assert f"paragraph={P2}" in page.url
    assert page.locator("#paragraph").input_value() == P2


def test_the_form_about_a_paragraph_and_the_revision_pages_pass_axe(new_context, revised,
                                                                   live_server):
    from tests.browser.test_staff_browser import new_account, sign_in

    use_live_database(live_server)
    with live_server.app.app_context():
        if not db.session.scalar(select(StrategyEdition.id).where(
                StrategyEdition.label == "2028")):
            draft = editions.start_draft(db.session, label="2028", issued=None, by=None)
            editions.remove_paragraph(db.session, draft, "principles.p6", by=None)
            db.session.commit()
    problems: list[str] = []
    page = with_axe(new_context(viewport={"width": 360, "height": 800})).new_page()
    visit(page, f"/ar/submit?paragraph={P2}")
    assert page.locator("#paragraph").input_value() == P2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    problems += axe_problems(page, "ar submit about P2")
    staff = with_axe(new_context(viewport={"width": 1280, "height": 900})).new_page()
    sign_in(staff, "ar", new_account("reference"))
    for path in ("/ar/revision/", f"/ar/revision/{revised}", "/ar/revision/2028",
                 f"/ar/revision/2028/paragraphs/{P2}", "/ar/revision/2028/changes",
                 "/ar/revision/2028/paragraphs/principles.p6"):
        visit(staff, path)
        problems += axe_problems(staff, path)
    assert problems == []
