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
    from assessment.security import refuse_malformed_forms

    # Before the CSRF check, which cannot read a form with a nameless field.
    app.before_request(refuse_malformed_forms)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "facilitator.login"
    login_manager.login_message = None

    from assessment.db import read_session
    from assessment.models import Facilitator

    @login_manager.user_loader
    def _load_facilitator(user_id: str) -> Facilitator | None:
        return read_session().get(Facilitator, int(user_id)) if user_id.isdigit() else None
