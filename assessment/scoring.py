"""Scoring: from one respondent's answers to their lesson and context-block scores.

Pure functions over plain data: no Flask, no database, no globals.

Rules
-----
- An answer is a code: a point of the scale ("1" … "5") or a non-valid answer ("weet_niet",
  "nvt"). Non-valid answers are never counted as the middle of the scale: they are left out
  of every mean.
- A reverse-worded statement is scored ``minimum + maximum − x`` (on 1–5: ``6 − x``), so a
  high score always means "this goes well".
- A respondent's score for a group of statements (a lesson or a context block) is the mean of
  their valid scored answers to it, but only when at least half of the group's statements
  have a valid answer (2 of 4 is enough, 1 of 4 is not); otherwise the score is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

DONT_KNOW = "weet_niet"
NOT_APPLICABLE = "nvt"
NON_VALID_CODES = frozenset({DONT_KNOW, NOT_APPLICABLE})


@dataclass(frozen=True)
class ScaleRange:
    """The valid values of a scale: minimum and maximum (1 and 5 on the agreement scale)."""

    minimum: int = 1
    maximum: int = 5

    def contains(self, value: int) -> bool:
        """Whether ``value`` is a point of this scale."""
        return self.minimum <= value <= self.maximum


@lru_cache(maxsize=32)
def score_table(reversed_statement: bool, scale: ScaleRange = ScaleRange()) -> Mapping[str, int]:
    """Every valid answer code of a statement → its score; non-valid codes are absent.

    This table is the one place the scoring rules for single answers live.
    """
    points = range(scale.minimum, scale.maximum + 1)
    return MappingProxyType({
        str(value): reverse(value, scale) if reversed_statement else value for value in points
    })


def answer_value(code: str | None, scale: ScaleRange = ScaleRange()) -> int | None:
    """The point a code stands for, as answered; None for no answer or a non-valid answer."""
    return score_table(False, scale).get(code) if code is not None else None


def reverse(value: int, scale: ScaleRange = ScaleRange()) -> int:
    """A reverse-worded statement's score: minimum + maximum − value (on 1–5: 6 − value)."""
    return scale.minimum + scale.maximum - value


def scored_value(
    code: str | None, reversed_statement: bool, scale: ScaleRange = ScaleRange()
) -> int | None:
    """The score of one answer: the point, reversed for a reverse-worded statement."""
    return score_table(reversed_statement, scale).get(code) if code is not None else None


@dataclass(frozen=True)
class ScoredStatement:
    """What scoring needs of a statement: its id and whether it is worded in reverse."""

    id: str
    reverse: bool = False


def group_score(
    answers: Mapping[str, str],
    statements: Sequence[ScoredStatement],
    scale: ScaleRange = ScaleRange(),
) -> float | None:
    """A respondent's score on a group of statements (half-valid rule); None when missing."""
    return group_scorer(statements, scale)(answers)


def group_scorer(
    statements: Sequence[ScoredStatement], scale: ScaleRange = ScaleRange()
) -> Callable[[Mapping[str, str]], float | None]:
    """:func:`group_score` for one group of statements, prepared to score many respondents."""
    tables = [(statement.id, score_table(statement.reverse, scale)) for statement in statements]
    needed = len(tables)

    def score(answers: Mapping[str, str]) -> float | None:
        total = valid = 0
        for statement_id, table in tables:
            value = table.get(answers.get(statement_id, ""))
            if value is not None:
                total += value
                valid += 1
        if not valid or 2 * valid < needed:
            return None
        return total / valid

    return score
