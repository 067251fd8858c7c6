"""Every page type fits a 360 px phone: long Dutch compounds wrap instead of widening it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, ContextFactory, Demo
from tests.browser.steps import choose_all, join, next_page, start_questions
from tests.browser.test_accessibility import FACILITATOR_PAGES

pytestmark = pytest.mark.browser



#: Table cells whose text runs out of them (over the next cell), as "text: N px in M px". A
#: table wider than the phone may scroll sideways in its region; its cells must still hold
#: their words.
_SPILLING_CELLS = """() => Array.from(document.querySelectorAll('th, td'))
    .filter(cell => cell.clientWidth > 0 && cell.scrollWidth > cell.clientWidth + 1)
    .map(cell => `cell "${cell.textContent.trim()}": `
                 + `${cell.scrollWidth} px in ${cell.clientWidth} px`)"""


def _fits(page: Any, name: str, wide: list[str]) -> None:
    """Record the page when its document is wider than the phone's screen, and each table
    cell whose text runs out of it.

    Measured against the phone's width, not ``window.innerWidth``: a mobile browser widens
    its layout viewport to content that does not fit (zooming the page out), so there the
    window grows with the overflow and never shows it.
    """
    page.wait_for_load_state("load")
    width = PHONE["viewport"]["width"]
    document = page.evaluate("document.documentElement.scrollWidth")
    if document > width:
        wide.append(f"{name} ({page.url}): {document} px wide")
    for cell in page.evaluate(_SPILLING_CELLS):
        wide.append(f"{name} ({page.url}): {cell}")


def test_every_page_type_fits_a_360_px_phone(
    new_context: ContextFactory, facilitator_state: str, admin_state: str, demo_ids: Demo
) -> None:
    """Public, participant, facilitator, projector and admin pages and the report preview:
    scrollWidth ≤ 360, and every table cell holds its text."""
    wide: list[str] = []
    page = new_context(PHONE).new_page()
    for name, path in [("start", "/"), ("accessibility statement", "/toegankelijkheid"),
                       ("error 404", "/bestaat-niet"),
                       ("facilitator login", "/begeleider/inloggen")]:
        page.goto(path)
        _fits(page, name, wide)
    join(page, "DMZW26")
    _fits(page, "intro", wide)
    start_questions(page)
    _fits(page, "profile", wide)
    choose_all(page, option=1)
    next_page(page)
    _fits(page, "lesson", wide)
    page.goto(page.url.rsplit("/", 1)[0] + "/overzicht")
    _fits(page, "review", wide)
    page.get_by_role("button", name="Antwoorden verzenden").click()
    _fits(page, "thank-you", wide)
    page.get_by_role("link", name="Bekijk uw antwoorden").click()
    _fits(page, "summary", wide)

    page = new_context(PHONE, storage_state=facilitator_state).new_page()
    for name, path in FACILITATOR_PAGES:
        page.goto(path.format(id=demo_ids.assessment_id, programme=demo_ids.programme_id))
        _fits(page, name, wide)
    page.goto(f"/begeleider/scans/{demo_ids.assessment_id}/rapport")
    _fits(page, "report preview", wide)

    admin = new_context(PHONE, storage_state=admin_state).new_page()
    for name, path in [("admin facilitators", "/beheer/"), ("admin scans", "/beheer/scans"),
                       ("admin programmes", "/beheer/programmas")]:
        admin.goto(path)
        _fits(admin, name, wide)
    assert not wide, "pages wider than a 360 px phone:\n" + "\n".join(wide)
