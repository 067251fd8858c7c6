"""Aggregation: from hand-made responses on a small inline questionnaire to the group summary.

Every expected value is worked out by hand in the test; the questionnaire is small enough
that the arithmetic is obvious.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.aggregation import (
    MAJORITY_SHARE,
    MIN_GROUP_SIZE,
    Advice,
    Agreement,
    CellStatus,
    Distribution,
    HiddenReason,
    QuadrantPosition,
    Response,
    Summary,
    advice_for,
    agreement_of,
    band_of,
    consensus,
    summarise,
    suppress,
)
from questions.schema import ADVICE_STATES, BandAdvice, Questionnaire

GROUPS = ("gemeente", "waterschap", "provincie", "partner", "anders")
WEET_NIET, NVT = "weet_niet", "nvt"

#: The default inline questionnaire: lesson → statement ids; ids ending in "r" are reversed.
LESSONS = {
    "samen": ("s1", "s2", "s3", "s4r"),
    "geld": ("g1", "g2"),
    "raad": ("r1", "r2", "r3"),
}
BLOCKS = {"welvaart": ("w1", "w2", "w3"), "invest": ("i1", "i2")}
QUADRANT = {"x": {"label": "Brede welvaart", "context_blocks": ["welvaart"]},
            "y": {"label": "Investering", "lessons": ["geld"], "context_blocks": ["invest"]},
            "split": 3.0}
#: Placeholder report texts: the schema requires them; aggregation does not read them.
LESSON_REPORT = {"meaning": "Wat deze les betekent.",
                 "advice": {band: {"agreed_works": "Samen doen.", "no_majority": "Kijk samen.",
                                   "agreed_falls_short": "Begin klein.",
                                   "divided": "Eerst bespreken."}
                            for band in ("sterk", "aandacht", "zorg")},
                 "questions": ["Wat gaat goed?", "Wat kan beter?"],
                 "information_gap": "Deel de informatie."}
REPORT = {"introduction": "Over dit rapport.", "quadrant_note": "Een eigen duiding.",
          "quadrants": {cell: {"title": "Vak", "text": "Uitleg."}
                        for cell in ("high_high", "high_low", "low_high", "low_low")},
          "advice_labels": {"keep": "Vasthouden", "talk": "Bespreken", "improve": "Verbeteren",
                            "share": "Delen"},
          "information_gap": "Veel mensen weten het niet.", "next_steps": ["Herhaal de scan."]}


def _statements(ids: Sequence[str]) -> list[dict[str, Any]]:
    return [{"id": i, "text": f"Stelling {i}.", "reverse": i.endswith("r")} for i in ids]


def build(
    lessons: Mapping[str, Sequence[str]] = LESSONS,
    blocks: Mapping[str, Sequence[str]] | None = None,
    quadrant: Mapping[str, Any] | None = None,
) -> Questionnaire:
    """A questionnaire with these lessons (and context blocks), the usual scale and bands."""
    data: dict[str, Any] = {
        "id": "mini", "version": "1.0", "language": "nl", "title": "Mini-scan",
        "texts": {"intro_title": "Welkom", "intro": "Intro.", "duration_minutes": 5,
                  "privacy": "Anoniem.", "profile_intro": "Over u.", "context_intro": "Regio.",
                  "open_intro": "Open.", "comment_label": "Toelichting", "thanks": "Dank."},
        "default_scale": "eens5",
        "scales": [{"id": "eens5",
                    "points": [{"value": v, "label": f"punt {v}"} for v in range(1, 6)],
                    "non_valid": [{"code": WEET_NIET, "label": "Weet ik niet"},
                                  {"code": NVT, "label": "N.v.t."}]}],
        "bands": [{"id": "sterk", "label": "Sterk", "minimum": 4.0, "description": "Goed."},
                  {"id": "aandacht", "label": "Aandacht", "minimum": 3.0,
                   "description": "Bespreken."},
                  {"id": "zorg", "label": "Zorg", "description": "Zwak."}],
        "profile": [{"id": "organisatietype", "label": "Organisatie?", "groups_respondents": True,
                     "options": [{"id": g, "label": g.title()} for g in GROUPS]}],
        "lessons": [{"id": lid, "title": lid.title(), "intro": "Over deze les.",
                     "short_title": lid.title()[:24], "report": LESSON_REPORT,
                     "statements": _statements(ids)} for lid, ids in lessons.items()],
        "context_blocks": [{"id": bid, "title": bid.title(), "intro": "Context.",
                            "statements": _statements(ids)}
                           for bid, ids in (blocks or {}).items()],
        "report": REPORT,
    }
    if quadrant is not None:
        data["quadrant"] = quadrant
    return Questionnaire.model_validate(data)


Q = build(LESSONS, BLOCKS, QUADRANT)


def scoring(questionnaire: Questionnaire, part_id: str, *scores: int | str) -> dict[str, str]:
    """Answers to a lesson or block such that statement i *scores* scores[i].

    A reverse-worded statement gets the code 6 − score, so the score is what the test reads.
    A single score is used for every statement; "weet_niet"/"nvt" are passed through.
    """
    parts = {**{lesson.id: lesson for lesson in questionnaire.lessons},
             **{block.id: block for block in questionnaire.context_blocks}}
    statements = parts[part_id].statements
    if len(scores) == 1:
        scores = scores * len(statements)
    assert len(scores) == len(statements)
    return {s.id: (str(6 - v if s.reverse else v) if isinstance(v, int) else v)
            for s, v in zip(statements, scores, strict=True)}


def people(*answer_sets: Mapping[str, str], group: str | None = None,
           start: int = 1) -> list[Response]:
    """Respondents numbered from ``start`` with these answers, all in one group."""
    return [Response(start + i, group, dict(a)) for i, a in enumerate(answer_sets)]


def lesson_scores(questionnaire: Questionnaire, lesson_id: str, *scores: int,
                  group: str | None = None, start: int = 1) -> list[Response]:
    """One respondent per score, each scoring every statement of the lesson the same."""
    return people(*(scoring(questionnaire, lesson_id, s) for s in scores),
                  group=group, start=start)


# -- lesson level and spread ------------------------------------------------------------


def test_each_respondent_weighs_the_same_not_each_answer():
    responses = people(
        {"s1": "5", "s2": "5", "s3": "5", "s4r": "1"},                    # 5, 5, 5, 5 → 5
        {"s1": "1", "s2": "1", "s3": WEET_NIET, "s4r": WEET_NIET},        # 1, 1      → 1
        {"s1": "3", "s2": "3", "s3": "3", "s4r": "3"},                    # 3, 3, 3, 3 → 3
    )
    lesson = summarise(Q, responses).lesson("samen")
    # Per respondent (5 + 1 + 3) / 3 = 3.0; per answer it would be (20 + 2 + 12) / 10 = 3.4.
    assert lesson.mean == pytest.approx(3.0)
    assert lesson.median == pytest.approx(3.0)
    assert lesson.n == 3
    # Sample SD: deviations 2, −2, 0 → (4 + 4 + 0) / (3 − 1) = 4 → 2.0.
    assert lesson.sd == pytest.approx(2.0)
    assert lesson.shown


def test_median_of_an_even_number_is_the_middle_two():
    lesson = summarise(Q, lesson_scores(Q, "geld", 2, 3, 4, 5, 5)).lesson("geld")
    assert lesson.mean == pytest.approx(19 / 5)
    assert lesson.median == pytest.approx(4.0)
    lesson = summarise(Q, lesson_scores(Q, "geld", 2, 3, 4, 5)).lesson("geld")
    assert lesson.median == pytest.approx(3.5)
    # deviations −1.5, −0.5, 0.5, 1.5 → 5 / 3
    assert lesson.sd == pytest.approx(math.sqrt(5 / 3))


def test_everyone_equal_has_no_spread_and_full_consensus():
    lesson = summarise(Q, lesson_scores(Q, "samen", 4, 4, 4)).lesson("samen")
    assert lesson.mean == pytest.approx(4.0)
    assert lesson.sd == 0
    assert lesson.consensus == pytest.approx(1.0)
    assert lesson.distribution.counts == (0, 0, 0, 12, 0)


def test_a_single_score_shows_nothing_even_though_its_sd_would_be_zero():
    # The rule "SD 0 for a single score" cannot be seen: a lesson needs 3 scores to show.
    summary = summarise(Q, lesson_scores(Q, "geld", 4, 4, 4)
                        + people({"s1": "4", "s2": "4"}, start=4))
    lesson = summary.lesson("samen")
    assert lesson.n == 1
    assert not lesson.shown
    assert (lesson.mean, lesson.median, lesson.sd, lesson.band) == (None, None, None, None)


# -- distribution, shares, "weet niet" --------------------------------------------------


def test_distribution_and_shares_are_of_scored_answers_with_reverse_applied():
    responses = people(
        {"s1": "5", "s2": "4", "s3": "3", "s4r": "1"},             # scores 5 4 3 5
        {"s1": "2", "s2": "1", "s3": WEET_NIET, "s4r": NVT},      # scores 2 1
        {"s1": "4", "s2": WEET_NIET, "s3": WEET_NIET, "s4r": "2"},  # scores 4 4
    )
    lesson = summarise(Q, responses).lesson("samen")
    assert lesson.distribution == Distribution((1, 1, 1, 3, 2), dont_know=3, not_applicable=1)
    assert lesson.distribution.agree == pytest.approx(5 / 8)
    assert lesson.distribution.neutral == pytest.approx(1 / 8)
    assert lesson.distribution.disagree == pytest.approx(2 / 8)
    # 3 "weet niet" of 12 answers given (8 valid, 3 weet niet, 1 n.v.t.).
    assert lesson.dont_know_share == pytest.approx(3 / 12)
    assert not lesson.information_gap
    # Lesson scores 4.25, 1.5, 4.0.
    assert lesson.mean == pytest.approx((4.25 + 1.5 + 4.0) / 3)
    reverse = {s.statement_id: s for s in lesson.statements}["s4r"]
    # Two valid answers ("1" and "2"): too few for any figure of the statement.
    assert not reverse.shown
    assert reverse.distribution == Distribution((0, 0, 0, 0, 0), dont_know=0, not_applicable=0)
    assert reverse.scored_mean is None
    plain = {s.statement_id: s for s in lesson.statements}["s1"]
    assert plain.shown
    assert plain.scored_mean == pytest.approx((5 + 2 + 4) / 3)


def test_a_reversed_statement_is_counted_as_worded_and_scored_reversed():
    responses = people({"s1": "4", "s4r": "1"}, {"s1": "4", "s4r": "2"},
                       {"s1": "4", "s4r": "2", "s2": NVT})
    statement = {s.statement_id: s for s in
                 summarise(Q, responses).lesson("samen").statements}["s4r"]
    # As worded: one "1" and two "2"; as scored 5, 4 and 4.
    assert statement.distribution == Distribution((1, 2, 0, 0, 0), dont_know=0,
                                                  not_applicable=0)
    assert statement.scored_mean == pytest.approx(13 / 3)


@pytest.mark.parametrize(("valid", "shown"), [(0, False), (1, False), (2, False), (3, True)])
def test_a_statement_needs_three_valid_answers_for_any_figure(valid, shown):
    # Everyone scores the lesson through s1..s3; s4r gets `valid` answers, the rest "weet niet".
    responses = people(*({"s1": "4", "s2": "4", "s3": "4",
                          "s4r": "2" if i < valid else WEET_NIET} for i in range(4)))
    statement = {s.statement_id: s for s in
                 summarise(Q, responses).lesson("samen").statements}["s4r"]
    assert statement.shown is shown
    if shown:
        assert statement.distribution == Distribution((0, 3, 0, 0, 0), dont_know=1,
                                                      not_applicable=0)
    else:
        assert statement.distribution == Distribution((0, 0, 0, 0, 0), 0, 0)
        assert statement.scored_mean is None


def _gap_responses(dont_know: int, not_applicable: int, valid: int,
                   unanswered: int = 0) -> list[Response]:
    """Answers to lesson "geld" (two statements), two per respondent, in this mix."""
    codes = ([WEET_NIET] * dont_know + [NVT] * not_applicable + ["4"] * valid
             + [None] * unanswered)
    random.Random(7).shuffle(codes)
    responses = []
    for i in range(0, len(codes), 2):
        pair = dict(zip(("g1", "g2"), codes[i:i + 2], strict=False))
        responses.append(Response(i // 2 + 1, None,
                                  {k: v for k, v in pair.items() if v is not None}))
    return responses


@pytest.mark.parametrize(("dont_know", "not_applicable", "valid", "unanswered", "gap"), [
    pytest.param(3, 0, 7, 0, True, id="3 of 10 is exactly 30%"),
    pytest.param(300, 0, 700, 0, True, id="300 of 1000"),
    pytest.param(299, 0, 701, 0, False, id="299 of 1000 is just below"),
    pytest.param(3, 0, 8, 1, False, id="3 of 11 is 27%"),
    pytest.param(3, 2, 5, 0, True, id="n.v.t. counts as given: 3 of 10"),
    pytest.param(3, 1, 7, 1, False, id="3 of 11 given, n.v.t. included"),
    pytest.param(3, 0, 7, 6, True, id="unanswered is not given: 3 of 10"),
])
def test_information_gap_at_thirty_percent_of_answers_given(
        dont_know, not_applicable, valid, unanswered, gap):
    responses = _gap_responses(dont_know, not_applicable, valid, unanswered)
    lesson = summarise(Q, responses).lesson("geld")
    given_answers = dont_know + not_applicable + valid
    assert lesson.distribution.given == given_answers
    assert lesson.dont_know_share == pytest.approx(dont_know / given_answers)
    assert lesson.information_gap is gap
    assert summarise(Q, responses).information_gaps == (("geld",) if gap else ())


def test_information_gap_shows_even_when_the_lesson_has_too_few_scores():
    responses = people(
        {"g1": "4", "g2": "4"}, {"g1": "3", "g2": "4"},
        {"g1": WEET_NIET, "g2": WEET_NIET}, {"g1": WEET_NIET, "g2": WEET_NIET},
    )
    summary = summarise(Q, responses)
    lesson = summary.lesson("geld")
    assert lesson.n == 2
    assert not lesson.shown
    assert lesson.mean is None
    # The signal shows (4 people answered the lesson, half of it "weet niet"), its share not:
    # a share of the answers of a lesson with two scores is a figure over too few.
    assert lesson.information_gap
    assert lesson.distribution == Distribution((0, 0, 0, 0, 0), 0, 0)
    assert lesson.statements == ()
    assert summary.information_gaps == ("geld",)


def test_no_information_gap_signal_when_fewer_than_three_answered_the_lesson():
    responses = people(
        {"g1": "4", "g2": "4", "s1": "4"}, {"g1": WEET_NIET, "g2": WEET_NIET, "s1": "4"},
        {"s1": "4"},
    )
    lesson = summarise(Q, responses).lesson("geld")
    assert not lesson.shown
    assert not lesson.information_gap


# -- disagreement -----------------------------------------------------------------------


def test_ones_and_fives_have_no_consensus_and_are_divided():
    lesson = summarise(Q, lesson_scores(Q, "geld", 1, 1, 5, 5)).lesson("geld")
    assert lesson.distribution.counts == (4, 0, 0, 0, 4)
    assert lesson.consensus == pytest.approx(0.0, abs=1e-12)
    assert lesson.mean == pytest.approx(3.0)
    # deviations ±2 → 4 · 4 / 3
    assert lesson.sd == pytest.approx(math.sqrt(16 / 3))
    assert lesson.divided_by_sd
    assert lesson.divided_by_polarisation
    assert lesson.divided
    assert lesson.advice is Advice.SHARE_PICTURE


@pytest.mark.parametrize(("counts", "expected"), [
    pytest.param([30, 40, 210, 130, 530, 50, 10], 0.7256876, id="agrmt oracle, 7 points"),
    pytest.param([0, 0, 7, 0, 0], 1.0, id="all on the middle"),
    pytest.param([5, 0, 0, 0, 0], 1.0, id="all on one end"),
    pytest.param([0, 0, 0, 0, 1], 1.0, id="one answer"),
    pytest.param([3, 0, 0, 0, 3], 0.0, id="half at each end"),
    pytest.param([1, 0, 0, 0, 0, 0, 1], 0.0, id="half at each end, 7 points"),
    # mean 2, both a distance 1 of 4 away: 1 + log2(3/4)
    pytest.param([1, 0, 1, 0, 0], 1 + math.log2(0.75), id="1 and 3"),
])
def test_consensus(counts, expected):
    assert consensus(counts) == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize("counts", [[0, 0, 0, 0, 0], []])
def test_consensus_without_answers_is_none(counts):
    assert consensus(counts) is None


def test_consensus_is_that_of_the_lesson_distribution():
    # Every respondent answers 4 and 5: p = ½, ½ around 4.5 → 1 + log2(1 − 0.5/4).
    responses = people(*({"g1": "4", "g2": "5"} for _ in range(3)))
    lesson = summarise(Q, responses).lesson("geld")
    assert lesson.consensus == pytest.approx(1 + math.log2(0.875))
    assert lesson.consensus == pytest.approx(consensus(lesson.distribution.counts))


@pytest.mark.parametrize(("scores", "by_sd"), [
    pytest.param((3, 4, 5), True, id="SD exactly 1.0"),
    pytest.param((3, 3.5, 5, 5, 5), False, id="SD 0.97"),
])
def test_divided_by_sd_from_one(scores, by_sd):
    answers = [scoring(Q, "geld", *((int(s), int(s)) if s == int(s) else (3, 4)))
               for s in scores]
    lesson = summarise(Q, people(*answers)).lesson("geld")
    assert lesson.mean == pytest.approx(sum(scores) / len(scores))
    assert (lesson.sd >= 1.0) is by_sd
    assert lesson.divided_by_sd is by_sd
    # Nobody disagrees, and there are no groups: the SD is the only sign.
    assert lesson.distribution.disagree == 0
    assert not lesson.divided_by_polarisation
    assert not lesson.divided_by_groups
    assert lesson.divided is by_sd


def test_divided_by_polarisation_at_a_quarter_each_way():
    # Scores: 1 3 3 5 | 2 3 3 4 | 1 3 3 5 → 3 of 12 agree, 3 of 12 disagree, everyone 3.0.
    responses = people(
        {"s1": "1", "s2": "3", "s3": "3", "s4r": "1"},   # s4r "1" scores 5
        {"s1": "2", "s2": "3", "s3": "3", "s4r": "2"},   # s4r "2" scores 4
        {"s1": "5", "s2": "3", "s3": "3", "s4r": "5"},   # s4r "5" scores 1
    )
    lesson = summarise(Q, responses).lesson("samen")
    assert lesson.distribution.counts == (2, 1, 6, 1, 2)
    assert lesson.distribution.agree == pytest.approx(0.25)
    assert lesson.distribution.disagree == pytest.approx(0.25)
    assert lesson.sd == 0
    assert lesson.divided_by_polarisation
    assert not lesson.divided_by_sd
    assert lesson.divided
    assert lesson.advice is Advice.SHARE_PICTURE


@pytest.mark.parametrize("extra", [
    pytest.param({"s1": "3", "s2": WEET_NIET, "s3": WEET_NIET, "s4r": WEET_NIET},
                 id="both sides 3 of 13"),
    pytest.param({"s1": "4", "s2": WEET_NIET, "s3": WEET_NIET, "s4r": WEET_NIET},
                 id="agree 4 of 13, disagree 3 of 13"),
])
def test_not_divided_by_polarisation_just_below_a_quarter(extra):
    responses = people(
        {"s1": "1", "s2": "3", "s3": "3", "s4r": "1"},
        {"s1": "2", "s2": "3", "s3": "3", "s4r": "2"},
        {"s1": "5", "s2": "3", "s3": "3", "s4r": "5"},
        extra,
    )
    lesson = summarise(Q, responses).lesson("samen")
    assert lesson.distribution.valid == 13
    assert lesson.distribution.disagree == pytest.approx(3 / 13)
    assert not lesson.divided_by_polarisation
    assert not lesson.divided


@pytest.mark.parametrize(("waterschap", "by_groups"), [
    pytest.param([(3, 3)] * 5, True, id="4.0 against 3.0"),
    pytest.param([(3, 3)] * 4 + [(3, 4)], False, id="4.0 against 3.1"),
])
def test_divided_by_two_organisation_types_a_point_apart(waterschap, by_groups):
    responses = (people(*([{"g1": "4", "g2": "4"}] * 5), group="gemeente")
                 + people(*({"g1": str(a), "g2": str(b)} for a, b in waterschap),
                          group="waterschap", start=6))
    lesson = summarise(Q, responses).lesson("geld")
    cells = {cell.group: cell for cell in lesson.groups}
    assert cells["gemeente"].mean == pytest.approx(4.0)
    assert cells["waterschap"].status is CellStatus.SHOWN
    assert cells["waterschap"].mean == pytest.approx(3.0 if by_groups else 3.1)
    assert lesson.sd < 1.0
    assert not lesson.divided_by_polarisation
    assert lesson.divided_by_groups is by_groups
    assert lesson.divided is by_groups


def test_a_hidden_group_does_not_make_a_lesson_divided():
    # gemeente and provincie (5 each) score 4; waterschap (2) and partner (3) score 3:
    # those two are hidden, and the shown ones do not differ.
    responses = (lesson_scores(Q, "geld", *[4] * 5, group="gemeente")
                 + lesson_scores(Q, "geld", *[4] * 5, group="provincie", start=6)
                 + lesson_scores(Q, "geld", 3, 3, group="waterschap", start=11)
                 + lesson_scores(Q, "geld", 3, 3, 3, group="partner", start=13))
    lesson = summarise(Q, responses).lesson("geld")
    statuses = {cell.group: cell.status for cell in lesson.groups}
    assert statuses["waterschap"] is statuses["partner"] is CellStatus.HIDDEN
    assert not lesson.divided_by_groups
    assert not lesson.divided


# -- bands and advice -------------------------------------------------------------------


@pytest.mark.parametrize(("score", "band"), [
    (1.0, "zorg"), (2.99, "zorg"), (2.9999999, "zorg"), (3.0, "aandacht"), (3.5, "aandacht"),
    (3.99, "aandacht"), (3.9999999, "aandacht"), (4.0, "sterk"), (5.0, "sterk"),
])
def test_band_of_an_unrounded_score(score, band):
    assert band_of(Q, score) == band


@pytest.mark.parametrize(("scores", "mean", "band"), [
    pytest.param([3, 3, 3], 3.0, "aandacht", id="3.0"),
    pytest.param([4, 4, 4], 4.0, "sterk", id="4.0"),
    pytest.param([2, 3, 4], 3.0, "aandacht", id="mean of 2, 3, 4"),
    # 19 × 3.0 and one 2.5: 2.975 shows as "3,0" but is below 3.
    pytest.param([3] * 19 + ["2.5"], 2.975, "zorg", id="2.975"),
    # 19 × 4.0 and one 3.5: 3.975 shows as "4,0" but is below 4.
    pytest.param([4] * 19 + ["3.5"], 3.975, "aandacht", id="3.975"),
])
def test_band_through_summarise(scores, mean, band):
    half = {"2.5": ("2", "3"), "3.5": ("3", "4")}
    answers = [dict(zip(("g1", "g2"), half[s], strict=True)) if isinstance(s, str)
               else scoring(Q, "geld", s) for s in scores]
    lesson = summarise(Q, people(*answers)).lesson("geld")
    assert lesson.mean == pytest.approx(mean)
    assert lesson.band == band


def test_band_of_a_mean_of_thirds_that_is_exactly_three():
    # Lesson "raad" has three statements, so scores are thirds: 3, 4, 5/3, 5, 3, 4/3 sum
    # to 18. Added as floats in this order they come to 17.999999999999996.
    responses = people({"r1": "3", "r2": "3", "r3": "3"}, {"r1": "4", "r2": "4", "r3": "4"},
                       {"r1": "1", "r2": "2", "r3": "2"}, {"r1": "5", "r2": "5", "r3": "5"},
                       {"r1": "3", "r2": "3", "r3": "3"}, {"r1": "1", "r2": "1", "r3": "2"})
    lesson = summarise(Q, responses).lesson("raad")
    assert lesson.mean == pytest.approx(3.0)
    assert lesson.band == "aandacht"


@pytest.mark.parametrize(("band", "agreement", "advice"), [
    ("sterk", Agreement.AGREED_WORKS, Advice.KEEP),
    ("sterk", Agreement.NO_MAJORITY, Advice.KEEP),
    ("sterk", Agreement.DIVIDED, Advice.TALK),
    # a high score while most answers disagree: the two point different ways
    ("sterk", Agreement.AGREED_FALLS_SHORT, Advice.TALK),
    ("aandacht", Agreement.AGREED_WORKS, Advice.IMPROVE),
    ("aandacht", Agreement.NO_MAJORITY, Advice.IMPROVE),
    ("aandacht", Agreement.DIVIDED, Advice.SHARE_PICTURE),
    ("zorg", Agreement.AGREED_FALLS_SHORT, Advice.IMPROVE),
    ("zorg", Agreement.NO_MAJORITY, Advice.IMPROVE),
    ("zorg", Agreement.DIVIDED, Advice.SHARE_PICTURE),
])
def test_advice_for_level_and_agreement(band, agreement, advice):
    assert advice_for(band, agreement) is advice


@pytest.mark.parametrize(("scores", "band", "divided", "advice"), [
    pytest.param((4, 4, 4), "sterk", False, Advice.KEEP, id="sterk and agreed"),
    # mean 4, deviations 1, 1, −2 → SD √3
    pytest.param((5, 5, 2), "sterk", True, Advice.TALK, id="sterk but divided"),
    pytest.param((3, 3, 3), "aandacht", False, Advice.IMPROVE, id="aandacht and agreed"),
    pytest.param((2, 2, 2), "zorg", False, Advice.IMPROVE, id="zorg and agreed"),
    pytest.param((1, 5, 3), "aandacht", True, Advice.SHARE_PICTURE, id="aandacht, divided"),
    pytest.param((1, 1, 4), "zorg", True, Advice.SHARE_PICTURE, id="zorg and divided"),
])
def test_advice_through_summarise(scores, band, divided, advice):
    lesson = summarise(Q, lesson_scores(Q, "geld", *scores)).lesson("geld")
    assert lesson.band == band
    assert lesson.divided is divided
    assert lesson.advice is advice


# -- agreement states -------------------------------------------------------------------


def test_the_majority_is_more_than_half():
    assert MAJORITY_SHARE == 0.5


def test_every_agreement_state_is_a_key_of_a_band_s_advice():
    assert {state.value for state in Agreement} == set(BandAdvice.model_fields)
    assert set(ADVICE_STATES) == {"sterk", "aandacht", "zorg"}
    assert all(set(states) <= set(BandAdvice.model_fields) and "divided" in states
               for states in ADVICE_STATES.values())


@pytest.mark.parametrize(("counts", "dont_know", "divided", "state"), [
    # (1, 2, 3, 4, 5): agree is 4–5, disagree 1–2, shares of the answers on the scale
    pytest.param((0, 0, 5, 5, 0), 0, False, Agreement.NO_MAJORITY, id="agree exactly half"),
    pytest.param((0, 0, 5, 5, 1), 0, False, Agreement.AGREED_WORKS, id="agree just over"),
    pytest.param((0, 5, 5, 0, 0), 0, False, Agreement.NO_MAJORITY, id="disagree exactly half"),
    pytest.param((1, 5, 5, 0, 0), 0, False, Agreement.AGREED_FALLS_SHORT,
                 id="disagree just over"),
    pytest.param((0, 0, 0, 9, 9), 0, True, Agreement.DIVIDED, id="divided comes first"),
    pytest.param((0, 0, 4, 0, 5), 30, False, Agreement.AGREED_WORKS,
                 id="weet niet is not on the scale"),
    # Legitimiteit in the demo: 18 % agree, 27 % disagree, 55 % neutral, not divided
    pytest.param((0, 9, 18, 6, 0), 19, False, Agreement.NO_MAJORITY,
                 id="18 agree 27 disagree"),
])
def test_agreement_state_at_its_boundaries(counts, dont_know, divided, state):
    assert agreement_of(divided, Distribution(counts, dont_know, 0)) is state


@pytest.mark.parametrize(("scores", "band", "state"), [
    pytest.param((4, 4, 4), "sterk", Agreement.AGREED_WORKS, id="all agree"),
    pytest.param((3, 3, 3), "aandacht", Agreement.NO_MAJORITY, id="all neutral"),
    pytest.param((2, 2, 2), "zorg", Agreement.AGREED_FALLS_SHORT, id="all disagree"),
    pytest.param((1, 1, 4), "zorg", Agreement.DIVIDED, id="divided"),
])
def test_agreement_through_summarise(scores, band, state):
    lesson = summarise(Q, lesson_scores(Q, "geld", *scores)).lesson("geld")
    assert (lesson.band, lesson.agreement) == (band, state)


def test_a_lesson_without_a_score_has_no_agreement_state():
    lesson = summarise(Q, lesson_scores(Q, "geld", 4, 4)).lesson("geld")
    assert lesson.agreement is None


# -- anonymity --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 2])
def test_fewer_than_three_respondents_show_nothing(count):
    responses = [Response(i, "gemeente", {**scoring(Q, "samen", 4), **scoring(Q, "geld", 2),
                                         **scoring(Q, "raad", 5), **scoring(Q, "welvaart", 4),
                                         **scoring(Q, "invest", 4), "g1": WEET_NIET})
                 for i in range(1, count + 1)]
    summary = summarise(Q, responses)
    assert summary.respondents == count
    assert not summary.shown
    assert summary.group_sizes == ()
    assert summary.overall_index is None
    assert summary.quadrant == QuadrantPosition(None, None, 3.0)
    assert summary.strengths == summary.points_of_attention == ()
    assert summary.largest_disagreements == summary.information_gaps == ()
    for lesson in summary.lessons:
        assert not lesson.shown
        assert (lesson.mean, lesson.median, lesson.sd) == (None, None, None)
        assert (lesson.band, lesson.consensus, lesson.advice) == (None, None, None)
        assert lesson.distribution.given == 0
        assert not lesson.information_gap
        assert lesson.groups == lesson.statements == ()
    assert all(block.mean is None for block in summary.context)


def test_three_respondents_show_the_summary():
    summary = summarise(Q, lesson_scores(Q, "samen", 4, 4, 5))
    assert summary.shown
    assert summary.lesson("samen").mean == pytest.approx(13 / 3)


def test_a_lesson_with_two_scores_is_not_shown():
    responses = people(
        {**scoring(Q, "samen", 4), **scoring(Q, "geld", 4)},
        {**scoring(Q, "samen", 2), **scoring(Q, "geld", 4)},
        {**scoring(Q, "samen", WEET_NIET), **scoring(Q, "geld", 5)},
    )
    summary = summarise(Q, responses)
    samen = summary.lesson("samen")
    assert summary.shown
    assert samen.n == 2
    assert not samen.shown
    assert (samen.mean, samen.median, samen.sd, samen.band, samen.advice) == (None,) * 5
    assert samen.groups == ()
    # No figure over two scores: no distribution, shares or statement figures either.
    assert samen.distribution == Distribution((0, 0, 0, 0, 0), 0, 0)
    assert samen.statements == ()
    assert samen.consensus is None
    assert summary.lesson("geld").shown
    assert summary.overall_index == pytest.approx(13 / 3)
    assert "samen" not in summary.points_of_attention + summary.strengths


def _cells(lesson) -> dict[str, tuple[CellStatus, int | None, float | None]]:
    return {cell.group: (cell.status, cell.n, cell.mean) for cell in lesson.groups}


def test_groups_of_five_show_and_of_four_hide_with_a_partner():
    # gemeente 6 (score 4), provincie 5 (score 3), waterschap 4 and partner 1 (score 2):
    # the two small groups hide each other (4 + 1 = 5), no one needs to be added.
    responses = (lesson_scores(Q, "geld", *[4] * 6, group="gemeente")
                 + lesson_scores(Q, "geld", *[3] * 5, group="provincie", start=7)
                 + lesson_scores(Q, "geld", *[2] * 4, group="waterschap", start=12)
                 + lesson_scores(Q, "geld", 2, group="partner", start=16))
    summary = summarise(Q, responses)
    assert _cells(summary.lesson("geld")) == {
        "gemeente": (CellStatus.SHOWN, 6, pytest.approx(4.0)),
        "waterschap": (CellStatus.HIDDEN, None, None),
        "provincie": (CellStatus.SHOWN, 5, pytest.approx(3.0)),
        "partner": (CellStatus.HIDDEN, None, None),
        "anders": (CellStatus.NO_DATA, None, None),
    }
    assert summary.lesson("geld").divided_by_groups
    assert {c.group: (c.status, c.n) for c in summary.group_sizes} == {
        "gemeente": (CellStatus.SHOWN, 6), "waterschap": (CellStatus.HIDDEN, None),
        "provincie": (CellStatus.SHOWN, 5), "partner": (CellStatus.HIDDEN, None),
        "anders": (CellStatus.NO_DATA, None),
    }


def test_respondents_are_grouped_by_the_question_the_file_marks():
    """Not by a question id in the code: a file may group by another question, or by none."""
    sector = Questionnaire.model_validate({**Q.model_dump(), "profile": [
        {"id": "organisatietype", "label": "Organisatie?",
         "options": [{"id": g, "label": g.title()} for g in GROUPS]},
        {"id": "sector", "label": "Sector?", "groups_respondents": True,
         "options": [{"id": "publiek", "label": "Publiek"}, {"id": "privaat", "label": "Privaat"}]},
    ]})
    responses = (lesson_scores(sector, "geld", *[4] * 6, group="publiek")
                 + lesson_scores(sector, "geld", *[2] * 5, group="privaat", start=7))
    summary = summarise(sector, responses)
    assert _cells(summary.lesson("geld")) == {
        "publiek": (CellStatus.SHOWN, 6, pytest.approx(4.0)),
        "privaat": (CellStatus.SHOWN, 5, pytest.approx(2.0)),
    }
    assert summary.lesson("geld").divided_by_groups
    nobody = Q.model_copy(update={"profile": tuple(
        q.model_copy(update={"groups_respondents": False}) for q in Q.profile)})
    ungrouped = summarise(nobody, responses)
    assert ungrouped.group_sizes == () and ungrouped.lesson("geld").groups == ()
    assert not ungrouped.lesson("geld").divided_by_groups


def test_one_hidden_group_takes_the_smallest_shown_group_with_it():
    # waterschap (4) alone could be computed from the total; provincie (5), the smallest
    # shown group, is hidden with it, not gemeente (6).
    responses = (lesson_scores(Q, "geld", *[4] * 6, group="gemeente")
                 + lesson_scores(Q, "geld", *[3] * 5, group="provincie", start=7)
                 + lesson_scores(Q, "geld", *[2] * 4, group="waterschap", start=12))
    summary = summarise(Q, responses)
    assert _cells(summary.lesson("geld")) == {
        "gemeente": (CellStatus.SHOWN, 6, pytest.approx(4.0)),
        "waterschap": (CellStatus.HIDDEN, None, None),
        "provincie": (CellStatus.HIDDEN, None, None),
        "partner": (CellStatus.NO_DATA, None, None),
        "anders": (CellStatus.NO_DATA, None, None),
    }
    cells = {cell.group: cell for cell in summary.lesson("geld").groups}
    assert cells["waterschap"].reason is HiddenReason.SMALL_GROUP
    assert cells["provincie"].reason is HiddenReason.COMPLEMENTARY
    assert cells["gemeente"].reason is None
    # Provincie (5) is hidden only to protect waterschap: it still counts in the gap,
    # gemeente 4.0 against provincie 3.0, though one type is shown (domain: type gaps).
    assert summary.lesson("geld").divided_by_groups


def test_a_group_counts_its_members_with_a_score_on_the_lesson():
    # provincie has 5 members, but one of them does not know about "geld": 4 scores.
    provincie = (lesson_scores(Q, "geld", 3, 3, 3, 3, group="provincie", start=7)
                 + people(scoring(Q, "geld", WEET_NIET), group="provincie", start=11))
    for person in provincie:
        person.answers.update(scoring(Q, "samen", 3))
    gemeente = lesson_scores(Q, "geld", *[4] * 6, group="gemeente")
    for person in gemeente:
        person.answers.update(scoring(Q, "samen", 4))
    summary = summarise(Q, gemeente + provincie)
    geld = _cells(summary.lesson("geld"))
    samen = _cells(summary.lesson("samen"))
    assert geld["provincie"][0] is CellStatus.HIDDEN
    assert geld["gemeente"][0] is CellStatus.HIDDEN  # complementary: only two groups
    assert samen["provincie"] == (CellStatus.SHOWN, 5, pytest.approx(3.0))
    assert samen["gemeente"] == (CellStatus.SHOWN, 6, pytest.approx(4.0))


def test_respondents_without_a_known_type_count_in_the_lesson_but_in_no_group():
    responses = (lesson_scores(Q, "geld", *[4] * 5, group="gemeente")
                 + lesson_scores(Q, "geld", 1, 1, start=6)
                 + lesson_scores(Q, "geld", 1, group="onbekend", start=8))
    lesson = summarise(Q, responses).lesson("geld")
    assert lesson.n == 8
    assert lesson.mean == pytest.approx((20 + 3) / 8)
    # Shown, the gemeente's 5 would give away the other 3 by subtraction from the total.
    assert _cells(lesson)["gemeente"] == (CellStatus.HIDDEN, None, None)
    assert {cell.group for cell in lesson.groups} == set(GROUPS)
    more = responses + lesson_scores(Q, "geld", 3, 3, group="provincie", start=9)
    more += lesson_scores(Q, "geld", 3, 3, 3, group="provincie", start=11)
    cells = _cells(summarise(Q, more).lesson("geld"))
    # With a second type of five, the three without a type hide with the smallest type (then
    # by name): together two parts of eight people, so neither follows from the total.
    assert cells["gemeente"] == (CellStatus.HIDDEN, None, None)
    assert cells["provincie"] == (CellStatus.SHOWN, 5, pytest.approx(3.0))


@pytest.mark.parametrize(("counts", "small", "hidden"), [
    pytest.param({}, set(), set(), id="no groups"),
    pytest.param({"a": 6, "b": 7}, set(), set(), id="nothing small"),
    pytest.param({"a": 4, "b": 6, "c": 7}, {"a"}, {"a", "b"}, id="smallest shown is added"),
    pytest.param({"a": 4, "b": 6, "c": 6}, {"a"}, {"a", "b"}, id="tie by name"),
    pytest.param({"a": 2, "b": 3, "c": 9}, {"a", "b"}, {"a", "b"}, id="two making five"),
    pytest.param({"a": 1, "b": 2, "c": 9, "d": 12}, {"a", "b"}, {"a", "b", "c"},
                 id="two making three take a third"),
    pytest.param({"a": 0, "b": 1, "c": 1, "d": 5, "e": 8}, {"a", "b", "c"},
                 {"a", "b", "c", "d"}, id="three making two"),
    pytest.param({"a": 4, "b": 5}, {"a"}, {"a", "b"}, id="two groups: both"),
    pytest.param({"a": 1, "b": 2}, {"a", "b"}, {"a", "b"}, id="everything, last resort"),
    pytest.param({"a": 3}, {"a"}, {"a"}, id="one group alone"),
])
def test_suppress(counts, small, hidden):
    assert suppress(counts, small) == frozenset(hidden)


# -- overall index and quadrant ---------------------------------------------------------


def test_overall_index_is_the_mean_of_the_shown_lesson_means():
    responses = people(
        {**scoring(Q, "samen", 4), **scoring(Q, "geld", 2), **scoring(Q, "raad", 5)},
        {**scoring(Q, "samen", 4), **scoring(Q, "geld", 3), **scoring(Q, "raad", 5)},
        {**scoring(Q, "samen", 5), **scoring(Q, "geld", 4), **scoring(Q, "raad", WEET_NIET)},
    )
    summary = summarise(Q, responses)
    assert summary.lesson("samen").mean == pytest.approx(13 / 3)
    assert summary.lesson("geld").mean == pytest.approx(3.0)
    assert summary.lesson("raad").mean is None          # only two scores
    assert summary.overall_index == pytest.approx((13 / 3 + 3.0) / 2)


def test_quadrant_position_from_the_axes():
    # x: block welvaart = 3.0; y: mean of lesson geld (2.0) and block invest (3.5) = 2.75.
    responses = people(
        {**scoring(Q, "welvaart", 2), **scoring(Q, "geld", 2), **scoring(Q, "invest", 3)},
        {**scoring(Q, "welvaart", 3), **scoring(Q, "geld", 2), **scoring(Q, "invest", 4)},
        {**scoring(Q, "welvaart", 4), **scoring(Q, "geld", 2), **scoring(Q, "invest", 3, 4)},
    )
    summary = summarise(Q, responses)
    context = {block.block_id: block for block in summary.context}
    assert context["welvaart"].mean == pytest.approx(3.0)
    assert context["invest"].mean == pytest.approx((3 + 4 + 3.5) / 3)
    assert summary.quadrant.x == pytest.approx(3.0)
    assert summary.quadrant.y == pytest.approx((2.0 + 3.5) / 2)
    assert summary.quadrant.cell == "high-low"


def test_quadrant_axis_without_a_score_has_no_cell():
    responses = lesson_scores(Q, "geld", 4, 4, 4)
    for person in responses:
        person.answers.update(scoring(Q, "welvaart", 4))
    summary = summarise(Q, responses)
    assert summary.quadrant.x == pytest.approx(4.0)
    assert summary.quadrant.y is None           # block invest has no scores
    assert summary.quadrant.cell is None


def test_quadrant_split_on_a_context_mean_of_thirds_that_is_exactly_three():
    # Block welvaart has three statements, so scores are thirds: 3, 4, 5/3, 5, 3, 4/3 sum
    # to 18, a mean of exactly 3.0: on the split, so "high".
    rows = [("3", "3", "3"), ("4", "4", "4"), ("1", "2", "2"), ("5", "5", "5"),
            ("3", "3", "3"), ("1", "1", "2")]
    responses = people(*({**dict(zip(("w1", "w2", "w3"), row, strict=True)),
                          **scoring(Q, "geld", 4), **scoring(Q, "invest", 4)} for row in rows))
    summary = summarise(Q, responses)
    assert summary.quadrant.x == pytest.approx(3.0)
    assert summary.quadrant.cell == "high-high"


def test_no_quadrant_without_one_in_the_questionnaire():
    assert summarise(build(), lesson_scores(build(), "geld", 4, 4, 4)).quadrant is None


def test_context_statements_have_their_counts_as_worded_and_their_mean_as_scored():
    # Block invest: i1 and i2; the report's appendix shows them like a lesson's statements.
    responses = people(
        {"i1": "2", "i2": "4"}, {"i1": "2", "i2": WEET_NIET}, {"i1": "5", "i2": "4"},
        {"i1": NVT, "i2": "1"},
    )
    block = {b.block_id: b for b in summarise(Q, responses).context}["invest"]
    i1, i2 = block.statements
    assert (i1.statement_id, i1.distribution) == ("i1", Distribution((0, 2, 0, 0, 1), 0, 1))
    assert i1.scored_mean == pytest.approx(3.0)
    assert i1.shown
    assert i2.distribution == Distribution((1, 0, 0, 2, 0), 1, 0)
    assert i2.scored_mean == pytest.approx(3.0)
    assert block.n == 4 and block.mean == pytest.approx((3 + 2 + 4.5 + 1) / 4)


def test_a_context_statement_with_fewer_than_three_valid_answers_has_no_figures():
    responses = people(*({"w1": "4", "w2": "4", "w3": code}
                         for code in ("5", "2", WEET_NIET)))
    block = {b.block_id: b for b in summarise(Q, responses).context}["welvaart"]
    w1, _w2, w3 = block.statements
    assert w1.shown and w1.distribution.counts == (0, 0, 0, 3, 0)
    assert not w3.shown
    assert w3.distribution == Distribution((0, 0, 0, 0, 0), 0, 0)
    assert w3.scored_mean is None


def test_a_context_block_with_fewer_than_three_scores_shows_no_statement_figures():
    # Three respondents, so the summary shows; only two answered the block, so it has no
    # mean, and its statements keep their place without a figure.
    responses = [*people(*(scoring(Q, "welvaart", 4) for _ in range(2))),
                 *lesson_scores(Q, "geld", 3, start=3)]
    summary = summarise(Q, responses)
    block = {b.block_id: b for b in summary.context}["welvaart"]
    assert summary.shown and block.n == 2 and block.mean is None
    assert [s.statement_id for s in block.statements] == ["w1", "w2", "w3"]
    assert not any(s.shown or s.distribution.given for s in block.statements)
    # Below three respondents in all, nothing at all.
    hidden = summarise(Q, people(*(scoring(Q, "welvaart", 4) for _ in range(2))))
    assert all(b.mean is None and b.statements == () for b in hidden.context)


@pytest.mark.parametrize(("x", "y", "cell"), [
    (3.0, 3.0, "high-high"), (2.99, 3.0, "low-high"), (3.0, 2.99, "high-low"),
    (1.0, 1.0, "low-low"), (5.0, 2.0, "high-low"), (None, 4.0, None), (4.0, None, None),
])
def test_quadrant_cell_at_the_split(x, y, cell):
    assert QuadrantPosition(x, y, 3.0).cell == cell


# -- rankings ---------------------------------------------------------------------------


def test_strengths_highest_mean_then_highest_consensus_then_questionnaire_order():
    q = build({"c45": ("c1", "c2"), "d45": ("d1", "d2"), "b45": ("b1", "b2"),
               "top": ("t1", "t2"), "vier": ("v1", "v2"), "laag": ("l1", "l2")})
    responses = people(
        {"c1": "5", "c2": "5", "d1": "4", "d2": "5", "b1": "4", "b2": "5",
         "t1": "5", "t2": "5", "v1": "4", "v2": "4", "l1": "2", "l2": "2"},
        {"c1": "5", "c2": "4", "d1": "4", "d2": "5", "b1": "4", "b2": "5",
         "t1": "5", "t2": "5", "v1": "4", "v2": "4", "l1": "2", "l2": "2"},
        {"c1": "5", "c2": "3", "d1": "4", "d2": "5", "b1": "4", "b2": "5",
         "t1": "5", "t2": "5", "v1": "4", "v2": "4", "l1": "2", "l2": "2"},
    )
    summary = summarise(q, responses)
    # c45, d45 and b45 all have mean 4.5; c45's answers (3, 4, 5 × 4) agree less.
    means = {lesson.lesson_id: lesson.mean for lesson in summary.lessons}
    assert means["c45"] == means["d45"] == means["b45"] == pytest.approx(4.5)
    assert summary.lesson("c45").consensus < summary.lesson("d45").consensus
    assert summary.lesson("d45").consensus == summary.lesson("b45").consensus
    assert summary.strengths == ("top", "d45", "b45", "c45", "vier")
    assert summary.points_of_attention == ("laag",)


def test_points_of_attention_lowest_mean_then_lowest_consensus():
    q = build({"p": ("p1", "p2"), "q": ("q1", "q2"), "r": ("r1", "r2"), "s": ("s1", "s2"),
               "hoog": ("h1", "h2")})
    answers = {"p1": "2", "p2": "2",          # all 2: mean 2, consensus 1
               "q1": "1", "q2": "3",          # 1 and 3: mean 2, consensus 0.58
               "r1": "3", "r2": "3",          # mean 3
               "s1": "3", "s2": "3",          # mean 3, same as r: questionnaire order
               "h1": "5", "h2": "4"}
    summary = summarise(q, people(answers, answers, answers))
    assert summary.lesson("q").consensus == pytest.approx(1 + math.log2(0.75))
    assert summary.points_of_attention == ("q", "p", "r", "s")
    assert summary.strengths == ("hoog",)


def test_largest_disagreements_lowest_consensus_then_highest_sd():
    q = build({"z": ("z1", "z2"), "x": ("x1", "x2"), "y": ("y1", "y2"), "rust": ("u1", "u2")})
    responses = people(
        {"z1": "3", "z2": "3", "x1": "1", "x2": "5", "y1": "1", "y2": "1", "u1": "4", "u2": "4"},
        {"z1": "4", "z2": "4", "x1": "1", "x2": "5", "y1": "5", "y2": "5", "u1": "4", "u2": "4"},
        {"z1": "5", "z2": "5", "x1": "1", "x2": "5", "y1": "1", "y2": "5", "u1": "4", "u2": "4"},
    )
    summary = summarise(q, responses)
    x, y, z = summary.lesson("x"), summary.lesson("y"), summary.lesson("z")
    # x and y: the same answers (three 1s, three 5s), so consensus 0 both; x's people each
    # score 3 (SD 0), y's score 1, 5, 3 (SD 2). z: scores 3, 4, 5 (SD 1, consensus 0.72).
    assert x.consensus == y.consensus == pytest.approx(0.0, abs=1e-12)
    assert (x.sd, y.sd, z.sd) == (pytest.approx(0.0), pytest.approx(2.0), pytest.approx(1.0))
    assert x.divided_by_polarisation and not x.divided_by_sd
    assert z.divided_by_sd and not z.divided_by_polarisation
    assert not summary.lesson("rust").divided
    assert summary.largest_disagreements == ("y", "x", "z")


def test_information_gaps_highest_share_first():
    q = build({"een": ("e1", "e2"), "twee": ("t1", "t2"), "drie": ("d1", "d2"),
               "vier": ("v1", "v2")})
    responses = people(
        {"e1": "4", "e2": WEET_NIET, "t1": WEET_NIET, "t2": WEET_NIET, "d1": "4",
         "d2": WEET_NIET, "v1": "4", "v2": "4"},
        {"e1": "4", "e2": WEET_NIET, "t1": WEET_NIET, "t2": WEET_NIET, "d1": "4",
         "d2": WEET_NIET, "v1": "4", "v2": WEET_NIET},
        {"e1": "4", "e2": "4", "t1": WEET_NIET, "t2": WEET_NIET, "d1": "4", "d2": "4",
         "v1": "4", "v2": "4"},
    )
    summary = summarise(q, responses)
    shares = {lesson.lesson_id: lesson.dont_know_share for lesson in summary.lessons}
    # "twee" has no scores, so no share (a figure over too few answers) ...
    assert shares == {"een": pytest.approx(2 / 6), "twee": 0.0,
                      "drie": pytest.approx(2 / 6), "vier": pytest.approx(1 / 6)}
    # ... yet its gap is a finding: listed after the gaps whose share is known.
    assert not summary.lesson("twee").shown
    assert summary.information_gaps == ("een", "drie", "twee")


# -- invariants -------------------------------------------------------------------------

STATEMENT_IDS = [s.id for s in Q.statements()]
CODES = st.sampled_from(["1", "2", "3", "4", "5"] * 3 + [WEET_NIET, NVT])


@st.composite
def response_lists(draw, max_size: int = 14) -> list[Response]:
    """Submitted responses with any mix of answers, non-valid ones and gaps, and types."""
    items = draw(st.lists(
        st.tuples(st.sampled_from([*GROUPS, None]),
                  st.dictionaries(st.sampled_from(STATEMENT_IDS), CODES)),
        max_size=max_size,
    ))
    return [Response(i, group, answers) for i, (group, answers) in enumerate(items, 1)]


def _assert_same(a: Any, b: Any, path: str = "summary") -> None:
    """Equal, floats up to rounding in the last digits."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), path
        for field in dataclasses.fields(a):
            _assert_same(getattr(a, field.name), getattr(b, field.name), f"{path}.{field.name}")
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (path, a, b)
    else:
        assert a == b, (path, a, b)


