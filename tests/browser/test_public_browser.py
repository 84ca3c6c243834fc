"""The public pages in a real browser: six languages, accessibility and low bandwidth.

Each test sends its own view through the real form, so the tests do not depend on each
other's data and can run in any order.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}")
PAGE_WEIGHT_LIMIT = 60_000

# Typed text with what tends to break: mixed directions, digits, punctuation that HTML
# escapes, an emoji with a skin tone and a zero-width joiner, and several lines.
VIEWS = {
    "ar": {
        "title": "الاتصال أولا: 5G و AI في القرى",
        "answer": "أرى أن الأمم المتحدة يجب أن تستثمر في ربط القرى بالإنترنت \"بأسعار معقولة\".\n"
                  "سطر ثانٍ: 3 < 4 & 'UNU' 👩🏽‍💻؟",
    },
    "zh": {
        "title": "先连通，再谈数字化：农村的 5G 与 AI",
        "answer": "联合国应当投资于农村的互联网接入，让“数字工具”真正到达每个村庄。\n"
                  "第二行：3 < 4 & 'UNU' 👩🏽‍💻。",
    },
    "en": {
        "title": "Connectivity first",
        "answer": "Without affordable internet, the UN's digital tools do not reach my village.\n"
                  "Second line: 3 < 4 & \"quotes\".",
    },
}


def visit(page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.status == status, f"{url}: {response.status}"


def fill_view(page, lang: str, *, title: str | None = None, answer: str | None = None,
              actor_type: str = "youth", country: str = "EG") -> None:
    """Fill the submission form on the current page as a person would."""
    view = VIEWS[lang]
    page.locator("#title").fill(title if title is not None else view["title"])
    page.locator("textarea[name^='answer_']").first.fill(
        answer if answer is not None else view["answer"])
    page.locator("#actor_type").select_option(actor_type)
    page.locator("#country").select_option(country)
    page.locator("#consent_processing").check()


def submit_view(page, lang: str, **fields: str) -> str:
    """Send a view from /<lang>/submit; return the private link shown on the receipt."""
    visit(page, f"/{lang}/submit")
    fill_view(page, lang, **fields)
    page.locator("form button[type='submit']").click()
    page.wait_for_url(re.compile(rf"/{lang}/manage/[^/]+\?new=1$"))
    return page.locator(".private-url a").get_attribute("href")


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_submit_a_view_and_read_it_back_byte_for_byte(page, new_context, base_url, lang):
    view = VIEWS[lang]
    private_link = submit_view(page, lang)

    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator(".notice-success").count() == 1
    reference = page.locator(".reference").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    assert private_link.startswith(f"{base_url}/{lang}/manage/")

    # The private link alone is enough: open it in a browser with no cookies at all.
    reader = new_context().new_page()
    visit(reader, private_link)
    assert reader.locator(".reference").inner_text().strip() == reference
    title = reader.locator("h3.user-text")
    assert title.text_content().encode("utf-8") == view["title"].encode("utf-8")
    assert title.get_attribute("lang") == lang
    assert title.get_attribute("dir") == "auto"
    # The browser sends textarea line breaks as CRLF; the view keeps them as LF.
    answer = reader.locator("p.user-text").first.text_content()
    assert answer.encode("utf-8") == view["answer"].encode("utf-8")
    assert reader.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")


def test_receipt_lets_the_author_correct_download_and_erase(page, new_context, tmp_path):
    private_link = submit_view(page, "en")
    reference = page.locator(".reference").inner_text().strip()

    visit(page, private_link)
    page.locator(".actions a[href$='/edit']").click()
    page.wait_for_url(re.compile(r"/en/manage/[^/]+/edit$"))
    assert page.locator("#title").input_value() == VIEWS["en"]["title"]
    assert page.locator("textarea[name^='answer_']").first.input_value() == VIEWS["en"]["answer"]
    corrected = "Connectivity first, then everything else"
    page.locator("#title").fill(corrected)
    page.locator("form button[type='submit']").click()
    page.wait_for_url(private_link)
    assert page.locator(".notice-success").count() == 1
    assert page.locator("h3.user-text").text_content() == corrected

    with page.expect_download() as info:
        page.locator(".actions a[href$='/copy.json']").click()
    download = info.value
    assert download.suggested_filename == f"submission-{reference}.json"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    copy = json.loads(path.read_text(encoding="utf-8"))
    assert copy["reference"] == reference
    assert copy["title"] == corrected
    assert copy["answers"][0]["text"] == VIEWS["en"]["answer"]
    assert copy["erased_at"] is None

    page.locator(".actions a[href$='/erase']").click()
    page.wait_for_url(re.compile(r"/en/manage/[^/]+/erase$"))
    page.locator("#confirm").check()
    page.locator("form button[type='submit']").click()
    page.wait_for_url(private_link)
    assert page.locator(".notice-success").count() == 1
    assert page.locator(".user-text").count() == 0
    assert "Connectivity first" not in page.content()

    reader = new_context().new_page()
    visit(reader, private_link)
    assert reader.locator(".reference").inner_text().strip() == reference
    assert reader.locator(".user-text").count() == 0
    assert reader.locator(".actions").count() == 0


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_errors_are_announced_reachable_and_tied_to_their_fields(page, lang):
    visit(page, f"/{lang}/submit")
    page.locator("form button[type='submit']").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert"
    targets = [link.get_attribute("href") for link in summary.locator("a").all()]
    # The empty form misses at least a title, a view, an actor type, a country and consent.
    assert {"#title", "#actor_type", "#country", "#consent_processing"} <= set(targets)

    # Every link is reachable with the keyboard alone, in order, from the top of the page.
    reached: list[str] = []
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href')")
        if href in targets and href not in reached:
            reached.append(href)
        if len(reached) == len(targets):
            break
    assert reached == targets

    for href in targets:
        field = page.locator(f"[id='{href[1:]}']")
        assert field.count() == 1, href
        # Following the link with the keyboard takes the reader to the field.
        summary.locator(f"a[href='{href}']").focus()
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == href
        expect(field).to_be_in_viewport()

        # The field is marked invalid and described by its own error message, which the
        # summary repeats after the field's name.
        assert field.get_attribute("aria-invalid") == "true", href
        described = (field.get_attribute("aria-describedby") or "").split()
        assert f"{href[1:]}-error" in described, (href, described)
        error = page.locator(f"[id='{href[1:]}-error']")
        expect(error).to_be_visible()
        messages = error.evaluate(
            "e => [...e.children].map(s => s.lastChild.textContent.trim())")
        assert messages and all(messages), href
        expect(field).to_have_accessible_description(re.compile(re.escape(messages[0])))
        link_text = summary.locator(f"a[href='{href}']").inner_text().strip()
        assert any(link_text.endswith(message) for message in messages), (link_text, messages)

    # And no field is marked invalid without a message that says why.
    for field in page.locator("[aria-invalid='true']").all():
        ident = field.get_attribute("id")
        assert f"#{ident}" in targets
        assert f"{ident}-error" in (field.get_attribute("aria-describedby") or "").split()


def test_submitting_works_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    private_link = submit_view(page, "en", title="Sent without JavaScript")
    assert REFERENCE.fullmatch(page.locator(".reference").inner_text().strip())
    visit(page, private_link)
    assert page.locator("h3.user-text").text_content() == "Sent without JavaScript"
    # And a refused submission keeps what was typed.
    visit(page, "/en/submit")
    page.locator("#title").fill("Only a title")
    page.locator("form button[type='submit']").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#title").input_value() == "Only a title"


def axe_problems(page, label: str) -> list[str]:
    """axe-core's violations on the page as it is now (all rules of its default set)."""
    results = Axe().run(page)
    if not results.violations_count:
        return []
    return [f"{label} ({page.url}): {results.generate_report()}"]


