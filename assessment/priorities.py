"""The group's priorities: a short vote in the room on which lessons to work on first.

After the reveal the facilitator opens a vote; each participant picks up to N lessons on
their phone (N is set per vote), may change the choice until the vote closes, and the
tally appears once enough people voted. The top lessons can be taken over as actions.

Anonymity
    A vote is stored without any link to the participant's answers: no respondent id, only
    ``voter_hash``, a keyed hash (HMAC-SHA256 with the app's secret key) of the assessment
    and the participant's resume token (or a random key kept in the browser's session
    cookie, for someone voting from the join page). The token and the key are never stored,
    and the secret is not in the database, so the database alone cannot tell whose vote a
    row is; the hash only recognises the same voter again, so a changed vote replaces the
    earlier one. The tally is shown only from ``MIN_VOTERS`` voters on; below that only the
    number of voters is shown (it says nothing about what anyone chose). While the vote is
    open only the number of voters is shown, whatever their number: a tally that moved with
    every vote would show, to anyone watching it move, what the last voter chose
    (:func:`assessment.anonymity.tally_shown`). Closing stores the ballots it published
    (``Assessment.vote_published``, lessons only); a vote reopened and closed again shows a
    new tally only when at least 3 ballots are new or changed, otherwise the earlier one
    (:func:`assessment.anonymity.ballots_to_publish`).

The writes (open, close, cast, take over as actions) are one transaction each and lock the
assessment row, as :func:`assessment.management.set_status` does, so a vote cast while the
facilitator closes is either counted before the close or refused after it.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assessment import anonymity, content, management
from assessment.aggregation import Summary
from assessment.anonymity import MIN_RESPONDENTS, tally_shown
from assessment.db import read_session, write_transaction
from assessment.discussion import MAX_ACTION_LENGTH
from assessment.exceptions import NoChoice, TooManyChoices, UnknownLesson, VoteClosed, VoteError
from assessment.models import ActionItem, Assessment, Facilitator, PriorityVote
from questions.schema import Lesson

#: Fewer voters than this and the tally is not shown (the same floor as the results).
MIN_VOTERS = MIN_RESPONDENTS
#: How many lessons a participant may choose, unless the facilitator sets another number.
DEFAULT_MAX_CHOICES = 3


class VoteStatus(enum.StrEnum):
    """Whether a vote was held: none yet, open for votes, or closed."""

    NONE = "none"
    OPEN = "open"
    CLOSED = "closed"


# -- the tally (pure) --------------------------------------------------------------------


@dataclass(frozen=True)
class LessonVotes:
    """One lesson in the tally: its number in the questionnaire, votes and share of voters."""

    lesson_id: str
    number: int
    title: str
    votes: int
    share: float


@dataclass(frozen=True)
class VoteResult:
    """The vote as anyone may see it: status, voters, and the tally only when it is shown.

    ``lessons`` and ``top`` are empty while the vote is open or fewer than ``MIN_VOTERS``
    voted.
    """

    status: VoteStatus
    max_choices: int
    voters: int
    lessons: tuple[LessonVotes, ...]
    top: tuple[LessonVotes, ...]

    @property
    def shown(self) -> bool:
        """Whether the tally shows: the vote is not open and enough people voted."""
        return tally_shown(self.status is not VoteStatus.OPEN, self.voters)

    @property
    def final(self) -> bool:
        """Whether the vote was held and closed with enough voters (for the report)."""
        return self.status is VoteStatus.CLOSED and self.shown


def tally(lessons: Sequence[Lesson], ballots: Iterable[Sequence[str]], max_choices: int,
          status: VoteStatus = VoteStatus.CLOSED) -> VoteResult:
    """Count the votes per lesson; the top ``max_choices`` lessons are the group's priorities.

    Rules: every ballot is one voter; a lesson named twice on a ballot counts once, and a
    lesson the questionnaire does not have is ignored. The lessons are sorted by votes, most
    first; ties keep the questionnaire's order. The share is votes divided by voters (so
    the shares add up to more than 100% when people chose several lessons). The top is the
    first ``max_choices`` lessons of that order that got at least one vote. While the vote
    is open, or with fewer than ``MIN_VOTERS`` voters, nothing but the number of voters is
    given.
    """
    known = {lesson.id for lesson in lessons}
    counts = dict.fromkeys(known, 0)
    voters = 0
    for ballot in ballots:
        voters += 1
        for lesson_id in set(ballot) & known:
            counts[lesson_id] += 1
    if not tally_shown(status is not VoteStatus.OPEN, voters):
        return VoteResult(status, max_choices, voters, (), ())
    rows = [LessonVotes(lesson.id, number, lesson.title, counts[lesson.id],
                        counts[lesson.id] / voters)
            for number, lesson in enumerate(lessons, start=1)]
    ranked = tuple(sorted(rows, key=lambda row: (-row.votes, row.number)))
    top = tuple(row for row in ranked if row.votes > 0)[:max_choices]
    return VoteResult(status, max_choices, voters, ranked, top)


def checked_choice(lessons: Sequence[Lesson], chosen: Iterable[str],
                   max_choices: int) -> tuple[str, ...]:
    """The chosen lesson ids in questionnaire order, each once; VoteError when they do not fit.

    At least one lesson and at most ``max_choices``; every id must be one of ``lessons``.
    """
    chosen = set(chosen)
    unknown = chosen - {lesson.id for lesson in lessons}
    if unknown:
        raise UnknownLesson(f"no lesson {', '.join(sorted(unknown))}")
    if not chosen:
        raise NoChoice("choose at least one lesson")
    if len(chosen) > max_choices:
        raise TooManyChoices(f"choose at most {max_choices} lessons, not {len(chosen)}")
    return tuple(lesson.id for lesson in lessons if lesson.id in chosen)


def voter_hash(secret: str | bytes, assessment_id: int, voter: str) -> str:
    """The stored name of a voter: a keyed hash of the assessment and the voter's secret.

    ``voter`` is the participant's resume token ("token:…") or a random per-browser key
    ("key:…"); neither is stored anywhere, and without ``secret`` the hash cannot be
    recomputed, so it links to nothing but the same voter voting again.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"priority-vote:{assessment_id}:{voter}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# -- reading -----------------------------------------------------------------------------


