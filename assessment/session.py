"""Running the room: the live status, the projector's position, pausing, the discussion agenda.

The writes (moving the projector, pausing, resuming, closing) are one transaction each. The
rest are pure functions over the summary of :func:`assessment.results.assessment_summary`,
so the live dashboard, its JSON, the projector and the agenda show the same figures as the
report.

Anonymity on the live dashboard
    Respondents who started are counted per organisation type under the same rule as the
    summary's group sizes: a type's count is shown only when it has at least
    ``MIN_GROUP_SIZE`` respondents, and :func:`assessment.anonymity.suppress` hides more
    types until no hidden count follows from the total by subtraction. A type nobody chose is
    "no data", not "hidden". Submitted respondents per type are the summary's own group
    sizes, given only once the summary is shown (``MIN_RESPONDENTS`` counted, in steps of
    three while answering is open: :mod:`assessment.anonymity`); before that there are no
    results at all. The total sent in is the real count.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from assessment import management, participation, results
from assessment.aggregation import (
    CellStatus,
    GroupCell,
    LessonSummary,
    Summary,
)
from assessment.anonymity import small_groups, suppress
from assessment.db import read_session, write_transaction
from assessment.exceptions import SessionError, StatusChangeRefused
from assessment.models import Assessment, Facilitator, Respondent, Status
from questions.schema import Lesson, Questionnaire

# -- the projector's position ------------------------------------------------------------


class RevealMove(enum.StrEnum):
    """A move of the projector, from the presenter view or its keys (the values are the form's)."""

    NEXT = "volgende"
    PREVIOUS = "vorige"
    RESET = "begin"
    END = "einde"
    BLANK = "zwart"


@dataclass(frozen=True)
class ProjectorPosition:
    """Where the projector is: the slide's index in the deck, and whether it is blanked."""

    slide: int
    blank: bool


def next_position(current: ProjectorPosition, move: RevealMove,
                  slides: int) -> ProjectorPosition:
    """The position after ``move`` in a deck of ``slides`` slides (0 is the join slide).

    The slide never leaves 0..``slides`` − 1; a slide stored out of range (the deck shrank)
    is brought back into it. "zwart" blanks the screen or shows it again, on the same slide;
    any other move shows the screen again.
    """
    last = max(slides - 1, 0)
    if move is RevealMove.BLANK:
        return ProjectorPosition(min(current.slide, last), not current.blank)
    step = {RevealMove.NEXT: current.slide + 1, RevealMove.PREVIOUS: current.slide - 1,
            RevealMove.RESET: 0, RevealMove.END: last}[move]
    return ProjectorPosition(max(0, min(step, last)), False)


def move_projector(assessment_id: int, move: RevealMove, slides: int) -> ProjectorPosition:
    """Move the projector in its deck of ``slides`` slides, or blank it; the new position.

    Stored on the assessment, so the projector window, the presenter view and a reload all
    show the same.
    """
    with write_transaction() as session:
        # Locked, so two quick clicks move two steps on PostgreSQL too, not one.
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        if assessment is None:
            raise SessionError(f"no assessment {assessment_id}")
        moved = next_position(
            ProjectorPosition(assessment.reveal_step, assessment.projector_blank), move, slides)
        assessment.reveal_step, assessment.projector_blank = moved.slide, moved.blank
        return moved


# -- pausing, resuming and closing the answering -----------------------------------------


class AnsweringAction(enum.StrEnum):
    """A button on the live dashboard (the values are the form's)."""

    PAUSE = "pauzeren"
    RESUME = "hervatten"
    CLOSE = "sluiten"


#: Per action: the statuses it may start from, and the status it leads to.
ANSWERING_MOVES: Mapping[AnsweringAction, tuple[frozenset[Status], Status]] = {
    AnsweringAction.PAUSE: (frozenset({Status.OPEN}), Status.PAUSED),
    AnsweringAction.RESUME: (frozenset({Status.PAUSED}), Status.OPEN),
    AnsweringAction.CLOSE: (frozenset({Status.OPEN, Status.PAUSED}), Status.CLOSED),
}


def change_answering(assessment: Assessment, action: AnsweringAction,
                     actor: Facilitator | None) -> Status:
    """Pause, resume or close the answering (audited); return the new status.

    Raises :class:`SessionError` when the action does not fit the current status, such as
    resuming a scan that was closed (opening a closed scan is done on the scan's page).
    """
    allowed, target = ANSWERING_MOVES[action]
    try:
        management.set_status(assessment.id, target, actor=actor, expected=allowed)
    except StatusChangeRefused as exc:
        raise SessionError(f"cannot {action.name.lower()} an assessment that is "
                           f"{assessment.status}") from exc
    return target


def empty_starts(assessment_id: int) -> int:
    """How many starts by join code never saved a page (:func:`participation.empty_start`)."""
    return int(read_session().scalar(
        select(func.count()).select_from(Respondent)
        .where(Respondent.assessment_id == assessment_id, participation.empty_start())) or 0)


def clear_empty_starts(assessment: Assessment, actor: Facilitator | None) -> int:
    """Remove every start that never saved a page, audited with the number; return it.

    Nobody with a stored answer, text or profile choice is touched, nor a personal link made
    in advance. Someone who pressed "Beginnen" a moment ago and has not saved a page yet
    starts again from the join link.
    """
    with write_transaction() as session:
        stored = session.get(Assessment, assessment.id, with_for_update=True)
        if stored is None:
            raise SessionError(f"no assessment {assessment.id}")
        removed = participation.remove_empty_starts(session, assessment.id)
        management.audit(session, "empty_starts_cleared", actor, stored, str(removed))
    return removed


# -- the live status ---------------------------------------------------------------------


def started_by_type(assessment_id: int, questionnaire: Questionnaire) -> dict[str | None, int]:
    """Respondents who started (submitted ones included), per organisation type chosen.

    None counts those who have not chosen a type yet. Only who saved a page counts, as in
    :func:`management.respondent_counts`.
    """
    group = results.chosen_group(questionnaire)
    rows = read_session().execute(
        select(group, func.count())
        .where(Respondent.assessment_id == assessment_id, ~participation.not_started())
        .group_by(group)
    )
    return {group_id: count for group_id, count in rows}


@dataclass(frozen=True)
class GroupCount:
    """One organisation type on the live dashboard: started and submitted, as far as allowed.

    ``submitted`` is None while the summary is not shown (fewer than 3 submitted);
    ``started`` too once the raw answers were purged (see :func:`live_status`).
    """

    group: str
    label: str
    started: GroupCell | None
    submitted: GroupCell | None


def invited_share(submitted: int, invited: int | None) -> float | None:
    """The share of the invited who sent in, for "28 van de 35 genodigden (80 %)".

    None when no invited count was given (or zero), and when more sent in than were
    invited: a share above 100 % would say nothing true. Below everyone, the share stays
    under 100 % after rounding (349 of 350 reads 99 %, never 100 %).
    """
    if not invited or submitted > invited:
        return None
    share = submitted / invited
    return min(share, 0.99) if submitted < invited else share


@dataclass(frozen=True)
class LiveStatus:
    """What the live dashboard and its JSON show, already anonymised."""

    status: Status
    started: int
    submitted: int
    invited: int | None
    groups: tuple[GroupCount, ...]
    type_not_chosen: int | None
    results_shown: bool
    lessons: tuple[LessonSummary, ...]
    reveal_step: int

    @property
    def response_rate(self) -> float | None:
        """Submitted as a share of those invited (see :func:`invited_share`)."""
        return invited_share(self.submitted, self.invited)


def started_cells(labels: Mapping[str, str],
                  started: Mapping[str | None, int]) -> tuple[GroupCell, ...]:
    """Started respondents per type: shown, hidden (small or complementary) or no data."""
    present = {group: started.get(group, 0) for group in labels if started.get(group, 0)}
    hidden = suppress(present, small_groups(present))
    return tuple(
        GroupCell(group, CellStatus.NO_DATA) if group not in present
        else GroupCell(group, CellStatus.HIDDEN) if group in hidden
        else GroupCell(group, CellStatus.SHOWN, present[group])
        for group in labels
    )


def live_status(
    questionnaire: Questionnaire,
    summary: Summary,
    started: Mapping[str | None, int],
    status: Status,
    invited: int | None = None,
    reveal_step: int = 0,
    submitted: int | None = None,
    purged: bool = False,
) -> LiveStatus:
    """The live dashboard's figures from the summary and the started counts per type.

    ``started`` is :func:`started_by_type`; the total started is its sum, but never below
    the number submitted. ``submitted`` is the number who sent in (the summary's count when
    not given); the summary may count fewer while the most recent wait (anonymity.py), and
    the submitted counts per type come from the summary only. Lesson results are given only
    when the summary is shown.

    Once the raw answers were ``purged`` the profiles are empty, so ``started`` knows no
    types any more: the stored summary's breakdown stands for both columns, and the number
    without a type is None (unknown) instead of everyone.
    """
    sent_in = summary.respondents if submitted is None else submitted
    labels = questionnaire.group_labels()
    submitted_cells = {cell.group: cell for cell in summary.group_sizes}
    if purged:
        groups = tuple(
            GroupCount(group, label, submitted_cells.get(group), submitted_cells.get(group))
            for group, label in labels.items())
        not_chosen: int | None = None
    else:
        groups = tuple(
            GroupCount(cell.group, labels[cell.group], cell,
                       submitted_cells.get(cell.group) if summary.shown else None)
            for cell in started_cells(labels, started))
        not_chosen = sum(n for group, n in started.items() if group not in labels)
    return LiveStatus(
        status=status,
        started=max(sum(started.values()), sent_in),
        submitted=sent_in,
        invited=invited,
        groups=groups,
        type_not_chosen=not_chosen,
        results_shown=summary.shown,
        lessons=summary.lessons if summary.shown else (),
        reveal_step=reveal_step,
    )


# -- the discussion agenda ---------------------------------------------------------------


class AgendaReason(enum.StrEnum):
    """Why a lesson is on the discussion agenda."""

    DIVIDED = "divided"
    INFORMATION_GAP = "information_gap"
    ATTENTION = "attention"


@dataclass(frozen=True)
class AgendaItem:
    """A lesson to discuss, with its number in the questionnaire and every reason that applies."""

    number: int
    lesson: Lesson
    summary: LessonSummary
    band_label: str | None
    reasons: tuple[AgendaReason, ...]


def discussion_agenda(questionnaire: Questionnaire, summary: Summary) -> tuple[AgendaItem, ...]:
    """Lessons ranked for discussion; empty while the summary is not shown.

    First the divided lessons (largest disagreement first), then those with an information
    gap (largest "weet niet" share first), then the other points of attention (lowest score
    first), each ranking as the summary gives it. A lesson is listed once, where it first
    appears, with all of its reasons. Strengths that are neither divided nor short of
    information are not on the agenda.
    """
    if not summary.shown:
        return ()
    rankings = (
        (AgendaReason.DIVIDED, summary.largest_disagreements),
        (AgendaReason.INFORMATION_GAP, summary.information_gaps),
        (AgendaReason.ATTENTION, summary.points_of_attention),
    )
    order: list[str] = []
    for _reason, lesson_ids in rankings:
        order += [lesson_id for lesson_id in lesson_ids if lesson_id not in order]
    numbers = {lesson.id: number for number, lesson in enumerate(questionnaire.lessons, 1)}
    bands = questionnaire.band_labels()
    items = []
    for lesson_id in order:
        lesson_summary = summary.lesson(lesson_id)
        items.append(AgendaItem(
            number=numbers[lesson_id],
            lesson=questionnaire.lesson(lesson_id),
            summary=lesson_summary,
            band_label=bands.get(lesson_summary.band or ""),
            reasons=tuple(reason for reason, ids in rankings if lesson_id in ids),
        ))
    return tuple(items)
