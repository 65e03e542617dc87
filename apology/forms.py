"""Forms of the guided apology (Flask-WTF: each carries a CSRF token). They check shape; the service decides."""
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from apology.models import ANSWERS, PART_MAX
from couples.forms import Form

TOO_LONG = f"Each part can hold up to {PART_MAX:,} characters. Shorter is often kinder to read."


def _part(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=PART_MAX, message=TOO_LONG)],
                         render_kw={"rows": 4, "maxlength": PART_MAX})


class ApologyForm(Form):
    """The four parts an apology is written in; saving keeps them, sending sends them."""

    what_i_did = _part("What I did")
    how_it_affected = _part("How it may have affected you")
    responsibility = _part("That I take responsibility")
    differently = _part("What I will do differently")


class AnswerForm(Form):
    """The partner's answer to a letter."""

    answer = RadioField("Your answer", choices=[SelectChoice(value, words) for value, words in ANSWERS.items()])
