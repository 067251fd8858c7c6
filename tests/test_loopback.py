"""Nothing lost, under load, over real HTTP: 60 participants against a real server process.

On the tests' database: a fresh SQLite file, or a PostgreSQL database with TEST_DATABASE_URL.

Each participant is a thread with its own cookie jar that clicks through the path like a
hurried person: double submits, the back button with changed answers, forms that expired.
A page counts as saved only when the server acknowledged it (302, Post/Redirect/Get);
afterwards the database must hold exactly the last acknowledged value of every statement,
text and profile choice. The second test SIGKILLs the server halfway and restarts it: no
acknowledged page may be lost and none may be half-written.

Bounded: loopback only, a free port, a fixed number of requests, a deadline on every
request and on the whole run; the server is always killed at the end.

The per-client join limit (JOIN_RATE_LIMIT) only counts unknown codes, and the per-client
start limit (START_RATE_LIMIT, 200 per 10 minutes) is far above 60 participants starting
from one address.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, pool

from assessment import create_app, db, management, questionnaire_files
from assessment.models import Assessment, Status
from assessment.participation import hash_token
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.conftest import SECRET
from tests.loopback import (
    Browser,
    Reply,
    Server,
    ServerGone,
    checked_choices,
    free_port,
    hidden_value,
)

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
LESSONS = {lesson.id: lesson for lesson in QUESTIONNAIRE.lessons[:4]}
PROFILE = {q.id: [o.id for o in q.options] for q in QUESTIONNAIRE.profile}
#: The pages each participant fills in, in path order, then the review page.
PAGES = ("profiel", *LESSONS)
#: Where "Volgende" leads: the next page of the whole path (it goes on after our pages).
NEXT_PAGE = dict(zip(PAGES, (*PAGES[1:], QUESTIONNAIRE.lessons[len(LESSONS)].id), strict=True))
VALUES = ("1", "2", "3", "4", "5", "weet_niet", "nvt")
PARTICIPANTS = 60
#: Seconds the whole run may take before the test fails (the suite must stay bounded). A
#: quiet machine needs about 20; the margin is for a busy one, so the bound never flakes.
RUN_DEADLINE = 240.0
EXPIRED_NOTICE = "omdat de pagina te lang open stond"

Key = tuple[str, str]  # (resume token, statement id / text topic / profile question)


class Participant:
    """One simulated participant; records every page the server acknowledged."""

    def __init__(self, index: int, browser: Browser, code: str, deadline: float,
                 retry: bool) -> None:
        self.rng = random.Random(1000 + index)
        self.browser = browser
        self.code = code
        self.deadline = deadline
        self.retry = retry
        self.token = ""
        self.acknowledged: list[tuple[str, dict[str, str]]] = []
        self.statuses: list[int] = []
        self.connection_errors = 0
        self.submitted = False
        self.on_acknowledged: Callable[[], None] = lambda: None

    # -- requests -----------------------------------------------------------------------

    def _send(self, method: str, path: str, data: dict[str, str] | None = None) -> Reply:
        """Send once; when the server is gone, resend like a browser would (kill test only)."""
        while True:
            assert time.monotonic() < self.deadline, "run took too long"
            try:
                reply = self.browser.get(path) if data is None else self.browser.post(path, data)
            except ServerGone:
                if not self.retry:
                    raise
                self.connection_errors += 1
                time.sleep(0.1)
                continue
            self.statuses.append(reply.status)
            assert reply.status < 500, f"{method} {path}: {reply.status}\n{reply.body[:2000]}"
            return reply

    def get_page(self, page_id: str) -> str:
        """GET one of this participant's pages; its CSRF token."""
        reply = self._send("GET", self.url(page_id))
        assert reply.status == 200, (page_id, reply.status)
        return hidden_value(reply.body, "csrf_token")

    def save(self, page_id: str, data: dict[str, str], csrf: str) -> None:
        """POST a page with "Volgende"; it counts once the server acknowledges it."""
        reply = self._send("POST", self.url(page_id),
                           {"csrf_token": csrf, "action": "volgende", **data})
        assert reply.status == 302, (page_id, reply.status, reply.body[:2000])
        assert reply.location == self.url(NEXT_PAGE[page_id]), reply.location
        self.acknowledged.append((page_id, data))
        self.on_acknowledged()

    def post_expired(self, page_id: str, data: dict[str, str]) -> str:
        """POST with a form token that is no longer valid: refused, answers shown again."""
        reply = self._send("POST", self.url(page_id),
                           {"csrf_token": "verlopen-" + self.rng.randbytes(8).hex(),
                            "action": "volgende", **data})
        assert reply.status == 400, (page_id, reply.status)
        assert EXPIRED_NOTICE in reply.body
        shown = checked_choices(reply.body)
        assert {n: v for n, v in data.items() if not n.startswith("t_")}.items() \
            <= shown.items(), "the refused page did not keep the answers"
        return hidden_value(reply.body, "csrf_token")

    def url(self, page_id: str) -> str:
        """The path of one of this participant's pages."""
        return f"/r/{self.token}/{page_id}"

    # -- what a participant types -------------------------------------------------------

    def answers(self, page_id: str) -> dict[str, str]:
        """Random answers for a page: some or all statements, maybe a text."""
        if page_id == "profiel":
            return {f"p_{q}": self.rng.choice(options) for q, options in PROFILE.items()}
        statements = LESSONS[page_id].statements
        chosen = self.rng.sample(statements, self.rng.randint(1, len(statements)))
        data = {f"a_{s.id}": self.rng.choice(VALUES) for s in chosen}
        if self.rng.random() < 0.4:
            data[f"t_{page_id}"] = f"Opmerking {self.rng.randint(1, 10**6)} bij {page_id}."
        return data

    def changed(self, page_id: str) -> dict[str, str]:
        """New answers for a page sent before: every value differs from the last one sent."""
        last: dict[str, str] = {}
        for sent_page, data in self.acknowledged:
            if sent_page == page_id:
                last.update(data)
        fresh = self.answers(page_id)
        for name in fresh:
            while fresh[name] == last.get(name):
                fresh[name] = (self.rng.choice(PROFILE[name[2:]]) if name.startswith("p_")
                               else self.rng.choice(VALUES))
        return fresh

    # -- the path -----------------------------------------------------------------------

    def run(self) -> None:
        """Join, fill in every page with mishaps along the way, and submit."""
        welcome = self._send("GET", f"/d/{self.code}")
        assert welcome.status == 200, welcome.status
        start = {"csrf_token": hidden_value(welcome.body, "csrf_token"),
                 "start_key": hidden_value(welcome.body, "start_key")}
        started = self._send("POST", f"/d/{self.code}", start)
        assert started.status == 302, started.status
        self.token = started.location.split("/")[2]
        assert started.location == self.url("intro")
        if self.rng.random() < 0.2:  # a double click on "Beginnen": the same respondent
            again = self._send("POST", f"/d/{self.code}", start)
            assert again.status == 302 and again.location.startswith(f"/r/{self.token}")

        for index, page_id in enumerate(PAGES):
            csrf = self.get_page(page_id)
            data = self.answers(page_id)
            if self.rng.random() < 0.2:  # the form expired: refused, then sent again
                csrf = self.post_expired(page_id, data)
            self.save(page_id, data, csrf)
            if self.rng.random() < 0.25:  # double submit
                self.save(page_id, data, csrf)
            if index and self.rng.random() < 0.3:  # back button, changed answers, sent again
                earlier = self.rng.choice(PAGES[:index])
                self.save(earlier, self.changed(earlier), csrf)
            if index and self.rng.random() < 0.15:  # back, changed, expired, gave up
                earlier = self.rng.choice(PAGES[:index])
                self.post_expired(earlier, self.changed(earlier))

        review = self._send("GET", self.url("overzicht"))
        assert review.status == 200, review.status
        csrf = hidden_value(review.body, "csrf_token")
        for _ in range(1 + (self.rng.random() < 0.2)):  # sometimes pressed twice
            done = self._send("POST", f"/r/{self.token}/verzenden", {"csrf_token": csrf})
            assert done.status == 302, done.status
            assert done.location == self.url("bedankt")
        self.submitted = True

    def expected(self) -> tuple[dict[Key, str], dict[Key, str], dict[Key, str]]:
        """The last acknowledged answers, texts and profile choices."""
        answers: dict[Key, str] = {}
        texts: dict[Key, str] = {}
        profile: dict[Key, str] = {}
        for _page_id, data in self.acknowledged:
            for name, value in data.items():
                target = {"a_": answers, "t_": texts, "p_": profile}[name[:2]]
                target[(self.token, name[2:])] = value
        return answers, texts, profile


