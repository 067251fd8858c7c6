"""The minimal facilitator side: log in, list, create, open and close, join link and QR."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from assessment import management
from assessment.db import read_session
from assessment.models import Assessment, Status
from tests.helpers import DEMO_JOIN_CODE, TRYOUT_ID, TRYOUT_JOIN_CODE, csrf_token, login


def test_login_page_and_wrong_password(client, demo):
    assert client.get("/begeleider/inloggen").status_code == 200
    response = login(client, "demo@regiospiegel.nl", "wrong-password")
    assert response.status_code == 401
    assert "horen niet bij elkaar" in response.get_data(as_text=True)
    assert client.get("/begeleider/").status_code == 302


def test_pages_need_login(client, demo):
    response = client.get("/begeleider/scans/1")
    assert response.status_code == 302
    assert "/begeleider/inloggen" in response.location


def _login_from(client, address: str, email: str, password: str):
    """Log in through the form from the client address ``address``."""
    page = client.get("/begeleider/inloggen", environ_base={"REMOTE_ADDR": address})
    return client.post("/begeleider/inloggen", environ_base={"REMOTE_ADDR": address}, data={
        "csrf_token": csrf_token(page), "email": email, "password": password})


def test_successful_logins_do_not_count_towards_the_limit(app, client, demo):
    """A facilitator who logs in often (new browsers, a projector) is never locked out."""
    for _attempt in range(15):
        response = _login_from(client, "10.0.0.1", "demo@regiospiegel.nl", "demo-regiospiegel")
        assert response.status_code == 302
    assert client.get("/begeleider/").status_code == 200


def test_failed_logins_are_limited_per_account_and_per_client(app, demo):
    """Ten failures lock the account from anywhere, and the client for any account."""
    with app.app_context():
        management.create_facilitator("collega@example.nl", "collega-wachtwoord-1")
    guesser, colleague, owner = app.test_client(), app.test_client(), app.test_client()
    statuses = [_login_from(guesser, "10.0.0.1", "Demo@Regiospiegel.nl ", f"fout-{n}")
                .status_code for n in range(10)]
    assert statuses == [401] * 10
    # The account: refused from another address too, even with the right password.
    refused = _login_from(owner, "10.0.0.2", "demo@regiospiegel.nl", "demo-regiospiegel")
    assert refused.status_code == 429
    assert "Even wachten" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    # The client: refused for another account as well.
    assert _login_from(guesser, "10.0.0.1", "collega@example.nl",
                       "collega-wachtwoord-1").status_code == 429
    # Another account from another address is not affected.
    assert _login_from(colleague, "10.0.0.3", "collega@example.nl",
                       "collega-wachtwoord-1").status_code == 302


def test_login_is_rate_limited(app_config, request):
    app_config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = request.getfixturevalue("client")
    request.getfixturevalue("demo")
    responses = [login(client, "demo@regiospiegel.nl", "nope-nope-nope") for _ in range(4)]
    assert [r.status_code for r in responses] == [401, 401, 401, 429]
    assert "Even wachten" in responses[-1].get_data(as_text=True)
    # Even the right password waits until the limit has passed.
    assert login(client, "demo@regiospiegel.nl", "demo-regiospiegel").status_code == 429


def test_login_redirects_only_inside_the_site(client, demo):
    page = client.get("/begeleider/inloggen")
    data = {"csrf_token": csrf_token(page), "email": "demo@regiospiegel.nl",
            "password": "demo-regiospiegel"}
    response = client.post("/begeleider/inloggen?next=//evil.example/x", data=data)
    assert response.location == "/begeleider/"


def test_index_lists_own_assessments_with_counts(facilitator_client):
    html = facilitator_client.get("/begeleider/").get_data(as_text=True)
    assert "Regio Zwolle – casus Dalfsen" in html and "Proefscan – probeer het zelf" in html
    assert DEMO_JOIN_CODE in html and TRYOUT_JOIN_CODE in html
    assert ">28<" in html


def test_create_assessment_validates_and_freezes_content(app, facilitator_client):
    page = facilitator_client.get("/begeleider/scans/nieuw")
    token = csrf_token(page)
    response = facilitator_client.post("/begeleider/scans/nieuw", data={
        "csrf_token": token, "region": "", "title": "x", "questionnaire": "tien-lessen:nl"})
    assert response.status_code == 400
    assert "Vul de regio in." in response.get_data(as_text=True)
    response = facilitator_client.post("/begeleider/scans/nieuw", data={
        "csrf_token": token, "region": "Cleantech Regio", "title": "Voorjaar 2027",
        "questionnaire": "tien-lessen:nl"})
    assert response.status_code == 302
    with app.app_context():
        created = read_session().scalar(select(Assessment).where(
            Assessment.region == "Cleantech Regio"))
        assert created is not None
        assert created.status == Status.DRAFT
        assert created.questionnaire_id == "tien-lessen"
        assert len(created.content_hash) == 64
        assert '"urgentie-1"' in created.content_snapshot
    detail = facilitator_client.get(response.location).get_data(as_text=True)
    assert created.join_code in detail
    assert f"http://regiospiegel.test/d/{created.join_code}" in detail


@pytest.mark.parametrize(("interface", "preselected", "label", "shown"), [
    ("nl", "tien-lessen:nl", "Nederlands — Regiospiegel: tien lessen", "Taal: Nederlands"),
    ("en", "tien-lessen:en", "English — Regiospiegel: ten lessons", "Language: English"),
])
def test_a_new_scan_starts_in_the_interface_language(
        facilitator_client, interface, preselected, label, shown):
    with facilitator_client.session_transaction() as session:
        session["language"] = interface
    page = facilitator_client.get("/begeleider/scans/nieuw")
    selected = re.search(r'<option selected value="([^"]+)">([^<]+)', page.get_data(as_text=True))
    assert selected is not None
    assert selected[1] == preselected and selected[2].startswith(label)
    response = facilitator_client.post("/begeleider/scans/nieuw", data={
        "csrf_token": csrf_token(page), "region": "Regio", "title": "Zonder taalkeuze",
        "questionnaire": selected[1]})
    assert response.status_code == 302
    assert f'<p class="scan-language">{shown}</p>' in facilitator_client.get(
        response.location).get_data(as_text=True)


@pytest.mark.parametrize(("interface", "title", "decimal"), [
    ("nl", "Scores per les, van hoog naar laag", r"\d,\d"),
    ("en", "Scores per lesson, highest first", r"\d\.\d"),
])
def test_the_scan_pages_chart_speaks_the_interface_language(
        facilitator_client, interface, title, decimal):
    with facilitator_client.session_transaction() as session:
        session["language"] = interface
    html = facilitator_client.get("/begeleider/scans/1").get_data(as_text=True)  # Dutch scan
    chart = re.search(r'<figure class="chart">.*?</figure>', html, re.DOTALL)
    assert chart is not None
    assert f">{title}</title>" in chart[0]
    description = re.search(r"<desc[^>]*>([^<]*)</desc>", chart[0])
    assert description is not None and re.search(decimal, description[1])


def test_unknown_questionnaire_choice_is_refused(facilitator_client):
    token = csrf_token(facilitator_client.get("/begeleider/scans/nieuw"))
    response = facilitator_client.post("/begeleider/scans/nieuw", data={
        "csrf_token": token, "region": "R", "title": "T", "questionnaire": "../../etc:nl"})
    assert response.status_code == 400


def test_open_and_close(app, facilitator_client):
    with app.app_context():
        assessment = read_session().scalar(select(Assessment).where(
            Assessment.join_code == TRYOUT_JOIN_CODE))
        assert assessment is not None
        assessment_id = assessment.id
    detail = facilitator_client.get(f"/begeleider/scans/{assessment_id}")
    token = csrf_token(detail)
    response = facilitator_client.post(f"/begeleider/scans/{assessment_id}/status",
                                       data={"csrf_token": token, "status": "closed"})
    assert response.status_code == 302
    assert "Deze scan is gesloten" in facilitator_client.get(
        f"/d/{TRYOUT_JOIN_CODE}").get_data(as_text=True)
    facilitator_client.post(f"/begeleider/scans/{assessment_id}/status",
                            data={"csrf_token": token, "status": "open"})
    assert "Beginnen" in facilitator_client.get(f"/d/{TRYOUT_JOIN_CODE}").get_data(as_text=True)


@pytest.mark.parametrize("data", [{"status": "closed"},
                                  {"csrf_token": "stale", "status": "closed"}])
def test_status_change_needs_a_valid_form_token(app, facilitator_client, data):
    response = facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/status", data=data)
    assert response.status_code == 400
    with app.app_context():
        assert read_session().get(Assessment, TRYOUT_ID).status == Status.OPEN


def test_status_change_rejects_unknown_status(facilitator_client):
    token = csrf_token(facilitator_client.get("/begeleider/scans/1"))
    response = facilitator_client.post("/begeleider/scans/1/status",
                                       data={"csrf_token": token, "status": "deleted"})
    assert response.status_code == 400


def test_qr_code_is_svg_of_the_join_link(facilitator_client):
    response = facilitator_client.get("/begeleider/scans/1/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_other_facilitators_assessment_is_forbidden(app, client, demo):
    with app.app_context():
        management.create_facilitator("ander@example.nl", "een-ander-wachtwoord")
    login(client, "ander@example.nl", "een-ander-wachtwoord")
    assert client.get("/begeleider/scans/1").status_code == 404
    assert client.get("/begeleider/scans/1/qr.svg").status_code == 404
    token = csrf_token(client.get("/begeleider/"))
    assert client.post("/begeleider/scans/1/status",
                       data={"csrf_token": token, "status": "closed"}).status_code == 404
    assert DEMO_JOIN_CODE not in client.get("/begeleider/").get_data(as_text=True)
    assert client.get("/begeleider/scans/999").status_code == 404


def test_logout(facilitator_client):
    token = csrf_token(facilitator_client.get("/begeleider/"))
    assert facilitator_client.post("/begeleider/uitloggen",
                                   data={"csrf_token": token}).status_code == 302
    assert facilitator_client.get("/begeleider/").status_code == 302


#: The pages of a scan's workspace that open with a menu: (page, heading, menu, its links).
WORKSPACE_MENUS = [
    ("live", "Live-overzicht", "De bijeenkomst",
     [("projector", "Projectorweergave"), ("presentator", "Presentatorweergave"),
      ("agenda", "Gespreksagenda")]),
    ("agenda", "Gespreksagenda", "De bijeenkomst",
     [("live", "Live-overzicht"), ("projector", "Projectorweergave"),
      ("presentator", "Presentatorweergave")]),
    ("bespreking", "Notities en conclusies", "Bespreken en besluiten",
     [("agenda", "Gespreksagenda"), ("acties", "Acties"),
      ("toelichtingen", "Toelichtingen beoordelen")]),
    ("acties", "Acties", "Bespreken en besluiten",
     [("bespreking", "Notities en conclusies"), ("toelichtingen", "Toelichtingen beoordelen")]),
    ("toelichtingen", "Toelichtingen beoordelen", "Bespreken en besluiten",
     [("bespreking", "Notities en conclusies"), ("acties", "Acties")]),
    ("rapportteksten", "Rapportteksten", "Het rapport",
     [("rapport", "Rapport bekijken"), ("rapport.pdf", "Download rapport (PDF)")]),
]


@pytest.mark.parametrize(("page", "heading", "menu", "links"), WORKSPACE_MENUS)
def test_a_workspace_page_opens_with_its_scan_heading_and_menu(
        facilitator_client, page, heading, menu, links):
    scan = f"/begeleider/scans/{TRYOUT_ID}"
    html = facilitator_client.get(f"{scan}/{page}").get_data(as_text=True)
    head = re.search(r'<p class="eyebrow">(.*?)</p>\s*<h1>(.*?)</h1>\s*'
                     r'<nav class="workspace-nav" aria-label="([^"]+)">\s*<ul>(.*?)</ul>\s*</nav>',
                     html, re.S)
    assert head, "the page opens with the scan, its heading and its menu"
    eyebrow, shown_heading, label, items = head.groups()
    assert eyebrow == f'Regio Zwolle · <a href="{scan}">Proefscan – probeer het zelf</a>'
    assert (shown_heading, label) == (heading, menu)
    expected = [(f"{scan}/{path}", text) for path, text in links] + [(scan, "Terug naar de scan")]
    assert re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', items) == expected
    assert len(re.findall(r"<li>", items)) == len(expected)
