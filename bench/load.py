"""Load benchmark: participants answering over HTTP against gunicorn, SQLite and PostgreSQL.

Each simulated participant is a small browser (raw HTTP/1.1 over asyncio, its own cookie
jar, the CSRF token taken from the form it got): it opens the join link, presses
"Beginnen", follows the redirects, posts every page of the questionnaire with an answer to
each statement, and sends its answers in from the review page. A post counts as
acknowledged when it redirects to the next page (or, for sending in, to the thank-you page).
Afterwards the stored answers are compared with the acknowledged ones: an acknowledged
answer missing or with another value is a lost answer, and an acknowledged sending-in that
left the respondent unsubmitted is a lost submission.

Each figure is printed beside a baseline measured in the same run: a minimal Flask app
(``bench/baseline_app.py``) on the same gunicorn settings and database stack, whose clients
make the same number of requests at the same moments (each post inserts one row, then a
redirect is followed).

Scenarios, on SQLite and on PostgreSQL (a database made for the run on the server of
``BENCH_DATABASE_URL``, default the local ``test`` database as entry point; skipped when
unreachable):

1. **Participants**, 60 and 200 (``--counts``). What a participant waits for. The room
   joins at once: each participant starts at a random moment within the first
   ``RAMP`` seconds and opens the link, presses "Beginnen" and gets the first page without
   pausing; then it pauses a think time (uniform between the bounds of ``THINK_TIME``,
   2–6 s) before each page post and before sending in. A real participant reads four or
   five statements and chooses in 30–60 s, so this is still about ten times faster than a
   real room. The whole path (13 pages and sending in, 32 requests) takes about 70 s.
   The baseline's clients keep the same pauses (same seeds).
2. **Saturation**: 60 clients on the same path without any pause, back to back, app
   against baseline. This measures the server's capacity (requests per second), not what
   a participant experiences: its latencies are printed too, but they are queueing (about
   clients ÷ throughput). Beside it, where /proc tells (Linux): the CPU time the server's
   processes (gunicorn's master and workers) used per request, and the shares of the
   machine's CPU time the server, the clients and nobody (idle) used. The clients run on
   the same cores: when the server's and the clients' shares leave little idle, the
   server is bound by CPU (or by other work on the machine), and its capacity is the
   cores' time over the CPU time per request; much idle means it waits (for a lock, the
   database, a thread).
3. **Report rendering**, on SQLite: 60 participants as in 1 while the report renders in a
   loop in another process (the app's report code, in its niced render worker), against 60
   participants right before without rendering. The loop runs in a session of its own, as
   a report worker service (`regiospiegel worker`) does beside the web server.

Targets: zero errors, zero lost answers and submissions; participants' p95 ≤ 250 ms at 60
and ≤ 600 ms at 200 (scenario 1); saturation throughput ≥ 40 % of the baseline's (scenario
2); participants' p95 growth while rendering ≤ 25 % (scenario 3). The benchmark prints; it
asserts nothing. Everything listens on 127.0.0.1 only, every request has a timeout and
every scenario a deadline. Run with ``make bench`` or ``PYTHONPATH=. .venv/bin/python
bench/load.py [--only sqlite|postgresql] [--counts 60,200] [--workers N --threads M]
[--saturation-only | --rendering-only]``; ``--saturation-only`` runs scenario 2 alone (a
minute a database instead of six), to compare changes to the server's capacity by turns, and
``--rendering-only`` scenario 3 alone (three minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, func, make_url, pool, select

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
#: Seconds one request may take before it counts as an error.
REQUEST_TIMEOUT = 30.0
#: Seconds one scenario may take in all; participants not done by then count as errors.
SCENARIO_DEADLINE = 240.0
#: Seconds gunicorn may take to answer its first request.
START_TIMEOUT = 30.0
#: Seconds a participant pauses before each page post, drawn uniformly between these bounds.
#: A real participant reads a page of four or five statements and chooses in 30–60 s; 2–6 s
#: is about ten times faster, so the test stays harsh while it measures what a participant
#: waits for instead of the queue of a server driven past its capacity.
THINK_TIME = (2.0, 6.0)
#: Seconds over which the participants' starts are spread: a room joins at once, but people
#: do not press "Beginnen" in the same millisecond.
RAMP = 5.0
#: Clients of the saturation run. More only lengthens the queue: the throughput stays.
SATURATION_CLIENTS = 60
#: Participants while the report renders (and in the run without rendering beside it).
RENDER_PARTICIPANTS = 60
TARGET_P95_MS = {60: 250.0, 200: 600.0}
TARGET_SHARE_OF_BASELINE = 0.40
TARGET_P95_GROWTH = 0.25
SECRET = "bench-secret-key-not-for-production"  # noqa: S105 (only signs the bench's forms)


# -- a browser ---------------------------------------------------------------------------


@dataclass
class Reply:
    """One HTTP response: status, headers (lower-case names) and body text."""

    status: int
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str:
        """The first value of a header, or ""."""
        return self.headers.get(name, [""])[0]

    @property
    def location(self) -> str:
        """The redirect target as a path (absolute URLs cut to their path and query)."""
        parts = urlsplit(self.header("location"))
        return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Tally:
    """What one scenario's clients saw: latencies, errors, acknowledged answers."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: (resume token, statement id) → the value acknowledged last.
    acknowledged: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Resume tokens whose sending-in was acknowledged.
    submitted: set[str] = field(default_factory=set)
    started: float = 0.0
    finished: float = 0.0
    #: CPU seconds the clients themselves used (they share the machine with the server).
    client_cpu: float = 0.0
    #: CPU seconds the server's processes used meanwhile (None where /proc cannot tell).
    server_cpu: float | None = None
    #: The machine's idle share of its CPU time meanwhile (None where /proc cannot tell).
    idle_share: float | None = None

    def error(self, what: str) -> None:
        """Count an error (kept short: the first few are printed)."""
        self.errors.append(what[:200])