@settings(max_examples=100, deadline=None)
@given(response_lists())
def test_figures_stay_on_their_scales(responses):
    summary = summarise(Q, responses)
    for lesson in summary.lessons:
        if lesson.shown:
            assert 1 <= lesson.mean <= 5
            assert 1 <= lesson.median <= 5
            assert lesson.sd >= 0
            assert lesson.n >= 3
        if lesson.consensus is not None:
            assert 0 <= lesson.consensus <= 1
        shares = lesson.distribution
        if shares.valid:
            assert shares.agree + shares.neutral + shares.disagree == pytest.approx(1.0)
        assert 0 <= lesson.dont_know_share <= 1
        for statement in lesson.statements:
            if statement.scored_mean is not None:
                assert 1 <= statement.scored_mean <= 5
    if summary.overall_index is not None:
        assert 1 <= summary.overall_index <= 5


@settings(max_examples=100, deadline=None)
@given(response_lists(), st.randoms(use_true_random=False))
def test_the_order_of_respondents_does_not_matter(responses, rng):
    shuffled = list(responses)
    rng.shuffle(shuffled)
    _assert_same(summarise(Q, responses), summarise(Q, shuffled))


@settings(max_examples=100, deadline=None)
@given(response_lists(), st.data())
def test_adding_weet_niet_to_an_unanswered_statement_changes_no_lesson_mean(responses, data):
    gaps = [(i, s) for i, r in enumerate(responses) for s in STATEMENT_IDS if s not in r.answers]
    if not gaps:
        return
    index, statement_id = data.draw(st.sampled_from(gaps))
    changed = list(responses)
    person = responses[index]
    changed[index] = Response(person.respondent_id, person.group,
                              {**person.answers, statement_id: WEET_NIET})
    before, after = summarise(Q, responses), summarise(Q, changed)
    for old, new in zip(before.lessons, after.lessons, strict=True):
        assert new.n == old.n
        assert new.mean == old.mean
        assert new.median == old.median
        assert new.distribution.counts == old.distribution.counts
    assert after.overall_index == before.overall_index


