"""A real server process on 127.0.0.1 and browsers that talk to it over HTTP.

For the loopback tests: the app runs as `flask run --with-threads` in its own process
group (so a test can SIGKILL it like a crashed host), and each simulated participant has
its own cookie jar. Every request has a timeout; every wait has a deadline.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from assessment.config import PROJECT_ROOT

#: Seconds one request may take before the test counts it as a hang. A hang detector, not a
#: timing check: on a shared machine at a load of 20 a queued SQLite write has taken over 15 s.
REQUEST_TIMEOUT = 60.0
#: Seconds the server may take to start answering.
START_TIMEOUT = 60.0

#: What a browser sees when the server is gone: refused, reset or closed connections.
CONNECTION_ERRORS = (ConnectionError, http.client.RemoteDisconnected,
                     http.client.BadStatusLine, http.client.IncompleteRead)


class ServerGone(Exception):
    """The request got no HTTP answer: the connection was refused, reset or closed."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """The app in its own process, on the loopback interface only."""

    def __init__(self, port: int, environment: dict[str, str], log: Path) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.environment = environment
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers GET /."""
        command = [sys.executable, "-m", "flask", "--app", "assessment:create_app", "run",
                   "--host", "127.0.0.1", "--port", str(self.port), "--with-threads",
                   "--no-reload", "--no-debugger"]
        env = {**os.environ, **self.environment}
        env.pop("FLASK_DEBUG", None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n"
                                     + self.log.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, *CONNECTION_ERRORS):
                time.sleep(0.1)
        raise AssertionError("server did not answer in time:\n"
                             + self.log.read_text(errors="replace"))

    def kill(self) -> None:
        """SIGKILL the server's process group (the server and any worker it started)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, redirect target (path only) and body."""

    status: int
    location: str
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Return redirects to the caller: a 302 is the acknowledgement the test counts."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """One participant's browser: its own cookie jar, no automatic redirects."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def get(self, path: str) -> Reply:
        """GET a path."""
        return self._send(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict[str, str]) -> Reply:
        """POST a form to a path."""
        body = urllib.parse.urlencode(data).encode()
        return self._send(urllib.request.Request(self.base_url + path, data=body))

    def _send(self, request: urllib.request.Request) -> Reply:
        # A server killed mid-answer may have sent the status line and headers but not the
        # whole body, of a 200 or of a 302 alike: that is no answer either, so every read,
        # the error responses' included, is inside the same guard.
        try:
            try:
                response = self.opener.open(request, timeout=REQUEST_TIMEOUT)
            except urllib.error.HTTPError as error:  # 3xx, 4xx and 5xx all arrive here
                with error:
                    return _reply(error.code, error.headers.get("Location", ""),
                                  error.read())
            with response:
                return _reply(response.status, response.headers.get("Location", ""),
                              response.read())
        except urllib.error.URLError as error:
            if isinstance(error.reason, CONNECTION_ERRORS):
                raise ServerGone(str(error.reason)) from error
            raise
        except CONNECTION_ERRORS as error:
            raise ServerGone(str(error)) from error


def _reply(status: int, location: str, body: bytes) -> Reply:
    return Reply(status, urllib.parse.urlsplit(location).path, body.decode("utf-8", "replace"))


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.checked: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "input":
            return
        attributes = dict(attrs)
        name, value = attributes.get("name"), attributes.get("value")
        if name is None or value is None:
            return
        if attributes.get("type") in ("radio", "checkbox"):
            if "checked" in attributes:
                self.checked[name] = value
        else:
            self.values[name] = value


def hidden_value(html: str, name: str) -> str:
    """The value of a (hidden) input in a page, such as csrf_token or start_key."""
    parser = _Inputs()
    parser.feed(html)
    assert name in parser.values, f"page has no input {name!r}"
    return parser.values[name]


def checked_choices(html: str) -> dict[str, str]:
    """The radio buttons shown as chosen in a page, by field name."""
    parser = _Inputs()
    parser.feed(html)
    return parser.checked
