"""Facilitator views. Every view of an assessment takes @assessment_view (or @owner_view)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import segno
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

import reports
from assessment import aggregation, management, questionnaire_files, results
from assessment.db import read_session
from assessment.exceptions import AssessmentPurged, InvalidPreviousRound, NoFreeJoinCode
from assessment.extensions import limiter
from assessment.facilitator import bp
from assessment.facilitator.forms import ActionForm, AssessmentForm, LoginForm, PrepareForm
from assessment.links import external_url, redirect_back
from assessment.models import Assessment, Facilitator, Status
from assessment.results import round_comparison
from assessment.templating import language_name, page_language
from reports.build import REPORT_KEY, report_context, report_html, report_key
from reports.context import bars_chart_in
from reports.report_jobs import JobState

#: What a view returns (the access decorators keep it).
R = TypeVar("R")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_account() -> str:
    """The account a login attempt is for, so failures are limited per account too."""
    return "account:" + management.normalise_email(request.form.get("email", ""))[:254]


def _is_failed_login(response: Response) -> bool:
    """Only wrong credentials count towards the login limits; a login that works costs nothing.

    So a facilitator who logs in often (several browsers, the projector) is never locked
    out, while guessing passwords is limited per client address and per account.
    """
    return response.status_code == 401


def load_assessment(assessment_id: int) -> Assessment:
    """The assessment if the logged-in facilitator may see it, else 404.

    Owners and co-facilitators may; anyone else gets the same 404 as for an assessment that
    does not exist, so ids reveal nothing. Every facilitator view of an assessment loads it
    here, through :func:`assessment_view`.
    """
    assessment = read_session().get(Assessment, assessment_id)
    user: Facilitator = current_user
    if assessment is None or not management.may_access(user.id, assessment):
        abort(404)
    return assessment


def load_owned_assessment(assessment_id: int) -> Assessment:
    """The assessment if the logged-in facilitator owns it; co-facilitators get 403, others
    the 404 of :func:`load_assessment`."""
    assessment = load_assessment(assessment_id)
    if assessment.owner_id != current_user.id:
        abort(403)
    return assessment


def assessment_view(view: Callable[..., R]) -> Callable[..., R]:
    """A view of one assessment: logged in, loaded by :func:`load_assessment` from the URL's
    ``assessment_id``, and passed to the view as its first argument.

    Every facilitator route with an assessment id takes this (or :func:`owner_view`), so no
    view can skip the check; without a login the browser goes to the login page first.
    """
    return _loading(view, load_assessment)


def owner_view(view: Callable[..., R]) -> Callable[..., R]:
    """As :func:`assessment_view`, for what only the owner may do (sharing, deleting)."""
    return _loading(view, load_owned_assessment)


def _loading(view: Callable[..., R], load: Callable[[int], Assessment]) -> Callable[..., R]:
    @wraps(view)
    @login_required
    def wrapped(assessment_id: int, **arguments: Any) -> R:
        return view(load(assessment_id), **arguments)

    return wrapped


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_is_failed_login)
@limiter.limit(_login_limit, key_func=_login_account, methods=["POST"],
               deduct_when=_is_failed_login)
def login() -> Response | str | tuple[str, int]:
    """Log in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        facilitator = management.authenticate(form.email.data or "", form.password.data or "")
        if facilitator is not None:
            login_user(facilitator)
            return redirect_back(request.args.get("next", ""), "facilitator.index")
        form.password.errors = [_("Dit e-mailadres en wachtwoord horen niet bij elkaar. "
                                  "Probeer het opnieuw.")]
        return render_template("facilitator/login.html", form=form), 401
    return render_template("facilitator/login.html", form=form)


@bp.route("/uitloggen", methods=["POST"])
def logout() -> Response:
    """Log out, on every device: each session of the account ends."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        # Also ends the account's other sessions and any copy of this session's cookie.
        management.end_sessions(current_user.id)
    logout_user()
    return redirect(url_for("facilitator.login"))


@bp.route("/")
@login_required
def index() -> str:
    """The facilitator's own assessments with their respondent counts."""
    assessments = management.accessible_assessments(current_user.id)
    counts = management.respondent_counts([a.id for a in assessments])
    return render_template("facilitator/index.html", assessments=assessments, counts=counts,
                           action_form=ActionForm())


@bp.route("/scans/nieuw", methods=["GET", "POST"])
@login_required
def create() -> Response | str | tuple[str, int]:
    """Create an assessment with the questionnaire of the chosen language."""
    options = questionnaire_files.available()
    offered = questionnaire_files.offered_in_order(page_language())
    form = AssessmentForm(questionnaire=":".join(offered[0][0]))
    form.questionnaire.choices = [
        SelectChoice(f"{qid}:{language}", _("%(language)s — %(title)s (versie %(version)s)",
                                            language=language_name(language), title=q.title,
                                            version=q.version))
        for (qid, language), q in offered
    ]
    form.previous.choices = previous_round_choices(None)
    if form.validate_on_submit():
        qid, _sep, language = (form.questionnaire.data or "").partition(":")
        chosen = options[(qid, language)]
        try:
            assessment_id = management.create_assessment(
                current_user.id, form.region.data or "", form.title.data or "",
                chosen, actor=current_user, preparation=preparation(form),
                translations=questionnaire_files.translations_of(chosen),
            )
        except InvalidPreviousRound:
            form.previous.errors = [_("Kies een eerdere ronde met dezelfde vragenlijst.")]
            return render_template("facilitator/create.html", form=form), 400
        except NoFreeJoinCode:
            # Nothing the facilitator chose is wrong: the form stays as it was, to send again.
            return render_template("facilitator/create.html", form=form, notice=_(
                "Er kon geen deelnamecode worden gemaakt. Probeer het nog een keer.")), 503
        flash(_("De scan is aangemaakt. Open hem als u klaar bent om te beginnen."))
        return redirect(url_for("facilitator.detail", assessment_id=assessment_id))
    return render_template("facilitator/create.html", form=form), 400 if form.errors else 200