@st.composite
def grouped_responses(draw) -> list[Response]:
    """A few types of 0 to 9 members and some without a type; each member answers lesson
    "samen" fully (one score) or only with "weet niet"."""
    answer = st.one_of(st.sampled_from([1, 2, 3, 4, 5]), st.just(WEET_NIET))
    responses: list[Response] = []
    for group in ("gemeente", "waterschap", "provincie", "partner", None):
        size = draw(st.sampled_from(range(4 if group is None else 10)))
        for score in draw(st.lists(answer, min_size=size, max_size=size)):
            responses.append(Response(len(responses) + 1, group, scoring(Q, "samen", score)))
    return responses


@settings(max_examples=100, deadline=None)
@given(grouped_responses())
def test_no_hidden_group_can_be_derived(responses):
    summary = summarise(Q, responses)
    lesson = summary.lesson("samen")
    if not lesson.shown:
        assert lesson.groups == ()
        return
    shown = [cell for cell in lesson.groups if cell.status is CellStatus.SHOWN]
    hidden = [cell for cell in lesson.groups if cell.status is CellStatus.HIDDEN]
    for cell in shown:
        assert cell.n >= MIN_GROUP_SIZE
    members = {r.group for r in responses}
    for cell in lesson.groups:
        assert (cell.status is CellStatus.NO_DATA) is (cell.group not in members)
    if shown:
        # What the shown figures leave over: nothing, or five people or more in two parts
        # or more (a hidden type with scores, or those without a type, who are in the total
        # but in no cell), or only those without a type (anonymity.suppress).
        scored = {r.respondent_id for r in responses if r.answers.get("s1") != WEET_NIET}
        parts = [sum(1 for r in responses if r.respondent_id in scored and r.group == c.group)
                 for c in hidden]
        parts = [n for n in parts if n]
        unassigned = sum(1 for r in responses if r.respondent_id in scored and r.group is None)
        left = lesson.n - sum(cell.n for cell in shown)
        assert left == sum(parts) + unassigned
        assert left == 0 or left >= MIN_GROUP_SIZE
        assert not parts or len(parts) + (1 if unassigned else 0) >= 2


