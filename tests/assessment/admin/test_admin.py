"""Admins manage facilitator accounts; nobody else sees those pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assessment import management
from assessment.db import read_session
from assessment.models import Facilitator
from tests.helpers import csrf_token, login


def _admin(app, client):
    with app.app_context():
        management.create_facilitator("beheer@example.nl", "beheerder-wachtwoord", is_admin=True)
    login(client, "beheer@example.nl", "beheerder-wachtwoord")
    return client


def test_admin_lists_creates_and_resets(app, client, demo):
    admin = _admin(app, client)
    page = admin.get("/beheer/")
    assert page.status_code == 200
    assert "demo@regiospiegel.nl" in page.get_data(as_text=True)
    response = admin.post("/beheer/", data={
        "csrf_token": csrf_token(page), "email": "nieuw@example.nl", "name": "Nieuw",
        "password": "een-goed-wachtwoord"})
    assert response.status_code == 302
    assert login(app.test_client(), "nieuw@example.nl", "een-goed-wachtwoord").status_code == 302
    with app.app_context():
        demo_id = read_session().scalar(
            select(Facilitator.id).where(Facilitator.email == "demo@regiospiegel.nl"))
    admin.post(f"/beheer/{demo_id}/wachtwoord",
               data={"csrf_token": csrf_token(page), "password": "nieuw-demo-wachtwoord"})
    assert login(app.test_client(), "demo@regiospiegel.nl",
                 "nieuw-demo-wachtwoord").status_code == 302
    assert login(app.test_client(), "demo@regiospiegel.nl",
                 "demo-regiospiegel").status_code == 401


@pytest.mark.parametrize(("data", "message", "domain_words"), [
    ({"email": "beheer@example.nl", "password": "nog-een-wachtwoord"},
     "Er is al een account met dit e-mailadres.", "already exists"),
    ({"email": "kort@example.nl", "password": "kort"},
     "Het wachtwoord moet minstens 10 tekens hebben.", "needs at least"),
    ({"email": "geen-adres@voorbeeld", "password": "een-goed-wachtwoord"},
     "Vul een geldig e-mailadres in, zoals naam@gemeente.nl.", "is not an e-mail address"),
])
def test_duplicate_or_weak_accounts_are_refused_in_dutch(app, client, data, message,
                                                         domain_words):
    admin = _admin(app, client)
    page = admin.get("/beheer/")
    response = admin.post("/beheer/", data={"csrf_token": csrf_token(page), **data})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert domain_words not in html  # the domain error's own (English) words stay out


def test_non_admins_get_404(facilitator_client, client):
    assert facilitator_client.get("/beheer/").status_code == 404
    assert facilitator_client.post("/beheer/1/wachtwoord").status_code in (400, 404)
    assert client.get("/beheer/").status_code == 302  # not logged in: to the login page


def test_an_administrator_creates_a_programme_and_names_and_removes_its_owners(app, client,
                                                                               demo):
    from assessment import programmes
    from assessment.models import AuditEvent, Programme

    admin = _admin(app, client)
    page = admin.get("/beheer/programmas")
    assert page.status_code == 200 and "Nog geen programma's." in page.get_data(as_text=True)
    created = admin.post("/beheer/programmas", data={
        "csrf_token": csrf_token(page), "name": "  Regio Deals   Oost ",
        "questionnaire": "tien-lessen"})
    assert created.status_code == 302
    with app.app_context():
        programme = read_session().scalar(select(Programme))
        assert (programme.name, programme.questionnaire_id) == ("Regio Deals Oost", "tien-lessen")
    # The same name again: refused on the field, in Dutch.
    again = admin.post("/beheer/programmas", data={
        "csrf_token": csrf_token(page), "name": "Regio Deals Oost", "questionnaire": "tien-lessen"})
    assert again.status_code == 400
    assert "Er is al een programma met deze naam." in again.get_data(as_text=True)
    # An owner must be an existing account; the demo facilitator is one.
    unknown = admin.post(f"/beheer/programmas/{programme.id}/eigenaren", data={
        "csrf_token": csrf_token(page), "email": "niemand@example.nl"}, follow_redirects=True)
    assert "Er is geen account met dit e-mailadres." in unknown.get_data(as_text=True)
    added = admin.post(f"/beheer/programmas/{programme.id}/eigenaren", data={
        "csrf_token": csrf_token(page), "email": "Demo@Regiospiegel.nl"}, follow_redirects=True)
    assert "demo@regiospiegel.nl is programma-eigenaar." in added.get_data(as_text=True)
    with app.app_context():
        owners = programmes.owners(programme.id)
        assert [owner.email for owner in owners] == ["demo@regiospiegel.nl"]
    owner_browser = app.test_client()
    login(owner_browser, "demo@regiospiegel.nl", "demo-regiospiegel")
    assert owner_browser.get(f"/programma/{programme.id}").status_code == 200
    removed = admin.post(f"/beheer/programmas/{programme.id}/eigenaren/{owners[0].id}/verwijderen",
                         data={"csrf_token": csrf_token(page)})
    assert removed.status_code == 302
    assert owner_browser.get(f"/programma/{programme.id}").status_code == 404
    with app.app_context():
        actions = [event.action for event in read_session().scalars(
            select(AuditEvent).where(AuditEvent.action.like("programme_%"))
            .order_by(AuditEvent.id))]
    assert actions == ["programme_created", "programme_owner_added", "programme_owner_removed"]


def test_the_programme_pages_are_for_administrators_only(app, client, demo):
    login(client, "demo@regiospiegel.nl", "demo-regiospiegel")
    assert client.get("/beheer/programmas").status_code == 404
    assert client.post("/beheer/programmas", data={"name": "X"}).status_code in (400, 404)
