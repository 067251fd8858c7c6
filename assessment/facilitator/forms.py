"""Facilitator forms: every form on the facilitator's pages, the page-wide ones in parts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from assessment import discussion, report_texts
from assessment.management import (
    MAX_COMMISSIONER_LENGTH,
    MAX_INVITED,
    MAX_ORGANISATIONS_LENGTH,
    MAX_REGION_LENGTH,
    MAX_TITLE_LENGTH,
)
from assessment.question_types import Asked
from assessment.report_texts import AdviceMode


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mailadres"), validators=[
        InputRequired(message=_l("Vul uw e-mailadres in.")), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[
        InputRequired(message=_l("Vul uw wachtwoord in.")), Length(max=500)])


class PrepareForm(FlaskForm):
    """What a facilitator prepares: region, title, session, comparison, invitations."""

    region = StringField(_l("Regio"), validators=[
        InputRequired(message=_l("Vul de regio in.")), Length(max=MAX_REGION_LENGTH)],
        description=_l("Bijvoorbeeld: Regio Zwolle"))
    title = StringField(_l("Titel"), validators=[
        InputRequired(message=_l("Geef de scan een titel.")), Length(max=MAX_TITLE_LENGTH)],
        description=_l("Bijvoorbeeld: Bestuurlijke scan voorjaar 2027"))
    session_date = DateField(_l("Datum van de bijeenkomst"), validators=[Optional()],
                             description=_l("Niet verplicht."))
    previous = SelectField(_l("Vergelijken met een eerdere ronde"), validators=[Optional()],
                           description=_l("Een eerdere scan met dezelfde vragenlijst. "
                                          "Het rapport toont dan per les de verandering."))
    invited_count = IntegerField(
        _l("Aantal uitgenodigde deelnemers"),
        validators=[Optional(), NumberRange(min=1, max=MAX_INVITED,
                                            message=_l("Vul een aantal van 1 tot 10.000 in."))],
        description=_l("Niet verplicht. Dan ziet u het responspercentage."))
    commissioner = StringField(
        _l("Opdrachtgever"), validators=[Optional(), Length(max=MAX_COMMISSIONER_LENGTH)],
        description=_l("Wie om de scan vroeg, bijvoorbeeld: Stuurgroep Regio Zwolle. Niet "
                       "verplicht; staat op het voorblad van het rapport."))
    organisations = TextAreaField(
        _l("Deelnemende organisaties"),
        validators=[Optional(), Length(max=MAX_ORGANISATIONS_LENGTH)],
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


class PaperEntryForm(FlaskForm):
    """One typed-in paper form; its one-time key makes a double submit store one respondent."""

    entry_key = HiddenField(_l("Formuliersleutel"), validators=[
        InputRequired(), Regexp(r"^[A-Za-z0-9_-]{32,64}$")])
    #: What the form asks, in order (set per questionnaire by the paper routes).
    asked: tuple[Asked, ...] = ()


# -- discussing: a page-wide form in parts --------------------------------------------


def _filled(field: Field) -> bool:
    return bool(str(field.data or "").strip())


def _lengths(limit: int) -> list[Any]:
    return [Optional(), Length(max=limit, message=_l("Gebruik hoogstens %(max)d tekens.",
                                                     max=limit))]


class PagePart(FlaskForm):
    """A part of a page-wide form (a lesson, an action); the page's one token is checked once."""

    class Meta:
        csrf = False


class LessonNoteForm(PagePart):
    """A lesson's notes and the group's conclusion, with the version the page showed."""

    notes = TextAreaField(
        _l("Notities"), validators=_lengths(discussion.MAX_NOTES_LENGTH),
        description=_l("Wat de groep over deze les zei."),
        render_kw={"rows": 5, "maxlength": discussion.MAX_NOTES_LENGTH})
    conclusion = TextAreaField(
        _l("Conclusie van de groep"), validators=_lengths(discussion.MAX_NOTES_LENGTH),
        description=_l("Waar de groep het over eens werd. Komt zo in het rapport."),
        render_kw={"rows": 3, "maxlength": discussion.MAX_NOTES_LENGTH})
    shown = HiddenField()

    def note(self) -> discussion.LessonNoteInput:
        """The lesson's notes as sent."""
        return discussion.LessonNoteInput(self.notes.data or "", self.conclusion.data or "",
                                          self.shown.data or "")


