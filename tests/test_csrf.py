"""CSRF on every state-changing route, enumerated from the URL map; no GET changes state.

A route added later is covered automatically: every rule that accepts POST (or PUT, PATCH,
DELETE) is posted to without a form token, with an expired one and with one from another
browser, by someone who may use the route; each answer must be 400 and the database must be
exactly as before. Every GET route is requested as the owner and must leave the rows alone.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import inspect, select, text, update

from assessment import db, discussion, management, priorities
from assessment.models import Assessment, Comment, Facilitator
from tests.helpers import DEMO_JOIN_CODE, TRYOUT_JOIN_CODE, Participant, csrf_token

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
#: Participants join the demo's open try-out scan; the facilitator routes act on scan 1.
JOIN_CODE = TRYOUT_JOIN_CODE

#: Answers a participant posts on a lesson page: stored if the form token were not checked.
PARTICIPANT_DATA = {"action": "volgende", "a_urgentie-1": "1", "a_urgentie-2": "1"}
#: Per endpoint, what the form would need to do its work (the token left out).
ENDPOINT_DATA: dict[str, dict[str, str]] = {
    "participant.start_page": {"code": JOIN_CODE},
    "participant.welcome": {"start_key": "k" * 43},
    # The same voter (the participant's browser) on both paths: different lessons, so the
    # second vote changes the row too.
    "participant.vote": {"lessons": "investeren"},
    "participant.vote_by_code": {"lessons": "rijk"},
}
#: Participant routes used before someone has started.
NEWCOMER_ROUTES = {"participant.start_page", "participant.welcome"}
#: Routes that end what the others need: the assessment, the owner's login.
LAST = ("facilitator.delete", "facilitator.logout")
#: For facilitator and admin routes: a union of plausible form fields, so a route that forgot
#: its token check would act (open/close, share, add, delete, reset...).
FACILITATOR_DATA = {
    "status": "closed", "actie": "sluiten", "stap": "volgende", "beoordeling": "excluded",
    "email": "tweede@example.nl", "name": "Nieuwe collega", "password": "een-nieuw-wachtwoord",
    "count": "3", "confirm": DEMO_JOIN_CODE, "action": "Een nieuwe actie", "owner": "Gemeente",
    "term": "Voor de zomer", "lesson": "urgentie", "les-urgentie-notes": "Notitie",
    "les-urgentie-conclusion": "Conclusie", "region": "Andere regio", "title": "Andere titel",
    "les": "urgentie", "aantekeningen": "Notitie van de presentator",
    "voorwoord-text": "Voorwoord", "les-urgentie-text": "Eigen advies",
    "les-urgentie-mode": "replace", "commissioner": "Andere opdrachtgever",
    "addresses": "nieuw@example.nl", "language": "nl", "round": "0", "opnieuw": "1",
    "nl-invitation-subject": "Onderwerp", "nl-invitation-body": "Tekst {link}",
}


class Setting:
    """The demo with one of everything a URL can point at, and a browser per audience."""

    def __init__(self, app: Flask, owner: FlaskClient) -> None:
        with app.app_context():
            colleague = management.create_facilitator("collega@example.nl",
                                                      "collega-wachtwoord-1")
            demo_owner = management.authenticate("demo@regiospiegel.nl", "demo-regiospiegel")
            assert demo_owner is not None
            management.share(1, "collega@example.nl", demo_owner)
            management.create_facilitator("tweede@example.nl", "tweede-wachtwoord-1")
            with db.write_transaction() as session:
                # The owner is an admin too, so the /beheer routes are posted to by someone
                # who may use them.
                session.execute(update(Facilitator).where(Facilitator.id == demo_owner.id)
                                .values(is_admin=True))
            assessment = db.read_session().get(Assessment, 1)
            assert assessment is not None
            # The demo's vote is closed; open it again, so a vote could be cast. Participants
            # join the try-out scan: open a vote there too.
            priorities.open_vote(1, 3, None)
            priorities.open_vote(2, 3, None)
            action_id = discussion.add_action(
                assessment, discussion.ActionInput(action="Bestaande actie"), demo_owner)
            comment_id = db.read_session().scalar(
                select(Comment.id).where(Comment.respondent.has(assessment_id=1)).limit(1))
            reference = discussion.text_reference(1, comment_id or 1)
        self.participant = Participant(app.test_client())
        self.participant.join(JOIN_CODE)
        self.owner = owner
        # Someone who opened the welcome page but has not started: a start would add a row.
        self.newcomer = app.test_client()
        self.newcomer.get(f"/d/{JOIN_CODE}")
        self.arguments: dict[str, Any] = {
            "assessment_id": 1, "action_id": action_id, "reference": reference,
            "facilitator_id": colleague, "lesson_id": "urgentie", "page_id": "urgentie",
            "token": self.participant.token, "code": JOIN_CODE, "filename": "regiospiegel.css",
            "step": 1, "fmt": "csv",
        }

    def browser(self, endpoint: str) -> FlaskClient:
        """Who may use the route: a participant (or newcomer) for participant routes, else the
        owner."""
        if endpoint in NEWCOMER_ROUTES:
            return self.newcomer
        return self.participant.client if endpoint.startswith("participant.") else self.owner


def routes(app: Flask, methods: set[str],
           arguments: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule accepting one of ``methods``, arguments filled.

    Participant routes come first (others may close the assessment); deleting and logging
    out come last, so each route meets the demo in a state where it could act.
    """
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            values = {name: arguments.get(name, 1) for name in rule.arguments}
            for method in sorted((rule.methods or set()) & methods):
                found.append((rule.endpoint, method, url_for(rule.endpoint, **values)))
    return sorted(found, key=lambda route: (not route[0].startswith("participant."),
                                            LAST.index(route[0]) if route[0] in LAST else -1,
                                            route))


