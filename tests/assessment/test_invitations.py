"""Personal links made in advance are invitations: the facilitator's file opens no answers.

The facilitator downloads the links and knows whom each went to. Whoever opens one and
presses "Beginnen" gets a token of their own; from then on the link in the file shows only
that it was used, so nobody holding the file can read, or change, what that person answered.
"""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from flask.testing import FlaskClient

from assessment import management, participation
from assessment.models import Status
from tests.helpers import TRYOUT_ID, csrf_token

LESSON = "urgentie"
_START_KEY = re.compile(r'name="start_key" type="hidden" value="([^"]+)"')


def _links(facilitator_client: FlaskClient, count: int = 2) -> list[str]:
    page = facilitator_client.get(f"/begeleider/scans/{TRYOUT_ID}/voorbereiden")
    response = facilitator_client.post(f"/begeleider/scans/{TRYOUT_ID}/persoonlijke-links",
                                       data={"csrf_token": csrf_token(page), "count": count})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    return [row[1].removeprefix("http://regiospiegel.test") for row in rows[1:]]


def _begin(client: FlaskClient, link: str) -> tuple[str, dict[str, str]]:
    """Open the invitation and read its "Beginnen" form: (CSRF token, start key)."""
    landing = client.get(link)
    assert landing.status_code == 200
    html = landing.get_data(as_text=True)
    assert "Deze uitnodiging is voor één persoon" in html
    key = _START_KEY.search(html)
    assert key
    return link, {"csrf_token": csrf_token(landing), "start_key": key.group(1)}


def _answer_and_send_in(client: FlaskClient, own: str) -> None:
    page = client.get(f"{own}/{LESSON}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    fields = sorted(set(re.findall(r'name="(a_[^"]+)"', html)))
    assert fields
    posted = client.post(f"{own}/{LESSON}", data={
        "csrf_token": csrf_token(page), "action": "volgende", **dict.fromkeys(fields, "2")})
    assert posted.status_code == 302
    review = client.get(f"{own}/overzicht")
    sent = client.post(f"{own}/verzenden", data={"csrf_token": csrf_token(review)})
    assert sent.status_code == 302


def test_beginnen_gives_the_participant_a_link_of_their_own(
    app: Flask, facilitator_client: FlaskClient
) -> None:
    """Before: the file's link opened the pages and answers; now it is used up once begun."""
    with app.app_context():
        management.set_status(TRYOUT_ID, Status.OPEN)
    link = _links(facilitator_client)[0]
    participant = app.test_client()
    link, form = _begin(participant, link)
    begun = participant.post(link, data=form)
    assert begun.status_code == 302
    own = begun.location
    assert own.startswith("/r/") and own != link
    _answer_and_send_in(participant, own)
    with app.app_context():
        respondent = participation.find_respondent(own.removeprefix("/r/"))
        assert respondent is not None and respondent.submitted

    # Whoever holds the facilitator's file (here: another browser) finds nothing to read.
    holder = app.test_client()
    for path in (link, f"{link}/{LESSON}", f"{link}/samenvatting", f"{link}/bedankt",
                 f"{link}/overzicht", f"{link}/stemmen"):
        response = holder.get(path)
        assert response.status_code == 410, (path, response.status_code)
        assert "Deze uitnodiging is al gebruikt" in response.get_data(as_text=True)
    # Nor can they begin again with it, with a key of their own.
    retry = holder.post(link, data={"csrf_token": csrf_token(holder.get("/")),
                                    "start_key": "k" * 43})
    assert retry.status_code == 302 and retry.location == link
    assert holder.get(link).status_code == 410
    # The participant's own link still works, for them.
    assert participant.get(f"{own}/samenvatting").status_code == 200


def test_a_double_click_on_beginnen_lands_on_the_same_own_link(
    app: Flask, facilitator_client: FlaskClient
) -> None:
    with app.app_context():
        management.set_status(TRYOUT_ID, Status.OPEN)
    link = _links(facilitator_client)[0]
    participant = app.test_client()
    link, form = _begin(participant, link)
    first = participant.post(link, data=form)
    second = participant.post(link, data=form)
    assert first.status_code == second.status_code == 302
    assert second.location == first.location != link
    assert participant.get(first.location).status_code == 302  # on to the intro page


def test_opening_the_link_alone_uses_nothing_up(
    app: Flask, facilitator_client: FlaskClient
) -> None:
    """A mail scanner or link preview opens links; only "Beginnen" (a POST) accepts one."""
    with app.app_context():
        management.set_status(TRYOUT_ID, Status.OPEN)
    link = _links(facilitator_client)[0]
    scanner = app.test_client()
    for _ in range(3):
        assert scanner.get(link).status_code == 200
    # Any page of the path leads back to the welcome page, not into the questions.
    response = scanner.get(f"{link}/{LESSON}")
    assert response.status_code == 302 and response.location == link
    participant = app.test_client()
    link, form = _begin(participant, link)
    assert participant.post(link, data=form).status_code == 302


def test_an_invitation_to_a_scan_that_is_not_open_says_so(
    app: Flask, facilitator_client: FlaskClient
) -> None:
    link = _links(facilitator_client)[0]  # the try-out scan is open; close it
    with app.app_context():
        management.set_status(TRYOUT_ID, Status.CLOSED)
    participant = app.test_client()
    landing = participant.get(link)
    assert landing.status_code == 200
    assert "Deze scan is gesloten." in landing.get_data(as_text=True)
