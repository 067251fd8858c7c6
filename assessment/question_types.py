"""Question types as a table: one row per kind of item holds everything about that kind.

A row says which items of a questionnaire are of its kind and where the path asks them,
the form field it builds (for a participant's page and for typing in a paper form), how a
posted field is decoded and how a decoded value is checked against the questionnaire, in
which part of :class:`assessment.participation.PageAnswers` (and so in which stored table)
its answers live, the template macros that show it on a page and print it on the blank
paper form, how its answers are summarised, and (for a type without a table of its own
elsewhere) the table its summaries show as in the exports and on the facilitator's scan
page. The participant's page, the paper forms, the saving of answers and their check, the
backup's check, the exports and the scan page iterate over :data:`QUESTION_TYPES`; adding a
question type adds a row (:func:`register`), never an ``if`` in a view.

Field names carry a prefix per kind, so a posted name that no field of the form has can be
recognised as tampering (:func:`unknown_items`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from assessment.aggregation import option_counts, statement_summary
from assessment.pages import Page
from questions.schema import ContextBlock, Lesson, OpenQuestion, Questionnaire, Scale

#: Where a type's answers are kept: a part of ``PageAnswers``, each with its own table
#: (``answers``: one row per respondent and item with a code; ``texts``: a free text per
#: respondent and topic, moderated before it shows; ``profile``: the respondent's own
#: choices, one value per question).
Storage = Literal["answers", "texts", "profile"]


@dataclass(frozen=True)
class FieldSpec:
    """What a field needs to be built: the item, the questionnaire and the page's limits."""

    item: Any
    questionnaire: Questionnaire
    text_max_length: int


@dataclass(frozen=True)
class Asked:
    """One item as a form asks it: its type, the item, its number and the block it is in.

    ``number`` is shown before the question (a lesson's statements on their page, every
    statement on paper); ``block`` is the context block whose heading comes before it;
    ``scale`` the scale its answer is on, if it has one (on paper, consecutive items of a
    type that share a scale print together: statements as one table with one header).
    """

    kind: QuestionType
    item: Any
    number: int | None = None
    block: ContextBlock | None = None
    scale: Scale | None = None

    @property
    def name(self) -> str:
        """The posted name of the item's field."""
        return self.kind.prefix + str(self.item.id)


#: One cell of a summary table: text, a count, a figure, a yes/no flag, or empty.
Cell = str | int | float | bool | None


@dataclass(frozen=True)
class SummaryTable:
    """How a type's item summaries show as a table: one row per item.

    ``row(item, summary)`` gives the cells under ``columns``; ``summary`` is None when the
    figures are withheld (fewer than three answers) or no longer there (the raw answers were
    purged), and the row then holds the item's label and empty cells. The aggregates export
    (:mod:`assessment.exchange`) puts the item's id before the cells and a note after them;
    the facilitator's scan page shows the same cells.
    """

    title: str
    columns: tuple[str, ...]
    row: Callable[[Any, object | None], tuple[Cell, ...]]


@dataclass(frozen=True)
class QuestionType:
    """Everything about one kind of item (see the module's docstring).

    ``items`` gives every item of the kind by id (what a posted value may answer);
    ``asks`` the items one page of the path asks, in order. ``decode`` turns a validated
    field into the value to store, None for "not answered" (the stored value stays).
    ``check`` returns what is wrong with a value for an item, or None. ``macro`` names
    the template macro that shows the field, as "template:macro"; it is called with the
    bound field and the :class:`Asked`. ``print_macro`` names the macro that prints the
    type's items on the blank paper form; it is called with a
    :class:`assessment.paper.PrintRun` (consecutive items of the type that share a scale)
    and the questionnaire. ``summarise`` gives the group's figures for one item from the
    values the counted respondents stored for it. ``summary_table``, when given, shows
    those figures in the exports and on the scan page; the product's own types leave it
    out, since their figures have tables of their own there (lessons, statements, context,
    organisation types, free texts).
    """

    name: str
    prefix: str
    storage: Storage
    items: Callable[[Questionnaire], Mapping[str, Any]]
    asks: Callable[[Questionnaire, Page], Iterable[Asked]]
    build_field: Callable[[FieldSpec], Field]
    build_paper_field: Callable[[FieldSpec], Field]
    decode: Callable[[Field], str | None]
    check: Callable[[Questionnaire, Any, str], str | None]
    macro: str
    print_macro: str
    summarise: Callable[[Questionnaire, Any, Iterable[str]], object]
    summary_table: SummaryTable | None = None


