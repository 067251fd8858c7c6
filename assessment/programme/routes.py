"""Programme owner views: the programmes one owns and their landscapes (page, CSV, PDF).

Every view of a programme takes :func:`programme_view`: only its owners; anyone else gets
the same 404 as for a programme that does not exist. A programme owner sees no scan's own
pages here: those stay behind the facilitator's access checks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Response, abort, current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

import reports
from assessment import content, programmes
from assessment.db import read_session
from assessment.landscape import Landscape
from assessment.models import Assessment, Programme
from assessment.programme import bp
from assessment.programmes import Thresholds
from assessment.safe_text import xml_safe
from assessment.templating import page_language
from questions.schema import Questionnaire
from reports.build import report_key
from reports.context import Numbers
from reports.landscape_view import LandscapeView, landscape_csv, landscape_view

R = TypeVar("R")


def load_programme(programme_id: int) -> Programme:
    """The programme if the logged-in account owns it, else 404."""
    programme = read_session().get(Programme, programme_id)
    if programme is None or not programmes.is_owner(current_user.id, programme.id):
        abort(404)
    return programme


def programme_view(view: Callable[..., R]) -> Callable[..., R]:
    """A view of one programme: logged in, loaded by :func:`load_programme` from the URL's
    ``programme_id`` and passed to the view as its first argument."""

    @wraps(view)
    @login_required
    def wrapped(programme_id: int, **arguments: Any) -> R:
        return view(load_programme(programme_id), **arguments)

    return wrapped


@bp.app_context_processor
def _programme_menu() -> dict[str, Any]:
    def owns_programmes() -> bool:
        return (current_user.is_authenticated
                and bool(programmes.owned_programmes(current_user.id)))

    return {"owns_programmes": owns_programmes}


@bp.route("/")
@login_required
def index() -> str:
    """The programmes the logged-in account owns."""
    return render_template("programme/index.html",
                           programmes=programmes.owned_programmes(current_user.id))


def _landscape(programme: Programme) -> tuple[Landscape, Questionnaire | None, LandscapeView]:
    """The programme's landscape, the questionnaire of its latest row, and the view."""
    found = programmes.programme_landscape(programme, Thresholds.from_config(current_app.config))
    questionnaire = None
    if found.rows:
        latest = max(found.rows, key=lambda row: (row.current.closed_at, row.current.assessment_id))
        scan = read_session().get(Assessment, latest.current.assessment_id)
        assert scan is not None
        questionnaire = content.for_assessment(scan)
    view = (landscape_view(found, questionnaire, Numbers.of(questionnaire, page_language()))
            if questionnaire is not None else LandscapeView((), (), (), ""))
    return found, questionnaire, view


@bp.route("/<int:programme_id>")
@programme_view
def landscape(programme: Programme) -> str:
    """The programme's landscape: a row per region, the spread per lesson, the quadrant."""
    _found, questionnaire, view = _landscape(programme)
    return render_template("programme/landscape.html", programme=programme, view=view,
                           questionnaire=questionnaire,
                           thresholds=Thresholds.from_config(current_app.config))


@bp.route("/<int:programme_id>/landschap.csv")
@programme_view
def landscape_download(programme: Programme) -> Response:
    """The landscape as CSV (aggregated lesson figures only)."""
    _found, _questionnaire, view = _landscape(programme)
    text = landscape_csv(view, {
        "region": _("Regio"), "respondents": _("Deelnemers"), "quadrant": _("Kwadrant"),
        "median": _("Mediaan"), "q1": _("Eerste kwartiel"), "q3": _("Derde kwartiel")})
    return Response("\ufeff" + text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="landschap-{programme.id}.csv"'})


@bp.route("/<int:programme_id>/landschap.pdf")
@programme_view
def landscape_pdf(programme: Programme) -> Response:
    """The landscape as PDF, rendered by the report jobs (static files only, cached)."""
    _found, questionnaire, view = _landscape(programme)
    static = Path(current_app.static_folder or "").resolve()
    with force_locale(page_language()):
        html = xml_safe(render_template(
            "programme/landscape_pdf.html", programme=programme, view=view,
            questionnaire=questionnaire, static_base=static.as_uri() + "/",
            thresholds=Thresholds.from_config(current_app.config)))
    path = reports.jobs().render_now(report_key(html), html)
    return Response(path.read_bytes(), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="landschap-{programme.id}.pdf"'})
