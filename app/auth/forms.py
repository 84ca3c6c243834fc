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


class PasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), render_kw={
        "autocomplete": "current-password", "maxlength": 256})
    new_password = PasswordField(_l("New password"), description=_l(
        "At least 12 characters. A passphrase of a few unrelated words is easy to remember "
        "and hard to guess."), render_kw={"autocomplete": "new-password", "maxlength": 256})
    confirm = PasswordField(_l("New password again"), render_kw={
        "autocomplete": "new-password", "maxlength": 256})
