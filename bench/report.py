"""Benchmark: the demo report, warm, in the report worker process.

Prints, each beside a baseline from the same run (WeasyPrint rendering a plain document
with the same number of pages, in the same worker; the two render by turns, so a machine
busy with other work slows both alike):
- the median warm render time of the demo report (target ≤ 1.5 s) and the share of it spent
  going from data to HTML (target < 10 %);
- the warm render time per page, the report's beside the baseline's: the report may grow,
  its render time per page may not;
- the worker's peak memory (target ≤ 300 MB);
- the growth of the worker's memory over 50 consecutive renders (target ≤ 50 MB);
- the median time of a cached download through the app (target ≤ 50 ms).
Run with `make bench`, or from the project folder with `PYTHONPATH=. .venv/bin/python
bench/report.py` or `.venv/bin/python -m bench.report`. It needs the app, not the tests.
"""

from __future__ import annotations

import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask.testing import FlaskClient
from pypdf import PdfReader

from assessment import create_app, db, demo
from assessment.db import read_session
from assessment.models import Assessment
from reports.build import report_context, report_html, report_key
from reports.render import Renderer, RenderLimits

RUNS = 7
SOAK = 50
#: No time limit to speak of: on a busy machine a slow render is a figure to report, not a
#: failure (the app's limit is for serving, not for measuring).
SECONDS = 900


def memory_kib(pid: int, field: str) -> int:
    """A memory figure (VmRSS, VmHWM) of a process, in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def median_s(action: object, runs: int = RUNS) -> float:
    """Median wall time of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def log_in(client: FlaskClient, email: str, password: str) -> None:
    """Log the facilitator in through the login form, as a browser would."""
    page = client.get("/begeleider/inloggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page)
    assert token, "the login page has no CSRF token"
    response = client.post("/begeleider/inloggen", data={
        "csrf_token": token.group(1), "email": email, "password": password})
    assert response.status_code == 302, "the demo facilitator could not log in"


def by_turns(first: object, second: object, runs: int = RUNS) -> tuple[float, float]:
    """Median wall times of ``runs`` calls of each, in seconds, called by turns."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for action, spent in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            action()  # type: ignore[operator]
            spent.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def plain_document(pages: int) -> str:
    """A plain HTML document of about ``pages`` A4 pages, in the same font."""
    paragraph = "<p>" + "Regionale samenwerking vraagt om geduld en vertrouwen. " * 12 + "</p>"
    body = "".join(f"<h2>Hoofdstuk {i}</h2>{paragraph * 6}" for i in range(pages))
    return ('<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Basis</title>'
            '<link rel="stylesheet" href="report.css"></head><body>' + body + "</body></html>")


def main() -> int:
    """Seed the demo, measure, print."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        db.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench",
                          "REPORT_CACHE_DIR": f"{folder}/reports",
                          "REPORT_TIME_LIMIT": SECONDS})
        static_dir = Path(app.static_folder or "")
        static = static_dir.resolve().as_uri() + "/"
        renderer = Renderer(static_dir, RenderLimits(seconds=SECONDS))
        with app.app_context():
            demo.seed()
            assessment = read_session().get(Assessment, 1)
            assert assessment is not None
            html = report_html(report_context(assessment), static)
            pdf = renderer.render(html)  # warm up the worker
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            to_html = median_s(lambda: report_html(report_context(assessment), static))
            baseline_html = plain_document(max(pages, 1))
            baseline_pages = len(PdfReader(io.BytesIO(renderer.render(baseline_html))).pages)
            render, baseline = by_turns(lambda: renderer.render(html),
                                        lambda: renderer.render(baseline_html))
            assert renderer.pid is not None
            peak_mib = memory_kib(renderer.pid, "VmHWM") / 1024
            before = memory_kib(renderer.pid, "VmRSS")
            for _ in range(SOAK):
                renderer.render(html)
            growth_mib = (memory_kib(renderer.pid, "VmRSS") - before) / 1024
            renderer.close()

            client = app.test_client()
            log_in(client, demo.DEMO_EMAIL, demo.demo_password())
            jobs = app.extensions["regiospiegel.reports"]
            jobs.render_now(report_key(html), html, assessment.id)
            assert client.get("/begeleider/scans/1/rapport.pdf").status_code == 200
            cached = median_s(lambda: client.get("/begeleider/scans/1/rapport.pdf"), 15)
            jobs.close()
        db.dispose(app)

    total = to_html + render
    print(f"report: demo report ({len(pdf) // 1024} KiB, about {pages} pages), "
          f"median of {RUNS} warm runs")
    print(f"  baseline (plain document, same pages):  {baseline * 1000:8.0f} ms")
    print(f"  demo report, data -> PDF:                {total * 1000:8.0f} ms "
          f"({total / baseline:.1f}x baseline; target <= 1500 ms)")
    print(f"  of which data -> HTML:                   {to_html * 1000:8.0f} ms "
          f"({to_html / total:.0%} of the total; target < 10 %)")
    print(f"  render per page, baseline:               {baseline * 1000 / baseline_pages:8.1f} ms "
          f"({baseline_pages} pages)")
    print(f"  render per page, demo report (PDF only): {render * 1000 / pages:8.1f} ms "
          f"({pages} pages; {render / pages / (baseline / baseline_pages):.1f}x baseline)")
    print(f"  worker peak memory:                      {peak_mib:8.0f} MiB (target <= 300)")
    print(f"  memory growth over {SOAK} renders:          {growth_mib:8.1f} MiB (target <= 50)")
    print(f"  cached download through the app:         {cached * 1000:8.1f} ms (target <= 50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
