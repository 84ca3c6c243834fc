"""Attaching files in a real browser (issue #21): the plain file input works without
JavaScript, the receipt lists the files and lets one be removed, at phone width in Arabic
and desktop width in English."""
from __future__ import annotations

import re

import pytest

from tests import attachment_files as files
from tests.browser.test_public_browser import fill_view, visit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("lang", "width"), [("ar", 360), ("en", 1280)])
def test_a_view_with_files_without_javascript(new_context, screenshots, lang, width):
    page = new_context(java_script_enabled=False,
                       viewport={"width": width, "height": 900}).new_page()
    visit(page, f"/{lang}/submit")
    fill_view(page, lang,
              title=f"ورقة موقف {width}" if lang == "ar" else f"Position paper {width}")
    page.locator("#files").set_input_files([
        {"name": "ورقة موقف.docx" if lang == "ar" else "position-paper.docx",
         "mimeType": "application/octet-stream",
         "buffer": files.docx_file(files.ARABIC, files.CHINESE, "browserite")},
        {"name": "annex.pdf", "mimeType": "application/pdf",
         "buffer": files.pdf_file("Annex on browserite", "Second page")},
    ])
    page.locator("#files").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"attach-form-{lang}-{width}.png", full_page=True)
    page.locator("form button[type='submit']").first.click()
    page.wait_for_url(re.compile(rf"/{lang}/manage/[^/]+\?new=1$"))
    listed = page.locator("ul.attachments li")
    assert listed.count() == 2
    assert "annex.pdf" in listed.nth(1).inner_text()
    page.screenshot(path=screenshots / f"attach-receipt-{lang}-{width}.png", full_page=True)
    # Remove the annex: a plain form button.
    listed.nth(1).locator("button").click()
    page.wait_for_load_state()
    assert page.locator("ul.attachments li").count() == 1
    assert page.locator(".notice-success").first.is_visible()


def test_a_refused_file_is_explained_next_to_the_input(new_context):
    page = new_context(java_script_enabled=False).new_page()
    visit(page, "/en/submit")
    fill_view(page, "en", title="With a renamed page")
    page.locator("#files").set_input_files([
        {"name": "paper.pdf", "mimeType": "application/pdf", "buffer": files.HTML_PAGE}])
    page.locator("form button[type='submit']").first.click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert "“paper.pdf” is not a PDF, Word" in page.locator("#files-error").inner_text()
    assert page.locator("#files").get_attribute("aria-invalid") == "true"
    assert page.locator("#title").input_value() == "With a renamed page"
