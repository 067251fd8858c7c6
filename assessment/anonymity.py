"""The anonymity policy: the one place that says which figure may be shown, and when.

Pure functions and constants (no Flask, no database). Every surface asks this module, through
the summary of :func:`assessment.results.assessment_summary` (scan page, live view, projector
and presenter view, agenda, CSV and XLSX, PDF report, take-home page) or directly (the vote
on priorities, moderation warnings). The promise behind it, which every participant reads:
nobody sees what one person answered, the facilitator included.

The rules
    1. **Three answers.** No figure rests on fewer than ``MIN_RESPONDENTS`` (3) answers: no
       summary before 3 counted respondents, no lesson figure before 3 respondents have a
       lesson score, no statement figure before 3 valid answers (on the scale) to it, no
       context-block mean before 3 scores, no tally of the vote before 3 voters
       (:func:`figure_allowed`). A lesson without a score shows no distribution, no shares
       and no statement figures; only its information gap may show, as a signal without a
       percentage, and only when at least 3 respondents answered the lesson at all ("weet
       niet" and "n.v.t." included): :func:`gap_signal_allowed`.
    2. **Groups of five.** A breakdown by organisation type shows a type's figure only when
       at least ``MIN_GROUP_SIZE`` (5) of its respondents count in it.
    3. **Complementary suppression.** When a type is hidden, more are hidden (smallest first,
       then by name) until what the shown cells leave over of the total cannot be traced
       back to one type: at least two parts with data and together at least 5 respondents,
       or only respondents without a type, at least 5 of them (:func:`suppress`).
       Respondents without a type count as such a part (``unassigned``): they are in the
       total but in no cell, so with 1 to 4 of them and every type shown, their figure
       would follow from the total by subtraction. A hidden cell says why
       (:func:`withheld`): its group is too small (:attr:`HiddenReason.SMALL_GROUP`), or it
       is hidden to protect a small one (:attr:`HiddenReason.COMPLEMENTARY`). The same rules
       hold for any profile question a breakdown is made by (the role as well).
    4. **Steps of three.** Results never change by one or two respondents between two views,
       so comparing the page before and after one more person reveals nobody (a differencing
       attack). The summary counts a prefix of the submitted respondents in the order they
       sent in (:func:`counted_respondents`): while answering is not closed it grows in
       steps of ``STEP`` (3) and holds back at least the ``STEP`` most recent; closing
       publishes them all (:func:`published_at_close`) unless fewer than 3 arrived since the
       previous close, which then stays. The published number is stored with the scan, so
       reopening starts from it (:func:`published_at_reopen`). A respondent who sent in
       cannot change an answer any more, so a prefix stays the same set of answers.
    5. **The vote.** While a vote on priorities is open, only the number of voters shows; the
       tally shows once the vote is closed, with at least 3 voters (:func:`tally_shown`).
       A vote reopened and closed again shows a new tally only when at least 3 ballots are
       new or changed; otherwise the earlier tally stays (:func:`ballots_to_publish`).

Counts of people (started, sent in, voters) are not figures about answers and are shown as
they are; only the results wait for the steps above.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: No summary, lesson figure, statement figure or tally over fewer answers than this.
MIN_RESPONDENTS = 3
#: The same floor, named for what it guards per figure: valid answers to one statement.
MIN_VALID_ANSWERS = MIN_RESPONDENTS
#: An organisation type's own figure needs at least this many of its respondents.
MIN_GROUP_SIZE = 5
#: Results shown while answering is open move in steps of this many respondents, and hold
#: back at least this many of the most recent.
STEP = MIN_RESPONDENTS


def figure_allowed(count: int) -> bool:
    """Whether a figure computed over ``count`` answers (or respondents, or voters) may show."""
    return count >= MIN_RESPONDENTS


def gap_signal_allowed(answering: int) -> bool:
    """Whether a lesson's information-gap signal may show, ``answering`` people answered it.

    ``answering`` counts respondents who gave the lesson any answer, "weet niet" and
    "n.v.t." included. When the lesson has too few scores the signal shows without its
    percentage.
    """
    return answering >= MIN_RESPONDENTS


def suppress(counts: Mapping[str, int], hidden: set[str],
             unassigned: int = 0) -> frozenset[str]:
    """Complementary suppression: grow the hidden set until no hidden part can be derived.

    ``counts`` holds each group's number of respondents (groups with data only; a group may
    count 0 on a figure when none of its members has one); ``hidden`` the groups hidden for
    being small; ``unassigned`` the respondents in the total who belong to no group. What
    the shown cells leave over of the total (the hidden groups and the unassigned) must be
    nothing, the unassigned alone when they are at least ``MIN_GROUP_SIZE``, or at least two
    parts with respondents holding together at least ``MIN_GROUP_SIZE``; otherwise the
    smallest shown group (then by name) is hidden too, and so on. Hiding everything is the
    last resort.
    """
    result = set(hidden)

    def safe() -> bool:
        groups = [counts[g] for g in result if counts[g]]
        if not groups:  # at most the unassigned are left: fine from five (or none)
            return not unassigned or unassigned >= MIN_GROUP_SIZE
        parts = [*groups, unassigned] if unassigned else groups
        return len(parts) >= 2 and sum(parts) >= MIN_GROUP_SIZE

    while (result or unassigned) and not safe():
        candidates = sorted((counts[g], g) for g in counts if g not in result)
        if not candidates:
            break
        result.add(candidates[0][1])
    return frozenset(result)


def small_groups(counts: Mapping[str, int]) -> set[str]:
    """The groups too small for their own figure (fewer than ``MIN_GROUP_SIZE``)."""
    return {group for group, n in counts.items() if n < MIN_GROUP_SIZE}


class HiddenReason(enum.StrEnum):
    """Why a group's figure is hidden: the true reason, which every surface shows."""

    #: The group itself has fewer than ``MIN_GROUP_SIZE`` respondents counting in it.
    SMALL_GROUP = "small_group"
    #: The group is large enough, but hidden so that a small one cannot be derived.
    COMPLEMENTARY = "complementary"


