"""A town-hall laptop passed round the table: the next person finds nothing of the last.

One browser context plays the laptop: person 1 answers (and sends in, or walks away
half-way), then person 2 uses the same browser: Back, and the join link on the projector.
Every page is ``no-store``, so Back asks the server again; after sending in, every page of
person 1 leads to a thank-you page without answers, the browser has forgotten them, and the
join page offers only a fresh start.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_CODE, DESKTOP, ContextFactory
from tests.browser.steps import PAGE_URL, choose_all, join, next_page, start_questions

pytestmark = pytest.mark.browser

SECRET_TEXT = "Alleen persoon 1 weet dit"
FIRST_LESSON = "urgentie"


def _token(page: Any) -> str:
    match = PAGE_URL.search(page.url)
    assert match, page.url
    return match["token"]


def _person_one_answers(page: Any) -> str:
    """Join, answer the profile and the first lesson with a comment; the resume token."""
    join(page, DEMO_CODE)
    start_questions(page)
    choose_all(page, option=1)
    assert next_page(page) == FIRST_LESSON
    choose_all(page, option=3)
    page.locator("textarea").first.fill(SECRET_TEXT)
    next_page(page)
    return _token(page)


def _shows_nothing_of(page: Any, token: str) -> None:
    """The page holds none of person 1's answers, no link of theirs, no offer to continue."""
    expect(page.locator("input:checked")).to_have_count(0)
    html = page.content()
    assert SECRET_TEXT not in html
    assert token not in html.replace(page.url, "")  # the address bar may still name it
    expect(page.get_by_text("Verder waar u was gebleven")).to_have_count(0)


def _person_two_starts_afresh(page: Any, token: str) -> None:
    """Person 2 opens the join link: a fresh start, with empty pages."""
    page.goto(f"/d/{DEMO_CODE}")
    _shows_nothing_of(page, token)
    page.get_by_role("button", name="Beginnen").click()
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+/intro$"))
    mine = _token(page)
    assert mine != token
    start_questions(page)
    _shows_nothing_of(page, token)
    page.goto(f"/r/{mine}/{FIRST_LESSON}")
    _shows_nothing_of(page, token)
    expect(page.locator("textarea").first).to_have_value("")


def test_after_sending_in_back_and_the_join_link_show_nothing_of_person_one(
        new_context: ContextFactory) -> None:
    laptop = new_context(DESKTOP)
    page = laptop.new_page()
    token = _person_one_answers(page)
    page.goto(f"/r/{token}/overzicht")
    page.get_by_role("button", name="Antwoorden verzenden").click()
    expect(page).to_have_url(re.compile(r"/bedankt$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    expect(page.get_by_text(SECRET_TEXT)).to_have_count(0)

    # Person 2 takes the laptop and presses Back, again and again.
    for _ in range(4):
        page.go_back()
        page.wait_for_load_state()
        expect(page.locator("input:checked")).to_have_count(0)
        expect(page.get_by_text(SECRET_TEXT)).to_have_count(0)
        expect(page.locator("textarea")).to_have_count(0)
    cookies = {cookie["name"]: cookie["value"] for cookie in laptop.cookies()}
    assert all(token not in value for value in cookies.values())

    _person_two_starts_afresh(page, token)


def test_half_way_the_join_link_offers_no_way_into_person_ones_answers(
        new_context: ContextFactory) -> None:
    laptop = new_context(DESKTOP)
    page = laptop.new_page()
    token = _person_one_answers(page)  # and walks away from the laptop, not sent in

    _person_two_starts_afresh(page, token)
