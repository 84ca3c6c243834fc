"""Staff accounts (app/services/accounts/users.py), at the service level."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Role
from app.services import ValidationFailed
from app.services.accounts import users
from tests.helpers import PASSWORD


def test_create_normalizes_the_email_and_audits(session):
    admin = users.create_user(session, "Admin@Example.ORG ", PASSWORD, "admin")
    created = users.create_user(session, " Ｍoderator@example.org", PASSWORD, Role.MODERATOR,
                                by=admin)
    session.commit()
    assert created.email == "moderator@example.org"
    assert users.find_by_email(session, "MODERATOR@example.org").id == created.id
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create",
                                                    AuditEvent.actor_id == admin.id))
    assert event.after == {"email": "moderator@example.org", "role": "moderator"}
    assert PASSWORD not in str(event.after)


def test_create_refuses_each_bad_field(session):
    users.create_user(session, "taken@example.org", PASSWORD, "reference")
    with pytest.raises(ValidationFailed) as caught:
        users.create_user(session, "taken@example.org", "password", "ruler")
    assert set(caught.value.errors) == {"email", "role", "password"}
    with pytest.raises(ValidationFailed) as caught:
        users.create_user(session, "no-at-sign", PASSWORD, "admin")
    assert set(caught.value.errors) == {"email"}


def test_authenticate_locks_after_repeated_failures(session):
    user = users.create_user(session, "m@example.org", PASSWORD, "moderator")
    session.commit()
    assert users.authenticate(session, "m@example.org", PASSWORD).id == user.id
    for _ in range(5):
        with pytest.raises(users.LoginFailed):
            users.authenticate(session, "m@example.org", "wrong password entirely")
    assert users.is_locked(user)
    with pytest.raises(users.LoginFailed):  # the right password, locked: the same answer
        users.authenticate(session, "m@example.org", PASSWORD)
    with pytest.raises(users.LoginFailed):
        users.authenticate(session, "nobody@example.org", PASSWORD)


def test_a_disabled_account_cannot_sign_in_and_its_tokens_stop(session):
    user = users.create_user(session, "r@example.org", PASSWORD, "reference")
    token = users.issue_token(session, user)
    session.commit()
    assert users.token_owner(session, token)[0].id == user.id
    users.set_active(session, user, False)
    session.commit()
    assert users.token_owner(session, token) is None
    with pytest.raises(users.LoginFailed):
        users.authenticate(session, "r@example.org", PASSWORD)


def test_revoking_tokens_by_prefix(session):
    user = users.create_user(session, "api@example.org", PASSWORD, "reference")
    first, second = users.issue_token(session, user), users.issue_token(session, user)
    session.commit()
    assert users.revoke_tokens(session, user, prefix=first[:12]) == 1
    session.commit()
    assert users.token_owner(session, first) is None
    assert users.token_owner(session, second) is not None
