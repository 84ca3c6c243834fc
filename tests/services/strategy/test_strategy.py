"""The strategy's text (issue #20): import, drafting, comparison, notifications."""
from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from app import reference
from app.models import (
    AuditEvent,
    EditionStatus,
    OutboxMessage,
    StrategyChange,
    StrategyEdition,
    StrategyParagraph,
)
from app.services import NotEditable, ValidationFailed
from app.services.review import moderation, tagging
from app.services.strategy import compare, editions, importer, sample
from tests import factories


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _doc(**overrides):
    doc = copy.deepcopy(sample.build())
    doc["label"] = "2027"
    doc.update(overrides)
    return doc


def _import(session, doc, publish=False):
    edition = importer.import_document(session, json.dumps(doc).encode(), by=None)
    if publish:
        editions.publish(session, edition, by=None, link_for=lambda e, lang: f"/{lang}/x")
    session.commit()
    return edition


@pytest.fixture()
def sample_edition(session, taxonomy):
    edition = sample.ensure_sample(session)
    session.commit()
    return edition


def test_the_shipped_sample_is_built_from_the_taxonomy_titles():
    shipped = json.loads(sample.SAMPLE_FILE.read_text(encoding="utf-8"))
    assert shipped == sample.build()
    assert [p["code"] for p in shipped["paragraphs"]] == [
        "P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3", "C4"]
    assert all(p["placeholder"] for p in shipped["paragraphs"])
    p2 = shipped["paragraphs"][1]
    assert p2["key"] == "principles.p2"
    assert p2["title"]["en"] == "Foster inclusion and transparency"
    assert set(p2["title"]) == {"ar", "en", "es", "fr", "ru", "zh"}


def test_the_sample_is_loaded_once_and_published(app, session, sample_edition):
    assert sample_edition.is_published
    assert sample.ensure_sample(session) is None
    assert _count(session, StrategyEdition) == 1
    assert editions.current_edition(session).label == "2018"
    with app.app_context():
        assert [p.key for p in reference.current_paragraphs()][:2] == [
            "principles.p1", "principles.p2"]


def test_a_bad_file_is_refused_whole_with_every_problem_and_nothing_stored(
        session, sample_edition):
    doc = _doc(label="2018", issued="2027-02-30", extra=True)
    doc["paragraphs"][0]["text"] = {"en": "", "xx": "?"}
    doc["paragraphs"][1]["key"] = "principles.p1"
    doc["paragraphs"][2]["section"] = "nowhere"
    doc["paragraphs"][3]["code"] = "Z9"
    doc["paragraphs"][4]["change"] = {"views": ["AAAA-BBBB"], "codes": "P2, Q7", "why": 1}
    before = {model: _count(session, model) for model in
              (StrategyEdition, StrategyParagraph, StrategyChange, AuditEvent)}
    with pytest.raises(ValidationFailed) as caught:
        importer.import_document(session, json.dumps(doc).encode(), by=None)
    session.rollback()
    assert set(caught.value.errors) == {
        "file", "label", "issued", "paragraphs[0].text", "paragraphs[1].key",
        "paragraphs[2].section", "paragraphs[3].code", "paragraphs[4].change",
        "paragraphs[4].change.views", "paragraphs[4].change.codes"}
    assert {model: _count(session, model) for model in before} == before
    for raw in (b"\xff\xfe", b"{", b"[]", b"{}"):
        with pytest.raises(ValidationFailed):
            importer.import_document(session, raw, by=None)
    session.rollback()
    assert {model: _count(session, model) for model in before} == before


def test_published_versions_never_change(session, sample_edition):
    with pytest.raises(NotEditable):
        editions.save_paragraph(session, sample_edition, "principles.p2",
                                editions.ParagraphEdit(section="principles", text={"en": "x"}),
                                by=None)
    with pytest.raises(NotEditable):
        editions.remove_paragraph(session, sample_edition, "principles.p2", by=None)


