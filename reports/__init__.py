"""The advice report: from an assessment's results to report HTML to a PDF.

context (advice chosen, charts drawn) → build (HTML, cache, jobs) → render (PDF in a
separate process). ``init_app`` gives the app its report jobs.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from reports.build import ReportJobs
from reports.render import Renderer, RenderLimits

_KEY = "regiospiegel.reports"


def init_app(app: Flask) -> None:
    """The app's report jobs: a warm worker process (started on first use) and a cache."""
    limits = RenderLimits(
        seconds=float(app.config["REPORT_TIME_LIMIT"]),
        memory_mb=int(app.config["REPORT_MEMORY_MB"]),
    )
    static_dir = Path(app.static_folder or "")
    cache_dir = Path(app.config.get("REPORT_CACHE_DIR") or Path(app.instance_path) / "reports")
    app.extensions[_KEY] = ReportJobs(Renderer(static_dir, limits), cache_dir)


def jobs() -> ReportJobs:
    """The current app's report jobs."""
    result: ReportJobs = current_app.extensions[_KEY]
    return result
