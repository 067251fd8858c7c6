"""From stored answers to the summary, and the summary on the facilitator's page."""

from __future__ import annotations

import re
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, select, text

from assessment import content, db, management, participation, questionnaire_files, session
from assessment.aggregation import Response, summarise
from assessment.db import read_session
from assessment.models import Assessment, Facilitator, Status
from assessment.results import assessment_summary, submitted_responses
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.helpers import Participant

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")


def scoring_everywhere(score: int | str, dont_know: tuple[str, ...] = ()) -> dict[str, str]:
    """statement id → code, so that every lesson statement scores ``score``.

    Reverse-worded statements get 6 − score; lessons in ``dont_know`` get "weet_niet".
    """
    answers = {}
    for lesson in QUESTIONNAIRE.lessons:
        for s in lesson.statements:
            if lesson.id in dont_know:
                answers[s.id] = "weet_niet"
            elif isinstance(score, int):
                answers[s.id] = str(6 - score if s.reverse else score)
            else:
                answers[s.id] = score
    return answers


def answer_through_the_site(person: Participant, group: str, answers: dict[str, str]) -> None:
    """Fill in the profile and every lesson page like a browser would."""
    response = person.post_page("profiel", {"p_organisatietype": group, "p_rol": "ambtenaar"})
    assert response.status_code == 302, response.status_code
    for lesson in QUESTIONNAIRE.lessons:
        data = {f"a_{s.id}": answers[s.id] for s in lesson.statements}
        response = person.post_page(lesson.id, data)
        assert response.status_code == 302, (lesson.id, response.status_code)


def answer_directly(assessment_id: int, group: str, answers: dict[str, str],
                    submit: bool = True) -> None:
    """A respondent who answers through the service layer (inside an app context)."""
    token = participation.start(assessment_id)
    respondent = participation.find_respondent(token)
    assert respondent is not None
    participation.save_page(respondent.id, "profiel", participation.PageAnswers(
        answers=answers, profile={"organisatietype": group, "rol": "ambtenaar"}))
    if submit:
        participation.submit(respondent.id)


# -- the summary of stored answers ------------------------------------------------------

#: (organisation type, every lesson's score, lessons answered "weet niet"), per respondent.
SUBMITTERS = [
    ("gemeente", 2, ()),
    ("gemeente", 3, ()),
    ("waterschap", 4, ()),
    ("provincie", 5, ("legitimiteit",)),
]


def test_summary_counts_submitted_respondents_and_matches_summarise(app, open_assessment):
    code = str(open_assessment["code"])
    sent = []
    for group, score, dont_know in SUBMITTERS:
        person = Participant(app.test_client())
        person.join(code)
        answers = scoring_everywhere(score, dont_know)
        answer_through_the_site(person, group, answers)
        assert person.submit().status_code == 302
        sent.append((group, answers))
    # Someone who answers all 1s but never sends them in does not count.
    stray = Participant(app.test_client())
    stray.join(code)
    answer_through_the_site(stray, "gemeente", scoring_everywhere(1))

    with app.app_context():
        # Closed, so every submitted respondent counts (open, the latest three would wait).
        management.set_status(open_assessment["id"], Status.CLOSED)
        assessment = read_session().get(Assessment, open_assessment["id"])
        summary = assessment_summary(assessment)
        questionnaire = content.for_assessment(assessment)

    assert summary.respondents == 4
    assert summary.shown
    urgentie = summary.lesson("urgentie")
    # Scores 2, 3, 4, 5 (the stray 1 would make it 3.0 with n 5).
    assert (urgentie.n, urgentie.mean, urgentie.median) == (4, pytest.approx(3.5),
                                                             pytest.approx(3.5))
    # Four statements each (one reversed, answered 6 − score): four answers on each of 2 … 5.
    assert urgentie.distribution.counts == (0, 4, 4, 4, 4)
    assert urgentie.sd == pytest.approx((5 / 3) ** 0.5)
    legitimiteit = summary.lesson("legitimiteit")
    assert (legitimiteit.n, legitimiteit.mean) == (3, pytest.approx(3.0))
    assert legitimiteit.dont_know_share == pytest.approx(4 / 16)
    assert summary.overall_index == pytest.approx((9 * 3.5 + 3.0) / 10)

    by_hand = summarise(questionnaire, [Response(i, group, answers, {"rol": "ambtenaar"})
                                        for i, (group, answers) in enumerate(sent, 1)])
    assert summary == by_hand


def test_submitted_responses_reads_back_what_was_stored(app, open_assessment):
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        answer_directly(assessment_id, "waterschap", {"urgentie-1": "4", "visie-2": "nvt"})
        answer_directly(assessment_id, "partner", {"urgentie-1": "1"}, submit=False)
        answer_directly(assessment_id, "provincie", {})
        responses = submitted_responses(assessment_id, QUESTIONNAIRE)
    assert [(r.group, dict(r.answers)) for r in responses] == [
        ("waterschap", {"urgentie-1": "4", "visie-2": "nvt"}),
        ("provincie", {}),
    ]
    # The role comes with the type: the second breakdown is made by it.
    assert [r.option("rol") for r in responses] == ["ambtenaar", "ambtenaar"]


