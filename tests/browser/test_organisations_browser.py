"""The organisation fields of the submit form in a real browser (issue #21): shown only when
relevant with JavaScript, all there without it; and the dashboard's count of organisations.
Screenshots go to test-artifacts/screenshots (and SHOTS_DIR when set)."""
from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from app.db import db
from app.models import Round
from app.services.contributions import intake
from app.services.review import moderation
from app.services.review.tagging import TagInput
from tests.browser.test_staff_browser import send, sign_in, visit
from tests.helpers import make_user

_accounts = itertools.count(1)


def keep(screenshots: Path, name: str) -> Path:
    path = screenshots / name
    if os.environ.get("SHOTS_DIR"):
        Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(os.environ["SHOTS_DIR"]) / name)
    return path


def fill_view(page) -> None:
    page.locator("#title").fill("Connectivity first")
    page.locator("#body").fill("Affordable internet comes before any digital service.")
    page.locator("#country").select_option("SN")
    page.locator("#consent_processing").check()
    page.locator("#consent_publication").check()


def test_the_fields_follow_the_actor_type_and_the_box(new_context, screenshots):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    visit(page, "/en/submit")
    block, details = page.locator("#organisation-block"), page.locator("#organisation-details")
    expect(block).to_be_visible()
    expect(details).to_be_hidden()  # folded until the box is ticked
    page.locator("#actor_type").select_option("individual")
    expect(block).to_be_hidden()  # not for an individual
    page.locator("#actor_type").select_option("civil_society")
    page.locator("#on_behalf_of_organisation").check()
    expect(details).to_be_visible()
    page.locator("#organisation_name").fill("Réseau Sahel Numérique")
    page.locator("#organisation_website").fill("reseau-sahel.example.org")
    page.locator("#publish_organisation").check()
    fill_view(page)
    page.locator("fieldset.group", has=page.locator("#actor_type")).screenshot(
        path=screenshots / "organisation-form-en-1280.png")
    keep(screenshots, "organisation-form-en-1280.png")
    send(page, page.locator("form button[type='submit']"))
    assert "/manage/" in page.url
    receipt = page.locator("main").inner_text()
    assert "Réseau Sahel Numérique" in receipt and "https://reseau-sahel.example.org" in receipt


def test_arabic_phone_errors_keep_the_fields_in_sight(new_context, screenshots):
    page = new_context(viewport={"width": 360, "height": 800}, is_mobile=True,
                       locale="ar").new_page()
    visit(page, "/ar/submit")
    page.locator("#actor_type").select_option("civil_society")
    page.locator("#on_behalf_of_organisation").check()
    page.locator("#organisation_name").fill("الشبكة العربية للحقوق الرقمية")
    page.locator("#organisation_website").fill("javascript:alert(1)")
    fill_view(page)
    send(page, page.locator("form button[type='submit']"), status=422)
    expect(page.locator("#organisation-details")).to_be_visible()
    error = page.locator("#organisation_website-error")
    expect(error).to_contain_text("https://")
    page.locator("fieldset.group", has=page.locator("#actor_type")).screenshot(
        path=screenshots / "organisation-form-ar-360.png")
    keep(screenshots, "organisation-form-ar-360.png")
    box = page.locator("#organisation_name").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360


def test_without_javascript_every_field_is_there(new_context):
    page = new_context(java_script_enabled=False).new_page()
    visit(page, "/en/submit")
    expect(page.locator("#organisation-details")).to_be_visible()
    page.locator("#actor_type").select_option("academia")
    page.locator("#on_behalf_of_organisation").check()
    page.locator("#organisation_name").fill("Université de Dakar")
    fill_view(page)
    send(page, page.locator("form button[type='submit']"))
    assert "Université de Dakar" in page.locator("main").inner_text()


def test_the_dashboard_counts_organisations(new_context, screenshots, live_server):
    with live_server.app.app_context():
        session = db.session
        admin = make_user(session, "admin", f"org-admin-{next(_accounts)}@example.org")
        reference = make_user(session, "reference", f"org-ref-{next(_accounts)}@example.org")
        round_ = session.scalars(select(Round)).first()
        for name, actor, country in [("UNESCO", "un_entity", "KE"), (" unesco", "un_entity", "FR"),
                                     ("Internet Society", "technical_community", "BR"),
                                     ("ACME Robotics", "private_sector", "DE"),
                                     ("Red Andina", "civil_society", "PE"),
                                     ("Ministère du numérique", "government", "SN")]:
            submission, _token = intake.submit(session, intake.SubmissionInput(
                round_id=round_.id, language="en", title=f"View of {name}",
                body="Affordable internet first.", actor_type=actor, country=country,
                consent_processing=True, on_behalf_of_organisation=True,
                organisation_name=name))
            moderation.decide(session, submission, by=admin, action="approve",
                              version=submission.version, tags=TagInput(principles=["P2"]))
            session.commit()
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, "en", reference)
    visit(page, "/en/reports/")
    section = page.locator("section", has=page.locator("#organisations"))
    expect(section).to_contain_text("Distinct organisations")
    assert int(page.locator("#organisations-table tfoot td").last.inner_text()) >= 5
    section.screenshot(path=screenshots / "organisation-dashboard-en-1280.png")
    keep(screenshots, "organisation-dashboard-en-1280.png")
    # The same table in Arabic on a phone: it scrolls inside its own box, the page does not.
    page.set_viewport_size({"width": 360, "height": 800})
    visit(page, "/ar/reports/")
    section = page.locator("section", has=page.locator("#organisations"))
    expect(section).to_contain_text("المنظمات حسب صفة المرسِل والمنطقة")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    section.screenshot(path=screenshots / "organisation-dashboard-ar-360.png")
    keep(screenshots, "organisation-dashboard-ar-360.png")