def test_summaries_compare_as_values():
    # The order-invariance test relies on comparing summaries; equal inputs, equal results.
    responses = lesson_scores(Q, "samen", 4, 3, 5)
    first: Summary = summarise(Q, responses)
    assert first == summarise(Q, list(responses))
    assert first != summarise(Q, lesson_scores(Q, "samen", 4, 3, 4))


# -- hidden reasons, roles and the type gap (issue 14) ----------------------------------


def test_a_hidden_cell_says_whether_it_is_small_or_hidden_to_protect_a_small_one():
    # gemeente 6, provincie 5, waterschap 4: waterschap is too small, provincie hides with it.
    responses = (lesson_scores(Q, "geld", *[4] * 6, group="gemeente")
                 + lesson_scores(Q, "geld", *[3] * 5, group="provincie", start=7)
                 + lesson_scores(Q, "geld", *[2] * 4, group="waterschap", start=12))
    summary = summarise(Q, responses)
    reasons = {c.group: (c.status, c.reason) for c in summary.lesson("geld").groups}
    assert reasons == {
        "gemeente": (CellStatus.SHOWN, None),
        "waterschap": (CellStatus.HIDDEN, HiddenReason.SMALL_GROUP),
        "provincie": (CellStatus.HIDDEN, HiddenReason.COMPLEMENTARY),
        "partner": (CellStatus.NO_DATA, None),
        "anders": (CellStatus.NO_DATA, None),
    }
    sizes = {c.group: c.reason for c in summary.group_sizes if c.status is CellStatus.HIDDEN}
    assert sizes == {"waterschap": HiddenReason.SMALL_GROUP,
                     "provincie": HiddenReason.COMPLEMENTARY}


