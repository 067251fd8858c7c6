"""The landscape (landschap): regions side by side, from their summaries.

Pure functions over summaries (no Flask, no database): :mod:`assessment.programmes` loads
the rounds of a programme's taking-part scans, each with the summary the product uses
everywhere (:func:`assessment.results.assessment_summary`), and passes them here. No raw
answer, comment or organisation-type breakdown ever reaches this module's results.

Which rounds count (:func:`qualifying`)
    A round counts when its scan is closed, its summary counts at least
    ``min_respondents`` respondents (the setting ``LANDSCAPE_MIN_RESPONDENTS``, 10) and its
    questionnaire has exactly the programme's lesson ids, in any version.

One row per region (:func:`latest_rounds`)
    Rounds belong to the same region when their region names are equal after trimming,
    joining spaces and ignoring case. A region's row is its latest qualifying round (by
    closing time, then id); its previous round is the qualifying one closed before it, if
    any: that gives the arrow in the quadrant and the change per lesson.

Labels
    A region whose facilitator chose to be named carries its name; the others are
    "Regio A", "Regio B", ... in the order of their rows' scan ids, so the labels say
    nothing about the figures.

Per lesson over the rows (:class:`LessonSpread`)
    ``median`` and the interquartile range ``q1``–``q3`` of the regions' unrounded lesson
    means, by the inclusive method (linear interpolation between the order statistics,
    as R's type 7 and a spreadsheet's QUARTILE.INC); ``n`` counts the regions with a score
    on the lesson. With one region the three are its score.

Peers (vergelijkbare regio's, :func:`peer_comparison`)
    A region's peers are the other regions' rows (its own region's rounds left out). The
    comparison is shown only when there are at least ``min_peers`` (the setting
    ``PEERS_MIN_REGIONS``, 5) of them; below that it holds no figure at all, not even
    the number of peers. Peers' dots carry a name only when that region chose to be named.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from assessment.aggregation import Summary
from assessment.figures import Boundaries, shown_change

#: Settings (``app.config``) and their defaults.
MIN_RESPONDENTS = 10
MIN_PEERS = 5


@dataclass(frozen=True)
class RegionRound:
    """One round of one region's scan, as the landscape sees it."""

    assessment_id: int
    region: str
    named: bool
    closed: bool
    #: When the scan closed (None while it is not closed).
    closed_at: datetime | None
    summary: Summary

    @property
    def region_key(self) -> str:
        """The region as rounds are matched: spaces joined, case ignored."""
        return region_key(self.region)


def region_key(region: str) -> str:
    """A region's name as rounds are matched: trimmed, inner spaces joined, case ignored."""
    return " ".join(region.split()).casefold()


def qualifying(rounds: Sequence[RegionRound], lesson_ids: Sequence[str],
               min_respondents: int = MIN_RESPONDENTS) -> list[RegionRound]:
    """The rounds that may be part of a landscape (see the module docstring)."""
    wanted = tuple(lesson_ids)
    return [r for r in rounds
            if r.closed and r.closed_at is not None
            and r.summary.respondents >= min_respondents
            and tuple(lesson.lesson_id for lesson in r.summary.lessons) == wanted]


@dataclass(frozen=True)
class RegionRow:
    """A region's latest qualifying round, and the one before it (None: none)."""

    label: str
    current: RegionRound
    previous: RegionRound | None


def latest_rounds(rounds: Sequence[RegionRound], lesson_ids: Sequence[str],
                  min_respondents: int = MIN_RESPONDENTS) -> tuple[RegionRow, ...]:
    """One row per region: its latest qualifying round and its previous one, labelled.

    Rows in the order of their labels: named regions by name, then "Regio A", "Regio B", ...
    """
    by_region: dict[str, list[RegionRound]] = {}
    for found in qualifying(rounds, lesson_ids, min_respondents):
        by_region.setdefault(found.region_key, []).append(found)
    pairs = []
    for region_rounds in by_region.values():
        region_rounds.sort(key=lambda r: (r.closed_at, r.assessment_id))
        pairs.append((region_rounds[-1],
                      region_rounds[-2] if len(region_rounds) > 1 else None))
    anonymous = sorted((p for p in pairs if not p[0].named), key=lambda p: p[0].assessment_id)
    letters = {p[0].assessment_id: anonymous_label(i) for i, p in enumerate(anonymous)}
    rows = [RegionRow(" ".join(current.region.split()) if current.named
                      else letters[current.assessment_id], current, previous)
            for current, previous in pairs]
    return tuple(sorted(rows, key=lambda row: (not row.current.named, row.label.casefold()
                                               if row.current.named
                                               else row.current.assessment_id)))


def anonymous_label(index: int) -> str:
    """"Regio A" … "Regio Z", then "Regio AA", "Regio AB", ... for the index from 0."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Regio {letters}"


@dataclass(frozen=True)
class LessonSpread:
    """The regions' scores on one lesson: median, interquartile range, how many regions."""

    lesson_id: str
    n: int
    median: float | None
    q1: float | None
    q3: float | None


