"""The anonymity policy as properties: on every surface's data, no figure rests on fewer than
3 answers, no hidden organisation type follows from the total by subtraction, and two views
of a growing scan never differ by one or two respondents (assessment/anonymity.py)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment import anonymity, management, paper, participation, projector
from assessment.aggregation import (
    CellStatus,
    Response,
    Summary,
    lesson_scorer,
    summarise,
)
from assessment.exchange import Table, aggregate_tables
from assessment.models import Assessment, Status
from questions.loader import CONTENT_DIR, load_questionnaire
from reports.context import ReportMeta, build_context
from tests.assessment.test_exchange import csv_sections
from tests.assessment.test_results import ResultsTable, answer_directly
from tests.helpers import csrf_token, login

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
GROUP_IDS = tuple(QUESTIONNAIRE.group_labels())
VALID = ("1", "2", "3", "4", "5")
OWNER_EMAIL, OWNER_PASSWORD = "begeleider@example.nl", "lang-genoeg-wachtwoord"


# -- the step rule, pure -----------------------------------------------------------------


def _visible(counted: int) -> int:
    """What a view reveals: a count below 3 shows no results at all."""
    return counted if anonymity.figure_allowed(counted) else 0


#: Things that happen to a scan between two views.
EVENTS = ("submit", "submit", "submit", "close", "reopen", "pause", "resume")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(EVENTS), max_size=60))
def test_two_consecutive_views_never_differ_by_one_or_two_respondents(events):
    submitted, published, status = 0, 0, Status.OPEN
    views = [0]
    for event in events:
        if event == "submit":  # also a paper form typed in while closed
            submitted += 1
        elif event == "close" and status is not Status.CLOSED:
            published = anonymity.published_at_close(submitted, published)
            status = Status.CLOSED
        elif event == "reopen" and status is Status.CLOSED:
            published = anonymity.published_at_reopen(submitted, published)
            status = Status.OPEN
        elif event == "pause" and status is Status.OPEN:
            status = Status.PAUSED
        elif event == "resume" and status is Status.PAUSED:
            status = Status.OPEN
        counted = anonymity.counted_respondents(submitted, published,
                                                status is Status.CLOSED)
        assert 0 <= counted <= submitted
        if status is not Status.CLOSED:
            # The most recent three always wait while answering is open.
            assert counted <= max(submitted - anonymity.STEP, 0) or counted == published
        views.append(_visible(counted))
    for before, after in itertools.pairwise(views):
        assert abs(after - before) not in (1, 2), views


@pytest.mark.parametrize(("submitted", "published", "closed", "counted"), [
    pytest.param(3, 0, False, 0, id="open: the first three wait"),
    pytest.param(5, 0, False, 0, id="open: five, still waiting"),
    pytest.param(6, 0, False, 3, id="open: six show three"),
    pytest.param(8, 0, False, 3, id="open: eight show three"),
    pytest.param(9, 0, False, 6, id="open: nine show six"),
    pytest.param(28, 28, True, 28, id="closed: everything published"),
    pytest.param(30, 28, True, 28, id="closed: two paper forms wait"),
    pytest.param(31, 28, True, 31, id="closed: three paper forms count"),
    pytest.param(30, 28, False, 28, id="reopened: stays at the closed size"),
    pytest.param(33, 28, False, 28, id="reopened: five new, three still wait"),
    pytest.param(34, 28, False, 31, id="reopened: six new show three"),
    pytest.param(2, 2, True, 0, id="closed with two: nothing"),
])
def test_counted_respondents(submitted, published, closed, counted):
    assert anonymity.counted_respondents(submitted, published, closed) == counted


@pytest.mark.parametrize(("submitted", "published", "result"), [
    pytest.param(8, 0, 8, id="first close publishes all"),
    pytest.param(2, 0, 2, id="two: nothing was shown, so anything goes"),
    pytest.param(10, 8, 8, id="two new since the last close: they wait"),
    pytest.param(11, 8, 11, id="three new: all"),
])
def test_published_at_close(submitted, published, result):
    assert anonymity.published_at_close(submitted, published) == result


@pytest.mark.parametrize(("counts", "small", "unassigned", "hidden"), [
    pytest.param({"a": 10}, set(), 1, {"a"}, id="one without a type hides the only type"),
    pytest.param({"a": 10}, set(), 5, set(), id="five without a type are a group"),
    pytest.param({"a": 6, "b": 7}, set(), 2, {"a"}, id="the smallest type joins them"),
    pytest.param({"a": 5, "b": 0}, {"b"}, 0, {"b"}, id="a type without data needs no company"),
    pytest.param({"a": 4, "b": 6}, {"a"}, 0, {"a", "b"}, id="as before without unassigned"),
])
def test_suppress_counts_respondents_without_a_type(counts, small, unassigned, hidden):
    assert anonymity.suppress(counts, small, unassigned) == frozenset(hidden)


# -- every surface's data over random scans ----------------------------------------------


@st.composite
def scans(draw) -> list[Response]:
    """Respondents with a type (some types nobody has), or none; per lesson they answer
    everything, only "weet niet"/"n.v.t.", a mix with blanks, or nothing."""
    count = draw(st.integers(min_value=0, max_value=14))
    responses = []
    for number in range(1, count + 1):
        group = draw(st.sampled_from(("gemeente", "gemeente", "waterschap", "provincie",
                                      None)))
        answers: dict[str, str] = {}
        for part in (*QUESTIONNAIRE.lessons, *QUESTIONNAIRE.context_blocks):
            mode = draw(st.sampled_from(("valid", "valid", "unknown", "mixed", "blank")))
            for statement in part.statements:
                if mode == "blank":
                    continue
                choices = {"valid": VALID, "unknown": ("weet_niet", "weet_niet", "nvt"),
                           "mixed": (*VALID, "weet_niet", "nvt", "")}[mode]
                code = draw(st.sampled_from(choices))
                if code:
                    answers[statement.id] = code
        responses.append(Response(number, group, answers))
    return responses


class Raw:
    """What the answers are, counted directly: the oracle for every surface."""

    def __init__(self, responses: Sequence[Response]) -> None:
        self.responses = responses
        self.valid = {s.id: sum(1 for r in responses if r.answers.get(s.id) in VALID)
                      for s in QUESTIONNAIRE.statements()}
        self.scored: dict[str, dict[int, str | None]] = {}
        for lesson in QUESTIONNAIRE.lessons:
            scorer = lesson_scorer(QUESTIONNAIRE, lesson)
            self.scored[lesson.id] = {r.respondent_id: r.group for r in responses
                                      if scorer(r.answers) is not None}

    def answering(self, lesson_id: str) -> int:
        ids = {s.id for s in QUESTIONNAIRE.lesson(lesson_id).statements}
        return sum(1 for r in self.responses if ids & set(r.answers))

    def in_group(self, lesson_id: str, group: str) -> int:
        return sum(1 for g in self.scored[lesson_id].values() if g == group)

    def unassigned(self, lesson_id: str) -> int:
        return sum(1 for g in self.scored[lesson_id].values() if g not in GROUP_IDS)


def _assert_nothing_recoverable(raw: Raw, lesson_id: str, total: int,
                                shown: dict[str, int], hidden: Sequence[str]) -> None:
    """What the shown cells leave of the total is nothing, only people without a type, or two
    parts; five or more people in any case."""
    if not shown:
        return  # every type hidden: the cells add nothing to the total
    left = total - sum(shown.values())
    groups = [n for n in (raw.in_group(lesson_id, g) for g in hidden) if n]
    unassigned = raw.unassigned(lesson_id)
    assert left == sum(groups) + unassigned
    parts = len(groups) + (1 if unassigned else 0)
    assert left == 0 or (left >= anonymity.MIN_GROUP_SIZE and (parts >= 2 or not groups)), (
        lesson_id, shown, groups, unassigned)


def check_summary(summary: Summary, raw: Raw) -> None:
    """No figure of the summary rests on fewer than 3 answers; no hidden type derivable."""
    if summary.shown:
        assert summary.respondents >= anonymity.MIN_RESPONDENTS
    for lesson in summary.lessons:
        scored = len(raw.scored[lesson.lesson_id])
        assert lesson.n == scored
        if not lesson.shown:
            assert (lesson.mean, lesson.median, lesson.sd, lesson.consensus, lesson.band) == (
                None,) * 5
            assert lesson.distribution.given == 0 and lesson.dont_know_share == 0
            assert lesson.statements == () and lesson.groups == ()
            if lesson.information_gap:
                assert raw.answering(lesson.lesson_id) >= anonymity.MIN_RESPONDENTS
            continue
        assert scored >= anonymity.MIN_RESPONDENTS
        for statement in lesson.statements:
            valid = raw.valid[statement.statement_id]
            if valid < anonymity.MIN_VALID_ANSWERS:
                assert not statement.shown
                assert statement.distribution.given == 0 and statement.scored_mean is None
            else:
                assert statement.distribution.valid == valid
        shown = {c.group: c.n for c in lesson.groups
                 if c.status is CellStatus.SHOWN and c.n is not None}
        for group, n in shown.items():
            assert n == raw.in_group(lesson.lesson_id, group) >= anonymity.MIN_GROUP_SIZE
        hidden = [c.group for c in lesson.groups if c.status is CellStatus.HIDDEN]
        _assert_nothing_recoverable(raw, lesson.lesson_id, lesson.n, shown, hidden)
    for block in summary.context:
        assert block.mean is None or block.n >= anonymity.MIN_RESPONDENTS
    for cell in summary.group_sizes:
        assert cell.status is not CellStatus.SHOWN or (cell.n or 0) >= anonymity.MIN_GROUP_SIZE


def _table(tables: Sequence[Table], title: str) -> Table:
    return next(table for table in tables if table.title == title)


def check_tables(tables: Sequence[Table], summary: Summary, raw: Raw) -> None:
    """The CSV/XLSX tables hold no figure the summary withholds (they hold its figures)."""
    if not summary.shown:
        assert [table.title for table in tables] == ["Scan"]
        return
    lessons = {row[0]: row for row in _table(tables, "Lessen").rows}
    for lesson_id, row in lessons.items():
        if len(raw.scored[str(lesson_id)]) < anonymity.MIN_RESPONDENTS:
            # gemiddelde .. band: nothing; only n and the signals' yes/no.
            assert row[3:12] == (None,) * 9, row
    points = len(QUESTIONNAIRE.scale().points)
    for row in _table(tables, "Stellingen").rows:
        figures = row[4:4 + points + 4]
        # A statement's figures need 3 valid answers, and a lesson with a score.
        if (raw.valid[str(row[1])] < anonymity.MIN_VALID_ANSWERS
                or len(raw.scored[str(row[0])]) < anonymity.MIN_RESPONDENTS):
            assert figures == (None,) * (points + 4) and row[-1] == "te weinig antwoorden"
        else:
            assert figures[points + 2] == raw.valid[str(row[1])]
    for row in _table(tables, "Per soort organisatie").rows:
        lesson_id = str(row[0])
        shown: dict[str, int] = {}
        hidden = []
        for index, group in enumerate(GROUP_IDS):
            n, mean = row[2 + 2 * index], row[3 + 2 * index]
            if isinstance(n, int):
                assert n == raw.in_group(lesson_id, group) >= anonymity.MIN_GROUP_SIZE
                assert isinstance(mean, float)
                shown[group] = n
            elif n == "verborgen":
                hidden.append(group)
        if shown or hidden:
            total = lessons[lesson_id][2]
            assert isinstance(total, int)
            _assert_nothing_recoverable(raw, lesson_id, total, shown, hidden)
    for row in _table(tables, "Deelnemers per soort").rows:
        assert not isinstance(row[2], int) or row[2] >= anonymity.MIN_GROUP_SIZE


def check_report_and_projector(summary: Summary, raw: Raw) -> None:
    """The report's context and the projector's slides show only what the summary shows."""
    meta = ReportMeta("Regio", "Scan", "nl", date(2026, 11, 29), len(raw.responses), None,
                      "0" * 64, "test")
    context = build_context(meta, QUESTIONNAIRE, summary, {})
    for section in context.lessons:
        enough = len(raw.scored[section.lesson.id]) >= anonymity.MIN_RESPONDENTS
        assert (section.summary.mean is not None) is (enough and summary.shown)
        assert section.advice is None or enough
        # The lesson's chart: a statement below the threshold is described as such, with
        # no count; a lesson without figures has no chart.
        assert bool(section.chart) is bool(section.statements)
        described = section.chart.description.split("; ") if section.chart else []
        for row, description in zip(section.statements, described, strict=True):
            enough_answers = raw.valid[row.statement.id] >= anonymity.MIN_VALID_ANSWERS
            assert row.bar.shown is enough_answers
            assert description.endswith(": te weinig antwoorden") is not enough_answers
    for group_row in context.groups:
        assert group_row.status is not CellStatus.SHOWN or (
            (group_row.n or 0) >= anonymity.MIN_GROUP_SIZE)
    for overview_row in projector.overview(QUESTIONNAIRE, summary):
        assert overview_row.summary.mean is None or (
            len(raw.scored[overview_row.lesson.id]) >= anonymity.MIN_RESPONDENTS)
    labels = dict.fromkeys(GROUP_IDS, "")
    for lesson in QUESTIONNAIRE.lessons:
        lesson_summary = summary.lesson(lesson.id)
        for bar in projector.statement_bars(lesson, lesson_summary, 0, len(lesson.statements)):
            if raw.valid[bar.statement.id] < anonymity.MIN_VALID_ANSWERS:
                assert not bar.shown and bar.valid == 0 and bar.dont_know == 0
        for group_row in projector.group_rows(labels, lesson_summary):
            assert group_row.status is not CellStatus.SHOWN or (
                (group_row.n or 0) >= anonymity.MIN_GROUP_SIZE)


@settings(max_examples=60, deadline=None)
@given(scans())
def test_no_surface_shows_a_figure_over_fewer_than_three_answers(responses):
    raw = Raw(responses)
    summary = summarise(QUESTIONNAIRE, responses)
    check_summary(summary, raw)
    assessment = Assessment(region="Regio", title="Scan", status="closed", session_date=None,
                            invited_count=None)
    tables = aggregate_tables(assessment, QUESTIONNAIRE, summary, {},
                              datetime(2026, 11, 29, tzinfo=UTC))
    check_tables(tables, summary, raw)
    check_report_and_projector(summary, raw)


def _scan(groups_and_answers: Sequence[tuple[str | None, dict[str, str]]]) -> list[Response]:
    return [Response(number, group, answers)
            for number, (group, answers) in enumerate(groups_and_answers, start=1)]


def _lesson_answers(lesson_index: int, code: str) -> dict[str, str]:
    return {s.id: code for s in QUESTIONNAIRE.lessons[lesson_index].statements}


def test_the_report_html_of_a_lesson_with_two_scores_shows_no_share(app):
    # Lesson 1 scored by five; lesson 2 by two, with two more saying "weet niet": an
    # information gap without a percentage, and no distribution in the appendix.
    from reports.build import report_html

    first, second = QUESTIONNAIRE.lessons[0], QUESTIONNAIRE.lessons[1]
    scan = _scan([("gemeente", {**_lesson_answers(0, "4"), **_lesson_answers(1, "2")}),
                  ("gemeente", {**_lesson_answers(0, "4"), **_lesson_answers(1, "5")}),
                  ("gemeente", {**_lesson_answers(0, "3"), **_lesson_answers(1, "weet_niet")}),
                  ("waterschap", {**_lesson_answers(0, "5"), **_lesson_answers(1, "weet_niet")}),
                  (None, _lesson_answers(0, "2"))])
    summary = summarise(QUESTIONNAIRE, scan)
    assert summary.lesson(second.id).information_gap and not summary.lesson(second.id).shown
    meta = ReportMeta("Regio", "Scan", "nl", date(2026, 11, 29), 5, None, "0" * 64, "test")
    with app.test_request_context():
        html = report_html(build_context(meta, QUESTIONNAIRE, summary, {}), "/static/")
    section = html.split(f'id="les-{second.id}"')[1].split("</article>")[0]
    assert "Informatietekort: veel antwoorden zijn ‘weet ik niet’." in section
    assert "%" not in section
    appendix = html.split('id="bijlage"')[1]
    assert second.statements[0].text not in appendix
    assert first.statements[0].text in appendix
    # The summary page lists the gap without its share.
    assert re.search(rf"{re.escape(second.title)}(?! <span class=\"figure\">)", html)


# -- through the app: one respondent at a time -------------------------------------------


def _figures(client, assessment_id: int) -> tuple[int, tuple[object, ...]]:
    """What the scan page and the CSV export show: (respondents counted, their figures)."""
    base = f"/begeleider/scans/{assessment_id}"
    page = ResultsTable(client.get(base).get_data(as_text=True))
    sections = csv_sections(client.get(f"{base}/export.csv").data)
    details = {row[0]: row[1] for row in sections["Scan"][1]}
    figures = tuple(sorted((title, tuple(map(tuple, rows)))
                           for title, (_header, rows) in sections.items() if title != "Scan"))
    return int(details["deelnemers in de uitkomsten"]), (tuple(map(tuple, page.rows)), figures)


def _status(client, assessment_id: int, wanted: str) -> None:
    page = client.get(f"/begeleider/scans/{assessment_id}")
    response = client.post(f"/begeleider/scans/{assessment_id}/status",
                           data={"csrf_token": csrf_token(page), "status": wanted})
    assert response.status_code == 302


def test_the_scan_page_and_export_change_only_in_steps_of_three(app, client, open_assessment):
    assessment_id = int(open_assessment["id"])
    login(client, OWNER_EMAIL, OWNER_PASSWORD)
    scores = ("1", "5", "2", "4", "3", "5", "1", "4", "2", "5", "3", "1", "4")
    types = ("gemeente", "waterschap", "provincie", None)
    views = [_figures(client, assessment_id)]

    def one_more(number: int, on_paper: bool = False) -> None:
        answers = {s.id: scores[number] for s in QUESTIONNAIRE.statements()}
        group = str(types[number % 4] or "anders")
        with app.app_context():
            if on_paper:  # typed in after the session: the scan is closed
                paper.record(assessment_id, f"papier-{number}", participation.PageAnswers(
                    answers=answers, profile={"organisatietype": group}), None)
            else:
                answer_directly(assessment_id, group, answers)
        views.append(_figures(client, assessment_id))

    for number in range(8):          # open: 8 sent in, 3 counted
        one_more(number)
    assert views[-1][0] == 3
    _status(client, assessment_id, "closed")   # closing publishes all 8
    views.append(_figures(client, assessment_id))
    assert views[-1][0] == 8
    _status(client, assessment_id, "open")     # reopened: stays at 8
    views.append(_figures(client, assessment_id))
    for number in range(8, 10):
        one_more(number)
    _status(client, assessment_id, "closed")   # two new: the published 8 stay
    views.append(_figures(client, assessment_id))
    assert views[-1][0] == 8
    page = client.get(f"/begeleider/scans/{assessment_id}").get_data(as_text=True)
    assert "Na de vorige keer sluiten kwamen er 2 antwoorden bij." in page
    one_more(10, on_paper=True)      # a third, on paper after closing: all 11 count
    assert views[-1][0] == 11

    for (before, shown_before), (after, shown_after) in itertools.pairwise(views):
        assert abs(after - before) not in (1, 2)
        # The figures change exactly when the number counted changes.
        assert (shown_after == shown_before) is (after == before)


def test_while_open_the_page_says_why_the_results_lag(app, client, open_assessment):
    assessment_id = int(open_assessment["id"])
    login(client, OWNER_EMAIL, OWNER_PASSWORD)
    with app.app_context():
        for _ in range(8):
            answer_directly(assessment_id, "gemeente",
                            {s.id: "4" for s in QUESTIONNAIRE.statements()})
    page = client.get(f"/begeleider/scans/{assessment_id}").get_data(as_text=True)
    assert ("De uitkomsten tellen nu 3 van de 8 verzonden antwoorden mee; ze lopen in stappen "
            "van 3 mee, zodat niemand af te leiden is.") in page
    live = client.get(f"/begeleider/scans/{assessment_id}/live.json").get_json()
    assert live["submitted"] == 8 and "3 van de 8" in live["counting_text"]
    presenter = client.get(f"/begeleider/scans/{assessment_id}/presentator")
    assert "3 van de 8" in presenter.get_data(as_text=True)
    report = client.get(f"/begeleider/scans/{assessment_id}/rapport").get_data(as_text=True)
    assert "8 deelnemers deden mee. De uitkomsten tellen er 3:" in report


def test_a_reopened_scan_stays_at_the_size_it_closed_with(app, open_assessment):
    from assessment.db import read_session
    from assessment.results import assessment_summary

    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for _ in range(4):
            answer_directly(assessment_id, "gemeente",
                            {s.id: "4" for s in QUESTIONNAIRE.statements()})
        management.set_status(assessment_id, Status.CLOSED)
        assert read_session().get(Assessment, assessment_id).published_respondents == 4
        management.set_status(assessment_id, Status.OPEN)
        for _ in range(5):
            answer_directly(assessment_id, "gemeente",
                            {s.id: "2" for s in QUESTIONNAIRE.statements()})
        assert assessment_summary(read_session().get(Assessment, assessment_id)).respondents == 4
        answer_directly(assessment_id, "gemeente", {s.id: "2" for s in QUESTIONNAIRE.statements()})
        assert assessment_summary(read_session().get(Assessment, assessment_id)).respondents == 7


def test_the_migration_keeps_what_existing_scans_show(tmp_path):
    # Upgraded, a scan counts the respondents it counted before: all who sent in.
    from alembic import command
    from sqlalchemy import create_engine, text

    from assessment.db import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "0008")
    engine = create_engine(url)
    now = "2026-11-29 12:00:00"
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO facilitator (id, email, name, password_hash, is_admin, created_at) "
            "VALUES (1, 'a@example.nl', '', 'x', 0, :now)"), {"now": now})
        for number in (1, 2):
            connection.execute(text(
                "INSERT INTO assessment (id, owner_id, region, title, language, "
                "questionnaire_id, questionnaire_version, content_hash, content_snapshot, "
                "status, join_code, created_at) VALUES (:id, 1, 'R', 'T', 'nl', 'q', '1', "
                "'h', '{}', 'open', :code, :now)"), {"id": number, "code": f"CODE{number}",
                                                    "now": now})
        for number in range(7):
            connection.execute(text(
                "INSERT INTO respondent (assessment_id, token_hash, profile, last_page, "
                "created_at, updated_at, submitted_at) VALUES (1, :token, '{}', 'bedankt', "
                ":now, :now, :sent)"),
                {"token": f"t{number}", "now": now, "sent": now if number < 5 else None})
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        published = dict(connection.execute(text(
            "SELECT id, published_respondents FROM assessment")).all())
    engine.dispose()
    assert published == {1: 5, 2: 0}


def test_purging_keeps_what_the_closed_scan_shows(app, open_assessment):
    # Two sent in after the last close wait; purging must not add them (that would be a
    # view that differs by two from the one before).
    from assessment.db import read_session
    from assessment.results import assessment_summary
    from assessment.retention import purge

    assessment_id = int(open_assessment["id"])
    every = {s.id: "4" for s in QUESTIONNAIRE.statements()}
    with app.app_context():
        for _ in range(4):
            answer_directly(assessment_id, "gemeente", every)
        management.set_status(assessment_id, Status.CLOSED)
        management.set_status(assessment_id, Status.OPEN)
        for _ in range(2):
            answer_directly(assessment_id, "gemeente", {s.id: "1" for s in
                                                        QUESTIONNAIRE.statements()})
        management.set_status(assessment_id, Status.CLOSED)
        before = assessment_summary(read_session().get(Assessment, assessment_id))
        assert before.respondents == 4
        purge(assessment_id)
        after = assessment_summary(read_session().get(Assessment, assessment_id))
    assert after == before


def test_the_report_html_says_too_few_answers_in_a_row_across_its_figure_columns(app):
    # Lesson 1 scored by five, its first statement known by two (too few to show); lesson 2
    # scored by two (no score): each table's row says so in one cell across its figures.
    from reports.build import report_html

    first, second = QUESTIONNAIRE.lessons[0], QUESTIONNAIRE.lessons[1]
    unknown = {first.statements[0].id: "weet_niet"}
    scan = _scan([("gemeente", {**_lesson_answers(0, "4"), **unknown, **_lesson_answers(1, "2")}),
                  ("gemeente", {**_lesson_answers(0, "4"), **unknown, **_lesson_answers(1, "5")}),
                  ("gemeente", {**_lesson_answers(0, "3"), **unknown}),
                  ("waterschap", _lesson_answers(0, "5")),
                  ("waterschap", _lesson_answers(0, "2"))])
    summary = summarise(QUESTIONNAIRE, scan)
    assert summary.lesson(first.id).shown and not summary.lesson(second.id).shown
    meta = ReportMeta("Regio", "Scan", "nl", date(2026, 11, 29), 5, None, "0" * 64, "test")
    with app.test_request_context():
        html = report_html(build_context(meta, QUESTIONNAIRE, summary, {}), "/static/")
    figures = len(QUESTIONNAIRE.scale().points) + 3
    appendix = html.split('id="bijlage"')[1]
    assert re.search(rf"<tr>\s*<td>{re.escape(first.statements[0].text)}</td>\s*"
                     rf'<td colspan="{figures}" class="muted">te weinig antwoorden</td>\s*</tr>',
                     appendix)
    assert re.search(rf"<tr>\s*<td>{re.escape(first.statements[1].text)}</td>\s*"
                     r'<td class="num">', appendix)
    table = re.search(r'<table class="group-table[^"]*" data-question="[^"]*">.*?</table>', html,
                      re.S)
    assert table, "the report has a table by organisation type"
    columns = len(re.findall(r'<th scope="col" class="num">', table.group(0))) - 2
    assert re.search(rf'<tr>\s*<th scope="row">2\. {re.escape(second.title)}</th>\s*'
                     rf'<td colspan="{columns + 2}" class="withheld">te weinig antwoorden</td>',
                     table.group(0))