class NewActionForm(PagePart):
    """The empty row that adds an action: what, who, by when, for which lesson."""

    action = TextAreaField(
        _l("Actie"), validators=[Length(
            max=discussion.MAX_ACTION_LENGTH,
            message=_l("Gebruik hoogstens %(max)d tekens.", max=discussion.MAX_ACTION_LENGTH))],
        description=_l("Wat er gaat gebeuren."),
        render_kw={"rows": 3, "maxlength": discussion.MAX_ACTION_LENGTH})
    owner = StringField(
        _l("Wie"), validators=_lengths(discussion.MAX_OWNER_LENGTH),
        description=_l("Een persoon, rol of organisatie. Niet verplicht."),
        render_kw={"maxlength": discussion.MAX_OWNER_LENGTH})
    term = StringField(
        _l("Wanneer"), validators=_lengths(discussion.MAX_TERM_LENGTH),
        description=_l("Bijvoorbeeld: vóór 1 juli. Niet verplicht."),
        render_kw={"maxlength": discussion.MAX_TERM_LENGTH})
    lesson = SelectField(_l("Bij welke les"), validators=[Optional()],
                         description=_l("Niet verplicht."))

    @property
    def filled_in(self) -> bool:
        """Whether anything was typed or chosen in the row."""
        return any(_filled(f) for f in (self.action, self.owner, self.term, self.lesson))

    def validate_action(self, field: Field) -> None:
        """An empty row adds nothing; a row with anything in it needs a description."""
        if not _filled(field) and self.filled_in:
            raise ValidationError(_("Beschrijf de actie."))

    def action_input(self) -> discussion.ActionInput:
        """The action as typed."""
        return discussion.ActionInput(
            action=self.action.data or "", owner=self.owner.data or "",
            term=self.term.data or "", lesson_id=self.lesson.data or None)


class ActionRowForm(NewActionForm):
    """An action on the list: editable, or ticked to be removed."""

    remove = BooleanField(_l("Verwijderen"))
    shown = HiddenField()
    #: Whether the page sent this row (rows added by a colleague since are not sent).
    sent = False

    def validate_action(self, field: Field) -> None:
        """A kept action needs a description."""
        if not _filled(field) and not self.remove.data:
            raise ValidationError(_("Beschrijf de actie, of kies ‘Verwijderen’."))


def all_valid(parts: Iterable[FlaskForm]) -> bool:
    """Validate every part (not only up to the first error), so all errors are shown."""
    return all([part.validate() for part in parts])


class RedactForm(FlaskForm):
    """The facilitator's version of a free text, with what identifies someone taken out."""

    text = TextAreaField(
        _l("Aangepaste tekst"), validators=[
            DataRequired(message=_l("Vul een tekst in. Wilt u de tekst helemaal niet tonen? "
                                    "Sluit hem dan uit.")),
            Length(max=discussion.MAX_REDACTED_LENGTH,
                   message=_l("Gebruik hoogstens %(max)d tekens.",
                              max=discussion.MAX_REDACTED_LENGTH))],
        description=_l("Haal namen, functies en andere details weg waaraan iemand te herkennen "
                       "is. Alleen deze versie verschijnt daarna nog: op de projector, in het "
                       "rapport en in de exports."),
        render_kw={"rows": 6, "maxlength": discussion.MAX_REDACTED_LENGTH})


# -- the report's texts -----------------------------------------------------------------


_TOO_LONG = _l("Gebruik hoogstens %(max)d tekens.", max=report_texts.MAX_TEXT_LENGTH)


class ForewordForm(PagePart):
    """The report's foreword, with the version the page showed."""

    text = TextAreaField(
        _l("Voorwoord"),
        validators=[Optional(), Length(max=report_texts.MAX_TEXT_LENGTH, message=_TOO_LONG)],
        description=_l("Staat vooraan in het rapport, na de inhoudsopgave. Niet verplicht."),
        render_kw={"rows": 8, "maxlength": report_texts.MAX_TEXT_LENGTH})
    shown = HiddenField()

    def sent(self) -> report_texts.ReportTextInput:
        """The foreword as sent."""
        return report_texts.ReportTextInput(self.text.data or "", AdviceMode.REPLACE,
                                            self.shown.data or "")


