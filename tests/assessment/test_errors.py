"""Error pages: friendly, in the page's language, in the site's layout, and revealing nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from babel.support import Translations
from flask import Flask
from sqlalchemy import update
from werkzeug.test import TestResponse

from assessment import create_app, db, management
from assessment.config import PROJECT_ROOT
from assessment.errors import MESSAGES
from assessment.exceptions import UnknownAssessment
from assessment.extensions import limiter
from assessment.models import Assessment
from tests.helpers import DEMO_JOIN_CODE, Participant, csrf_token, login

#: The interface's catalogues, to read what a title says in another language.
TRANSLATIONS = PROJECT_ROOT / "assessment" / "translations"

#: What an error page must never show: traces, exception names, source paths, SQL.
INTERNALS = re.compile(
    r"Traceback|\bFile \"|\w+Error\b|\w+Exception\b|\.py\b|/work/|site-packages|"
    r"\bSELECT\b|\bINSERT\b|\bUPDATE\b|\bFROM\b|sqlalchemy|sqlite|werkzeug|jinja",
    re.IGNORECASE)

#: A form's random token: letters that may spell "jinja" or "FROM" by chance, never internals.
FORM_TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


def assert_friendly(response: TestResponse, status: int, language: str = "nl") -> str:
    """The page for ``status``: its title and advice, the layout, no internals."""
    html = response.get_data(as_text=True)
    catalogue = Translations.load(str(TRANSLATIONS), [language])
    title, message = (catalogue.gettext(str(text)) for text in MESSAGES[status])
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert f"<h1>{title}</h1>" in html
    assert message in html
    assert f'<html lang="{language}">' in html
    assert 'rel="stylesheet" href="/static/regiospiegel.css?v=' in html
    assert "Content-Security-Policy" in response.headers
    shown = FORM_TOKEN.sub('name="csrf_token"', html)
    assert not INTERNALS.search(shown), INTERNALS.search(shown)
    return html


def test_400_for_a_form_without_its_token(client):
    html = assert_friendly(client.post("/begeleider/inloggen", data={
        "email": "demo@regiospiegel.nl", "password": "demo-regiospiegel"}), 400)
    assert "Het formulier was verlopen" in html
    assert "CSRF" not in html


def test_403_for_a_co_facilitator_who_tries_to_delete(app, demo):
    with app.app_context():
        management.create_facilitator("collega@example.nl", "collega-wachtwoord-1")
        owner = management.authenticate("demo@regiospiegel.nl", "demo-regiospiegel")
        management.share(1, "collega@example.nl", owner)
    colleague = app.test_client()
    login(colleague, "collega@example.nl", "collega-wachtwoord-1")
    assert_friendly(colleague.get("/begeleider/scans/1/verwijderen"), 403)
    page = colleague.get("/begeleider/scans/1")
    assert_friendly(colleague.post("/begeleider/scans/1/verwijderen", data={
        "csrf_token": csrf_token(page), "confirm": DEMO_JOIN_CODE}), 403)
    with app.app_context():
        assert db.read_session().get(Assessment, 1) is not None


@pytest.mark.parametrize("url", ["/bestaat-niet", "/d/ONBEKEND/extra", "/r/geen-token",
                                 "/begeleider/scans/999999"])
def test_404_for_an_unknown_page(facilitator_client, url):
    assert_friendly(facilitator_client.get(url), 404)


def test_405_for_a_get_on_a_post_only_route(facilitator_client):
    response = facilitator_client.get("/begeleider/uitloggen")
    assert_friendly(response, 405)
    assert "POST" in response.headers["Allow"]


def test_413_for_a_post_larger_than_allowed(app, client):
    too_much = "x" * (int(app.config["MAX_CONTENT_LENGTH"]) + 1)
    assert_friendly(client.post("/begeleider/inloggen", data={"email": too_much}), 413)


def test_a_form_token_that_spells_a_word_by_chance_is_no_leak(client, monkeypatch):
    """The check passes over the token's random letters, not over the rest of the page."""
    monkeypatch.setattr("flask_wtf.csrf.generate_csrf", lambda: "IjJiNjAsqlite.FROM.x")
    html = assert_friendly(client.get("/?x=%00"), 400)
    assert 'value="IjJiNjAsqlite.FROM.x"' in html
    with pytest.raises(AssertionError, match="sqlite"):
        assert_friendly(client.get("/?x=sqlite%00"), 400)  # the address, shown in a hidden field


@pytest.fixture
def strict_login(app_config: dict[str, object]) -> Iterator[Flask]:
    """An app that allows two logins per client."""
    application = create_app({**app_config, "LOGIN_RATE_LIMIT": "2 per 10 minutes"})
    with application.app_context():
        limiter.reset()
    yield application
    application.extensions["regiospiegel.reports"].close()
    db.dispose(application)


def test_429_after_too_many_logins(strict_login):
    browser = strict_login.test_client()
    statuses = []
    for _attempt in range(3):
        page = browser.get("/begeleider/inloggen")
        response = browser.post("/begeleider/inloggen", data={
            "csrf_token": csrf_token(page), "email": "iemand@example.nl",
            "password": "verkeerd-wachtwoord"})
        statuses.append(response.status_code)
    assert statuses[:2] != [429, 429]
    assert_friendly(response, 429)
    assert int(response.headers["Retry-After"]) > 0


@pytest.fixture
def fragile(app_config: dict[str, object]) -> Iterator[Flask]:
    """An app, not in testing mode, with a route that fails with internals in its message."""
    application = create_app({**app_config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    def broken() -> str:
        raise RuntimeError('SELECT secret FROM facilitator; File "/work/main/assessment/x.py"')

    def deleted_meanwhile() -> str:
        raise UnknownAssessment("no assessment 1")

    application.add_url_rule("/kapot", "broken", broken)
    application.add_url_rule("/verdwenen", "deleted_meanwhile", deleted_meanwhile)
    yield application
    application.extensions["regiospiegel.reports"].close()
    db.dispose(application)


def test_500_is_friendly_and_logged(fragile, caplog):
    response = fragile.test_client().get("/kapot")
    assert_friendly(response, 500)
    assert "SELECT secret" in caplog.text  # the details go to the log, not to the browser


def test_a_scan_deleted_meanwhile_is_not_found_rather_than_an_error(fragile, caplog):
    assert_friendly(fragile.test_client().get("/verdwenen"), 404)
    assert "unexpected error" not in caplog.text


def test_an_error_page_speaks_the_participant_s_language(app, open_assessment):
    with app.app_context(), db.write_transaction() as session:
        session.execute(update(Assessment).where(Assessment.id == open_assessment["id"])
                        .values(language="en"))
    person = Participant(app.test_client())
    person.join(str(open_assessment["code"]))
    assert 'lang="en"' in person.client.get(person.url("intro")).get_data(as_text=True)
    assert_friendly(person.client.get(person.url("bestaat-niet")), 404, language="en")
    # A refused form token stops the request before the view: the URL still tells the language.
    assert_friendly(person.client.post(f"/r/{person.token}/verzenden", data={}), 400,
                    language="en")
    assert_friendly(person.client.post(f"/d/{open_assessment['code']}", data={}), 400,
                    language="en")
    # Elsewhere the site speaks Dutch.
    assert_friendly(person.client.get("/bestaat-niet"), 404, language="nl")
