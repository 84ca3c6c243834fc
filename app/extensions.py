"""Unbound extension singletons, bound to the app in `create_app`."""
from flask_babel import Babel
from flask_login import LoginManager

babel = Babel()
login_manager = LoginManager()
