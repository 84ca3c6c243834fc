"""Staff sign-in with a second factor, sessions, and sign-out."""
from __future__ import annotations

import pyotp
from sqlalchemy import select

from app.models import AuditEvent, User
from tests.helpers import PASSWORD, csrf_token, login, make_user, totp_now


def sign_out(client):
    page = client.get("/en/account").get_data(as_text=True)
    return client.post("/en/logout", data={"csrf_token": csrf_token(page)})


def post_login(client, email, password, next_=None):
    html = client.get("/en/login").get_data(as_text=True)
    url = "/en/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"csrf_token": csrf_token(html), "email": email,
                                  "password": password})


def test_sign_in_with_totp_lands_on_queue_and_is_audited(client, session):
    login(client, session, "moderator")
    response = client.get("/en/moderate")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    events = [e.action for e in session.scalars(select(AuditEvent))]
    assert "auth.sign_in" in events


def test_wrong_password_and_unknown_email_get_the_same_answer(client, session):
    make_user(session, "moderator")
    wrong = post_login(client, "moderator@example.org", "not the password at all")
    unknown = post_login(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "The email or password is not right." in wrong.get_data(as_text=True)
    assert "The email or password is not right." in unknown.get_data(as_text=True)


def test_lockout_after_repeated_failures(client, session):
    make_user(session, "moderator")
    for _ in range(5):
        post_login(client, "moderator@example.org", "wrong wrong wrong")
    response = post_login(client, "moderator@example.org", PASSWORD)
    assert response.status_code == 401
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_wrong_code_is_refused_and_code_cannot_be_replayed(client, session):
    user = make_user(session, "admin")
    post_login(client, user.email, PASSWORD)
    html = client.get("/en/login/verify").get_data(as_text=True)
    bad = client.post("/en/login/verify", data={"csrf_token": csrf_token(html), "code": "000000"
                                                if totp_now(user.totp_secret) != "000000"
                                                else "111111"})
    assert bad.status_code == 401
    code = totp_now(user.totp_secret)
    ok = client.post("/en/login/verify", data={"csrf_token": csrf_token(html), "code": code})
    assert ok.status_code == 303
    # The same code again, in a new sign-in, is refused.
    sign_out(client)
    post_login(client, user.email, PASSWORD)
    html = client.get("/en/login/verify").get_data(as_text=True)
    replay = client.post("/en/login/verify", data={"csrf_token": csrf_token(html), "code": code})
    assert replay.status_code == 401


def test_enrolment_when_2fa_is_required(client, session):
    user = make_user(session, "moderator", with_2fa=False)
    response = post_login(client, user.email, PASSWORD)
    assert response.headers["Location"].endswith("/en/login/setup-2fa")
    page = client.get("/en/login/setup-2fa").get_data(as_text=True)
    assert "<svg" in page
    import re
    secret = re.search(r'class="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    done = client.post("/en/login/setup-2fa", data={"csrf_token": csrf_token(page),
                                                     "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(User, user.id).totp_secret == secret
    assert client.get("/en/moderate").status_code == 200


def test_reference_role_without_2fa_signs_in_with_password(client, session):
    user = make_user(session, "reference", with_2fa=False)
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/reports/")


def test_safe_next_redirect_only(client, session):
    user = make_user(session, "reference", with_2fa=False)
    response = post_login(client, user.email, PASSWORD, next_="//evil.example/x")
    assert response.headers["Location"].endswith("/en/reports/")
    sign_out(client)
    response = post_login(client, user.email, PASSWORD, next_="/en/account?x=1")
    assert response.headers["Location"].endswith("/en/account?x=1")


def test_anonymous_is_sent_to_login(client):
    response = client.get("/en/moderate")
    assert response.status_code == 302
    assert "/en/login?next=" in response.headers["Location"]


def test_sign_out_everywhere_and_disable_end_sessions(client, session, app):
    user = login(client, session, "moderator")
    other = app.test_client()
    html = other.get("/en/login").get_data(as_text=True)
    other.post("/en/login", data={"csrf_token": csrf_token(html), "email": user.email,
                                  "password": PASSWORD})
    # finish the second device's sign-in after the first code's time step
    user = session.get(User, user.id)
    user.totp_last_step = None
    session.commit()
    html = other.get("/en/login/verify").get_data(as_text=True)
    assert other.post("/en/login/verify", data={"csrf_token": csrf_token(html),
                                                "code": totp_now(user.totp_secret)}
                      ).status_code == 303
    assert other.get("/en/moderate").status_code == 200
    page = client.get("/en/account").get_data(as_text=True)
    client.post("/en/account/sign-out-everywhere", data={"csrf_token": csrf_token(page)})
    assert other.get("/en/moderate").status_code == 302
    assert client.get("/en/moderate").status_code == 302


def test_idle_staff_session_expires(client, session, app):
    login(client, session, "moderator")
    with client.session_transaction() as flask_session:
        flask_session["seen"] = flask_session["seen"] - 31 * 60
    response = client.get("/en/moderate")
    assert response.status_code == 302
    assert "/en/login" in response.headers["Location"]


def test_logout_needs_post_with_csrf(client, session):
    login(client, session, "moderator")
    assert client.get("/en/logout").status_code == 405
    client.post("/en/logout", data={})
    assert client.get("/en/moderate").status_code == 200
    page = client.get("/en/account").get_data(as_text=True)
    client.post("/en/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/en/moderate").status_code == 302
