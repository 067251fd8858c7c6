"""Admin views: facilitator accounts, backups of scans, and the audit log (also of deleted
scans). Only admins; others get 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from assessment import backup, management, programmes, questionnaire_files
from assessment.admin import bp
from assessment.admin.forms import (
    BackupForm,
    ConfirmForm,
    FacilitatorForm,
    PasswordResetForm,
    ProgrammeForm,
    ProgrammeOwnerForm,
)
from assessment.anonymity import MIN_GROUP_SIZE
from assessment.db import read_session
from assessment.exceptions import (
    AccountExists,
    NotAnEmailAddress,
    PasswordTooShort,
    ProgrammeError,
)
from assessment.models import Assessment, Facilitator, Programme


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only logged-in admins; others get 404, so the pages' existence is not revealed."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/", methods=["GET", "POST"])
@admin_required
def facilitators() -> Response | tuple[str, int]:
    """The facilitators, and a form to add one."""
    form = FacilitatorForm()
    if form.validate_on_submit():
        try:
            management.create_facilitator(form.email.data or "", form.password.data or "",
                                          form.name.data or "", bool(form.is_admin.data),
                                          actor=current_user)
        except NotAnEmailAddress:
            form.email.errors = [_("Vul een geldig e-mailadres in, zoals naam@gemeente.nl.")]
        except AccountExists:
            form.email.errors = [_("Er is al een account met dit e-mailadres.")]
        except PasswordTooShort:
            form.password.errors = [_("Het wachtwoord moet minstens 10 tekens hebben.")]
        else:
            flash(_("Het account is aangemaakt."))
            return redirect(url_for("admin.facilitators"))
    return render_template("admin/facilitators.html", form=form,
                           rows=management.facilitator_accounts(),
                           reset_form=PasswordResetForm()), 400 if form.errors else 200


@bp.route("/<int:facilitator_id>/wachtwoord", methods=["POST"])
@admin_required
def reset_password(facilitator_id: int) -> Response | tuple[str, int]:
    """Give a facilitator a new password."""
    facilitator = read_session().get(Facilitator, facilitator_id)
    if facilitator is None:
        abort(404)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            management.reset_password(facilitator.email, form.password.data or "", current_user)
        except PasswordTooShort:
            flash(_("Het wachtwoord moet minstens 10 tekens hebben."))
        else:
            if facilitator.id == current_user.id:
                # The reset ended every session of the account; this one goes on.
                login_user(read_session().get(Facilitator, facilitator.id))
            flash(_("Het wachtwoord van %(email)s is opnieuw ingesteld.", email=facilitator.email))
        return redirect(url_for("admin.facilitators"))
    abort(400)


@bp.route("/programmas", methods=["GET", "POST"])
@admin_required
def programme_list() -> Response | tuple[str, int]:
    """The programmes with their owners, and a form to add one."""
    form = ProgrammeForm()
    offered = {questionnaire.id: questionnaire
               for (_qid, _language), questionnaire in sorted(
                   questionnaire_files.available().items(), key=lambda item: item[0][1] != "nl")}
    form.questionnaire.choices = [(qid, f"{q.title} ({qid})") for qid, q in offered.items()]
    if form.validate_on_submit():
        try:
            programmes.create_programme(form.name.data or "", offered[form.questionnaire.data],
                                        current_user)
        except ProgrammeError:
            form.name.errors = [_("Er is al een programma met deze naam.")]
        else:
            flash(_("Het programma is aangemaakt."))
            return redirect(url_for("admin.programme_list"))
    rows = [(programme, programmes.owners(programme.id),
             programmes.taking_part_count(programme.id))
            for programme in programmes.all_programmes()]
    return render_template("admin/programmes.html", form=form, rows=rows,
                           owner_form=ProgrammeOwnerForm()), 400 if form.errors else 200


@bp.route("/programmas/<int:programme_id>/eigenaren", methods=["POST"])
@admin_required
def add_programme_owner(programme_id: int) -> Response:
    """Make an existing account an owner of a programme."""
    if read_session().get(Programme, programme_id) is None:
        abort(404)
    form = ProgrammeOwnerForm()
    if not form.validate_on_submit():
        flash(_("Vul het e-mailadres van een bestaand account in."))
    else:
        try:
            account = programmes.add_owner(programme_id, form.email.data or "", current_user)
        except ProgrammeError:
            flash(_("Er is geen account met dit e-mailadres. Maak het eerst aan."))
        else:
            flash(_("%(email)s is programma-eigenaar.", email=account.email))
    return redirect(url_for("admin.programme_list"))


@bp.route("/programmas/<int:programme_id>/eigenaren/<int:facilitator_id>/verwijderen",
          methods=["POST"])
@admin_required
def remove_programme_owner(programme_id: int, facilitator_id: int) -> Response:
    """Take an owner's access to a programme away."""
    if read_session().get(Programme, programme_id) is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    programmes.remove_owner(programme_id, facilitator_id, current_user)
    flash(_("De programma-eigenaar is verwijderd."))
    return redirect(url_for("admin.programme_list"))


@bp.route("/scans")
@admin_required
def assessments() -> str:
    """Every scan of this installation, each with a link to back it up."""
    rows = list(read_session().scalars(select(Assessment).order_by(Assessment.id)))
    counts = management.respondent_counts([a.id for a in rows])
    return render_template("admin/assessments.html", rows=rows, counts=counts,
                           deleted=management.deleted_assessments())


#: Audit events per page of the admin's log.
LOG_PAGE = 200


@bp.route("/logboek")
@admin_required
def audit_log() -> str:
    """The whole audit log, newest first, a page at a time."""
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    events = management.audit_events(limit=LOG_PAGE + 1, offset=(page - 1) * LOG_PAGE)
    return render_template("admin/audit_log.html", events=events[:LOG_PAGE], page=page,
                           more=len(events) > LOG_PAGE)


@bp.route("/scans/<int:assessment_id>/logboek")
@admin_required
def assessment_log(assessment_id: int) -> str:
    """One scan's audit log, also after the scan was deleted (its events remain)."""
    assessment = read_session().get(Assessment, assessment_id)
    events = management.audit_events(assessment_id, limit=10_000)
    if assessment is None and not events:
        abort(404)
    title = assessment.title if assessment else events[0].assessment_title
    return render_template("admin/assessment_log.html", assessment_id=assessment_id,
                           title=title, deleted=assessment is None, events=events)


@bp.route("/scans/<int:assessment_id>/back-up", methods=["GET", "POST"])
@admin_required
def backup_assessment(assessment_id: int) -> Response | tuple[str, int]:
    """A backup with the raw answers, to move a scan: only after a confirmed form, audited."""
    assessment = read_session().get(Assessment, assessment_id)
    if assessment is None:
        abort(404)
    form = BackupForm()
    if form.validate_on_submit():
        document = backup.backup_document(assessment)
        backup.record_backup(assessment.id, current_user,
                             f"{backup.describe_backup(document)}; reason: {form.reason.data}")
        return Response(backup.backup_json(document).encode("utf-8"),
                        mimetype="application/json", headers={
                            "Content-Disposition":
                                f'attachment; filename="{backup.file_name(assessment)}"',
                            "Cache-Control": "no-store"})
    started, submitted = management.respondent_counts([assessment.id])[assessment.id]
    return render_template("admin/backup.html", assessment=assessment, form=form,
                           started=started, submitted=submitted,
                           min_group_size=MIN_GROUP_SIZE), 400 if form.errors else 200
