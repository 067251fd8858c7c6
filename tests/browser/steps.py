"""What a participant does in the browser, as small named steps the flow tests combine."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

#: A participant page: /r/<token>/<page id>, perhaps with a ?query and a #fragment.
PAGE_URL = re.compile(r"/r/(?P<token>[A-Za-z0-9_-]+)/(?P<page>[a-z0-9-]+)(\?[^#]*)?(#.*)?$")


def page_id(page: Any) -> str:
    """The id of the participant page the browser shows."""
    match = PAGE_URL.search(page.url)
    assert match, f"not a participant page: {page.url}"
    return match["page"]


def expect_page(page: Any, page_id: str) -> None:
    """Wait until the browser shows participant page ``page_id``.

    A click returns once the next page has started to load, perhaps before its address
    changed; reading ``page.url`` right away may still give the page before.
    """
    expect(page).to_have_url(re.compile(rf"/r/[A-Za-z0-9_-]+/{re.escape(page_id)}(\?[^#]*)?(#.*)?$"))


def join(page: Any, code: str) -> None:
    """Type the join code on the start page, start on the welcome page, land on the intro."""
    page.goto("/")
    page.get_by_label("Deelnamecode").fill(code)
    page.get_by_role("button", name="Verder").click()
    expect(page).to_have_url(re.compile(rf"/d/{code.upper()}$"))
    page.get_by_role("button", name="Beginnen").click()
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+/intro$"))


def start_questions(page: Any, link: str = "Beginnen met de vragen") -> None:
    """Follow the intro's link to the first question page and wait until it has loaded.

    The click returns before the next page is there: a step that reads the page at once
    (counting its questions, say) may still see the intro.
    """
    page.get_by_role("link", name=link).click()
    expect_page(page, "profiel")
    page.wait_for_load_state()


def choose_all(page: Any, option: int) -> dict[str, str]:
    """Check option number ``option`` (wrapping) in every radio group; return name → value.

    Call it once the page is there (after ``start_questions`` or ``next_page``): on the page
    before, still shown while the next one loads, it would choose there or find no groups.
    """
    chosen: dict[str, str] = {}
    for group in page.locator("fieldset.question").all():
        radios = group.locator("input[type=radio]")
        radio = radios.nth(option % radios.count())
        # Click the label, as a person does; the radio itself may be visually restyled.
        group.locator(f"label[for='{radio.get_attribute('id')}']").click()
        expect(radio).to_be_checked()
        chosen[str(radio.get_attribute("name"))] = str(radio.get_attribute("value"))
    return chosen


def expect_checked(page: Any, chosen: dict[str, str]) -> None:
    """Every answer in ``chosen`` is checked on the page shown."""
    for name, value in chosen.items():
        expect(page.locator(f"input[name='{name}'][value='{value}']")).to_be_checked()


def next_page(page: Any, button: str = "Volgende") -> str:
    """Press "Volgende" (or ``button``) and return the id of the page that follows."""
    before = page.url
    page.get_by_role("button", name=button).click()
    expect(page).not_to_have_url(before)
    page.wait_for_load_state()  # the address changes as the next page starts to arrive
    return page_id(page)


def resume_link(page: Any) -> str:
    """The personal link shown in the resume box at the bottom of the page."""
    return str(page.locator(".resume .resume-url a").get_attribute("href"))
