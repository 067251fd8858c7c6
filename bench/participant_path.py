"""CPU time of a participant's whole path in one process, as ``bench/load.py`` walks it.

Runs without a server (Flask's test client, so no HTTP and no gunicorn), with the settings
``bench/load.py`` gives its servers (production mode, a secret from the environment, the
trusted host): a fresh SQLite database (or ``--database-url``) gets an open scan on the
product's questionnaire, and participants walk the load benchmark's path one after the
other: the join link, "Beginnen", the intro page, then every page posted with an answer to
each radio group and its redirect followed, the review page, sending in, the thank-you
page (32 requests). Prints the CPU time a request takes over the path (``--runs`` runs of
``--participants`` each, the best and the median), and with ``--profile`` the functions
with the most time of their own (or ``--sort cumulative``) over one more run.

To compare two versions of the code by turns, run each in its own process one after the
other, e.g. ``PYTHONPATH=/path/to/other/tree .venv/bin/python bench/participant_path.py``.
Run with ``PYTHONPATH=. .venv/bin/python bench/participant_path.py [--participants N]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-not-for-production"  # noqa: S105 (only signs the bench's forms)


def main() -> int:
    """Walk the path ``--runs`` times with ``--participants`` each; print CPU a request."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--by-kind", action="store_true",
                        help="also the CPU time by kind of request (all runs)")
    args = parser.parse_args()

    from bench.load import read_form

    with tempfile.TemporaryDirectory(prefix="regiospiegel-path-") as folder:
        url = args.database_url or f"sqlite:///{folder}/path.sqlite3"
        os.environ.update({
            "DATABASE_URL": url, "SECRET_KEY": SECRET, "BASE_URL": "http://127.0.0.1",
            "TRUSTED_HOSTS": "127.0.0.1", "REPORT_CACHE_DIR": f"{folder}/reports",
            "REGIOSPIEGEL_ENV": "production", "START_RATE_LIMIT": "100000 per minute"})
        from assessment import create_app, db, management, questionnaire_files
        from assessment.models import Assessment, Status

        db.upgrade(url)
        app = create_app()
        with app.app_context():
            owner = management.create_facilitator(f"pad-{os.getpid()}@example.nl",
                                                  "lang-genoeg-wachtwoord")
            questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
            assessment_id = management.create_assessment(owner, "Regio", "Pad", questionnaire)
            management.set_status(assessment_id, Status.OPEN)
            assessment = db.read_session().get(Assessment, assessment_id)
            assert assessment is not None
            code = assessment.join_code
        walker = Walker(app, code, read_form)
        walker.walk(3, None)  # templates compiled, questionnaire parsed
        per_request = []
        for _ in range(args.runs):
            cpu, requests = walker.walk(args.participants, None)
            per_request.append(cpu / requests * 1000)
        profile = cProfile.Profile() if args.profile else None
        if profile is not None:
            walker.walk(args.participants, profile)
        db.dispose(app)
    print(f"{walker.requests // walker.participants} requests a participant; CPU a request "
          f"over {args.runs} runs of {args.participants}: best {min(per_request):.3f} ms, "
          f"median {statistics.median(per_request):.3f} ms "
          f"({', '.join(f'{ms:.3f}' for ms in per_request)})")
    if args.by_kind:
        for kind, (seconds, count) in sorted(walker.kinds.items()):
            print(f"  {kind:16} {count:6d} requests, {seconds / count * 1000:.3f} ms CPU each")
    if profile is not None:
        pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


class Walker:
    """Participants walking the load benchmark's path through Flask's test client."""

    def __init__(self, app: Any, code: str, read_form: Any) -> None:
        self.app, self.code, self.read_form = app, code, read_form
        self.rng = random.Random(16)  # noqa: S311 (picks answers, protects nothing)
        self.requests = self.participants = 0
        #: CPU seconds and count by kind of request ("GET page", "POST page" …).
        self.kinds: dict[str, list[float]] = {}

    def walk(self, participants: int, profile: cProfile.Profile | None) -> tuple[float, int]:
        """``participants`` walk the path one after the other; their CPU seconds and
        requests (the clients' reading of the forms excluded)."""
        cpu = 0.0
        requests = 0
        for _ in range(participants):
            client = self.app.test_client()
            began = time.process_time()
            if profile is not None:
                profile.enable()

            def request(method: str, path: str, data: Any = None, client: Any = client) -> Any:
                nonlocal requests
                requests += 1
                before = time.process_time()
                reply = client.open(path, method=method, data=data,
                                    base_url="http://127.0.0.1")
                spent_here = self.kinds.setdefault(f"{method} {_kind(path)}", [0.0, 0])
                spent_here[0] += time.process_time() - before
                spent_here[1] += 1
                return reply

            spent = 0.0

            def form_of(html: bytes) -> Any:
                nonlocal spent
                if profile is not None:
                    profile.disable()
                paused = time.process_time()
                form = self.read_form(html.decode())
                spent += time.process_time() - paused
                if profile is not None:
                    profile.enable()
                return form

            welcome = request("GET", f"/d/{self.code}")
            started = request("POST", f"/d/{self.code}", form_of(welcome.data).hidden)
            token = started.location.split("/")[2]
            request("GET", started.location)
            path = f"/r/{token}/profiel"
            page = request("GET", path)
            while not path.endswith("/overzicht"):
                if page.status_code != 200:
                    raise SystemExit(f"GET {path}: {page.status_code}")
                form = form_of(page.data)
                choices = {name: self.rng.choice(values) for name, values in form.radios.items()}
                saved = request("POST", path, {**form.hidden, **choices, "action": "volgende"})
                if saved.status_code != 302:
                    raise SystemExit(f"POST {path}: {saved.status_code}")
                path = saved.location
                page = request("GET", path)
            review = form_of(page.data)
            sent = request("POST", review.action, review.hidden)
            if not sent.location.endswith("/bedankt"):
                raise SystemExit(f"send in: {sent.status_code} {sent.location}")
            thanks = request("GET", sent.location)
            if thanks.status_code != 200:
                raise SystemExit(f"thanks: {thanks.status_code}")
            if profile is not None:
                profile.disable()
            cpu += time.process_time() - began - spent
        self.requests += requests
        self.participants += participants
        return cpu, requests


def _kind(path: str) -> str:
    """What a path shows, for the figures by kind of request."""
    parts = path.split("/")
    if parts[1] == "d":
        return "join link"
    last = parts[-1]
    return {"intro": "intro", "overzicht": "review", "verzenden": "send in",
            "bedankt": "thanks"}.get(last, "page")


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT_ROOT))
    sys.exit(main())