@bp.route("/scans/<int:assessment_id>")
@assessment_view
def detail(assessment: Assessment) -> str:
    """One assessment: status, how to join, and how many have answered."""
    from assessment.facilitator.programme_routes import programme_section

    started, submitted = management.respondent_counts([assessment.id])[assessment.id]
    report = report_context(assessment)
    return render_template(
        "facilitator/detail.html", assessment=assessment, started=started,
        submitted=submitted, join_url=_join_url(assessment), action_form=ActionForm(),
        questionnaire=report.questionnaire, summary=report.summary, report=report,
        # In the page's language, as the table beside it (the report keeps the scan's).
        bars_chart=bars_chart_in(report, page_language()),
        rules=aggregation, comparison=round_comparison(assessment),
        counting=results.counting(assessment),
        type_summaries=results.type_summaries(assessment),
        programme=programme_section(assessment),
    )


@bp.route("/scans/<int:assessment_id>/status", methods=["POST"])
@assessment_view
def change_status(assessment: Assessment) -> Response:
    """Open or close the answering."""
    if not ActionForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("status", "")
    if wanted not in (Status.OPEN, Status.CLOSED):
        abort(400)
    try:
        management.set_status(assessment.id, Status(wanted), actor=current_user)
    except AssessmentPurged:
        flash(_("Deze scan kan niet meer open: de ruwe antwoorden zijn opgeschoond. Wilt u "
                "opnieuw meten, maak dan een nieuwe scan (een volgende ronde)."))
    else:
        flash(_("De scan is geopend: deelnemers kunnen nu antwoorden.") if wanted == Status.OPEN
              else _("De scan is gesloten: er kunnen geen antwoorden meer bij."))
    return redirect(url_for("facilitator.detail", assessment_id=assessment.id))


@bp.route("/scans/<int:assessment_id>/qr.svg")
@assessment_view
def qr_code(assessment: Assessment) -> Response:
    """The join link as a QR code (SVG), for the invitation and the projector."""
    buffer = io.BytesIO()
    segno.make(_join_url(assessment), error="m").save(
        buffer, kind="svg", scale=8, border=2, title=_("QR-code om mee te doen"))
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.route("/scans/<int:assessment_id>/rapport.pdf")
@assessment_view
def report_pdf(assessment: Assessment) -> Response | tuple[str, int]:
    """The PDF report: sent at once when cached, else rendered in the background."""
    key, html = _report(assessment)
    cached = reports.jobs().cached_pdf(key, assessment.id)
    if cached is not None:
        management.record_event("report_downloaded", current_user, assessment.id)
        return send_file(io.BytesIO(cached), mimetype="application/pdf",
                         as_attachment=True, download_name=_report_filename(assessment),
                         max_age=0)
    status = reports.jobs().status(key, assessment.id)
    if status is None or status.state is not JobState.FAILED or request.args.get("opnieuw"):
        status = reports.jobs().submit(key, html, assessment.id)
    return render_template("facilitator/report_wait.html", assessment=assessment,
                           status=status, version=key), 202


@bp.route("/scans/<int:assessment_id>/rapport/status")
@assessment_view
def report_status(assessment: Assessment) -> Response:
    """The state of a render, for the waiting page's script, which polls it every second.

    The page asks for the version it waits for (``versie``, the report's key): its state is
    then read without building the report again (its figures, texts and HTML). Without a
    version (or with anything but a key), the state of the report as it would be now.
    """
    key = request.args.get("versie", "")
    if not REPORT_KEY.fullmatch(key):
        key, _html = _report(assessment)
    status = reports.jobs().status(key, assessment.id)
    return jsonify(state=status.state.value if status else "none",
                   message=status.message if status else "")


@bp.route("/scans/<int:assessment_id>/rapport")
@assessment_view
def report_preview(assessment: Assessment) -> str:
    """The same report as HTML, for reading on screen."""
    html = report_html(report_context(assessment), url_for("static", filename=""))
    management.record_event("report_previewed", current_user, assessment.id)
    return html


def _report(assessment: Assessment) -> tuple[str, str]:
    """The report's cache key and HTML as it would be rendered to PDF now."""
    static = Path(current_app.static_folder or "").resolve().as_uri() + "/"
    html = report_html(report_context(assessment), static)
    return report_key(html), html


def _report_filename(assessment: Assessment) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{assessment.region} {assessment.title}".lower())
    return f"regiospiegel-{slug.strip('-')[:60] or assessment.id}.pdf"


def previous_round_choices(current: Assessment | None) -> list[SelectChoice]:
    """Earlier assessments this facilitator may compare with (same questionnaire if known)."""
    choices = [SelectChoice("", _("Geen vergelijking"))]
    for other in management.accessible_assessments(current_user.id):
        if current is not None and (other.id == current.id
                                    or other.questionnaire_id != current.questionnaire_id):
            continue
        choices.append(SelectChoice(str(other.id), f"{other.title} ({other.join_code})"))
    return choices


def preparation(form: PrepareForm) -> management.Preparation:
    """The preparation a form describes."""
    previous = form.previous.data
    return management.Preparation(
        region=form.region.data or "", title=form.title.data or "",
        session_date=form.session_date.data,
        previous_id=int(previous) if previous and previous.isdigit() else None,
        invited_count=form.invited_count.data, organisations=form.organisations.data or "",
        commissioner=form.commissioner.data or "")


def _join_url(assessment: Assessment) -> str:
    return external_url("participant.welcome", code=assessment.join_code)
