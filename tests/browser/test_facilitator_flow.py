"""The facilitator's session in Chromium: create, open, watch it live, reveal, close, report."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.audit import horizontal_overflow
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    ContextFactory,
    LiveServer,
    log_in,
    screenshot,
)
from tests.browser.steps import choose_all, next_page, start_questions
from tests.helpers import pdf_pages

pytestmark = pytest.mark.browser

#: The live dashboard polls every few seconds; a change must show within a few polls.
LIVE_WAIT_MS = 30_000


def test_facilitator_runs_a_session_from_creation_to_report(
    new_context: ContextFactory, live_server: LiveServer
) -> None:
    """Create and open a scan, see answers arrive live, reveal results, close, get the PDF."""
    page = new_context(DESKTOP, accept_downloads=True).new_page()
    log_in(page)
    screenshot(page, "facilitator-index-desktop")
    page.get_by_role("link", name="Nieuwe scan").click()
    page.get_by_label("Regio", exact=True).fill("Regio Testland")
    page.get_by_label("Titel").fill("Browsertest sessie")
    page.get_by_label("Vragenlijst en taal").select_option("tien-lessen:nl")
    page.get_by_label("Aantal uitgenodigde deelnemers").fill("12")
    screenshot(page, "facilitator-create-desktop")
    page.get_by_role("button", name="Scan aanmaken").click()
    expect(page).to_have_url(re.compile(r"/begeleider/scans/\d+$"))
    assessment_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("status")).to_contain_text("De scan is aangemaakt")

    page.get_by_role("link", name="Voorbereiden en uitnodigen").click()
    page.get_by_label("Deelnemende organisaties").fill("Gemeente Testdorp\nWaterschap Testwater")
    page.get_by_role("button", name="Opslaan").click()
    page.goto(f"/begeleider/scans/{assessment_id}")
    page.get_by_role("button", name="Scan openen").click()
    expect(page.get_by_role("status")).to_contain_text("De scan is geopend")
    join_url = page.locator(".join a").first.get_attribute("href")
    assert join_url == f"{live_server.base_url}/d/{page.locator('.join-code').inner_text()}"
    screenshot(page, "facilitator-detail-desktop")

    page.get_by_role("link", name="Live-overzicht").first.click()
    page.wait_for_url(re.compile(r"/live$"))
    started = page.locator("[data-live=started]")
    submitted = page.locator("[data-live=submitted]")
    expect(started).to_have_text("0")
    # A mark on the window survives only if the numbers change without a reload.
    page.evaluate("window.stillTheSamePage = true")

    participant = new_context(PHONE).new_page()
    participant.goto(join_url)
    participant.get_by_role("button", name="Beginnen").click()
    start_questions(participant)
    # Started counts from the first saved page (an empty "Beginnen" is no participant).
    expect(started).to_have_text("0")
    choose_all(participant, option=3)
    next_page(participant)
    expect(started).to_have_text("1", timeout=LIVE_WAIT_MS)
    while not participant.url.endswith("/overzicht"):
        choose_all(participant, option=3)
        next_page(participant)
    participant.get_by_role("button", name="Antwoorden verzenden").click()
    expect(submitted).to_have_text("1", timeout=LIVE_WAIT_MS)
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator("[data-live=updated]")).to_contain_text("Laatst bijgewerkt om")

    # Three sent in: while answering is open the latest three wait, and the page says why.
    _send_in_more(live_server, assessment_id, ("2", "4"))
    expect(submitted).to_have_text("3", timeout=LIVE_WAIT_MS)
    counting = page.locator("[data-live=counting_text]")
    expect(counting).to_contain_text("De uitkomsten tellen nu 0 van de 3 verzonden antwoorden",
                                     timeout=LIVE_WAIT_MS)
    expect(page.locator('[data-live-show="results"]')).to_be_hidden()
    # Six sent in: the first three count, without a reload.
    _send_in_more(live_server, assessment_id, ("5", "1", "3"))
    expect(submitted).to_have_text("6", timeout=LIVE_WAIT_MS)
    expect(counting).to_contain_text("tellen nu 3 van de 6", timeout=LIVE_WAIT_MS)
    expect(page.locator("[data-lesson] [data-field=score]").first).not_to_be_empty(
        timeout=LIVE_WAIT_MS)
    screenshot(page, "facilitator-live-desktop")

    page.get_by_role("link", name="Projectorweergave").click()
    # The keys work once projector.js ran (a deferred script: by the load event); the code
    # may show before that, and a key pressed earlier is lost.
    page.wait_for_url(re.compile(r"/projector$"))
    expect(page.locator(".join-code")).to_be_visible()
    screenshot(page, "facilitator-projector-join-desktop")
    page.keyboard.press("ArrowRight")  # a presenter's clicker, handled by projector.js
    expect(page.locator("[data-kind=overview]")).to_be_visible(timeout=LIVE_WAIT_MS)
    page.keyboard.press("ArrowRight")
    expect(page.locator(".slide-kicker")).to_have_text("Les 1 van 10", timeout=LIVE_WAIT_MS)
    expect(page.locator(".score strong")).not_to_be_empty()
    screenshot(page, "facilitator-projector-lesson-desktop")
    page.goto(f"/begeleider/scans/{assessment_id}/presentator")
    page.get_by_role("button", name="Begin").click()
    page.goto(f"/begeleider/scans/{assessment_id}/projector")
    expect(page.locator(".join-code")).to_be_visible()

    _phone_screenshots(new_context, page, assessment_id)
    page.goto(f"/begeleider/scans/{assessment_id}/live")
    page.get_by_role("button", name="Sluiten").click()
    expect(page.locator("[data-live=status_label]")).to_have_text("Gesloten")

    page.goto(f"/begeleider/scans/{assessment_id}")
    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_role("link", name="Download rapport (PDF)").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    body = download.path().read_bytes()
    assert body.startswith(b"%PDF")
    pages = pdf_pages(body)
    assert len(pages) > 1
    text = "".join(pages[:3])
    assert "Browsertest sessie" in text


def _phone_screenshots(new_context: ContextFactory, page: Any, assessment_id: int) -> None:
    """The facilitator's main pages on a phone, with the same login as ``page``."""
    phone = new_context(PHONE, storage_state=page.context.storage_state()).new_page()
    for name, path in (("index", "/begeleider/"), ("detail", f"/begeleider/scans/{assessment_id}"),
                       ("live", f"/begeleider/scans/{assessment_id}/live"),
                       ("projector", f"/begeleider/scans/{assessment_id}/projector")):
        phone.goto(path)
        assert horizontal_overflow(phone) <= 0, f"the {name} page scrolls sideways on a phone"
        screenshot(phone, f"facilitator-{name}-phone")