def ballots(assessment_id: int) -> list[list[str]]:
    """Every vote's lessons of an assessment."""
    return [list(lessons) for lessons in read_session().scalars(
        select(PriorityVote.lessons).where(PriorityVote.assessment_id == assessment_id))]


def shown_ballots(assessment: Assessment, stored: list[list[str]]) -> list[list[str]]:
    """The ballots the tally counts: once closed, those its last close published."""
    if assessment.vote_status == VoteStatus.CLOSED and assessment.vote_published is not None:
        return [list(ballot) for ballot in assessment.vote_published]
    return stored


def result(assessment: Assessment) -> VoteResult:
    """The assessment's vote as it stands: status, voters and (closed, from 3) the tally."""
    return tally(content.for_assessment(assessment).lessons,
                 shown_ballots(assessment, ballots(assessment.id)),
                 assessment.vote_max_choices, VoteStatus(assessment.vote_status))


def current_choice(assessment_id: int, voter: str) -> tuple[str, ...]:
    """What this voter (a ``voter_hash``) chose so far; empty when they have not voted."""
    lessons = read_session().scalar(
        select(PriorityVote.lessons).where(PriorityVote.assessment_id == assessment_id,
                                           PriorityVote.voter_hash == voter))
    return tuple(lessons or ())


# -- writing -----------------------------------------------------------------------------


def open_vote(assessment_id: int, max_choices: int, actor: Facilitator | None) -> None:
    """Open the vote (or open it again) with ``max_choices`` lessons per voter (audited).

    ``max_choices`` is between 1 and the number of lessons. Opening again after closing keeps
    the votes cast so far, so it may not allow fewer lessons than a stored vote chose.
    """
    with write_transaction() as session:
        assessment = _locked(session, assessment_id)
        lessons = len(content.for_assessment(assessment).lessons)
        if not 1 <= max_choices <= lessons:
            raise VoteError(f"choose between 1 and {lessons} lessons per voter")
        if assessment.vote_status == VoteStatus.OPEN:
            raise VoteError("the vote is already open")
        if assessment.purged_at is not None:
            raise VoteError("the raw data of this assessment were purged")
        most = max((len(chosen) for chosen in session.scalars(
            select(PriorityVote.lessons).where(PriorityVote.assessment_id == assessment_id))),
            default=0)
        if max_choices < most:
            raise VoteError(f"earlier votes chose {most} lessons; allow at least that many")
        assessment.vote_status = VoteStatus.OPEN.value
        assessment.vote_max_choices = max_choices
        management.audit(session, "vote_opened", actor, assessment, str(max_choices))


def close_vote(assessment_id: int, actor: Facilitator | None) -> None:
    """Close the open vote (audited); votes arriving later are refused."""
    with write_transaction() as session:
        assessment = _locked(session, assessment_id)
        if assessment.vote_status != VoteStatus.OPEN:
            raise VoteError("the vote is not open")
        assessment.vote_status = VoteStatus.CLOSED.value
        cast = _stored_ballots(session, assessment_id)
        assessment.vote_published = anonymity.ballots_to_publish(cast,
                                                                 assessment.vote_published)
        management.audit(session, "vote_closed", actor, assessment, f"{len(cast)} voters")


