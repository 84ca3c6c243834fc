from wtforms import EmailField, PasswordField, StringField

from app.forms import BaseForm
from app.i18n import lazy_gettext as _l


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), render_kw={"autocomplete": "username", "maxlength": 254})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password",
                                                        "maxlength": 256})


class CodeForm(BaseForm):
    code = StringField(_l("Six-digit code from your authenticator app"),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                  "maxlength": 12, "dir": "ltr"})


class EmptyForm(BaseForm):
    """A form with nothing but its CSRF token (sign out, confirmations)."""
