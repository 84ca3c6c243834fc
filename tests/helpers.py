"""Small helpers for view tests."""
from __future__ import annotations

import re
from typing import Any


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def form_post(client: Any, url: str, data: dict[str, Any], *, page: str | None = None,
              **kwargs: Any) -> Any:
    """GET the form page (for its CSRF token), then POST `data` to `url`."""
    html = client.get(page or url).get_data(as_text=True)
    payload = {"csrf_token": csrf_token(html), **data}
    return client.post(url, data=payload, **kwargs)


def web_form(round_: Any, **overrides: Any) -> dict[str, Any]:
    """A valid submission as the browser sends it (checkboxes present only when ticked)."""
    data: dict[str, Any] = {
        "title": "Connectivity first",
        "body": "Without affordable internet, the UN's digital tools do not reach my village.",
        "language": "en",
        "actor_type": "youth",
        "country": "KE",
        "technologies": ["T15"],
        "principles": ["P2"],
        "consent_processing": "y",
        "consent_publication": "y",
        "anonymous": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


PASSWORD = "correct horse battery staple 42"


def make_user(session: Any, role: str, email: str | None = None, *, with_2fa: bool = True
              ) -> Any:
    """A staff user (committed), with a TOTP secret unless `with_2fa` is False."""
    import pyotp

    from app.services.accounts import users as users_service

    user = users_service.create_user(session, email or f"{role}@example.org", PASSWORD, role)
    if with_2fa:
        user.totp_secret = pyotp.random_base32()
    session.commit()
    return user


def totp_now(secret: str) -> str:
    import pyotp
    return pyotp.TOTP(secret).now()


def login(client: Any, session: Any, role: str, email: str | None = None) -> Any:
    """Create a staff user and sign in through the real pages (password, then TOTP)."""
    user = make_user(session, role, email)
    html = client.get("/en/login").get_data(as_text=True)
    response = client.post("/en/login", data={"csrf_token": csrf_token(html),
                                               "email": user.email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/en/login/verify")
    html = client.get("/en/login/verify").get_data(as_text=True)
    response = client.post("/en/login/verify", data={"csrf_token": csrf_token(html),
                                                     "code": totp_now(user.totp_secret)})
    assert response.status_code == 303, response.get_data(as_text=True)
    return user


def api_token(session: Any, role: str, email: str | None = None) -> str:
    from app.services.accounts import users as users_service

    user = make_user(session, role, email, with_2fa=False)
    token = users_service.issue_token(session, user)
    session.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
