"""Account settings: password, personal API tokens, and signing out everywhere."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from mentor_match.auth import login_required, serves_site_scopes, sign_out_elsewhere
from mentor_match.extensions import db
from mentor_match.services import accounts, confirmations
from mentor_match.services.errors import Invalid
from mentor_match.web.confirming import Confirmation, confirm_page

bp = Blueprint("account", __name__, url_prefix="/account")


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=500)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=accounts.MIN_PASSWORD_LENGTH, max=500),
        ],
        description=f"At least {accounts.MIN_PASSWORD_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")],
        render_kw={"autocomplete": "new-password"},
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


NEW_TOKEN_KEY = "new_api_token"  # noqa: S105 - a session key, not a secret


@bp.get("/")
@login_required
@serves_site_scopes  # one's own account
def settings():  # noqa: ANN201
    new_token = None
    shown = session.pop(NEW_TOKEN_KEY, None)
    if isinstance(shown, list) and len(shown) == 2:
        token = next(
            (t for t in accounts.list_api_tokens(db.session, current_user) if t.id == shown[0]),
            None,
        )
        if token is not None:
            new_token = (token, shown[1])
    response = make_response(_render(new_token=new_token))
    if new_token is not None:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/password")
@login_required
@serves_site_scopes  # one's own account
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
@serves_site_scopes  # one's own account
def create_token():  # noqa: ANN201
    form = TokenForm(prefix="tok")
    if not form.validate_on_submit():
        return _render(token_form=form, status=422)
    token, raw = accounts.create_api_token(db.session, current_user, form.name.data or "")
    # Post/redirect/get: a reload shows the settings page again instead of creating a second
    # token. The raw token rides in the signed session cookie for this one redirect only.
    session[NEW_TOKEN_KEY] = [token.id, raw]
    return redirect(url_for("account.settings"))


@bp.get("/tokens/<int:token_id>/revoke")
@login_required
@serves_site_scopes  # one's own account
def confirm_revoke(token_id: int):  # noqa: ANN201
    """Ask first: scripts using the token stop working at once."""
    token = confirmations.api_token(db.session, current_user, token_id)
    return confirm_page(
        Confirmation(
            title="Revoke this token?",
            question=f"The API token “{token.name}” (starting {token.prefix}…) will stop working "
            "at once.",
            action=url_for("account.revoke_token"),
            button="Revoke the token",
            back=url_for("account.settings"),
            consequences=["Every script or tool using it is refused from now on."],
            nobody_told="Nobody is sent a message: tell whoever runs scripts with it.",
            fields={"rev-token_id": str(token.id), "rev-csrf_token": generate_csrf()},
        )
    )


@bp.post("/tokens/revoke")
@login_required
@serves_site_scopes  # one's own account
def revoke_token():  # noqa: ANN201
    form = RevokeForm(prefix="rev")
    if form.validate_on_submit() and (form.token_id.data or "").isdigit():
        token = accounts.revoke_api_token(db.session, current_user, int(form.token_id.data))
        flash(f"Token '{token.name}' is revoked.", "success")
    return redirect(url_for("account.settings"))


@bp.post("/sign-out-everywhere")
@login_required
@serves_site_scopes  # one's own account
def sign_out_everywhere():  # noqa: ANN201
    sign_out_elsewhere(current_user)
    flash("Every other session has been signed out.", "success")
    return redirect(url_for("account.settings"))
