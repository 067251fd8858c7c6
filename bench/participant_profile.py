"""Profile of a participant's requests: where a page view and a save spend their time.

Runs in one process without a server (Flask's test client, so no HTTP and no gunicorn): a
fresh SQLite database (or ``--database-url``) gets an open scan on the product's
questionnaire; participants start, and their page views and saves of the lesson pages run
without and then under cProfile. Prints the CPU time a request takes (without the
profiler; on a busy machine steadier than the wall time printed beside it) and the
functions with the most time of their own (``--sort tottime``, default) or including what
they call (``--sort cumulative``).

Run with ``PYTHONPATH=. .venv/bin/python bench/participant_profile.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
_START_KEY = re.compile(r'name="start_key" type="hidden" value="([^"]+)"')


def main() -> int:
    """Profile ``--rounds`` participants' views and saves of every lesson page."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=20, help="participants (default 20)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    from assessment import create_app, db, management, questionnaire_files
    from assessment.models import Assessment, Status

    with tempfile.TemporaryDirectory(prefix="regiospiegel-profile-") as folder:
        url = args.database_url or f"sqlite:///{folder}/profile.sqlite3"
        db.upgrade(url)
        app = create_app({"SECRET_KEY": "profile-secret-not-for-production",
                          "DATABASE_URL": url, "REPORT_CACHE_DIR": f"{folder}/reports"})
        with app.app_context():
            owner = management.create_facilitator("profiel@example.nl", "lang-genoeg-wachtwoord")
            questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
            assessment_id = management.create_assessment(owner, "Regio", "Profiel",
                                                          questionnaire)
            management.set_status(assessment_id, Status.OPEN)
            assessment = db.read_session().get(Assessment, assessment_id)
            assert assessment is not None
            code = assessment.join_code
        lessons = questionnaire.lessons
        _answer(app, code, lessons, 2, None)  # templates compiled, questionnaire parsed
        # A round unprofiled, for the CPU time a request takes; then the profile.
        cpu, wall, requests = _answer(app, code, lessons, args.rounds, None)
        profile = cProfile.Profile()
        _answer(app, code, lessons, args.rounds, profile)
        db.dispose(app)
    print(f"{requests} requests (a view and a save of each lesson page, {args.rounds} "
          f"participants): {cpu / requests * 1000:.2f} ms of CPU a request "
          f"({wall / requests * 1000:.2f} ms wall); then profiled:")
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


def _answer(app: Any, code: str, lessons: Sequence[Any], rounds: int,
            profile: cProfile.Profile | None) -> tuple[float, float, int]:
    """``rounds`` participants start, then view and save every lesson page; the CPU and wall
    seconds of the views and saves (under ``profile`` if given), and how many there were."""
    clients = []
    for _ in range(rounds):
        client = app.test_client()
        welcome = client.get(f"/d/{code}").get_data(as_text=True)
        started = client.post(f"/d/{code}", data={
            "csrf_token": _match(_CSRF, welcome), "start_key": _match(_START_KEY, welcome)})
        clients.append((client, started.location.split("/")[2]))
    cpu = wall = 0.0
    requests = 0
    for client, token in clients:
        for lesson in lessons:
            page = f"/r/{token}/{lesson.id}"
            began, began_cpu = time.perf_counter(), time.process_time()
            if profile is not None:
                profile.enable()
            shown = client.get(page)
            saved = client.post(page, data={
                "csrf_token": _match(_CSRF, shown.get_data(as_text=True)),
                "action": "volgende",
                **{f"a_{statement.id}": "4" for statement in lesson.statements}})
            if profile is not None:
                profile.disable()
            cpu += time.process_time() - began_cpu
            wall += time.perf_counter() - began
            requests += 2
            if (shown.status_code, saved.status_code) != (200, 302):
                raise SystemExit(f"unexpected {shown.status_code}, {saved.status_code}")
    return cpu, wall, requests


def _match(pattern: re.Pattern[str], html: str) -> str:
    found = pattern.search(html)
    if found is None:
        raise SystemExit(f"no {pattern.pattern!r} on the page")
    return found.group(1)


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT_ROOT))
    sys.exit(main())
