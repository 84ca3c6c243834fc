"""Forms of the revision pages. They check shape only; app.services.strategy decides."""
from __future__ import annotations

from wtforms import BooleanField, FileField, StringField, TextAreaField

from app.admin.forms import _per_language
from app.forms import BaseForm, MultiCheckboxField, SelectField
from app.i18n import LANGUAGES, native_name
from app.i18n import lazy_gettext as _l
from app.models.strategy_text import KEY_MAX, LABEL_MAX
from app.services.strategy import rules


class DraftForm(BaseForm):
    label = StringField(_l("Label of the new version"),
                        description=_l("Its name in the addresses of the site, e.g. 2027."),
                        render_kw={"maxlength": LABEL_MAX, "dir": "ltr", "autocomplete": "off"})
    issued = StringField(_l("Date (optional)"), description=_l("2027, 2027-09 or 2027-09-24."),
                         render_kw={"maxlength": 10, "dir": "ltr", "autocomplete": "off"})


class ParagraphForm(BaseForm):
    """A paragraph of a draft in the six languages, and why it changed."""

    section = SelectField(_l("Section"), validate_choice=False)
    code = SelectField(_l("Principle or commitment"), validate_choice=False)
    placeholder = BooleanField(_l("Placeholder text (stand-in wording, marked as such)"))
    codes = StringField(_l("Principles, commitments and themes behind the change (codes)"),
                        description=_l("Codes separated by commas, e.g. P2, TH03."),
                        render_kw={"maxlength": 400, "dir": "ltr"})
    views = MultiCheckboxField(_l("Views about this paragraph that motivated the change"),
                               validate_choice=False)
    other_views = StringField(_l("Other views that motivated it (references)"),
                              description=_l("References of approved views, separated by "
                                             "commas, e.g. ABCD-EFGH."),
                              render_kw={"maxlength": 4000, "dir": "ltr"})

    def view_references(self) -> str:
        return " ".join([*(self.views.data or []), self.other_views.data or ""])


_per_language(ParagraphForm, "title", _l("Title"), StringField, maxlength=rules.TITLE_MAX)
_per_language(ParagraphForm, "text", _l("Text"), TextAreaField, maxlength=rules.TEXT_MAX, rows=6)
_per_language(ParagraphForm, "explanation", _l("Why it changed"), TextAreaField,
              maxlength=rules.EXPLANATION_MAX, rows=3)


class NewParagraphForm(BaseForm):
    key = StringField(_l("Key"), description=_l(
        "Stable across versions: lower-case parts separated by dots, e.g. principles.p6."),
        render_kw={"maxlength": KEY_MAX, "dir": "ltr", "autocomplete": "off"})
    section = SelectField(_l("Section"), validate_choice=False)
    language = SelectField(_l("Language of the text"), validate_choice=False)
    text = TextAreaField(_l("Text"), render_kw={"maxlength": rules.TEXT_MAX, "rows": 4})

    def prepare(self, sections: list[tuple[str, str]]) -> None:
        self.section.choices = sections
        self.language.choices = [(code, native_name(code)) for code in LANGUAGES]


class ImportForm(BaseForm):
    file = FileField(_l("File (JSON, as docs/strategy-format.md describes)"),
                     render_kw={"accept": ".json,application/json"})