def send_form(page, status: int = 200) -> None:
    with page.expect_navigation() as navigation:
        page.locator("form button[type='submit']").click()
    assert navigation.value.status == status, page.url


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_public_page_passes_axe(page, lang):
    problems: list[str] = []
    for path, status in ((f"/{lang}/", 200), (f"/{lang}/submit", 200),
                         (f"/{lang}/privacy", 200), (f"/{lang}/no-such-page", 404)):
        visit(page, path, status)
        problems += axe_problems(page, path)

    visit(page, f"/{lang}/submit")
    send_form(page, 422)
    expect(page.locator("#error-summary")).to_be_visible()
    problems += axe_problems(page, "submit with errors")
    page.locator("details.group > summary").click()
    problems += axe_problems(page, "submit with errors, optional topics open")

    private_link = submit_view(page, lang)
    problems += axe_problems(page, "new receipt")
    visit(page, private_link + "/edit")
    problems += axe_problems(page, "edit")
    visit(page, private_link + "/erase")
    problems += axe_problems(page, "erase")
    send_form(page, 422)
    problems += axe_problems(page, "erase without confirming")
    page.locator("#confirm").check()
    send_form(page)
    assert page.url == private_link
    problems += axe_problems(page, "erased receipt")
    assert not problems, "\n".join(problems)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_screenshots_at_phone_and_desktop_widths(page, screenshots, lang):
    private_link = submit_view(page, lang)
    pages = {"home": f"/{lang}/", "submit": f"/{lang}/submit", "receipt": private_link}
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for name, url in pages.items():
            visit(page, url)
            assert no_horizontal_overflow(page), f"{name} overflows at {width}px in {lang}"
            page.screenshot(path=screenshots / f"{name}-{lang}-{width}.png", full_page=True)

    # Mirrored in Arabic: the header starts on the right and the languages run leftwards.
    page.set_viewport_size({"width": 1280, "height": 800})
    visit(page, f"/{lang}/")
    edges = page.evaluate("""() => {
        const box = e => document.querySelector(e).getBoundingClientRect();
        const items = document.querySelectorAll('.languages li');
        return {wrap: box('.site-header .wrap'), brand: box('.brand'),
                first: items[0].getBoundingClientRect().x,
                last: items[items.length - 1].getBoundingClientRect().x};
    }""")
    wrap, brand = edges["wrap"], edges["brand"]
    near_start, near_end = ("right", "left") if lang == "ar" else ("left", "right")
    assert abs(brand[near_start] - wrap[near_start]) < wrap["width"] / 10
    assert abs(brand[near_end] - wrap[near_end]) > wrap["width"] / 10
    assert (edges["first"] > edges["last"]) == (lang == "ar")


