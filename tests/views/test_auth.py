"""Staff sign-in with a second factor, sessions, and sign-out."""
from __future__ import annotations

import re
import time

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


def _error_text(response):
    match = re.search(r'id="error-summary"><p>(.*?)</p>', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(1)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, session):
    make_user(session, "moderator")
    wrong = post_login(client, "moderator@example.org", "not the password at all")
    unknown = post_login(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert _error_text(wrong) == _error_text(unknown)
    assert "The email or password is not right" in _error_text(wrong)


def test_lockout_after_repeated_failures(client, session):
    make_user(session, "moderator")
    for _ in range(5):
        post_login(client, "moderator@example.org", "wrong wrong wrong")
    response = post_login(client, "moderator@example.org", PASSWORD)
    assert response.status_code == 401
    assert "paused for a few minutes" in _error_text(response)
    assert client.get("/en/moderate").status_code == 302  # not signed in


def test_lockout_answers_known_and_unknown_accounts_alike(client, session, monkeypatch):
    """#14 item 6: after five failures a real account answers exactly as an unknown email
    does (status and text), and both verify one argon2 hash (comparable time)."""
    from app.services.accounts import users as users_service

    make_user(session, "moderator")
    answers = {}
    real_verify = users_service._verify
    for email in ("moderator@example.org", "nobody@example.org"):
        for _ in range(5):
            post_login(client, email, "wrong wrong wrong")
        verified = []
        monkeypatch.setattr(users_service, "_verify",
                            lambda h, p, _v=verified: _v.append(h) or real_verify(h, p))
        response = post_login(client, email, PASSWORD)
        monkeypatch.setattr(users_service, "_verify", real_verify)
        answers[email] = (response.status_code, _error_text(response), len(verified))
        assert verified == [users_service._DUMMY_HASH], email
    assert answers["moderator@example.org"] == answers["nobody@example.org"]
    assert answers["nobody@example.org"][0] == 401


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


def _other_code(secret):
    """A six-digit code that is not valid now (nor one step either side)."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + drift) for drift in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def test_sign_out_ends_the_session_on_the_server(client, session, app):
    """#14 item 4: a copy of the session cookie opens nothing after sign-out."""
    user = make_user(session, "reference", with_2fa=False)
    post_login(client, user.email, PASSWORD)
    assert client.get("/en/reports/").status_code == 200
    copied = client.get_cookie("session").value
    sign_out(client)
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/en/reports/")
    assert response.status_code == 302 and "/en/login" in response.headers["Location"]
    assert "auth.sign_out" in [e.action for e in session.scalars(select(AuditEvent))]


def test_staff_session_has_an_absolute_lifetime(client, session, app):
    """#14 item 4: however active, a session ends STAFF_SESSION_HOURS after sign-in."""
    assert app.config["STAFF_SESSION_HOURS"] == 12
    login(client, session, "moderator")
    with client.session_transaction() as flask_session:
        flask_session["signed_in_at"] -= 11.9 * 3600
    assert client.get("/en/moderate").status_code == 200
    with client.session_transaction() as flask_session:
        flask_session["signed_in_at"] -= 0.2 * 3600
    response = client.get("/en/moderate")
    assert response.status_code == 302 and "/en/login" in response.headers["Location"]
    assert "maximum length" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/en/moderate").status_code == 302


def test_wrong_codes_are_counted_on_the_account_not_in_the_cookie(client, session, app):
    """#14 item 5: replaying the cookie saved after the password step gives no more tries;
    after five wrong codes the half-signed-in state ends and the account is locked."""
    user = make_user(session, "moderator")
    post_login(client, user.email, PASSWORD)
    page = client.get("/en/login/verify").get_data(as_text=True)
    saved = client.get_cookie("session").value
    wrong = _other_code(user.totp_secret)
    statuses = []
    for _ in range(5):
        replay = app.test_client()
        replay.set_cookie("session", saved)
        statuses.append(replay.post("/en/login/verify", data={
            "csrf_token": csrf_token(page), "code": wrong}).status_code)
    assert statuses == [401, 401, 401, 401, 303]
    session.expire_all()
    assert session.get(User, user.id).locked_until is not None
    # The right code, on the saved cookie, no longer signs in.
    replay = app.test_client()
    replay.set_cookie("session", saved)
    response = replay.post("/en/login/verify", data={"csrf_token": csrf_token(page),
                                                     "code": totp_now(user.totp_secret)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/en/login")
    assert replay.get("/en/moderate").status_code == 302
    # Nor does signing in again with the password while the account is locked.
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 401


def test_wrong_codes_and_passwords_share_the_lockout(client, session):
    """#14 item 5: the right password does not reset the count before the second step."""
    user = make_user(session, "moderator")
    for _ in range(3):
        post_login(client, user.email, "wrong wrong wrong")
    post_login(client, user.email, PASSWORD)
    page = client.get("/en/login/verify").get_data(as_text=True)
    wrong = _other_code(user.totp_secret)
    assert client.post("/en/login/verify", data={"csrf_token": csrf_token(page),
                                                 "code": wrong}).status_code == 401
    response = client.post("/en/login/verify", data={"csrf_token": csrf_token(page),
                                                     "code": wrong})
    assert response.status_code == 303 and response.headers["Location"].endswith("/en/login")
    session.expire_all()
    assert session.get(User, user.id).locked_until is not None


def _password_change(client, current, new, confirm=None):
    page = client.get("/en/account/password").get_data(as_text=True)
    return client.post("/en/account/password", data={
        "csrf_token": csrf_token(page), "current_password": current, "new_password": new,
        "confirm": new if confirm is None else confirm})


NEW_PASSWORD = "violet kettle migrates south 7"


def test_change_password_signs_other_sessions_out(client, session, app):
    """#14 item 7: current password, zxcvbn on the new one, other sessions signed out."""
    user = make_user(session, "reference", with_2fa=False)
    post_login(client, user.email, PASSWORD)
    other = app.test_client()
    post_login(other, user.email, PASSWORD)
    assert other.get("/en/reports/").status_code == 200
    assert _password_change(client, "not my password", NEW_PASSWORD).status_code == 422
    weak = _password_change(client, PASSWORD, "password1234")
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    mismatch = _password_change(client, PASSWORD, NEW_PASSWORD, "something else entirely")
    assert mismatch.status_code == 422
    assert other.get("/en/reports/").status_code == 200  # nothing changed yet
    done = _password_change(client, PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["Location"].endswith("/en/account")
    assert client.get("/en/reports/").status_code == 200  # this session carries on
    assert other.get("/en/reports/").status_code == 302   # the other one ended
    sign_out(client)
    assert post_login(client, user.email, PASSWORD).status_code == 401
    assert post_login(client, user.email, NEW_PASSWORD).status_code == 303


def test_admin_can_require_a_new_password_at_next_sign_in(client, session, app):
    """#14 item 7: the user page's button; the next sign-in goes to the password page and
    nothing else opens until a new password is chosen."""
    login(client, session, "admin")
    person = make_user(session, "reference", with_2fa=False)
    page = client.get(f"/en/admin/users/{person.id}").get_data(as_text=True)
    assert "Require a new password at the next sign-in" in page
    response = client.post(f"/en/admin/users/{person.id}/require-password-change",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(User, person.id).must_change_password is True

    browser = app.test_client()
    signed_in = post_login(browser, person.email, PASSWORD)
    assert signed_in.headers["Location"].endswith("/en/account/password")
    blocked = browser.get("/en/reports/")
    assert blocked.status_code == 302
    assert blocked.headers["Location"].endswith("/en/account/password")
    assert _password_change(browser, PASSWORD, NEW_PASSWORD).status_code == 303
    assert browser.get("/en/reports/").status_code == 200
    session.expire_all()
    assert session.get(User, person.id).must_change_password is False
