"""Retention: purging raw answers keeps the summary, the report and the counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from assessment import management
from assessment.db import read_session, write_transaction
from assessment.models import Answer, Assessment, Comment, Moderation, Respondent, Status, utcnow
from assessment.results import assessment_summary, included_comments
from assessment.retention import due_for_purge, purge
from assessment.snapshots import summary_from_json, summary_to_json
from reports.build import report_context, report_html
from tests.helpers import moderate


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
