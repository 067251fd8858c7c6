"""Flask extensions shared by the blueprints: CSRF, logins, rate limits, translations."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()
babel = Babel()


def select_locale() -> str:
    """The language of the page.

    On a participant's pages the view sets it (their choice among the assessment's
    languages); elsewhere it is the language chosen with the switch in the page header,
    else Dutch.
    """
    if g.get("language"):
        return str(g.language)
    chosen = session.get("language") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    """Wire the extensions into the app."""
    from assessment import rate_limits  # noqa: F401 (registers the database storage's URI)
    from assessment.security import refuse_malformed_requests

    # Before the CSRF check (which cannot read a form with a nameless field), the rate
    # limits and every view.
    app.before_request(refuse_malformed_requests)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "facilitator.login"
    login_manager.login_message = None

    from assessment.db import read_session
    from assessment.models import Facilitator

    @login_manager.user_loader
    def _load_facilitator(session_id: str) -> Facilitator | None:
        """The facilitator of a login session, unless the session has since been ended.

        The session holds ``<id>:<session version>`` (``Facilitator.get_id``); logging out
        or a new password raises the version, so every older session, and every copy of its
        cookie, no longer loads anyone.
        """
        user_id, _colon, version = session_id.partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        facilitator = read_session().get(Facilitator, int(user_id))
        if facilitator is None or facilitator.session_version != int(version):
            return None
        return facilitator