ROLES = ("bestuurder", "ambtenaar", "volksvertegenwoordiger")
#: The mini questionnaire with a role on its profile.
QR = Questionnaire.model_validate({
    **Q.model_dump(by_alias=True, exclude_none=True),
    "profile": [*Q.model_dump(by_alias=True, exclude_none=True)["profile"],
                {"id": "rol", "label": "Rol?", "respondent_role": True,
                 "options": [{"id": r, "label": r.title()} for r in ROLES]}],
})


def _with_role(responses: list[Response], role: str | None) -> list[Response]:
    return [Response(r.respondent_id, r.group, r.answers, {"rol": role} if role else {})
            for r in responses]


def test_the_lesson_per_role_follows_the_same_rules_as_per_type():
    # bestuurder 6 (score 4), ambtenaar 5 (score 2), volksvertegenwoordiger 2 (score 3),
    # one without a role (score 3): the 2 + 1 left over are too few, so ambtenaar hides too.
    responses = (_with_role(lesson_scores(Q, "geld", *[4] * 6, group="gemeente"), "bestuurder")
                 + _with_role(lesson_scores(Q, "geld", *[2] * 5, group="gemeente", start=7),
                              "ambtenaar")
                 + _with_role(lesson_scores(Q, "geld", 3, 3, group="gemeente", start=12),
                              "volksvertegenwoordiger")
                 + lesson_scores(Q, "geld", 3, group="gemeente", start=14))
    lesson = summarise(QR, responses).lesson("geld")
    cells = {c.group: (c.status, c.n, c.mean, c.reason) for c in lesson.roles}
    assert cells == {
        "bestuurder": (CellStatus.SHOWN, 6, pytest.approx(4.0), None),
        "ambtenaar": (CellStatus.HIDDEN, None, None, HiddenReason.COMPLEMENTARY),
        "volksvertegenwoordiger": (CellStatus.HIDDEN, None, None, HiddenReason.SMALL_GROUP),
    }
    # Bestuurders 4.0 and ambtenaren 2.0 differ by 2: the roles differ, the hidden one counted.
    assert lesson.roles_differ
    # Everyone is a gemeente: the types do not differ, and roles do not make a lesson divided.
    assert not lesson.divided_by_groups
    # Without a role on the profile, no cells per role.
    assert summarise(Q, responses).lesson("geld").roles == ()



