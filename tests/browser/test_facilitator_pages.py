"""Facilitator pages in Chromium: the results table's width, destructive buttons, moderation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.audit import Findings
from tests.browser.conftest import Demo

pytestmark = pytest.mark.browser

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
