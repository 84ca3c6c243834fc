"""`flask --app wsgi users ...`: staff accounts and their API tokens."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.cli.common import fail_with
from app.db import db, write_intent
from app.models import Role, User
from app.services import NotFound, ValidationFailed
from app.services.accounts import users as users_service

users_cli = AppGroup("users", help="Staff accounts and their API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (else it is asked for).")
def users_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff account."""
    write_intent.set(True)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = users_service.create_user(db.session, email, password, role, name=name)
    except ValidationFailed as exc:
        fail_with(exc)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


def _user(email: str) -> User:
    try:
        return users_service.find_by_email(db.session, email)
    except NotFound:
        raise click.ClickException(f"No account has the email {email!r}.") from None


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (else it is asked for).")
def users_set_password(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL; every session of the account ends."""
    write_intent.set(True)
    user = _user(email)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        users_service.set_password(db.session, user, password)
    except ValidationFailed as exc:
        fail_with(exc)
    db.session.commit()
    click.echo(f"Password changed for {user.email}; their sessions have ended.")


@users_cli.command("token")
@click.argument("email")
def users_token(email: str) -> None:
    """Print a new personal API token for EMAIL (its last line is the token)."""
    write_intent.set(True)
    user = _user(email)
    if not user.active:
        raise click.ClickException("This account is disabled.")
    token = users_service.issue_token(db.session, user)
    db.session.commit()
    click.echo(f"New API token for {user.email} ({user.role.value}); it is shown only once:")
    click.echo(token)


@users_cli.command("revoke-tokens")
@click.argument("email")
@click.option("--prefix", help="Revoke only the token starting with this prefix.")
def users_revoke_tokens(email: str, prefix: str | None) -> None:
    """Revoke the API tokens of EMAIL (all, or one by its prefix)."""
    write_intent.set(True)
    count = users_service.revoke_tokens(db.session, _user(email), prefix=prefix)
    db.session.commit()
    click.echo(f"Revoked {count} token(s).")


@users_cli.command("list")
def users_list() -> None:
    """List staff accounts."""
    for user in users_service.list_users(db.session):
        state = "active" if user.active else "disabled"
        twofa = "2fa" if user.has_2fa else "no-2fa"
        click.echo(f"{user.id}\t{user.email}\t{user.role.value}\t{state}\t{twofa}")


@users_cli.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable an account: its sessions end and its API tokens are revoked."""
    write_intent.set(True)
    users_service.set_active(db.session, _user(email), False)
    db.session.commit()
    click.echo(f"Disabled {email}.")


@users_cli.command("enable")
@click.argument("email")
def users_enable(email: str) -> None:
    """Enable a disabled account again."""
    write_intent.set(True)
    users_service.set_active(db.session, _user(email), True)
    db.session.commit()
    click.echo(f"Enabled {email}.")


@users_cli.command("reset-2fa")
@click.argument("email")
def users_reset_2fa(email: str) -> None:
    """Remove the second factor of EMAIL (they set up a new one at next sign-in)."""
    write_intent.set(True)
    users_service.reset_totp(db.session, _user(email))
    db.session.commit()
    click.echo(f"Second factor removed for {email}.")