def withheld(counts: Mapping[str, int], unassigned: int = 0) -> dict[str, HiddenReason]:
    """The groups whose figure is hidden, each with its reason (rules 2 and 3).

    ``counts`` and ``unassigned`` as for :func:`suppress`. A group below ``MIN_GROUP_SIZE``
    is hidden for being small; a group :func:`suppress` adds to protect it is hidden by
    complementary suppression.
    """
    small = small_groups(counts)
    return {group: HiddenReason.SMALL_GROUP if group in small else HiddenReason.COMPLEMENTARY
            for group in suppress(counts, small, unassigned)}


# -- steps of three ----------------------------------------------------------------------


def _base(published: int) -> int:
    """The published number as a starting point: below 3 nothing was shown, so 0."""
    return published if published >= MIN_RESPONDENTS else 0


def counted_respondents(submitted: int, published: int, closed: bool) -> int:
    """How many of the ``submitted`` respondents (in submission order) the results count.

    ``published`` is the number stored at the last close or reopen. Closed: the published
    number, plus any later arrivals (paper forms typed in afterwards) in whole steps of
    ``STEP``. Not closed (in preparation, open, paused): the published number plus whole
    steps of ``STEP``, never more than ``submitted − STEP``, so the most recent ones wait.
    Never more than ``submitted``.
    """
    base = min(_base(published), submitted)
    waiting = submitted - base if closed else submitted - STEP - base
    return base + STEP * (max(waiting, 0) // STEP)


@dataclass(frozen=True)
class Counting:
    """How many submitted respondents the results count now, and why the rest wait."""

    submitted: int
    counted: int
    closed: bool
    #: What closing now would publish (:func:`published_at_close`).
    at_close: int = 0

    @property
    def waiting(self) -> int:
        """Respondents who sent in but are not counted yet (0 while fewer than 3 sent in)."""
        return self.submitted - self.counted if self.submitted >= MIN_RESPONDENTS else 0


def counting(submitted: int, published: int, closed: bool) -> Counting:
    """The :class:`Counting` of a scan with these numbers (see :func:`counted_respondents`)."""
    return Counting(submitted, counted_respondents(submitted, published, closed), closed,
                    published_at_close(submitted, published))


def published_at_close(submitted: int, published: int) -> int:
    """The number published when answering closes: everyone, unless fewer than 3 are new.

    When fewer than ``STEP`` respondents arrived since the last published number (and that
    number was shown at all), it stays: the newcomers are counted once enough others join
    them (paper forms while closed, or after reopening).
    """
    base = _base(published)
    if base and submitted - base < STEP:
        return published
    return submitted


def published_at_reopen(submitted: int, published: int) -> int:
    """The number kept when a closed scan opens again: what the closed scan showed."""
    return counted_respondents(submitted, published, closed=True)


def new_ballots(ballots: Sequence[Sequence[str]],
                published: Sequence[Sequence[str]]) -> int:
    """How many of ``ballots`` are not among the ``published`` ones (as multisets).

    A changed vote is one new ballot (and one gone), a new voter one new ballot.
    """
    before = Counter(tuple(sorted(ballot)) for ballot in published)
    now = Counter(tuple(sorted(ballot)) for ballot in ballots)
    return sum((now - before).values())


def ballots_to_publish(ballots: Sequence[Sequence[str]],
                       published: Sequence[Sequence[str]] | None) -> list[list[str]]:
    """The ballots whose tally a closing vote shows: all, or the earlier ones.

    The first close publishes every ballot; a later close (after reopening) only when at
    least ``STEP`` ballots are new or changed, so the tally never moves by one or two votes.
    """
    if published is None or new_ballots(ballots, published) >= STEP:
        return sorted(sorted(ballot) for ballot in ballots)
    return [list(ballot) for ballot in published]


def tally_shown(closed: bool, voters: int) -> bool:
    """Whether the vote's tally may show: the vote closed, with at least 3 voters."""
    return closed and voters >= MIN_RESPONDENTS