class OwnAdviceForm(PagePart):
    """A lesson's own text on the advice, whether it replaces or extends it, and its version."""

    mode = RadioField(
        _l("Wat doet uw tekst?"),
        choices=[SelectChoice(AdviceMode.EXTEND.value, _l("Vult het advies aan")),
                 SelectChoice(AdviceMode.REPLACE.value, _l("Vervangt het advies"))],
        default=AdviceMode.EXTEND.value,
        validators=[Optional()])
    text = TextAreaField(
        _l("Eigen tekst bij het advies"),
        validators=[Optional(), Length(max=report_texts.MAX_TEXT_LENGTH, message=_TOO_LONG)],
        description=_l("Komt in het rapport onder ‘Toelichting van de procesbegeleider’, of "
                       "als ‘Advies van de procesbegeleider’ in plaats van het advies. Niet "
                       "verplicht."),
        render_kw={"rows": 4, "maxlength": report_texts.MAX_TEXT_LENGTH})
    shown = HiddenField()

    def sent(self) -> report_texts.ReportTextInput:
        """The lesson's text as sent."""
        return report_texts.ReportTextInput(self.text.data or "",
                                            self.mode.data or AdviceMode.EXTEND,
                                            self.shown.data or "")


class FinalForm(ActionForm):
    """Mark the report final: the texts' fingerprint as the page showed them."""

    texts = HiddenField()


class ProgrammeChoiceForm(FlaskForm):
    """Whether the scan takes part in a programme's landscape, and whether it is named."""

    programme = SelectField(_l("Programma"), validators=[InputRequired()])
    named = BooleanField(_l("Noem de naam van onze regio (anders staat ze er anoniem in)"))


# -- invitations by e-mail ------------------------------------------------------------


#: The most characters a pasted address list may have (also what an uploaded file may give).
MAX_ADDRESS_LIST = 100_000


class AddressesForm(FlaskForm):
    """Addresses to invite: pasted, or a file; and the language of their e-mail."""

    addresses = TextAreaField(
        _l("E-mailadressen"), validators=[Optional(), Length(max=MAX_ADDRESS_LIST)],
        description=_l("Eén adres per regel, of de adressen uit uw mailprogramma (gescheiden "
                       "door ; of ,). Of plak een lijst uit Excel of een CSV-bestand met een "
                       "kolom ‘e-mail’."))
    upload = FileField(_l("Of kies een bestand"),
                       description=_l("Een CSV- of tekstbestand met de adressen."))
    language = SelectField(_l("Taal van de e-mail"), validators=[InputRequired()])


class MailTextsForm(FlaskForm):
    """The texts of the invitation and the reminder per language, and the last day to answer.

    The text fields are added per language by :func:`mail_texts_form`; each is named
    ``<language>-<kind>-subject`` or ``-body``.
    """

    answer_by = DateField(_l("Invullen kan tot en met"), validators=[Optional()],
                          description=_l("Staat in de e-mail als {sluitdatum}. Niet "
                                         "verplicht."))


def mail_texts_form(languages: Iterable[str]) -> type[MailTextsForm]:
    """A texts form with a subject and a body per language and kind of e-mail."""
    names = {"nl": _l("Nederlands"), "en": _l("Engels")}
    kinds = {"invitation": _l("uitnodiging"), "reminder": _l("herinnering")}

    class Texts(MailTextsForm):
        pass

    for language in languages:
        for kind, kind_name in kinds.items():
            setattr(Texts, f"{language}-{kind}-subject", StringField(
                _l("Onderwerpregel van de %(kind)s (%(language)s)", kind=kind_name,
                   language=names.get(language, language)),
                validators=[InputRequired(message=_l("Vul een onderwerpregel in.")),
                            Length(max=200)]))
            setattr(Texts, f"{language}-{kind}-body", TextAreaField(
                _l("Tekst van de %(kind)s (%(language)s)", kind=kind_name,
                   language=names.get(language, language)),
                validators=[InputRequired(message=_l("Vul een tekst in.")),
                            Length(max=10_000)]))
    return Texts


class ReminderForm(FlaskForm):
    """Send a reminder; ``round`` is the reminder round the page showed."""

    round = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])
