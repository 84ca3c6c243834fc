"""Forms of the admin panel. They check shape only; the services check the rules.

Texts kept per language get one field per UN language, named `<name>_<code>`
(`title_ar`, `label_fr`), each marked with its language so that Arabic is typed right to
left and spell-checked as Arabic.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from app.forms import BaseForm, SelectField
from app.i18n import LANGUAGES, native_name
from app.i18n import lazy_gettext as _l
from app.labels import ROLES
from app.models import ItemKind
from app.security import UnsafeText, clean_text
from app.services import parse_id
from app.services.platform.rounds import QUESTION_MAX, ROUND_DESCRIPTION_MAX, ROUND_TITLE_MAX
from app.services.platform.site_texts import TEXT_MAX
from app.services.platform.taxonomy import DESCRIPTION_MAX, LABEL_MAX

# Field names of per-language texts, by the name the services use in their error keys.
PER_LANGUAGE = {"title": "title", "description": "description", "labels": "label",
                "descriptions": "description", "text": "text"}
# Accept what browsers send for <input type="datetime-local"> (with or without seconds).
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _per_language(form_class: type, name: str, label: Any, field_class: type, **render_kw: Any
                  ) -> None:
    for code in LANGUAGES:
        setattr(form_class, f"{name}_{code}",
                field_class(label, render_kw={"lang": code, "dir": "auto", **render_kw}))


def language_texts(form: Form, name: str) -> dict[str, str]:
    """The per-language values of `name` as {code: text}."""
    return {code: form[f"{name}_{code}"].data or "" for code in LANGUAGES}


def fill_texts(data: dict[str, Any], name: str, values: Mapping[str, str] | None) -> None:
    for code in LANGUAGES:
        data[f"{name}_{code}"] = (values or {}).get(code, "")


def attach_errors(form: Form, errors: Mapping[str, list[Any]],
                  aliases: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Put service errors (`title.fr`, `code`) on the matching fields; return the others
    under "form", for the top of the error summary.

    `aliases` sends a key with no field of its own to one (a round's missing title to the
    English title, the language every other one falls back to).
    """
    loose: dict[str, list[str]] = {}
    for key, messages in errors.items():
        key = (aliases or {}).get(key, key)
        name, _, code = key.partition(".")
        field_name = f"{PER_LANGUAGE.get(name, name)}_{code}" if code else key
        field = form._fields.get(field_name)
        if field is None:
            loose.setdefault("form", []).extend(str(m) for m in messages)
        else:
            field.errors = list(field.errors or []) + [str(m) for m in messages]
    return loose


def refuse_control_characters(form: Form, *names: str) -> bool:
    """Mark the fields whose text holds control characters or unreadable bytes (never
    meant, and PostgreSQL refuses NUL in text); True when one did."""
    found = False
    for name in names:
        field = form[name]
        try:
            clean_text(field.data or "", multiline=False)
        except UnsafeText as exc:
            message = (_l("This text contains characters that could not be read. Check that "
                          "it was typed or pasted as plain text.") if exc.reason == "encoding"
                       else _l("This text contains invisible control characters. Remove them "
                               "and try again."))
            field.errors = list(field.errors or []) + [str(message)]
            found = True
    return found


# Users.

ROLE_CHOICES = [SelectChoice(role.value, label) for role, label in ROLES.items()]


class UserForm(BaseForm):
    email = EmailField(_l("Email"), render_kw={"maxlength": 254, "autocomplete": "off",
                                                "dir": "ltr", "spellcheck": "false"})
    name = StringField(_l("Name"), render_kw={"maxlength": 120, "autocomplete": "off"})
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validate_choice=False)
    password = PasswordField(
        _l("Initial password"),
        description=_l("At least 12 characters. Give it to the person by another channel "
                       "than their email; at first sign-in they set up their second factor."),
        render_kw={"autocomplete": "new-password", "maxlength": 128, "dir": "ltr"})


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validate_choice=False)


# Rounds.

class QuestionForm(Form):
    """One guiding question in each language (no CSRF of its own: part of RoundForm)."""

    question_id = HiddenField()


for _code in LANGUAGES:
    # A language's own name, never translated: the label says which language to type in.
    setattr(QuestionForm, _code, TextAreaField(
        native_name(_code), render_kw={"lang": _code, "dir": "auto", "rows": 2,
                                       "maxlength": QUESTION_MAX}))


