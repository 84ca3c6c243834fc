"""The base of every form: session CSRF from WTForms, with a lifetime from the config."""
from __future__ import annotations

import datetime as dt

from flask import current_app, session
from wtforms import Form, SelectMultipleField, widgets
from wtforms.csrf.session import SessionCSRF

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


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (usable without JavaScript on any phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form: Form) -> None:
        """Unknown codes are refused by the service with a clearer message."""
