"""The participant's whole path in Chromium: desktop, phone, resuming, back, double click."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from assessment.question_types import STATEMENT
from tests.browser.conftest import (
    DEMO_CODE,
    DESKTOP,
    PHONE,
    ContextFactory,
    LiveServer,
    screenshot,
)
from tests.browser.steps import (
    choose_all,
    expect_checked,
    expect_page,
    join,
    next_page,
    page_id,
    resume_link,
    start_questions,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("size", "options"), [
    ("desktop", DESKTOP),
    ("phone", PHONE),
    ("no-javascript", {**DESKTOP, "java_script_enabled": False}),
])
def test_participant_answers_every_page_and_sends_in(
    new_context: ContextFactory, size: str, options: dict[str, Any]
) -> None:
    """From the join code to the summary, every statement answered: desktop, phone, no JS."""
    page = new_context(options).new_page()

    def shot(name: str) -> None:
        if size != "no-javascript":  # looks the same as desktop
            screenshot(page, f"participant-{name}-{size}")

    page.goto("/")
    shot("start")
    page.get_by_label("Deelnamecode").fill(DEMO_CODE.lower())
    page.get_by_role("button", name="Verder").click()
    expect(page).to_have_url(re.compile(rf"/d/{DEMO_CODE}$"))
    shot("welcome")
    page.get_by_role("button", name="Beginnen").click()
    # A click returns once the next page has started to load, perhaps before its address
    # changed: wait for the address, as a person waits for the page.
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+/intro$"))
    shot("intro")
    start_questions(page)

    answered: dict[str, str] = {}
    shots = {"profiel": "profile", "context": "context", "open-vragen": "open"}
    lesson_shot_taken = False
    while page_id(page) != "overzicht":
        current = page_id(page)
        if current == "profiel":  # its choices are all equal: none is styled as "weet ik niet"
            expect(page.locator(".option-nonvalid")).to_have_count(0)
        answered |= choose_all(page, option=len(answered))
        for box in page.locator("textarea").all():
            box.fill(f"Toelichting bij {current}.")
        if current in shots:
            shot(shots[current])
        elif not lesson_shot_taken:
            shot("lesson")
            lesson_shot_taken = True
        next_page(page)

    statements = sum(1 for name in answered if name.startswith(STATEMENT.prefix))
    shot("review")
    expect(page.locator(".lead")).to_contain_text(f"{statements} van de {statements}")
    expect(page.get_by_text("U heeft alle stellingen beantwoord.")).to_be_visible()
    page.get_by_role("button", name="Antwoorden verzenden").click()
    expect(page).to_have_url(re.compile(r"/bedankt$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    shot("thanks")
    page.get_by_role("link", name="Bekijk uw antwoorden").click()
    expect(page).to_have_url(re.compile(r"/samenvatting$"))
    expect(page.get_by_text("Niet beantwoord")).to_have_count(0)
    expect(page.locator(".free-text").first).to_contain_text("Toelichting bij ")
    shot("summary")


def test_personal_link_resumes_in_a_fresh_browser(new_context: ContextFactory) -> None:
    """Another browser (no cookies) opens the personal link: same page, same answers."""
    first = new_context(DESKTOP).new_page()
    join(first, DEMO_CODE)
    start_questions(first)
    choose_all(first, option=1)
    lesson = next_page(first)
    chosen = choose_all(first, option=3)
    next_page(first)
    link = resume_link(first)
    assert link.startswith(first.url.split("/r/")[0] + "/r/")

    second = new_context(DESKTOP).new_page()
    second.goto(link)
    expect_page(second, lesson)
    expect_checked(second, chosen)
    second.get_by_role("button", name="Vorige").click()
    expect_page(second, "profiel")


def test_back_button_and_double_click_lose_nothing(
    new_context: ContextFactory, live_server: LiveServer
) -> None:
    """The browser's back button shows the saved answers; a double click saves one page once."""
    page = new_context(DESKTOP).new_page()
    join(page, DEMO_CODE)
    start_questions(page)
    choose_all(page, option=0)
    lesson = next_page(page)
    step = _step(page)
    chosen = choose_all(page, option=2)
    page.get_by_role("button", name="Volgende").dblclick()
    expect(page).not_to_have_url(re.compile(rf"/{lesson}$"))
    after_double_click = page_id(page)
    assert _step(page) == step + 1, "a double click must move one page, not two"
    assert _stored_answers(live_server, page) == {
        name.removeprefix(STATEMENT.prefix): value for name, value in chosen.items()}

    page.go_back()
    page.reload()  # the back button may show a cached copy; the server's copy must agree
    expect_page(page, lesson)
    expect_checked(page, chosen)
    page.go_forward()
    expect_page(page, after_double_click)
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)


def _step(page: Any) -> int:
    """The page's number in the path, from the progress label ("Stap 3 van 16")."""
    match = re.search(r"Stap (\d+) van", page.locator(".progress-label").inner_text())
    assert match, "no progress label"
    return int(match[1])


def _stored_answers(live_server: LiveServer, page: Any) -> dict[str, str]:
    """What the database holds for the respondent whose page the browser shows."""
    from sqlalchemy import select

    from assessment import participation
    from assessment.db import read_session
    from assessment.models import Answer
    from tests.browser.steps import PAGE_URL

    match = PAGE_URL.search(page.url)
    assert match
    with live_server.app.app_context():
        respondent = participation.find_respondent(match["token"])
        assert respondent is not None
        rows = read_session().execute(select(Answer.statement_id, Answer.value)
                                      .where(Answer.respondent_id == respondent.id))
        return {statement: value for statement, value in rows}
