"""The projector in Chromium: every slide fits a 1080p and a 720p screen, reads from the back
of a room, shows no controls, and follows the presenter view and the keys without a reload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.audit import Findings, horizontal_overflow
from tests.browser.conftest import (
    PHONE,
    ContextFactory,
    Demo,
    LiveServer,
    new_assessment,
    screenshot,
)

pytestmark = pytest.mark.browser

FULL_HD: dict[str, Any] = {"viewport": {"width": 1920, "height": 1080}}
HD: dict[str, Any] = {"viewport": {"width": 1280, "height": 720}}
#: Body text of at least 28 px on a 1080-pixel-high screen, in proportion on a smaller one.
MIN_TEXT_AT_1080 = 28.0
#: The projector follows the stored position within a few of its 1.5-second polls.
FOLLOW_MS = 10_000

#: What the slide does wrong: overflow, text too small, controls anyone can see.
MEASURE = """(minimum) => {
  const frame = document.querySelector("[data-slide]");
  const width = window.innerWidth, height = window.innerHeight;
  const outside = [], small = [];
  for (const element of frame.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (!box.width && !box.height) { continue; }
    const inSvg = element.closest("svg") !== null && element.tagName.toLowerCase() !== "svg";
    if (!inSvg && (box.bottom > height + 1 || box.right > width + 1 || box.left < -1
                   || box.top < -1)) {
      outside.push(element.tagName + "." + element.className + " " + JSON.stringify(box));
    }
    const ownText = Array.from(element.childNodes).some(
      (node) => node.nodeType === 3 && node.textContent.trim());
    if (ownText && !inSvg && !element.closest(".visually-hidden")) {
      const size = parseFloat(getComputedStyle(element).fontSize);
      if (size < minimum) { small.push(element.tagName + " " + size + "px: "
                                      + element.textContent.trim().slice(0, 40)); }
    }
  }
  // Nothing of the slide is under the corner that shows how to join.
  const corner = document.querySelector("[data-corner]");
  const covered = [];
  if (corner && !corner.hidden) {
    const c = corner.getBoundingClientRect();
    for (const element of frame.querySelectorAll("*")) {
      const ownText = Array.from(element.childNodes).some(
        (node) => node.nodeType === 3 && node.textContent.trim());
      if (!ownText && !["svg", "img"].includes(element.tagName.toLowerCase())) { continue; }
      const box = element.getBoundingClientRect();
      if (box.left < c.right && box.right > c.left && box.top < c.bottom && box.bottom > c.top) {
        covered.push(element.tagName + ": " + element.textContent.trim().slice(0, 40));
      }
    }
  }
  const controls = Array.from(document.querySelectorAll(
      "a, button, input, select, textarea, summary, [tabindex], [contenteditable]"))
    .filter((element) => element.getClientRects().length > 0
            && getComputedStyle(element).visibility !== "hidden")
    .map((element) => element.outerHTML.slice(0, 80));
  return {
    scrollHeight: document.documentElement.scrollHeight,
    scrollWidth: document.documentElement.scrollWidth,
    width, height, outside, small, controls, covered,
    kind: frame.querySelector("[data-kind]").getAttribute("data-kind"),
    bodySize: parseFloat(getComputedStyle(frame.querySelector(".slide")).fontSize),
  };
}"""


@pytest.fixture(scope="module")
def scan(live_server: LiveServer) -> Iterator[int]:
    """The demo scan (found by its title), with its texts included and one action agreed."""
    from sqlalchemy import select

    from assessment import demo, discussion
    from assessment.db import read_session
    from assessment.models import Assessment, Comment, Moderation

    with live_server.app.app_context():
        assessment = read_session().scalar(
            select(Assessment).where(Assessment.title == demo.DEMO_TITLE))
        assert assessment is not None
        for comment_id in read_session().scalars(
                select(Comment.id).where(Comment.assessment_id == assessment.id)):
            discussion.set_moderation(assessment, comment_id, Moderation.INCLUDED, None)
        discussion.add_action(assessment, discussion.ActionInput(
            "Eén regionale agenda voor alle nationale programma's opstellen",
            "Regiobureau", "Voor 1 maart", "rijk"), None)
        assessment_id = assessment.id
    yield assessment_id


def projector_page(new_context: ContextFactory, state: str, scan: int,
                   options: dict[str, Any]) -> Any:
    """The projector window at the first slide, not blanked."""
    page = new_context(options, storage_state=state).new_page()
    page.goto(f"/begeleider/scans/{scan}/presentator")
    page.get_by_role("button", name="Begin").click()
    page.goto(f"/begeleider/scans/{scan}/projector")
    expect(page.locator("[data-kind=join]")).to_be_visible()
    return page


def press(page: Any, key: str) -> None:
    """Press a key on the projector and wait until its slide changed, without a reload."""
    before = page.evaluate("document.body.dataset.version")
    page.keyboard.press(key)
    expect(page.locator("body")).not_to_have_attribute("data-version", before,
                                                       timeout=FOLLOW_MS)


@pytest.mark.parametrize("screen", [FULL_HD, HD], ids=["1920x1080", "1280x720"])
def test_every_slide_fits_the_screen_reads_from_the_back_and_has_no_controls(
    new_context: ContextFactory, facilitator_state: str, scan: int, screen: dict[str, Any]
) -> None:
    page = projector_page(new_context, facilitator_state, scan, screen)
    total = page.request.get(f"/begeleider/scans/{scan}/projector.json").json()["total"]
    height = screen["viewport"]["height"]
    minimum = MIN_TEXT_AT_1080 * height / 1080
    problems = []
    kinds = []
    for index in range(total):
        if index:
            press(page, "ArrowRight")
        page.evaluate("document.fonts.ready")
        seen = page.evaluate(MEASURE, minimum)
        kinds.append(seen["kind"])
        where = f"slide {index + 1} ({seen['kind']}) at {screen['viewport']}"
        if seen["scrollHeight"] > seen["height"] or seen["scrollWidth"] > seen["width"]:
            problems.append(f"{where} scrolls: {seen['scrollWidth']}×{seen['scrollHeight']}")
        problems += [f"{where} outside the screen: {item}" for item in seen["outside"]]
        problems += [f"{where} text below {minimum:.1f}px: {item}" for item in seen["small"]]
        problems += [f"{where} shows a control: {item}" for item in seen["controls"]]
        problems += [f"{where} under the corner: {item}" for item in seen["covered"]]
        if seen["bodySize"] < minimum:
            problems.append(f"{where} body text {seen['bodySize']}px")
        if height == 1080:
            screenshot(page, f"projector-{index + 1:02d}-{seen['kind']}")
    assert set(kinds) == {"join", "overview", "lesson", "groups", "group_table", "quadrant",
                          "texts", "priorities", "actions"}
    assert not problems, "\n".join(problems)


def test_the_presenter_view_moves_the_projector_without_a_reload(
    new_context: ContextFactory, facilitator_state: str, scan: int
) -> None:
    context = new_context(HD, storage_state=facilitator_state)
    screen = context.new_page()
    screen.goto(f"/begeleider/scans/{scan}/projector")
    presenter = context.new_page()
    presenter.goto(f"/begeleider/scans/{scan}/presentator")
    presenter.get_by_role("button", name="Begin").click()
    expect(screen.locator("[data-kind=join]")).to_be_visible(timeout=FOLLOW_MS)
    screen.evaluate("window.stillTheSamePage = true")

    presenter.get_by_role("button", name="Volgende").click()
    expect(screen.locator("[data-kind=overview]")).to_be_visible(timeout=FOLLOW_MS)
    expect(presenter.locator("[data-live=title]")).to_have_text("Overzicht")
    expect(presenter.locator("[data-live=next_title]")).to_have_text("1. Urgentie – Stellingen")
    expect(presenter.locator("[data-live=started]")).not_to_be_empty()
    presenter.get_by_role("button", name="Volgende").click()
    expect(screen.locator("[data-kind=lesson] h1")).to_have_text("Urgentie", timeout=FOLLOW_MS)
    expect(presenter.get_by_label("Wat zei de groep?")).to_be_visible()
    screenshot(presenter, "presenter-view")

    presenter.get_by_role("button", name="Zwart scherm").click()
    expect(screen.locator("[data-blank]")).to_be_visible(timeout=FOLLOW_MS)
    presenter.get_by_role("button", name="Zwart scherm").click()
    expect(screen.locator("[data-blank]")).to_be_hidden(timeout=FOLLOW_MS)
    presenter.get_by_role("button", name="Vorige").click()
    expect(screen.locator("[data-kind=overview]")).to_be_visible(timeout=FOLLOW_MS)
    assert screen.evaluate("window.stillTheSamePage") is True

    # The keys on the projector window move the presenter view too (it reloads itself).
    screen.keyboard.press("ArrowRight")
    expect(presenter.locator("[data-live=title]")).to_have_text("1. Urgentie – Stellingen",
                                                                 timeout=FOLLOW_MS)


def test_without_javascript_the_projector_follows_by_reloading(
    new_context: ContextFactory, facilitator_state: str, scan: int
) -> None:
    screen = projector_page(new_context, facilitator_state, scan, HD)
    quiet = new_context(HD, storage_state=facilitator_state, java_script_enabled=False)
    projector = quiet.new_page()
    projector.goto(f"/begeleider/scans/{scan}/projector")
    expect(projector.locator("[data-kind=join]")).to_be_visible()
    press(screen, "ArrowRight")
    # The <noscript> refresh of every 5 seconds.
    expect(projector.locator("[data-kind=overview]")).to_be_visible(timeout=15_000)


def test_the_keys_move_and_blank_the_projector(
    new_context: ContextFactory, facilitator_state: str, scan: int
) -> None:
    page = projector_page(new_context, facilitator_state, scan, HD)
    page.evaluate("window.stillTheSamePage = true")
    press(page, "ArrowRight")
    expect(page.locator("[data-kind=overview]")).to_be_visible()
    press(page, "Space")
    expect(page.locator("[data-kind=lesson] h1")).to_have_text("Urgentie")
    press(page, "PageDown")
    expect(page.locator("[data-kind=groups]")).to_be_visible()
    press(page, "PageUp")
    press(page, "ArrowLeft")
    expect(page.locator("[data-kind=overview]")).to_be_visible()
    press(page, "End")
    expect(page.locator("[data-kind=actions]")).to_be_visible()
    expect(page.locator("[data-kind=actions]")).to_contain_text("Regiobureau")
    press(page, "Home")
    expect(page.locator("[data-kind=join]")).to_be_visible()

    expect(page.locator("[data-blank]")).to_be_hidden()
    press(page, "b")
    expect(page.locator("[data-blank]")).to_be_visible()
    screenshot(page, "projector-blank")
    press(page, "b")
    expect(page.locator("[data-blank]")).to_be_hidden()
    assert page.evaluate("window.stillTheSamePage") is True


def test_the_corner_shows_how_to_join_while_answering_is_open(
    new_context: ContextFactory, facilitator_state: str, live_server: LiveServer,
    demo_ids: Demo
) -> None:
    from assessment import management
    from assessment.models import Status

    assessment_id, code = new_assessment(live_server, demo_ids.facilitator_id, "Hoek")
    with live_server.app.app_context():
        management.set_status(assessment_id, Status.OPEN)
    page = projector_page(new_context, facilitator_state, assessment_id, FULL_HD)
    corner = page.locator("[data-corner]")
    expect(corner).to_be_hidden()  # the join slide says it in large
    press(page, "ArrowRight")
    expect(page.locator("[data-kind=overview]")).to_contain_text("zodra minstens 3 deelnemers")
    expect(corner).to_be_visible()
    expect(corner).to_contain_text(code)
    expect(corner).to_contain_text("0 begonnen · 0 verzonden")
    expect(corner.locator("img")).to_have_attribute(
        "src", f"/begeleider/scans/{assessment_id}/qr.svg")
    screenshot(page, "projector-corner")

    with live_server.app.app_context():
        management.set_status(assessment_id, Status.CLOSED)
    expect(corner).to_be_hidden(timeout=FOLLOW_MS)
    page.reload()
    expect(page.locator("[data-kind=overview]")).to_be_visible()
    expect(corner).to_be_hidden()


def test_projector_and_presenter_have_no_serious_violations(
    new_context: ContextFactory, facilitator_state: str, scan: int
) -> None:
    findings = Findings()
    page = projector_page(new_context, facilitator_state, scan, FULL_HD)
    seen: set[str] = set()
    total = page.request.get(f"/begeleider/scans/{scan}/projector.json").json()["total"]
    for index in range(total):
        if index:
            press(page, "ArrowRight")
        kind = str(page.locator("[data-kind]").get_attribute("data-kind"))
        if kind not in seen:
            seen.add(kind)
            findings.check(page, f"projector: {kind}")
    presenter = new_context(HD, storage_state=facilitator_state).new_page()
    presenter.goto(f"/begeleider/scans/{scan}/presentator")
    findings.check(presenter, "presenter view, last slide")
    presenter.get_by_role("button", name="Begin").click()
    presenter.get_by_role("button", name="Volgende").click()
    presenter.get_by_role("button", name="Volgende").click()
    expect(presenter.get_by_label("Wat zei de groep?")).to_be_visible()
    findings.check(presenter, "presenter view with notes")
    phone = new_context(PHONE, storage_state=facilitator_state).new_page()
    phone.goto(f"/begeleider/scans/{scan}/presentator")
    assert horizontal_overflow(phone) <= 0, "the presenter view scrolls sideways on a phone"
    expect(phone.get_by_role("button", name="Volgende")).to_be_visible()
    screenshot(phone, "presenter-view-phone")
    findings.check(phone, "presenter view on a phone")
    presenter.get_by_label("Wat zei de groep?").fill("De urgentie wordt breed gedeeld.")
    presenter.get_by_role("button", name="Aantekeningen opslaan").click()
    expect(presenter.get_by_role("status")).to_contain_text("opgeslagen")
    expect(presenter.get_by_label("Wat zei de groep?")).to_have_value(
        "De urgentie wordt breed gedeeld.")
    findings.assert_clean()
