"""The session cookie is re-sent when the session changed, and an unchanged one once a minute.

A participant's session is permanent: it lasts PERMANENT_SESSION_LIFETIME after the last
request, to within :data:`assessment.sessions.REFRESH_AFTER`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

from assessment.sessions import REFRESH_AFTER, SessionInterface
from tests.helpers import Participant, csrf_token


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment


def _set_cookie(response) -> str:
    name = "session="
    return next((value for value in response.headers.getlist("Set-Cookie")
                 if value.startswith(name)), "")


def test_an_unchanged_session_is_not_re_sent_on_every_page(participant: Participant):
    for page_id in ("intro", "profiel", "urgentie"):
        page = participant.client.get(participant.url(page_id))
        assert page.status_code == 200
        assert _set_cookie(page) == ""
    saved = participant.post_page("urgentie", {"a_urgentie-1": "4"})
    assert saved.status_code == 302
    assert _set_cookie(saved) == ""


def test_a_changed_session_is_sent_at_once(participant: Participant):
    page = participant.client.get(participant.url("profiel"))
    switched = participant.client.post("/taal", data={
        "csrf_token": csrf_token(page), "language": "en", "next": participant.url("profiel")})
    assert switched.status_code == 302
    assert _set_cookie(switched).startswith("session=")


def test_an_unchanged_session_is_re_sent_once_its_cookie_is_a_minute_old(
        app: Flask, participant: Participant):
    clock = Clock()
    app.session_interface = SessionInterface(now=clock)
    assert _set_cookie(participant.client.get(participant.url("intro"))) == ""

    clock.moment += REFRESH_AFTER + timedelta(seconds=1)
    refreshed = participant.client.get(participant.url("intro"))
    cookie = _set_cookie(refreshed)
    assert cookie.startswith("session=")
    # Twelve hours from now, as Flask sets it.
    expires = datetime.strptime(cookie.split("Expires=")[1].split(";")[0],
                                "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    lifetime = app.permanent_session_lifetime
    assert abs(expires - (datetime.now(UTC) + lifetime)) < timedelta(seconds=5)

    # The re-sent cookie was signed now: the next request within the minute sends none.
    clock.moment = datetime.now(UTC)
    assert _set_cookie(participant.client.get(participant.url("intro"))) == ""


def test_the_session_still_carries_the_respondent_and_its_form_tokens(
        app: Flask, participant: Participant):
    # After pages that sent no cookie, saving and sending in work as before.
    for page_id in ("intro", "profiel"):
        participant.client.get(participant.url(page_id))
    assert participant.post_page("urgentie", {"a_urgentie-1": "4"}).status_code == 302
    sent = participant.submit()
    assert sent.status_code == 302
    assert sent.location.endswith("/bedankt")
    # Sending in changed the session (it forgets the respondent): sent at once.
    assert _set_cookie(sent).startswith("session=")