# -- set-up and checks ------------------------------------------------------------------


def _seed(db_url: str, tmp_path: Path) -> str:
    """Migrate a fresh database and open an assessment in it; its join code."""
    db.upgrade(db_url)
    app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": db_url,
                      "REPORT_CACHE_DIR": str(tmp_path / "reports")})
    try:
        with app.app_context():
            owner = management.create_facilitator("lus@example.nl", "lang-genoeg-wachtwoord")
            assessment_id = management.create_assessment(
                owner, "Regio Lus", "Lastproef",
                questionnaire_files.available()[("tien-lessen", "nl")])
            management.set_status(assessment_id, Status.OPEN)
            assessment = db.read_session().get(Assessment, assessment_id)
            assert assessment is not None
            code = assessment.join_code
    finally:
        app.extensions["regiospiegel.reports"].close()
        db.dispose(app)
    return str(code)


def _server(tmp_path: Path, db_url: str) -> Server:
    port = free_port()
    return Server(port, {
        "DATABASE_URL": db_url,
        "SECRET_KEY": SECRET,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "REPORT_CACHE_DIR": str(tmp_path / "reports"),
        "REGIOSPIEGEL_ENV": "development",
    }, tmp_path / "server.log")


def _run_all(people: list[Participant], deadline: float) -> list[BaseException]:
    """Run every participant in its own thread, all at once; the exceptions they raised."""
    failures: list[BaseException] = []

    def run(person: Participant) -> None:
        try:
            person.run()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(person,), name=f"deelnemer-{i}")
               for i, person in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "participants did not finish"
    return failures


