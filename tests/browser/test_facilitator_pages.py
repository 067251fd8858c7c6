"""Facilitator pages in Chromium: the results table's width, destructive buttons, moderation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.audit import Findings
from tests.browser.conftest import Demo

pytestmark = pytest.mark.browser

#: A lesson the browser tests write free texts on.
TOPIC = "cultuur"
#: The red of destructive actions (--error in regiospiegel.css).
RED = "rgb(176, 0, 32)"


def test_the_results_table_fits_a_1280_wide_window(facilitator, demo_ids: Demo) -> None:
    """At 1280×800 the scan page's results table is whole: the "Signalen" column shows."""
    facilitator.goto(f"/begeleider/scans/{demo_ids.assessment_id}")
    table = facilitator.locator("table.results")
    expect(table).to_be_visible()
    signals = table.get_by_role("columnheader", name="Signalen")
    signals.scroll_into_view_if_needed()
    window = facilitator.viewport_size["width"]
    wrap = facilitator.locator(".table-wrap").first.bounding_box()
    box = table.bounding_box()
    header = signals.bounding_box()
    assert box is not None and wrap is not None and header is not None
    assert box["x"] + box["width"] <= window
    # Nothing to scroll: the table is no wider than its box, and the column lies inside it.
    assert box["width"] <= wrap["width"] + 0.5
    assert header["x"] + header["width"] <= wrap["x"] + wrap["width"] + 0.5
    assert facilitator.evaluate(
        "(() => { const w = document.querySelector('.table-wrap');"
        " return w.scrollWidth - w.clientWidth; })()") == 0


def test_destructive_buttons_look_destructive(facilitator, demo_ids: Demo) -> None:
    """"Scan verwijderen…" and "Definitief verwijderen" are red, and pass axe's contrast check."""
    facilitator.goto(f"/begeleider/scans/{demo_ids.assessment_id}/voorbereiden")
    to_delete = facilitator.get_by_role("link", name="Scan verwijderen…")
    expect(to_delete).to_have_css("color", RED)
    expect(to_delete).to_have_css("border-top-color", RED)
    to_delete.click()
    delete = facilitator.get_by_role("button", name="Definitief verwijderen")
    expect(delete).to_have_css("background-color", RED)
    expect(delete).to_have_css("color", "rgb(255, 255, 255)")
    findings = Findings()
    findings.check(facilitator, "delete a scan")
    findings.assert_clean()


def test_moderation_and_redaction_pages(facilitator, live_server, demo_ids: Demo) -> None:
    """Tick two texts and exclude them at once; redact one; both pages pass axe."""
    from sqlalchemy import select

    from assessment.db import read_session, write_transaction
    from assessment.models import Comment, Respondent

    with live_server.app.app_context():
        wrote = select(Comment.respondent_id).where(Comment.topic_id == TOPIC)
        respondents = read_session().scalars(
            select(Respondent.id).where(Respondent.assessment_id == demo_ids.assessment_id,
                                        Respondent.submitted_at.is_not(None),
                                        Respondent.id.not_in(wrote))
            .order_by(Respondent.id.desc()).limit(2)).all()
        with write_transaction() as session:
            for number, respondent_id in enumerate(respondents):
                session.add(Comment(assessment_id=demo_ids.assessment_id,
                                    respondent_id=respondent_id, topic_id=TOPIC,
                                    text=f"Browsertekst {number} over de regio."))
    findings = Findings()
    facilitator.goto(f"/begeleider/scans/{demo_ids.assessment_id}/toelichtingen")
    findings.check(facilitator, "moderation")
    ids = []
    for number in range(2):
        item = facilitator.locator("li.moderated-text").filter(
            has_text=f"Browsertekst {number} over de regio.")
        item.get_by_label("Aanvinken").check()
        ids.append(item.get_attribute("id"))
    facilitator.get_by_role("button", name="Aangevinkte toelichtingen uitsluiten").first.click()
    expect(facilitator.get_by_text("2 toelichtingen zijn uitgesloten")).to_be_visible()
    for item_id in ids:
        expect(facilitator.locator(f"#{item_id}")).to_contain_text("Uitgesloten")
    facilitator.locator(f"#{ids[0]}").get_by_role("link", name="Tekst aanpassen").click()
    findings.check(facilitator, "redact a text")
    facilitator.get_by_label("Aangepaste tekst").fill("Een aangepaste browsertekst.")
    facilitator.get_by_role("button", name="Aangepaste tekst opslaan").click()
    expect(facilitator.locator(f"#{ids[0]}")).to_contain_text("Een aangepaste browsertekst.")
    expect(facilitator.get_by_text("Browsertekst 0 over de regio.")).to_have_count(0)
    findings.assert_clean()
