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