class Browser:
    """One participant's browser: a cookie jar, one request at a time, no keep-alive.

    Every request opens a fresh connection (``Connection: close``), so a server that closed
    an idle keep-alive connection never turns into a client-side retry.
    """

    def __init__(self, port: int, tally: Tally) -> None:
        self.port = port
        self.tally = tally
        self.cookies: dict[str, str] = {}

    async def get(self, path: str) -> Reply:
        """GET ``path``."""
        return await self.request("GET", path)

    async def post(self, path: str, form: dict[str, str] | list[tuple[str, str]]) -> Reply:
        """POST ``form`` to ``path``, url-encoded like a browser's form."""
        return await self.request("POST", path, urlencode(form).encode())

    async def request(self, method: str, path: str, body: bytes = b"") -> Reply:
        """Send one request and read the whole response; records its latency."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}",
                 "Connection: close", "User-Agent: regiospiegel-bench/1",
                 "Accept: text/html", "Accept-Language: nl"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            lines += ["Content-Type: application/x-www-form-urlencoded",
                      f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        start = time.perf_counter()
        reply = await asyncio.wait_for(self._exchange(raw), REQUEST_TIMEOUT)
        self.tally.latencies.append(time.perf_counter() - start)
        for cookie in reply.headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return reply

    async def _exchange(self, raw: bytes) -> Reply:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(raw)
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        if not status_line.startswith("HTTP/1."):
            raise ConnectionError(f"no HTTP response ({len(data)} bytes)")
        headers: dict[str, list[str]] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        if "chunked" in headers.get("transfer-encoding", [""])[0]:
            body = _unchunk(body)
        return Reply(int(status_line.split()[1]), headers, body.decode("utf-8", "replace"))


def _unchunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2:]
    return bytes(out)


class FormReader(HTMLParser):
    """The fields of the first POST form in a page, as a browser would fill them in.

    Hidden inputs keep their value; each radio group gets one of its values (chosen by
    ``pick``); text areas stay empty. Buttons are left to the caller.
    """

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}
        self.action: str | None = None
        #: Whether the first POST form has ended.
        self.done = False
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Collect inputs of the first form with method POST."""
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and not self.done and values.get("method", "").lower() == "post":
            self._in_form = True
            self.action = values.get("action") or None
        elif tag == "input" and self._in_form and values.get("name"):
            kind = values.get("type", "text")
            if kind == "hidden":
                self.hidden[values["name"]] = values.get("value", "")
            elif kind == "radio":
                self.radios.setdefault(values["name"], []).append(values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        """The first form ends here."""
        if tag == "form" and self._in_form:
            self._in_form, self.done = False, True


def read_form(html: str) -> FormReader:
    """The first POST form of a page.

    Only the forms are parsed, not the text around them: the clients run on the server's
    cores, so their CPU time is taken from the server's, and the baseline's clients parse
    nothing. A whole question page took 0.47 ms to parse, its form 0.29 ms; the review
    page 0.68 ms, its form 0.04 ms.
    """
    reader = FormReader()
    start = html.find("<form")
    while start >= 0 and not reader.done:
        end = html.find("</form>", start)
        end = len(html) if end < 0 else end + len("</form>")
        reader.feed(html[start:end])
        start = html.find("<form", end)
    return reader


# -- what participants and baseline clients do -------------------------------------------

_TOKEN_IN_PATH = re.compile(r"^/r/([^/]+)/")


@dataclass(frozen=True)
class Pacing:
    """When a client waits: its start within a ramp, and a think time before each post."""

    ramp: float
    think: tuple[float, float]

    async def arrive(self, clock: random.Random) -> None:
        """Wait until this client's start within the ramp."""
        await asyncio.sleep(clock.uniform(0.0, self.ramp))

    async def pause(self, clock: random.Random) -> None:
        """Think before the next post."""
        await asyncio.sleep(clock.uniform(*self.think))

    def describe(self) -> str:
        """The pacing in words, for the printed headings."""
        if self.ramp == 0 and self.think == (0.0, 0.0):
            return "no think time, all at once"
        low, high = self.think
        return f"think time {low:g}–{high:g} s before each post, starts over {self.ramp:g} s"


#: Participants as people in a room (scenarios 1 and 3).
PEOPLE = Pacing(RAMP, THINK_TIME)
#: Back to back, to measure capacity (scenario 2).
SATURATION = Pacing(0.0, (0.0, 0.0))
#: Requests a participant makes before its first pause: welcome, "Beginnen", intro, profile.
OPENING_REQUESTS = 4


async def participant(port: int, code: str, seed: int, tally: Tally, pacing: Pacing) -> None:
    """Join by the link, press "Beginnen", answer every page, send in from the review page."""
    rng = random.Random(seed)  # noqa: S311 (picks answers, protects nothing)
    clock = random.Random(seed)  # noqa: S311 (the baseline client of this seed pauses alike)
    browser = Browser(port, tally)
    await pacing.arrive(clock)
    welcome = await browser.get(f"/d/{code}")
    start = read_form(welcome.body)
    if welcome.status != 200 or "start_key" not in start.hidden:
        tally.error(f"welcome page: {welcome.status}")
        return
    started = await browser.post(f"/d/{code}", start.hidden)
    match = _TOKEN_IN_PATH.match(started.location)
    if started.status != 302 or match is None:
        tally.error(f"start: {started.status} {started.location}")
        return
    token = match.group(1)
    await browser.get(started.location)  # the intro page; its link leads to the profile
    path = f"/r/{token}/profiel"
    page = await browser.get(path)
    while not path.endswith("/overzicht"):
        if page.status != 200:
            tally.error(f"GET {path}: {page.status}")
            return
        form = read_form(page.body)
        choices = {name: rng.choice(values) for name, values in form.radios.items()}
        await pacing.pause(clock)
        saved = await browser.post(path, {**form.hidden, **choices, "action": "volgende"})
        if saved.status != 302 or saved.location == path:
            tally.error(f"POST {path}: {saved.status} {saved.location}")
            return
        for name, value in choices.items():
            if name.startswith("a_"):
                tally.acknowledged[(token, name.removeprefix("a_"))] = value
        path = saved.location
        page = await browser.get(path)
    review = read_form(page.body)
    if page.status != 200 or review.action is None:
        tally.error(f"GET {path}: {page.status}")
        return
    await pacing.pause(clock)
    sent = await browser.post(review.action, review.hidden)
    if sent.status != 302 or not sent.location.endswith("/bedankt"):
        tally.error(f"POST {review.action}: {sent.status} {sent.location}")
        return
    tally.submitted.add(token)
    thanks = await browser.get(sent.location)
    if thanks.status != 200:
        tally.error(f"GET {sent.location}: {thanks.status}")


async def baseline_client(port: int, batch: str, first: int, posts: int, seed: int,
                          tally: Tally, pacing: Pacing) -> None:
    """Post ``posts`` rows, each followed by its redirect, paced like participant ``seed``.

    The first two posts stand for the participant's opening requests and follow each other
    at once; every later one comes after the same pause as the participant's page post.
    """
    clock = random.Random(seed)  # noqa: S311 (timing only)
    browser = Browser(port, tally)
    await pacing.arrive(clock)
    for step, number in enumerate(range(first, first + posts)):
        if 2 * step >= OPENING_REQUESTS:
            await pacing.pause(clock)
        saved = await browser.post("/rij", {"batch": batch, "n": str(number)})
        if saved.status != 302:
            tally.error(f"POST /rij: {saved.status}")
            return
        tally.acknowledged[(batch, str(number))] = "1"
        done = await browser.get(saved.location)
        if done.status != 200:
            tally.error(f"GET {saved.location}: {done.status}")
            return


async def run_clients(clients: list[Coroutine[Any, Any, None]], tally: Tally,
                      server: Server) -> None:
    """Run the clients at once, within the scenario's deadline."""
    tally.started = time.perf_counter()
    cpu = time.process_time()
    server_cpu = server.cpu_seconds()
    idle = idle_ticks()
    tasks = [asyncio.ensure_future(client) for client in clients]
    done, pending = await asyncio.wait(tasks, timeout=SCENARIO_DEADLINE)
    for task in pending:
        task.cancel()
        tally.error("client not finished before the deadline")
    for task in done:
        if task.exception() is not None:
            tally.error(f"{type(task.exception()).__name__}: {task.exception()}")
    tally.finished = time.perf_counter()
    tally.client_cpu = time.process_time() - cpu
    server_cpu_after = server.cpu_seconds()
    if server_cpu is not None and server_cpu_after is not None:
        tally.server_cpu = server_cpu_after - server_cpu
    idle_after = idle_ticks()
    if idle is not None and idle_after is not None and idle_after[1] > idle[1]:
        tally.idle_share = (idle_after[0] - idle[0]) / (idle_after[1] - idle[1])


def idle_ticks() -> tuple[int, int] | None:
    """The machine's idle and total CPU ticks so far (/proc/stat), or None (not Linux)."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return ticks[3] + ticks[4], sum(ticks)  # idle and waiting for I/O


# -- figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One scenario's results."""

    requests: int
    seconds: float
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    lost: int
    #: Acknowledged sendings-in whose respondent is not submitted (participants only).
    lost_submissions: int
    first_errors: tuple[str, ...]
    #: The clients' share of the machine's CPU time during the run.
    client_cpu_share: float
    #: The server's share of the machine's CPU time during the run (None: unknown).
    server_cpu_share: float | None
    #: The share of the machine's CPU time nobody used during the run (None: unknown).
    idle_share: float | None
    #: Milliseconds of server CPU per request (None: unknown).
    server_cpu_ms: float | None
    #: Milliseconds of the clients' CPU per request.
    client_cpu_ms: float
    #: The machine's one-minute load average when the scenario ended.
    load: float


def figures(tally: Tally, lost: int, lost_submissions: int = 0) -> Figures:
    """Throughput and latency percentiles of a tally."""
    latencies = sorted(tally.latencies) or [0.0]
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 \
        else [latencies[0]] * 99
    elapsed = max(tally.finished - tally.started, 1e-9)
    cores = os.cpu_count() or 1
    server = tally.server_cpu
    return Figures(len(tally.latencies), elapsed, len(tally.latencies) / elapsed,
                   cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000, len(tally.errors),
                   lost, lost_submissions, tuple(tally.errors[:3]),
                   tally.client_cpu / (elapsed * cores),
                   None if server is None else server / (elapsed * cores),
                   tally.idle_share,
                   None if server is None or not tally.latencies
                   else server / len(tally.latencies) * 1000,
                   tally.client_cpu / max(len(tally.latencies), 1) * 1000,
                   os.getloadavg()[0])


def mark(ok: bool) -> str:
    """How a figure stands against its target."""
    return "ok" if ok else "MISS"


def _line(name: str, app: object, baseline: object = "", target: str = "") -> None:
    app_text = f"{app:.1f}" if isinstance(app, float) else str(app)
    baseline_text = f"{baseline:.1f}" if isinstance(baseline, float) else str(baseline)
    print(f"  {name:34}{app_text:>10}{baseline_text:>10}   {target}".rstrip())


def _common_lines(left: Figures, right: Figures, *, both_app: bool = False) -> None:
    """Errors, lost answers and the run's circumstances, as every scenario prints them.

    The zero targets apply to the app: the left column, and the right one too when
    ``both_app`` (otherwise the right column is the baseline).
    """
    apps = (left, right) if both_app else (left,)
    _line("errors", left.errors, right.errors,
          f"0 {mark(all(f.errors == 0 for f in apps))}")
    _line("lost answers" if both_app else "lost answers (baseline: rows)", left.lost,
          right.lost, f"0 {mark(all(f.lost == 0 for f in apps))}")
    _line("lost submissions", left.lost_submissions,
          right.lost_submissions if both_app else "-",
          f"0 {mark(all(f.lost_submissions == 0 for f in apps))}")
    _line("requests", left.requests, right.requests)
    _line("duration (s)", left.seconds, right.seconds)
    _line("client CPU share (of all cores)", f"{left.client_cpu_share:.0%}",
          f"{right.client_cpu_share:.0%}")
    _line("server CPU share (of all cores)", _share(left.server_cpu_share),
          _share(right.server_cpu_share))
    _line("idle CPU share (of all cores)", _share(left.idle_share), _share(right.idle_share))
    _line("load average (1 min) at the end", f"{left.load:.1f}", f"{right.load:.1f}")
    for error in left.first_errors + right.first_errors:
        print(f"    e.g. {error}")


def _share(share: float | None) -> str:
    return "?" if share is None else f"{share:.0%}"


def _ms(milliseconds: float | None) -> str:
    return "?" if milliseconds is None else f"{milliseconds:.2f}"


def print_legend() -> None:
    """What each scenario measures and what its figures mean."""
    low, high = THINK_TIME
    print(f"""What the figures mean
  Participants: N people answering the scan at once. Their starts are spread over {RAMP:.0f} s;
    the opening requests (link, "Beginnen", first page) follow each other at once; then each
    pauses a think time of {low:g}–{high:g} s (uniform; real people take 30–60 s) before each
    page post and before sending in. p50/p95/p99: how long a participant waits for one
    request (pauses not included). Targets: p95 ≤ 250 ms at 60 and ≤ 600 ms at 200;
    0 errors, 0 lost answers, 0 lost submissions. Baseline column: the minimal app, its
    clients pausing at the same moments.
  Saturation: {SATURATION_CLIENTS} clients on the same path with no pause at all. The saturation
    throughput (requests per second) is the server's capacity; target: ≥ 40 % of the
    baseline's. Its latencies are queueing (about clients / throughput), so no target.
  Report rendering: {RENDER_PARTICIPANTS} participants as above, first without and then with the
    report rendering in a loop in another process; target: p95 grows by at most 25 %.""")


def print_participants(label: str, result: Figures, baseline: Figures,
                       p95_target: float | None) -> None:
    """A participants scenario beside its baseline under the same pacing."""
    target = ("no target at this count" if p95_target is None
              else f"≤ {p95_target:.0f} ms {mark(result.p95_ms <= p95_target)}")
    print(f"\n{label}")
    _line("wait per request", "app", "baseline", "target")
    _line("p50 (ms)", result.p50_ms, baseline.p50_ms)
    _line("p95 (ms)", result.p95_ms, baseline.p95_ms, target)
    _line("p99 (ms)", result.p99_ms, baseline.p99_ms)
    _common_lines(result, baseline)


def print_saturation(label: str, result: Figures, baseline: Figures) -> None:
    """The saturation run: capacity against the baseline's, and its queueing latencies."""
    share = result.throughput / baseline.throughput if baseline.throughput else 0.0
    print(f"\n{label}")
    _line("", "app", "baseline", "target")
    _line("saturation throughput (req/s)", result.throughput, baseline.throughput,
          f"≥ 40 % of baseline: {share:.0%} {mark(share >= TARGET_SHARE_OF_BASELINE)}")
    print("  under saturation (no think time; latency is queueing):")
    _line("  p50 (ms)", result.p50_ms, baseline.p50_ms)
    _line("  p95 (ms)", result.p95_ms, baseline.p95_ms)
    _line("  p99 (ms)", result.p99_ms, baseline.p99_ms)
    _line("server CPU per request (ms)", _ms(result.server_cpu_ms), _ms(baseline.server_cpu_ms))
    _line("clients' CPU per request (ms)", _ms(result.client_cpu_ms),
          _ms(baseline.client_cpu_ms))
    _common_lines(result, baseline)


def print_rendering(label: str, quiet: Figures, busy: Figures, reports: int) -> None:
    """Participants with and without the report rendering beside them, and how many
    reports were rendered meanwhile."""
    growth = busy.p95_ms / quiet.p95_ms - 1 if quiet.p95_ms else 0.0
    print(f"\n{label}")
    _line("wait per request", "quiet", "renders", "target")
    _line("p50 (ms)", quiet.p50_ms, busy.p50_ms)
    _line("p95 (ms)", quiet.p95_ms, busy.p95_ms,
          f"growth {growth:+.0%}, ≤ +25 % {mark(growth <= TARGET_P95_GROWTH)}")
    _line("p99 (ms)", quiet.p99_ms, busy.p99_ms)
    _line("reports rendered meanwhile", "-", reports,
          f"one in {busy.seconds / reports:.1f} s" if reports else "none")
    _common_lines(quiet, busy, both_app=True)


# -- servers and databases ---------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ServerSettings:
    """How gunicorn serves the app and the baseline alike."""

    workers: int
    threads: int

    def environment(self, database_url: str, folder: Path) -> dict[str, str]:
        """The servers' environment: the database, its pool, the app's required settings."""
        return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                "BASE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1",
                "REPORT_CACHE_DIR": str(folder / "reports"),
                "REGIOSPIEGEL_ENV": "production", "PYTHONPATH": str(PROJECT_ROOT),
                # A request holds one connection at a time: one per thread, and a few spare.
                "DATABASE_POOL_SIZE": str(self.threads), "DATABASE_MAX_OVERFLOW": "2",
                # Every simulated participant comes from 127.0.0.1, hundreds per run: the
                # per-client start limit would stop them as one client.
                "START_RATE_LIMIT": "100000 per minute"}