def _send_in_more(live_server: LiveServer, assessment_id: int, values: tuple[str, ...]) -> None:
    """More respondents, one per value, who answer every statement with it and send in."""
    from assessment import content, participation
    from assessment.db import read_session
    from assessment.models import Assessment

    with live_server.app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        assert assessment is not None
        statements = content.for_assessment(assessment).statements()
        for value in values:
            token = participation.start(assessment_id)
            respondent = participation.find_respondent(token)
            assert respondent is not None
            answers = participation.PageAnswers(answers={s.id: value for s in statements})
            participation.save_page(respondent.id, "overzicht", answers)
            participation.submit(respondent.id)


def test_live_dashboard_without_javascript_offers_a_refresh(
    new_context: ContextFactory, facilitator_state: str, live_server: LiveServer
) -> None:
    """Without JavaScript the live numbers are those of the page load, with "Vernieuwen"."""
    page: Any = new_context(DESKTOP, storage_state=facilitator_state,
                            java_script_enabled=False).new_page()
    page.goto("/begeleider/")
    page.get_by_role("link", name=re.compile("Regio Zwolle")).first.click()
    page.get_by_role("link", name="Live-overzicht").first.click()
    expect(page.locator("[data-live=updated]")).to_have_text(
        "De aantallen zijn van het moment dat u de pagina opende.")
    page.get_by_role("link", name="Vernieuwen").click()
    expect(page).to_have_url(re.compile(r"/live$"))
