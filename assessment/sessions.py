"""The session cookie: Flask's signed cookie, re-sent only when it says something new.

A participant's session is permanent (it remembers their respondent for
``PERMANENT_SESSION_LIFETIME``, 12 hours, after their last request), and Flask re-signs and
re-sends a permanent session's cookie on every response to move that end along. Signing
costs a JSON dump, a compression and an HMAC on every page view and save, and every reply
carries a ``Set-Cookie`` for the browser to store, although nothing in it changed.

Here an unchanged session's cookie is re-sent only once it is :data:`REFRESH_AFTER` old, so
a session still lasts its lifetime after the last request, to within that much; a changed
session is sent at once, as before. What the session holds, its signature and its lifetime
are Flask's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: How old an unchanged permanent session's cookie may get before a response re-sends it.
REFRESH_AFTER = timedelta(minutes=1)


class Session(SecureCookieSession):
    """A session that knows when the cookie it came in was signed (None: it came in none)."""

    signed_at: datetime | None = None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with an unchanged cookie refreshed at most once per
    :data:`REFRESH_AFTER`, and the signing serializer made once per secret."""

    session_class = Session

    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        #: The clock that tells a cookie's age (a test's seam).
        self.now = now
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for the app's secret (and its fallbacks), made once per key."""
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(key)
        if found is None:
            found = super().get_signing_serializer(app)
            if found is None:
                return None
            if len(self._serializers) >= 8:
                self._serializers.clear()
            self._serializers[key] = found
        return found

    def open_session(self, app: Flask, request: Request) -> Session | None:
        """As Flask's, remembering when the cookie was signed."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """A changed session always; an unchanged permanent one once its cookie is
        :data:`REFRESH_AFTER` old (Flask's default: on every response)."""
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or self.now() - signed_at >= REFRESH_AFTER


def init_app(app: Flask) -> None:
    """Use these sessions."""
    app.session_interface = SessionInterface()
