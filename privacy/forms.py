"""Forms for reflection, sharing, sessions, my data and privacy settings."""
from wtforms import BooleanField, PasswordField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from couples.forms import Form
from privacy.reflection import BODY_LIMIT, PASSAGE_LIMIT, PROMPTS
from privacy.space import LENGTHS, NOTE_LIMIT


class ReflectionForm(Form):
    """Write or edit a private entry."""

    prompt = RadioField("Start from a prompt", choices=[SelectChoice(p.key, p.question) for p in PROMPTS])
    body = TextAreaField("Your words", validators=[DataRequired(), Length(max=BODY_LIMIT)])


class ShareForm(Form):
    """Choose the words to send the partner as a separate message."""

    passage = TextAreaField(
        "Words to share", validators=[DataRequired(), Length(max=PASSAGE_LIMIT)]
    )


class PasswordForm(Form):
    """Re-enter the password before something sensitive."""

    password = PasswordField("Your password", validators=[DataRequired()])


class PresenceForm(Form):
    """Whether the partner may see that you are here and typing."""

    share_presence = BooleanField("Show my partner when I am here and typing")


class SpaceForm(Form):
    """Ask for space for yourself: how long, and a note in your own words if you like."""

    length = RadioField("For how long?", choices=[SelectChoice(key, words) for key, (words, _) in LENGTHS.items()],
                        validators=[DataRequired("Please choose how long you would like.")])
    note = TextAreaField("A note for your partner (optional)", validators=[Length(max=NOTE_LIMIT)])
