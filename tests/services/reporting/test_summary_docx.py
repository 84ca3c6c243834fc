"""The themed summary as a Word document: content, numbers, direction, no personal data."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from app.services import ValidationFailed
from app.services.reporting import reports
from app.services.reporting.summary_docx import build_summary_docx, direction_of, summary_docx
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import make_user

TAXONOMY = Path(__file__).resolve().parents[3] / "app" / "data" / "taxonomy.json"
ARABIC_BODY = "الاتصال بالإنترنت هو الشرط الأول لأي خدمة رقمية تقدمها الأمم المتحدة في قريتنا."
ARABIC_QUOTE = "الاتصال بالإنترنت هو الشرط الأول"
ENGLISH_QUOTE = "Internet access is the first barrier"


def official_label(code: str, lang: str) -> str:
    data = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    for item in data["principles"] + data["commitments"]:
        if item["code"] == code:
            return item["labels"][lang]
    raise KeyError(code)


@pytest.fixture()
def approved(session, open_round):
    """Four approved submissions, three tagged P2 (two with a highlight), one P1; one
    pending P2. Every contributor left an email."""
    moderator = make_user(session, "moderator")

    def add(principles, *, highlight=None, **fields):
        submission, _ = factories.make_submission(session, open_round, **fields)
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=principles,
                                                   keywords=["connectivity"]),
                          highlight=highlight)
        session.commit()
        return submission

    add(["P2"], highlight=ARABIC_QUOTE, language="ar", title="الاتصال أولا", body=ARABIC_BODY,
        actor_type="civil_society", country="EG", email="amina@example.org")
    add(["P2", "P3"], highlight=ENGLISH_QUOTE, country="KE", email="joseph@example.org",
        body="Internet access is the first barrier to any UN digital service. "
             "Write to joseph@example.org.")
    add(["P2"], highlight="Write to contact@example.org today", actor_type="government",
        country="FR", email="claire@example.org",
        body="Data must stay with us. Write to contact@example.org today.")
    add(["P1"], email="other@example.org")
    factories.make_submission(session, open_round, email="pending@example.org")
    return open_round


def paragraphs(document):
    """Every paragraph, including those in table cells."""
    found = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(cell.paragraphs)
    return found


def bidi(paragraph) -> bool:
    element = paragraph._p.pPr.find(qn("w:bidi")) if paragraph._p.pPr is not None else None
    return element is not None and element.get(qn("w:val")) not in ("0", "false")


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace")
                       for name in archive.namelist())


def build(app, session, lang, **filters):
    with app.app_context():
        data = summary_docx(session, "P2", reports.ReportFilter(**filters), lang)
    return data, docx.Document(io.BytesIO(data))


def translated(message: str, lang: str, app) -> str:
    from app.i18n import force_locale, gettext

    with app.test_request_context(), force_locale(lang):
        return gettext(message)


def test_arabic_document(app, session, approved):
    data, document = build(app, session, "ar", round_id=approved.id)
    text = "\n".join(p.text for p in paragraphs(document))
    assert official_label("P2", "ar") in text
    assert document.paragraphs[0].text == f"P2 {official_label('P2', 'ar')}"
    assert ARABIC_QUOTE in text
    assert "75%" in text and "3" in text and "4" in text
    assert "كيف ينبغي للأمم المتحدة" in text  # the round's Arabic title, in the filter
    assert "مصر" in text  # Egypt, in Arabic

    # Every view is quoted whole; the highlights open their groups.
    quotes = {p.text: p for p in document.paragraphs if p.style.name == "Quote"}
    highlights = {p.text: p for p in document.paragraphs if p.style.name == "Intense Quote"}
    removed = translated("[email removed]", "ar", app)
    assert removed != "[email removed]"
    assert set(highlights) == {ARABIC_QUOTE, ENGLISH_QUOTE, f"Write to {removed} today"}
    assert set(quotes) == {ARABIC_BODY, f"Data must stay with us. Write to {removed} today.",
                           "Internet access is the first barrier to any UN digital service. "
                           f"Write to {removed}."}
    # Every paragraph is right to left, except quotes and views' titles in a left-to-right
    # language.
    for paragraph in paragraphs(document):
        if paragraph.style.name not in ("Quote", "Intense Quote") and not (
                paragraph.runs and paragraph.runs[0].bold and direction_of(paragraph.text)
                == "ltr"):
            assert bidi(paragraph), paragraph.text
    assert bidi(highlights[ARABIC_QUOTE]) and highlights[ARABIC_QUOTE].runs[0].font.rtl
    assert not bidi(highlights[ENGLISH_QUOTE])
    assert not highlights[ENGLISH_QUOTE].runs[0].font.rtl
    assert bidi(quotes[ARABIC_BODY]) and quotes[ARABIC_BODY].runs[0].font.rtl
    assert all(t.table_direction == docx.enum.table.WD_TABLE_DIRECTION.RTL
               for t in document.tables)
    assert document.core_properties.language == "ar"
    xml = all_xml(data)
    assert 'w:bidi="ar"' in xml  # the document's default (complex script) language


def test_english_document_for_the_same_code(app, session, approved):
    _data, document = build(app, session, "en", round_id=approved.id)
    text = "\n".join(p.text for p in paragraphs(document))
    assert document.paragraphs[0].text == "P2 Foster inclusion and transparency"
    assert "3 of 4 approved submissions (75%) are tagged with P2." in text
    assert ARABIC_QUOTE in text and ENGLISH_QUOTE in text
    assert "Egypt" in text and "Kenya" in text and "Africa" in text and "Europe" in text
    rows = {tuple(c.text for c in row.cells) for t in document.tables for row in t.rows}
    assert ("Civil society", "1", "33.3%") in rows
    assert ("Africa", "2", "66.7%") in rows
    assert ("Arabic", "1", "33.3%") in rows
    assert ("P3", "Work in partnership", "1") in rows  # co-occurring code with its label
    assert ("connectivity", "3") in rows
    quote = next(p for p in document.paragraphs if p.text == ARABIC_QUOTE)
    assert bidi(quote) and quote.runs[0].font.rtl  # an Arabic quote stays right to left
    arabic = {ARABIC_QUOTE, ARABIC_BODY, "الاتصال أولا"}  # highlight, text and title
    assert all(bidi(p) for p in paragraphs(document) if p.text in arabic)
    assert not any(bidi(p) for p in paragraphs(document) if p.text not in arabic)
    assert not any(t.table_direction for t in document.tables)
    assert any("Reference " in p.text and "Civil society · Africa · Egypt · Arabic · " in p.text
               for p in document.paragraphs)


def test_no_email_or_name_anywhere(app, session, approved):
    for lang in ("ar", "en"):
        data, _ = build(app, session, lang, round_id=approved.id)
        xml = all_xml(data)
        assert "@example.org" not in xml and "example.org" not in xml
        assert "moderator@" not in xml and "python-docx" not in xml


def test_filter_in_words_and_empty_sections(app, session, approved):
    _, document = build(app, session, "en", round_id=approved.id, language="fr")
    text = "\n".join(p.text for p in paragraphs(document))
    assert "Language: French" in text
    assert "0 of 0 approved submissions (0%) are tagged with P2." in text
    assert text.count("None.") == 6  # three count tables, co-tags, keywords, highlights


def test_unknown_code_gives_none_and_unknown_language_is_refused(app, session, approved):
    with app.app_context():
        assert summary_docx(session, "P99", reports.ReportFilter(), "en") is None
        with pytest.raises(ValidationFailed) as excinfo:
            summary_docx(session, "P2", reports.ReportFilter(), "de")
    assert "lang" in excinfo.value.errors


def test_build_from_a_summary_alone(app, session, approved):
    with app.app_context():
        found = reports.summary(session, "P2", reports.ReportFilter())
        data = build_summary_docx(found, "fr")
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in paragraphs(document))
    assert "75\xa0%" in text  # French spacing
    everything = translated("All approved submissions, in every round.", "fr", app)
    assert everything != "All approved submissions, in every round."  # the catalog is used
    assert everything in text
    assert any(r.cells[0].text == "P3" and r.cells[1].text == ""
               for t in document.tables for r in t.rows)  # no items given: code alone


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Hello", "ar", "ltr"), ("مرحبا Hello", "en", "rtl"), ("123 !", "ar", "rtl"),
    ("123 !", None, "ltr"), ("", "fr", "ltr"),
])
def test_direction_of(text, language, expected):
    assert direction_of(text, language) == expected