@pytest.mark.parametrize("lang", ["ar", "zh", "en", "fr", "ru", "es"])
def test_submission_page_is_light_and_self_hosted(new_context, base_url, lang):
    page = new_context().new_page()  # a cold cache, as on a first visit
    requests = []
    page.on("request", lambda request: requests.append(request))
    visit(page, f"/{lang}/submit")
    page.wait_for_load_state("load")

    origin = urlsplit(base_url)
    assert all(urlsplit(r.url)[:2] == origin[:2] for r in requests), [r.url for r in requests]
    total = 0
    for request in requests:
        response = request.response()
        assert response is not None and response.ok, request.url
        # What went over the wire: the body as sent, compressed.
        total += request.sizes()["responseBodySize"]
        if len(response.body()) > 1000:
            assert response.header_value("content-encoding") in ("zstd", "br", "gzip"), \
                request.url
    assert {urlsplit(r.url).path for r in requests} >= {f"/{lang}/submit", "/static/css/site.css"}
    assert total < PAGE_WEIGHT_LIMIT, f"/{lang}/submit weighs {total} bytes"
    report = ARTIFACTS / f"page-weight-{lang}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps({"page": f"/{lang}/submit", "bytes": total,
                                  "requests": [r.url for r in requests]}, indent=2))


def test_unknown_page_is_a_404_in_the_language_of_its_prefix(page):
    visit(page, "/en/no-such-page", 404)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Page not found"
    # The browser asks for English; the /ar/ prefix wins.
    visit(page, "/ar/no-such-page", 404)
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    visit(page, "/de/submit", 404)


def publish_a_view(lang: str) -> tuple[int, str]:
    """A round of its own with one published, redacted view (issue #9 pages to check)."""
    import datetime as dt
    import uuid

    from app.db import db, utcnow
    from app.services.accounts import users as users_service
    from app.services.contributions import intake
    from app.services.platform import rounds
    from app.services.review import moderation, tagging

    session = db.session
    now = utcnow()
    round_ = rounds.create_round(
        session, title={"en": "Published views round", "ar": "جولة الآراء المنشورة"},
        description={"en": "Views that their authors published.", "ar": "آراء نشرها أصحابها."},
        questions=[{"en": "What should change?", "ar": "ما الذي ينبغي أن يتغير؟"}],
        opens_at=now - dt.timedelta(days=2), closes_at=now + dt.timedelta(days=2))
    moderator = users_service.create_user(
        session, f"axe-moderator-{lang}-{uuid.uuid4().hex[:8]}@example.org",
        "correct horse battery staple 42", "moderator")
    submission, _token = intake.submit(session, intake.SubmissionInput(
        round_id=round_.id, language=lang, title=VIEWS[lang]["title"],
        body=VIEWS[lang]["answer"], actor_type="youth", country="EG",
        principles=["P2"], email="axe@example.org", consent_processing=True,
        consent_publication=True))
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version,
                      tags=tagging.TagInput(principles=["P2"], technologies=["T15"]),
                      redacted_text="A redacted version of the view, 3 < 4 & 'UNU'.")
    session.commit()
    return round_.id, submission.reference


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_round_pages_pass_axe(page, lang):
    round_id, reference = publish_a_view(lang)
    base = f"/{lang}/rounds/{round_id}"
    problems: list[str] = []
    for path, status in ((f"/{lang}/rounds", 200), (base, 200), (f"{base}?principle=P2", 200),
                         (f"{base}?principle=P9", 400), (f"{base}/moderation", 200),
                         (f"{base}/open-data", 200), (f"/{lang}/contributions/{reference}", 200),
                         (f"/{lang}/contributions/NOPE-NOPE", 404)):
        visit(page, path, status)
        problems += axe_problems(page, path)
    visit(page, base)
    assert page.locator(f"a[href='/{lang}/contributions/{reference}']").count() == 1
    assert "axe@example.org" not in page.content()
    assert not problems, "\n".join(problems)
