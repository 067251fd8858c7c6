"""The vote on priorities in Chromium: phones vote, the facilitator's live page counts along.

Twenty participants: three vote through the page on their own phones (one changes the vote,
one double-clicks, one is too late), seventeen through the domain function, so the test
stays quick. The live page follows by polling, without a reload.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from assessment import management, participation, priorities
from assessment.db import read_session
from assessment.models import Assessment, PriorityVote, Status
from tests.browser.audit import Findings
from tests.browser.conftest import (
    PHONE,
    ContextFactory,
    Demo,
    LiveServer,
    new_assessment,
    screenshot,
)
from tests.helpers import accepted

#: How long the live page may take to show a change: it asks every 5 seconds, so expect's
#: own 5 seconds could end just before the next answer (it did once, on a busy machine).
POLL_WAIT_MS = 20_000

pytestmark = pytest.mark.browser

INVESTING = "6. Investeren in samenwerking"


def _vote_page(new_context: ContextFactory, token: str) -> Any:
    """A phone on the participant's intro page, following the banner to the vote."""
    page = new_context(PHONE).new_page()
    page.goto(f"/r/{token}/intro")
    page.get_by_role("link", name="Stem op de prioriteiten").click()
    expect(page).to_have_url(re.compile(rf"/r/{token}/stemmen$"))
    return page


def _tick(page: Any, *labels: str, on: bool = True) -> None:
    for label in labels:
        box = page.get_by_role("checkbox", name=label)
        # Click the label, as a person does; the box itself is visually restyled.
        page.locator(f"label[for='{box.get_attribute('id')}']").click()
        expect(box).to_be_checked(checked=on)


def test_twenty_participants_vote_and_the_live_page_counts_along(
    new_context: ContextFactory, facilitator: Any, live_server: LiveServer, demo_ids: Demo
) -> None:
    assessment_id, _code = new_assessment(live_server, demo_ids.facilitator_id, "Stemming")
    with live_server.app.app_context():
        management.set_status(assessment_id, Status.OPEN)
        tokens = [accepted(link)
                  for link in management.create_personal_links(assessment_id, 20, None)]
        # The first participant has sent in and waits on the summary page.
        waiting = participation.find_respondent(tokens[0])
        assert waiting is not None
        participation.submit(waiting.id)
    secret = live_server.app.config["SECRET_KEY"]
    first = new_context(PHONE).new_page()
    first.goto(f"/r/{tokens[0]}/samenvatting")
    banner = first.get_by_role("link", name="Stem op de prioriteiten")
    expect(banner).to_be_hidden()
    live = facilitator
    live.goto(f"/begeleider/scans/{assessment_id}/live")
    live.get_by_label("Aantal lessen dat iedere deelnemer kiest").fill("3")
    live.get_by_role("button", name="Stemming openen").click()
    expect(live.get_by_text("De stemming is open.")).to_be_visible()
    expect(live.locator('[data-live="vote_hidden_text"]')).to_have_text(
        "de uitslag verschijnt als u de stemming sluit")

    findings = Findings()
    # The waiting phone shows the banner without a reload, and follows it to the vote.
    expect(banner).to_be_visible()
    banner.click()
    expect(first).to_have_url(re.compile(rf"/r/{tokens[0]}/stemmen$"))
    # Too many lessons, then a vote, then a change of mind.
    findings.check(first, "vote page")
    _tick(first, "1. Urgentie", "2. Gedeelde visie", "3. Regionaal leiderschap",
          "4. Gezamenlijk verhaal")
    first.get_by_role("button", name="Stem bewaren").click()
    expect(first.locator(".error-summary")).to_contain_text("U koos 4 lessen. Kies er hooguit 3.")
    findings.check(first, "vote page with an error")
    screenshot(first, "vote-too-many-phone")
    _tick(first, "4. Gezamenlijk verhaal", on=False)
    first.get_by_role("button", name="Stem bewaren").click()
    expect(first.get_by_text("Uw stem is bewaard. U kunt hem nog veranderen zolang de "
                             "stemming open is.")).to_be_visible()
    # The live page follows without a reload: one voter, no tally.
    expect(live.locator('[data-live="vote_voters"]')).to_have_text("1", timeout=POLL_WAIT_MS)
    expect(live.locator('[data-live="vote_hidden_text"]')).to_have_text(
        "de uitslag verschijnt als u de stemming sluit")
    expect(live.locator("[data-vote-lesson]")).to_have_count(0)
    # Changing the vote: the current choice is ticked when the page opens again.
    first.goto(f"/r/{tokens[0]}/stemmen")
    expect(first.get_by_role("checkbox", name="3. Regionaal leiderschap")).to_be_checked()
    _tick(first, "1. Urgentie", "2. Gedeelde visie", on=False)
    _tick(first, INVESTING)
    first.get_by_role("button", name="Stem bewaren").click()
    expect(first.get_by_text("Uw stem is bewaard.")).to_be_visible()

    # The second phone double-clicks; the vote counts once.
    second = _vote_page(new_context, tokens[1])
    _tick(second, INVESTING, "9. Rijk en nationale programma's")
    second.get_by_role("button", name="Stem bewaren").dblclick()
    expect(second.get_by_text("Uw stem is bewaard.")).to_be_visible()

    # The third phone opens the vote but is too late.
    third = _vote_page(new_context, tokens[2])
    _tick(third, "1. Urgentie")

    # Seventeen more vote through the domain function.
    with live_server.app.app_context():
        for number, token in enumerate(tokens[3:]):
            priorities.cast_vote(assessment_id,
                                 priorities.voter_hash(secret, assessment_id, "token:" + token),
                                 ["investeren", "focus" if number % 2 else "rijk"])

    # Nineteen voters, and still no tally while the vote is open: it would move per vote.
    expect(live.locator('[data-live="vote_voters"]')).to_have_text("19", timeout=POLL_WAIT_MS)
    expect(live.locator("[data-vote-lesson]")).to_have_count(0)

    live.get_by_role("button", name="Stemming sluiten").click()
    expect(live.get_by_text("De stemming is gesloten. Stemmen die nu nog binnenkomen")
           ).to_be_visible()
    tally = live.locator("[data-vote-lesson]")
    expect(tally.first).to_contain_text(INVESTING)
    expect(tally.first).to_contain_text("19 stemmen (100%)")
    expect(tally.nth(1)).to_contain_text("9. Rijk en nationale programma's")
    expect(tally.nth(1)).to_contain_text("10 stemmen")
    expect(live.locator('[data-live="vote_hidden_text"]')).to_be_hidden()
    screenshot(live, "live-vote-tally")
    third.get_by_role("button", name="Stem bewaren").click()
    expect(third.locator(".error-summary")).to_contain_text(
        "De stemming is al gesloten. Uw stem telt daarom niet meer mee.")
    expect(third.get_by_role("checkbox")).to_have_count(0)
    findings.check(third, "vote page after closing")
    findings.assert_clean()

    with live_server.app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        assert assessment is not None
        result = priorities.result(assessment)
        stored = read_session().query(PriorityVote).filter_by(
            assessment_id=assessment_id).count()
    assert (result.voters, stored) == (19, 19)
    assert [row.lesson_id for row in result.top] == ["investeren", "rijk", "focus"]
    # The agenda shows the same tally.
    live.goto(f"/begeleider/scans/{assessment_id}/agenda")
    expect(live.locator("[data-vote-lesson]").first).to_contain_text(INVESTING)