def cast_vote(assessment_id: int, voter: str, chosen: Iterable[str]) -> tuple[str, ...]:
    """Store a voter's choice, replacing their earlier one; return the lessons stored.

    ``voter`` is a :func:`voter_hash`. Raises :class:`VoteClosed` when the vote is not open,
    and the other :class:`VoteError` kinds when the choice does not fit
    (:func:`checked_choice`); nothing is stored then. The same vote sent twice stores once.
    """
    with write_transaction() as session:
        # Locked, so a vote and the close that comes at the same moment are put in order.
        assessment = _locked(session, assessment_id)
        if assessment.vote_status != VoteStatus.OPEN:
            raise VoteClosed("the vote is not open")
        lessons = checked_choice(content.for_assessment(assessment).lessons, chosen,
                                 assessment.vote_max_choices)
        row = {"assessment_id": assessment_id, "voter_hash": voter, "lessons": list(lessons)}
        insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
                  else sqlite.insert)
        statement = insert(PriorityVote).values(row)
        session.execute(statement.on_conflict_do_update(
            index_elements=["assessment_id", "voter_hash"], set_={"lessons": list(lessons)}))
        return lessons


def forget_voters(session: Session, assessment_id: int) -> None:
    """Empty every vote's voter hash and close an open vote (for purging, in its transaction).

    The lessons chosen stay, so the tally is the same afterwards; an open vote closes as
    :func:`close_vote` closes it.
    """
    session.execute(update(PriorityVote).where(PriorityVote.assessment_id == assessment_id)
                    .values(voter_hash=None))
    assessment = session.get(Assessment, assessment_id)
    if assessment is not None and assessment.vote_status == VoteStatus.OPEN:
        assessment.vote_status = VoteStatus.CLOSED.value
        assessment.vote_published = anonymity.ballots_to_publish(
            _stored_ballots(session, assessment_id), assessment.vote_published)


def _stored_ballots(session: Session, assessment_id: int) -> list[list[str]]:
    return [list(lessons) for lessons in session.scalars(
        select(PriorityVote.lessons).where(PriorityVote.assessment_id == assessment_id))]


# -- the priorities as actions -----------------------------------------------------------


def suggested_action(lesson: Lesson, summary: Summary) -> str:
    """The action suggested for a priority lesson: the questionnaire's advice for it.

    The advice for the lesson's band and agreement state when the summary gives a band and
    the lesson has a text for it; else the advice for a lesson that needs attention without
    a clear majority (the group chose it to work on).
    """
    lesson_summary = summary.lesson(lesson.id) if summary.shown else None
    advice = lesson.report.advice
    if lesson_summary is not None and lesson_summary.band and lesson_summary.agreement:
        text = advice.text(lesson_summary.band, lesson_summary.agreement)
        if text:
            return text
    return advice.aandacht.no_majority or advice.aandacht.divided


def adopt_as_actions(assessment: Assessment, summary: Summary,
                     actor: Facilitator | None) -> int:
    """Add a suggested action per top lesson of the closed vote; return how many were added.

    A lesson that already has an action is skipped, so pressing the button twice adds
    nothing the second time. Raises :class:`VoteError` unless the vote was closed with at
    least ``MIN_VOTERS`` voters.
    """
    questionnaire = content.for_assessment(assessment)
    with write_transaction() as session:
        stored = _locked(session, assessment.id)
        vote = tally(questionnaire.lessons,
                     shown_ballots(stored, _stored_ballots(session, stored.id)),
                     stored.vote_max_choices, VoteStatus(stored.vote_status))
        if not vote.final:
            raise VoteError("the vote has not closed with enough voters")
        covered = set(session.scalars(select(ActionItem.lesson_id).where(
            ActionItem.assessment_id == stored.id)))
        added = 0
        for row in vote.top:
            if row.lesson_id in covered:
                continue
            text = suggested_action(questionnaire.lesson(row.lesson_id), summary)
            session.add(ActionItem(assessment_id=stored.id, lesson_id=row.lesson_id,
                                   action=text[:MAX_ACTION_LENGTH]))
            added += 1
        management.audit(session, "priorities_adopted", actor, stored, f"{added} actions")
        return added


def _locked(session: Session, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id, with_for_update=True)
    if assessment is None:
        raise VoteError(f"no assessment {assessment_id}")
    return assessment
