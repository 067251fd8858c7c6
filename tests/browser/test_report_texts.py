"""The facilitator's report texts: a foreword and a lesson's own advice, then "definitief"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.audit import Findings
from tests.browser.conftest import DESKTOP, ContextFactory, Demo, LiveServer, new_assessment
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser


def _answered_and_closed(live_server: LiveServer, assessment_id: int, code: str) -> None:
    """Three participants answer lesson 1, then the scan closes: the report has results."""
    from assessment import management
    from assessment.models import Status
    from tests.helpers import Participant

    with live_server.app.app_context():
        management.set_status(assessment_id, Status.OPEN)
    for _ in range(3):
        person = Participant(live_server.app.test_client())
        person.join(code)
        person.post_page("urgentie", {"a_urgentie-1": "4", "a_urgentie-2": "5"})
        person.submit()
    with live_server.app.app_context():
        management.set_status(assessment_id, Status.CLOSED)


def test_foreword_and_own_advice_are_saved_marked_final_and_in_the_pdf(
    new_context: ContextFactory, facilitator_state: str, live_server: LiveServer,
    demo_ids: Demo,
) -> None:
    """Type a foreword and a lesson's text, save once, mark final: the PDF says so."""
    assessment_id, code = new_assessment(live_server, demo_ids.facilitator_id, "Rapporttekst")
    _answered_and_closed(live_server, assessment_id, code)
    page = new_context(DESKTOP, storage_state=facilitator_state,
                       accept_downloads=True).new_page()
    page.goto(f"/begeleider/scans/{assessment_id}")
    page.get_by_role("link", name="Rapportteksten").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportteksten")
    expect(page.locator(".report-state")).to_contain_text("Concept")

    page.get_by_role("textbox", name="Voorwoord").fill("Dit rapport is voor de stuurgroep.")
    lesson = page.get_by_role("region", name=re.compile(r"^Les 1: Urgentie"))
    lesson.get_by_label("Vervangt het advies").check()
    lesson.get_by_label("Eigen tekst bij het advies").fill("Begin met de urgentie.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".notice-success")).to_contain_text("opgeslagen")
    expect(page.get_by_role("textbox", name="Voorwoord")).to_have_value(
        "Dit rapport is voor de stuurgroep.")
    expect(lesson.get_by_label("Vervangt het advies")).to_be_checked()
    findings = Findings()
    findings.check(page, "report texts")

    page.get_by_role("button", name="Rapport definitief maken").click()
    expect(page.locator(".notice-success")).to_contain_text("definitief")
    expect(page.locator(".report-state")).to_contain_text("Definitief, versie 1")
    findings.check(page, "report texts, final")
    findings.assert_clean()

    page.goto(f"/begeleider/scans/{assessment_id}")
    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_role("link", name="Download rapport (PDF)").first.click()
    text = re.sub(r"\s+", " ", pdf_text(download_info.value.path().read_bytes()))
    assert "Definitief, versie 1" in text
    assert "Dit rapport is voor de stuurgroep." in text
    assert "Begin met de urgentie." in text

    # A changed text makes the report a concept again.
    page.goto(f"/begeleider/scans/{assessment_id}/rapportteksten")
    page.get_by_role("textbox", name="Voorwoord").fill("Een nieuwe versie.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".report-state")).to_contain_text("Concept")
