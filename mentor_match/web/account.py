"""Account settings: password, personal API tokens, and signing out everywhere."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from mentor_match.auth import login_required, sign_out_elsewhere
from mentor_match.extensions import db
from mentor_match.services import accounts
from mentor_match.services.errors import Invalid

bp = Blueprint("account", __name__, url_prefix="/account")


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=500)])
    new = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=accounts.MIN_PASSWORD_LENGTH, max=500),
        ],
        description=f"At least {accounts.MIN_PASSWORD_LENGTH} characters.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")],
    )
    submit = SubmitField("Change password")


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(), Length(max=100)],
        description="What the token is for, e.g. 'HR sync script'.",
    )
    submit = SubmitField("Create token")


class RevokeForm(FlaskForm):
    token_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Revoke")


def _render(password_form=None, token_form=None, new_token=None, status=200):  # noqa: ANN001, ANN202
    tokens = accounts.list_api_tokens(db.session, current_user)
    return (
        render_template(
            "account/settings.html",
            password_form=password_form or PasswordForm(prefix="pw"),
            token_form=token_form or TokenForm(prefix="tok"),
            revoke_form=RevokeForm(prefix="rev"),
            tokens=tokens,
            new_token=new_token,
        ),
        status,
    )


@bp.get("/")
@login_required
def settings():  # noqa: ANN201
    return _render()


@bp.post("/password")
@login_required
def change_password():  # noqa: ANN201
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data or "", form.new.data or "")
        except Invalid as exc:
            form.current.errors = [exc.message] if exc.code == "wrong_password" else []
            if exc.code != "wrong_password":
                form.new.errors = [exc.message]
            return _render(password_form=form, status=422)
        sign_out_elsewhere(current_user)
        flash("Your password is changed. Other devices have been signed out.", "success")
        return redirect(url_for("account.settings"))
    return _render(password_form=form, status=422)


@bp.post("/tokens")
@login_required
def create_token():  # noqa: ANN201
    form = TokenForm(prefix="tok")
    if not form.validate_on_submit():
        return _render(token_form=form, status=422)
    token, raw = accounts.create_api_token(db.session, current_user, form.name.data or "")
    return _render(new_token=(token, raw))


@bp.post("/tokens/revoke")
@login_required
def revoke_token():  # noqa: ANN201
    form = RevokeForm(prefix="rev")
    if form.validate_on_submit() and (form.token_id.data or "").isdigit():
        token = accounts.revoke_api_token(db.session, current_user, int(form.token_id.data))
        flash(f"Token '{token.name}' is revoked.", "success")
    return redirect(url_for("account.settings"))


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():  # noqa: ANN201
    sign_out_elsewhere(current_user)
    flash("Every other session has been signed out.", "success")
    return redirect(url_for("account.settings"))
