"""Exports as reports (issue #15, items 2 and 3): a workbook a reader can use (a "Read me"
sheet, codes with labels in the reader's language, dates as dates, numbers as numbers, a
frozen header, an autofilter, right-to-left for Arabic, totals with shares and cross-tabs,
sheet names never cut inside a word), and label columns in CSV and JSON Lines."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from app.models import Submission
from app.services.platform import taxonomy as taxonomy_service
from app.services.reporting import export
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, login, make_user

ORIGINAL_TITLE = "Layla Haddad of Amman asks for open data"
P1_AR = "حماية القيم العالمية وتعزيزها"  # "P1 " + this is 32 characters: the sheet is "P1"
P2_AR = "تشجيع الإدماج والشفافية"
P2_EN = "Foster inclusion and transparency"


def _approve(session, submission, moderator, tags, **kwargs):
    submission = session.get(Submission, submission.id)
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version, tags=tagging.TagInput(**tags), **kwargs)
    session.commit()


@pytest.fixture()
def views(session, open_round):
    """Five approved views (one redacted, with a title of its own), a rejected and a
    pending one."""
    moderator = make_user(session, "moderator", "report-mod@example.org")
    specs = [
        (dict(language="ar", title="الاتصال أولا", body="الإنترنت حق للجميع في القرى.",
              actor_type="youth", country="EG", age_range="18_24", gender="female"),
         dict(principles=["P2", "P1"], commitments=["C1"], technologies=["T05", "T09"],
              themes=["TH12"], keywords=["access"])),
        (dict(language="en", title="=HYPERLINK(\"http://evil\")", body="+cmd|' /C calc'!A0",
              actor_type="youth", country="KE"), dict(principles=["P2"])),
        (dict(language="fr", title="Partenariats", body="Travailler avec les universités.",
              actor_type="academia", country="FR"), dict(principles=["P2"],
                                                         commitments=["C3"])),
        (dict(language="zh", title="能力建设", body="加强政府能力。", actor_type="government",
              country="CN"), dict(principles=["P5"], commitments=["C1"])),
    ]
    for fields, tags in specs:
        submission, _ = factories.make_submission(session, open_round, **fields)
        _approve(session, submission, moderator, tags)
    redacted, _ = factories.make_submission(
        session, open_round, title=ORIGINAL_TITLE, language="en", actor_type="civil_society",
        country="JO", body="My name is Layla Haddad and I want open data in Amman.")
    _approve(session, redacted, moderator, dict(principles=["P2"]),
             redacted_text="My name is [removed] and I want open data.",
             redacted_title="A call for open data")
    rejected, _ = factories.make_submission(session, open_round, title="Rejected view")
    rejected = session.get(Submission, rejected.id)
    moderation.decide(session, rejected, by=moderator, action="reject",
                      version=rejected.version, reason="spam")
    factories.make_submission(session, open_round, title="Pending view")
    session.commit()
    return redacted.reference


def _workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return load_workbook(io.BytesIO(response.get_data()))


def _rows(sheet):
    return list(sheet.iter_rows(values_only=True))


def _every_string(workbook):
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if isinstance(cell, str)]


def test_arabic_workbook_reads_as_a_report(client, session, views):
    token = api_token(session, "reference")
    book = _workbook(client.get("/api/v1/exports/submissions.xlsx?lang=ar",
                                headers=bearer(token)))
    names = book.sheetnames
    assert names[0] == "اقرأني" and names[1] == "جميع الآراء"
    # A sheet per principle and commitment: its code and full label when they fit in 31
    # characters, else the code alone; never a name cut inside a word.
    assert f"P2 {P2_AR}" in names and "P1" in names
    assert not any(name.startswith("P1 ") for name in names)
    assert len(names) == 2 + 5 + 4 + 3
    assert all(book[name].sheet_view.rightToLeft for name in names)

    data = book[names[1]]
    assert data.freeze_panes == "A2"
    assert data.auto_filter.ref and data.auto_filter.ref.startswith("A1:")
    assert data.auto_filter.ref.endswith("6")  # the header and five views
    rows = _rows(data)
    header, body = rows[0], rows[1:]
    assert len(body) == 5
    column = {name: index for index, name in enumerate(header)}
    assert "المرجع" in column and "الجولة" in column
    arabic = next(row for row in body if row[column["رمز اللغة"]] == "ar")
    assert arabic[column["اللغة"]] == "العربية"
    assert arabic[column["رمز صفة المرسِل"]] == "youth"
    assert arabic[column["رمز البلد"]] == "EG" and arabic[column["البلد أو المنطقة"]] == "مصر"
    assert arabic[column["رمز المنطقة"]] == "002" and arabic[column["المنطقة"]] == "أفريقيا"
    assert arabic[column["المبادئ"]] == f"P1 · {P1_AR}\nP2 · {P2_AR}"
    assert arabic[column["المجالات التكنولوجية"]].startswith("T05 · ")
    assert isinstance(arabic[column["الجولة"]], int)
    received = arabic[column["تاريخ الاستلام (UTC)"]]
    assert isinstance(received, dt.datetime) and received.year >= 2026
    assert isinstance(arabic[column["تاريخ البت (UTC)"]], dt.datetime)
    # The reference group gets no age or gender column at all.
    assert "الفئة العمرية" not in column and "نوع الجنس" not in column
    # Formula safety as before: no text cell starts as a formula would.
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in _every_string(book))
    # The rows of one code's sheet, with the same features.
    p2 = book[f"P2 {P2_AR}"]
    assert len(_rows(p2)) == 1 + 4 and p2.freeze_panes == "A2" and p2.auto_filter.ref

    readme = _rows(book[names[0]])
    flat = [cell for row in readme for cell in row if cell is not None]
    assert 5 in flat  # the row count, a number
    assert any(isinstance(cell, dt.datetime) for cell in flat)  # when it was made
    assert "لا يوجد: جميع الآراء المقبولة." in flat  # filters used: none
    assert ("P2", P2_AR, "المبادئ") in [row[:3] for row in readme]

    totals = _rows(book["المجاميع"])
    p2_total = next(row for row in totals if row[0] == "P2")
    assert p2_total[1] == P2_AR and p2_total[2] == 4 and p2_total[3] == pytest.approx(0.8)
    youth = next(row for row in totals if row[0] == "youth")
    assert isinstance(youth[2], int) and youth[2] == 2

    by_actor = book["الرموز حسب صفة المرسِل"]
    assert by_actor.freeze_panes == "C2" and by_actor.auto_filter.ref
    actor_rows = _rows(by_actor)
    p2_row = dict(zip(actor_rows[0], next(row for row in actor_rows if row[0] == "P2"),
                      strict=True))
    assert p2_row["جميع صفات المرسِلين"] == 4
    assert p2_row["منظمة شبابية أو شخص من الشباب"] == 2
    assert p2_row["الأوساط الأكاديمية والبحثية"] == 1
    region_rows = _rows(book["الرموز حسب المنطقة"])
    c1 = dict(zip(region_rows[0], next(row for row in region_rows if row[0] == "C1"),
                  strict=True))
    assert c1["أفريقيا"] == 1 and c1["آسيا"] == 1 and c1["جميع المناطق"] == 2


def test_english_and_chinese_workbooks_are_left_to_right(client, session, views):
    token = api_token(session, "reference")
    for lang, read_me in (("en", "Read me"), ("zh", "自述")):
        book = _workbook(client.get(f"/api/v1/exports/submissions.xlsx?lang={lang}",
                                    headers=bearer(token)))
        assert book.sheetnames[0] == read_me
        assert not any(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    english = _workbook(client.get("/api/v1/exports/submissions.xlsx?lang=en",
                                   headers=bearer(token)))
    # "P2 Foster inclusion and transparency" is 36 characters: the code alone.
    assert "P2" in english.sheetnames and "P3 Work in partnership" in english.sheetnames


def test_the_page_download_is_the_same_report(client, session, views):
    login(client, session, "reference")
    book = _workbook(client.get("/ar/reports/export/submissions.xlsx?actor_type=youth"))
    assert book.sheetnames[0] == "اقرأني"
    assert len(_rows(book["جميع الآراء"])) == 1 + 2
    flat = [cell for row in _rows(book["اقرأني"]) for cell in row if cell is not None]
    assert "صفة المرسِل: منظمة شبابية أو شخص من الشباب" in flat  # the filter, in words
    assert 2 in flat


def test_moderators_get_age_and_gender_labels(client, session, views):
    token = api_token(session, "moderator")
    book = _workbook(client.get("/api/v1/exports/submissions.xlsx?lang=en",
                                headers=bearer(token)))
    rows = _rows(book["All submissions"])
    column = {name: index for index, name in enumerate(rows[0])}
    arabic = next(row for row in rows[1:] if row[column["Language code"]] == "ar")
    assert arabic[column["Age range"]] == "18 to 24" and arabic[column["Gender"]] == "Woman"


def test_above_the_cap_the_workbook_keeps_its_features(client, session, views, monkeypatch):
    """Above XLSX_SHEETS_MAX_ROWS rows: no sheet per code (each row would be written up
    to four times), the same data sheet, totals and cross-tabs, and a note saying so."""
    monkeypatch.setattr(export, "XLSX_SHEETS_MAX_ROWS", 3)
    token = api_token(session, "reference")
    book = _workbook(client.get("/api/v1/exports/submissions.xlsx?lang=fr",
                                headers=bearer(token)))
    assert len(book.sheetnames) == 5
    data = book.worksheets[1]
    assert data.freeze_panes == "A2" and data.auto_filter.ref
    assert len(_rows(data)) == 6
    flat = [cell for row in _rows(book.worksheets[0]) for cell in row if cell is not None]
    assert any("3" in str(cell) and "filtre" in str(cell) for cell in flat), flat
    totals = {row[0]: row[2] for row in _rows(book.worksheets[2]) if row and row[0]}
    assert totals["P2"] == 4


def test_no_sheet_name_is_cut_inside_a_word_in_any_language(session, taxonomy):
    """Every fixed sheet name fits whole in every language, and a code's sheet is named by
    its code when "code label" does not fit."""
    from app.i18n import LANGUAGES, force_locale
    from app.i18n import gettext as _

    for lang in LANGUAGES:
        with force_locale(lang):
            for name in ("Read me", "All submissions", "Totals", "Codes by actor type",
                         "Codes by region"):
                translated = _(name)
                assert len(translated) <= 31 and export.sheet_name(translated, "x") == \
                    translated, (lang, translated)
    version = taxonomy_service.current_version(session)
    for items in taxonomy_service.items_by_kind(session, version.id).values():
        for item in items:
            for lang, label in item.labels.items():
                chosen = export.sheet_name(f"{item.code} {label}", item.code)
                assert chosen in (item.code, f"{item.code} {label}"), (lang, chosen)
    assert export.sheet_name(f"P1 {P1_AR}", "P1") == "P1"


def test_no_original_title_of_a_redacted_view_in_any_export(client, session, views):
    token = api_token(session, "reference")
    for lang in ("en", "ar"):
        book = _workbook(client.get(f"/api/v1/exports/submissions.xlsx?lang={lang}",
                                    headers=bearer(token)))
        cells = _every_string(book)
        assert "A call for open data" in cells
        assert not any("Haddad" in cell or "Layla" in cell for cell in cells)
        assert not any("Rejected view" in cell or "Pending view" in cell for cell in cells)
    for fmt in ("csv", "jsonl"):
        text = client.get(f"/api/v1/exports/submissions.{fmt}?lang=ar",
                          headers=bearer(token)).get_data(as_text=True)
        assert "A call for open data" in text and "Haddad" not in text, fmt


def test_csv_keeps_codes_and_adds_labels_in_the_language_asked(client, session, views):
    token = api_token(session, "reference")

    def rows(query=""):
        # English labels unless lang= asks otherwise, whatever the client's Accept-Language.
        response = client.get(f"/api/v1/exports/submissions.csv{query}",
                              headers={**bearer(token), "Accept-Language": "ru"})
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))

    english = next(row for row in rows() if row["language"] == "ar")  # default: English
    assert english["actor_type"] == "youth"
    assert english["actor_type_label"] == "Youth organization or young person"
    assert english["country_label"] == "Egypt" and english["region_label"] == "Africa"
    assert english["language_label"] == "Arabic"
    assert english["principles"] == "P1;P2"
    assert english["principles_labels"] == f"Protect and promote global values;{P2_EN}"
    assert english["age_range_label"] == "" and english["gender_label"] == ""
    arabic = next(row for row in rows("?lang=ar") if row["language"] == "ar")
    assert arabic["principles"] == "P1;P2"
    assert arabic["principles_labels"] == f"{P1_AR};{P2_AR}"
    assert arabic["country_label"] == "مصر"
    assert client.get("/api/v1/exports/submissions.csv?lang=xx",
                      headers=bearer(token)).status_code == 400


def test_jsonl_keeps_codes_and_adds_labels(client, session, views):
    token = api_token(session, "reference")
    text = client.get("/api/v1/exports/submissions.jsonl?lang=fr",
                      headers=bearer(token)).get_data(as_text=True)
    items = [json.loads(line) for line in text.splitlines()]
    french = next(item for item in items if item["language"] == "fr")
    assert french["principles"] == ["P2"]
    assert french["principles_labels"] == ["Favoriser l'inclusion et la transparence"]
    assert french["language_label"] == "français"
    assert french["country_label"] == "France" and french["region_label"] == "Europe"
    assert french["commitments"] == ["C3"] and len(french["commitments_labels"]) == 1
