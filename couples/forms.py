"""Forms for accounts and linking (Flask-WTF: each carries a CSRF token)."""
from flask import request
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import ImmutableMultiDict

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from couples import zones
from couples.accounts import NAME_MAX, PASSWORD_MAX, PASSWORD_MIN


class Form(FlaskForm):
    """Every form of the app: text fields read text only, so a file or a JSON value of another type sent where text
    belongs leaves the field empty, and the form refuses it calmly like any missing answer."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is not _Auto or not _is_submitted():
                return super().wrap_formdata(form, formdata)
            if request.is_json:
                data = request.get_json(silent=True)
                fields = data.items() if isinstance(data, dict) else ()
                return ImmutableMultiDict([(name, value) for name, value in fields if isinstance(value, str)])
            return request.form  # uploaded files (request.files) are never read: no form takes one


class SignupForm(Form):
    """Create an account."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    display_name = StringField("What should your partner see as your name?", validators=[DataRequired(), Length(max=NAME_MAX)])
    password = PasswordField(
        f"Password ({PASSWORD_MIN} to {PASSWORD_MAX} characters)",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
    )
    confirm = PasswordField("Password again", validators=[DataRequired(), EqualTo("password", "The two passwords differ.")])
    time_zone = HiddenField(default="UTC")


class LoginForm(Form):
    """Sign in."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class ChangePasswordForm(Form):
    """Change the password; other sessions end."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    password = PasswordField(
        f"New password ({PASSWORD_MIN} to {PASSWORD_MAX} characters)",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
    )
    confirm = PasswordField("New password again", validators=[DataRequired(), EqualTo("password", "The two passwords differ.")])


class DeleteAccountForm(Form):
    """Delete the account after re-entering the password."""

    password = PasswordField("Your password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    confirm = BooleanField("I understand this cannot be undone.", validators=[DataRequired("Please tick the box to confirm.")])


class ButtonForm(Form):
    """A button that changes something, and nothing else: the form carries only the CSRF token (invite, cancel,
    log out, end a space, delete requests...). Every feature uses this one."""


class JoinCodeForm(Form):
    """Type the code your partner read to you."""

    code = StringField("Invitation code", validators=[DataRequired(), Length(max=20)])


class UnlinkForm(Form):
    """Unlink, after one confirmation."""

    confirm = BooleanField("Yes, unlink us now.", validators=[DataRequired("Please tick the box to confirm.")])


def time_zone_choices() -> dict[str, list[tuple[str, str]]]:
    """Places to choose from, region by region, common ones first (the person's own zone always among them)."""
    return zones.choices(current_user.time_zone if current_user.is_authenticated else None)


class ProfileForm(Form):
    """The name the partner sees, and the time zone that decides which day a promise falls on."""

    display_name = StringField("Your name, as your partner sees it", validators=[DataRequired(), Length(max=NAME_MAX)])
    time_zone = SelectField("Your time zone", choices=time_zone_choices, validate_choice=True)
