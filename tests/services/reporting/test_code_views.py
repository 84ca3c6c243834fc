"""Every view of a code in the Word summary: public texts only, grouped, sub-themes, sample,
direction and language of each quote. The documents are opened with python-docx."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from app.services.reporting import code_views, reports
from app.services.reporting.summary_docx import summary_docx
from tests.code_views_data import (
    ARABIC,
    ARABIC_HIGHLIGHT,
    CHINESE,
    FRENCH,
    ORIGINAL_BODY,
    ORIGINAL_TITLE,
    OTHER_CODE,
    PENDING,
    REDACTED_BODY,
    REDACTED_TITLE,
    REJECTED,
    WITHHELD_BODY,
    WITHHELD_REDACTED,
    WITHHELD_TITLE,
    build_views,
)


@pytest.fixture()
def views(session, open_round):
    return build_views(session, open_round)


def build(app, session, lang, *, max_views=3000, **filters):
    with app.app_context():
        data = summary_docx(session, "P2", reports.ReportFilter(**filters), lang,
                            max_views=max_views)
    return data, docx.Document(io.BytesIO(data))


def xml_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace")
                       for name in archive.namelist())


def bidi(paragraph) -> bool:
    ppr = paragraph._p.pPr
    element = ppr.find(qn("w:bidi")) if ppr is not None else None
    return element is not None and element.get(qn("w:val")) not in ("0", "false")


def run_lang(run) -> dict[str, str]:
    rpr = run._r.rPr
    element = rpr.find(qn("w:lang")) if rpr is not None else None
    return {} if element is None else {k.split("}")[1]: v for k, v in element.attrib.items()}


def is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.mark.parametrize("lang", ["ar", "en", "zh"])
def test_every_approved_view_quoted_with_its_public_text_only(app, session, views, lang):
    data, document = build(app, session, lang)
    text = "\n".join(p.text for p in document.paragraphs)
    xml = xml_text(data)
    for public in (ARABIC, CHINESE, FRENCH, REDACTED_BODY, REDACTED_TITLE, WITHHELD_REDACTED):
        assert public in text, public
    assert text.count("Facial recognition cameras") + text.count("Surveillance cameras") == 22
    assert text.count("Affordable internet") + text.count("Village schools need") == 22
    for secret in (ORIGINAL_TITLE, ORIGINAL_BODY, "Zanele", "Mokoena", WITHHELD_TITLE,
                   WITHHELD_BODY, "Thabo", "example.org", REJECTED, "Rejected title", PENDING,
                   "Pending title", OTHER_CODE):
        assert secret not in xml, secret
    quotes = [p for p in document.paragraphs if p.style.name == "Quote"]
    assert len(quotes) == 49  # 5 views of one paragraph each + 44 in the large group


def test_arabic_document_direction_and_languages_of_quotes(app, session, views):
    _data, document = build(app, session, "ar")
    paragraphs = list(document.paragraphs)
    for paragraph in paragraphs:
        if is_arabic(paragraph.text) and paragraph.text.strip():
            assert bidi(paragraph), paragraph.text
    by_text = {p.text: p for p in paragraphs}
    english = by_text[REDACTED_BODY]
    assert not bidi(english) and not english.runs[0].font.rtl
    assert run_lang(english.runs[0]) == {"val": "en"}
    chinese = by_text[CHINESE]
    assert not bidi(chinese) and run_lang(chinese.runs[0]) == {"eastAsia": "zh-CN"}
    arabic = by_text[ARABIC]
    assert bidi(arabic) and arabic.runs[0].font.rtl
    assert run_lang(arabic.runs[0]) == {}  # the document's own language
    french = by_text[FRENCH]
    assert run_lang(french.runs[0]) == {"val": "fr"} and not bidi(french)


def test_english_document_marks_arabic_quotes_right_to_left(app, session, views):
    _data, document = build(app, session, "en")
    for paragraph in document.paragraphs:
        if is_arabic(paragraph.text):
            assert bidi(paragraph), paragraph.text
            assert all(run.font.rtl for run in paragraph.runs if is_arabic(run.text))
            assert any(run_lang(run) == {"bidi": "ar"} for run in paragraph.runs)
        elif paragraph.style.name == "Quote":
            assert not bidi(paragraph)


def test_groups_counts_highlights_and_subthemes(app, session, views):
    _data, document = build(app, session, "en")
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["TH06 · Transparency and accountability (44 views)",
                        "TH12 · Digital divide and inclusion (3 views)",
                        "T01 · Artificial intelligence (1 view)",
                        "No theme or technology area (1 view)"]
    assert "This document quotes all 49 approved views tagged with P2." in paragraphs
    group = paragraphs.index(headings[1])
    assert paragraphs[group + 1].startswith("By actor type: ")
    assert "Civil society 1 (33.3%)" in paragraphs[group + 1]
    assert paragraphs[group + 2].startswith("By region: ") and "Africa 3 (100%)" in \
        paragraphs[group + 2]
    # The highlighted view opens its group, its highlight before its text.
    assert paragraphs[group + 3] == "Highlighted by moderators"
    assert paragraphs[group + 4] == ARABIC_HIGHLIGHT
    # The other codes and the facts of a view.
    about = next(p for p in paragraphs if p.startswith("Reference ") and "China" in p)
    assert "Government · Asia · China · Chinese · " in about and about.endswith(
        "Also tagged: P3, T01")
    # Sub-themes in the group of 44, said to be machine-made; each view in exactly one.
    subthemes = [p for p in document.paragraphs if p.style.name == "Heading 3"
                 and "machine-made" in p.text]
    assert len(subthemes) >= 2
    assert any("machine" in p and "Every view" in p for p in paragraphs)
    titles = " ".join(p.text for p in subthemes).lower()
    assert "surveillance" in titles or "facial" in titles or "recognition" in titles
    assert "affordable" in titles or "connectivity" in titles or "village" in titles
    assert "The 3 views most typical of this sub-theme come first." in paragraphs


def test_subthemes_keep_one_wording_together(app, session, views):
    with app.app_context():
        found = code_views.collect(session, "P2", reports.ReportFilter(), max_views=3000)
    group = found.groups[0]
    assert group.code == "TH06" and group.size == 44 and group.subthemes
    assert sorted(v.id for v in group.views) == sorted({v.id for v in group.views})
    for sub in group.subthemes:
        families = {"surveillance" if ("camera" in v.text) else "connectivity"
                    for v in sub.views}
        assert len(families) == 1, [v.text for v in sub.views]
        assert len(sub.representative) == 3


def test_stratified_sample_above_the_limit(app, session, views):
    _data, document = build(app, session, "en", max_views=10)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "This document quotes 10 of the 49 approved views tagged with P2" in text
    assert "no more than 10 views match" in text
    assert len([p for p in document.paragraphs if p.style.name == "Quote"]) == 10
    # At least one view from each (actor type, region) cell: these are alone in theirs.
    for alone in (ARABIC, CHINESE, FRENCH):
        assert alone in text


def test_stratified_sample_allocation():
    cells = {"big": list(range(100)), "mid": list(range(100, 130)), "one": [999],
             "empty": []}
    chosen = code_views.stratified_sample(cells, 20)
    assert len(chosen) == 20 and len(set(chosen)) == 20
    assert 999 in chosen
    assert sum(1 for i in chosen if i < 100) in (14, 15)
    assert code_views.stratified_sample(cells, 200) == [*range(130), 999]
    assert sorted(code_views.stratified_sample(cells, 2)) == [0, 100]


def test_filters_apply_to_the_views(app, session, views):
    _data, document = build(app, session, "en", language="fr")
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes == [FRENCH]
