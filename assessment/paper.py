"""Paper questionnaires: the layout of the printed form, and typing a filled-in form in.

The blank form and the entry form go through the same parts (:func:`form_parts`): each
page of the path that saves answers, with what each question type asks on it. The blank
form prints each type's items with the type's own ``print_macro``.

A paper form becomes one anonymous respondent with source "paper", submitted at once: the
participant handed it in, so it is final. Its answers are checked against the questionnaire
frozen with the assessment, exactly as a participant's page is (values outside a
statement's scale, unknown statements, texts or profile options are refused), and the
respondent, its answers and its texts are written in one transaction, so a refused form
leaves nothing behind. Texts start as "pending", like every free text, and are moderated
before they appear anywhere.

Entering twice
    Every entry form carries a one-time key. The respondent's token is derived from it
    with the app's secret, and the insert does nothing when that token exists, so a double
    submit of one filled-in form stores one respondent. Nobody can reach a paper respondent
    through a resume link: the token is never shown and cannot be computed without the secret.

When
    Paper forms may be typed in while the assessment is open or paused and after it was
    closed (forms collected in the room are often entered afterwards), never in a draft
    (there is no session yet) and not after the raw answers were purged (they would no
    longer count).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from assessment import content, management, participation
from assessment.db import read_session, write_transaction
from assessment.exceptions import AssessmentClosed, InvalidAnswers
from assessment.models import Assessment, Facilitator, Respondent, Source, Status, utcnow
from assessment.pages import Page, participant_pages
from assessment.question_types import Asked, QuestionType, asked_on, blocks, field_name
from questions.schema import RESERVED_PAGE_IDS, ContextBlock, Questionnaire, Scale, Statement

#: Statuses in which typed-in paper forms are accepted.
ACCEPTING = frozenset({Status.OPEN, Status.PAUSED, Status.CLOSED})


# -- the form's layout -------------------------------------------------------------------


@dataclass(frozen=True)
class PaperItem:
    """One statement as printed and typed in: its number on the form and its scale."""

    number: int
    statement: Statement
    scale: Scale


@dataclass(frozen=True)
class PaperSection:
    """A lesson or a context block on paper, with its numbered statements.

    ``lesson_number`` is the lesson's place (1-based); None for a context block, which has
    no comment box.
    """

    id: str
    title: str
    intro: str
    items: tuple[PaperItem, ...]
    lesson_number: int | None = None

    @property
    def tables(self) -> tuple[tuple[Scale, tuple[PaperItem, ...]], ...]:
        """The statements in runs that share a scale: one printed table (one header) each."""
        return tuple((scale, tuple(items))
                     for scale, items in groupby(self.items, key=lambda item: item.scale))


@dataclass(frozen=True)
class PaperLayout:
    """What the paper form asks, in order: lessons, then context blocks."""

    lessons: tuple[PaperSection, ...]
    context: tuple[PaperSection, ...]

    @property
    def sections(self) -> tuple[PaperSection, ...]:
        """Every section with statements, in the order of the form."""
        return self.lessons + self.context


def paper_layout(questionnaire: Questionnaire) -> PaperLayout:
    """The printed form's sections; statements are numbered 1..n in questionnaire order.

    The blank form and the entry form both use these numbers, so whoever types a form in
    can follow the paper statement by statement.
    """
    counter = iter(range(1, len(questionnaire.statements()) + 1))

    def items(statements: tuple[Statement, ...]) -> tuple[PaperItem, ...]:
        return tuple(PaperItem(next(counter), s, questionnaire.statement_scale(s))
                     for s in statements)

    lessons = tuple(
        PaperSection(lesson.id, lesson.title, lesson.intro, items(lesson.statements), number)
        for number, lesson in enumerate(questionnaire.lessons, start=1))
    context = tuple(PaperSection(block.id, block.title, block.intro, items(block.statements))
                    for block in questionnaire.context_blocks)
    return PaperLayout(lessons, context)


@dataclass(frozen=True)
class PrintRun:
    """Consecutive items of one type that print together on the blank form.

    Items of a type with a scale print together while they share it: statements as one
    table with one header per run. The type's ``print_macro`` is called with the run.
    """

    kind: QuestionType
    scale: Scale | None
    asked: tuple[Asked, ...]


@dataclass(frozen=True)
class FormPart:
    """A part of the paper form, printed and typed in: one page of the path and what it
    asks, with the statements numbered as printed."""

    page: Page
    asked: tuple[Asked, ...]

    @property
    def blocks(self) -> Iterator[tuple[ContextBlock | None, tuple[Asked, ...]]]:
        """What the part asks, in runs under one context block's heading (None: none)."""
        return blocks(self.asked)

    @property
    def printed(self) -> Iterator[tuple[ContextBlock | None, tuple[PrintRun, ...]]]:
        """What the part prints: under each block's heading, the runs of :class:`PrintRun`."""
        for block, asked in self.blocks:
            runs = (tuple(items) for _key, items
                    in groupby(asked, key=lambda item: (item.kind.name, item.scale)))
            yield block, tuple(PrintRun(run[0].kind, run[0].scale, run) for run in runs)


