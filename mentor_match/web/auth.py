"""Signing in and out."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from mentor_match.auth import sign_in, sign_out
from mentor_match.edge import base_url
from mentor_match.extensions import db
from mentor_match.services import accounts, password_reset
from mentor_match.services.errors import Invalid
from mentor_match.transaction import keep_changes

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from mentor_match.models import User

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=500)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site, never to another host."""
    if not target:
        return url_for("main.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = accounts.authenticate(
            db.session,
            form.email.data or "",
            form.password.data or "",
            address=request.remote_addr or "unknown",
            limit=current_app.config["LOGIN_LIMIT"],
            window_seconds=current_app.config["LOGIN_LIMIT_WINDOW_SECONDS"],
        )
        if user is not None:
            sign_in(user, remember=bool(form.remember.data))
            flash(f"Welcome, {user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        flash("That email and password do not match an active account.", "error")
        keep_changes()  # the failed attempt is counted: the login limit holds
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():  # noqa: ANN201
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


class WelcomeForm(FlaskForm):
    password = PasswordField(
        "Choose a password",
        validators=[DataRequired(), Length(min=accounts.MIN_PASSWORD_LENGTH, max=500)],
        description=f"At least {accounts.MIN_PASSWORD_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set my password and sign in")


def _choose_password(
    token: str,
    *,
    template: str,
    form: WelcomeForm,
    find_user: Callable[[Session, str, str], User],
    set_password: Callable[[Session, str, str, str], object],
    done: str,
):  # noqa: ANN202
    """A one-time link's page: the person it names chooses a password and is signed in.

    `find_user` refuses a link that is expired, used or not ours (answered 400 with the
    reason); `set_password(session, token, password, secret)` writes the password (Invalid
    when it is too weak); `done` is flashed, formatted with the person's `name`."""
    secret = current_app.config["SECRET_KEY"]
    try:
        user = find_user(db.session, token, secret)
    except Invalid as exc:
        return render_template(template, problem=exc.message, form=None), 400
    if form.validate_on_submit():
        try:
            set_password(db.session, token, form.password.data or "", secret)
        except Invalid as exc:
            form.password.errors = [exc.message]  # answered 400: nothing is written
        else:
            sign_in(user, remember=False)
            flash(done.format(name=user.name), "success")
            return redirect(url_for("main.index"))
    status = 400 if form.is_submitted() else 200
    return render_template(template, form=form, user=user, problem=None), status


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str):  # noqa: ANN201
    """The invitation link: a new person chooses their first password, then is signed in."""
    return _choose_password(
        token,
        template="auth/welcome.html",
        form=WelcomeForm(),
        find_user=accounts.user_for_invitation,
        set_password=accounts.accept_invitation,
        done="Welcome, {name}. Your password is set.",
    )


class ForgotForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired("Give the email you sign in with."), Length(max=254)],
        description="The address you sign in with. We mail it a link to choose a new password.",
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField("Mail me a reset link")


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():  # noqa: ANN201
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        password_reset.request_reset(
            db.session,
            form.email.data or "",
            base_url=base_url(),
            secret_key=current_app.config["SECRET_KEY"],
        )
        flash(
            "If an account uses that address, a link to choose a new password is on its way. "
            f"It works once, for {password_reset.RESET_HOURS} hours.",
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form), status


class ResetForm(WelcomeForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=accounts.MIN_PASSWORD_LENGTH, max=500)],
        description=f"At least {accounts.MIN_PASSWORD_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set the new password and sign in")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):  # noqa: ANN201
    """The mailed link: choose a new password; every other session is signed out."""

    def reset(session: Session, token: str, password: str, secret: str) -> None:
        user = password_reset.reset_password(session, token, password, secret)
        accounts.close_other_login_sessions(session, user, None)

    return _choose_password(
        token,
        template="auth/reset.html",
        form=ResetForm(),
        find_user=password_reset.user_for_reset,
        set_password=reset,
        done="Your new password is set, and every other device is signed out.",
    )
