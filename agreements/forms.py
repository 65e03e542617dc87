"""Forms of the agreements pages (Flask-WTF: each carries a CSRF token)."""
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from agreements.service import MAX_TITLE
from couples.forms import Form


class NewDocumentForm(Form):
    """Start another agreements document."""

    title = StringField("Title of the new document", validators=[DataRequired(), Length(max=MAX_TITLE)])
    suggested = BooleanField("Add the suggested sections", default=True)


class RestoreSectionForm(Form):
    """Bring one section back as it was in a version."""

    section = HiddenField(validators=[DataRequired(), Length(max=64)])