def test_the_role_is_the_question_the_file_marks():
    responses = _with_role(lesson_scores(Q, "geld", *[4] * 5, group="gemeente"), "bestuurder")
    # The mark, not the id "rol", makes the role: another id is read by its own id ...
    renamed = QR.model_copy(update={"profile": tuple(
        q.model_copy(update={"id": "functie"}) if q.respondent_role else q for q in QR.profile)})
    by_functie = [Response(r.respondent_id, r.group, r.answers, {"functie": "bestuurder"})
                  for r in responses]
    assert [(c.group, c.n) for c in summarise(renamed, by_functie).lesson("geld").roles
            if c.status is CellStatus.SHOWN] == [("bestuurder", 5)]
    # ... and "rol" without the mark is no role.
    unmarked = QR.model_copy(update={"profile": tuple(
        q.model_copy(update={"respondent_role": False}) for q in QR.profile)})
    assert summarise(unmarked, responses).lesson("geld").roles == ()


def test_roles_a_point_apart_only_when_both_have_five_scores():
    responses = (_with_role(lesson_scores(Q, "geld", *[4] * 5, group="gemeente"), "bestuurder")
                 + _with_role(lesson_scores(Q, "geld", *[3] * 5, group="gemeente", start=6),
                              "ambtenaar")
                 + _with_role(lesson_scores(Q, "geld", 1, 1, 1, 1, group="gemeente", start=11),
                              "volksvertegenwoordiger"))
    lesson = summarise(QR, responses).lesson("geld")
    # Bestuurder 4.0 and ambtenaar 3.0 differ by exactly 1.0; the four at 1.0 do not count.
    assert lesson.roles_differ
    # Ambtenaren at 3.8 instead: no two roles of five differ by a point any more.
    closer = [r for r in responses if r.option("rol") != "ambtenaar"] + _with_role(
        lesson_scores(Q, "geld", 4, 4, 4, 4, 3, group="gemeente", start=20), "ambtenaar")
    assert not summarise(QR, closer).lesson("geld").roles_differ


def test_two_types_a_point_apart_are_divided_even_when_one_is_hidden_for_protection():
    # gemeente 6 at 4.0, waterschap 5 at 3.0, provincie 3 at 3.0: provincie is too small,
    # waterschap (the smallest shown) hides with it, so only gemeente is shown; the two
    # types of five or more still differ by 1.0.
    responses = (lesson_scores(Q, "geld", *[4] * 6, group="gemeente")
                 + lesson_scores(Q, "geld", *[3] * 5, group="waterschap", start=7)
                 + lesson_scores(Q, "geld", 3, 3, 3, group="provincie", start=12))
    lesson = summarise(Q, responses).lesson("geld")
    shown = [c.group for c in lesson.groups if c.status is CellStatus.SHOWN]
    assert shown == ["gemeente"]
    assert lesson.divided_by_groups and lesson.divided
    # The hidden means are nowhere in the summary.
    hidden = [c for c in lesson.groups if c.status is CellStatus.HIDDEN]
    assert all(c.mean is None and c.n is None for c in hidden)
