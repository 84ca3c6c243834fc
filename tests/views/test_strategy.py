"""The strategy's text on the platform (issue #20): public pages, views about a paragraph
(form, API, receipt, review, queue, reports), drafting and publishing in the browser, the
API and the traceability CSV; and the whole loop of the issue's "Done when"."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import select

from app.models import AuditEvent, OutboxMessage, Round, Submission
from app.services.review import moderation, tagging
from app.services.strategy import sample
from tests import factories
from tests.helpers import api_token, bearer, csrf_token, form_post, login, web_form

P2 = "principles.p2"


@pytest.fixture()
def strategy(session, taxonomy):
    edition = sample.ensure_sample(session)
    session.commit()
    return edition


@pytest.fixture()
def moderator(session):
    from tests.helpers import make_user
    return make_user(session, "moderator", "mod-strategy@example.org", with_2fa=False)


def _approve(session, submission, moderator, **tags):
    submission = session.get(Submission, submission.id)
    moderation.decide(session, submission, by=moderator, version=submission.version,
                      action="approve", tags=tagging.TagInput(**tags))
    session.commit()
    return submission


@pytest.mark.parametrize("lang", ["en", "ar", "zh"])
def test_the_current_version_shows_each_paragraph_with_anchor_code_count_and_link(
        client, session, strategy, open_round, moderator, lang):
    view, _token = factories.make_submission(session, open_round, paragraph=P2)
    _approve(session, view, moderator, principles=["P2"])
    html = client.get(f"/{lang}/strategy").get_data(as_text=True)
    assert f'id="{P2}"' in html
    assert '<bdi class="code">P2</bdi>' in html
    assert f'href="/{lang}/submit?paragraph={P2}"' in html
    article = html[html.index(f'id="{P2}"'):html.index('id="principles.p3"')]
    assert {"en": "1 published view about this paragraph",
            "ar": "رأي واحد منشور بشأن هذه الفقرة",
            "zh": "关于本段落的已发布意见：1条"}[lang] in article
    assert f'dir="{"rtl" if lang == "ar" else "ltr"}"' in html
    assert client.get(f"/{lang}/strategy/2018").status_code == 200
    for missing in ("/strategy/1999", "/strategy/compare/2018/1999", "/strategy/compare/x/2018"):
        assert client.get(f"/{lang}{missing}").status_code == 404


def test_drafts_are_not_public(client, session, strategy):
    from app.services.strategy import editions
    editions.start_draft(session, label="2027", issued=None, by=None)
    session.commit()
    assert client.get("/en/strategy/2027").status_code == 404
    assert client.get("/en/strategy/compare/2018/2027").status_code == 404
    assert client.get("/api/v1/strategy/2027").status_code == 404
    assert b"2027" not in client.get("/api/v1/strategy").data


def test_the_form_is_prefilled_and_an_unknown_paragraph_is_a_field_error(
        client, session, strategy, open_round):
    html = client.get(f"/ar/submit?paragraph={P2}").get_data(as_text=True)
    assert re.search(rf'<option (?=[^>]*\bselected\b)[^>]*value="{re.escape(P2)}"', html)
    assert "تشجيع الإدماج والشفافية" in html
    assert client.get("/en/submit?paragraph=nope" + "x" * 300).status_code == 200
    response = form_post(client, "/en/submit", web_form(open_round, paragraph="principles.p9"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This paragraph is not in the current version of the strategy." in page
    assert session.scalar(select(Submission.id)) is None
    response = form_post(client, "/en/submit", web_form(open_round, paragraph=P2))
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Paragraph of the strategy" in receipt and "P2 · Foster inclusion" in receipt
    assert session.scalar(select(Submission.paragraph_key)) == P2


def test_the_api_takes_a_paragraph_and_refuses_an_unknown_one(client, session, strategy,
                                                               open_round):
    round_id = open_round.id  # each refused request rolls back the test's session too
    for bad in ("principles.p9", 7, ["x"], "x" * 100):
        response = client.post("/api/v1/submissions", headers={"Accept-Language": "fr"},
                               json=factories.submission_data(session.get(Round, round_id),
                                                              paragraph=bad))
        assert response.status_code == 422, bad
        assert list(response.get_json()["errors"]) == ["paragraph"]
    response = client.post("/api/v1/submissions",
                           json=factories.submission_data(session.get(Round, round_id),
                                                          paragraph=P2))
    assert response.status_code == 201
    assert session.scalar(select(Submission.paragraph_key)) == P2


def test_review_page_queue_stats_and_dashboard_by_paragraph(client, session, strategy,
                                                            open_round, moderator):
    about, _t = factories.make_submission(session, open_round, paragraph=P2, title="About P2")
    other, _t = factories.make_submission(session, open_round, title="About nothing")
    login(client, session, "admin")
    review = client.get(f"/en/moderate/submissions/{about.id}").get_data(as_text=True)
    assert "Paragraph of the strategy" in review and "P2 · Foster inclusion" in review
    queue = client.get(f"/en/moderate?paragraph={P2}").get_data(as_text=True)
    assert "About P2" in queue and "About nothing" not in queue
    assert re.search(rf'<option (?=[^>]*\bselected\b)[^>]*value="{re.escape(P2)}"', queue)
    for submission in (about, other):
        _approve(session, submission, moderator, principles=["P2"])
    token = api_token(session, "reference", "ref-strategy@example.org")
    stats = client.get("/api/v1/stats?group_by=paragraph", headers=bearer(token)).get_json()
    assert stats["counts"] == {P2: 1} and stats["submissions"] == 2
    stats = client.get(f"/api/v1/stats?group_by=principle&paragraph={P2}",
                       headers=bearer(token)).get_json()
    assert stats["counts"] == {"P2": 1}
    listed = client.get(f"/api/v1/submissions?paragraph={P2}", headers=bearer(token)).get_json()
    assert [item["paragraph"] for item in listed["items"]] == [P2]
    dashboard = client.get("/en/reports/").get_data(as_text=True)
    assert 'id="paragraphs-table"' in dashboard
    assert f"paragraph={P2}" in dashboard
    filtered = client.get(f"/en/reports/?paragraph={P2}").get_data(as_text=True)
    assert re.search(r"Approved submissions matching the filters: <strong>1</strong>", filtered)
    docx = client.get(f"/en/reports/summary/P2.docx?paragraph={P2}")
    assert docx.status_code == 200
    from docx import Document
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert f"Paragraph of the strategy: {P2}" in text


# Drafting and publishing in the browser.

SIX = ("ar", "en", "es", "fr", "ru", "zh")


def _paragraph_post(page_html: str, **changes) -> dict:
    """The paragraph form as the browser would send it, with `changes`."""
    data = {"csrf_token": csrf_token(page_html)}
    for name, value in re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page_html):
        if name not in ("csrf_token", "views", "placeholder"):
            data[name] = value
    for name, text in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>([^<]*)</textarea>',
                                 page_html):
        data[name] = text.replace("&#39;", "'").replace("&amp;", "&")
    for name, value in re.findall(
            r'<select[^>]*name="([a-z_]+)"[^>]*>(?:(?!</select>).)*?'
            r'<option (?=[^>]*\bselected\b)[^>]*value="([^"]*)"', page_html,
            re.S):
        data[name] = value
    data.update(changes)
    return data


def test_roles_and_bad_input_on_the_revision_pages(client, session, strategy):
    assert client.get("/en/revision/").status_code == 302
    login(client, session, "moderator", "mod-rev@example.org")
    assert client.get("/en/revision/").status_code == 403


def test_a_reference_member_drafts_and_an_admin_publishes(app, session, strategy, open_round,
                                                          moderator):
    view, _t = factories.make_submission(session, open_round, paragraph=P2, language="fr",
                                         email="fr@example.org", title="Les jeunes")
    _approve(session, view, moderator, principles=["P2"])
    reference = app.test_client()
    login(reference, session, "reference", "ref-rev@example.org")
    page = reference.get("/en/revision/").get_data(as_text=True)
    assert "Start a copy of version 2018" in page
    for label in ("", "2018", "compare", "a b", "x" * 40):
        response = reference.post("/en/revision/drafts", data={
            "csrf_token": csrf_token(page), "label": label})
        assert response.status_code == 422, label
    assert reference.post("/en/revision/drafts", data={"label": "2027"}).status_code == 400
    response = reference.post("/en/revision/drafts", data={
        "csrf_token": csrf_token(page), "label": "2027", "issued": "2027-09"})
    assert response.status_code == 303
    overview = reference.get("/en/revision/2027").get_data(as_text=True)
    assert "Publish version" not in overview  # an admin's action
    edit_url = f"/en/revision/2027/paragraphs/{P2}"
    html = reference.get(edit_url).get_data(as_text=True)
    assert f'value="{view.reference}"' in html  # the view about the paragraph, to tick
    bad = reference.post(edit_url, data=_paragraph_post(
        html, text_en="", text_ar="", text_es="", text_fr="", text_ru="", text_zh="",
        codes="P2, NOPE", other_views="ZZZZ-9999", code="Q1", section="nowhere"))
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    for message in ("Write this text in one language at least.", "This is not a code we know",
                    "Not an approved view: ZZZZ-9999", "Not a principle or commitment code"):
        assert message in body, message
    good = reference.post(edit_url, data=_paragraph_post(
        html, text_en="We must provide an open platform for young people.",
        explanation_en="Young people asked for it.", codes="P2", views=[view.reference]))
    assert good.status_code == 303, good.get_data(as_text=True)[:2000]
    assert reference.post("/en/revision/2027/publish", data={
        "csrf_token": csrf_token(html)}).status_code == 403
    assert reference.get("/en/strategy/2027").status_code == 404
    preview = reference.get("/en/revision/2027/changes").get_data(as_text=True)
    assert "Young people asked for it." in preview and "<ins>" in preview

    admin = app.test_client()
    login(admin, session, "admin", "admin-rev@example.org")
    html = admin.get("/en/revision/2027").get_data(as_text=True)
    response = admin.post("/en/revision/2027/publish", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 303
    assert admin.get("/api/v1/strategy").get_json()["current"] == "2027"
    [message] = session.scalars(select(OutboxMessage).where(
        OutboxMessage.key.like("strategy:%"))).all()
    assert message.language == "fr" and "/fr/strategy/compare/2018/2027" in message.body
    assert session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "strategy.publish").order_by(AuditEvent.id.desc()).limit(1)
    )["label"] == "2027"
    assert session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "strategy.publish").order_by(AuditEvent.id.desc()).limit(1))
    # Published: never changes again.
    again = reference.post(edit_url, data=_paragraph_post(html, text_en="Changed later."))
    assert again.status_code == 303
    assert "Changed later." not in reference.get("/en/strategy/2027").get_data(as_text=True)


def test_an_admin_imports_a_file_or_gets_every_problem(app, client, session, strategy):
    login(client, session, "admin", "admin-import@example.org")
    page = client.get("/en/revision/import").get_data(as_text=True)
    bad = dict(sample.build(), label="2018", extra=1)
    response = client.post("/en/revision/import", data={
        "csrf_token": csrf_token(page),
        "file": (io.BytesIO(json.dumps(bad).encode()), "bad.json")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "A version with this label exists already" in body and "Unknown field(s): extra" in body
    good = dict(sample.build(), label="2026")
    response = client.post("/en/revision/import", data={
        "csrf_token": csrf_token(page),
        "file": (io.BytesIO(json.dumps(good).encode()), "good.json")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/revision/2026")
    assert "Publish version 2026" in client.get("/en/revision/2026").get_data(as_text=True)


# The whole loop (issue #20, "Done when").

AR_NEW = "يجب أن نوفر منصة مفتوحة تتيح للحكومات والشباب والمجتمع المدني إجراء اختيارات جماعية."
ZH_NEW = "我们必须为各国政府、青年和民间社会提供一个开放平台，共同作出选择。"
EXPLAIN = {
    "ar": "طلب المشاركون أن يُذكر الشباب صراحة.",
    "en": "Contributors asked that young people be named.",
    "es": "Los participantes pidieron que se nombrara a los jóvenes.",
    "fr": "Les contributeurs ont demandé que les jeunes soient nommés.",
    "ru": "Участники попросили прямо упомянуть молодежь.",
    "zh": "参与者要求明确提及青年。",
}


def test_the_whole_loop_from_paragraph_to_views_to_revision_to_public_redline(
        app, session, taxonomy, open_round):
    from tests.views.test_moderation import decide

    admin, moderator, reference, public = (app.test_client() for _ in range(4))
    login(admin, session, "admin", "loop-admin@example.org")
    login(moderator, session, "moderator", "loop-mod@example.org")
    login(reference, session, "reference", "loop-ref@example.org")

    # 1. An admin imports a version and publishes it.
    page = admin.get("/en/revision/import").get_data(as_text=True)
    response = admin.post("/en/revision/import", data={
        "csrf_token": csrf_token(page),
        "file": (io.BytesIO(json.dumps(sample.build()).encode()), "strategy-2018.json")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    page = admin.get("/en/revision/2018").get_data(as_text=True)
    assert admin.post("/en/revision/2018/publish",
                      data={"csrf_token": csrf_token(page)}).status_code == 303
    assert f'href="/ar/submit?paragraph={P2}"' in public.get("/ar/strategy").get_data(
        as_text=True)

    # 2. Views about the P2 paragraph, in Arabic (the form) and Chinese (the API).
    response = form_post(public, f"/ar/submit?round={open_round.id}", web_form(
        open_round, paragraph=P2, language="ar", title="الشباب أولا", country="EG",
        body="نريد أن تذكر الاستراتيجية الشباب صراحة.", email="ar@example.org"),
        page=f"/ar/submit?paragraph={P2}")
    assert response.status_code == 303
    response = public.post("/api/v1/submissions", headers={"Accept-Language": "zh"},
                           json=factories.submission_data(
                               open_round, paragraph=P2, language="zh", title="青年",
                               body="战略应当明确提到青年。", country="CN",
                               email="zh@example.org"))
    assert response.status_code == 201
    views = session.scalars(select(Submission).where(Submission.paragraph_key == P2)
                            .order_by(Submission.id)).all()
    assert [v.language for v in views] == ["ar", "zh"]
    references = [v.reference for v in views]

    # 3. A moderator approves them.
    for view in views:
        assert decide(moderator, view.id, action="approve", principles=["P2"]).status_code == 303

    # 4. The reference group drafts the next version: P2 changed, linked to both views.
    page = reference.get("/en/revision/").get_data(as_text=True)
    assert reference.post("/en/revision/drafts", data={
        "csrf_token": csrf_token(page), "label": "2027"}).status_code == 303
    edit_url = f"/en/revision/2027/paragraphs/{P2}"
    html = reference.get(edit_url).get_data(as_text=True)
    assert all(f'value="{ref}"' in html for ref in references)
    changes = {"text_ar": AR_NEW, "text_zh": ZH_NEW, "views": references, "codes": "P2",
               **{f"explanation_{code}": text for code, text in EXPLAIN.items()}}
    response = reference.post(edit_url, data=_paragraph_post(html, **changes))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]

    # 5. An admin publishes it.
    page = admin.get("/en/revision/2027").get_data(as_text=True)
    assert admin.post("/en/revision/2027/publish",
                      data={"csrf_token": csrf_token(page)}).status_code == 303
    told = {m.language: m for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.key.like("strategy:%")))}
    assert set(told) == {"ar", "zh"}
    assert "/zh/strategy/compare/2018/2027" in told["zh"].body

    # 6. The compare page in Arabic and Chinese: redline, explanation, count, links.
    for lang, deleted, inserted in (("ar", "محفلا", "منصة مفتوحة"), ("zh", "企业", "青年")):
        html = public.get(f"/{lang}/strategy/compare/2018/2027").get_data(as_text=True)
        row = html[html.index(f'id="{P2}"'):]
        row = row[:row.index("</article>")]
        assert re.search(r"<del>.*?" + deleted, row, re.S), lang
        assert re.search(r"<ins>.*?" + inserted, row, re.S), lang
        assert EXPLAIN[lang] in row
        assert {"ar": "رأيان استدعيا هذا التغيير", "zh": "促成此项变更的意见：2条"}[lang] in row
        for ref in references:
            assert f'href="/{lang}/contributions/{ref}"' in row
        assert "principles.p1" not in html  # unchanged paragraphs are left out by default
    # A change in Chinese is marked character by character.
    api = public.get("/api/v1/strategy/compare?from=2018&to=2027&lang=zh").get_json()
    [p2] = [p for p in api["paragraphs"] if p["key"] == P2]
    assert p2["change"] == "changed" and p2["views"] == 2
    assert sorted(p2["published_views"]) == sorted(references)
    assert p2["explanation"] == EXPLAIN["zh"] and p2["lang"] == "zh"
    inserted = "".join(op["text"] for op in p2["ops"] if op["op"] == "insert")
    assert "青年" in inserted and "".join(
        op["text"] for op in p2["ops"] if op["op"] != "delete") == ZH_NEW
    # 7. The open data.
    rows = list(csv.DictReader(io.StringIO(
        public.get("/en/strategy/traceability.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["version"], r["paragraph"], r["change"], r["views"]) for r in rows] == [
        ("2027", P2, "changed", "2")]
    assert rows[0]["explanation"] == EXPLAIN["en"]
