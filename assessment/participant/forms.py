"""Participant forms: the join code, starting, and one form per page of the path."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import ClassVar

from babel.support import NullTranslations, Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.i18n import messages_path
from wtforms.validators import InputRequired, Length, Regexp

from assessment.kept import Kept
from assessment.pages import Page
from assessment.question_types import Asked, asked_on, blocks, form_fields, registry_version
from questions.schema import ContextBlock, Questionnaire


@lru_cache(maxsize=8)
def wtforms_messages(locale: str) -> NullTranslations:
    """WTForms' own messages in ``locale``, read once per process.

    Flask-WTF reads the catalogue from disk on every request that shows a form (and on
    every form with a field without a label, such as the start key); on the participant's
    pages that was a twentieth of the request.
    """
    return Translations.load(messages_path(), [locale], domain="wtforms")


class ParticipantForm(FlaskForm):
    """Base of the participant's forms: WTForms' messages read once per process."""

    class Meta:
        def get_translations(self, form: object) -> NullTranslations:
            """WTForms' messages in the page's language (:func:`wtforms_messages`)."""
            return wtforms_messages(str(get_locale()))


class JoinForm(ParticipantForm):
    """The start page: type the join code."""

    code = StringField(
        _l("Deelnamecode"),
        validators=[InputRequired(message=_l("Vul de code in die u heeft gekregen.")),
                    Length(max=20, message=_l("Deze code is te lang."))],
        description=_l("De code staat op de uitnodiging of op het scherm, bijvoorbeeld K7RM4Q."),
    )


class StartForm(ParticipantForm):
    """The welcome page's button; its key makes a double click start one respondent."""

    start_key = HiddenField(validators=[InputRequired(), Regexp(r"^[A-Za-z0-9_-]{32,64}$")])


class SubmitForm(ParticipantForm):
    """The review page's "send in" button."""


class VoteForm(ParticipantForm):
    """The vote on priorities: the lessons to work on first (the choices are the lessons).

    The number chosen and the lesson ids are checked by :mod:`assessment.priorities`.
    """

    lessons = SelectMultipleField(_l("Lessen"), validate_choice=False)


class LanguageForm(ParticipantForm):
    """The language switch in the page header: the language, and the page to return to."""

    language = HiddenField(validators=[InputRequired(), Length(max=5)])
    next = HiddenField(validators=[Length(max=500)])


#: The action of the button back to the review page, offered on pages opened from there.
BACK_TO_REVIEW = "overzicht"
#: The value of a page form's language button starts with this, e.g. "taal:en".
SWITCH_LANGUAGE = "taal:"


class PageForm(ParticipantForm):
    """Base of the per-page forms; ``action`` says which button was pressed."""

    action = HiddenField()
    #: What the page asks, in order (set per page by :func:`page_form_class`).
    asked: tuple[Asked, ...] = ()
    #: The markup of this class's choice fields as shown without errors, by field name and
    #: chosen value (one per class, by :func:`page_form_class`; see
    #: :func:`assessment.templating.show_asked`).
    shown: ClassVar[dict[tuple[str, object], Markup] | None] = None

    @property
    def blocks(self) -> Iterator[tuple[ContextBlock | None, tuple[Asked, ...]]]:
        """What the page asks, in runs under one context block's heading (None: none)."""
        return blocks(self.asked)

    @property
    def going_back(self) -> bool:
        """Whether the participant pressed "Vorige"."""
        return bool(self.action.data == "vorige")

    @property
    def back_to_review(self) -> bool:
        """Whether the participant pressed "Terug naar het overzicht" (from the review page)."""
        return bool(self.action.data == BACK_TO_REVIEW)

    @property
    def chosen_language(self) -> str | None:
        """The language of the language button the participant pressed, if any."""
        action = str(self.action.data or "")
        return action.removeprefix(SWITCH_LANGUAGE) if action.startswith(SWITCH_LANGUAGE) else None

    def validate_page(self) -> bool:
        """Validate; going back, back to the review or switching language never fails on an
        empty choice.

        Each saves what was filled in, so a half-answered page loses nothing.
        """
        valid: bool = self.validate()
        if not valid and (self.going_back or self.back_to_review or self.chosen_language):
            for name, field in self._fields.items():
                if name != "csrf_token" and not field.raw_data:
                    field.errors = []
            valid = not any(field.errors for field in self._fields.values())
        return valid


#: Page form classes built so far, per questionnaire (the parsed, frozen one, which never
#: changes), page, text length and registry version; about fifteen pages a questionnaire.
_PAGE_FORMS: Kept[type[PageForm]] = Kept(limit=256)


def forget_page_forms() -> None:
    """Forget the page form classes built so far, with the markup they keep (for tests)."""
    _PAGE_FORMS.clear()


def page_form_class(
    questionnaire: Questionnaire, page: Page, text_max_length: int
) -> type[PageForm]:
    """A form class with one field per item on ``page``, built from the question types.

    Built once per process for each questionnaire, page and text length, while the question
    types stay the same: building the class and its fields cost more than using it.
    """
    def build() -> type[PageForm]:
        asked = asked_on(questionnaire, page)
        return type(f"PageForm_{page.id}", (PageForm,), {
            "asked": asked, "shown": {}, **form_fields(questionnaire, asked, text_max_length)})

    return _PAGE_FORMS.get((questionnaire,), (page.id, text_max_length, registry_version()),
                           build)
