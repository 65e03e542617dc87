"""Forms of the trust ledger (Flask-WTF: each carries a CSRF token)."""
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from couples.forms import Form
from ledger import schedule
from ledger.models import NOTE_MAX, TEXT_MAX


class WeekdaysField(SelectMultipleField):
    """Weekday checkboxes, Monday first."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PromiseForm(Form):
    """Make (or edit) a promise to the partner."""

    text = StringField("What do you promise?", validators=[DataRequired("Say in a few words what you promise."),
                                                            Length(max=TEXT_MAX)])
    kind = RadioField("How often?", default=schedule.DAILY, choices=[
        SelectChoice(schedule.DAILY, "Every day"), SelectChoice(schedule.WEEKLY, "On chosen weekdays"),
        SelectChoice(schedule.ONCE, "Once")])
    weekdays = WeekdaysField("Which weekdays?", coerce=int,
                             choices=[SelectChoice(n, name) for n, name in enumerate(schedule.WEEKDAY_NAMES)])
    starts_on = DateField("Starting (today if empty)", validators=[Optional()])
    ends_on = DateField("Ending (optional)", validators=[Optional()])
    due_on = DateField("Due by (optional, for once)", validators=[Optional()])
    agreement = SelectField("Comes from one of our agreements (optional)", choices=[], validators=[Optional()])

    def offer_agreements(self, choices) -> None:
        """Fill the agreement picker with the couple's agreements, grouped by section."""
        self.agreement.choices = [SelectChoice("", "No, it stands on its own")] + [
            SelectChoice(c.value, c.label, optgroup=c.section) for c in choices]


class DepositForm(Form):
    """Record an occurrence as kept (or missed): which day, and an optional note."""

    on = DateField("Which day?", validators=[Optional()])
    note = StringField("A note (optional)", validators=[Optional(), Length(max=NOTE_MAX)])


class ConfirmDepositForm(Form):
    """Confirm the partner's deposit, with an optional word of thanks."""

    thanks = StringField("A word of thanks (optional)", validators=[Optional(), Length(max=NOTE_MAX)])
