"""Many participants saving at the same moment, through the app, on a real SQLite file."""

from __future__ import annotations

import random
import threading

from sqlalchemy import func, select

from assessment import participation
from assessment.db import read_session
from assessment.models import Answer, Comment
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.helpers import Participant, csrf_token

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
LESSONS = QUESTIONNAIRE.lessons
VALUES = ("1", "2", "3", "4", "5", "weet_niet", "nvt")
PARTICIPANTS = 60
#: Seconds a thread may wait for the others at the barrier, or for its posts to finish.
PATIENCE = 60


def _run_at_once(work, count: int) -> list[BaseException]:
    """Run ``work(i, barrier)`` in ``count`` threads; the exceptions they raised."""
    barrier = threading.Barrier(count, timeout=PATIENCE)
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i, barrier)
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,), name=f"deelnemer-{i}")
               for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    assert not any(thread.is_alive() for thread in threads), "threads did not finish"
    return failures


def _other(value: str, rng: random.Random) -> str:
    return rng.choice([v for v in VALUES if v != value])


def _plan(rng: random.Random, twice: bool) -> list[tuple[str, dict[str, str]]]:
    """Two or three lesson pages with random answers; maybe the first page again, changed."""
    posts = []
    for lesson in rng.sample(LESSONS, rng.choice((2, 3))):
        statements = rng.sample(lesson.statements, rng.randint(2, len(lesson.statements)))
        posts.append((lesson.id, {f"a_{s.id}": rng.choice(VALUES) for s in statements}))
    if twice:
        page_id, first = posts[0]
        posts.append((page_id, {name: _other(value, rng) for name, value in first.items()}))
    return posts


def _stored(app) -> dict[tuple[int, str], str]:
    with app.app_context():
        rows = read_session().execute(
            select(Answer.respondent_id, Answer.statement_id, Answer.value))
        return {(respondent_id, statement_id): value
                for respondent_id, statement_id, value in rows}


def _row_count(app, model) -> int:
    with app.app_context():
        return read_session().scalar(select(func.count()).select_from(model))


def _respondent_id(app, token: str) -> int:
    with app.app_context():
        respondent = participation.find_respondent(token)
        assert respondent is not None
        return respondent.id


def test_sixty_participants_saving_at_once_store_every_answer_once(app, open_assessment):
    code = str(open_assessment["code"])
    rng = random.Random(7301)
    people: list[tuple[Participant, str]] = []
    for _ in range(PARTICIPANTS):
        person = Participant(app.test_client())
        person.join(code)
        people.append((person, csrf_token(person.client.get(person.url("urgentie")))))
    plans = [_plan(rng, twice=i % 3 == 0) for i in range(PARTICIPANTS)]
    statuses: list[list[int]] = [[] for _ in range(PARTICIPANTS)]

    def work(i: int, barrier: threading.Barrier) -> None:
        person, token = people[i]
        barrier.wait()
        for page_id, data in plans[i]:
            response = person.client.post(person.url(page_id), data={
                "csrf_token": token, "action": "volgende", **data})
            statuses[i].append(response.status_code)
            if response.status_code >= 500:
                break  # one failure tells enough; waiting for more only makes the test slow

    failures = _run_at_once(work, PARTICIPANTS)

    assert failures == []
    sent = [status for per_person in statuses for status in per_person]
    assert [s for s in sent if s >= 500] == []
    assert len(sent) == sum(len(plan) for plan in plans)
    assert set(sent) == {302}
    expected: dict[tuple[int, str], str] = {}
    for (person, _token), plan in zip(people, plans, strict=True):
        respondent_id = _respondent_id(app, person.token)
        for _page_id, data in plan:
            for name, value in data.items():
                expected[(respondent_id, name.removeprefix("a_"))] = value
    assert any(plan[0][0] == plan[-1][0] for plan in plans), "no page was posted twice"
    assert _row_count(app, Answer) == len(expected)
    assert _stored(app) == expected


def test_one_respondent_posting_a_page_from_two_tabs_at_once_keeps_one_row_per_statement(
        app, participant):
    tabs = [participant.client, app.test_client()]
    # The second tab shares the browser's cookies, as tabs do.
    tabs[1].set_cookie("session", participant.client.get_cookie("session").value)
    token = csrf_token(participant.client.get(participant.url("urgentie")))
    statements = [s.id for s in LESSONS[0].statements]
    rng = random.Random(4242)
    respondent_id = _respondent_id(app, participant.token)

    for round_number in range(15):
        first = {f"a_{sid}": rng.choice(VALUES) for sid in statements}
        second = {name: _other(value, rng) for name, value in first.items()}
        pages = [{**first, "t_urgentie": f"Tab 1, ronde {round_number}."},
                 {**second, "t_urgentie": f"Tab 2, ronde {round_number}."}]
        statuses: list[int] = []

        def work(i: int, barrier: threading.Barrier, pages=pages, statuses=statuses) -> None:
            barrier.wait()
            response = tabs[i].post(participant.url("urgentie"), data={
                "csrf_token": token, "action": "volgende", **pages[i]})
            statuses.append(response.status_code)

        failures = _run_at_once(work, 2)

        assert failures == []
        assert statuses == [302, 302]
        assert _row_count(app, Answer) == len(statements)
        assert _row_count(app, Comment) == 1
        stored = {f"a_{sid}": value for (rid, sid), value in _stored(app).items()
                  if rid == respondent_id}
        with app.app_context():
            text = read_session().scalar(select(Comment.text))
        # Each post is one transaction: the page holds all of one tab's answers.
        assert (stored, text) in [(first, pages[0]["t_urgentie"]),
                                  (second, pages[1]["t_urgentie"])]
