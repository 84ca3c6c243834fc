"""Unbound extension singletons, bound to the app in `create_app`."""
from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager


def client_address() -> str:
    """The client's address as seen through the trusted proxies (see TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=client_address)
