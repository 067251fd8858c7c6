"""The advice report: from an assessment's results to report HTML to a PDF.

context (advice chosen, charts drawn) → build (HTML and its cache key) → jobs (the PDF in
the background, cached) → render (PDF in a separate process); queue and store for several
servers. ``init_app`` gives the app its report jobs. The package itself imports neither
Flask nor the builder, so the pure steps (``reports.charts``, ``reports.findings``) load
without the web stack.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from reports.report_jobs import ReportJobs

_KEY = "regiospiegel.reports"


def init_app(app: Flask) -> None:
    """The app's report jobs: on the Redis queue when REDIS_URL is set, else in this server.

    Nothing starts here: the renderer process starts on the first render, so a server that
    forks workers after building the app (gunicorn's preload) forks no renderer.
    """
    from reports.render import Renderer, RenderLimits
    from reports.report_jobs import LocalReportJobs

    limits = RenderLimits.from_config(app.config)
    static_dir = Path(app.static_folder or "")
    cache_dir = Path(app.config.get("REPORT_CACHE_DIR") or Path(app.instance_path) / "reports")
    local = LocalReportJobs(Renderer(static_dir, limits), cache_dir)
    chosen: ReportJobs = local
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        from reports.queue import QueuedReportJobs

        chosen = QueuedReportJobs(local, redis_url,
                                  app.config.get("REDIS_PREFIX") or "regiospiegel:")
    app.extensions[_KEY] = chosen


def jobs() -> ReportJobs:
    """The current app's report jobs."""
    from flask import current_app

    result: ReportJobs = current_app.extensions[_KEY]
    return result
