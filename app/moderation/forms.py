"""Forms of the moderation workspace."""
from __future__ import annotations

from wtforms import (
    DateField,
    Form,
    HiddenField,
    StringField,
    TextAreaField,
)

from app.forms import BaseForm, MultiCheckboxField, SelectField, country_options
from app.i18n import LANGUAGES, localized, native_name
from app.i18n import lazy_gettext as _l
from app.labels import ACTOR_TYPES, REJECT_REASONS, STATUSES
from app.models import ItemKind, Round, Status, TaxonomyItem
from app.regions import regions
from app.services import filters
from app.services.review.moderation import QueueFilter
from app.services.review.tagging import TagInput
from app.services.text.langid import UN_LANGUAGES


class QueueFilterForm(Form):
    """Filters of the queue, read from the query string (GET: no CSRF needed)."""

    status = SelectField(_l("Status"), validate_choice=False)
    round = SelectField(_l("Round"), validate_choice=False)
    language = SelectField(_l("Language"), validate_choice=False)
    actor_type = SelectField(_l("Actor type"), validate_choice=False)
    country = SelectField(_l("Country or area"), validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    date_from = DateField(_l("From (date)"))
    date_to = DateField(_l("To (date)"))
    has_email = SelectField(_l("Email given"), validate_choice=False)
    claimed = SelectField(_l("Claimed"), validate_choice=False)
    q = StringField(_l("Search text or reference"), render_kw={"maxlength": 200, "dir": "auto"})
    detected = SelectField(_l("Detected language"), validate_choice=False)
    paragraph = SelectField(_l("Paragraph of the strategy"), validate_choice=False)

    def prepare(self, lang: str, rounds: list[Round],
                paragraphs: list[tuple[str, str]] | None = None) -> None:
        anything = ("", _l("Any"))
        self.status.choices = [(s.value, STATUSES[s]) for s in Status] + [("all", _l("All"))]
        self.round.choices = [anything] + [(str(r.id), localized(r.title, lang)) for r in rounds]
        self.language.choices = [anything] + [(code, native_name(code)) for code in LANGUAGES]
        self.actor_type.choices = [anything] + [(a.value, label)
                                                for a, label in ACTOR_TYPES.items()]
        self.country.choices = country_options(lang, str(_l("Any")))
        self.region.choices = [anything] + regions(lang)
        self.has_email.choices = [anything, ("yes", _l("Yes")), ("no", _l("No"))]
        self.claimed.choices = [anything, ("unclaimed", _l("Not claimed")),
                                ("mine", _l("Claimed by me"))]
        self.detected.choices = [anything, ("differs", _l("Differs from the declared language"))
                                 ] + [(code, native_name(code)) for code in UN_LANGUAGES]
        self.paragraph.choices = [anything] + list(paragraphs or [])

    # The query arguments of the queue and the filter each stands for (filters.RULES).
    ARGUMENTS = {"status": "status", "round": "round_id", "language": "language",
                 "actor_type": "actor_type", "country": "country", "region": "region",
                 "date_from": "date_from", "date_to": "date_to", "has_email": "has_email",
                 "q": "q", "claimed": "claimed", "detected": "detected",
                 # Any key, not only the current text's: views about a paragraph since removed.
                 "paragraph": "paragraph"}
    _LANGUAGE = filters.Rule(filters.one_of(LANGUAGES))  # the six the form offers

    def to_filter(self, viewer_id: int) -> QueueFilter:
        """The filter the query asks for. A value the form never offers is dropped (the
        page shows the queue without that filter) rather than refused."""
        raw = {name: field.raw_data[0] for name, field in self._fields.items()
               if field.raw_data}
        values, _errors = filters.parse(raw, self.ARGUMENTS, rules={"language": self._LANGUAGE})
        everything = raw.get("status") == "all"
        return QueueFilter(**{"status": None if everything else Status.PENDING, **values,
                              "viewer_id": viewer_id})


class TagFields(BaseForm):
    principles = MultiCheckboxField(_l("Principles"), validate_choice=False)
    commitments = MultiCheckboxField(_l("Commitments"), validate_choice=False)
    technologies = MultiCheckboxField(_l("Technology areas"), validate_choice=False)
    themes = MultiCheckboxField(_l("Themes"), validate_choice=False)
    keywords = StringField(_l("Keywords"), description=_l("Separate keywords with commas."),
                           render_kw={"list": "keyword-list", "maxlength": 1500,
                                      "dir": "auto", "autocomplete": "off"})

    def prepare(self, lang: str, items: dict[ItemKind, list[TaxonomyItem]]) -> None:
        for kind in ItemKind:
            getattr(self, kind.group).choices = [
                (item.code, f"{item.code} · {localized(item.labels, lang)}")
                for item in items[kind]]

    def tag_input(self) -> TagInput:
        keywords = [k for k in (self.keywords.data or "").replace("،", ",").replace("，", ",")
                    .split(",") if k.strip()]
        return TagInput(principles=self.principles.data or [],
                        commitments=self.commitments.data or [],
                        technologies=self.technologies.data or [],
                        themes=self.themes.data or [], keywords=keywords)


class DecisionForm(TagFields):
    version = HiddenField()
    reason = SelectField(_l("Reason for not publishing"), validate_choice=False)
    note = TextAreaField(_l("Note on the reason (shown to the contributor when the reason is "
                            "“other”)"), render_kw={"rows": 2, "maxlength": 2000, "dir": "auto"})
    redacted_title = StringField(
        _l("Public title"),
        description=_l("The title as published and sent to the reference group. Remove "
                       "anything that identifies a person; leave it empty to publish no title."),
        render_kw={"maxlength": 200, "dir": "auto"})
    redacted_text = TextAreaField(
        _l("Public version of the text"),
        description=_l("Remove names, contact details and anything that identifies a person. "
                       "The original stays unchanged."),
        render_kw={"rows": 8, "dir": "auto"})
    highlight = TextAreaField(
        _l("Highlight for reports"),
        description=_l("Paste the passage that best carries this view (from the public version)."),
        render_kw={"rows": 3, "maxlength": 600, "dir": "auto"})

    def prepare(self, lang: str, items: dict[ItemKind, list[TaxonomyItem]]) -> None:
        super().prepare(lang, items)
        self.reason.choices = [("", _l("Choose…"))] + [
            (r.value, label) for r, label in REJECT_REASONS.items()]


class NoteForm(BaseForm):
    # Its own id: the decision form's note (to the contributor) is on the same page.
    note = TextAreaField(_l("Internal note"), id="internal-note",
                         render_kw={"rows": 2, "maxlength": 2000, "dir": "auto"})


class BulkForm(TagFields):
    reason = SelectField(_l("Reason for not publishing"), validate_choice=False)

    def prepare(self, lang: str, items: dict[ItemKind, list[TaxonomyItem]]) -> None:
        super().prepare(lang, items)
        self.reason.choices = [("", _l("Choose…"))] + [
            (r.value, label) for r, label in REJECT_REASONS.items() if r != "other"]
