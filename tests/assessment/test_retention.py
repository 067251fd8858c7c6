"""Retention: purging raw answers keeps the summary, the report and the counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assessment import management
from assessment.db import read_session, write_transaction
from assessment.exceptions import AssessmentPurged
from assessment.models import Answer, Assessment, Comment, Moderation, Respondent, Status, utcnow
from assessment.results import assessment_summary, included_comments
from assessment.retention import due_for_purge, purge
from assessment.snapshots import summary_from_json, summary_to_json
from reports.build import report_context, report_html
from tests.helpers import csrf_token, moderate


def _close_days_ago(assessment_id: int, days: int) -> None:
    management.set_status(assessment_id, Status.CLOSED)
    with write_transaction() as session:
        session.get(Assessment, assessment_id).closed_at = utcnow() - timedelta(days=days)


def test_the_summary_survives_json(app, demo):
    with app.app_context():
        summary = assessment_summary(read_session().get(Assessment, 1))
        assert summary_from_json(summary_to_json(summary)) == summary


def test_only_assessments_closed_long_enough_are_due(app, demo):
    with app.app_context():
        assert due_for_purge(30) == []
        _close_days_ago(1, 10)
        assert due_for_purge(30) == []
        _close_days_ago(1, 40)
        assert [a.id for a in due_for_purge(30)] == [1]


def test_purge_keeps_summary_report_and_included_texts(app, demo):
    with app.app_context():
        included = read_session().scalars(select(Comment)).first()
        moderate(1, included.id, Moderation.INCLUDED)
        _close_days_ago(1, 400)
        assessment = read_session().get(Assessment, 1)
        before = assessment_summary(assessment)
        html_before = report_html(report_context(assessment), "/static/")
        counts_before = management.respondent_counts([1])[1]
        purge(1)
        session = read_session()
        assert session.scalar(select(func.count()).select_from(Answer)) == 0
        assert session.scalar(select(func.count()).select_from(Comment)) == 1
        assert all(r.profile == {} for r in session.scalars(select(Respondent)))
        assessment = session.get(Assessment, 1)
        assert assessment.purged_at is not None
        assert assessment_summary(assessment) == before
        assert management.respondent_counts([1])[1] == counts_before
        assert included_comments(1) == {included.topic_id: (included.text,)}
        assert report_html(report_context(assessment), "/static/") == html_before
        assert management.audit_events(1)[0].action == "purged"
        purge(1)  # purging twice changes nothing
        assert assessment_summary(session.get(Assessment, 1)) == before


def test_cli_purge_uses_the_retention_setting(app, runner, demo):
    with app.app_context():
        _close_days_ago(1, 100)
    result = runner.invoke(args=["purge", "--days", "200"])
    assert result.exit_code == 0, result.output
    assert "nothing to purge" in result.output
    result = runner.invoke(args=["purge", "--days", "30", "--dry-run"])
    assert "would purge" in result.output
    with app.app_context():
        assert read_session().get(Assessment, 1).purged_at is None
    result = runner.invoke(args=["purge", "--days", "30"])
    assert "purged 1" in result.output
    with app.app_context():
        assert read_session().get(Assessment, 1).purged_at is not None


def test_cli_reset_password(app, runner, demo):
    from tests.helpers import login

    result = runner.invoke(args=["reset-password", "demo@regiospiegel.nl"],
                           input="helemaal-nieuw\nhelemaal-nieuw\n")
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "demo@regiospiegel.nl", "helemaal-nieuw").status_code == 302
    assert runner.invoke(args=["reset-password", "niemand@example.nl"],
                         env={"REGIOSPIEGEL_PASSWORD": "lang-genoeg-1"}).exit_code == 1


# -- nothing left behind (issue 19) ------------------------------------------------------


def _purged_demo() -> None:
    """The demo closed long ago and purged (inside an app context)."""
    _close_days_ago(1, 400)
    purge(1)


def test_a_purged_scan_cannot_be_opened_again(app, facilitator_client):
    with app.app_context():
        _purged_demo()
        with pytest.raises(AssessmentPurged):
            management.set_status(1, Status.OPEN)
    page = facilitator_client.get("/begeleider/scans/1")
    assert 'value="open"' not in page.get_data(as_text=True)
    assert "ruwe antwoorden zijn opgeschoond" in page.get_data(as_text=True)
    response = facilitator_client.post("/begeleider/scans/1/status", data={
        "csrf_token": csrf_token(page), "status": "open"}, follow_redirects=True)
    assert "Deze scan kan niet meer open" in response.get_data(as_text=True)
    with app.app_context():
        assert read_session().get(Assessment, 1).status == Status.CLOSED


def test_purge_removes_raw_answers_that_reached_a_purged_scan(app, demo):
    with app.app_context():
        statement = read_session().scalars(select(Answer.statement_id)).first()
        _purged_demo()
        kept = read_session().get(Assessment, 1).summary_snapshot
        # As a reopening before it was refused let a 7th answer in: a respondent with a
        # profile, an answer and a text, after the purge.
        with write_transaction() as session:
            late = Respondent(assessment_id=1, token_hash="0" * 64, last_page="bedankt",
                              profile={"organisatietype": "gemeente"}, submitted_at=utcnow())
            session.add(late)
            session.flush()
            session.add_all([Answer(respondent_id=late.id, statement_id=statement, value="4"),
                             Comment(assessment_id=1, respondent_id=late.id,
                                     topic_id="leiderschap", text="Te laat")])
        assert [a.id for a in due_for_purge(365)] == [1]
        purge(1)
        session = read_session()
        assert session.scalar(select(func.count()).select_from(Answer)) == 0
        assert session.scalar(select(Comment).where(Comment.text == "Te laat")) is None
        assert session.get(Respondent, late.id).profile == {}
        assert session.get(Assessment, 1).summary_snapshot == kept
        assert due_for_purge(365) == []


def test_purge_keeps_only_the_day_of_every_time_per_respondent(app, demo):
    with app.app_context():
        included = read_session().scalars(select(Comment)).first()
        moderate(1, included.id, Moderation.INCLUDED)
        _purged_demo()
        session = read_session()
        times = [moment for respondent in session.scalars(select(Respondent))
                 for moment in (respondent.created_at, respondent.updated_at,
                                respondent.submitted_at) if moment is not None]
        times += [comment.updated_at for comment in session.scalars(select(Comment))]
        assert len(times) > 28
        assert {(t.hour, t.minute, t.second, t.microsecond) for t in times} == {(0, 0, 0, 0)}


def test_the_live_page_of_a_purged_scan_shows_the_kept_breakdown(app, facilitator_client):
    before = facilitator_client.get("/begeleider/scans/1/live.json").get_json()
    with app.app_context():
        _purged_demo()
        kept = {cell.group: cell for cell in
                assessment_summary(read_session().get(Assessment, 1)).group_sizes}
    after = facilitator_client.get("/begeleider/scans/1/live.json").get_json()
    assert after["type_not_chosen"] is None
    assert [group["submitted"] for group in after["groups"]] == \
        [group["submitted"] for group in before["groups"]]
    for group in after["groups"]:
        cell = kept[group["id"]]
        assert group["started"]["status"] == cell.status.value
        assert group["started"]["n"] == cell.n
    assert any(group["started"]["n"] for group in after["groups"])
    page = facilitator_client.get("/begeleider/scans/1/live").get_data(as_text=True)
    assert "Nog geen soort organisatie gekozen" not in page


# -- deleted text does not stay in SQLite's files ----------------------------------------

SECRET_TEXT = "Geheimzinnig-verhaal-7f3a9c"


def _sqlite_bytes(app) -> bytes:
    """The SQLite database file and its write-ahead log, as on disk."""
    path = Path(str(app.config["DATABASE_URL"]).removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _write_secret_text() -> None:
    """A pending free text of the demo's first respondent (inside an app context)."""
    with write_transaction() as session:
        respondent = session.scalars(select(Respondent).where(
            Respondent.assessment_id == 1)).first()
        session.add(Comment(assessment_id=1, respondent_id=respondent.id, topic_id="geheim",
                            text=SECRET_TEXT))


@pytest.fixture
def sqlite_only(db_dialect):
    if db_dialect != "sqlite":
        pytest.skip("SQLite's own files; PostgreSQL: see docs/deploy.md")


@pytest.mark.parametrize("remove", ["delete", "purge"])
def test_removed_text_is_not_left_in_the_sqlite_files(app, demo, sqlite_only, remove):
    with app.app_context():
        _write_secret_text()
        assert SECRET_TEXT.encode() in _sqlite_bytes(app)
        if remove == "delete":
            management.delete_assessment(1, None)
        else:
            _purged_demo()
        assert SECRET_TEXT.encode() not in _sqlite_bytes(app)
