"""Access control on every facilitator route, enumerated from the URL map.

A route added later is covered automatically: anything under the facilitator blueprint that
takes an assessment id must answer 404 to a facilitator who is neither its owner nor a
co-facilitator, for every method it accepts, with a valid form token.
"""

from __future__ import annotations

import pytest
from flask import Flask

from assessment import management
from tests.helpers import csrf_token, login

#: Values for the other URL variables of a route (they never reach a check before the loader).
OTHER_ARGUMENTS = {"facilitator_id": 1, "reference": "x", "action_id": 1, "lesson_id": "urgentie",
                   "step": 1, "page_id": "intro", "fmt": "csv"}


def assessment_routes(app: Flask) -> list[tuple[str, str, dict[str, object]]]:
    """(endpoint, method, url arguments) for every facilitator route with an assessment id."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("facilitator.") or "assessment_id" not in rule.arguments:
            continue
        arguments = {name: OTHER_ARGUMENTS.get(name, 1) for name in rule.arguments}
        arguments["assessment_id"] = 1
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, arguments))
    return routes


def test_the_route_list_is_not_empty(app):
    endpoints = {endpoint for endpoint, _method, _args in assessment_routes(app)}
    assert {"facilitator.detail", "facilitator.report_pdf", "facilitator.prepare",
            "facilitator.priority_vote", "facilitator.adopt_priorities",
            "facilitator.projector", "facilitator.projector_slide", "facilitator.projector_json",
            "facilitator.reveal", "facilitator.presenter",
            "facilitator.presenter_notes", "facilitator.invitations",
            "facilitator.invitations_progress", "facilitator.invite_addresses",
            "facilitator.save_mail_texts", "facilitator.mail_preview",
            "facilitator.send_invitations", "facilitator.remind"} <= endpoints


@pytest.fixture
def stranger(app, demo):
    """A logged-in facilitator who has nothing to do with the demo assessment."""
    with app.app_context():
        management.create_facilitator("vreemde@example.nl", "een-vreemd-wachtwoord")
    client = app.test_client()
    login(client, "vreemde@example.nl", "een-vreemd-wachtwoord")
    return client


def test_a_stranger_gets_404_everywhere(app, stranger):
    token = csrf_token(stranger.get("/begeleider/"))
    checked = 0
    with app.test_request_context():
        from flask import url_for

        urls = [(endpoint, method, url_for(endpoint, **arguments))
                for endpoint, method, arguments in assessment_routes(app)]
    for endpoint, method, url in urls:
        if method == "GET":
            response = stranger.get(url)
        else:
            response = stranger.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 404, (endpoint, method, url, response.status_code)
        checked += 1
    assert checked >= 10


def _urls(app: Flask, assessment_id: int) -> list[tuple[str, str, str]]:
    """(endpoint, method, URL) of every facilitator route with an assessment id."""
    from flask import url_for

    with app.test_request_context():
        return [(endpoint, method, url_for(endpoint, **{**arguments,
                                                       "assessment_id": assessment_id}))
                for endpoint, method, arguments in assessment_routes(app)]


def test_without_a_login_every_route_goes_to_the_login_page(app, demo):
    browser = app.test_client()
    token = csrf_token(browser.get("/begeleider/inloggen"))
    for endpoint, method, url in _urls(app, 1):
        response = browser.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.location.startswith("/begeleider/inloggen?next="), (endpoint, method)


def test_a_missing_scan_is_404_everywhere(app, facilitator_client):
    token = csrf_token(facilitator_client.get("/begeleider/"))
    for endpoint, method, url in _urls(app, 999):
        response = facilitator_client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 404, (endpoint, method, response.status_code)


#: What only an assessment's owner may do; a co-facilitator is told so (403), not misled (404).
OWNER_ONLY = {"facilitator.share", "facilitator.unshare", "facilitator.delete"}


def test_a_co_facilitator_may_not_share_or_delete(app, demo):
    with app.app_context():
        management.create_facilitator("collega@example.nl", "collega-wachtwoord")
        management.share(1, "collega@example.nl", None)
    colleague = app.test_client()
    login(colleague, "collega@example.nl", "collega-wachtwoord")
    token = csrf_token(colleague.get("/begeleider/"))
    checked = set()
    for endpoint, method, url in _urls(app, 1):
        if endpoint in OWNER_ONLY:
            response = colleague.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 403, (endpoint, method, response.status_code)
            checked.add(endpoint)
    assert checked == OWNER_ONLY


def programme_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, URL) of every programme route with a programme id (programme 1)."""
    from flask import url_for

    with app.test_request_context():
        return [(rule.endpoint, method, url_for(rule.endpoint, programme_id=1))
                for rule in app.url_map.iter_rules()
                if rule.endpoint.startswith("programme.") and "programme_id" in rule.arguments
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]


@pytest.fixture
def programme_owner(app, demo):
    """A logged-in programme owner of a programme (id 1) in which the demo scan takes part."""
    from assessment import programmes, questionnaire_files

    with app.app_context():
        questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
        programme_id = programmes.create_programme("Programma", questionnaire)
        management.create_facilitator("eigenaar@example.nl", "eigenaar-wachtwoord")
        programmes.add_owner(programme_id, "eigenaar@example.nl")
        programmes.take_part(1, programme_id, True, None)
    client = app.test_client()
    login(client, "eigenaar@example.nl", "eigenaar-wachtwoord")
    return client


def test_a_programme_owner_sees_the_landscape_but_no_scan_of_it(app, programme_owner):
    assert {endpoint for endpoint, _m, _u in programme_routes(app)} >= {
        "programme.landscape", "programme.landscape_download", "programme.landscape_pdf"}
    assert programme_owner.get("/programma/1").status_code == 200
    assert programme_owner.get("/programma/1/landschap.csv").status_code == 200
    token = csrf_token(programme_owner.get("/begeleider/"))
    for endpoint, method, url in _urls(app, 1):
        response = programme_owner.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 404, (endpoint, method, response.status_code)


def test_only_its_owners_see_a_programme(app, programme_owner, stranger, facilitator_client):
    token = csrf_token(stranger.get("/begeleider/"))
    for browser in (stranger, facilitator_client):
        for endpoint, method, url in programme_routes(app):
            response = browser.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 404, (endpoint, method, response.status_code)
    anonymous = app.test_client()
    for endpoint, _method, url in programme_routes(app):
        response = anonymous.get(url)
        assert response.status_code == 302, endpoint
        assert response.location.startswith("/begeleider/inloggen?next="), endpoint
    # A programme that does not exist looks the same as one of someone else.
    assert programme_owner.get("/programma/999").status_code == 404
