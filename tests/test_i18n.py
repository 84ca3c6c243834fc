"""Catalogs: Arabic and English complete (the other four in the languages issue)."""
from __future__ import annotations

import pytest

from app.cli import catalog_problems
from app.i18n import countries, pick, text_direction, written_languages


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_catalog_complete(lang):
    problems = catalog_problems(lang)
    assert problems == {"untranslated": [], "fuzzy": []}


def test_text_direction():
    assert text_direction("ar") == "rtl"
    assert text_direction("en") == "ltr"
    assert text_direction("zh") == "ltr"


def test_localized_countries_and_languages():
    assert dict(countries("ar"))["EG"] == "مصر"
    assert dict(countries("zh"))["CN"] == "中国"
    codes = [code for code, _ in written_languages("fr")]
    assert codes[:6] == ["ar", "zh", "en", "fr", "ru", "es"]
    assert "sw" in codes and "hi" in codes


def test_pick_falls_back_to_english_then_anything():
    assert pick({"en": "E", "ar": "ع"}, "ar") == ("ع", "ar")
    assert pick({"en": "E"}, "ru") == ("E", "en")
    assert pick({"fr": "F"}, "ru") == ("F", "fr")
    assert pick({}, "ru") == ("", "ru")