def form_parts(questionnaire: Questionnaire) -> tuple[FormPart, ...]:
    """What the paper form asks: the pages of the path that save answers, in their order.

    Every question type asks on paper what it asks on those pages, so the paper form can
    never miss an item a participant is asked. The blank form prints these parts and the
    entry form types them in, so both number the statements alike (:func:`paper_layout`).
    """
    numbers = {field_name("statement", item.statement.id): item.number
               for section in paper_layout(questionnaire).sections for item in section.items}
    # The paper forms name their parts themselves; the pages' own titles are not shown.
    pages = participant_pages(questionnaire, dict.fromkeys(RESERVED_PAGE_IDS, ""))
    return tuple(
        FormPart(page, tuple(replace(asked, number=numbers.get(asked.name, asked.number))
                             for asked in asked_on(questionnaire, page)))
        for page in pages if page.saves_answers)


# -- entering a filled-in form -----------------------------------------------------------


@dataclass(frozen=True)
class PaperEntry:
    """A stored paper form: its number among the assessment's paper forms (1-based).

    ``created`` is False when the form's entry key was stored before (a double submit).
    """

    number: int
    created: bool


def accepts_paper(assessment: Assessment) -> bool:
    """Whether filled-in paper forms may be typed in now (open, paused or closed)."""
    return assessment.status in ACCEPTING and assessment.purged_at is None


def entry_token(secret: str, assessment_id: int, entry_key: str) -> str:
    """The paper respondent's token for an entry form's key: one key, one respondent.

    Keyed with the app's secret and the assessment, so the key in the page's HTML does not
    give the token, and a key posted to another assessment makes a different respondent.
    """
    message = f"paper:{assessment_id}:{entry_key}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_empty(posted: participation.PageAnswers) -> bool:
    """Whether a form has nothing filled in: no answer, no profile choice, no text."""
    return not (posted.answers or posted.profile
                or any(text.strip() for text in posted.texts.values()))


def record(
    assessment_id: int, token: str, posted: participation.PageAnswers,
    actor: Facilitator | None,
) -> PaperEntry:
    """Store one filled-in paper form as a new submitted respondent, in one transaction.

    Raises :class:`AssessmentClosed` when the assessment does not accept paper forms, and
    :class:`InvalidAnswers` for an empty form or a value the questionnaire does not have;
    then nothing is stored. The same token twice stores one respondent.
    """
    with write_transaction() as session:
        # Locked, so on PostgreSQL paper forms are numbered one at a time, as on SQLite.
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        if assessment is None or not accepts_paper(assessment):
            raise AssessmentClosed()
        if is_empty(posted):
            raise InvalidAnswers("the paper form has nothing filled in")
        token_hash = participation.hash_token(token)
        now = utcnow()
        row = {"assessment_id": assessment_id, "token_hash": token_hash,
               "profile": dict(posted.profile), "last_page": "bedankt",
               "source": Source.PAPER.value, "created_at": now, "updated_at": now,
               "submitted_at": now}
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        new_id = session.scalar(insert(Respondent).values(row).on_conflict_do_nothing()
                                .returning(Respondent.id))
        respondent = session.scalar(select(Respondent).where(Respondent.token_hash == token_hash))
        if respondent is None or respondent.assessment_id != assessment_id:
            raise InvalidAnswers("this entry key belongs to another assessment")
        number = session.scalar(
            select(func.count()).select_from(Respondent).where(
                Respondent.assessment_id == assessment_id,
                Respondent.source == Source.PAPER.value,
                Respondent.id <= respondent.id)) or 0
        if new_id is None:
            return PaperEntry(number, created=False)
        participation.store_answers(session, respondent, content.for_assessment(assessment),
                                    posted, now)
        if assessment.purged_at is None:
            # A restored backup may keep the summary it was closed with; new answers count.
            assessment.summary_snapshot = None
        management.audit(session, "paper_entered", actor, assessment, str(number))
    return PaperEntry(number, created=True)


def paper_count(assessment_id: int) -> int:
    """How many paper forms were typed in for an assessment."""
    count = read_session().scalar(
        select(func.count()).select_from(Respondent).where(
            Respondent.assessment_id == assessment_id,
            Respondent.source == Source.PAPER.value))
    return count or 0
