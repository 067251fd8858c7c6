"""Participant pages in Chromium: what one takes home, and the shortcuts on the way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from assessment import management, participation, session
from assessment.models import Status
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.browser.audit import Findings, horizontal_overflow
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    ContextFactory,
    Demo,
    LiveServer,
    screenshot,
)
from tests.browser.steps import (
    choose_all,
    expect_checked,
    expect_page,
    join,
    next_page,
    start_questions,
)

LESSONS = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml").lessons

pytestmark = pytest.mark.browser


def open_scan(live_server: LiveServer, demo_ids: Demo, title: str,
              others: int = 0) -> tuple[int, str]:
    """A new open assessment in Dutch and English on which ``others`` people agreed ("4")
    with everything."""
    from assessment import questionnaire_files
    from assessment.db import read_session
    from assessment.models import Assessment

    with live_server.app.app_context():
        questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
        assessment_id = management.create_assessment(
            demo_ids.facilitator_id, "Regio Test", title, questionnaire,
            translations=questionnaire_files.translations_of(questionnaire))
        management.set_status(assessment_id, Status.OPEN)
        for _ in range(others):
            token = participation.start(assessment_id)
            respondent = participation.find_respondent(token)
            assert respondent is not None
            participation.save_page(respondent.id, "overzicht", participation.PageAnswers(
                answers={s.id: "4" for s in questionnaire.statements()}))
            participation.submit(respondent.id)
        code = read_session().get(Assessment, assessment_id).join_code
    return assessment_id, code


def test_take_home_on_a_phone(
    new_context: ContextFactory, live_server: LiveServer, demo_ids: Demo
) -> None:
    """Sent in: results follow; after the first reveal, own scores beside the group's."""
    # Six others: with the scan open the group counts the first three (the latest wait).
    assessment_id, code = open_scan(live_server, demo_ids, "Meenemen", others=6)
    page = new_context(PHONE).new_page()
    join(page, code)
    first_lesson = page.url.rsplit("/", 1)[0] + "/" + LESSONS[0].id
    page.goto(first_lesson)
    choose_all(page, 4)  # "5" everywhere
    next_page(page)
    page.goto(page.url.rsplit("/", 1)[0] + "/overzicht")
    page.get_by_role("button", name="Antwoorden verzenden").click()
    expect(page.get_by_role("heading", name="Bedankt!")).to_be_visible()
    page.get_by_role("link", name="Bekijk uw antwoorden").click()
    expect(page.get_by_role("heading", name="Wat u meeneemt")).to_be_visible()
    expect(page.get_by_text("Na de sessie ziet u hier uw eigen score per les")).to_be_visible()

    with live_server.app.app_context():
        session.move_projector(assessment_id, session.RevealMove.NEXT, slides=2)
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


def test_from_the_review_to_a_statement_and_straight_back(
    new_context: ContextFactory, live_server: LiveServer, demo_ids: Demo
) -> None:
    """A link to an unanswered statement opens its lesson; "Terug naar het overzicht" saves."""
    _assessment_id, code = open_scan(live_server, demo_ids, "Terug naar het overzicht")
    page = new_context(PHONE).new_page()
    join(page, code)
    page.goto(page.url.rsplit("/", 1)[0] + "/overzicht")
    statement = LESSONS[2].statements[1]
    page.get_by_role("link", name=statement.text).click()
    expect_page(page, LESSONS[2].id)
    group = page.locator(f"fieldset#a_{statement.id}")
    group.locator("label").first.click()
    page.get_by_role("button", name="Terug naar het overzicht").click()
    expect_page(page, "overzicht")
    expect(page.get_by_role("link", name=statement.text)).to_have_count(0)
    expect(page.get_by_role("link", name=LESSONS[2].statements[0].text)).to_be_visible()