class RoundForm(BaseForm):
    """Titles and descriptions per language, the questions, then the times (in the order
    the page shows them, which is also the order of the error summary)."""

    def question_edits(self) -> list[tuple[int | None, dict[str, str]]]:
        """(question id or None for a new one, texts) for each question block sent."""
        edits = []
        for entry in self.questions:
            raw = (entry.form.question_id.data or "").strip()
            ident = (parse_id(raw) or -1) if raw else None
            edits.append((ident, {code: entry.form[code].data or "" for code in LANGUAGES}))
        return edits


_per_language(RoundForm, "title", _l("Title"), StringField, maxlength=ROUND_TITLE_MAX)
_per_language(RoundForm, "description", _l("Description"), TextAreaField,
              maxlength=ROUND_DESCRIPTION_MAX, rows=4)
RoundForm.questions = FieldList(FormField(QuestionForm), max_entries=50)
RoundForm.opens_at = DateTimeLocalField(
    _l("Opens (UTC)"), format=DATETIME_FORMATS, tz=dt.UTC,
    description=_l("Date and time in UTC (Coordinated Universal Time), not your local time."))
RoundForm.closes_at = DateTimeLocalField(
    _l("Closes (UTC)"), format=DATETIME_FORMATS, tz=dt.UTC,
    description=_l("Date and time in UTC. Views sent after this time are refused."))


# Taxonomy.

KIND_LABELS = {
    ItemKind.PRINCIPLE: _l("Principles"),
    ItemKind.COMMITMENT: _l("Commitments"),
    ItemKind.TECHNOLOGY: _l("Technology areas"),
    ItemKind.THEME: _l("Themes"),
}
KIND_CHOICES = [
    SelectChoice(ItemKind.PRINCIPLE.value, _l("Principle (code P1, P2…)")),
    SelectChoice(ItemKind.COMMITMENT.value, _l("Commitment (code C1, C2…)")),
    SelectChoice(ItemKind.TECHNOLOGY.value, _l("Technology area (code T01, T02…)")),
    SelectChoice(ItemKind.THEME.value, _l("Theme (code TH01, TH02…)")),
]


class ItemForm(BaseForm):
    """Labels, descriptions and the "official wording" mark, per language."""

    def official_languages(self) -> set[str]:
        return {code for code in LANGUAGES if self[f"official_{code}"].data}


class NewItemForm(ItemForm):
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, validate_choice=False)
    code = StringField(_l("Code"), description=_l("Unique in the strategy version, e.g. P6 or "
                                                  "TH18."),
                       render_kw={"maxlength": 8, "dir": "ltr", "autocomplete": "off",
                                  "spellcheck": "false"})


# Added after NewItemForm's own fields are created, so that a new item's kind and code
# come first (WTForms orders fields by creation).
_per_language(ItemForm, "label", _l("Label"), StringField, maxlength=LABEL_MAX)
_per_language(ItemForm, "description", _l("Description"), TextAreaField,
              maxlength=DESCRIPTION_MAX, rows=3)
for _code in LANGUAGES:
    setattr(ItemForm, f"official_{_code}", BooleanField(_l("This is the official UN wording")))
_per_language(ItemForm, "lexicon", _l("Keywords for suggested tags"), TextAreaField, rows=4)


# Site texts.

class SiteTextForm(BaseForm):
    pass


_per_language(SiteTextForm, "text", _l("Text"), TextAreaField, maxlength=TEXT_MAX, rows=3)


# Audit log.

class AuditFilterForm(Form):
    """Filters of the audit log, read from the query string (GET: no CSRF needed)."""

    action = StringField(_l("Action starts with"),
                         description=_l("For example submission. or user.role"),
                         render_kw={"maxlength": 64, "dir": "ltr", "spellcheck": "false"})
    actor = StringField(_l("Done by (email)"), render_kw={"maxlength": 254, "dir": "ltr",
                                                           "spellcheck": "false"})
    target_type = SelectField(_l("Target"), validate_choice=False)
    target_id = StringField(_l("Target number"), render_kw={"inputmode": "numeric",
                                                            "maxlength": 12, "dir": "ltr"})
    date_from = DateField(_l("From (date, UTC)"))
    date_to = DateField(_l("To (date, UTC)"))