def test_a_draft_copies_the_current_version_and_publishing_replaces_it(session, sample_edition):
    round_ = factories.make_round(session)
    moderator = _moderator(session)
    view, _token = factories.make_submission(session, round_, language="ar", email="a@example.org",
                                             paragraph="principles.p2", title="رأي")
    moderation.decide(session, view, by=moderator, version=view.version, action="approve",
                      tags=tagging.TagInput(principles=["P2"]))
    session.commit()
    draft = editions.start_draft(session, label="2027", issued="2027-09", by=None)
    assert [p.key for p in draft.paragraphs] == [p.key for p in sample_edition.paragraphs]
    with pytest.raises(ValidationFailed) as caught:
        editions.save_paragraph(session, draft, "principles.p2", editions.ParagraphEdit(
            section="principles", code="P2", text={"en": ""}, views="ZZZZ-ZZZZ"), by=None)
    assert set(caught.value.errors) == {"text", "views"}
    text = dict(draft.paragraphs[1].text, en="We must provide an open platform for "
                "governments, young people and civil society.")
    editions.save_paragraph(session, draft, "principles.p2", editions.ParagraphEdit(
        section="principles", code="P2", title=draft.paragraphs[1].title, text=text,
        explanation={"en": "Young people asked to be named.", "ar": "طلب الشباب ذكرهم."},
        codes="P2, TH01", views=view.reference), by=None)
    editions.remove_paragraph(session, draft, "commitments.c4", by=None)
    session.commit()
    sent = editions.publish(session, draft, by=None,
                            link_for=lambda e, lang: f"https://example.org/{lang}/compare")
    session.commit()
    assert sent == 1
    assert editions.current_edition(session).label == "2027"
    [message] = session.scalars(select(OutboxMessage).where(
        OutboxMessage.key.like("strategy:%"))).all()
    assert message.language == "ar" and "https://example.org/ar/compare" in message.body
    with pytest.raises(NotEditable):
        editions.publish(session, draft, by=None, link_for=lambda e, lang: "")
    session.rollback()
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "strategy.publish"))

    result = compare.compare(session, sample_edition, draft, "en")
    by_key = {row.key: row for row in result.rows}
    p2 = by_key["principles.p2"]
    assert p2.change == compare.CHANGED and p2.views == 1 and p2.published == [view.reference]
    assert p2.explanation == ("Young people asked to be named.", "en")
    assert [op.text for op in p2.ops if op.op == "insert"] == ["an open", "young people"]
    assert by_key["commitments.c4"].change == compare.REMOVED
    assert compare.compare(session, sample_edition, draft, "ar").rows[1].explanation[1] == "ar"
    assert result.count(compare.UNCHANGED) == 7


def _moderator(session):
    from tests.helpers import make_user
    return make_user(session, "moderator", with_2fa=False)


@pytest.mark.parametrize(("old", "new", "lang", "expected"), [
    ("We must provide a platform.", "We must provide an open platform.", "en",
     "We must provide [-a-]{+an open+} platform."),
    ("我们必须提供一个平台。", "我们必须提供一个开放平台。", "zh",
     "我们必须提供一个{+开放+}平台。"),
    ("يجب أن نوفر محفلا للحكومات", "يجب أن نوفر منصة للحكومات", "ar",
     "يجب أن نوفر [-محفلا-]{+منصة+} للحكومات"),
    ("", "All new.", "fr", "{+All new.+}"),
    ("Gone.", "", "ru", "[-Gone.-]"),
])
def test_the_redline_is_word_level_and_character_level_in_chinese(old, new, lang, expected):
    ops = compare.redline(old, new, lang)
    shown = "".join({"equal": o.text, "delete": f"[-{o.text}-]", "insert": f"{{+{o.text}+}}"}
                    [o.op] for o in ops)
    assert shown == expected
    assert "".join(o.text for o in ops if o.op != "insert") == old
    assert "".join(o.text for o in ops if o.op != "delete") == new


def test_moved_paragraphs_are_those_out_of_the_common_order(session, sample_edition):
    doc = _doc()
    paragraphs = doc["paragraphs"]
    paragraphs.insert(0, paragraphs.pop(2))  # P3 first: P3 alone moved
    paragraphs[5]["section"] = "principles"  # C1 among the principles
    paragraphs.append({"key": "commitments.c5", "section": "commitments",
                       "text": {"en": "A new commitment."}})
    new = _import(session, doc, publish=True)
    rows = compare.compare(session, sample_edition, new, "en").rows
    changes = {row.key: (row.change, row.moved) for row in rows}
    assert changes["commitments.c1"] == (compare.MOVED, True)
    assert changes["principles.p3"] == (compare.MOVED, True)
    assert changes["commitments.c5"] == (compare.ADDED, False)
    assert sum(1 for change, moved in changes.values() if moved) == 2
    assert session.scalar(select(StrategyEdition.status).where(
        StrategyEdition.label == "2027")) == EditionStatus.PUBLISHED