def test_the_header_switch_saves_the_answers_and_changes_language(
    new_context: ContextFactory, live_server: LiveServer, demo_ids: Demo
) -> None:
    """Answer a statement, press "English" in the header: the same page in English, answered."""
    _assessment_id, code = open_scan(live_server, demo_ids, "Taal in de kop")
    page = new_context(PHONE).new_page()
    join(page, code)
    page.goto(page.url.rsplit("/", 1)[0] + "/" + LESSONS[0].id)
    chosen = choose_all(page, 1)
    page.locator("header").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect_page(page, LESSONS[0].id)
    expect(page.get_by_role("button", name="Next")).to_be_visible()
    expect_checked(page, chosen)


@pytest.mark.parametrize("java_script", [True, False], ids=["javascript", "no-javascript"])
def test_enter_in_a_field_means_volgende(
    new_context: ContextFactory, live_server: LiveServer, demo_ids: Demo, java_script: bool
) -> None:
    """"Vorige" and the header's language button come first, yet Enter on an answer goes on
    to the next page, in Dutch, with or without JavaScript."""
    _assessment_id, code = open_scan(live_server, demo_ids, "Enter is volgende")
    page = new_context({**DESKTOP, "java_script_enabled": java_script}).new_page()
    join(page, code)
    page.goto(page.url.rsplit("/", 1)[0] + "/" + LESSONS[0].id)
    buttons = page.locator(".actions button")
    expect(buttons.nth(0)).to_have_text("Vorige")
    expect(buttons.nth(1)).to_have_text("Volgende")
    choose_all(page, 2)
    page.locator("fieldset.question input[type=radio]:checked").first.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/{LESSONS[1].id}$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_after_the_first_page_a_page_brings_only_itself(
    new_context: ContextFactory, live_server: LiveServer, demo_ids: Demo
) -> None:
    """On a crowded venue's Wi-Fi each request is a round trip: the stylesheet and the fonts
    come with the first page, small, and the pages after it ask the server for nothing else."""
    _, code = open_scan(live_server, demo_ids, "Eén verzoek")
    page = new_context(PHONE).new_page()
    page.goto("/")
    _expect_the_small_fonts_in_use(page)
    join(page, code)
    start_questions(page)  # a link followed, no form sent
    _expect_only_cached_static_files(page)
    choose_all(page, 1)
    next_page(page)  # a form sent, and its redirect
    _expect_only_cached_static_files(page)


def _expect_the_small_fonts_in_use(page: Any) -> None:
    """The page shows its text in Open Sans, loaded from the cut-down WOFF2 files."""
    page.wait_for_load_state("load")
    faces = page.evaluate("""async () => { await document.fonts.ready;
        return [...document.fonts].filter(face => face.family.includes('Open Sans'))
            .map(face => [face.weight, face.style, face.status]); }""")
    loaded = [face for face in faces if face[2] == "loaded"]
    assert loaded, faces
    assert not [face for face in faces if face[2] == "error"], faces
    fonts = page.evaluate("""() => performance.getEntriesByType('resource')
        .filter(entry => new URL(entry.name).pathname.startsWith('/static/fonts/'))
        .map(entry => [new URL(entry.name).pathname, entry.transferSize])""")
    assert len(fonts) == len(loaded), fonts
    assert all(path.endswith(".woff2") for path, _ in fonts), fonts
    assert sum(size for _, size in fonts) < 100_000, fonts


def _expect_only_cached_static_files(page: Any) -> None:
    """The page's stylesheet and fonts came from the browser's cache, not from the server."""
    page.wait_for_load_state("load")
    static = page.evaluate("""() => performance.getEntriesByType('resource')
        .filter(entry => new URL(entry.name).pathname.startsWith('/static/'))
        .map(entry => [new URL(entry.name).pathname, entry.transferSize])""")
    paths = {path for path, _ in static}
    assert "/static/regiospiegel.css" in paths
    assert any(path.startswith("/static/fonts/") for path in paths), paths
    assert [path for path, sent in static if sent] == []  # not asked again
