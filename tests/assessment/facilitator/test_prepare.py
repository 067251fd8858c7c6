"""Preparing an assessment: details, comparison round, co-facilitators, links, delete, log."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import func, select

from assessment import management
from assessment.db import read_session
from assessment.models import Answer, Assessment, AuditEvent, Respondent, Source
from tests.helpers import DEMO_JOIN_CODE, csrf_token, login


def _create(client, **extra):
    token = csrf_token(client.get("/begeleider/scans/nieuw"))
    data = {"csrf_token": token, "region": "Stedendriehoek", "title": "Ronde 2",
            "questionnaire": "tien-lessen:nl", **extra}
    return client.post("/begeleider/scans/nieuw", data=data)


def test_create_with_preparation_and_a_previous_round(app, facilitator_client):
    response = _create(facilitator_client, session_date="2027-03-12", previous="1",
                       invited_count="40", organisations="Gemeente Heerde\n\n  Waterschap  ")
    assert response.status_code == 302
    with app.app_context():
        created = read_session().scalar(select(Assessment).where(Assessment.title == "Ronde 2"))
        assert created.session_date == date(2027, 3, 12)
        assert created.previous_id == 1
        assert created.invited_count == 40
        assert created.organisations == "Gemeente Heerde\nWaterschap"


def test_invalid_preparation_is_refused_with_messages(facilitator_client):
    response = _create(facilitator_client, invited_count="0", previous="999")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Vul een aantal van 1 tot 10.000 in." in html


def test_prepare_page_changes_details_and_is_audited(app, facilitator_client):
    page = facilitator_client.get("/begeleider/scans/1/voorbereiden")
    assert page.status_code == 200
    assert 'value="Regio Zwolle"' in page.get_data(as_text=True)
    response = facilitator_client.post("/begeleider/scans/1/voorbereiden", data={
        "csrf_token": csrf_token(page), "region": "Regio Zwolle", "title": "Nieuwe titel",
        "previous": "", "invited_count": "30", "organisations": ""})
    assert response.status_code == 302
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        assert (assessment.title, assessment.invited_count) == ("Nieuwe titel", 30)
        actions = [e.action for e in management.audit_events(1)]
    assert "prepared" in actions and "created" in actions and "opened" in actions
    log = facilitator_client.get("/begeleider/scans/1/voorbereiden").get_data(as_text=True)
    assert "voorbereiding gewijzigd" in log


def test_running_out_of_join_codes_does_not_blame_the_previous_round(app, facilitator_client,
                                                                     monkeypatch):
    # Every join code drawn is the demo's, so none of the attempts finds a free one.
    monkeypatch.setattr(management, "new_join_code", lambda: DEMO_JOIN_CODE)
    response = _create(facilitator_client, previous="1")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Kies een eerdere ronde met dezelfde vragenlijst." not in html
    assert "Er kon geen deelnamecode worden gemaakt. Probeer het nog een keer." in html
    assert 'value="Ronde 2"' in html  # the facilitator's input is kept
    with app.app_context():
        assert read_session().scalar(
            select(Assessment).where(Assessment.title == "Ronde 2")) is None


def test_a_round_cannot_be_its_own_previous_round(facilitator_client):
    page = facilitator_client.get("/begeleider/scans/1/voorbereiden")
    response = facilitator_client.post("/begeleider/scans/1/voorbereiden", data={
        "csrf_token": csrf_token(page), "region": "R", "title": "T", "previous": "1"})
    assert response.status_code == 400


def test_co_facilitator_gets_access_and_loses_it(app, client, facilitator_client):
    with app.app_context():
        colleague_id = management.create_facilitator("collega@example.nl", "collega-wachtwoord")
    login(client, "collega@example.nl", "collega-wachtwoord")
    assert client.get("/begeleider/scans/1").status_code == 404
    page = facilitator_client.get("/begeleider/scans/1/voorbereiden")
    response = facilitator_client.post("/begeleider/scans/1/collegas", data={
        "csrf_token": csrf_token(page), "email": "Collega@Example.nl"})
    assert response.status_code == 302
    assert client.get("/begeleider/scans/1").status_code == 200
    assert DEMO_JOIN_CODE in client.get("/begeleider/").get_data(as_text=True)
    # A co-facilitator may not delete or share.
    assert client.get("/begeleider/scans/1/verwijderen").status_code == 403
    facilitator_client.post(f"/begeleider/scans/1/collegas/{colleague_id}/verwijderen",
                            data={"csrf_token": csrf_token(page)})
    assert client.get("/begeleider/scans/1").status_code == 404


def test_sharing_with_an_unknown_email_says_so(facilitator_client):
    page = facilitator_client.get("/begeleider/scans/1/voorbereiden")
    response = facilitator_client.post("/begeleider/scans/1/collegas", data={
        "csrf_token": csrf_token(page), "email": "niemand@example.nl"})
    assert response.status_code == 400
    assert "Er is geen procesbegeleider" in response.get_data(as_text=True)


def test_personal_links_csv_and_they_work(app, facilitator_client):
    page = facilitator_client.get("/begeleider/scans/1/voorbereiden")
    response = facilitator_client.post("/begeleider/scans/1/persoonlijke-links",
                                       data={"csrf_token": csrf_token(page), "count": "3"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    links = [row[1] for row in rows[1:]]
    assert len(links) == 3 and len(set(links)) == 3
    assert all(link.startswith("http://regiospiegel.test/r/") for link in links)
    with app.app_context():
        personal = read_session().scalar(select(func.count()).select_from(Respondent).where(
            Respondent.source == Source.PERSONAL.value))
    assert personal == 3
    with app.app_context():
        assert management.respondent_counts([1])[1] == (28, 28)  # unused links: not started
    visitor = app.test_client()
    path = links[0].removeprefix("http://regiospiegel.test")
    landing = visitor.get(path)  # an invitation: the closed scan's page, nothing to answer
    assert landing.status_code == 200
    assert "Deze scan is gesloten." in landing.get_data(as_text=True)


def test_invitation_sheet_shows_link_code_and_qr(facilitator_client):
    html = facilitator_client.get("/begeleider/scans/1/uitnodiging").get_data(as_text=True)
    assert f"http://regiospiegel.test/d/{DEMO_JOIN_CODE}" in html
    assert DEMO_JOIN_CODE in html and "/begeleider/scans/1/qr.svg" in html


def test_delete_needs_the_join_code_and_removes_everything(app, facilitator_client):
    page = facilitator_client.get("/begeleider/scans/1/verwijderen")
    assert page.status_code == 200
    wrong = facilitator_client.post("/begeleider/scans/1/verwijderen",
                                    data={"csrf_token": csrf_token(page), "confirm": "XXXXXX"})
    assert wrong.status_code == 400
    done = facilitator_client.post("/begeleider/scans/1/verwijderen", data={
        "csrf_token": csrf_token(page), "confirm": DEMO_JOIN_CODE.lower()})
    assert done.status_code == 302
    with app.app_context():
        session = read_session()
        assert session.get(Assessment, 1) is None
        assert session.scalar(select(func.count()).select_from(Respondent)) == 0
        assert session.scalar(select(func.count()).select_from(Answer)) == 0
        deleted = session.scalar(select(AuditEvent).where(AuditEvent.action == "deleted"))
        assert deleted is not None and DEMO_JOIN_CODE in deleted.detail
    assert facilitator_client.get("/begeleider/scans/1").status_code == 404


def test_the_assessment_page_shows_the_change_since_the_previous_round(app, facilitator_client):
    from assessment import questionnaire_files
    from assessment.models import Status
    from assessment.results import assessment_summary, round_comparison
    from tests.helpers import Participant

    with app.app_context():
        owner = read_session().get(Assessment, 1).owner_id
        second = management.create_assessment(
            owner, "Regio Zwolle", "Ronde 2",
            questionnaire_files.available()[("tien-lessen", "nl")],
            preparation=management.Preparation("Regio Zwolle", "Ronde 2", previous_id=1))
        management.set_status(second, Status.OPEN)
        code = read_session().get(Assessment, second).join_code
    for _ in range(3):
        person = Participant(app.test_client())
        person.join(code)
        person.post_page("urgentie", {f"a_urgentie-{i}": "5" for i in (1, 2, 4)}
                         | {"a_urgentie-3": "1"})
        person.submit()
    with app.app_context():
        management.set_status(second, Status.CLOSED)  # all three count
        first = assessment_summary(read_session().get(Assessment, 1)).lesson("urgentie").mean
        comparison = round_comparison(read_session().get(Assessment, second))
        assert comparison.lesson("urgentie").change == 5.0 - first
    html = facilitator_client.get(f"/begeleider/scans/{second}").get_data(as_text=True)
    assert "Sinds vorige ronde" in html
    assert f"+{5.0 - first:.1f}".replace(".", ",") in html


def test_the_report_shows_the_previous_round(app, facilitator_client):
    from assessment import questionnaire_files
    from assessment.models import Status
    from reports.build import report_context, report_html
    from tests.helpers import Participant

    with app.app_context():
        owner = read_session().get(Assessment, 1).owner_id
        second = management.create_assessment(
            owner, "Regio Zwolle", "Ronde 2",
            questionnaire_files.available()[("tien-lessen", "nl")],
            preparation=management.Preparation("Regio Zwolle", "Ronde 2", previous_id=1,
                                               invited_count=40))
        management.set_status(second, Status.OPEN)
        code = read_session().get(Assessment, second).join_code
    for _ in range(3):
        person = Participant(app.test_client())
        person.join(code)
        person.post_page("urgentie", {f"a_urgentie-{i}": "4" for i in range(1, 5)})
        person.submit()
    with app.app_context():
        management.set_status(second, Status.CLOSED)  # all three count
        context = report_context(read_session().get(Assessment, second))
        html = report_html(context, "/static/")
    assert context.has_previous
    assert "De stippellijn toont de vorige ronde." in html
    assert "vorige ronde" in context.bars_chart
    assert "3 van de 40 genodigden deden mee (8%)." in html
