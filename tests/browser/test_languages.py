"""Choosing English in the browser: the header switch, and the switch that saves the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_CODE, DESKTOP, PHONE, ContextFactory, screenshot
from tests.browser.steps import (
    choose_all,
    expect_checked,
    expect_page,
    next_page,
    page_id,
    start_questions,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("size", "options"), [
    ("phone", PHONE),
    ("no-javascript", {**DESKTOP, "java_script_enabled": False}),
])
def test_a_participant_answers_in_english_and_switches_back_without_losing_answers(
    new_context: ContextFactory, size: str, options: dict[str, Any]
) -> None:
    """English from the welcome page on; back to Dutch halfway through a page."""
    page = new_context(options).new_page()
    page.goto(f"/d/{DEMO_CODE}")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+/intro$"))
    expect(page.locator("h1")).not_to_have_text("Welkom")
    start_questions(page, link="Start the questions")
    for _page in range(5):  # the profile comes first, then the lessons
        if page.locator("fieldset.question input[value='weet_niet']").count():
            break
        choose_all(page, 0)
        next_page(page, "Next")
    lesson = page_id(page)
    expect(page.get_by_text("Strongly agree").first).to_be_visible()
    if size == "phone":
        screenshot(page, "participant-lesson-english-phone")

    chosen = choose_all(page, 3)
    # The header's switch is a button of the page's form: it saves first.
    page.locator("header").get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect_page(page, lesson)
    expect(page.get_by_text("Helemaal eens").first).to_be_visible()
    expect_checked(page, chosen)
