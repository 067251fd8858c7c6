"""Admin forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length


class FacilitatorForm(FlaskForm):
    """A new facilitator account."""

    email = EmailField(_l("E-mailadres"), validators=[
        InputRequired(message=_l("Vul een e-mailadres in.")), Length(max=254)])
    name = StringField(_l("Naam"), validators=[Length(max=200)])
    password = PasswordField(_l("Eerste wachtwoord"), validators=[
        InputRequired(message=_l("Vul een wachtwoord in.")), Length(max=500)],
        description=_l("Minstens 10 tekens. Geef het veilig door; laat het daarna wijzigen."))
    is_admin = BooleanField(_l("Mag procesbegeleiders beheren"))


class PasswordResetForm(FlaskForm):
    """A new password for a facilitator."""

    password = PasswordField(_l("Nieuw wachtwoord"), validators=[
        InputRequired(message=_l("Vul een wachtwoord in.")), Length(max=500)],
        description=_l("Minstens 10 tekens."))


class BackupForm(FlaskForm):
    """The confirmation before a backup with the raw answers of a scan is downloaded."""

    reason = StringField(_l("Waarom maakt u deze back-up?"), validators=[
        InputRequired(message=_l("Schrijf kort op waarom u de back-up maakt.")),
        Length(max=200)],
        description=_l("Bijvoorbeeld: de scan verhuist naar de installatie van de regio. "
                       "Dit komt in het logboek."))
    confirm = BooleanField(_l("Ik begrijp dat dit bestand de antwoorden per deelnemer bevat, "
                              "en ik bewaar het veilig."), validators=[
        InputRequired(message=_l("Vink aan dat u dit begrijpt."))])


class ProgrammeForm(FlaskForm):
    """A new programme: a name and the questionnaire its scans use."""

    name = StringField(_l("Naam van het programma"), validators=[
        InputRequired(message=_l("Vul een naam in.")), Length(max=200)],
        description=_l("Bijvoorbeeld: Regio Deals Oost."))
    questionnaire = SelectField(_l("Vragenlijst"), validators=[
        InputRequired(message=_l("Kies een vragenlijst."))],
        description=_l("Alleen scans met deze vragenlijst en dezelfde lessen kunnen meedoen."))


class ProgrammeOwnerForm(FlaskForm):
    """An account that becomes an owner of a programme."""

    email = EmailField(_l("E-mailadres van de programma-eigenaar"), validators=[
        InputRequired(message=_l("Vul een e-mailadres in.")), Length(max=254)],
        description=_l("Het account moet al bestaan; maak het zo nodig aan onder Beheer."))


class ConfirmForm(FlaskForm):
    """A button that changes something (remove an owner); only its CSRF token is checked."""