@dataclass(frozen=True)
class Server:
    """A running gunicorn: its port, and its master's process id, which leads the process
    group of the master and its workers."""

    port: int
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU seconds (user and system) the master and its workers used so far, ended
        workers included; None where there is no /proc (not Linux)."""
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        total = 0
        try:
            for stat in Path("/proc").glob("[0-9]*/stat"):
                with suppress(OSError):
                    # The fields after the command (which may hold spaces) in parentheses.
                    fields = stat.read_text().rpartition(")")[2].split()
                    if int(fields[2]) != self.pid:  # the process group
                        continue
                    # utime, stime; and for the master those of its waited-for children
                    total += int(fields[11]) + int(fields[12])
                    if int(stat.parent.name) == self.pid:
                        total += int(fields[13]) + int(fields[14])
        except OSError:
            return None
        return total / ticks if total else None


@contextmanager
def gunicorn(app_spec: str, settings: ServerSettings, environment: dict[str, str],
             log: Path) -> Iterator[Server]:
    """Serve ``app_spec`` with gunicorn on a free loopback port; stop it afterwards."""
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), app_spec, "--bind", f"127.0.0.1:{port}",
               "--workers", str(settings.workers), "--threads", str(settings.threads),
               "--worker-class", "gthread", "--chdir", str(PROJECT_ROOT),
               "--backlog", "2048", "--timeout", "60", "--graceful-timeout", "5",
               "--log-level", "warning"]
    config = PROJECT_ROOT / "gunicorn.conf.py"
    if config.exists():  # the project's own settings; the flags above still win
        command[2:2] = ["--config", str(config)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=out,  # noqa: S603
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_answering(port, process, log)
        yield Server(port, process.pid)
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def _wait_until_answering(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}:\n"
                             + log.read_text(errors="replace")[-3000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if probe.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {START_TIMEOUT:.0f} s")


def migrate(database_url: str, environment: dict[str, str]) -> None:
    """Migrate with the app's own command, as an installation would."""
    subprocess.run([str(VENV_BIN / "regiospiegel"), "db", "upgrade"],  # noqa: S603
                   cwd=PROJECT_ROOT,
                   env=environment, check=True, capture_output=True)


