"""Login sessions end when they should: on logging out and on a new password, everywhere.

A copy of the session cookie (taken from a shared computer, a proxy log or a stolen laptop)
must stop working at the same moment as the session it was copied from.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment import management
from assessment.db import read_session
from assessment.models import Facilitator
from tests.helpers import csrf_token, login

DASHBOARD = "/begeleider/"


def _account(app: Flask, email: str, *, is_admin: bool = False) -> FlaskClient:
    """A new facilitator account and a browser logged in to it."""
    with app.app_context():
        management.create_facilitator(email, "een-lang-wachtwoord", is_admin=is_admin)
    browser = app.test_client()
    assert login(browser, email, "een-lang-wachtwoord").status_code == 302
    return browser


def _copy(app: Flask, browser: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``browser``'s session cookie."""
    cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
    return thief


def _logged_in(browser: FlaskClient) -> bool:
    response = browser.get(DASHBOARD)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def _id(app: Flask, email: str) -> int:
    with app.app_context():
        return int(read_session().scalar(select(Facilitator.id)
                                         .where(Facilitator.email == email)))


def test_a_copied_cookie_stops_working_when_its_session_logs_out(app):
    browser = _account(app, "begeleider@example.nl")
    copy = _copy(app, browser)
    assert _logged_in(copy)
    other = _account(app, "collega@example.nl")

    page = browser.get(DASHBOARD)
    response = browser.post("/begeleider/uitloggen", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302

    assert not _logged_in(browser)
    assert not _logged_in(copy)
    assert browser.get(DASHBOARD).location.startswith("/begeleider/inloggen")
    assert _logged_in(other), "another facilitator's session must go on"
    # Logging in again works, with a fresh session.
    assert login(browser, "begeleider@example.nl", "een-lang-wachtwoord").status_code == 302
    assert _logged_in(browser) and not _logged_in(copy)


def test_a_password_reset_by_an_admin_ends_the_accounts_sessions(app):
    admin = _account(app, "beheer@example.nl", is_admin=True)
    browser = _account(app, "begeleider@example.nl")
    copy = _copy(app, browser)
    other = _account(app, "collega@example.nl")

    page = admin.get("/beheer/")
    response = admin.post(f"/beheer/{_id(app, 'begeleider@example.nl')}/wachtwoord",
                          data={"csrf_token": csrf_token(page), "password": "nieuw-wachtwoord!"})
    assert response.status_code == 302

    assert not _logged_in(browser) and not _logged_in(copy)
    assert _logged_in(other) and _logged_in(admin)
    assert login(browser, "begeleider@example.nl", "nieuw-wachtwoord!").status_code == 302
    assert _logged_in(browser)


def test_an_admin_resetting_their_own_password_stays_logged_in_but_copies_do_not(app):
    admin = _account(app, "beheer@example.nl", is_admin=True)
    copy = _copy(app, admin)
    page = admin.get("/beheer/")
    admin.post(f"/beheer/{_id(app, 'beheer@example.nl')}/wachtwoord",
               data={"csrf_token": csrf_token(page), "password": "nieuw-wachtwoord!"})
    assert _logged_in(admin)
    assert not _logged_in(copy)


def test_a_password_reset_on_the_command_line_ends_the_accounts_sessions(app, runner):
    browser = _account(app, "begeleider@example.nl")
    result = runner.invoke(args=["reset-password", "begeleider@example.nl"],
                           env={"REGIOSPIEGEL_PASSWORD": "nieuw-wachtwoord!"})
    assert result.exit_code == 0, result.output
    assert not _logged_in(browser)


def test_a_session_from_before_session_versions_is_not_logged_in(app):
    browser = _account(app, "begeleider@example.nl")
    with browser.session_transaction() as session:
        session["_user_id"] = str(_id(app, "begeleider@example.nl"))
    assert not _logged_in(browser)
