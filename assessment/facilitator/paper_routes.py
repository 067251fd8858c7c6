"""Paper fallback: the blank questionnaire to print, and typing in filled-in forms."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import segno
from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

import reports
from assessment import content, paper, participation
from assessment.errors import render_error
from assessment.exceptions import AssessmentClosed, InvalidAnswers, RenderError
from assessment.facilitator import bp
from assessment.facilitator.forms import PaperEntryForm
from assessment.facilitator.routes import assessment_view
from assessment.links import external_url
from assessment.models import Assessment
from assessment.question_types import form_fields, unknown_items
from assessment.safe_text import xml_safe
from questions.schema import Questionnaire
from reports.build import report_key
from reports.report_jobs import PAPER_FORM


@bp.route("/scans/<int:assessment_id>/papier.pdf")
@assessment_view
def paper_pdf(assessment: Assessment) -> Response | tuple[str, int]:
    """The blank questionnaire as a PDF to print (rendered now, small, and cached)."""
    html = blank_html(assessment)
    try:
        pdf = reports.jobs().render_now(report_key(html), html, assessment.id, PAPER_FORM)
    except RenderError:
        return render_error(503, _("De papieren vragenlijst kon niet worden gemaakt. "
                                   "Probeer het over een minuut opnieuw."))
    # Read whole, so a re-render replacing the cached file cannot cut it.
    return send_file(io.BytesIO(pdf.read_bytes()), mimetype="application/pdf",
                     as_attachment=True, max_age=0,
                     download_name=f"papieren-vragenlijst-{assessment.join_code}.pdf")


@bp.route("/scans/<int:assessment_id>/papier/invoeren", methods=["GET", "POST"])
@assessment_view
def paper_entry(assessment: Assessment) -> Response | tuple[str, int]:
    """Type in one filled-in paper form; after saving, an empty form for the next one."""
    questionnaire = content.for_assessment(assessment)
    if not paper.accepts_paper(assessment):
        return _render_entry(assessment, questionnaire, None,
                             status=409 if request.method == "POST" else 200)
    form_class = _entry_form_class(questionnaire, current_app.config["COMMENT_MAX_LENGTH"])
    if request.method == "GET":
        form = form_class(formdata=None)
        form.entry_key.data = secrets.token_urlsafe(32)
        return _render_entry(assessment, questionnaire, form)

    form = form_class()
    if unknown_items(form._fields, request.form):
        return _render_entry(assessment, questionnaire, form, status=400, notice=_(
            "Dit formulier bevat antwoorden die niet bij de vragenlijst horen. Er is niets "
            "opgeslagen. Vul het formulier opnieuw in."))
    if not form.validate():
        return _render_entry(assessment, questionnaire, form, status=400, notice=_(
            "Er is niets opgeslagen. Verbeter de fouten hieronder en sla het formulier "
            "opnieuw op."))
    posted = participation.posted_answers(form.asked, form._fields)
    if paper.is_empty(posted):
        return _render_entry(assessment, questionnaire, form, status=400, notice=_(
            "Er is niets ingevuld. Er is niets opgeslagen. Vul de antwoorden van het "
            "papieren formulier in en sla het dan op."))
    token = paper.entry_token(str(current_app.config["SECRET_KEY"]), assessment.id,
                              form.entry_key.data or "")
    try:
        entry = paper.record(assessment.id, token, posted, current_user)
    except AssessmentClosed:
        return _render_entry(assessment, questionnaire, None, status=409)
    except InvalidAnswers:
        return _render_entry(assessment, questionnaire, form, status=400, notice=_(
            "Dit formulier bevat antwoorden die niet bij de vragenlijst horen. Er is niets "
            "opgeslagen. Controleer de antwoorden en sla het formulier opnieuw op."))
    if entry.created:
        flash(_("Papieren vragenlijst %(number)d opgeslagen.", number=entry.number))
    else:
        flash(_("Papieren vragenlijst %(number)d was al opgeslagen. Hij is niet nog een keer "
                "opgeslagen.", number=entry.number))
    return redirect(url_for("facilitator.paper_entry", assessment_id=assessment.id))


# -- helpers ----------------------------------------------------------------------------


def blank_html(assessment: Assessment) -> str:
    """The blank questionnaire as HTML for the PDF renderer, in the assessment's language."""
    questionnaire = content.for_assessment(assessment)
    join_url = external_url("participant.welcome", code=assessment.join_code)
    static_base = Path(current_app.static_folder or "").resolve().as_uri() + "/"
    with force_locale(assessment.language):
        # Our own SVG of the join link (no user text in it), drawn inline: the renderer
        # fetches nothing but static files.
        qr_svg = Markup(segno.make(join_url, error="m").svg_inline(  # noqa: S704
            scale=3, border=0, title=_("QR-code met de link om mee te doen")))
        html = render_template(
            "paper/blank.html", assessment=assessment, questionnaire=questionnaire,
            parts=paper.form_parts(questionnaire), join_url=join_url,
            start_url=external_url("participant.start_page"), qr_svg=qr_svg,
            scale=questionnaire.scale(), static_base=static_base)
    return xml_safe(html)  # a title with a character XML forbids must not reach the renderer


def _render_entry(
    assessment: Assessment, questionnaire: Questionnaire, form: PaperEntryForm | None,
    *, status: int = 200, notice: str | None = None,
) -> tuple[str, int]:
    return render_template(
        "facilitator/paper_entry.html", assessment=assessment, questionnaire=questionnaire,
        parts=paper.form_parts(questionnaire), form=form, notice=notice,
        accepting=paper.accepts_paper(assessment), count=paper.paper_count(assessment.id),
    ), status


def _entry_form_class(questionnaire: Questionnaire, text_max_length: int) -> type[PaperEntryForm]:
    """A form with every item of the questionnaire, each as its type asks it on paper."""
    asked = tuple(item for part in paper.form_parts(questionnaire) for item in part.asked)
    return type("PaperEntryForm_" + questionnaire.id.replace("-", "_"), (PaperEntryForm,),
                {"asked": asked, **form_fields(questionnaire, asked, text_max_length,
                                               paper=True)})
