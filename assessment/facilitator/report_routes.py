"""The facilitator's report texts: a foreword, own advice per lesson, and marking "definitief"."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment import report_texts
from assessment.exceptions import ChangedMeanwhile, NotClosed
from assessment.extensions import csrf
from assessment.facilitator import bp
from assessment.facilitator.forms import (
    ActionForm,
    FinalForm,
    ForewordForm,
    OwnAdviceForm,
    all_valid,
)
from assessment.facilitator.routes import assessment_view
from assessment.models import Assessment
from assessment.report_texts import FOREWORD, AdviceMode
from reports.build import report_context
from reports.context import LessonSection, ReportContext


@bp.route("/scans/<int:assessment_id>/rapportteksten", methods=["GET", "POST"])
@assessment_view
@csrf.exempt  # checked by the page's form itself, so an expired form keeps what was typed
def report_texts_page(assessment: Assessment) -> Response | tuple[str, int]:
    """The foreword and per lesson an own text on the advice; one form saves them all."""
    report = report_context(assessment)
    form = ActionForm()
    foreword, lessons, sent = _parts(assessment.id, report.lessons)
    if form.validate_on_submit() and all_valid([foreword, *lessons.values()]):
        texts = {part: foreword.sent() if part == FOREWORD else lessons[part].sent()
                 for part in sent}
        written = report_texts.save_report_texts(assessment, texts, current_user)
        flash(_("De rapportteksten zijn opgeslagen.") if written
              else _("Er was niets veranderd, dus er is niets opgeslagen."))
        return redirect(url_for("facilitator.report_texts_page", assessment_id=assessment.id))
    posted = request.method == "POST"
    return _render(assessment, report, form, foreword, lessons, posted)


@bp.route("/scans/<int:assessment_id>/rapportteksten/definitief", methods=["POST"])
@assessment_view
def mark_report_final(assessment: Assessment) -> Response:
    """Mark the report "definitief": the next version, today's date."""
    form = FinalForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        status = report_texts.mark_final(assessment, form.texts.data or "", current_user)
    except NotClosed:
        flash(_("Sluit eerst de scan. Zolang er nog antwoorden bij kunnen komen, blijft het "
                "rapport voorlopig."))
    except ChangedMeanwhile:
        flash(_("Een collega heeft de rapportteksten intussen gewijzigd. Lees ze hieronder na "
                "en maak het rapport dan definitief."))
    else:
        flash(_("Het rapport is definitief: versie %(version)d.", version=status.version))
    return redirect(url_for("facilitator.report_texts_page", assessment_id=assessment.id))


def _parts(
    assessment_id: int, lessons: Sequence[LessonSection]
) -> tuple[ForewordForm, dict[str, OwnAdviceForm], list[str]]:
    """The foreword's and each lesson's part of the form (as sent, or as saved), and the
    parts sent."""
    saved = report_texts.report_texts(assessment_id)
    sent = []
    if "voorwoord-text" in request.form:
        foreword = ForewordForm(prefix="voorwoord", formdata=request.form)
        sent.append(FOREWORD)
    else:
        foreword = ForewordForm(
            prefix="voorwoord", formdata=None, text=saved.foreword,
            shown=report_texts.text_version(saved.foreword, AdviceMode.REPLACE))
    forms = {}
    for section in lessons:
        lesson_id = section.lesson.id
        prefix = f"les-{lesson_id}"
        if f"{prefix}-text" in request.form:
            forms[lesson_id] = OwnAdviceForm(prefix=prefix, formdata=request.form)
            sent.append(lesson_id)
        else:
            own = saved.advice.get(lesson_id, report_texts.OwnAdvice(""))
            forms[lesson_id] = OwnAdviceForm(
                prefix=prefix, formdata=None, text=own.text, mode=own.mode.value,
                shown=report_texts.text_version(own.text, own.mode))
    return foreword, forms, sent


def _render(assessment: Assessment, report: ReportContext, form: ActionForm,
            foreword: ForewordForm, lessons: dict[str, OwnAdviceForm],
            posted: bool) -> tuple[str, int]:
    final_form = FinalForm(formdata=None, texts=report_texts.texts_version(assessment.id))
    return render_template(
        "facilitator/report_texts.html", assessment=assessment, report=report, form=form,
        foreword=foreword, forms=lessons, final_form=final_form, unsaved=posted,
        status=report_texts.report_status(assessment),
    ), 400 if posted else 200
