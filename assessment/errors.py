"""Friendly error pages: what happened and what to do, never a traceback."""

from __future__ import annotations

from flask import Flask, g, render_template, request, session
from flask import globals as flask_globals
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from assessment import content, participation
from assessment.exceptions import UnknownAssessment
from assessment.management import assessment_by_join_code

#: Per status: a title and a sentence on what to do, in plain language.
MESSAGES = {
    400: (_l("Dit verzoek klopt niet"),
          _l("Er ging iets mis met wat uw browser stuurde. Ga terug en probeer het opnieuw.")),
    403: (_l("Geen toegang"),
          _l("U heeft geen toegang tot deze pagina. Log in met het juiste account.")),
    404: (_l("Pagina niet gevonden"),
          _l("Deze pagina bestaat niet (meer). Controleer de link of de code.")),
    405: (_l("Dit kan zo niet"),
          _l("Deze pagina kan niet op deze manier worden gebruikt. "
             "Ga terug en probeer het opnieuw.")),
    413: (_l("Te veel tekst"),
          _l("U stuurde meer tekst dan we kunnen opslaan. Maak uw tekst korter.")),
    429: (_l("Even wachten"),
          _l("Er zijn te veel pogingen gedaan. "
             "Wacht een paar minuten en probeer het dan opnieuw.")),
    500: (_l("Er ging iets mis"),
          _l("Er ging bij ons iets mis. Uw eerder opgeslagen antwoorden zijn bewaard. "
             "Probeer het over een minuut opnieuw.")),
}


#: Headers of an HTTP error that the friendly page keeps: what is allowed, when to retry.
KEPT_HEADERS = ("Allow", "Retry-After")


def render_error(status: int, detail: str | None = None) -> tuple[str, int]:
    """The friendly page for ``status``, in the participant's language where known."""
    title, message = MESSAGES.get(status, MESSAGES[500])
    if not _can_build_urls():
        # A request refused before routing (an untrusted Host): no page around the message.
        return f"{title}. {message}", status
    _participant_language()
    return render_template(
        "errors/error.html", status=status, title=title, message=message, detail=detail
    ), status


def _participant_language() -> None:
    """Speak the assessment's language when the error came before the view could say it.

    A refused form token or a rate limit stops a participant's request before the view
    loads the assessment; the URL's resume token or join code still names it.
    """
    arguments = request.view_args or {}
    if "language" in g or request.blueprint != "participant" or not (
            {"token", "code"} & set(arguments)):
        return
    try:
        chosen = session.get("language")
        if "token" in arguments:
            respondent = participation.find_respondent(str(arguments["token"]))
            assessment = respondent.assessment if respondent else None
            chosen = respondent.language if respondent else chosen
        else:
            assessment = assessment_by_join_code(str(arguments["code"]))
    except Exception:
        # An error page must not fail in turn (the error may be a broken database).
        return
    if assessment is not None:
        g.language = content.participant_language(assessment, chosen)
        g.languages = assessment.languages
        refresh()


def _can_build_urls() -> bool:
    context = flask_globals.request_ctx
    return bool(context) and context.url_adapter is not None


def init_app(app: Flask) -> None:
    """Register the friendly pages for every HTTP error and for unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return render_error(400, str(_l("Het formulier was verlopen. Ga terug, vernieuw de "
                                         "pagina en probeer het opnieuw.")))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int, dict[str, str]]:
        code = error.code or 500
        page, status = render_error(code if code in MESSAGES else 500 if code >= 500 else 400)
        kept = {name: value for name, value in error.get_headers() if name in KEPT_HEADERS}
        return page, status, kept

    @app.errorhandler(UnknownAssessment)
    def _gone(error: UnknownAssessment) -> tuple[str, int]:
        # Deleted by a colleague between loading the page and writing to it: not there now.
        return render_error(404)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        app.logger.exception("unexpected error", exc_info=error)
        return render_error(InternalServerError.code)
