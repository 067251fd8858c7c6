"""The audit log an auditor can use: logins, new accounts, reports read, who ran a command,
deleted scans' logs on the admin pages, times in Amsterdam time with the zone named."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from assessment import management
from assessment.db import read_session, write_transaction
from assessment.models import Assessment, AuditEvent, Facilitator
from tests.helpers import TRYOUT_ID, csrf_token, login

ADMIN = ("beheer@example.nl", "beheerder-wachtwoord")


def _events(app, *actions: str) -> list[AuditEvent]:
    """The audit events with these actions, oldest first."""
    with app.app_context():
        return list(read_session().scalars(
            select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)))


def _admin(app, client):
    with app.app_context():
        management.create_facilitator(*ADMIN, is_admin=True)
    login(client, *ADMIN)
    return client


def _every_text(app) -> str:
    """Every value in every audit event, as one text."""
    with app.app_context():
        rows = read_session().scalars(select(AuditEvent)).all()
        return "\n".join(str(getattr(row, column.key)) for row in rows
                         for column in AuditEvent.__table__.columns)


# -- logins ----------------------------------------------------------------------------------


def test_logins_are_recorded_and_failed_ones_store_no_unknown_name_nor_password(
        app, client, demo):
    assert login(app.test_client(), "demo@regiospiegel.nl", "demo-regiospiegel").status_code == 302
    assert login(client, "Demo@Regiospiegel.nl ", "fout-wachtwoord-1").status_code == 401
    # A password typed in the e-mail field by mistake: it must not end up in the log.
    assert login(client, "Geheim-Wachtwoord-2", "demo-regiospiegel").status_code == 401

    logged_in, = _events(app, "logged_in")
    assert logged_in.facilitator_email == "demo@regiospiegel.nl"
    failed, = _events(app, "login_failed")
    assert (failed.facilitator_id, failed.facilitator_email) == (None, "")
    assert failed.detail == "demo@regiospiegel.nl"  # an existing account: named
    unknown, = _events(app, "login_failed_unknown")
    assert (unknown.facilitator_email, unknown.detail, unknown.operator) == ("", "", "")
    everything = _every_text(app).lower()
    for secret in ("fout-wachtwoord-1", "geheim-wachtwoord-2", "demo-regiospiegel"):
        assert secret not in everything


def test_a_failed_login_shows_as_unknown_on_the_admin_log(app, client, demo):
    login(app.test_client(), "niemand@example.nl", "wat-dan-ook-123")
    admin = _admin(app, client)
    html = admin.get("/beheer/logboek").get_data(as_text=True)
    assert "inloggen mislukt met een onbekend account" in html
    assert "niemand@example.nl" not in html


# -- accounts --------------------------------------------------------------------------------


def test_an_account_made_on_the_admin_page_is_recorded_with_its_maker(app, client):
    admin = _admin(app, client)
    page = admin.get("/beheer/")
    response = admin.post("/beheer/", data={
        "csrf_token": csrf_token(page), "email": "nieuw@example.nl",
        "password": "een-goed-wachtwoord", "is_admin": "y"})
    assert response.status_code == 302
    created = _events(app, "account_created")[-1]
    assert created.facilitator_email == ADMIN[0]
    assert created.detail == "nieuw@example.nl (admin)"
    assert "een-goed-wachtwoord" not in _every_text(app)


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def system_user(monkeypatch) -> str:
    """The operating-system user the commands see (getpass reads LOGNAME first)."""
    monkeypatch.setenv("LOGNAME", "beheerder-os")
    monkeypatch.setenv("REGIOSPIEGEL_PASSWORD", "wachtwoord-van-de-shell")
    return "beheerder-os"


@pytest.mark.parametrize(("extra", "recorded"), [
    ([], "beheerder-os"),
    (["--actor", "Jan Jansen"], "Jan Jansen (beheerder-os)"),
])
def test_create_facilitator_records_who_ran_it(app, runner, system_user, extra, recorded):
    result = runner.invoke(args=["create-facilitator", "shell@example.nl", *extra])
    assert result.exit_code == 0, result.output
    created, = _events(app, "account_created")
    assert (created.operator, created.facilitator_email) == (recorded, "")
    assert created.detail == "shell@example.nl"


def test_command_line_actions_record_who_ran_them(app, runner, demo, system_user, tmp_path):
    actor = ["--actor", "Beheer Regio"]
    assert runner.invoke(args=["reset-password", "demo@regiospiegel.nl", *actor]).exit_code == 0
    backup = runner.invoke(args=["backup", "1", "-o", str(tmp_path / "b.json"), *actor])
    assert backup.exit_code == 0, backup.output
    with app.app_context(), write_transaction() as session:
        session.get(Assessment, 1).closed_at = datetime(2020, 1, 1, tzinfo=UTC)
    purge = runner.invoke(args=["purge", "--days", "30", *actor])
    assert purge.exit_code == 0, purge.output
    events = _events(app, "password_reset", "backed_up", "purged")
    assert [e.action for e in events] == ["password_reset", "backed_up", "purged"]
    assert {e.operator for e in events} == {"Beheer Regio (beheerder-os)"}
    html = _admin(app, app.test_client()).get("/beheer/logboek").get_data(as_text=True)
    assert "Beheer Regio (beheerder-os), op de opdrachtregel" in html


# -- reports ---------------------------------------------------------------------------------


def test_report_previews_and_downloads_are_recorded(app, facilitator_client):
    assert facilitator_client.get("/begeleider/scans/1/rapport").status_code == 200
    previewed, = _events(app, "report_previewed")
    assert (previewed.facilitator_email, previewed.assessment_id) == ("demo@regiospiegel.nl", 1)
    # Asking for the PDF starts its render: nothing is downloaded, nothing recorded yet.
    response = facilitator_client.get("/begeleider/scans/1/rapport.pdf")
    assert response.status_code == 202
    assert _events(app, "report_downloaded") == []
    deadline = time.monotonic() + 60
    while response.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.3)
        response = facilitator_client.get("/begeleider/scans/1/rapport.pdf")
    assert response.status_code == 200
    downloaded, = _events(app, "report_downloaded")
    assert (downloaded.facilitator_email, downloaded.assessment_id) == (
        "demo@regiospiegel.nl", 1)


# -- a deleted scan's log --------------------------------------------------------------------


def test_an_admin_reads_a_deleted_scans_log(app, client, facilitator_client):
    with app.app_context():
        management.record_event("report_previewed", None, TRYOUT_ID)
        before = len(management.audit_events(TRYOUT_ID))
        owner = read_session().scalar(
            select(Facilitator).where(Facilitator.email == "demo@regiospiegel.nl"))
        management.delete_assessment(TRYOUT_ID, owner)
        # The events stay in the database: no foreign key cascades them away.
        assert len(management.audit_events(TRYOUT_ID)) == before + 1
    admin = _admin(app, client)
    scans = admin.get("/beheer/scans").get_data(as_text=True)
    assert "Verwijderde scans" in scans
    assert f'href="/beheer/scans/{TRYOUT_ID}/logboek"' in scans
    log = admin.get(f"/beheer/scans/{TRYOUT_ID}/logboek")
    assert log.status_code == 200
    html = log.get_data(as_text=True)
    assert "Deze scan is verwijderd" in html
    for label in ("aangemaakt", "rapport bekeken", "verwijderd"):
        assert label in html
    assert admin.get("/beheer/scans/999/logboek").status_code == 404  # never existed
    assert facilitator_client.get(f"/beheer/scans/{TRYOUT_ID}/logboek").status_code == 404


# -- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("at", "shown"), [
    (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "15 januari 2026, 13:00 CET"),
    (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "1 juli 2026, 14:00 CEST"),
])
def test_times_show_in_amsterdam_time_with_the_zone_named(app, client, facilitator_client, at,
                                                          shown):
    with app.app_context(), write_transaction() as session:
        session.add(AuditEvent(at=at, assessment_id=1, assessment_title="Voorjaar",
                               action="prepared"))
    admin = _admin(app, client)
    for page in (admin.get("/beheer/logboek"), admin.get("/beheer/scans/1/logboek"),
                 facilitator_client.get("/begeleider/scans/1/voorbereiden")):
        html = page.get_data(as_text=True)
        assert shown in html
        assert "Europe/Amsterdam" in html


def test_every_action_the_code_records_has_a_label():
    """A new audit action without a label would show its code name on the log pages."""
    import re

    from assessment.config import PROJECT_ROOT
    from assessment.models import AUDIT_ACTIONS

    call = re.compile(r'\b(?:audit|record_event)\([^"()]{0,60}?"([a-z_]+)"')
    recorded = {action for folder in ("assessment", "reports")
                for path in (PROJECT_ROOT / folder).rglob("*.py")
                for action in call.findall(path.read_text(encoding="utf-8"))}
    assert len(recorded) > 30  # the pattern still finds the calls
    assert recorded - AUDIT_ACTIONS.keys() == set()