def prepare_database(database_url: str, seed_demo: bool) -> None:
    """The baseline's table, and the demo scan (for the report renders) if asked."""
    from assessment import create_app, db, demo
    from bench.baseline_app import metadata

    engine = create_engine(db.normalise_url(database_url), poolclass=pool.NullPool)
    metadata.create_all(engine)
    engine.dispose()
    if seed_demo:
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET})
        with app.app_context():
            demo.seed()
        db.dispose(app)


def open_assessment(database_url: str, label: str) -> tuple[int, str]:
    """A new open assessment on the product's questionnaire, made with the app's services.

    One per scenario, so the per-code start limit (300 per 10 minutes) is never reached and
    the answers of each scenario are counted apart.
    """
    from assessment import create_app, db, management, questionnaire_files
    from assessment.models import Assessment, Status

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET})
    with app.app_context():
        email = f"bench-{label}-{os.getpid()}@example.nl".lower()
        owner = management.create_facilitator(email, "bench-wachtwoord-lang")
        questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
        assessment_id = management.create_assessment(owner, "Regio Bench", label,
                                                     questionnaire)
        management.set_status(assessment_id, Status.OPEN)
        assessment = db.read_session().get(Assessment, assessment_id)
        assert assessment is not None
        code = assessment.join_code
    db.dispose(app)
    return assessment_id, code


