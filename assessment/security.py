"""Security headers on every response, and the settings production must have.

The Content-Security-Policy allows nothing inline and nothing from elsewhere: scripts,
styles, fonts and images come from the app itself. Pages cannot be framed.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


class UnsafeConfiguration(RuntimeError):
    """Production settings that must not run; the message says which and why."""


def check_production(app: Flask) -> None:
    """Refuse to start in production without a secret key from the environment, or in debug."""
    if app.config.get("ENVIRONMENT") != "production":
        return
    if not app.config.get("SECRET_KEY_FROM_ENVIRONMENT"):
        raise UnsafeConfiguration(
            "production needs SECRET_KEY in the environment (a long random string, the same "
            "on every app server); it signs sessions and form tokens")
    if app.debug:
        raise UnsafeConfiguration("production must not run with debug on: it shows code and "
                                  "lets anyone run Python through the debugger")


def refuse_malformed_forms() -> None:
    """400 for a form with a nameless field (a broken multipart part), before anything reads it.

    Werkzeug keeps such a part under the key None, which later checks (the CSRF check first)
    would trip over; a browser never sends it.
    """
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and None in request.form:
        abort(400)


def _never_store(response: Response) -> None:
    """No page is kept by the browser or a proxy; only the static files are cached.

    Pages carry answers, results or a facilitator's work, and a town-hall laptop passes from
    hand to hand: with ``no-store`` the Back button asks the server again instead of showing
    the previous person's page from the cache (the server then decides what to show).
    """
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return
    response.headers["Cache-Control"] = "no-store"


def init_app(app: Flask) -> None:
    """Trust the configured proxies' client address; add the security headers."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        # Behind a proxy every request comes from the proxy: take the client address it
        # passes on, so per-client limits count per participant and not for the whole room.
        # Only as many hops as are configured, so a client cannot forge its own address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]
    if str(app.config.get("BASE_URL") or "").startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    @app.after_request
    def _headers(response: Response) -> Response:
        _never_store(response)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
