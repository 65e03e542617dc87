"""Forms of the agreements pages (Flask-WTF: each carries a CSRF token)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from agreements.service import MAX_TITLE


class NewDocumentForm(FlaskForm):
    """Start another agreements document."""

    title = StringField("Title of the new document", validators=[DataRequired(), Length(max=MAX_TITLE)])
    suggested = BooleanField("Add the suggested sections", default=True)


class RestoreSectionForm(FlaskForm):
    """Bring one section back as it was in a version."""

    section = HiddenField(validators=[DataRequired(), Length(max=64)])