def lost_answers(database_url: str, assessment_id: int, tally: Tally) -> tuple[int, int]:
    """Acknowledged answers not stored with the value acknowledged last, and acknowledged
    sendings-in whose respondent is not stored as submitted."""
    from assessment import db
    from assessment.models import Answer, Respondent
    from assessment.participation import hash_token

    engine = create_engine(db.normalise_url(database_url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        stored = {(token_hash, statement_id): value
                  for token_hash, statement_id, value in connection.execute(
                      select(Respondent.token_hash, Answer.statement_id, Answer.value)
                      .join(Answer, Answer.respondent_id == Respondent.id)
                      .where(Respondent.assessment_id == assessment_id))}
        submitted = set(connection.execute(
            select(Respondent.token_hash).where(Respondent.assessment_id == assessment_id,
                                                Respondent.submitted_at.is_not(None))
        ).scalars())
    engine.dispose()
    hashes: dict[str, str] = {}
    lost = 0
    for (token, statement_id), value in tally.acknowledged.items():
        token_hash = hashes.setdefault(token, hash_token(token))
        if stored.get((token_hash, statement_id)) != value:
            lost += 1
    unsubmitted = sum(1 for token in tally.submitted
                      if hashes.setdefault(token, hash_token(token)) not in submitted)
    return lost, unsubmitted


def lost_rows(database_url: str, batch: str, tally: Tally) -> int:
    """Acknowledged baseline rows that are not stored."""
    from assessment import db
    from bench.baseline_app import bench_row

    engine = create_engine(db.normalise_url(database_url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        stored = connection.execute(
            select(func.count(func.distinct(bench_row.c.n))).where(bench_row.c.batch == batch)
        ).scalar_one()
    engine.dispose()
    return max(len(tally.acknowledged) - stored, 0)


@contextmanager
def postgres_database(server_url: str) -> Iterator[str | None]:
    """A database for this run on the PostgreSQL server of ``server_url``; dropped after.

    None when the server cannot be reached (the PostgreSQL scenarios are then skipped).
    """
    from assessment import db

    admin = create_engine(db.normalise_url(server_url), isolation_level="AUTOCOMMIT",
                          poolclass=pool.NullPool, connect_args={"connect_timeout": 5})
    name = f"regiospiegel_bench_{os.getpid()}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"PostgreSQL at {make_url(server_url).host} not reachable ({type(exc).__name__}):"
              " skipping its scenarios")
        yield None
        return
    try:
        yield make_url(db.normalise_url(server_url)).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# -- the report renders ------------------------------------------------------------------


@contextmanager
def rendering_reports(environment: dict[str, str], log: Path) -> Iterator[list[int]]:
    """Render the demo report in a loop in another process while inside; afterwards the
    list yielded holds how many reports were rendered after the first (a render process
    that steps aside must still get on with its work)."""
    command = [sys.executable, str(Path(__file__)), "--render-loop"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment,  # noqa: S603
                                   stdout=subprocess.PIPE, stderr=out,
                                   start_new_session=True)
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()  # the first render is done: the loop is warm
        if not ready.startswith(b"warm"):
            raise SystemExit("the render loop did not start; see " + str(log))
        rendered: list[int] = []
        yield rendered
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
    last = process.stdout.read().split()
    rendered.append(int(last[0]) - 1 if last else 0)


def render_loop() -> None:
    """Render the demo report over and over (the app's report code), until terminated."""
    from assessment import create_app
    from assessment.db import read_session
    from assessment.demo import DEMO_JOIN_CODE
    from assessment.models import Assessment
    from reports.build import report_context, report_html
    from reports.render import Renderer, RenderLimits

    app = create_app()
    static_dir = Path(app.static_folder or "")
    # The app's render limits, from its settings (REPORT_NICENESS among them).
    renderer = Renderer(static_dir, RenderLimits.from_config(app.config))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    renders = 0
    try:
        with app.app_context():
            assessment = read_session().scalar(
                select(Assessment).where(Assessment.join_code == DEMO_JOIN_CODE))
            assert assessment is not None
            while True:
                html = report_html(report_context(assessment),
                                   static_dir.resolve().as_uri() + "/")
                renderer.render(html)
                renders += 1
                if renders == 1:
                    print("warm", flush=True)
    finally:
        renderer.close()
        print(f"{renders} renders", file=sys.stderr, flush=True)
        print(renders, flush=True)


# -- the run -----------------------------------------------------------------------------


def participants_scenario(server: Server, database_url: str, count: int, label: str,
                          pacing: Pacing) -> Figures:
    """``count`` participants on a new assessment, paced by ``pacing``; their figures."""
    assessment_id, code = open_assessment(database_url, label)
    tally = Tally()
    asyncio.run(run_clients(
        [participant(server.port, code, seed, tally, pacing) for seed in range(count)], tally,
        server))
    return figures(tally, *lost_answers(database_url, assessment_id, tally))


def baseline_scenario(server: Server, database_url: str, count: int, posts: int, label: str,
                      pacing: Pacing) -> Figures:
    """``count`` baseline clients, each posting ``posts`` rows, paced by ``pacing``."""
    tally = Tally()
    asyncio.run(run_clients(
        [baseline_client(server.port, label, seed * posts, posts, seed, tally, pacing)
         for seed in range(count)], tally, server))
    return figures(tally, lost_rows(database_url, label, tally))


def requests_per_participant() -> int:
    """How many requests a participant makes: the welcome page, "Beginnen", the intro and
    the profile page; then a post and its redirect for the profile, each lesson, the context
    page and the open questions; then sending in and the thank-you page."""
    from questions.loader import CONTENT_DIR, load_questionnaire

    questionnaire = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
    pages = (1 + len(questionnaire.lessons) + (1 if questionnaire.context_blocks else 0)
             + (1 if questionnaire.open_questions else 0))
    return OPENING_REQUESTS + 2 * pages + 2


def bench_database(kind: str, database_url: str, settings: ServerSettings, folder: Path,
                   counts: tuple[int, ...], *, saturation: bool, with_renders: bool) -> None:
    """The scenarios asked for on one database."""
    environment = settings.environment(database_url, folder)
    migrate(database_url, environment)
    prepare_database(database_url, seed_demo=with_renders)
    requests = requests_per_participant()
    posts = requests // 2  # the baseline's clients: as many requests, half posts
    log = folder / f"gunicorn-{kind}.log"
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\n=== {kind}: gunicorn {settings.workers} workers × {settings.threads} threads, "
          f"pool {settings.threads}+2 per worker; {os.cpu_count()} cores, load {load} ===")
    baselines: dict[int, Figures] = {}
    saturated_baseline: Figures | None = None
    if counts or saturation:
        with gunicorn("bench.baseline_app:create_app()", settings, environment, log) as server:
            for count in counts:
                baselines[count] = baseline_scenario(server, database_url, count, posts,
                                                     f"{kind}-{count}", PEOPLE)
            if saturation:
                saturated_baseline = baseline_scenario(
                    server, database_url, SATURATION_CLIENTS, posts, f"{kind}-saturation",
                    SATURATION)
    errors = 0
    with gunicorn("assessment:create_app()", settings, environment, log) as server:
        for count in counts:
            result = participants_scenario(server, database_url, count, f"{kind}-{count}",
                                           PEOPLE)
            errors += result.errors
            print_participants(f"{kind}, {count} participants ({PEOPLE.describe()}; "
                               f"{requests} requests each)",
                               result, baselines[count], TARGET_P95_MS.get(count))
        if saturated_baseline is not None:
            saturated = participants_scenario(server, database_url, SATURATION_CLIENTS,
                                              f"{kind}-saturation", SATURATION)
            errors += saturated.errors
            print_saturation(f"{kind}, saturation: {SATURATION_CLIENTS} clients, "
                             f"{SATURATION.describe()} ({requests} requests each, back to "
                             "back)", saturated, saturated_baseline)
        if with_renders:
            quiet = participants_scenario(server, database_url, RENDER_PARTICIPANTS,
                                          f"{kind}-quiet", PEOPLE)
            with rendering_reports(environment, folder / "render-loop.log") as rendered:
                busy = participants_scenario(server, database_url, RENDER_PARTICIPANTS,
                                             f"{kind}-renders", PEOPLE)
            errors += quiet.errors + busy.errors
            print_rendering(f"{kind}, {RENDER_PARTICIPANTS} participants ({PEOPLE.describe()})"
                            ", without and with the report rendering in a loop",
                            quiet, busy, rendered[0])
    if errors:
        print(f"  (server log: {log})")


def main() -> int:
    """Run every scenario; print the figures beside their baselines and targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 3)),
                        help="gunicorn workers (default 3: measured best on 2 cores)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 4)),
                        help="threads per worker (default 4)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--counts", default="60,200")
    parser.add_argument("--saturation-only", action="store_true",
                        help="only the saturation scenario (app against baseline)")
    parser.add_argument("--rendering-only", action="store_true",
                        help="only the report-rendering scenario (SQLite)")
    parser.add_argument("--render-loop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_loop:
        render_loop()
        return 0
    settings = ServerSettings(args.workers, args.threads)
    alone = args.saturation_only or args.rendering_only
    counts = () if alone else tuple(int(n) for n in args.counts.split(","))
    saturation = not args.rendering_only
    renders = not args.saturation_only
    server_url = os.environ.get("BENCH_DATABASE_URL",
                                "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    print_legend()
    with tempfile.TemporaryDirectory(prefix="regiospiegel-load-") as name:
        folder = Path(name)
        if args.only in (None, "sqlite"):
            bench_database("SQLite", f"sqlite:///{folder / 'load.sqlite3'}", settings, folder,
                           counts, saturation=saturation, with_renders=renders)
        if args.only in (None, "postgresql") and not args.rendering_only:
            with postgres_database(server_url) as url:
                if url is not None:
                    bench_database("PostgreSQL", url, settings, folder, counts,
                                   saturation=saturation, with_renders=False)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT_ROOT))
    sys.exit(main())
