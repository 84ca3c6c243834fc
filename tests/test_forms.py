"""app.forms: the select widget writes the same markup whether its choices are a plain list
or a pre-written Options list, and Options escapes and marks the chosen value exactly."""
from __future__ import annotations

import re

from wtforms import Form

from app.forms import Options, SelectField, country_options, language_options


class _Pick(Form):
    place = SelectField("Place", validate_choice=False)


def _render(choices, chosen):
    form = _Pick(data={"place": chosen})
    form.place.choices = choices
    return str(form.place())


PAIRS = [("", "Choose…"), ("FR", "France"), ("CI", "Côte d’Ivoire"),
         ("X<&\"", "Tom & <Jerry>"), ("FRA", "Not France")]


def test_options_render_as_the_plain_list_does():
    for chosen in (None, "", "FR", "X<&\"", "FRA", "unknown"):
        assert _render(Options(PAIRS), chosen) == _render(list(PAIRS), chosen), chosen


def test_one_option_is_marked_and_the_values_are_escaped():
    html = _render(Options(PAIRS), "FR")
    assert html.count(" selected") == 1
    assert '<option value="FR" selected>France</option>' in html
    assert '<option value="X&lt;&amp;&#34;">Tom &amp; &lt;Jerry&gt;</option>' in html
    assert " selected" not in _render(Options(PAIRS), "unknown")


def test_the_long_lists_are_made_once_per_language_and_first_label(app):
    with app.test_request_context("/fr/"):
        french = country_options("fr", "Tous")
        assert country_options("fr", "Tous") is french  # the markup is written once
        assert french[0] == ("", "Tous") and len(french) > 240
        assert ("CI", "Côte d’Ivoire") in french
        assert country_options("fr", "Choisir…") is not french
        assert re.search(r'<option value="CI">Côte d’Ivoire</option>', french.markup)
    assert language_options("ar")[0] == ("ar", "العربية")
