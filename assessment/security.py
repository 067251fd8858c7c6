"""Security headers on every response, the settings production must have, and the input
no page sends (refused before anything reads it).

The Content-Security-Policy allows nothing inline and nothing from elsewhere: scripts,
styles, fonts and images come from the app itself. Pages cannot be framed.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map
from werkzeug.sansio.utils import host_is_trusted
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
    """Refuse to start in production with unsafe settings; the message says which and why.

    Production needs SECRET_KEY from the environment, debug off, and TRUSTED_HOSTS: the host
    names the app answers to, including BASE_URL's.
    """
    if app.config.get("ENVIRONMENT") != "production":
        return
    if not app.config.get("SECRET_KEY_FROM_ENVIRONMENT"):
        raise UnsafeConfiguration(
            "production needs SECRET_KEY in the environment (a long random string, the same "
            "on every app server); it signs sessions and form tokens")
    if app.debug:
        raise UnsafeConfiguration("production must not run with debug on: it shows code and "
                                  "lets anyone run Python through the debugger")
    if not str(app.config.get("PASSWORD_HASH_METHOD", "scrypt")).startswith("scrypt"):
        raise UnsafeConfiguration("production hashes passwords with scrypt only: "
                                  "PASSWORD_HASH_METHOD is a setting for the tests")
    _check_trusted_hosts(list(app.config.get("TRUSTED_HOSTS") or ()),
                         str(app.config.get("BASE_URL") or ""))


def _check_trusted_hosts(hosts: list[str], base_url: str) -> None:
    """TRUSTED_HOSTS is set, lists host names only, and includes BASE_URL's host."""
    if not hosts:
        raise UnsafeConfiguration(
            "production needs TRUSTED_HOSTS in the environment: the host names the app "
            "answers to, comma-separated (e.g. TRUSTED_HOSTS=scan.example.nl); requests for "
            "any other Host header are refused")
    malformed = [host for host in hosts if "/" in host or "@" in host]
    if malformed:
        raise UnsafeConfiguration(
            f"TRUSTED_HOSTS lists host names, without scheme or path: not {malformed[0]!r} "
            "(write e.g. scan.example.nl)")
    base_host = urlsplit(base_url).hostname or ""
    if not host_is_trusted(base_host, hosts):
        raise UnsafeConfiguration(
            f"TRUSTED_HOSTS ({', '.join(hosts)}) does not include BASE_URL's host "
            f"{base_host!r}: every link the app hands out would be refused")


NUL = "\x00"
#: A NUL in a JSON body, raw or escaped (``\u0000``). An escaped backslash before ``u0000``
#: is refused too: harmless, and no page of ours sends JSON with it.
_JSON_NUL = re.compile(rb"\x00|\\u0000", re.IGNORECASE)


#: The only file fields the app takes, per endpoint: a list of e-mail addresses (read as
#: text, each line checked as an address).
UPLOADS: dict[str, set[str]] = {"facilitator.invite_addresses": {"upload"}}


def refuse_malformed_requests() -> None:
    """400 for what no page of ours sends, before anything reads the request.

    - A form with a nameless field (a broken multipart part): Werkzeug keeps it under the
      key None, which later checks (the CSRF check first) would trip over.
    - A NUL character anywhere in the path, the query, a form field's name or value, a
      cookie or a JSON body: PostgreSQL cannot store or even compare text holding one, and
      no person types it.
    - A file, but where :data:`UPLOADS` lets one page take it (the list of addresses to
      invite): a file where a text is expected is not a text.
    """
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and None in request.form:
        abort(400)
    if request.files and not set(request.files) <= UPLOADS.get(request.endpoint or "", set()):
        abort(400)
    if any(NUL in text for text in _texts_sent()) or _json_has_nul():
        abort(400)


def _texts_sent() -> Iterator[str]:
    """Every piece of text in the request that the app may read, but a JSON body."""
    yield request.path
    for pairs in (request.args, request.form, request.cookies):
        for name, value in pairs.items(multi=True):
            yield name
            yield value


def _json_has_nul() -> bool:
    # Searched in the raw body: parsing it here would let a deeply nested body crash the
    # check itself.
    return request.is_json and bool(_JSON_NUL.search(request.get_data(cache=True)))


#: The largest id a URL may name: the top of a 32-bit id column on PostgreSQL (SQLite's
#: are wider, but ids count up from 1 and never get near it).
MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """``<int:…>`` in a URL: a whole number from 0 to :data:`MAX_ID`; anything larger is 404.

    Without the bound a number the database cannot hold (on PostgreSQL above 2**31 - 1, on
    SQLite from 2**63) reaches the query and fails there with a 500.
    """

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        bound = MAX_ID if max is None else builtins.min(max, MAX_ID)
        super().__init__(map, fixed_digits, min, bound, signed)


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
    """Bound ids in URLs; trust the configured proxies' client address; security headers."""
    # Before the blueprints are registered: their rules look the converter up when added.
    app.url_map.converters["int"] = DatabaseId
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