#: The registry: type name → row, in the order a page asks the types.
QUESTION_TYPES: dict[str, QuestionType] = {}

#: Counts the registry's changes, so what is built from it can be kept until it changes.
_registry_version = 0


def register(kind: QuestionType) -> QuestionType:
    """Add a question type to the table (after the others); its name and prefix are its own."""
    global _registry_version
    if kind.name in QUESTION_TYPES:
        raise ValueError(f"question type {kind.name!r} is registered already")
    if any(kind.prefix == other.prefix for other in QUESTION_TYPES.values()):
        raise ValueError(f"the field prefix {kind.prefix!r} belongs to another question type")
    QUESTION_TYPES[kind.name] = kind
    _registry_version += 1
    return kind


def unregister(name: str) -> None:
    """Take a question type out of the table again (a test's own type, after the test)."""
    global _registry_version
    del QUESTION_TYPES[name]
    _registry_version += 1


def registry_version() -> int:
    """A number that changes whenever a type is registered or unregistered."""
    return _registry_version


def field_name(type_name: str, item_id: str) -> str:
    """The posted name of an item's field."""
    return QUESTION_TYPES[type_name].prefix + item_id


def asked_on(questionnaire: Questionnaire, page: Page) -> tuple[Asked, ...]:
    """What a page of the path asks: each type's items on it, type by type."""
    return tuple(asked for kind in QUESTION_TYPES.values()
                 for asked in kind.asks(questionnaire, page))


def blocks(asked: Iterable[Asked]) -> Iterator[tuple[ContextBlock | None, tuple[Asked, ...]]]:
    """The asked items in runs under one block heading (None: no heading), for templates."""
    for block, run in groupby(asked, key=lambda item: item.block):
        yield block, tuple(run)


def unknown_items(fields: Mapping[str, Field], posted: Iterable[str]) -> list[str]:
    """Posted names that look like items but are not on the form (tampering or a stale page)."""
    prefixes = tuple(kind.prefix for kind in QUESTION_TYPES.values())
    return sorted(name for name in posted if name.startswith(prefixes) and name not in fields)


def owner(questionnaire: Questionnaire, storage: Storage, item_id: str
          ) -> tuple[QuestionType, Any] | None:
    """The type and item a stored value of ``storage`` under ``item_id`` answers, if any."""
    for kind in QUESTION_TYPES.values():
        if kind.storage == storage:
            item = kind.items(questionnaire).get(item_id)
            if item is not None:
                return kind, item
    return None


# -- shared pieces ------------------------------------------------------------------------


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


def _left_blank() -> SelectChoice:
    """The paper form's option to undo a mis-click: the question stays unanswered."""
    return SelectChoice("", _("Niet ingevuld"))


def _chosen(field: Field) -> str | None:
    """A choice as posted; an empty one (nothing chosen, or "Niet ingevuld") is none."""
    return str(field.data) if field.data else None


# -- statement: agree or disagree on a scale ----------------------------------------------


def _statements_asked(questionnaire: Questionnaire, page: Page) -> Iterator[Asked]:
    if page.lesson is not None:
        yield from (Asked(STATEMENT, s, number=n, scale=questionnaire.statement_scale(s))
                    for n, s in enumerate(page.lesson.statements, start=1))
    for block in page.blocks:
        yield from (Asked(STATEMENT, s, block=block, scale=questionnaire.statement_scale(s))
                    for s in block.statements)


def _statement_choices(spec: FieldSpec, numbered: bool) -> list[SelectChoice]:
    scale = spec.questionnaire.statement_scale(spec.item)
    return ([SelectChoice(str(p.value), f"{p.value} {p.label}" if numbered else p.label)
             for p in scale.points]
            + [SelectChoice(o.code, o.label) for o in scale.non_valid])


def _statement_field(spec: FieldSpec) -> Field:
    return RadioField(spec.item.text, choices=_statement_choices(spec, numbered=False),
                      validators=[NotSent()])


def _statement_paper_field(spec: FieldSpec) -> Field:
    # On paper the points are numbers to tick; whoever types the form in reads them.
    return RadioField(spec.item.text,
                      choices=[*_statement_choices(spec, numbered=True), _left_blank()],
                      validators=[NotSent()])


def _check_statement(questionnaire: Questionnaire, statement: Any, value: str) -> str | None:
    if value not in questionnaire.statement_scale(statement).answer_codes():
        return f"'{value}' is not on the scale of '{statement.id}'"
    return None


