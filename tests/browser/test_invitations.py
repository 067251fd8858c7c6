"""Invitations by e-mail in Chromium: invite 60 addresses, follow the sending, remind.

The live server sends to a real SMTP server on loopback (tests/mail_server.py); two people
answer through their mailed links, and the reminder goes to the other 58 only. axe checks
the invitations page with its line report, the preview, and the page with its table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from assessment import management
from assessment.models import Status
from tests.browser.audit import Findings, horizontal_overflow
from tests.browser.conftest import DESKTOP, ContextFactory, Demo, LiveServer, new_assessment
from tests.mail_server import MailServer
from tests.mail_steps import answer_lesson, begin, send_in

pytestmark = pytest.mark.browser

#: Sending 60 e-mails and the page's polls: well within this.
SENDING_MS = 60_000


@pytest.fixture
def mailing_server(live_server: LiveServer, mail_server: MailServer) -> Iterator[MailServer]:
    """The live server sending to the loopback SMTP server for this test only."""
    settings = {**mail_server.settings, "MAIL_RATE_PER_MINUTE": 600_000,
                "MAIL_RETRY_SECONDS": 0}
    before = {key: live_server.app.config.get(key) for key in settings}
    live_server.app.config.update(settings)
    yield mail_server
    live_server.app.extensions["regiospiegel.mail"].wait(timeout=60)
    live_server.app.config.update(before)


def _path(base_url: str, message_text: str) -> str:
    found = re.search(re.escape(base_url) + r"(/r/[A-Za-z0-9_-]+)", message_text)
    assert found, "no personal link in the message"
    return found.group(1)


def test_a_facilitator_invites_sixty_and_reminds_who_has_not_sent_in(
    new_context: ContextFactory, facilitator_state: str, live_server: LiveServer,
    demo_ids: Demo, mailing_server: MailServer,
) -> None:
    assessment_id, _code = new_assessment(live_server, demo_ids.facilitator_id,
                                          "Uitnodigen per e-mail")
    with live_server.app.app_context():
        management.set_status(assessment_id, Status.OPEN)
    addresses = [f"lid{number:02d}@gemeente{number % 12}.nl" for number in range(1, 61)]
    findings = Findings()
    page = new_context(DESKTOP, storage_state=facilitator_state).new_page()
    page.goto(f"/begeleider/scans/{assessment_id}/voorbereiden")
    page.get_by_role("link", name="Uitnodigen per e-mail, met herinneringen").click()
    expect(page.get_by_role("heading", name="Uitnodigen per e-mail")).to_be_visible()
    findings.check(page, "invitations, empty")

    page.get_by_label("E-mailadressen").fill(
        "\n".join([*addresses, "geen adres", addresses[0]]))
    page.get_by_label("Taal van de e-mail").select_option("nl")
    page.get_by_role("button", name="Adressen toevoegen").click()
    report = page.locator("#niet-toegevoegd")
    expect(report).to_contain_text("2 regels zijn niet toegevoegd")
    expect(report).to_contain_text("Regel 61")
    expect(report).to_contain_text("Geen geldig e-mailadres.")
    expect(report).to_contain_text("Regel 62")
    expect(report).to_contain_text("Staat al eerder in deze lijst.")
    expect(page.get_by_role("status")).to_contain_text("60 adressen toegevoegd")
    findings.check(page, "invitations, lines not added")

    page.get_by_role("link", name="Voorbeeld bekijken").click()
    expect(page.get_by_role("heading", name="Voorbeeld van de e-mail")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Uitnodiging: Uitnodigen per e-mail")
    findings.check(page, "invitation preview")

    page.goto(f"/begeleider/scans/{assessment_id}/uitnodigingen")
    page.get_by_role("button", name="60 e-mails versturen").click()
    # The page follows the sending by itself, and loads again when it is done.
    expect(page.locator('[data-total="sent"]')).to_have_text("60", timeout=SENDING_MS)
    mailing_server.wait_for(lambda received: len(received) == 60)
    expect(page.get_by_role("button", name="Herinnering sturen aan 60 personen")).to_be_visible(
        timeout=SENDING_MS)

    # Two people answer and send in through the links in their e-mail.
    client = live_server.app.test_client()
    for address in addresses[:2]:
        link = _path(live_server.base_url, mailing_server.to(address)[0].part("plain"))
        own = begin(client, link)
        answer_lesson(client, own)
        send_in(client, own)

    page.reload()
    expect(page.locator('[data-total="sent_in"]')).to_have_text("2")
    expect(page.locator(f'tr:has-text("{addresses[0]}")')).to_contain_text("verzonden")
    expect(page.locator(f'tr:has-text("{addresses[2]}")')).not_to_contain_text("verzonden")
    findings.check(page, "invitations, sent")
    page.get_by_role("button", name="Herinnering sturen aan 58 personen").click()
    expect(page.get_by_role("status")).to_contain_text("Een herinnering gaat naar 58 personen")
    expect(page.locator('[data-total="reminders"]')).to_have_text("58", timeout=SENDING_MS)
    mailing_server.wait_for(lambda received: len(received) == 118)
    assert [len(mailing_server.to(address)) for address in addresses[:3]] == [1, 1, 2]
    reminder = mailing_server.to(addresses[2])[1]
    assert reminder.message["Subject"] == "Herinnering: Uitnodigen per e-mail"
    # On a 360 px phone the page reflows; the table scrolls inside its own region.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert horizontal_overflow(page) == 0
    findings.assert_clean()
