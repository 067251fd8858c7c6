"""Participant pages in Chromium: what one takes home, and the shortcuts on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessment import management, participation, session
from assessment.models import Status
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.browser.audit import Findings, horizontal_overflow
from tests.browser.conftest import (
    PHONE,
    ContextFactory,
    Demo,
    LiveServer,
    new_assessment,
    screenshot,
)
from tests.browser.steps import choose_all, join, next_page

LESSONS = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml").lessons

pytestmark = pytest.mark.browser


def open_scan(live_server: LiveServer, demo_ids: Demo, title: str,
              others: int = 0) -> tuple[int, str]:
    """A new open assessment on which ``others`` people agreed ("4") with everything."""
    from assessment import content

    assessment_id, code = new_assessment(live_server, demo_ids.facilitator_id, title)
    with live_server.app.app_context():
        management.set_status(assessment_id, Status.OPEN)
        statements = content.available()[("tien-lessen", "nl")].statements()
        for _ in range(others):
            token = participation.start(assessment_id)
            respondent = participation.find_respondent(token)
            assert respondent is not None
            participation.save_page(respondent.id, "overzicht", participation.PageAnswers(
                answers={s.id: "4" for s in statements}))
            participation.submit(respondent.id)
    return assessment_id, code


def test_take_home_on_a_phone(
    new_context: ContextFactory, live_server: LiveServer, demo_ids: Demo
) -> None:
    """Sent in: results follow; after the first reveal, own scores beside the group's."""
    assessment_id, code = open_scan(live_server, demo_ids, "Meenemen", others=3)
    page = new_context(PHONE).new_page()
    join(page, code)
    first_lesson = page.url.rsplit("/", 1)[0] + "/" + LESSONS[0].id
    page.goto(first_lesson)
    choose_all(page, 4)  # "5" everywhere
    next_page(page)
    page.goto(page.url.rsplit("/", 1)[0] + "/overzicht")
    page.get_by_role("button", name="Antwoorden verzenden").click()
    expect(page.get_by_role("heading", name="Wat u meeneemt")).to_be_visible()
    expect(page.get_by_text("Na de sessie ziet u hier uw eigen score per les")).to_be_visible()

    with live_server.app.app_context():
        session.move_reveal(assessment_id, session.RevealMove.NEXT)
    page.reload()
    lessons = page.locator(".take-home li")
    expect(lessons).to_have_count(len(LESSONS))
    expect(lessons.first).to_contain_text(re.compile(r"Uw score: \d,\d"))
    expect(lessons.first).to_contain_text(re.compile(r"De groep: \d,\d"))
    expect(lessons.nth(1)).to_contain_text("U gaf hier geen antwoord dat meetelt.")
    assert horizontal_overflow(page) == 0
    screenshot(page, "participant-take-home-phone")
    findings = Findings()
    findings.check(page, "take home on a phone")
    findings.assert_clean()
