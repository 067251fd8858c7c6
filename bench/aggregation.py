"""Benchmark: the summary of 1,000 respondents × 50 statements, loaded from the database.

Prints the median time of the whole path (one query + aggregation) beside a baseline
measured in the same run: the same query's rows fetched without aggregating. Target on a
2-core machine: the summary well under 100 ms. Run with `make bench`, or from the project
folder with `PYTHONPATH=. .venv/bin/python bench/aggregation.py` or
`.venv/bin/python -m bench.aggregation`.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from assessment import content, create_app, db, management
from assessment.db import read_session, write_transaction
from assessment.models import Answer, Assessment, Respondent, Status, utcnow
from assessment.results import assessment_summary, submitted_responses
from questions.loader import parse_questionnaire

RESPONDENTS = 1000
STATEMENTS_PER_LESSON = 5
LESSONS = 10
RUNS = 15


def questionnaire_yaml() -> str:
    """The product questionnaire with five statements per lesson (50 in all)."""
    source = Path(__file__).resolve().parent.parent / "questions" / "tien-lessen.nl.yaml"
    text = source.read_text(encoding="utf-8")
    questionnaire = parse_questionnaire(text)
    extra = []
    for lesson in questionnaire.lessons:
        needed = STATEMENTS_PER_LESSON - len(lesson.statements)
        extra += [(lesson.id, f"{lesson.id}-x{i}") for i in range(needed)]
    for lesson_id, statement_id in extra:
        anchor = f"      - id: {lesson_id}-1\n"
        text = text.replace(anchor, f'      - id: {statement_id}\n        text: "Extra."\n'
                            + anchor, 1)
    return text


def seed(questionnaire_text: str) -> int:
    """An open assessment with RESPONDENTS submitted respondents answering every statement."""
    questionnaire = parse_questionnaire(questionnaire_text)
    owner = management.create_facilitator("bench@example.nl", "benchmark-password")
    assessment_id = management.create_assessment(owner, "Bench", "Bench", questionnaire)
    management.set_status(assessment_id, Status.OPEN)
    rng = random.Random(1)  # noqa: S311 - synthetic data
    codes = ["1", "2", "3", "4", "5", "weet_niet", "nvt"]
    types = ["gemeente", "waterschap", "provincie", "partner", "anders"]
    now = utcnow()
    with write_transaction() as session:
        session.execute(insert(Respondent), [
            {"assessment_id": assessment_id, "token_hash": f"{i:064d}",
             "profile": {"organisatietype": rng.choice(types)}, "last_page": "bedankt",
             "created_at": now, "updated_at": now, "submitted_at": now}
            for i in range(RESPONDENTS)
        ])
        ids = session.scalars(select(Respondent.id)).all()
        session.execute(insert(Answer), [
            {"respondent_id": rid, "statement_id": s.id,
             "value": rng.choices(codes, weights=[1, 2, 4, 5, 3, 1, 1])[0], "updated_at": now}
            for rid in ids for s in questionnaire.statements()
        ])
    return assessment_id


def median_ms(action: object) -> float:
    """The median wall time of RUNS calls, in milliseconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    """Seed, measure, print."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        db.upgrade(url)
        questions = Path(folder) / "questions"
        questions.mkdir()
        (questions / "bench.yaml").write_text(questionnaire_yaml(), encoding="utf-8")
        app = create_app({"DATABASE_URL": url, "QUESTIONS_DIR": str(questions),
                          "SECRET_KEY": "bench"})
        with app.app_context():
            assessment_id = seed((questions / "bench.yaml").read_text(encoding="utf-8"))
            assessment = read_session().get(Assessment, assessment_id)
            assert assessment is not None

            questionnaire = content.for_assessment(assessment)

            def fetch_only() -> None:
                # The same rows as the summary's query, without aggregating them.
                submitted_responses(assessment_id, questionnaire)

            baseline = median_ms(fetch_only)
            summary_ms = median_ms(lambda: assessment_summary(assessment))
            answers = RESPONDENTS * LESSONS * STATEMENTS_PER_LESSON
            print(f"aggregation: {RESPONDENTS} respondents x {LESSONS * STATEMENTS_PER_LESSON} "
                  f"statements ({answers} answers), median of {RUNS} runs")
            print(f"  baseline (fetch the rows only): {baseline:8.1f} ms")
            print(f"  assessment_summary (fetch + aggregate): {summary_ms:8.1f} ms "
                  f"({summary_ms / baseline:.1f}x baseline; target < 100 ms)")
        db.dispose(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
