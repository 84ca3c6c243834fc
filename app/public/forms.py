"""The public submission form: it renders and parses; `services.intake` decides."""
from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField

from app.forms import BaseForm, MultiCheckboxField, SelectField, country_options, language_options
from app.i18n import lazy_gettext as _l
from app.i18n import localized
from app.labels import ACTOR_TYPES, AGE_RANGES, GENDERS
from app.models import (
    ORGANISATION_NAME_MAX,
    ORGANISATION_WEBSITE_MAX,
    ItemKind,
    Question,
    TaxonomyItem,
)
from app.reference import ParagraphData
from app.services.contributions.intake import TEXT_MAX, TITLE_MAX, SubmissionInput
from app.services.strategy import editions as strategy_editions


class SubmissionForm(BaseForm):
    version = HiddenField()
    # Abuse resistance: a field hidden from people (bots fill it in) and a signed time at
    # which the form was shown (a view typed in under a few seconds is flagged, not lost).
    website = StringField(_l("Leave this field empty"),
                          render_kw={"tabindex": "-1", "autocomplete": "off"})
    started = HiddenField()
    title = StringField(_l("Title of your view"),
                        description=_l("A short line that sums up what you want to say."),
                        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    body = TextAreaField(_l("Your view or experience"),
                         description=_l("In your own words. At most 5,000 characters."),
                         render_kw={"maxlength": TEXT_MAX, "rows": 8})
    language = SelectField(_l("Language you are writing in"), validate_choice=False)
    actor_type = SelectField(_l("You are sending this view as"), validate_choice=False)
    # On behalf of an organisation (issue #21). The website field is not called `website`:
    # that name is the honeypot's.
    on_behalf_of_organisation = BooleanField(
        _l("I am answering on behalf of an organisation"))
    organisation_name = StringField(
        _l("Name of the organisation"),
        description=_l("Its full name, as it would like to be cited."),
        render_kw={"maxlength": ORGANISATION_NAME_MAX, "autocomplete": "organization"})
    organisation_website = StringField(
        _l("Website of the organisation (optional)"),
        description=_l("An address starting with https://, like https://example.org."),
        render_kw={"maxlength": ORGANISATION_WEBSITE_MAX, "inputmode": "url",
                   "autocomplete": "url", "dir": "ltr"})
    publish_organisation = BooleanField(
        _l("The name of the organisation may be published with the view."))
    country = SelectField(_l("Country or area"), validate_choice=False)
    age_range = SelectField(_l("Age range (optional)"), validate_choice=False)
    gender = SelectField(_l("Gender (optional)"), validate_choice=False)
    email = EmailField(_l("Email (optional)"),
                       description=_l("Only to tell you what became of your view. "
                                      "Never shown or shared."),
                       render_kw={"maxlength": 254, "autocomplete": "email"})
    technologies = MultiCheckboxField(_l("Technologies your view is about (optional)"),
                                      validate_choice=False)
    principles = MultiCheckboxField(_l("Principles of the strategy it touches (optional)"),
                                    validate_choice=False)
    commitments = MultiCheckboxField(_l("Commitments of the strategy it touches (optional)"),
                                     validate_choice=False)
    paragraph = SelectField(_l("Paragraph of the strategy your view is about (optional)"),
                            validate_choice=False)
    consent_processing = BooleanField(
        _l("I agree that the United Nations University processes my submission for this "
           "consultation, as the privacy notice explains."))
    consent_publication = BooleanField(
        _l("The text of my view may be published on this site, after review."))
    anonymous = BooleanField(_l("Publish it without my name or organization."), default=True)

    def prepare(self, lang: str, questions: list[Question],
                items: dict[ItemKind, list[TaxonomyItem]]) -> None:
        """Fill the choices for this language, round and strategy version."""
        self.questions = questions
        self.language.choices = language_options(lang)
        if not self.language.data:
            self.language.data = lang
        self.actor_type.choices = [("", _l("Choose…"))] + [
            (code.value, label) for code, label in ACTOR_TYPES.items()]
        self.country.choices = country_options(lang, str(_l("Choose…")))
        self.age_range.choices = [("", _l("Not given"))] + [
            (code.value, label) for code, label in AGE_RANGES.items()]
        self.gender.choices = [("", _l("Not given"))] + [
            (code.value, label) for code, label in GENDERS.items()]
        for kind in (ItemKind.TECHNOLOGY, ItemKind.PRINCIPLE, ItemKind.COMMITMENT):
            getattr(self, kind.group).choices = [
                (item.code, localized(item.labels, lang)) for item in items[kind]]

    def prepare_paragraphs(self, lang: str, paragraphs: list[ParagraphData]) -> None:
        """The paragraphs of the current strategy text a view can be about."""
        self.paragraphs = {p.key: p for p in paragraphs}
        self.paragraph_labels = {p.key: strategy_editions.paragraph_label(p, lang)
                                 for p in paragraphs}
        self.paragraph.choices = [("", _l("None in particular"))] + list(
            self.paragraph_labels.items())

    def paragraph_label(self, paragraph: ParagraphData) -> str:
        return self.paragraph_labels.get(paragraph.key, paragraph.key)

    @property
    def chosen_paragraph(self) -> ParagraphData | None:
        return getattr(self, "paragraphs", {}).get(self.paragraph.data or "")

    def stamp_start(self) -> None:
        """Sign the time the form is shown, unless it carries one from its first showing."""
        if not self.started.data:
            self.started.data = _serializer().dumps(time.time())

    def filled_slowly(self, minimum_seconds: float) -> bool:
        try:
            shown = float(_serializer().loads(self.started.data or "", max_age=86400 * 7))
        except (BadData, ValueError, TypeError):
            return False
        return time.time() - shown >= minimum_seconds

    def answers(self, formdata) -> dict[int, str]:
        return {q.id: formdata.get(f"answer_{q.id}", "") for q in self.questions}

    def to_input(self, round_id: int, formdata) -> SubmissionInput:
        return SubmissionInput(
            round_id=round_id,
            language=self.language.data,
            title=self.title.data,
            body=self.body.data,
            answers=self.answers(formdata),
            actor_type=self.actor_type.data,
            country=self.country.data,
            age_range=self.age_range.data,
            gender=self.gender.data,
            email=self.email.data,
            technologies=self.technologies.data or [],
            principles=self.principles.data or [],
            commitments=self.commitments.data or [],
            consent_processing=bool(self.consent_processing.data),
            consent_publication=bool(self.consent_publication.data),
            anonymous=bool(self.anonymous.data),
            paragraph=self.paragraph.data or None,
            on_behalf_of_organisation=bool(self.on_behalf_of_organisation.data),
            organisation_name=self.organisation_name.data,
            organisation_website=_typed_address(self.organisation_website.data),
            publish_organisation=bool(self.publish_organisation.data),
        )


def _typed_address(value: str | None) -> str:
    """A website as people type it ("example.org") made into an address: the service
    takes only http(s) addresses, and "javascript:..." keeps its scheme and is refused."""
    value = (value or "").strip()
    if value and "://" not in value and ":" not in value.split("/", 1)[0]:
        return "https://" + value
    return value


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="form-started")


class EraseForm(BaseForm):
    confirm = BooleanField(_l("I understand that my view will be erased and cannot be "
                              "brought back."))


class RemoveFileForm(BaseForm):
    """The button that takes one attached file off a pending view: its CSRF token only."""
