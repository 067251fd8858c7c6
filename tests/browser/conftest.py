"""Fixtures for the browser tests: a live server, Chromium, and pages that watch for errors.

The server is the real app (``create_app``) on a fresh migrated SQLite file with the demo
seeded, served by werkzeug in a thread on a free loopback port; ``BASE_URL`` is that address,
so resume links and join links point at it. Chromium is Debian's (Playwright's own browsers
cannot be downloaded here). Without it the tests skip, unless ``REGIOSPIEGEL_REQUIRE_BROWSER=1``
asks for them to fail, as CI does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from assessment import create_app, db
from assessment.config import PROJECT_ROOT
from assessment.extensions import limiter

CHROMIUM = Path(os.environ.get("REGIOSPIEGEL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
#: Parts of Chromium's own window the tests never see. For every window (each context's
#: page) the browser loads its address bar's suggestion popups as two web pages of their own
#: (``chrome://omnibox-popup.top-chrome/``), each in a renderer process: switched off, a
#: new context with its first page costs 0.4 s of CPU instead of 0.64 s.
CHROMIUM_UNUSED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
SCREENSHOTS = PROJECT_ROOT / "screenshots"

DEMO_EMAIL = "demo@regiospiegel.nl"
DEMO_PASSWORD = "demo-regiospiegel"  # the public demo account seeded by assessment.demo
#: The join code of the demo's open try-out scan, where participants in the tests answer.
DEMO_CODE = "DMZW26"

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True,
                         "has_touch": True, "device_scale_factor": 2}
#: Every context speaks Dutch, so the app's default language is what the tests see.
LOCALE: dict[str, Any] = {"locale": "nl-NL"}
#: How long an action or an ``expect`` waits for the page before it fails. Playwright's
#: ``expect`` waits 5 s by default; beside the rest of the suite on two busy cores, saving a
#: page took longer than that. It is a bound on waiting, not a measure of speed.
WAIT_MS = 15_000


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List the moderate and minor accessibility findings: warnings, not failures."""
    from tests.browser.audit import ADVISORY

    if ADVISORY:
        terminalreporter.section("accessibility warnings (moderate or minor)")
        for finding in dict.fromkeys(ADVISORY):
            terminalreporter.write_line(finding)


@dataclass(frozen=True)
class LiveServer:
    """The running app: its address and the Flask object (for reading the database)."""

    base_url: str
    app: Flask

    def url(self, path: str) -> str:
        """An absolute URL on the live server."""
        return self.base_url + path


