"""The report filter, read from the query string (GET, so no CSRF token)."""
from __future__ import annotations

from wtforms import DateField, Form, StringField

from app.forms import SelectField
from app.i18n import LANGUAGES, localized, native_name
from app.i18n import lazy_gettext as _l
from app.labels import ACTOR_TYPES, AGE_RANGES, GENDERS
from app.models import Round
from app.regions import regions


class ReportFilterForm(Form):
    round_id = SelectField(_l("Round"), validate_choice=False)
    date_from = DateField(_l("From (date)"))
    date_to = DateField(_l("To (date)"))
    language = SelectField(_l("Language"), validate_choice=False)
    actor_type = SelectField(_l("Actor type"), validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    youth = SelectField(_l("Age"), validate_choice=False)
    gender = SelectField(_l("Gender"), validate_choice=False)
    age_range = SelectField(_l("Age range"), validate_choice=False)
    q = StringField(_l("Search text or reference"), render_kw={"maxlength": 200, "dir": "auto"})
    paragraph = SelectField(_l("Paragraph of the strategy"), validate_choice=False)

    def prepare(self, lang: str, rounds: list[Round],
                paragraphs: list[tuple[str, str]] | None = None) -> None:
        anything = ("", _l("Any"))
        self.round_id.choices = [anything] + [(str(r.id), localized(r.title, lang))
                                              for r in rounds]
        self.language.choices = [anything] + [(code, native_name(code)) for code in LANGUAGES]
        self.actor_type.choices = [anything] + [(a.value, label)
                                                for a, label in ACTOR_TYPES.items()]
        self.region.choices = [anything] + regions(lang)
        self.youth.choices = [anything, ("yes", _l("Under 25")), ("no", _l("25 or over"))]
        self.gender.choices = [anything] + [(g.value, label) for g, label in GENDERS.items()]
        self.age_range.choices = [anything] + [(a.value, label)
                                               for a, label in AGE_RANGES.items()]
        self.paragraph.choices = [anything] + list(paragraphs or [])
