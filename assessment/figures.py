"""Shown figures: how a score becomes the one-decimal figure every surface shows.

Pure functions (no Flask, no database). The pages, the projector, the live view, the
charts, the report and the exports all show a score through :func:`score_text` (or take
its value from :func:`shown_score`), so no two surfaces can round one score differently.

Rules
-----
- *Exact score.* A score is a mean of small whole numbers; floating-point arithmetic can
  leave it a hair off its true value (3.2499999999999996 for 3.25). Digits beyond the ninth
  decimal are dropped (:func:`exact`), and bands and quadrant halves are judged on this
  exact score (:func:`at_or_above`).
- *Rounding.* A score is shown with one decimal, an exact half rounded up (away from zero):
  3.25 shows as 3,3, 2.35 as 2,4.
- *Boundaries.* A shown score never lies on the other side of a boundary than the exact
  score: the boundaries are the band minimums (4.0 and 3.0) and the quadrant's split
  (:func:`boundaries_of`). When rounding would cross one, the shown score is the last
  one-decimal figure on the exact score's side: 2.958 (band "zorg", below 3.0) shows as 2,9,
  not 3,0; 3.96 ("aandacht") as 3,9.
- *Change.* A change between two rounds is the difference of the two shown scores
  (:func:`shown_change`), so "2,8 → 2,9" is always "+0,1", never "±0,0".
- The report's worked-out quadrant shows its parts with two decimals, under the same rule
  (``places=2``): a mean of 2.996 shows as 2,99 there, not 3,00.
- Figures that are no scores (a standard deviation, a gap between groups) are rounded the
  same way, without boundaries (:func:`figure_text`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from questions.schema import Questionnaire

#: Where floating-point noise starts: digits beyond this are not part of a score.
_EXACT = Decimal("1e-9")

Boundaries = tuple[Decimal, ...]


def exact(value: float | Decimal) -> Decimal:
    """The exact score: the value to nine decimals, floating-point noise dropped."""
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return number.quantize(_EXACT, rounding=ROUND_HALF_EVEN)


def at_or_above(value: float, minimum: float) -> bool:
    """Whether an exact score reaches a boundary (a band minimum, the quadrant's split)."""
    return exact(value) >= exact(minimum)


def boundaries_of(questionnaire: Questionnaire) -> Boundaries:
    """The boundaries a shown score may not cross: band minimums and the quadrant's split."""
    found = {band.minimum for band in questionnaire.bands if band.minimum is not None}
    if questionnaire.quadrant is not None:
        found.add(questionnaire.quadrant.split)
    return tuple(sorted(exact(b) for b in found))


def rounded(value: float | Decimal, places: int = 1) -> Decimal:
    """A figure rounded to ``places`` decimals, an exact half away from zero."""
    return exact(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def shown_score(value: float | Decimal, boundaries: Iterable[Decimal],
                places: int = 1) -> Decimal:
    """A score as every surface shows it: one decimal, never across a boundary (see Rules).

    ``places=2`` is the same rule with two decimals, for the report's worked-out quadrant.
    """
    step = Decimal(1).scaleb(-places)
    score = exact(value)
    shown = rounded(score, places)
    for boundary in boundaries:
        if score >= boundary > shown:  # rounded down below a boundary the score reaches
            shown = boundary.quantize(step, rounding=ROUND_CEILING)
        elif score < boundary <= shown:  # rounded up onto a boundary the score stays under
            shown = boundary.quantize(step, rounding=ROUND_FLOOR)
            if shown >= boundary:
                shown -= step
    return shown


def shown_change(current: float, previous: float, boundaries: Iterable[Decimal]) -> Decimal:
    """A change between rounds: the shown current score minus the shown previous one."""
    steps = tuple(boundaries)
    return shown_score(current, steps) - shown_score(previous, steps)


def _text(value: Decimal, locale: str, places: int = 1) -> str:
    return format_decimal(value, format="0." + "0" * places, locale=locale)


def score_text(value: float | Decimal | None, boundaries: Iterable[Decimal], locale: str,
               places: int = 1) -> str:
    """A score as text in a language: "2,9" in Dutch, "2.9" in English; "–" for none."""
    if value is None:
        return "–"
    return _text(shown_score(value, boundaries, places), locale, places)


def figure_text(value: float | Decimal | None, locale: str) -> str:
    """A figure that is no score (a spread, a gap) with one decimal, halves rounded up."""
    return "–" if value is None else _text(rounded(value), locale)


def change_text(change: Decimal | None, locale: str) -> str:
    """A shown change (from :func:`shown_change`) with its sign: "+0,1", "−0,2", "±0,0"."""
    if change is None:
        return "–"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return sign + _text(abs(change), locale)
