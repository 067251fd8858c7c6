"""Steps for the invitation e-mail tests: the app set to send to the loopback SMTP server
(the ``mail_server`` fixture, tests/conftest.py), a link read from a message, and a
participant who follows a mailed link."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.helpers import csrf_token
from tests.mail_server import MailServer, Received

BASE = "http://regiospiegel.test"
_LINK = re.compile(re.escape(BASE) + r"(/r/[A-Za-z0-9_-]+)")
_START_KEY = re.compile(r'name="start_key" type="hidden" value="([^"]+)"')


def mail_settings(server: MailServer) -> dict[str, object]:
    """App settings that send to ``server`` without waiting between messages."""
    return {**server.settings, "MAIL_RATE_PER_MINUTE": 600_000, "MAIL_RETRY_SECONDS": 0}


def link_in(received: Received) -> str:
    """The personal link's path in a received message's plain text."""
    found = _LINK.search(received.part("plain"))
    assert found, "no personal link in the message"
    return found.group(1)


def begin(client: FlaskClient, link: str) -> str:
    """Open a mailed link and press "Beginnen"; the participant's own link (a path)."""
    landing = client.get(link)
    assert landing.status_code == 200, landing.status_code
    key = _START_KEY.search(landing.get_data(as_text=True))
    assert key, "no Beginnen on the mailed link's page"
    began = client.post(link, data={"csrf_token": csrf_token(landing),
                                    "start_key": key.group(1)})
    assert began.status_code == 302, began.status_code
    own = began.location
    assert own.startswith("/r/") and own != link
    return own


def answer_lesson(client: FlaskClient, link: str, lesson: str = "urgentie",
                  value: str = "2", comment: str = "") -> None:
    """Answer every statement of a lesson page (and its comment), with "Volgende"."""
    page = client.get(f"{link}/{lesson}")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    fields = sorted(set(re.findall(r'name="(a_[^"]+)"', html)))
    assert fields
    data = {"csrf_token": csrf_token(page), "action": "volgende",
            **dict.fromkeys(fields, value)}
    if comment:
        comment_field = re.search(r'<textarea[^>]*name="([^"]+)"', html)
        assert comment_field
        data[comment_field.group(1)] = comment
    assert client.post(f"{link}/{lesson}", data=data).status_code == 302


def send_in(client: FlaskClient, link: str) -> None:
    """Press "Antwoorden verzenden" on the review page."""
    review = client.get(f"{link}/overzicht")
    assert review.status_code == 200, review.status_code
    sent = client.post(f"{link}/verzenden", data={"csrf_token": csrf_token(review)})
    assert sent.status_code == 302
