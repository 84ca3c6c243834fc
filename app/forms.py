"""The base of every form: session CSRF from WTForms, with a lifetime from the config."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

import wtforms
from flask import current_app, session
from markupsafe import Markup, escape
from wtforms import Form, SelectMultipleField, widgets
from wtforms.csrf.session import SessionCSRF

from app.i18n import countries, written_languages
from app.i18n import lazy_gettext as _l

CSRF_ERROR = _l("This form has expired or was sent from another page. "
                "Nothing was lost: check your answers and send it again.")


class BaseForm(Form):
    class Meta:
        csrf = True
        csrf_class = SessionCSRF

        @property
        def csrf_secret(self) -> bytes:
            return current_app.config["SECRET_KEY"].encode("utf-8")

        @property
        def csrf_context(self):
            return session

        @property
        def csrf_time_limit(self) -> dt.timedelta:
            return dt.timedelta(minutes=current_app.config["CSRF_TIME_LIMIT_MINUTES"])

    def csrf_failed(self) -> bool:
        """Validate the CSRF token only: domain rules are checked by the services."""
        token = getattr(self, "csrf_token", None)
        return token is not None and not token.validate(self)


class Options(tuple):
    """A long choice list that stays the same for the life of a process in one language
    (every country or area, every language), with its <option> markup written once: a
    select marks the chosen value in it rather than writing 250 options on every page.
    Labels are plain strings, translated when the list is made.

    Kept by issue #19's rule: bench/profile_page.py at 50,000 views, CPU per request with
    the options written on each page and with these: GET /en/submit 5.3 -> 4.2 ms (-22 %),
    a queue search that matches nothing 6.1 -> 5.3 ms (-13 %), the queue 11.5 -> 10.4 ms."""

    def __new__(cls, pairs: Iterable[tuple[Any, Any]]) -> Options:
        return super().__new__(cls, tuple((str(value), str(label)) for value, label in pairs))

    @functools.cached_property
    def markup(self) -> str:
        return "".join(f'<option value="{escape(value)}">{escape(label)}</option>'
                       for value, label in self)

    def render(self, chosen: Any) -> str:
        """The options, `chosen` (a value of the list, or None) marked as selected."""
        if chosen is None:
            return self.markup
        option = f'<option value="{escape(chosen)}">'
        return self.markup.replace(option, option[:-1] + " selected>", 1)


@functools.cache
def country_options(lang: str, blank: str) -> Options:
    """Every country or area in `lang`'s order, after a first option ("", blank)."""
    return Options([("", blank), *countries(lang)])


@functools.cache
def language_options(lang: str) -> Options:
    """Languages a view may be written in (app.i18n.written_languages)."""
    return Options(written_languages(lang))


class FastSelect(widgets.Select):
    """A <select> rendered with one join instead of a widget call per option.

    The country list (about 250 options) and the language list (about 180) are on the
    submission form and the staff filters. Kept by issue #19's rule (more than 10 % CPU per
    request): bench/profile_page.py at 20,000 views, GET /en/submit costs 14.6 ms with
    WTForms' own widget and choices, 6.3 ms with these (-57 %). Same markup, same escaping."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for key in dir(flags):
            if key in self.validation_attrs and key not in kwargs:
                kwargs[key] = getattr(flags, key)
        html = [f"<select {widgets.html_params(name=field.name, **kwargs)}>"]
        if isinstance(field.choices, Options):
            html.append(field.choices.render(field.data))
        else:
            for value, label, selected, _render_kw in field.iter_choices():
                html.append(f'<option value="{escape(value)}"{" selected" if selected else ""}>'
                            f"{escape(label)}</option>")
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704  # nosec B704


def _plain_choices(field: Any, selected: Any) -> list[tuple[Any, Any, bool, dict]] | None:
    """Choices as (value, label, selected, render_kw) without WTForms' per-option objects,
    when they are the plain (value, label) pairs of string fields that every form here
    uses; None otherwise (the caller falls back to WTForms). Same result, a fraction of
    the cost on the 250-option country lists and the taxonomy checkboxes."""
    choices = field.choices
    if field.coerce is not str or not isinstance(choices, list):
        return None
    out = []
    for choice in choices:
        if not isinstance(choice, tuple) or len(choice) != 2:
            return None
        value, label = choice
        out.append((value, label, selected(value), {}))
    return out


class SelectField(wtforms.SelectField):
    widget = FastSelect()

    def iter_choices(self) -> Any:
        data = self.data
        fast = _plain_choices(self, lambda value: value == data)
        return fast if fast is not None else super().iter_choices()


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (usable without JavaScript on any phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def iter_choices(self) -> Any:
        data = set(self.data or ())
        fast = _plain_choices(self, lambda value: value in data)
        return fast if fast is not None else super().iter_choices()

    def pre_validate(self, form: Form) -> None:
        """Unknown codes are refused by the service with a clearer message."""
