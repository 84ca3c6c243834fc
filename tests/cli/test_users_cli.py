"""`flask users ...`: accounts and API tokens from the command line."""
from __future__ import annotations

from sqlalchemy import select

from app.models import ApiToken, Role, User
from app.security import hash_token


def test_create_with_password_stdin_then_token(runner, session, client):
    result = runner.invoke(args=["users", "create", "Mod@Example.org", "--role", "moderator",
                                 "--password-stdin"], input="a long passphrase for tests\n")
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User))
    assert user.email == "mod@example.org" and user.role == Role.MODERATOR
    assert "a long passphrase" not in user.password_hash

    result = runner.invoke(args=["users", "token", "mod@example.org"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("unu_")
    stored = session.scalar(select(ApiToken))
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert client.get("/api/v1/submissions",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200

    listing = runner.invoke(args=["users", "list"])
    assert "mod@example.org\tmoderator\tactive\tno-2fa" in listing.output

    assert runner.invoke(args=["users", "revoke-tokens", "mod@example.org"]).exit_code == 0
    assert client.get("/api/v1/submissions",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_weak_password_and_duplicates_are_refused(runner, session):
    weak = runner.invoke(args=["users", "create", "a@example.org", "--role", "admin",
                               "--password-stdin"], input="short\n")
    assert weak.exit_code != 0 and "at least 12" in weak.output
    common = runner.invoke(args=["users", "create", "a@example.org", "--role", "admin",
                                 "--password-stdin"], input="passwordpassword\n")
    assert common.exit_code != 0 and "too easy to guess" in common.output
    long_ok = runner.invoke(args=["users", "create", "a@example.org", "--role", "admin",
                                  "--password-stdin"], input="x y z " * 10 + "end of it\n")
    assert long_ok.exit_code == 0, long_ok.output
    again = runner.invoke(args=["users", "create", "A@example.org", "--role", "admin",
                                "--password-stdin"], input="another good passphrase\n")
    assert again.exit_code != 0 and "already exists" in again.output
    bad_role = runner.invoke(args=["users", "create", "b@example.org", "--role", "boss",
                                   "--password-stdin"], input="another good passphrase\n")
    assert bad_role.exit_code != 0


def test_disable_revokes_tokens_and_unknown_email_fails(runner, session, client):
    runner.invoke(args=["users", "create", "r@example.org", "--role", "reference",
                        "--password-stdin"], input="a long passphrase for tests\n")
    token = runner.invoke(args=["users", "token", "r@example.org"]).output.strip().splitlines()[-1]
    assert runner.invoke(args=["users", "disable", "r@example.org"]).exit_code == 0
    assert client.get("/api/v1/submissions",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert runner.invoke(args=["users", "token", "r@example.org"]).exit_code != 0
    assert runner.invoke(args=["users", "disable", "nobody@example.org"]).exit_code != 0


def test_password_rules():
    from app.services.accounts.users import password_problems
    assert password_problems("correct horse battery staple 42") == []
    assert password_problems("x" * 64 + " a sixty-four character passphrase is fine") == []
    for weak in ("passwordpassword", "qwertyuiop123", "aaaaaaaaaaaaaaaa", "123456789012"):
        assert password_problems(weak), weak
    assert password_problems("short")
    assert password_problems("y" * 129)


def test_set_password_from_stdin_ends_sessions(runner, session, client):
    """#14 item 7: `flask users set-password EMAIL --password-stdin`."""
    from tests.helpers import PASSWORD, csrf_token, make_user

    user = make_user(session, "reference", with_2fa=False)
    page = client.get("/en/login").get_data(as_text=True)
    client.post("/en/login", data={"csrf_token": csrf_token(page), "email": user.email,
                                   "password": PASSWORD})
    assert client.get("/en/reports/").status_code == 200
    weak = runner.invoke(args=["users", "set-password", user.email, "--password-stdin"],
                         input="password\n")
    assert weak.exit_code != 0 and "password:" in weak.output
    result = runner.invoke(args=["users", "set-password", "REFERENCE@example.org",
                                 "--password-stdin"], input="quiet lantern over river 9\n")
    assert result.exit_code == 0, result.output
    assert client.get("/en/reports/").status_code == 302  # its session ended
    page = client.get("/en/login").get_data(as_text=True)
    response = client.post("/en/login", data={"csrf_token": csrf_token(page),
                                              "email": user.email,
                                              "password": "quiet lantern over river 9"})
    assert response.status_code == 303
    unknown = runner.invoke(args=["users", "set-password", "nobody@example.org",
                                  "--password-stdin"], input="quiet lantern over river 9\n")
    assert unknown.exit_code != 0 and "No account" in unknown.output