def snapshot(app: Flask, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the assessment row included), in a comparable form."""
    with app.app_context(), db.engine().connect() as connection:
        tables = [name for name in inspect(connection).get_table_names() if name not in skip]
        return {name: sorted(tuple(row) for row in connection.execute(
            text(f'SELECT * FROM "{name}"'))) for name in tables}


def row_counts(app: Flask, skip: frozenset[str] = frozenset()) -> dict[str, int]:
    """The number of rows per table."""
    return {name: len(rows) for name, rows in snapshot(app, skip).items()}


def expired_token(app: Flask, browser: FlaskClient) -> str:
    """A token signed for this browser's session, but 13 hours old (the limit is 12)."""

    class _Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 13 * 3600

    with browser.session_transaction() as session:
        raw = session["csrf_token"]
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token",
                                        signer=_Yesterday)
    return str(serializer.dumps(raw))


def other_browsers_token(app: Flask) -> str:
    """A valid, fresh token, but from another browser's session."""
    return csrf_token(app.test_client().get("/begeleider/inloggen"))


@pytest.fixture
def setting(app, facilitator_client) -> Setting:
    return Setting(app, facilitator_client)


def test_the_enumeration_finds_the_known_state_changing_routes(app, setting):
    endpoints = {endpoint for endpoint, _method, _url
                 in routes(app, STATE_CHANGING, setting.arguments)}
    assert {"participant.welcome", "participant.page", "participant.submit",
            "facilitator.login", "facilitator.logout", "facilitator.change_status",
            "facilitator.delete", "facilitator.moderate", "facilitator.discussion_page",
            "facilitator.actions", "facilitator.share", "facilitator.personal_links",
            "admin.facilitators", "admin.reset_password", "participant.vote",
            "participant.vote_by_code", "facilitator.priority_vote",
            "facilitator.adopt_priorities", "facilitator.invite_addresses",
            "facilitator.save_mail_texts", "facilitator.send_invitations",
            "facilitator.remind"} <= endpoints
    assert len(endpoints) >= 20


