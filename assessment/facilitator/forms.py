"""Facilitator forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mailadres"), validators=[
        InputRequired(message=_l("Vul uw e-mailadres in.")), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[
        InputRequired(message=_l("Vul uw wachtwoord in.")), Length(max=500)])


class AssessmentForm(FlaskForm):
    """A new assessment: which region, what to call it, which questionnaire."""

    region = StringField(_l("Regio"), validators=[
        InputRequired(message=_l("Vul de regio in.")), Length(max=200)],
        description=_l("Bijvoorbeeld: Regio Zwolle"))
    title = StringField(_l("Titel"), validators=[
        InputRequired(message=_l("Geef de scan een titel.")), Length(max=200)],
        description=_l("Bijvoorbeeld: Bestuurlijke scan voorjaar 2027"))
    questionnaire = SelectField(_l("Vragenlijst en taal"), validators=[InputRequired()])


class ActionForm(FlaskForm):
    """A button that changes state (open, close); only its CSRF token is checked."""
