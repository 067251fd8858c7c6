"""The browser tests' own checks catch what they claim to: a broken page must fail them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.audit import Findings
from tests.browser.conftest import LiveServer, PageProblems

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
