"""The browser tests' own checks catch what they claim to: a broken page must fail them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.audit import Findings
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_UNUSED_FEATURES,
    LiveServer,
    PageProblems,
    launch,
)

pytestmark = pytest.mark.browser


def test_the_audit_reports_language_contrast_and_alt_text(browser: Any) -> None:
    """A page with known faults gives a blocking finding for each of them."""
    page = browser.new_page()
    page.set_content(
        '<html lang="en"><head><title>Fout</title></head><body><main><h1>Fout</h1>'
        '<p style="color:#bbb">vaag</p><img src="data:,"></main></body></html>')
    findings = Findings()
    findings.check(page, "bad page", language="nl")
    page.close()
    text = "\n".join(findings.blocking)
    for expected in ("lang='en'", "color-contrast (serious)", "image-alt (critical)"):
        assert expected in text, f"{expected} not found in:\n{text}"


def test_page_problems_catch_csp_violations_and_failed_loads(
    browser: Any, live_server: LiveServer
) -> None:
    """An inline script (refused by the CSP) and a missing stylesheet are both recorded."""
    problems = PageProblems()
    context = browser.new_context(base_url=live_server.base_url)
    page = problems.watch(context.new_page())
    page.goto("/")
    assert problems.messages == []
    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate("""() => {
          const script = document.createElement("script");
          script.textContent = "document.title = 'injected'";
          document.body.append(script);
        }""")
    with page.expect_response(lambda response: response.url.endswith("/ontbreekt.css")):
        page.evaluate("fetch('/static/ontbreekt.css')")
    context.close()
    assert any("Content Security Policy" in message for message in problems.messages), (
        problems.messages)
    assert any(message.startswith("404 for fetch") for message in problems.messages), (
        problems.messages)


def test_the_browser_keeps_playwright_s_switches_and_loads_no_address_bar_popups(
    browser: Any, live_server: LiveServer
) -> None:
    """Chromium reads one ``--disable-features``: the browser's has Playwright's and ours."""
    context = browser.new_context(base_url=live_server.base_url)
    context.new_page().goto("/")
    targets = browser.new_browser_cdp_session().send(
        "Target.getTargets", {"filter": [{}]})["targetInfos"]  # the browser's own pages too
    context.close()
    assert live_server.url("/") in [target["url"] for target in targets
                                    if target["type"] == "page"]
    assert not [target for target in targets if target["url"].startswith("chrome://")]

    def disabled_features(chromium: Any) -> set[str]:
        switches = chromium.new_browser_cdp_session().send(
            "Browser.getBrowserCommandLine")["arguments"]
        chromium.close()
        last = [switch for switch in switches if switch.startswith("--disable-features=")][-1]
        return set(last.split("=", 1)[1].split(","))

    playwright_s = disabled_features(browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--enable-automation"]))
    ours = disabled_features(launch(browser.browser_type, extra=["--enable-automation"]))
    assert "PaintHolding" in playwright_s  # one Playwright needs (its issue 28023)
    assert ours == playwright_s | set(CHROMIUM_UNUSED_FEATURES)
