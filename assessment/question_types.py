"""Question types as a table: each type's name → how it builds its form field.

A page's form is made of these fields; adding a question type adds a row here, never an
``if`` in a view. Field names carry a prefix per kind, so a posted name that no field of
the page has can be recognised as tampering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from questions.schema import OpenQuestion, ProfileQuestion, Questionnaire, Statement

#: Prefixes of the posted names: answers, free texts, profile choices.
ANSWER, TEXT, PROFILE = "a_", "t_", "p_"
FIELD_PREFIXES = (ANSWER, TEXT, PROFILE)


@dataclass(frozen=True)
class FieldSpec:
    """What a field needs to be built: the item, the questionnaire and the page's limits."""

    item: Any
    questionnaire: Questionnaire
    text_max_length: int
    label: str | None = None


class NotSent:
    """Stop validating a field that was not posted at all (a statement left unanswered).

    Unlike WTForms' Optional, a field posted empty or with spaces is not "not sent": it goes
    on to the choice check and is refused, since no browser sends that for a radio group.
    """

    field_flags = {"optional": True}  # noqa: RUF012 - WTForms reads this class attribute

    def __call__(self, form: Any, field: Field) -> None:
        if not field.raw_data:
            field.errors[:] = []
            raise StopValidation()


def normalise_newlines(text: str | None) -> str | None:
    """Line breaks as one character, as the browser counted them for ``maxlength``."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


def _statement_field(spec: FieldSpec) -> Field:
    statement: Statement = spec.item
    scale = spec.questionnaire.statement_scale(statement)
    choices = [SelectChoice(str(p.value), p.label) for p in scale.points]
    choices += [SelectChoice(o.code, o.label) for o in scale.non_valid]
    return RadioField(statement.text, choices=choices, validators=[NotSent()])


def _profile_field(spec: FieldSpec) -> Field:
    question: ProfileQuestion = spec.item
    return RadioField(
        question.label,
        choices=[SelectChoice(o.id, o.label) for o in question.options],
        validators=[InputRequired(message=_l("Kies een antwoord."))],
        description=question.hint or "",
    )


def _text_field(spec: FieldSpec) -> Field:
    # An open question, or a lesson whose comment box this is (then spec.label names it).
    item: OpenQuestion | Any = spec.item
    label = spec.label or item.text
    return TextAreaField(
        label,
        filters=[normalise_newlines],
        validators=[
            Optional(),
            Length(
                max=spec.text_max_length,
                message=_l("Uw tekst is te lang: maximaal %(max)d tekens.",
                           max=spec.text_max_length),
            ),
        ],
        description=getattr(item, "hint", None) or "",
    )


#: type name → (field-name prefix, field builder)
QUESTION_TYPES: dict[str, tuple[str, Callable[[FieldSpec], Field]]] = {
    "statement": (ANSWER, _statement_field),
    "profile": (PROFILE, _profile_field),
    "text": (TEXT, _text_field),
}


def field_name(type_name: str, item_id: str) -> str:
    """The posted name of an item's field."""
    return QUESTION_TYPES[type_name][0] + item_id


def build_field(type_name: str, spec: FieldSpec) -> tuple[str, Field]:
    """The field name and unbound field for one item."""
    prefix, builder = QUESTION_TYPES[type_name]
    return prefix + spec.item.id, builder(spec)
