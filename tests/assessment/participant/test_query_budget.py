"""The participant's hot path stays lean: how many SQL statements a page view and a save issue.

A room of 60 phones makes hundreds of these requests a minute, and each statement is a
round trip to the database (and on SQLite a turn at its single writer). The counts are
deterministic, unlike times, so a change that adds a query to the hot path fails here
instead of going unnoticed until a benchmark. Counted on the app's engine with SQLAlchemy's
``before_cursor_execute`` event, on the real test database (SQLite, or PostgreSQL with
``TEST_DATABASE_URL``).

Statements are counted apart from transactions: SQLite's ``BEGIN`` (``BEGIN IMMEDIATE``
for a write) is a statement the app sends, PostgreSQL's is sent by the driver unseen, so
the ``BEGIN`` statements are left out of the statement count and each transaction is
counted once with the engine's ``begin`` event instead, on either database.

The counts are those of a process that has read the questionnaire once (every server
process after its first participant): the first view reads its frozen text once more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from werkzeug.test import TestResponse

from questions.loader import CONTENT_DIR, load_questionnaire
from tests.helpers import Participant, csrf_token

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
LESSON = QUESTIONNAIRE.lessons[0]
#: Every statement of the lesson answered, as the page's radio buttons post them.
LESSON_ANSWERS = {f"a_{statement.id}": "4" for statement in LESSON.statements}

#: The most statements each request may issue, and the transactions it may take.
VIEW_STATEMENTS, VIEW_TRANSACTIONS = 2, 1
SAVE_STATEMENTS, SAVE_TRANSACTIONS = 4, 2
#: A page's free text, written or emptied, is one statement more.
TEXT_STATEMENTS = 1
SUBMIT_STATEMENTS, SUBMIT_TRANSACTIONS = 3, 2


@dataclass
class Counted:
    """What one request sent to the database."""

    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def __str__(self) -> str:
        shown = "\n  ".join(" ".join(statement.split())[:160] for statement in self.statements)
        return (f"{len(self.statements)} statements in {self.transactions} transactions:\n"
                f"  {shown}")


@contextmanager
def counting(app: Flask) -> Iterator[Counted]:
    """Count the statements and transactions on the app's engine while the block runs."""
    engine = app.extensions["regiospiegel.engine"]
    counted = Counted()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            counted.statements.append(statement)

    def on_begin(_conn: Any) -> None:
        counted.transactions += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "begin", on_begin)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "begin", on_begin)


def count(app: Flask, request: Callable[[], TestResponse], status: int) -> Counted:
    """The statements of one request, which must answer with ``status``."""
    with counting(app) as counted:
        response = request()
    assert response.status_code == status, response.status_code
    return counted


def within(counted: Counted, statements: int, transactions: int) -> None:
    """Fail, listing the statements, when a request went over its budget."""
    assert len(counted.statements) <= statements, str(counted)
    assert counted.transactions <= transactions, str(counted)


@pytest.fixture
def answering(app: Flask, participant: Participant) -> Participant:
    """A participant whose server process has shown the questionnaire once."""
    assert participant.client.get(participant.url("profiel")).status_code == 200
    return participant


def test_a_question_page_view_stays_within_its_budget(app, answering):
    counted = count(app, lambda: answering.client.get(answering.url(LESSON.id)), 200)
    within(counted, VIEW_STATEMENTS, VIEW_TRANSACTIONS)


def test_a_view_of_a_page_with_stored_answers_costs_no_more(app, answering):
    assert answering.post_page(LESSON.id, {**LESSON_ANSWERS, f"t_{LESSON.id}": "Goed"}
                               ).status_code == 302
    counted = count(app, lambda: answering.client.get(answering.url(LESSON.id)), 200)
    within(counted, VIEW_STATEMENTS, VIEW_TRANSACTIONS)


def test_the_review_page_view_stays_within_the_view_budget(app, answering):
    counted = count(app, lambda: answering.client.get(answering.url("overzicht")), 200)
    within(counted, VIEW_STATEMENTS, VIEW_TRANSACTIONS)


@pytest.mark.parametrize(("page_id", "data", "budget"), [
    (LESSON.id, LESSON_ANSWERS, SAVE_STATEMENTS),
    (LESSON.id, {**LESSON_ANSWERS, f"t_{LESSON.id}": "Een opmerking"},
     SAVE_STATEMENTS + TEXT_STATEMENTS),
    (LESSON.id, {**LESSON_ANSWERS, f"t_{LESSON.id}": ""}, SAVE_STATEMENTS + TEXT_STATEMENTS),
    ("profiel", {f"p_{question.id}": question.options[0].id
                 for question in QUESTIONNAIRE.profile}, SAVE_STATEMENTS),
], ids=["lesson", "lesson-with-comment", "lesson-emptied-comment", "profile"])
def test_saving_a_page_stays_within_its_budget(app, answering, page_id, data, budget):
    token = csrf_token(answering.client.get(answering.url(page_id)))
    # Twice: the first save of a page inserts, the second (back button, double click) updates.
    for _ in range(2):
        counted = count(app, lambda: answering.post_page(page_id, data, token=token), 302)
        within(counted, budget, SAVE_TRANSACTIONS)


def test_sending_in_stays_within_its_budget(app, answering):
    token = csrf_token(answering.client.get(answering.url("overzicht")))

    def send_in() -> TestResponse:
        return answering.client.post(f"/r/{answering.token}/verzenden",
                                     data={"csrf_token": token})

    for _ in range(2):  # sending in twice is fine, and costs no more
        counted = count(app, send_in, 302)
        within(counted, SUBMIT_STATEMENTS, SUBMIT_TRANSACTIONS)