def buffered(app: Any) -> Any:
    """The app with each response read whole and its file closed before it is sent.

    Werkzeug's development server streams a static file from an open file and closes it after
    sending; when the browser drops the connection half-way (it moved on to the next page),
    the clean-up can be skipped and the file is left for the garbage collector, which
    pytest (warnings as errors) reports in whichever test runs then.
    """
    def wrapped(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
    return wrapped


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without the access log, which would bury a failure's output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing for a request that was answered."""


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app with the demo seeded, served on a free port of 127.0.0.1."""
    directory = tmp_path_factory.mktemp("browser")
    database = f"sqlite:///{directory / 'regiospiegel.sqlite3'}"
    db.upgrade(database)
    app = create_app({"SECRET_KEY": "browser-test-secret-not-for-production",
                      "DATABASE_URL": database, "REPORT_CACHE_DIR": str(directory / "reports"),
                      # Many participants start from one address in a session of tests.
                      "START_RATE_LIMIT": "10000 per minute",
                      # Low, so that logging in more often than this is quick to test.
                      "LOGIN_RATE_LIMIT": "3 per 10 minutes",
                      # The tests wait for the live page's next update (5 s on a server).
                      "LIVE_POLL_SECONDS": 1,
                      # The browser beside it is the only other work: no need to step aside.
                      "REPORT_NICENESS": 0})
    # Port 0 lets the system pick a free port, without a race between probing and binding.
    server: BaseWSGIServer = make_server("127.0.0.1", 0, buffered(app), threaded=True,
                                          request_handler=QuietRequestHandler)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base_url
    from assessment import demo

    with app.app_context():
        limiter.reset()
        demo.seed()
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(base_url, app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.extensions["regiospiegel.reports"].close()
    app.extensions["regiospiegel.mail"].close()
    db.dispose(app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium, or a skip (a failure under REGIOSPIEGEL_REQUIRE_BROWSER=1)."""
    if not CHROMIUM.exists():
        message = (f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
                   "or set REGIOSPIEGEL_CHROMIUM to run the browser tests")
        if os.environ.get("REGIOSPIEGEL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = launch(playwright.chromium)
        yield chromium
        chromium.close()


def launch(browser_type: Any, extra: Sequence[str] = ()) -> Any:
    """Chromium with ``CHROMIUM_ARGS`` and without ``CHROMIUM_UNUSED_FEATURES``.

    Chromium reads only the last ``--disable-features`` on its command line, and Playwright
    passes one of its own: the browser is started once to read Playwright's list (Chromium
    tells its command line under ``--enable-automation``), and again with one list of both.
    """
    chromium = browser_type.launch(executable_path=str(CHROMIUM), headless=True,
                                   args=[*CHROMIUM_ARGS, "--enable-automation"])
    session = chromium.new_browser_cdp_session()
    switches = session.send("Browser.getBrowserCommandLine")["arguments"]
    chromium.close()
    disabled = [feature for switch in switches if switch.startswith("--disable-features=")
                for feature in switch.split("=", 1)[1].split(",") if feature]
    features = ",".join(dict.fromkeys([*disabled, *CHROMIUM_UNUSED_FEATURES]))
    return browser_type.launch(executable_path=str(CHROMIUM), headless=True,
                               args=[*CHROMIUM_ARGS, *extra, f"--disable-features={features}"])


@dataclass
class PageProblems:
    """What went wrong in the browser while a test ran: script errors, CSP, failed loads."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> Any:
        """Record console errors, uncaught exceptions and failed subresources of ``page``."""
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))
        page.on("response", self._on_response)
        return page

    def _on_console(self, message: Any) -> None:
        # A failed load is reported by _on_response, which knows whether it was the page
        # itself (a 400 or 404 page the test asked for) or something the page needed.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.messages.append(f"console error at {message.location.get('url')}: "
                                 f"{message.text}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.messages.append(f"{response.status} for {response.request.resource_type} "
                                 f"{response.url}")


@pytest.fixture
def problems() -> Iterator[PageProblems]:
    """The problems seen on every page the test opened; the test fails if there are any."""
    seen = PageProblems()
    yield seen
    assert not seen.messages, "the browser reported problems:\n" + "\n".join(seen.messages)


ContextFactory = Callable[..., Any]


@pytest.fixture
def new_context(browser: Any, live_server: LiveServer,
                problems: PageProblems) -> Iterator[ContextFactory]:
    """Make browser contexts (``new_context(PHONE)``) whose pages report their problems."""
    contexts: list[Any] = []

    def make(options: dict[str, Any] | None = None, **extra: Any) -> Any:
        context = browser.new_context(base_url=live_server.base_url,
                                      **{**LOCALE, **DESKTOP, **(options or {}), **extra})
        context.set_default_timeout(WAIT_MS)
        context.on("page", problems.watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def desktop(new_context: ContextFactory) -> Any:
    """A fresh page in a 1280×800 desktop context."""
    return new_context(DESKTOP).new_page()


@pytest.fixture
def phone(new_context: ContextFactory) -> Any:
    """A fresh page in a 360×740 touch-screen phone context."""
    return new_context(PHONE).new_page()


@pytest.fixture(scope="session")
def facilitator_state(browser: Any, live_server: LiveServer,
                      tmp_path_factory: pytest.TempPathFactory) -> str:
    """Cookies of the demo facilitator, logged in once (logins are rate limited)."""
    path = tmp_path_factory.mktemp("state") / "facilitator.json"
    context = browser.new_context(base_url=live_server.base_url, **LOCALE)
    page = context.new_page()
    log_in(page)
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def facilitator(new_context: ContextFactory, facilitator_state: str) -> Any:
    """A desktop page logged in as the demo facilitator."""
    return new_context(DESKTOP, storage_state=facilitator_state).new_page()


@pytest.fixture(scope="session")
def admin_state(browser: Any, live_server: LiveServer,
                tmp_path_factory: pytest.TempPathFactory) -> str:
    """Cookies of an administrator (the demo facilitator is none), logged in once."""
    from assessment import management

    email, password = "beheer@example.nl", "beheer-wachtwoord-voor-tests"
    with live_server.app.app_context():
        management.create_facilitator(email, password, name="Beheer", is_admin=True)
    path = tmp_path_factory.mktemp("state") / "admin.json"
    context = browser.new_context(base_url=live_server.base_url, **LOCALE)
    log_in(context.new_page(), email, password)
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@dataclass(frozen=True)
class Demo:
    """The seeded demo: the facilitator's id, the closed filled-in scan's and the try-out's."""

    facilitator_id: int
    assessment_id: int  # the filled-in scan: results, projector, report
    tryout_id: int      # the open scan that DEMO_CODE joins
    programme_id: int   # the demo programme, which the demo facilitator owns


@pytest.fixture(scope="session")
def demo_ids(live_server: LiveServer) -> Demo:
    """Ids of the demo facilitator and its two scans in the live server's database."""
    from sqlalchemy import select

    from assessment import programmes
    from assessment.db import read_session
    from assessment.demo import DEMO_JOIN_CODE, DEMO_PROGRAMME
    from assessment.models import Assessment, Facilitator

    with live_server.app.app_context():
        session = read_session()
        facilitator = session.scalar(select(Facilitator.id).where(Facilitator.email == DEMO_EMAIL))
        filled_in, tryout = (session.scalar(select(Assessment.id)
                                            .where(Assessment.join_code == code))
                             for code in (DEMO_JOIN_CODE, DEMO_CODE))
        programme = programmes.programme_by_name(DEMO_PROGRAMME)
    assert facilitator is not None and filled_in is not None and tryout is not None
    assert programme is not None
    return Demo(facilitator, filled_in, tryout, programme.id)


def new_assessment(live_server: LiveServer, owner_id: int, title: str,
                   language: str = "nl") -> tuple[int, str]:
    """A new assessment in preparation (not open) on the product's questionnaire."""
    from assessment import management, questionnaire_files
    from assessment.db import read_session
    from assessment.models import Assessment

    with live_server.app.app_context():
        questionnaire = questionnaire_files.available()[("tien-lessen", language)]
        assessment_id = management.create_assessment(owner_id, "Regio Test", title,
                                                     questionnaire)
        assessment = read_session().get(Assessment, assessment_id)
        assert assessment is not None
        return assessment_id, assessment.join_code


def log_in(page: Any, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> None:
    """Log in on the facilitator's login page and land on "Mijn scans"."""
    page.goto("/begeleider/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/begeleider/")


def screenshot(page: Any, name: str) -> None:
    """Save a full-page PNG as screenshots/<name>.png for people to look at.

    Only with ``REGIOSPIEGEL_SCREENSHOTS=1``: nobody looks at them in an ordinary run, and
    taking them (a full page, twice the pixels on a phone) costs the browser tests time.
    """
    if os.environ.get("REGIOSPIEGEL_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