STATEMENT = QuestionType(
    name="statement", prefix="a_", storage="answers",
    items=lambda questionnaire: {s.id: s for s in questionnaire.statements()},
    asks=_statements_asked,
    build_field=_statement_field, build_paper_field=_statement_paper_field,
    decode=_chosen, check=_check_statement,
    macro="question_types.html:statement", print_macro="paper/_question_types.html:statement",
    summarise=statement_summary,
)


# -- profile: one choice about the participant, never a name ------------------------------


def _profile_asked(questionnaire: Questionnaire, page: Page) -> Iterator[Asked]:
    if page.kind == "profile":
        yield from (Asked(PROFILE, question) for question in questionnaire.profile)


def _profile_field(spec: FieldSpec) -> Field:
    return RadioField(
        spec.item.label,
        choices=[SelectChoice(o.id, o.label) for o in spec.item.options],
        validators=[InputRequired(message=_l("Kies een antwoord."))],
        description=spec.item.hint or "",
    )


def _profile_paper_field(spec: FieldSpec) -> Field:
    # A paper form may leave a profile question open, unlike the page.
    return RadioField(spec.item.label, validators=[NotSent()],
                      choices=[*(SelectChoice(o.id, o.label) for o in spec.item.options),
                               _left_blank()])


def _check_profile(questionnaire: Questionnaire, question: Any, value: str) -> str | None:
    if value not in {option.id for option in question.options}:
        return f"'{value}' is not an option of profile question '{question.id}'"
    return None


def _count_options(questionnaire: Questionnaire, question: Any, values: Iterable[str]) -> object:
    return option_counts(question, values)


PROFILE = QuestionType(
    name="profile", prefix="p_", storage="profile",
    items=lambda questionnaire: {q.id: q for q in questionnaire.profile},
    asks=_profile_asked,
    build_field=_profile_field, build_paper_field=_profile_paper_field,
    decode=_chosen, check=_check_profile,
    macro="question_types.html:profile", print_macro="paper/_question_types.html:profile",
    summarise=_count_options,
)


# -- text: a lesson's comment box or an open question --------------------------------------


def _texts_asked(questionnaire: Questionnaire, page: Page) -> Iterator[Asked]:
    if page.lesson is not None:
        yield Asked(TEXT, page.lesson)
    if page.kind == "open":
        yield from (Asked(TEXT, question) for question in questionnaire.open_questions)


def _text_field_labelled(spec: FieldSpec, label: str) -> Field:
    item: Lesson | OpenQuestion = spec.item
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


def _text_field(spec: FieldSpec) -> Field:
    label = (spec.questionnaire.texts.comment_label if isinstance(spec.item, Lesson)
             else spec.item.text)
    return _text_field_labelled(spec, label)


def _text_paper_field(spec: FieldSpec) -> Field:
    # On paper the comment boxes of all lessons are on one form: each names its lesson.
    label = (_("Toelichting bij %(lesson)s", lesson=spec.item.title)
             if isinstance(spec.item, Lesson) else spec.item.text)
    return _text_field_labelled(spec, label)


def _decode_text(field: Field) -> str | None:
    # A box posted empty clears the stored text; one not posted keeps it.
    return str(field.data or "") if field.raw_data else None


def _check_text(questionnaire: Questionnaire, item: Any, value: str) -> str | None:
    return None  # length and characters are the field's and the request's checks


def _texts_written(questionnaire: Questionnaire, item: Any, values: Iterable[str]) -> object:
    # How many wrote something; the texts themselves show only once moderated
    # (assessment.results.included_comments).
    return sum(1 for text in values if text.strip())


TEXT = QuestionType(
    name="text", prefix="t_", storage="texts",
    items=lambda questionnaire: {**{lesson.id: lesson for lesson in questionnaire.lessons},
                                 **{q.id: q for q in questionnaire.open_questions}},
    asks=_texts_asked,
    build_field=_text_field, build_paper_field=_text_paper_field,
    decode=_decode_text, check=_check_text,
    macro="question_types.html:text", print_macro="paper/_question_types.html:text",
    summarise=_texts_written,
)

QUESTION_TYPES.update({kind.name: kind for kind in (STATEMENT, PROFILE, TEXT)})


def form_fields(questionnaire: Questionnaire, asked: Iterable[Asked], text_max_length: int,
                *, paper: bool = False) -> dict[str, Field]:
    """The unbound fields that ask these items, by posted name (on paper: the paper fields)."""
    fields: dict[str, Field] = {}
    for item in asked:
        build = item.kind.build_paper_field if paper else item.kind.build_field
        fields[item.name] = build(FieldSpec(item.item, questionnaire, text_max_length))
    return fields