@contextmanager
def counted_statements():
    """Collect the SQL statements the current app's engine sends while inside."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    engine = db.engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_questionnaire_that_groups_nobody_counts_everyone_as_without_a_group(
        app, open_assessment):
    assessment_id = int(open_assessment["id"])
    ungrouped = QUESTIONNAIRE.model_copy(update={"profile": tuple(
        q.model_copy(update={"groups_respondents": False}) for q in QUESTIONNAIRE.profile)})
    with app.app_context():
        answer_directly(assessment_id, "waterschap", {"urgentie-1": "4"})
        answer_directly(assessment_id, "gemeente", {"urgentie-1": "2"}, submit=False)
        assert [r.group for r in submitted_responses(assessment_id, ungrouped)] == [None]
        assert session.started_by_type(assessment_id, ungrouped) == {None: 2}
        assert session.started_by_type(assessment_id, QUESTIONNAIRE) == {
            "waterschap": 1, "gemeente": 1}


@pytest.mark.parametrize("respondents", [1, 3, 12])
def test_answers_load_with_one_query(app, open_assessment, respondents):
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for i in range(respondents):
            answer_directly(assessment_id, "gemeente", scoring_everywhere(1 + i % 5))
    with app.app_context():
        # The session's first statement is preceded by the app's own BEGIN; open the read
        # transaction first so only the loading itself is counted.
        read_session().execute(text("SELECT 1"))
        with counted_statements() as statements:
            responses = submitted_responses(assessment_id, QUESTIONNAIRE)
    assert len(responses) == respondents
    assert len(statements) == 1, statements
    assert statements[0].lstrip().upper().startswith("SELECT")


# -- the facilitator's page -------------------------------------------------------------


class ResultsTable(HTMLParser):
    """The rows of the results table: the lesson title, then the text of each cell."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables = 0
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_body = False
        self._results = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            # Only the results table; the tables per group below it are not read here.
            self._results = "results" in (dict(attrs).get("class") or "").split()
            self.tables += self._results
        elif tag == "tbody" and self._results:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("th", "td") and self._in_body:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _decimal(cell: str) -> float:
    assert re.fullmatch(r"[1-5],\d", cell), f"not a score with a decimal comma: {cell!r}"
    return float(cell.replace(",", "."))


def test_demo_page_shows_scores_bands_n_and_signals(app, facilitator_client):
    response = facilitator_client.get("/begeleider/scans/1")
    assert response.status_code == 200
    table = ResultsTable(response.get_data(as_text=True))
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        summary = assessment_summary(assessment)
        bands = {band.id: band.label for band in content.for_assessment(assessment).bands}
    assert summary.respondents == 28
    assert len(table.rows) == len(summary.lessons) == 10
    rows = {}
    for row, lesson in zip(table.rows, summary.lessons, strict=True):
        title, score, band, median, n, consensus, signals = row
        assert lesson.title in title
        assert lesson.shown
        # One decimal with a comma; the rounding may differ in the last place only.
        assert _decimal(score) == pytest.approx(lesson.mean, abs=0.05 + 1e-9)
        assert _decimal(median) == pytest.approx(lesson.median, abs=0.05 + 1e-9)
        assert re.fullmatch(r"[01],\d\d", consensus), consensus
        assert band == bands[lesson.band]
        assert n == str(lesson.n)
        rows[lesson.lesson_id] = signals
    assert "Verdeeld" in rows["leiderschap"]
    assert "Informatietekort" in rows["legitimiteit"]
    assert "Informatietekort" not in rows["urgentie"]
    assert "Verdeeld" not in rows["urgentie"]
    assert {row[2] for row in table.rows} >= {"Sterk", "Zorg"}


def _demo_owner_assessment(app, submitted: int, started: int, close: bool = True) -> int:
    """A new assessment of the demo facilitator with this many respondents, closed after.

    Closed, every submitted respondent counts; open, the latest three wait (anonymity.py).
    """
    with app.app_context():
        owner = read_session().scalar(
            select(Facilitator.id).where(Facilitator.email == "demo@regiospiegel.nl"))
        questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
        assessment_id = management.create_assessment(owner, "Regio Klein", "Kleine scan",
                                                     questionnaire)
        management.set_status(assessment_id, Status.OPEN)
        for i in range(submitted + started):
            answer_directly(assessment_id, "gemeente", scoring_everywhere(4),
                            submit=i < submitted)
        if close:
            management.set_status(assessment_id, Status.CLOSED)
    return assessment_id


@pytest.mark.parametrize(("submitted", "started", "close", "table_shown"), [
    pytest.param(2, 0, True, False, id="two submitted"),
    pytest.param(2, 3, True, False, id="two submitted, three only started"),
    pytest.param(3, 0, True, True, id="three submitted"),
    pytest.param(2, 0, False, False, id="open: two submitted"),
])
def test_results_need_three_submitted_respondents(app, facilitator_client, submitted, started,
                                                  close, table_shown):
    assessment_id = _demo_owner_assessment(app, submitted, started, close)
    response = facilitator_client.get(f"/begeleider/scans/{assessment_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = ResultsTable(html)
    assert ("minstens 3 deelnemers" in html) is not table_shown
    assert (table.tables == 1) is table_shown
    if table_shown:
        assert len(table.rows) == 10
        assert all(row[1] == "4,0" for row in table.rows)
    else:
        assert "4,0" not in html
