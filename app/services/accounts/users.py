"""Staff accounts: passwords, second factor, lockout, API tokens."""
from __future__ import annotations

import datetime as dt
import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from app.db import utcnow
from app.i18n import lazy_gettext as _l
from app.models import ApiToken, Role, User
from app.security import hash_token, new_token
from app.services import DomainError, NotFound, ValidationFailed, parse_id
from app.services.accounts import audit
from app.services.text.textnorm import normalize_email

PASSWORD_MIN = 12
PASSWORD_MAX = 128
_hasher = PasswordHasher()  # argon2id with the library's current recommended costs
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")
# One answer for an unknown email, a wrong password, a disabled and a locked account: none
# of them tells a stranger that an account exists.
SIGN_IN_FAILED = _l("The email or password is not right, or sign-in is paused for a few "
                    "minutes after too many failed attempts.")


class LoginFailed(DomainError):
    """Wrong email or password, or an account that cannot sign in: one message for all."""

    def __init__(self) -> None:
        super().__init__(SIGN_IN_FAILED)


def password_problems(password: str, email: str = "") -> list:
    """NIST 800-63B rules: a minimum length, long passphrases welcome, and no password that
    is common or easy to guess (zxcvbn's offline dictionaries of leaked passwords, names
    and patterns, with the account's email as a hint). No composition rules, no expiry."""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(_l("Use at least %(num)d characters.", num=PASSWORD_MIN))
    if len(password) > PASSWORD_MAX:
        problems.append(_l("Use at most %(num)d characters.", num=PASSWORD_MAX))
    if not problems:
        hints = [part for part in normalize_email(email).replace("@", ".").split(".") if part]
        if zxcvbn(password[:72], user_inputs=hints)["score"] < 3:  # its own maximum
            problems.append(_l("This password is too easy to guess. Try a passphrase of a few "
                               "unrelated words."))
    return problems


def create_user(session: Session, email: str, password: str, role: Role | str, *,
                name: str = "", by: User | None = None) -> User:
    email = normalize_email(email)
    errors: dict[str, list] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = [_l("Enter a valid email address.")]
    elif session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = [_l("An account with this email already exists.")]
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = [_l("Choose one of the options.")]
    problems = password_problems(password, email)
    if problems:
        errors["password"] = problems
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, name=name.strip()[:120], password_hash=_hasher.hash(password),
                role=role, session_nonce=secrets.token_hex(8), active=True)
    session.add(user)
    session.flush()
    audit.record(session, "user.create", actor=by, target=user,
                 after={"email": email, "role": role.value})
    return user


def find_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFound(_l("No account has this email."))
    return user


