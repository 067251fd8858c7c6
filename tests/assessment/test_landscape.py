"""The landscape: rows per region, the peers' median and IQR, quadrant points and arrows.

Pure: summaries of a small inline questionnaire, every respondent giving the same answers,
so each region's scores are obvious.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from assessment.aggregation import Response, Summary, summarise
from assessment.landscape import (
    RegionRound,
    anonymous_label,
    landscape,
    latest_rounds,
    peer_comparison,
    qualifying,
    spread,
)
from tests.assessment.test_aggregation import Q, build

LESSON_IDS = ("samen", "geld", "raad")
#: The shipped bands' minimums: the boundaries a shown score keeps to.
BOUNDARIES = (Decimal("3"), Decimal("4"))
START = datetime(2026, 1, 1, tzinfo=UTC)


def summary_of(level: int, respondents: int = 10, welvaart: int | None = None) -> Summary:
    """Every respondent answers ``level`` everywhere (the welfare block: ``welvaart``)."""
    answers = {s.id: str(6 - level if s.reverse else level)
               for lesson in Q.lessons for s in lesson.statements}
    answers |= {s.id: str(welvaart if welvaart and block.id == "welvaart" else level)
                for block in Q.context_blocks for s in block.statements}
    return summarise(Q, [Response(i, "gemeente", answers) for i in range(respondents)])


def region_round(assessment_id: int, region: str, level: int, *, respondents: int = 10,
                 closed: bool = True, named: bool = False, days: int = 0,
                 welvaart: int | None = None) -> RegionRound:
    return RegionRound(assessment_id, region, named, closed,
                       START + timedelta(days=days) if closed else None,
                       summary_of(level, respondents, welvaart))


def peers(count: int, first_id: int = 100) -> list[RegionRound]:
    """``count`` other regions, scoring 1, 2, 3, ... (capped at 5) on every lesson."""
    return [region_round(first_id + i, f"Regio {i}", min(i + 1, 5)) for i in range(count)]


def test_a_round_counts_only_closed_with_enough_respondents_and_the_same_lessons():
    other_lessons = summarise(build({"samen": ("s1",)}),
                              [Response(i, "gemeente", {"s1": "4"}) for i in range(10)])
    rounds = [
        region_round(1, "Twente", 4),
        region_round(2, "Achterhoek", 4, respondents=9),
        region_round(3, "Drenthe", 4, closed=False),
        RegionRound(4, "Veluwe", False, True, START, other_lessons),
    ]
    assert [r.assessment_id for r in qualifying(rounds, LESSON_IDS)] == [1]
    assert [r.assessment_id for r in qualifying(rounds, LESSON_IDS, min_respondents=9)] == [1, 2]


def test_one_row_per_region_its_latest_round_with_the_one_before():
    rounds = [region_round(1, "Regio Twente", 2, days=0, named=True),
              region_round(2, " regio  twente ", 4, days=400, named=True),
              region_round(3, "Achterhoek", 3, days=10)]
    rows = latest_rounds(rounds, LESSON_IDS)
    assert [row.label for row in rows] == ["regio twente", "Regio A"]
    twente = next(row for row in rows if row.current.assessment_id == 2)
    assert twente.previous is not None and twente.previous.assessment_id == 1
    achterhoek = next(row for row in rows if row.current.assessment_id == 3)
    assert achterhoek.previous is None
    assert achterhoek.label == "Regio A"   # not named: a letter, never the name


def test_named_regions_by_name_anonymous_ones_by_letter_in_scan_order():
    rows = latest_rounds([region_round(7, "Zwolle", 3), region_round(5, "Twente", 3),
                          region_round(6, "Cleantech Regio", 3, named=True)], LESSON_IDS)
    assert [row.label for row in rows] == ["Cleantech Regio", "Regio A", "Regio B"]
    assert [row.current.assessment_id for row in rows] == [6, 5, 7]
    assert anonymous_label(25) == "Regio Z"
    assert anonymous_label(26) == "Regio AA"


def test_median_and_interquartile_range_by_the_inclusive_method():
    found = spread("samen", [1.0, 2.0, 3.0, 4.0, 5.0])
    assert (found.n, found.q1, found.median, found.q3) == (5, 2.0, 3.0, 4.0)
    found = spread("samen", [1.0, 2.0, 4.0, 5.0])
    assert (found.q1, found.median, found.q3) == (1.75, 3.0, 4.25)
    assert spread("samen", [3.5]).median == 3.5
    assert spread("samen", []).median is None


def test_the_landscape_has_every_region_in_the_quadrant_with_arrows_from_the_previous_round():
    rounds = [region_round(1, "Twente", 2, days=0, welvaart=4, named=True),
              region_round(2, "Twente", 4, days=400, welvaart=2, named=True),
              region_round(3, "Achterhoek", 3, days=10)]
    found = landscape(rounds, LESSON_IDS)
    points = {point.label: point for point in found.points}
    assert set(points) == {"Twente", "Regio A"}
    twente = points["Twente"]
    # x: the welfare block; y: lesson "geld" and the investment block, each weighing the same.
    assert (twente.x, twente.y) == (2.0, 4.0)
    assert twente.previous == (4.0, 2.0)
    assert points["Regio A"].previous is None
    assert found.split == 3.0
    assert [s.lesson_id for s in found.spreads] == list(LESSON_IDS)
    assert found.spreads[0].median == pytest.approx(3.5)


def test_four_peers_show_nothing():
    own = summary_of(4)
    comparison = peer_comparison("Regio Zwolle", own, peers(4), LESSON_IDS)
    assert not comparison.shown
    assert comparison.lessons == () and comparison.points == () and comparison.peers == 0


def test_five_peers_show_the_median_and_iqr_beside_the_own_score():
    comparison = peer_comparison("Regio Zwolle", summary_of(4), peers(5), LESSON_IDS)
    assert comparison.shown and comparison.peers == 5
    samen = comparison.lessons[0]
    assert (samen.own, samen.own_band) == (4.0, "sterk")
    assert (samen.peers.q1, samen.peers.median, samen.peers.q3) == (2.0, 3.0, 4.0)
    assert samen.difference(BOUNDARIES) == 1


def test_the_difference_is_that_of_the_shown_figures():
    from assessment.landscape import LessonBeside, LessonSpread

    # 4.24 shows as 4,2 and 4.26 as 4,3: the difference shown is -0,1, not -0,02 (±0,0).
    beside = LessonBeside("samen", 4.24, "sterk", LessonSpread("samen", 5, 4.26, 4.0, 4.5))
    assert beside.difference(BOUNDARIES) == Decimal("-0.1")


def test_the_own_region_and_a_small_scan_are_not_peers():
    rounds = [*peers(4), region_round(50, "regio zwolle", 2, days=-400),
              region_round(51, "Kleine regio", 3, respondents=9)]
    assert not peer_comparison("Regio Zwolle", summary_of(4), rounds, LESSON_IDS).shown
    rounds.append(region_round(52, "Vijfde regio", 3, closed=False))
    assert not peer_comparison("Regio Zwolle", summary_of(4), rounds, LESSON_IDS).shown
    rounds.append(region_round(53, "Vijfde regio", 3))
    assert peer_comparison("Regio Zwolle", summary_of(4), rounds, LESSON_IDS).shown


def test_peers_dots_are_anonymous_unless_named_and_the_own_point_comes_first():
    rounds = [*peers(4), region_round(60, "Cleantech Regio", 3, named=True)]
    comparison = peer_comparison("Regio Zwolle", summary_of(4), rounds, LESSON_IDS)
    assert comparison.points[0].own and comparison.points[0].label is None
    labels = [point.label for point in comparison.points[1:]]
    assert labels.count(None) == 4 and "Cleantech Regio" in labels
    assert all(point.previous is None for point in comparison.points)