@pytest.mark.parametrize("variant", ["missing", "expired", "other browser", "forged"])
def test_no_post_without_a_valid_token_changes_anything(app, setting, variant):
    before = snapshot(app)
    failures = []
    checked = 0
    for endpoint, method, url in routes(app, STATE_CHANGING, setting.arguments):
        browser = setting.browser(endpoint)
        data = dict(ENDPOINT_DATA.get(endpoint) or (
            PARTICIPANT_DATA if endpoint.startswith("participant.") else FACILITATOR_DATA))
        if variant == "expired":
            data["csrf_token"] = expired_token(app, browser)
        elif variant == "other browser":
            data["csrf_token"] = other_browsers_token(app)
        elif variant == "forged":
            data["csrf_token"] = secrets.token_urlsafe(48)
        response = browser.open(url, method=method, data=data)
        if response.status_code != 400:
            failures.append((endpoint, method, url, response.status_code))
        if snapshot(app) != before:
            failures.append((endpoint, method, url, "changed the database"))
            before = snapshot(app)
        checked += 1
    assert not failures
    assert checked >= 20
    # The owner is still logged in (logout needs a token too).
    assert setting.owner.get("/begeleider/").status_code == 200


def test_an_expired_page_keeps_the_participant_s_answers(app, setting):
    person = setting.participant
    response = person.post_page("urgentie", PARTICIPANT_DATA,
                                token=expired_token(app, person.client))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nog niet opgeslagen" in html
    # The answer just sent is shown again (nothing was stored, so it came from the post).
    assert '<input checked class="radio" id="a_urgentie-1-0"' in html
    assert csrf_token(response) != expired_token(app, person.client)


def test_the_same_posts_with_a_valid_token_do_change_state(app, setting):
    """The control: with a valid token, the posts above act; so the test above can fail."""
    tokens = {"participant": csrf_token(setting.participant.client.get(
                  setting.participant.url("urgentie"))),
              "owner": csrf_token(setting.owner.get("/begeleider/")),
              "newcomer": csrf_token(setting.newcomer.get(f"/d/{JOIN_CODE}"))}
    acted = set()
    for endpoint, method, url in routes(app, STATE_CHANGING, setting.arguments):
        before = snapshot(app)
        audience = ("newcomer" if endpoint in NEWCOMER_ROUTES else
                    "participant" if endpoint.startswith("participant.") else "owner")
        data = ENDPOINT_DATA.get(endpoint) or (
            FACILITATOR_DATA if audience == "owner" else PARTICIPANT_DATA)
        setting.browser(endpoint).open(url, method=method,
                                       data={**data, "csrf_token": tokens[audience]})
        if snapshot(app) != before:
            acted.add(endpoint)
    assert {"participant.welcome", "participant.page", "participant.submit",
            "facilitator.change_status", "facilitator.share", "facilitator.delete",
            "facilitator.discussion_page", "facilitator.moderate", "facilitator.actions",
            "facilitator.reveal", "facilitator.presenter_notes",
            "admin.reset_password", "participant.vote", "participant.vote_by_code"} <= acted, acted


#: GET routes that record who downloaded or looked at something (an audit event, no more).
#: The PDF report is recorded too, when it is sent (here it is still being rendered).
AUDITED_GETS = {"facilitator.export_csv", "facilitator.export_json", "facilitator.export_xlsx",
                "facilitator.report_preview"}


def test_no_get_changes_state(app, setting):
    skip = frozenset({"audit_event"})
    before = snapshot(app, skip)
    counts_before = row_counts(app)
    failures = []
    audited = set()
    found = routes(app, {"GET"}, setting.arguments)
    for endpoint, _method, url in found:
        response = setting.owner.get(url)
        response.close()
        if response.status_code >= 500:
            failures.append((endpoint, url, response.status_code))
        if snapshot(app, skip) != before:
            failures.append((endpoint, url, "changed the database"))
            before = snapshot(app, skip)
        counts = row_counts(app)
        if counts["audit_event"] != counts_before["audit_event"]:
            audited.add(endpoint)
            counts_before = counts
    assert not failures
    assert audited == AUDITED_GETS
    endpoints = {endpoint for endpoint, _method, _url in found}
    assert {"participant.page", "participant.summary", "facilitator.detail",
            "facilitator.export_csv", "facilitator.report_pdf", "admin.facilitators"} <= endpoints
