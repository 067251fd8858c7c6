"""Preparing an assessment: its details, co-facilitators, invitations, deletion, log."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

import reports
from assessment import content, mail, management
from assessment.exceptions import AccountError, InvalidPreviousRound
from assessment.facilitator import bp
from assessment.facilitator.forms import (
    ActionForm,
    DeleteForm,
    PersonalLinksForm,
    PrepareForm,
    ShareForm,
)
from assessment.facilitator.routes import (
    assessment_view,
    owner_view,
    preparation,
    previous_round_choices,
)
from assessment.links import external_url
from assessment.models import Assessment


def _render_prepare(assessment: Assessment, form: PrepareForm, status: int = 200,
                    share_form: ShareForm | None = None) -> tuple[str, int]:
    return render_template(
        "facilitator/prepare.html", assessment=assessment, form=form,
        share_form=share_form or ShareForm(), links_form=PersonalLinksForm(),
        action_form=ActionForm(), colleagues=management.co_facilitators(assessment.id),
        is_owner=assessment.owner_id == current_user.id,
        events=management.audit_events(assessment.id),
        mail_configured=mail.configured(current_app.config),
    ), status


@bp.route("/scans/<int:assessment_id>/voorbereiden", methods=["GET", "POST"])
@assessment_view
def prepare(assessment: Assessment) -> Response | tuple[str, int]:
    """Change the region, title, session date, comparison round, invitations, organisations."""
    form = PrepareForm(obj=None if request.method == "POST" else _as_form_data(assessment))
    form.previous.choices = previous_round_choices(assessment)
    if form.validate_on_submit():
        try:
            management.prepare(assessment.id, preparation(form), current_user)
        except InvalidPreviousRound:
            form.previous.errors = [_("Kies een eerdere ronde met dezelfde vragenlijst.")]
            return _render_prepare(assessment, form, 400)
        flash(_("De voorbereiding is opgeslagen."))
        return redirect(url_for("facilitator.detail", assessment_id=assessment.id))
    return _render_prepare(assessment, form, 400 if form.errors else 200)


def _as_form_data(assessment: Assessment) -> SimpleNamespace:
    """The assessment's preparation in the shape the form reads."""
    return SimpleNamespace(
        region=assessment.region, title=assessment.title,
        session_date=assessment.session_date, previous=str(assessment.previous_id or ""),
        invited_count=assessment.invited_count, organisations=assessment.organisations,
        commissioner=assessment.commissioner)


@bp.route("/scans/<int:assessment_id>/collegas", methods=["POST"])
@owner_view
def share(assessment: Assessment) -> Response | tuple[str, int]:
    """Add a co-facilitator (only the owner may)."""
    form = ShareForm()
    if form.validate_on_submit():
        try:
            colleague = management.share(assessment.id, form.email.data or "", current_user)
        except AccountError:
            form.email.errors = [_("Er is geen procesbegeleider met dit e-mailadres.")]
        else:
            flash(_("%(email)s kan deze scan nu ook begeleiden.", email=colleague.email))
            return redirect(url_for("facilitator.prepare", assessment_id=assessment.id))
    prepare_form = PrepareForm(obj=_as_form_data(assessment))
    prepare_form.previous.choices = previous_round_choices(assessment)
    return _render_prepare(assessment, prepare_form, 400, share_form=form)


@bp.route("/scans/<int:assessment_id>/collegas/<int:facilitator_id>/verwijderen",
          methods=["POST"])
@owner_view
def unshare(assessment: Assessment, facilitator_id: int) -> Response:
    """Take a co-facilitator's access away (only the owner may)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    management.unshare(assessment.id, facilitator_id, current_user)
    return redirect(url_for("facilitator.prepare", assessment_id=assessment.id))


@bp.route("/scans/<int:assessment_id>/persoonlijke-links", methods=["POST"])
@assessment_view
def personal_links(assessment: Assessment) -> Response:
    """Make N anonymous personal links and download them as CSV (they are shown only now)."""
    form = PersonalLinksForm()
    if not form.validate_on_submit():
        flash(_("Kies een aantal van 1 tot 500 persoonlijke links."))
        return redirect(url_for("facilitator.prepare", assessment_id=assessment.id))
    tokens = management.create_personal_links(assessment.id, form.count.data or 0,
                                              current_user)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("nummer"), _("persoonlijke link")])
    for number, token in enumerate(tokens, start=1):
        writer.writerow([number, external_url("participant.resume", token=token)])
    return Response(
        "\ufeff" + buffer.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition":
                 f'attachment; filename="persoonlijke-links-{assessment.join_code}.csv"',
                 "Cache-Control": "no-store"})


@bp.route("/scans/<int:assessment_id>/uitnodiging")
@assessment_view
def invitation(assessment: Assessment) -> str:
    """A printable invitation with the link, the code and the QR code."""
    return render_template(
        "facilitator/invitation.html", assessment=assessment,
        questionnaire=content.for_assessment(assessment),
        join_url=external_url("participant.welcome", code=assessment.join_code))


@bp.route("/scans/<int:assessment_id>/verwijderen", methods=["GET", "POST"])
@owner_view
def delete(assessment: Assessment) -> Response | tuple[str, int]:
    """Delete an assessment and all its data, after typing its join code (owner only)."""
    form = DeleteForm()
    if form.validate_on_submit():
        if management.normalise_join_code(form.confirm.data or "") != assessment.join_code:
            form.confirm.errors = [_("Dit is niet de deelnamecode van deze scan.")]
        else:
            management.delete_assessment(assessment.id, current_user)
            reports.jobs().forget(assessment.id)
            flash(_("De scan is verwijderd, met alle antwoorden."))
            return redirect(url_for("facilitator.index"))
    started, _submitted = management.respondent_counts([assessment.id])[assessment.id]
    return render_template("facilitator/delete.html", assessment=assessment, form=form,
                           started=started), 400 if form.errors else 200
