"""Accessibility in Chromium: axe-core on every page type, the keyboard, zoom and reflow."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from assessment import management
from assessment.models import Status
from tests.browser.audit import Findings, horizontal_overflow
from tests.browser.conftest import (
    DEMO_CODE,
    DESKTOP,
    ContextFactory,
    Demo,
    LiveServer,
    new_assessment,
    screenshot,
)
from tests.browser.steps import choose_all, join, next_page, page_id, start_questions

pytestmark = pytest.mark.browser


def test_participant_pages_have_no_serious_violations(
    new_context: ContextFactory, live_server: LiveServer, demo_ids: Demo
) -> None:
    """Start, welcome, intro, profile with errors, a lesson, review, thank-you, summary, not
    open, 404."""
    findings = Findings()
    page = new_context(DESKTOP).new_page()
    page.goto("/")
    findings.check(page, "start")
    page.get_by_role("button", name="Verder").click()
    findings.check(page, "start with an error")
    page.goto(f"/d/{DEMO_CODE}")
    findings.check(page, "welcome")
    page.get_by_role("button", name="Beginnen").click()
    findings.check(page, "intro")
    start_questions(page)
    findings.check(page, "profile")
    page.get_by_role("button", name="Volgende").click()
    expect(page.locator(".error-summary")).to_be_visible()
    findings.check(page, "profile with validation errors")
    screenshot(page, "participant-errors-desktop")
    choose_all(page, option=0)
    next_page(page)
    page.locator(".resume summary").click()  # open the resume box, so axe sees its content
    findings.check(page, "lesson page")
    page.goto(page.url.rsplit("/", 1)[0] + "/overzicht")
    findings.check(page, "review")
    page.get_by_role("button", name="Antwoorden verzenden").click()
    findings.check(page, "thank-you")
    page.get_by_role("link", name="Bekijk uw antwoorden").click()
    findings.check(page, "summary")

    _draft_id, draft_code = new_assessment(live_server, demo_ids.facilitator_id, "Nog dicht")
    page.goto(f"/d/{draft_code}")
    findings.check(page, "not open")
    english_id, english_code = new_assessment(live_server, demo_ids.facilitator_id,
                                              "In English", language="en")
    with live_server.app.app_context():
        management.set_status(english_id, Status.OPEN)
    page.goto(f"/d/{english_code}")
    findings.check(page, "welcome of an English scan", language="en")
    page.goto("/bestaat-niet")
    findings.check(page, "error 404")
    response = page.goto("/toegankelijkheid")
    assert response is not None
    if response.status != 404:  # the statement page is being added; check it once it exists
        findings.check(page, "accessibility statement")
    findings.assert_clean()


FACILITATOR_PAGES = [
    ("index", "/begeleider/"),
    ("create", "/begeleider/scans/nieuw"),
    ("assessment detail", "/begeleider/scans/{id}"),
    ("prepare", "/begeleider/scans/{id}/voorbereiden"),
    ("live", "/begeleider/scans/{id}/live"),
    ("projector", "/begeleider/scans/{id}/projector"),
    ("presenter", "/begeleider/scans/{id}/presentator"),
    ("agenda", "/begeleider/scans/{id}/agenda"),
    ("discussion", "/begeleider/scans/{id}/bespreking"),
    ("actions", "/begeleider/scans/{id}/acties"),
    ("report texts", "/begeleider/scans/{id}/rapportteksten"),
    ("export", "/begeleider/scans/{id}/exporteren"),
    ("moderation", "/begeleider/scans/{id}/toelichtingen"),
    ("paper entry", "/begeleider/scans/{id}/papier/invoeren"),
    ("invitation", "/begeleider/scans/{id}/uitnodiging"),
    ("invitations by e-mail, not configured", "/begeleider/scans/{id}/uitnodigingen"),
    ("programmes", "/programma/"),
    ("landscape", "/programma/{programme}"),
]


def test_facilitator_pages_have_no_serious_violations(
    new_context: ContextFactory, facilitator_state: str, admin_state: str, demo_ids: Demo
) -> None:
    """Login, every page of the facilitator's workspace, and the administrator's page."""
    findings = Findings()
    page = new_context(DESKTOP).new_page()
    page.goto("/begeleider/inloggen")
    findings.check(page, "facilitator login")

    page = new_context(DESKTOP, storage_state=facilitator_state).new_page()
    for name, path in FACILITATOR_PAGES:
        response = page.goto(path.format(id=demo_ids.assessment_id,
                                         programme=demo_ids.programme_id))
        assert response is not None and response.ok, f"{name}: {path} gave {response}"
        findings.check(page, name)

    page.goto("/begeleider/scans/nieuw")
    page.get_by_role("button", name="Scan aanmaken").click()
    expect(page.locator(".error-summary")).to_be_focused()
    findings.check(page, "create with validation errors")
    page.goto(f"/begeleider/scans/{demo_ids.assessment_id}/presentator")
    page.get_by_role("button", name="Begin").click()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Volgende").click()
    page.goto(f"/begeleider/scans/{demo_ids.assessment_id}/projector")
    expect(page.locator(".score strong")).not_to_be_empty()
    findings.check(page, "projector showing a lesson")
    page.goto(f"/begeleider/scans/{demo_ids.assessment_id}/presentator")
    page.get_by_role("button", name="Begin").click()  # the join slide, as the other tests expect

    admin = new_context(DESKTOP, storage_state=admin_state).new_page()
    admin.goto("/beheer/")
    findings.check(admin, "admin facilitators")
    admin.goto("/beheer/scans")
    findings.check(admin, "admin scans and backups")
    admin.goto("/beheer/logboek")
    findings.check(admin, "admin audit log")
    admin.goto(f"/beheer/scans/{demo_ids.assessment_id}/logboek")
    findings.check(admin, "admin audit log of one scan")
    admin.goto("/beheer/programmas")
    findings.check(admin, "admin programmes")
    admin.goto(f"/beheer/scans/{demo_ids.assessment_id}/back-up")
    findings.check(admin, "admin backup confirmation")
    admin.get_by_role("button", name="Back-up downloaden").click()
    expect(admin.locator(".error-summary")).to_be_focused()
    findings.check(admin, "admin backup without confirmation")
    findings.assert_clean()


# -- the keyboard -------------------------------------------------------------------------

#: For the focused element: where it is, and whether its focus indicator shows. A radio is
#: visually hidden behind its label, so the label carries the indicator.
FOCUS_SCRIPT = """() => {
  const element = document.activeElement;
  const shown = element.type === "radio"
    ? document.querySelector(`label[for="${element.id}"]`) : element;
  const style = getComputedStyle(shown);
  const box = shown.getBoundingClientRect();
  return {
    tag: element.tagName.toLowerCase(), type: element.type || "", id: element.id,
    name: element.name || "", text: (element.innerText || element.value || "").trim(),
    top: box.top + window.scrollY, left: box.left,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


class Keyboard:
    """Tab through a page as a keyboard user, checking every stop shows where focus is."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.stops: list[dict[str, Any]] = []

    def tab(self, backwards: bool = False) -> dict[str, Any]:
        """Press Tab (or Shift+Tab) and return the newly focused element."""
        self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
        stop: dict[str, Any] = self.page.evaluate(FOCUS_SCRIPT)
        assert stop["tag"] != "body", f"focus got lost on {self.page.url}"
        assert stop["outline"] or stop["shadow"], f"no visible focus on {stop}"
        if not backwards:
            self.stops.append(stop)
        return stop

    def tab_to(self, matches: Any, limit: int = 60) -> dict[str, Any]:
        """Tab until ``matches(stop)`` holds; fail after ``limit`` presses."""
        for _press in range(limit):
            stop = self.tab()
            if matches(stop):
                return stop
        raise AssertionError(f"never reached the element on {self.page.url}: {self.stops}")

    def new_page(self) -> None:
        """Check the focus order of the page just left, then start counting afresh.

        Waits for the new page's load event first: its URL changes as soon as the document
        arrives, before its stylesheet applies, and a radio focused by then shows no outline
        yet (on a busy machine the first Tab came that early).
        """
        self.page.wait_for_load_state("load")
        for before, after in zip(self.stops, self.stops[1:], strict=False):
            # Visual order: a later stop never sits higher up the page than the one before.
            assert after["top"] >= before["top"] - 12, (
                f"focus order jumps up from {before} to {after} on {self.page.url}")
        self.stops = []


def _is_button(text: str) -> Any:
    return lambda stop: stop["tag"] in ("button", "a") and stop["text"] == text


def test_questionnaire_by_keyboard_alone(new_context: ContextFactory) -> None:
    """Join, answer every page, meet an error and fix it, send in: no mouse at all."""
    page = new_context(DESKTOP).new_page()
    keys = Keyboard(page)
    page.goto("/")
    keys.tab_to(lambda stop: stop["id"] == "code")
    page.keyboard.type(DEMO_CODE)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/d/{DEMO_CODE}$"))
    keys.new_page()
    keys.tab_to(_is_button("Beginnen"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/intro$"))
    keys.new_page()
    keys.tab_to(_is_button("Beginnen met de vragen"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/profiel$"))
    keys.new_page()

    # Every radio group is a fieldset named by its legend.
    groups = page.locator("fieldset.question").all()
    assert len(groups) >= 2
    for group in groups:
        expect(group.locator("> legend")).not_to_be_empty()
    # Straight to "Volgende" without answering: the required questions complain.
    keys.tab_to(_is_button("Volgende"))
    keys.tab(backwards=True)
    keys.tab()
    page.keyboard.press("Enter")
    _expect_announced_errors(page, expected=len(groups))
    keys.new_page()
    keys.tab_to(lambda stop: stop["tag"] == "a" and stop["text"].startswith(
        page.locator("fieldset.question legend").first.inner_text()))
    page.keyboard.press("Enter")
    first_radio = page.locator("fieldset.question input[type=radio]").first
    expect(first_radio).to_be_focused()

    answered = 0
    while page_id(page) != "overzicht":
        answered += _answer_by_keyboard(page, keys)
        keys.new_page()
    assert answered > 40
    expect(page.get_by_text("U heeft alle stellingen beantwoord.")).to_be_visible()
    keys.tab_to(_is_button("Antwoorden verzenden"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt!")


def _answer_by_keyboard(page: Any, keys: Keyboard) -> int:
    """Choose an answer in every group with Space and the arrow keys, then press "Volgende"."""
    page_before = page.url
    # Every radio sits in a fieldset whose legend asks the question.
    unnamed = page.evaluate("""() => [...document.querySelectorAll("input[type=radio]")]
        .filter(radio => !radio.closest("fieldset")?.querySelector(":scope > legend")?.innerText)
        .map(radio => radio.name)""")
    assert not unnamed, f"radios outside a fieldset with a legend: {unnamed}"
    seen: set[str] = set()
    stop = page.evaluate(FOCUS_SCRIPT)
    while True:
        if stop["type"] == "radio" and stop["name"] not in seen:
            seen.add(stop["name"])
            page.keyboard.press("Space")
            steps = len(seen) % 3
            for _step in range(steps):
                page.keyboard.press("ArrowRight")
            checked = page.locator(f"input[name='{stop['name']}']:checked")
            expect(checked).to_have_count(1)
            expect(checked).to_be_focused()
            expect(checked).to_have_attribute("id", re.compile(rf"-{steps}$"))
        elif stop["tag"] == "textarea":
            page.keyboard.type("Met het toetsenbord geschreven.")
        elif stop["tag"] == "button" and stop["text"] == "Volgende":
            page.keyboard.press("Enter")
            expect(page).not_to_have_url(page_before)
            return sum(1 for name in seen if name.startswith("a_"))
        stop = keys.tab()


def _expect_announced_errors(page: Any, expected: int) -> None:
    """The error summary is announced and focused; each error links to its field."""
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    links = summary.locator("a[href^='#']")
    expect(links).to_have_count(expected)
    for link in links.all():
        target_id = str(link.get_attribute("href"))[1:]
        target = page.locator(f"[id='{target_id}']")
        expect(target).to_have_count(1)
        expect(target).to_have_attribute("aria-invalid", "true")
        described_by = str(target.get_attribute("aria-describedby")).split()
        messages = [page.locator(f"[id='{ident}']").inner_text() for ident in described_by]
        assert any("Kies een antwoord" in message for message in messages), (
            f"#{target_id} is not described by its error: {described_by}")


# -- zoom and reflow ----------------------------------------------------------------------

ZOOMED = {"200 % zoom": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
          "320 px reflow": {"viewport": {"width": 320, "height": 640}}}


@pytest.mark.parametrize("view", ZOOMED)
def test_participant_pages_reflow_without_horizontal_scrolling(
    new_context: ContextFactory, view: str
) -> None:
    """At 200 % zoom and at 320 CSS pixels nothing scrolls sideways and all controls fit."""
    page = new_context(ZOOMED[view]).new_page()
    seen: list[str] = []

    def check(name: str) -> None:
        seen.append(name)
        # After a submitting click the next page has started loading; measure it once loaded.
        page.wait_for_load_state("load")
        assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways at {view}"
        outside = page.evaluate("""() => {
          const width = window.innerWidth;
          const controls = "a, button, input:not(.radio), textarea, select, label, summary";
          return [...document.querySelectorAll(controls)]
            .filter(element => element.getClientRects().length > 0)
            .map(element => [element, element.getBoundingClientRect()])
            .filter(([element, box]) => box.left < -1 || box.right > width + 1)
            .map(([element, box]) => element.outerHTML.slice(0, 120));
        }""")
        assert not outside, f"{name} at {view}: controls outside the window: {outside}"

    page.goto("/")
    check("start")
    join(page, DEMO_CODE)
    check("intro")
    page.goto(f"/d/{DEMO_CODE}")
    check("welcome")
    page.go_back()
    start_questions(page)
    page.get_by_role("button", name="Volgende").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check("profile with errors")
    choose_all(page, option=1)
    next_page(page)
    page.locator(".resume summary").click()
    check("lesson")
    page.goto(page.url.rsplit("/", 1)[0] + "/overzicht")
    check("review")
    page.get_by_role("button", name="Antwoorden verzenden").click()
    check("thank-you")
    page.get_by_role("link", name="Bekijk uw antwoorden").click()
    check("summary")
    assert len(seen) == 8