def _stored(db_url: str) -> dict[str, object]:
    """What the database holds, keyed by resume token hash; and SQLite's integrity check."""
    engine = create_engine(db.normalise_url(db_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            respondents = {
                # PostgreSQL's driver gives JSON as a dict, SQLite's as text: compare text.
                row[0]: (row[1], row[2] if isinstance(row[2], str) else json.dumps(row[2]),
                         row[3])
                for row in connection.exec_driver_sql(
                    "SELECT id, token_hash, profile, submitted_at FROM respondent")}
            answers = [(respondents[r][0], s, v) for r, s, v in connection.exec_driver_sql(
                "SELECT respondent_id, statement_id, value FROM answer")]
            texts = [(respondents[r][0], t, x) for r, t, x in connection.exec_driver_sql(
                "SELECT respondent_id, topic_id, text FROM comment")]
            # PostgreSQL has no integrity_check; its pages carry their own checks.
            integrity = ([tuple(row) for row in connection.exec_driver_sql(
                "PRAGMA integrity_check")] if engine.dialect.name == "sqlite" else [("ok",)])
    finally:
        engine.dispose()
    return {"respondents": respondents, "answers": answers, "texts": texts,
            "integrity": integrity}


def _check_nothing_lost(people: list[Participant], stored: dict[str, object]) -> None:
    """Stored answers are exactly the last acknowledged ones: one row each, nothing else."""
    by_hash = {hash_token(person.token): person for person in people}
    assert stored["integrity"] == [("ok",)]
    respondents = stored["respondents"]
    assert isinstance(respondents, dict)
    assert sorted(h for h, _p, _s in respondents.values()) == sorted(by_hash)
    assert all(submitted is not None for _h, _p, submitted in respondents.values())

    expected_answers: dict[Key, str] = {}
    expected_texts: dict[Key, str] = {}
    expected_profile: dict[Key, str] = {}
    for person in people:
        answers, texts, profile = person.expected()
        expected_answers |= answers
        expected_texts |= texts
        expected_profile |= profile

    def keyed(rows: object) -> dict[Key, str]:
        assert isinstance(rows, list)
        result = {(by_hash[h].token, item): value for h, item, value in rows}
        assert len(result) == len(rows), "more than one row for a statement or topic"
        return result

    assert keyed(stored["answers"]) == expected_answers
    assert keyed(stored["texts"]) == expected_texts
    assert {(by_hash[h].token, q): option for h, profile, _s in respondents.values()
            for q, option in json.loads(profile).items()} == expected_profile


def _check_every_acknowledged_page_whole(people: list[Participant],
                                         stored: dict[str, object]) -> None:
    """Each acknowledged POST is stored in full, unless a later acknowledged POST overwrote."""
    answers = {(h, s): v for h, s, v in stored["answers"]}  # type: ignore[attr-defined]
    for person in people:
        token_hash = hash_token(person.token)
        for number, (page_id, data) in enumerate(person.acknowledged):
            later = {name for _p, sent in person.acknowledged[number + 1:] for name in sent}
            for name, value in data.items():
                if name.startswith("a_") and name not in later:
                    assert answers.get((token_hash, name[2:])) == value, \
                        f"{person.token[:6]}… page {page_id} #{number}: {name} lost"


def _check_the_run_was_rough(people: list[Participant]) -> None:
    """The mishaps the test is about really happened (else it proves nothing)."""
    statuses = [status for person in people for status in person.statuses]
    assert [s for s in statuses if s >= 500] == []
    assert statuses.count(400) >= 10, "too few expired forms"
    assert all(person.submitted for person in people)
    sent_twice = sum(
        any(a == b for a, b in zip(person.acknowledged, person.acknowledged[1:], strict=False))
        for person in people)
    assert sent_twice >= 5, "too few double submits"
    went_back = sum(
        any(PAGES.index(b[0]) < PAGES.index(a[0])
            for a, b in zip(person.acknowledged, person.acknowledged[1:], strict=False))
        for person in people)
    assert went_back >= 5, "too few back-button resubmits"


# -- the tests ----------------------------------------------------------------------------


def test_sixty_participants_over_http_leave_exactly_their_last_acknowledged_answers(
        tmp_path: Path, db_url: str) -> None:
    code = _seed(db_url, tmp_path)
    server = _server(tmp_path, db_url)
    deadline = time.monotonic() + RUN_DEADLINE
    try:
        server.start()
        people = [Participant(i, Browser(server.base_url), code, deadline, retry=False)
                  for i in range(PARTICIPANTS)]
        failures = _run_all(people, deadline)
    finally:
        server.kill()

    assert failures == [], failures[:3]
    _check_the_run_was_rough(people)
    stored = _stored(db_url)
    _check_nothing_lost(people, stored)
    _check_every_acknowledged_page_whole(people, stored)


def test_a_server_killed_halfway_and_restarted_loses_no_acknowledged_page(
        tmp_path: Path, db_url: str) -> None:
    code = _seed(db_url, tmp_path)
    server = _server(tmp_path, db_url)
    deadline = time.monotonic() + RUN_DEADLINE
    acknowledged = threading.Semaphore(0)
    kill_after = PARTICIPANTS * 2  # about a third of the pages a run acknowledges
    killed_at: list[int] = []
    restart_failures: list[BaseException] = []

    def kill_and_restart() -> None:
        for _ in range(kill_after):
            if not acknowledged.acquire(timeout=max(0.1, deadline - time.monotonic())):
                return
        try:
            killed_at.append(sum(len(person.acknowledged) for person in people))
            server.kill()
            time.sleep(0.5)  # browsers meet a dead server for a moment
            server.start()
        except BaseException as exc:
            restart_failures.append(exc)

    try:
        server.start()
        people = [Participant(i, Browser(server.base_url), code, deadline, retry=True)
                  for i in range(PARTICIPANTS)]
        for person in people:
            person.on_acknowledged = acknowledged.release
        killer = threading.Thread(target=kill_and_restart, name="sigkill")
        killer.start()
        failures = _run_all(people, deadline)
        killer.join(max(0.1, deadline - time.monotonic()))
        assert not killer.is_alive()
    finally:
        server.kill()

    assert restart_failures == [], restart_failures
    assert failures == [], failures[:3]
    total = sum(len(person.acknowledged) for person in people)
    assert killed_at and kill_after <= killed_at[0] < total, (killed_at, total)
    assert sum(person.connection_errors for person in people) > 0, "nobody saw the crash"
    _check_the_run_was_rough(people)
    stored = _stored(db_url)
    _check_every_acknowledged_page_whole(people, stored)
    _check_nothing_lost(people, stored)
