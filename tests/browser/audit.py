"""Accessibility checks shared by the browser tests: axe-core, the page language, reflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.sync_playwright import Axe

#: The WCAG 2.2 A and AA rules (colour contrast among them) and axe's best practices.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                          "wcag22aa", "best-practice"]},
}
BLOCKING = {"serious", "critical"}

_axe = Axe()

#: Moderate and minor findings of the whole run, printed in pytest's terminal summary.
ADVISORY: list[str] = []


@dataclass
class Findings:
    """Violations found on the pages of one test: blocking ones fail it, others are listed."""

    blocking: list[str] = field(default_factory=list)
    advisory: list[str] = field(default_factory=list)
    pages: int = 0

    def check(self, page: Any, name: str, language: str = "nl") -> None:
        """Run axe on ``page`` and check its ``lang``; record what is wrong under ``name``."""
        self.pages += 1
        # A click that submits a form returns once the next page has started to load; its
        # document may not exist yet (documentElement is null until parsing begins).
        page.wait_for_load_state("load")
        lang = page.evaluate("document.documentElement.lang")
        if lang != language:
            self.blocking.append(f"[{name}] <html lang={lang!r}>, expected {language!r}")
        result = _axe.run(page, options=AXE_OPTIONS).response
        ran = {rule["id"] for kind in ("violations", "passes", "incomplete", "inapplicable")
               for rule in result.get(kind, [])}
        if "color-contrast" not in ran:
            self.blocking.append(f"[{name}] axe did not run the color-contrast rule")
        for violation in result["violations"]:
            text = describe(name, violation)
            (self.blocking if violation["impact"] in BLOCKING else self.advisory).append(text)

    def assert_clean(self) -> None:
        """Fail with every serious or critical violation; list the others for the summary."""
        assert self.pages, "no page was checked"
        ADVISORY.extend(self.advisory)
        assert not self.blocking, ("serious or critical accessibility violations:\n"
                                   + "\n".join(self.blocking))


def describe(name: str, violation: dict[str, Any]) -> str:
    """One violation with every node it was found on, readable in a test report."""
    lines = [f"[{name}] {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"]:
        lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
        summary = node.get("failureSummary")
        if summary:
            lines.append("      " + summary.replace("\n", "\n      "))
    return "\n".join(lines)


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0 when it reflows)."""
    return int(page.evaluate(
        "document.documentElement.scrollWidth - window.innerWidth"))
