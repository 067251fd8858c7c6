"""The facilitator's report texts: a foreword, own advice per lesson, and marking "definitief"."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length, Optional

from assessment import report_texts
from assessment.exceptions import ChangedMeanwhile, NotClosed
from assessment.extensions import csrf
from assessment.facilitator import bp
from assessment.facilitator.discussion_routes import PagePart, _all_valid
from assessment.facilitator.forms import ActionForm
from assessment.facilitator.routes import load_assessment
from assessment.models import Assessment
from assessment.report_texts import FOREWORD, AdviceMode
from reports.build import report_context
from reports.context import LessonSection, ReportContext

_TOO_LONG = _l("Gebruik hoogstens %(max)d tekens.", max=report_texts.MAX_TEXT_LENGTH)


class ForewordForm(PagePart):
    """The report's foreword, with the version the page showed."""

    text = TextAreaField(
        _l("Voorwoord"),
        validators=[Optional(), Length(max=report_texts.MAX_TEXT_LENGTH, message=_TOO_LONG)],
        description=_l("Staat vooraan in het rapport, na de inhoudsopgave. Niet verplicht."),
        render_kw={"rows": 8, "maxlength": report_texts.MAX_TEXT_LENGTH})
    shown = HiddenField()

    def sent(self) -> report_texts.ReportTextInput:
        """The foreword as sent."""
        return report_texts.ReportTextInput(self.text.data or "", AdviceMode.REPLACE,
                                            self.shown.data or "")


class OwnAdviceForm(PagePart):
    """A lesson's own text on the advice, whether it replaces or extends it, and its version."""

    mode = RadioField(
        _l("Wat doet uw tekst?"),
        choices=[SelectChoice(AdviceMode.EXTEND.value, _l("Vult het advies aan")),
                 SelectChoice(AdviceMode.REPLACE.value, _l("Vervangt het advies"))],
        default=AdviceMode.EXTEND.value,
        validators=[Optional()])
    text = TextAreaField(
        _l("Eigen tekst bij het advies"),
        validators=[Optional(), Length(max=report_texts.MAX_TEXT_LENGTH, message=_TOO_LONG)],
        description=_l("Komt in het rapport onder ‘Toelichting van de procesbegeleider’, of "
                       "als ‘Advies van de procesbegeleider’ in plaats van het advies. Niet "
                       "verplicht."),
        render_kw={"rows": 4, "maxlength": report_texts.MAX_TEXT_LENGTH})
    shown = HiddenField()

    def sent(self) -> report_texts.ReportTextInput:
        """The lesson's text as sent."""
        return report_texts.ReportTextInput(self.text.data or "",
                                            self.mode.data or AdviceMode.EXTEND,
                                            self.shown.data or "")


class FinalForm(ActionForm):
    """Mark the report final: the texts' fingerprint as the page showed them."""

    texts = HiddenField()


@bp.route("/scans/<int:assessment_id>/rapportteksten", methods=["GET", "POST"])
@login_required
@csrf.exempt  # checked by the page's form itself, so an expired form keeps what was typed
def report_texts_page(assessment_id: int) -> Response | tuple[str, int]:
    """The foreword and per lesson an own text on the advice; one form saves them all."""
    assessment = load_assessment(assessment_id)
    report = report_context(assessment)
    form = ActionForm()
    foreword, lessons, sent = _parts(assessment.id, report.lessons)
    if form.validate_on_submit() and _all_valid([foreword, *lessons.values()]):
        texts = {part: foreword.sent() if part == FOREWORD else lessons[part].sent()
                 for part in sent}
        written = report_texts.save_report_texts(assessment, texts, current_user)
        flash(_("De rapportteksten zijn opgeslagen.") if written
              else _("Er was niets veranderd, dus er is niets opgeslagen."))
        return redirect(url_for("facilitator.report_texts_page", assessment_id=assessment.id))
    posted = request.method == "POST"
    return _render(assessment, report, form, foreword, lessons, posted)


@bp.route("/scans/<int:assessment_id>/rapportteksten/definitief", methods=["POST"])
@login_required
def mark_report_final(assessment_id: int) -> Response:
    """Mark the report "definitief": the next version, today's date."""
    assessment = load_assessment(assessment_id)
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
