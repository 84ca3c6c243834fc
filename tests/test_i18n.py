"""Catalogs: all six complete, every template string wrapped for translation."""
from __future__ import annotations

import pytest

from app.cli.translate import catalog_problems
from app.i18n import countries, pick, text_direction, written_languages


@pytest.mark.parametrize("lang", ["ar", "zh", "en", "fr", "ru", "es"])
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


def _untranslated_text(source: str) -> list[str]:
    """Literal words in a template that do not go through gettext."""
    import re
    from html.parser import HTMLParser

    source = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    source = re.sub(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", " ", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}", " ", source, flags=re.S)
    found: list[str] = []

    class Collector(HTMLParser):
        skip = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style"):
                self.skip += 1
            for name, value in attrs:
                if name in ("alt", "title", "aria-label", "placeholder") and value:
                    self.check(value)

        def handle_endtag(self, tag):
            if tag in ("script", "style"):
                self.skip -= 1

        def handle_data(self, data):
            if not self.skip:
                self.check(data)

        def check(self, text: str) -> None:
            # Attribute syntax left over from tags built in Jinja (`<{{ tag }} lang="..">`).
            text = re.sub(r'[\w-]+="[^"]*"', " ", text)
            if re.search(r"[^\W\d_]{2,}", text):
                found.append(text.strip())

    Collector().feed(source)
    return found


def test_every_template_string_is_wrapped_for_translation():
    from pathlib import Path

    problems = {}
    for path in sorted(Path("templates").rglob("*.html")):
        words = _untranslated_text(path.read_text(encoding="utf-8"))
        if words:
            problems[str(path)] = words
    assert problems == {}


def test_remembered_catalog_follows_force_locale(app):
    """app.i18n keeps the request's language and catalog in Flask-Babel's namespace; a
    block under `force_locale` (the Word summary, e-mails in the writer's language) must
    still get its own language, in code and in templates, and the page's afterwards."""
    from flask import render_template_string

    from app.i18n import current_language, force_locale, gettext, lazy_gettext

    lazy = lazy_gettext("Review queue")
    template = "{{ _('Review queue') }}|{% trans %}Review queue{% endtrans %}|{{ locale }}"
    with app.test_request_context("/fr/moderate"):
        app.preprocess_request()
        assert current_language() == "fr"
        assert gettext("Review queue") == str(lazy) == "File d'examen"
        assert render_template_string(template) == "File d'examen|File d'examen|fr"
        with force_locale("es"):
            assert current_language() == "es"
            assert gettext("Review queue") == str(lazy) == "Cola de revisión"
            assert render_template_string(template) == \
                "Cola de revisión|Cola de revisión|es"
        assert current_language() == "fr"
        assert gettext("Review queue") == "File d'examen"
        assert render_template_string(template) == "File d'examen|File d'examen|fr"
    with app.app_context():  # outside a request: the default language, untranslated
        assert current_language() == "en"
        assert gettext("Review queue") == "Review queue"
