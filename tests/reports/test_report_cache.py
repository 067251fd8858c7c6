"""The report cache on this server keeps nothing longer than needed (issue 19).

A rendered PDF holds the scan's title, included texts, notes and actions. Deleting the scan
removes its PDFs (the report and the paper form), a new version of the report replaces the
older one, and any cached file goes after ``KEEP_DAYS`` days. The Redis queue and the
database's store: tests/reports/test_report_queue.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from assessment.config import PROJECT_ROOT
from assessment.db import write_transaction
from assessment.models import ActionItem
from reports.render import Renderer
from reports.report_jobs import LocalReportJobs
from reports.store import KEEP_DAYS
from tests.helpers import DEMO_JOIN_CODE, csrf_token

PDF = "/begeleider/scans/1/rapport.pdf"
HELLO = "<html><body><p>Hallo</p></body></html>"


def _cached_files(app) -> list[Path]:
    """Every file in the app's report cache."""
    return sorted(path for path in Path(app.config["REPORT_CACHE_DIR"]).rglob("*")
                  if path.is_file())


def _report_from_the_page(client) -> bytes:
    """Download the report as the facilitator does, waiting while it renders."""
    response = client.get(PDF)
    deadline = time.monotonic() + 120
    while response.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.3)
        response = client.get(PDF)
    assert response.status_code == 200
    return response.data


def test_deleting_a_scan_removes_its_cached_report_and_paper_form(app, facilitator_client,
                                                                   runner, tmp_path):
    assert facilitator_client.get("/begeleider/scans/1/papier.pdf").status_code == 200
    written = runner.invoke(args=["report", "1", "-o", str(tmp_path / "rapport.pdf")])
    assert written.exit_code == 0, written.output
    assert len(_cached_files(app)) == 2
    page = facilitator_client.get("/begeleider/scans/1/verwijderen")
    deleted = facilitator_client.post("/begeleider/scans/1/verwijderen", data={
        "csrf_token": csrf_token(page), "confirm": DEMO_JOIN_CODE})
    assert deleted.status_code == 302
    assert _cached_files(app) == []


def test_a_new_version_of_a_report_replaces_the_older_one(app, facilitator_client, runner,
                                                          tmp_path):
    first = _report_from_the_page(facilitator_client)
    assert facilitator_client.get("/begeleider/scans/1/papier.pdf").status_code == 200
    with app.app_context(), write_transaction() as session:
        session.add(ActionItem(assessment_id=1, lesson_id=None, action="Regioavond",
                               owner="Griffie", term="Q3"))
    second = _report_from_the_page(facilitator_client)
    assert second != first
    names = [path.name for path in _cached_files(app)]
    assert len(names) == 2, names  # the report's newest version, and the paper form
    assert sum(name.startswith("report-") for name in names) == 1
    # The command line's render of the same version is the cached one.
    written = runner.invoke(args=["report", "1", "-o", str(tmp_path / "rapport.pdf")])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "rapport.pdf").read_bytes() == second
    assert len(_cached_files(app)) == 2


def test_cached_files_expire_after_the_keeping_days(tmp_path):
    long_ago = time.time() - (KEEP_DAYS + 1) * 24 * 3600
    old = [tmp_path / "oud.pdf", tmp_path / "scan-7" / "report-oud.pdf",
           tmp_path / "scan-7" / "paper-oud.failed"]
    recent = tmp_path / "scan-8" / "report-recent.pdf"
    for path in [*old, recent]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF")
    for path in old:
        os.utime(path, (long_ago, long_ago))
    jobs = LocalReportJobs(Renderer(PROJECT_ROOT / "assessment" / "static"), tmp_path)
    try:
        jobs.render_now("abc", HELLO, 9)
    finally:
        jobs.close()
    assert not any(path.exists() for path in old)
    assert recent.exists()
    assert jobs.cached("abc", 9) is not None
