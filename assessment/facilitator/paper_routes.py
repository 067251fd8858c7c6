"""Paper fallback: the blank questionnaire to print, and typing in filled-in forms."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import segno
from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import Field, HiddenField, RadioField, SelectChoice
from wtforms.validators import InputRequired, Regexp

import reports
from assessment import content, paper, participation
from assessment.errors import render_error
from assessment.exceptions import AssessmentClosed, InvalidAnswers, RenderError
from assessment.facilitator import bp
from assessment.facilitator.routes import load_assessment
from assessment.links import external_url
from assessment.models import Assessment
from assessment.question_types import (
    ANSWER,
    FIELD_PREFIXES,
    PROFILE,
    TEXT,
    FieldSpec,
    NotSent,
    build_field,
    field_name,
)
from assessment.safe_text import xml_safe
from questions.schema import Questionnaire, Scale
from reports.build import report_key


class PaperEntryForm(FlaskForm):
    """One typed-in paper form; its one-time key makes a double submit store one respondent."""

    entry_key = HiddenField(_l("Formuliersleutel"), validators=[
        InputRequired(), Regexp(r"^[A-Za-z0-9_-]{32,64}$")])


@bp.route("/scans/<int:assessment_id>/papier.pdf")
@login_required
def paper_pdf(assessment_id: int) -> Response | tuple[str, int]:
    """The blank questionnaire as a PDF to print (rendered now, small, and cached)."""
    assessment = load_assessment(assessment_id)
    html = _blank_html(assessment)
    try:
        pdf = reports.jobs().render_now(report_key(html), html)
    except RenderError:
        return render_error(503, _("De papieren vragenlijst kon niet worden gemaakt. "
                                   "Probeer het over een minuut opnieuw."))
    # Read whole, so a re-render replacing the cached file cannot cut it.
    return send_file(io.BytesIO(pdf.read_bytes()), mimetype="application/pdf",
                     as_attachment=True, max_age=0,
                     download_name=f"papieren-vragenlijst-{assessment.join_code}.pdf")


@bp.route("/scans/<int:assessment_id>/papier/invoeren", methods=["GET", "POST"])
@login_required
def paper_entry(assessment_id: int) -> Response | tuple[str, int]:
    """Type in one filled-in paper form; after saving, an empty form for the next one."""
    assessment = load_assessment(assessment_id)
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
    if _unknown_items(form):
        return _render_entry(assessment, questionnaire, form, status=400, notice=_(
            "Dit formulier bevat antwoorden die niet bij de vragenlijst horen. Er is niets "
            "opgeslagen. Vul het formulier opnieuw in."))
    if not form.validate():
        return _render_entry(assessment, questionnaire, form, status=400, notice=_(
            "Er is niets opgeslagen. Verbeter de fouten hieronder en sla het formulier "
            "opnieuw op."))
    posted = _posted(form)
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


def _blank_html(assessment: Assessment) -> str:
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
            layout=paper.paper_layout(questionnaire), join_url=join_url,
            start_url=external_url("participant.start_page"), qr_svg=qr_svg,
            scale=questionnaire.scale(), static_base=static_base)
    return xml_safe(html)  # a title with a character XML forbids must not reach the renderer


def _render_entry(
    assessment: Assessment, questionnaire: Questionnaire, form: PaperEntryForm | None,
    *, status: int = 200, notice: str | None = None,
) -> tuple[str, int]:
    return render_template(
        "facilitator/paper_entry.html", assessment=assessment, questionnaire=questionnaire,
        layout=paper.paper_layout(questionnaire), form=form, notice=notice,
        accepting=paper.accepts_paper(assessment), count=paper.paper_count(assessment.id),
    ), status


def _blank_choice() -> SelectChoice:
    """The option to undo a mis-click: the question stays unanswered (no JavaScript needed)."""
    return SelectChoice("", _("Niet ingevuld"))


def _scale_field(text: str, scale: Scale) -> Field:
    choices = [SelectChoice(str(p.value), f"{p.value} {p.label}") for p in scale.points]
    choices += [SelectChoice(o.code, o.label) for o in scale.non_valid]
    return RadioField(text, choices=[*choices, _blank_choice()], validators=[NotSent()])


def _entry_form_class(questionnaire: Questionnaire, text_max_length: int) -> type[PaperEntryForm]:
    """A form with every item of the questionnaire; each choice may be left blank."""
    fields: dict[str, Field] = {}
    for question in questionnaire.profile:
        fields[field_name("profile", question.id)] = RadioField(
            question.label, validators=[NotSent()],
            choices=[*(SelectChoice(o.id, o.label) for o in question.options), _blank_choice()])
    for section in paper.paper_layout(questionnaire).sections:
        for item in section.items:
            fields[field_name("statement", item.statement.id)] = _scale_field(
                item.statement.text, item.scale)
    for lesson in questionnaire.lessons:
        name, field = build_field("text", FieldSpec(
            lesson, questionnaire, text_max_length,
            label=_("Toelichting bij %(lesson)s", lesson=lesson.title)))
        fields[name] = field
    for open_question in questionnaire.open_questions:
        name, field = build_field("text", FieldSpec(open_question, questionnaire,
                                                    text_max_length))
        fields[name] = field
    return type("PaperEntryForm_" + questionnaire.id.replace("-", "_"), (PaperEntryForm,),
                fields)


def _unknown_items(form: PaperEntryForm) -> list[str]:
    """Posted names that look like items but are not on the form (tampering or stale page)."""
    return sorted(name for name in request.form
                  if name.startswith(FIELD_PREFIXES) and name not in form._fields)


def _posted(form: PaperEntryForm) -> participation.PageAnswers:
    """What the form says, without the items left blank."""
    answers: dict[str, str] = {}
    texts: dict[str, str] = {}
    profile: dict[str, str] = {}
    for name, field in form._fields.items():
        if name.startswith(ANSWER) and field.data:
            answers[name.removeprefix(ANSWER)] = field.data
        elif name.startswith(TEXT) and (field.data or "").strip():
            texts[name.removeprefix(TEXT)] = field.data
        elif name.startswith(PROFILE) and field.data:
            profile[name.removeprefix(PROFILE)] = field.data
    return participation.PageAnswers(answers=answers, texts=texts, profile=profile)