def authenticate(session: Session, email: str, password: str, *, max_failures: int = 5,
                 lock_minutes: int = 15, now: dt.datetime | None = None) -> User:
    """Check a password. Raises LoginFailed, the same for an unknown email, a wrong
    password and an account locked after `max_failures` failures (wrong passwords and
    wrong second-factor codes) in a row; each case verifies one argon2 hash, so they also
    take the same time.

    The failure count is reset only when the sign-in is complete (`record_sign_in`): the
    right password alone does not give a second-factor guesser five more tries."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or is_locked(user, now):
        _verify(_DUMMY_HASH, password)
        raise LoginFailed()
    if not _verify(user.password_hash, password) or not user.active:
        count_failure(session, user, max_failures=max_failures, lock_minutes=lock_minutes,
                      now=now)
        raise LoginFailed()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.flush()
    return user


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def count_failure(session: Session, user: User, *, max_failures: int = 5,
                  lock_minutes: int = 15, now: dt.datetime | None = None) -> bool:
    """Count a wrong password or second-factor code against the account, in the database
    (so that no cookie, worker or node can reset it); lock the account at
    `max_failures`. Returns whether it is now locked."""
    now = now or utcnow()
    # One UPDATE that adds one: parallel guesses cannot overwrite each other's count.
    count = session.execute(
        update(User).where(User.id == user.id)
        .values(failed_logins=func.coalesce(User.failed_logins, 0) + 1)
        .returning(User.failed_logins)).scalar_one()
    locked = count >= max_failures
    if locked:
        user.locked_until = now + dt.timedelta(minutes=lock_minutes)
        user.failed_logins = 0
        audit.record(session, "auth.locked", target=user)
    session.flush()
    return locked


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def record_sign_in(session: Session, user: User, *, method: str) -> None:
    user.last_login_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, "auth.sign_in", actor=user, target=user, method=method)
    session.flush()


def set_password(session: Session, user: User, password: str, *, by: User | None = None) -> None:
    """Set a new password (NIST rules, zxcvbn): every session of the account ends and a
    required change is done."""
    problems = password_problems(password, user.email)
    if problems:
        raise ValidationFailed({"password": problems})
    user.password_hash = _hasher.hash(password)
    user.must_change_password = False
    user.session_nonce = secrets.token_hex(8)
    audit.record(session, "user.password", actor=by or user, target=user)
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """The user's own change: the current password first, then the new one's rules. Every
    session of the account ends; the caller signs the current one in again."""
    if not _verify(user.password_hash, current):
        raise ValidationFailed({"current_password": [_l("This is not your current password.")]})
    if new == current:
        raise ValidationFailed({"new_password": [_l("Choose a password different from the "
                                                    "current one.")]})
    try:
        set_password(session, user, new)
    except ValidationFailed as exc:
        raise ValidationFailed({"new_password": exc.errors["password"]}) from None


def require_password_change(session: Session, user: User, *, by: User | None = None) -> None:
    """At the next sign-in (and on the next page of a session already open), the user must
    choose a new password before anything else."""
    user.must_change_password = True
    audit.record(session, "user.require_password_change", actor=by, target=user)
    session.flush()


def sign_out(session: Session, user: User) -> None:
    """End this session on the server too: a copy of its cookie names the old nonce and
    opens nothing any more (as with sign-out everywhere, the user's other sessions end)."""
    user.session_nonce = secrets.token_hex(8)
    audit.record(session, "auth.sign_out", actor=user, target=user)
    session.flush()


def sign_out_everywhere(session: Session, user: User, *, by: User | None = None) -> None:
    """End every session of `user`: their cookies name the old nonce."""
    user.session_nonce = secrets.token_hex(8)
    audit.record(session, "auth.sign_out_everywhere", actor=by or user, target=user)
    session.flush()


def set_active(session: Session, user: User, active: bool, *, by: User | None = None) -> None:
    before = user.active
    user.active = active
    if not active:
        user.session_nonce = secrets.token_hex(8)
        for token in user.tokens:
            if token.revoked_at is None:
                token.revoked_at = utcnow()
    audit.record(session, "user.disable" if not active else "user.enable", actor=by,
                 target=user, before={"active": before}, after={"active": active})
    session.flush()


def set_role(session: Session, user: User, role: Role | str, *, by: User | None = None) -> None:
    role = Role(role)
    before = user.role.value
    user.role = role
    user.session_nonce = secrets.token_hex(8)
    audit.record(session, "user.role", actor=by, target=user, before={"role": before},
                 after={"role": role.value})
    session.flush()


# Second factor (TOTP, RFC 6238).

def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str, issuer: str = "UNU New Technologies Consultation") -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _accept_code(secret: str, code: str, last_step: int | None,
                 now: dt.datetime | None = None) -> int | None:
    """The time step the code belongs to, if valid and not already used; else None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    moment = now or utcnow()
    for drift in (0, -1, 1):  # one step of clock drift either way
        at = moment + dt.timedelta(seconds=30 * drift)
        step = totp.timecode(at)
        if secrets.compare_digest(totp.at(at), code) and (last_step is None or step > last_step):
            return step
    return None


def enable_totp(session: Session, user: User, secret: str, code: str) -> None:
    step = _accept_code(secret, code, None)
    if step is None:
        raise ValidationFailed({"code": [_l("This code is not right. Check the time on "
                                            "your phone and try the newest code.")]})
    user.totp_secret = secret
    user.totp_last_step = step
    audit.record(session, "auth.2fa_enabled", actor=user, target=user)
    session.flush()


def verify_totp(session: Session, user: User, code: str) -> bool:
    if not user.totp_secret:
        return False
    step = _accept_code(user.totp_secret, code, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    session.flush()
    return True


def reset_totp(session: Session, user: User, *, by: User | None = None) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    user.session_nonce = secrets.token_hex(8)
    audit.record(session, "auth.2fa_reset", actor=by, target=user)
    session.flush()


# API tokens.

def issue_token(session: Session, user: User, *, by: User | None = None) -> str:
    """Create a personal API token; the plain token is returned once, stored hashed."""
    token = "unu_" + new_token()
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:12]))
    audit.record(session, "token.issue", actor=by or user, target=user, prefix=token[:12])
    session.flush()
    return token


def revoke_tokens(session: Session, user: User, *, prefix: str | None = None,
                  by: User | None = None) -> int:
    count = 0
    for token in user.tokens:
        if token.revoked_at is None and (prefix is None or token.prefix == prefix):
            token.revoked_at = utcnow()
            count += 1
    audit.record(session, "token.revoke", actor=by or user, target=user, prefix=prefix,
                 count=count)
    session.flush()
    return count


def token_owner(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The active user a bearer token belongs to, with the token, or None. Looked up by
    hash: the comparison happens inside the unique index, never character by character."""
    if not token or len(token) > 100:
        return None
    found = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if found is None or found.revoked_at is not None or not found.user.active:
        return None
    return found.user, found


def note_token_use(token: ApiToken, *, now: dt.datetime | None = None) -> None:
    """Record when a token was last used (at most every five minutes). Called for
    requests that write anyway: a GET must not become a write, which on SQLite waits for
    the write lock and fails under load."""
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= dt.timedelta(minutes=5):
        token.last_used_at = now


def load_session_user(session: Session, session_id: str) -> User | None:
    """Flask-Login's loader: `id:nonce`, valid only while the nonce and account match."""
    user_id, _, nonce = (session_id or "").partition(":")
    if parse_id(user_id) is None or not nonce:
        return None
    user = session.get(User, parse_id(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))
