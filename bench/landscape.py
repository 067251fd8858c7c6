"""Benchmark: a programme's landscape of 200 regions × 2 rounds, from their summaries.

Prints the median time of the landscape's computation (rows, median and IQR per lesson,
quadrant points with arrows: :func:`assessment.landscape.landscape`) from 400 summaries,
beside a baseline measured in the same run: making those 400 summaries from 12 respondents
each (:func:`assessment.aggregation.summarise`, what loading them costs without a database).
Target: the landscape under 300 ms. Run with `make bench`, or
`PYTHONPATH=. .venv/bin/python bench/landscape.py`.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assessment.aggregation import Response, Summary, summarise
from assessment.landscape import RegionRound, landscape
from questions.loader import parse_questionnaire

REGIONS = 200
ROUNDS = 2
RESPONDENTS = 12
RUNS = 7


def median_ms(action: Callable[[], object]) -> float:
    """The median wall time of RUNS calls, in milliseconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Measure and print."""
    source = Path(__file__).resolve().parent.parent / "questions" / "tien-lessen.nl.yaml"
    questionnaire = parse_questionnaire(source.read_text(encoding="utf-8"))
    statements = [*(s for lesson in questionnaire.lessons for s in lesson.statements),
                  *(s for block in questionnaire.context_blocks for s in block.statements)]
    rng = random.Random(17)  # noqa: S311 - synthetic data
    responses = [[Response(i, "gemeente", {s.id: str(rng.randint(1, 5)) for s in statements})
                  for i in range(RESPONDENTS)] for _ in range(REGIONS * ROUNDS)]

    def summaries() -> list[Summary]:
        return [summarise(questionnaire, group) for group in responses]

    made = summaries()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rounds = [RegionRound(n, f"Regio {n % REGIONS}", n % 3 == 0, True,
                          start + timedelta(days=n), summary)
              for n, summary in enumerate(made)]
    lesson_ids = [lesson.id for lesson in questionnaire.lessons]
    found = landscape(rounds, lesson_ids)
    assert len(found.rows) == REGIONS and all(row.previous for row in found.rows)
    baseline = median_ms(summaries)
    measured = median_ms(lambda: landscape(rounds, lesson_ids))
    print(f"landscape of {REGIONS} regions x {ROUNDS} rounds: {measured:.1f} ms "
          f"(target < 300 ms); baseline, making the {len(made)} summaries: {baseline:.1f} ms")


if __name__ == "__main__":
    main()
