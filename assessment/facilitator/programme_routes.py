"""A scan's taking part in a programme (landschap) and its peers (vergelijkbare regio's)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from assessment import content, programmes
from assessment.db import read_session
from assessment.exceptions import ProgrammeError
from assessment.facilitator import bp
from assessment.facilitator.forms import ActionForm, ProgrammeChoiceForm
from assessment.facilitator.routes import assessment_view
from assessment.models import Assessment, Programme
from assessment.programmes import Thresholds
from reports.context import Numbers
from reports.landscape_view import PeersView, peers_view


@dataclass(frozen=True)
class ProgrammeSection:
    """What the scan page shows about programmes: the choice, and the peers."""

    form: ProgrammeChoiceForm
    offered: bool
    programme: Programme | None
    named: bool
    peers: PeersView | None


def choice_form(assessment: Assessment) -> ProgrammeChoiceForm:
    """The choice form with the programmes this scan's questionnaire fits."""
    form = ProgrammeChoiceForm(
        formdata=request.form if request.method == "POST" else None,
        programme=str(assessment.programme_id or ""), named=assessment.named_in_programme)
    form.programme.choices = [SelectChoice(str(p.id), p.name)
                              for p in programmes.programmes_for(assessment)]
    return form


def programme_section(assessment: Assessment) -> ProgrammeSection:
    """The programme part of the scan page (the scan's own language for the figures)."""
    form = choice_form(assessment)
    programme = (read_session().get(Programme, assessment.programme_id)
                 if assessment.programme_id is not None else None)
    comparison = programmes.peers_of(assessment, Thresholds.from_config(current_app.config))
    questionnaire = content.for_assessment(assessment)
    peers = (peers_view(comparison, questionnaire, Numbers.of(questionnaire, assessment.language))
             if comparison is not None else None)
    return ProgrammeSection(form, bool(form.programme.choices), programme,
                            assessment.named_in_programme, peers)


@bp.route("/scans/<int:assessment_id>/programma", methods=["POST"])
@assessment_view
def programme_choice(assessment: Assessment) -> Response:
    """Take part in a programme (named or not), or withdraw; audited."""
    if request.form.get("actie") == "stoppen":
        if not ActionForm().validate_on_submit():
            abort(400)
        programmes.withdraw(assessment.id, current_user)
        flash(_("De scan doet niet meer mee: hij staat vanaf nu in geen enkel landschap meer."))
        return redirect(url_for("facilitator.detail", assessment_id=assessment.id))
    form = choice_form(assessment)
    if not form.validate_on_submit():
        abort(400)
    try:
        programmes.take_part(assessment.id, int(form.programme.data or 0),
                             bool(form.named.data), current_user)
    except ProgrammeError:
        abort(400)
    flash(_("De scan doet mee aan het programma. Zodra hij gesloten is en minstens "
            "%(minimum)d deelnemers heeft, staat hij in het landschap.",
            minimum=Thresholds.from_config(current_app.config).min_respondents))
    return redirect(url_for("facilitator.detail", assessment_id=assessment.id))
