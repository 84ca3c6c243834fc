"""The compare-rounds page and archiving a round through the reports blueprint."""
from __future__ import annotations

import re

import pytest

from app.services.reporting import archive
from tests.helpers import csrf_token, login
from tests.services.reporting.test_archive import build_rounds


@pytest.fixture()
def two_rounds(session):
    return build_rounds(session)


def compare_url(rounds, lang="en"):
    return f"/{lang}/reports/compare?round={rounds.first.id}&round={rounds.second.id}"


def archive_url(round_, lang="en"):
    return f"/{lang}/reports/rounds/{round_.id}/archive"


@pytest.mark.parametrize(("role", "view", "archive_status"), [
    (None, 302, 302),
    ("reference", 200, 403),
    ("moderator", 200, 403),
    ("admin", 200, 303),
])
def test_access(client, session, two_rounds, role, view, archive_status):
    if role:
        login(client, session, role, f"{role}-access@example.org")
    response = client.get(compare_url(two_rounds))
    assert response.status_code == view
    if role is None:
        assert "/login" in response.headers["Location"]
    token = csrf_token(client.get("/en/account").get_data(as_text=True)) if role else "x"
    response = client.post(archive_url(two_rounds.first), data={"csrf_token": token})
    assert response.status_code == archive_status
    session.expire_all()
    archived = archive.get_snapshot(session, two_rounds.first.id) is not None
    assert archived == (role == "admin")


def test_compare_table_chart_and_sources(client, session, two_rounds):
    login(client, session, "reference")
    html = client.get(compare_url(two_rounds)).get_data(as_text=True)
    assert "Not archived: live counts" in html
    row = re.search(r'<th scope="row">P2 · .*?</tr>', html, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                    row, re.S)]
    assert cells == ["75% (3)", "50% (1)", "-25.0 (down)"]
    row = re.search(r'<th scope="row">P3 · .*?</tr>', html, re.S).group(0)
    assert "+50.0 (up)" in row
    row = re.search(r'<th scope="row">P4 · .*?</tr>', html, re.S).group(0)
    assert "No change" in row
    assert html.count('role="img"') == 2  # principles and commitments
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "<title" in svg and "<desc" in svg
    assert "P2 · Foster inclusion and transparency: round 1 75%, round 2 50%" in svg
    assert "Change from round 1 to 2 (percentage points)" in html
    assert 'style="' not in html.split("<main", 1)[1]  # strict CSP: no inline style
    # Only admins see the archive buttons.
    assert "/archive" not in html


def test_archive_then_compare_uses_the_snapshot(client, session, two_rounds):
    login(client, session, "admin")
    html = client.get(compare_url(two_rounds)).get_data(as_text=True)
    assert archive_url(two_rounds.first) in html and "Close and archive" in html
    response = client.post(archive_url(two_rounds.first), data={
        "csrf_token": csrf_token(html), "round": [str(two_rounds.first.id),
                                                  str(two_rounds.second.id)]})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/en/reports/compare?round={two_rounds.first.id}&round={two_rounds.second.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The round is closed and archived" in page
    assert "Archived on" in page and "frozen counts" in page
    assert archive_url(two_rounds.first) not in page  # no second button

    again = client.post(archive_url(two_rounds.first), data={"csrf_token": csrf_token(page)})
    assert again.status_code == 303
    assert "already archived" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_archive_needs_a_csrf_token(client, session, two_rounds):
    login(client, session, "admin")
    response = client.post(archive_url(two_rounds.first), data={})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert archive.get_snapshot(session, two_rounds.first.id) is None


def test_archive_unknown_round_is_404(client, session, two_rounds):
    login(client, session, "admin")
    html = client.get("/en/reports/compare").get_data(as_text=True)
    response = client.post("/en/reports/rounds/99999/archive",
                           data={"csrf_token": csrf_token(html)})
    assert response.status_code == 404


def test_bad_selections(client, session, two_rounds):
    login(client, session, "reference")
    picker = client.get("/en/reports/compare")
    assert picker.status_code == 200 and "Rounds to compare" in picker.get_data(as_text=True)
    one = client.get(f"/en/reports/compare?round={two_rounds.first.id}")
    assert one.status_code == 400
    assert "Choose at least two rounds" in one.get_data(as_text=True)
    assert client.get("/en/reports/compare?round=abc&round=1").status_code == 400
    unknown = client.get(f"/en/reports/compare?round={two_rounds.first.id}&round=99999")
    assert unknown.status_code == 404


def test_arabic_page_is_mirrored_and_localized(client, session, two_rounds):
    login(client, session, "reference")
    html = client.get(compare_url(two_rounds, "ar")).get_data(as_text=True)
    assert 'dir="rtl"' in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'direction="rtl"' in svg
    assert "تشجيع الإدماج والشفافية" in html  # P2's official Arabic label
    assert "الجولة الأولى" in html  # the first round's Arabic title
    # The longest bar (P2, round 1) grows leftwards from the axis at the start (right) side.
    axis = float(re.search(r'<line x1="([\d.]+)"', svg).group(1))
    bars = [(float(x), float(w)) for x, w in
            re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)]
    assert axis > 320 and all(abs(x + w - axis) <= 1 for x, w in bars)
