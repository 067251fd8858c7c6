"""A new scan starts in the facilitator's own language, and the scan page says which it is."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _language_of(live_server: LiveServer, title: str) -> str:
    from sqlalchemy import select

    from assessment.db import read_session
    from assessment.models import Assessment

    with live_server.app.app_context():
        language = read_session().scalar(select(Assessment.language)
                                         .where(Assessment.title == title))
    assert language is not None
    return str(language)


def test_a_dutch_facilitator_creates_a_dutch_scan_without_choosing(
    facilitator: Any, live_server: LiveServer
) -> None:
    """Nieuwe scan preselects the Dutch questionnaire; the scan page says "Taal: Nederlands"."""
    page = facilitator
    page.goto("/begeleider/")
    page.get_by_role("link", name="Nieuwe scan").click()
    choice = page.get_by_label("Vragenlijst en taal")
    expect(choice).to_have_value("tien-lessen:nl")
    expect(choice.locator("option:checked")).to_contain_text("Nederlands")
    expect(choice.locator("option", has_text="English")).to_have_count(1)
    page.get_by_label("Regio", exact=True).fill("Regio Achterhoek")
    page.get_by_label("Titel").fill("Voorjaarsscan zonder taalkeuze")
    page.get_by_role("button", name="Scan aanmaken").click()

    expect(page).to_have_url(re.compile(r"/begeleider/scans/\d+$"))
    expect(page.get_by_text("Taal: Nederlands", exact=True)).to_be_visible()
    assert _language_of(live_server, "Voorjaarsscan zonder taalkeuze") == "nl"


def test_an_english_interface_preselects_the_english_questionnaire(
    facilitator: Any, live_server: LiveServer
) -> None:
    """After switching the interface to English, a new scan defaults to English."""
    page = facilitator
    page.goto("/begeleider/scans/nieuw")
    page.get_by_role("button", name="English").click()
    choice = page.get_by_label("Questionnaire and language")
    expect(choice).to_have_value("tien-lessen:en")
    expect(choice.locator("option:checked")).to_contain_text("English")
    page.get_by_label("Region", exact=True).fill("Region Twente")
    page.get_by_label("Title").fill("Spring scan in English")
    page.get_by_role("button", name="Create scan").click()
    expect(page.get_by_text("Language: English", exact=True)).to_be_visible()
    assert _language_of(live_server, "Spring scan in English") == "en"