def spread(lesson_id: str, scores: Sequence[float]) -> LessonSpread:
    """Median and interquartile range (inclusive method) of the scores given."""
    if not scores:
        return LessonSpread(lesson_id, 0, None, None, None)
    if len(scores) == 1:
        return LessonSpread(lesson_id, 1, scores[0], scores[0], scores[0])
    q1, median, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    return LessonSpread(lesson_id, len(scores), median, q1, q3)


def lesson_spreads(rows: Sequence[RegionRow],
                   lesson_ids: Sequence[str]) -> tuple[LessonSpread, ...]:
    """Per lesson, the spread of the rows' current scores (lessons without a score left out)."""
    return tuple(
        spread(lesson_id, [mean for row in rows
                           if (mean := row.current.summary.lesson(lesson_id).mean) is not None])
        for lesson_id in lesson_ids)


@dataclass(frozen=True)
class QuadrantPoint:
    """A region in the quadrant: its label (None: an anonymous dot), where it stands now,
    and where it stood in its previous round (None: no arrow)."""

    label: str | None
    x: float
    y: float
    previous: tuple[float, float] | None = None
    own: bool = False


def quadrant_point(label: str | None, current: Summary, previous: Summary | None = None,
                   own: bool = False) -> QuadrantPoint | None:
    """The point of a summary's quadrant position; None when it has no complete position."""
    position = current.quadrant
    if position is None or position.x is None or position.y is None:
        return None
    before = previous.quadrant if previous is not None else None
    arrow = ((before.x, before.y) if before is not None and before.x is not None
             and before.y is not None else None)
    return QuadrantPoint(label, position.x, position.y, arrow, own)


@dataclass(frozen=True)
class Landscape:
    """A programme's landscape: a row per region, the spread per lesson, the quadrant."""

    rows: tuple[RegionRow, ...]
    spreads: tuple[LessonSpread, ...]
    points: tuple[QuadrantPoint, ...]
    #: The quadrant's split (None: the questionnaire has no quadrant, or no row).
    split: float | None


def landscape(rounds: Sequence[RegionRound], lesson_ids: Sequence[str],
              min_respondents: int = MIN_RESPONDENTS) -> Landscape:
    """The landscape of the rounds given (see the module docstring)."""
    rows = latest_rounds(rounds, lesson_ids, min_respondents)
    points = tuple(point for row in rows if (point := quadrant_point(
        row.label, row.current.summary,
        row.previous.summary if row.previous is not None else None)) is not None)
    return Landscape(rows, lesson_spreads(rows, lesson_ids), points, _split(rows))


def _split(rows: Sequence[RegionRow]) -> float | None:
    for row in rows:
        if row.current.summary.quadrant is not None:
            return row.current.summary.quadrant.split
    return None


@dataclass(frozen=True)
class LessonBeside:
    """One lesson: the region's own score beside its peers' median and interquartile range."""

    lesson_id: str
    own: float | None
    own_band: str | None
    peers: LessonSpread

    def difference(self, boundaries: Boundaries) -> Decimal | None:
        """The region's shown score minus the peers' shown median (None when either is
        missing): taken on the figures as shown (:mod:`assessment.figures`), so the difference
        shown is always the difference of the two scores beside it."""
        if self.own is None or self.peers.median is None:
            return None
        return shown_change(self.own, self.peers.median, boundaries)


@dataclass(frozen=True)
class PeerComparison:
    """A region beside its peers; ``shown`` False below the threshold (then nothing else)."""

    shown: bool
    min_peers: int
    peers: int = 0
    lessons: tuple[LessonBeside, ...] = ()
    #: The region's own point first (``own`` True), then the peers' dots.
    points: tuple[QuadrantPoint, ...] = ()
    split: float | None = None


def peer_comparison(own_region: str, own: Summary, rounds: Sequence[RegionRound],
                    lesson_ids: Sequence[str], *, min_respondents: int = MIN_RESPONDENTS,
                    min_peers: int = MIN_PEERS) -> PeerComparison:
    """The region's summary beside the other regions' latest qualifying rounds."""
    key = region_key(own_region)
    peers = [row for row in latest_rounds(rounds, lesson_ids, min_respondents)
             if row.current.region_key != key]
    if len(peers) < min_peers:
        return PeerComparison(shown=False, min_peers=min_peers)
    lessons = tuple(
        LessonBeside(s.lesson_id, own.lesson(s.lesson_id).mean, own.lesson(s.lesson_id).band, s)
        for s in lesson_spreads(peers, lesson_ids))
    own_point = quadrant_point(None, own, own=True)
    others = [quadrant_point(row.label if row.current.named else None, row.current.summary)
              for row in peers]
    points = tuple(p for p in (own_point, *others) if p is not None)
    return PeerComparison(True, min_peers, len(peers), lessons, points, _split(peers))
