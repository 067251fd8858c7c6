"""Facilitator forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mailadres"), validators=[
        InputRequired(message=_l("Vul uw e-mailadres in.")), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[
        InputRequired(message=_l("Vul uw wachtwoord in.")), Length(max=500)])


class PrepareForm(FlaskForm):
    """What a facilitator prepares: region, title, session, comparison, invitations."""

    region = StringField(_l("Regio"), validators=[
        InputRequired(message=_l("Vul de regio in.")), Length(max=200)],
        description=_l("Bijvoorbeeld: Regio Zwolle"))
    title = StringField(_l("Titel"), validators=[
        InputRequired(message=_l("Geef de scan een titel.")), Length(max=200)],
        description=_l("Bijvoorbeeld: Bestuurlijke scan voorjaar 2027"))
    session_date = DateField(_l("Datum van de bijeenkomst"), validators=[Optional()],
                             description=_l("Niet verplicht."))
    previous = SelectField(_l("Vergelijken met een eerdere ronde"), validators=[Optional()],
                           description=_l("Een eerdere scan met dezelfde vragenlijst. "
                                          "Het rapport toont dan per les de verandering."))
    invited_count = IntegerField(
        _l("Aantal uitgenodigde deelnemers"),
        validators=[Optional(), NumberRange(min=1, max=10000,
                                            message=_l("Vul een aantal van 1 tot 10.000 in."))],
        description=_l("Niet verplicht. Dan ziet u het responspercentage."))
    commissioner = StringField(
        _l("Opdrachtgever"), validators=[Optional(), Length(max=200)],
        description=_l("Wie om de scan vroeg, bijvoorbeeld: Stuurgroep Regio Zwolle. Niet "
                       "verplicht; staat op het voorblad van het rapport."))
    organisations = TextAreaField(
        _l("Deelnemende organisaties"), validators=[Optional(), Length(max=5000)],
        description=_l("Eén organisatie per regel. Niet verplicht; helpt bij het herkennen "
                       "van toelichtingen die iemand herkenbaar maken."))


class AssessmentForm(PrepareForm):
    """A new assessment: the preparation plus the questionnaire (fixed once created)."""

    questionnaire = SelectField(
        _l("Vragenlijst en taal"), validators=[InputRequired()],
        description=_l("De taal van het dashboard, het papieren formulier en het rapport. "
                       "Deelnemers kunnen de vragenlijst ook in een andere taal invullen als "
                       "die er is."))


class ShareForm(FlaskForm):
    """Add a co-facilitator by e-mail address."""

    email = EmailField(_l("E-mailadres van de collega"), validators=[
        InputRequired(message=_l("Vul een e-mailadres in.")), Length(max=254)])


class PersonalLinksForm(FlaskForm):
    """How many anonymous personal links to make."""

    count = IntegerField(_l("Aantal persoonlijke links"), validators=[
        InputRequired(message=_l("Vul een aantal in.")),
        NumberRange(min=1, max=500, message=_l("Kies een aantal van 1 tot 500."))])


class DeleteForm(FlaskForm):
    """Confirm deleting an assessment by typing its join code."""

    confirm = StringField(_l("Typ de deelnamecode om te bevestigen"), validators=[
        InputRequired(message=_l("Typ de deelnamecode."))])


class ActionForm(FlaskForm):
    """A button that changes state (open, close); only its CSRF token is checked."""
