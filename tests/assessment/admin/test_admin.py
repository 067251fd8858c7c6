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
