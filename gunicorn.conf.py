"""gunicorn's settings for Regiospiegel in production (`make serve`; docs/deploy.md).

Every value can be changed from the environment without editing this file:

- ``WEB_CONCURRENCY`` worker processes (default 2: one per core of a small 2-core server;
  the PDF renderer and the database need the rest of the machine);
- ``GUNICORN_THREADS`` threads per worker (default 4: requests mostly wait on the database,
  so threads serve a room of participants cheaply);
- ``BIND`` the address, or ``PORT`` for 127.0.0.1:PORT (default 127.0.0.1:8000, behind a
  reverse proxy on the same machine; set BIND=0.0.0.0:8000 behind a load balancer);
- ``GUNICORN_TIMEOUT`` seconds a request may take before its worker is restarted (60),
  ``GUNICORN_GRACEFUL_TIMEOUT`` seconds in-flight requests get on a restart or stop (30).

``preload_app`` is off. With it on, the master would build the app before forking: the
database engine and any connection opened while building would be shared by all workers,
and a reload (HUP) would keep the old code. Off, each worker builds its own app after the
fork, so nothing is shared by accident and no report renderer process exists before the
fork (it starts on a worker's first render anyway). The price is a second or two more at
start-up and no copy-on-write memory sharing: small for 2–4 workers.

The workers share their rate limits: without ``REDIS_URL`` they are counted in the database
(``assessment/rate_limits.py``), so a limit of 10 failed logins is 10 for all workers together,
not 10 per worker.
"""

from __future__ import annotations

import os
import re
from typing import Any

from gunicorn.glogging import Logger

wsgi_app = "assessment:create_app()"

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
bind = [os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"]

preload_app = False
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Behind a reverse proxy that keeps connections open; a little above nginx's default.
keepalive = 5
# Restart a worker now and then, spread out, so slow memory growth never adds up.
max_requests = 5000
max_requests_jitter = 500


def post_worker_init(worker: Any) -> None:
    """Compile the templates before a new worker takes its first request (at start, and
    after each ``max_requests`` restart), so the first participants wait for no compiler."""
    from assessment.templating import compile_templates

    compile_templates(worker.wsgi)


#: A participant's personal link is a path, /r/<token>: whoever reads it can open their answers.
_RESUME_TOKEN = re.compile(r"^/r/[^/]+")


class PrivateAccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with resume tokens, query strings and referrers left out of the log."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        """The log line's fields, with the secret parts of the request replaced."""
        atoms = super().atoms(resp, req, environ, request_time)
        path = _RESUME_TOKEN.sub("/r/…", environ.get("PATH_INFO", ""))
        atoms.update(r=f"{environ['REQUEST_METHOD']} {path} {environ['SERVER_PROTOCOL']}",
                     U=path, q="-", f="-")
        return atoms


# Access and error log to stdout/stderr: the service manager (systemd, a container) keeps them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = PrivateAccessLogger
# Client, time, request line (token masked), status, bytes, milliseconds, user agent.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "regiospiegel"
# gunicorn 27's control socket is one fixed path per user: two servers on one host would
# collide on it, and nothing here uses it. Signals (HUP, TERM) still work.
control_socket_disable = True
