"""Admin: staff accounts, their roles, second factor and API tokens."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from app.admin.forms import RoleForm, UserForm, attach_errors, refuse_control_characters
from app.admin.routes import SECTIONS, bp
from app.auth.access import role_required
from app.auth.forms import EmptyForm
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.i18n import ngettext
from app.labels import ROLES
from app.models import Role, User
from app.services import ValidationFailed
from app.services.accounts import users as users_service

SECTIONS.append(("admin.users", _l("Users and roles")))


def _get_user(user_id: int) -> User:
    found = db.session.get(User, user_id)
    if found is None:
        abort(404)
    return found


def _is_self(user: User) -> bool:
    return user.id == g.staff_user.id


def _user_page(user: User, *, role_form: RoleForm | None = None, error: Any = None,
               status: int = 200) -> Any:
    if role_form is None:
        role_form = RoleForm(data={"role": user.role.value})
    active_tokens = [token for token in user.tokens if token.revoked_at is None]
    return render_template("admin/user.html", user=user, role_form=role_form, error=error,
                           active_tokens=active_tokens, is_self=_is_self(user)), status


def _back_to(user: User) -> Any:
    return redirect(url_for("admin.user", user_id=user.id), code=303)


@bp.get("/users")
@role_required(Role.ADMIN)
def users(lang: str) -> Any:
    return render_template("admin/users.html", users=users_service.list_users(db.session))


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_user(lang: str) -> Any:
    form = UserForm(request.form if request.method == "POST" else None)
    other_errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if form.csrf_failed():
            other_errors["form"] = [str(CSRF_ERROR)]
            status = 400
        elif refuse_control_characters(form, "email", "name"):
            status = 422
        else:
            try:
                user = users_service.create_user(
                    db.session, form.email.data or "", form.password.data or "",
                    form.role.data or "", name=form.name.data or "", by=g.staff_user)
            except ValidationFailed as exc:
                db.session.rollback()
                other_errors = attach_errors(form, exc.errors)
                status = 422
            else:
                db.session.commit()
                flash(_("Account created for %(email)s. At the first sign-in they set up "
                        "their second factor.", email=user.email), "success")
                return _back_to(user)
    return render_template("admin/user_new.html", form=form,
                           other_errors=other_errors), status


# `max`: a larger id is a 404 rather than an integer overflow in PostgreSQL.
@bp.get("/users/<int(max=2147483647):user_id>")
@role_required(Role.ADMIN)
def user(lang: str, user_id: int) -> Any:
    return _user_page(_get_user(user_id))


@bp.post("/users/<int(max=2147483647):user_id>/role")
@role_required(Role.ADMIN)
def change_role(lang: str, user_id: int) -> Any:
    user = _get_user(user_id)
    form = RoleForm(request.form)
    if form.csrf_failed():
        return _user_page(user, role_form=form, error=CSRF_ERROR, status=400)
    if form.role.data not in {role.value for role in Role}:
        form.role.errors = [_("Choose one of the options.")]
        return _user_page(user, role_form=form, status=422)
    if _is_self(user) and form.role.data != user.role.value:
        form.role.errors = [_("You cannot change your own role. Ask another administrator.")]
        return _user_page(user, role_form=form, status=422)
    if form.role.data == user.role.value:
        flash(_("Nothing changed."), "info")
        return _back_to(user)
    users_service.set_role(db.session, user, form.role.data, by=g.staff_user)
    db.session.commit()
    flash(_("%(email)s is now: %(role)s. They were signed out everywhere.", email=user.email,
            role=ROLES[user.role]), "success")
    return _back_to(user)


@bp.post("/users/<int(max=2147483647):user_id>/active")
@role_required(Role.ADMIN)
def set_active(lang: str, user_id: int) -> Any:
    user = _get_user(user_id)
    form = EmptyForm(request.form)
    active = request.form.get("active") == "1"
    if form.csrf_failed():
        return _user_page(user, error=CSRF_ERROR, status=400)
    if _is_self(user) and not active:
        return _user_page(user, error=_("You cannot disable your own account. Ask another "
                                        "administrator."), status=422)
    if active == user.active:
        flash(_("Nothing changed."), "info")
        return _back_to(user)
    users_service.set_active(db.session, user, active, by=g.staff_user)
    db.session.commit()
    if active:
        flash(_("Account enabled: %(email)s can sign in again.", email=user.email), "success")
    else:
        flash(_("Account disabled: %(email)s was signed out everywhere and their API tokens "
                "were revoked.", email=user.email), "success")
    return _back_to(user)


@bp.post("/users/<int(max=2147483647):user_id>/reset-2fa")
@role_required(Role.ADMIN)
def reset_2fa(lang: str, user_id: int) -> Any:
    user = _get_user(user_id)
    form = EmptyForm(request.form)
    if form.csrf_failed():
        return _user_page(user, error=CSRF_ERROR, status=400)
    if _is_self(user):
        return _user_page(user, error=_("You cannot reset your own second factor. Ask another "
                                        "administrator."), status=422)
    if not user.has_2fa:
        flash(_("This account has no second factor to reset."), "info")
        return _back_to(user)
    users_service.reset_totp(db.session, user, by=g.staff_user)
    db.session.commit()
    flash(_("Second factor reset: %(email)s was signed out and sets up a new one at the next "
            "sign-in.", email=user.email), "success")
    return _back_to(user)


@bp.post("/users/<int(max=2147483647):user_id>/require-password-change")
@role_required(Role.ADMIN)
def require_password_change(lang: str, user_id: int) -> Any:
    user = _get_user(user_id)
    form = EmptyForm(request.form)
    if form.csrf_failed():
        return _user_page(user, error=CSRF_ERROR, status=400)
    if user.must_change_password:
        flash(_("Nothing changed."), "info")
        return _back_to(user)
    users_service.require_password_change(db.session, user, by=g.staff_user)
    db.session.commit()
    flash(_("%(email)s must choose a new password at the next sign-in.", email=user.email),
          "success")
    return _back_to(user)


@bp.post("/users/<int(max=2147483647):user_id>/revoke-tokens")
@role_required(Role.ADMIN)
def revoke_tokens(lang: str, user_id: int) -> Any:
    user = _get_user(user_id)
    form = EmptyForm(request.form)
    if form.csrf_failed():
        return _user_page(user, error=CSRF_ERROR, status=400)
    count = users_service.revoke_tokens(db.session, user, by=g.staff_user)
    db.session.commit()
    flash(_("This account had no API token to revoke.") if count == 0 else
          ngettext("%(num)d API token revoked.", "%(num)d API tokens revoked.", count),
          "success")
    return _back_to(user)
