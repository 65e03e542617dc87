"""Forms of the mirroring dialogue. They check shape only; the state machine decides what is allowed."""
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Optional
from wtforms.widgets import HiddenInput

from couples.forms import Form
from dialogue import machine

LATER_CHOICES = [(30, "In 30 minutes"), (60, "In 1 hour"), (120, "In 2 hours"), (240, "In 4 hours"),
                 (480, "In 8 hours"), (720, "In 12 hours"), (1440, "Tomorrow at this time")]


class InviteForm(Form):
    """Propose a dialogue about one topic."""

    topic = StringField("What would you like to talk about? One sentence is enough.",
                        validators=[DataRequired(message="Please write a topic.")],
                        render_kw={"maxlength": machine.MAX_TOPIC})


class TurnForm(Form):
    """One step of the dialogue: which action, the turn it answers, and the text if the step takes one."""

    index = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    action = HiddenField(validators=[DataRequired()])
    text = TextAreaField("Your words", validators=[Optional()],
                         render_kw={"maxlength": machine.MAX_TEXT, "rows": 4})
    later_minutes = IntegerField("When would be better?",
                                 validators=[Optional(), AnyOf([minutes for minutes, _ in LATER_CHOICES])])
    later_choices = LATER_CHOICES
