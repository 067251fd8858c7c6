"""Invitations by e-mail: addresses, texts, a preview, sending, progress and reminders.

The page shows per address only how its e-mails fared and whether the answers were sent in
("verzonden"): never anything a respondent answered (see SECURITY.md).
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment import address_lists, mail, mail_jobs, mail_texts, mailing
from assessment.exceptions import AssessmentClosed, InvalidMailText, MailError
from assessment.facilitator import bp
from assessment.facilitator.forms import (
    ActionForm,
    AddressesForm,
    MailTextsForm,
    ReminderForm,
    mail_texts_form,
)
from assessment.facilitator.routes import assessment_view
from assessment.invitations import ADDRESS_GONE
from assessment.models import Assessment

#: An example link for the preview (no invitation's real link is ever shown).
EXAMPLE_TOKEN = "voorbeeld-persoonlijke-link"  # noqa: S105 (shown, not a secret)


def _failure_reason(stored: str) -> str:
    """A failure's reason as stored (Dutch phrases of the app, the server's reply as it came)
    in the interface language."""
    phrases = {mailing.INTERRUPTED: _("onderbroken, niet opnieuw verstuurd"),
               ADDRESS_GONE: _("niet verstuurd: het adres is verwijderd"),
               mail.CONNECTION_LOST: _("verbinding verbroken tijdens het verzenden"),
               mailing.MAY_HAVE_ARRIVED: _("mogelijk wel aangekomen"),
               mail.UNREACHABLE: _("mailserver niet bereikbaar"),
               mailing.NOT_SENT: _("niet verstuurd")}
    pattern = "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))
    return re.sub(pattern, lambda found: str(phrases[found.group()]), stored)


def _problem(reason: str) -> str:
    labels = {address_lists.MALFORMED: _("Geen geldig e-mailadres."),
              address_lists.DUPLICATE: _("Staat al eerder in deze lijst."),
              address_lists.ALREADY_INVITED: _("Is al uitgenodigd."),
              address_lists.TOO_MANY: _("Te veel adressen in één keer; voeg de rest daarna toe.")}
    return str(labels.get(reason, reason))


def _delivery_labels() -> dict[str, str]:
    return {"queued": _("wacht"), "sending": _("wordt verstuurd"), "sent": _("verstuurd"),
            "failed": _("mislukt")}


def _texts_form(assessment: Assessment) -> MailTextsForm:
    """The texts form filled with the stored (or default) texts."""
    form_class = mail_texts_form(assessment.languages)
    data: dict[str, object] = {"answer_by": assessment.answer_by}
    for language in assessment.languages:
        for kind in mail_texts.KINDS:
            text = mailing.mail_text(assessment.id, language, kind)
            data[f"{language}-{kind}-subject"] = text.subject
            data[f"{language}-{kind}-body"] = text.body
    return form_class(formdata=None, data=data)


def _addresses_form(assessment: Assessment) -> AddressesForm:
    form = AddressesForm()
    names = {"nl": _("Nederlands"), "en": _("Engels")}
    form.language.choices = [(language, names.get(language, language))
                             for language in assessment.languages]
    return form


def _render(assessment: Assessment, *, addresses_form: AddressesForm | None = None,
            texts_form: MailTextsForm | None = None,
            problems: tuple[address_lists.LineProblem, ...] = (), status: int = 200
            ) -> tuple[str, int]:
    progress = mailing.progress(assessment.id)
    return render_template(
        "facilitator/invitations.html", assessment=assessment,
        configured=mail.configured(current_app.config),
        addresses_form=addresses_form or _addresses_form(assessment),
        texts_form=texts_form or _texts_form(assessment),
        action_form=ActionForm(), reminder_form=ReminderForm(
            formdata=None, round=str(mailing.reminder_round(assessment.id))),
        progress=progress, problems=[(p, _problem(p.reason)) for p in problems],
        failure_reason=_failure_reason,
        labels=_delivery_labels(), kinds=mail_texts.KINDS,
        placeholders=mail_texts.PLACEHOLDERS,
        days=current_app.config["INVITATION_ADDRESS_DAYS"],
    ), status


@bp.route("/scans/<int:assessment_id>/uitnodigingen")
@assessment_view
def invitations(assessment: Assessment) -> tuple[str, int]:
    """The invitations by e-mail: addresses, texts, sending, progress, reminders."""
    return _render(assessment)


@bp.route("/scans/<int:assessment_id>/uitnodigingen.json")
@assessment_view
def invitations_progress(assessment: Assessment) -> Response:
    """The delivery states and totals, for the page's script (no addresses in it)."""
    progress = mailing.progress(assessment.id)
    labels = _delivery_labels()
    response = jsonify({
        "busy": progress.busy,
        "totals": {"invited": progress.invited, "waiting": progress.waiting,
                   "sending": progress.sending, "sent": progress.sent,
                   "failed": progress.failed, "reminders": progress.reminders,
                   "sent_in": progress.sent_in},
        "rows": [{"id": row.id, "delivery": labels[row.delivery],
                  "reason": _failure_reason(row.reason),
                  "reminders": row.reminders,
                  "sent_in": _("verzonden") if row.sent_in else ""}
                 for row in progress.rows],
    })
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/scans/<int:assessment_id>/uitnodigingen/adressen", methods=["POST"])
@assessment_view
def invite_addresses(assessment: Assessment) -> Response | tuple[str, int]:
    """Add the addresses of a pasted list or a file; every line not taken is reported."""
    form = _addresses_form(assessment)
    if not form.validate_on_submit():
        return _render(assessment, addresses_form=form, status=400)
    text = form.addresses.data or ""
    upload: Any = form.upload.data
    if upload is not None and upload and getattr(upload, "filename", None):
        raw = upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            form.upload.errors = [_("Dit bestand is te groot. Kies een bestand tot 200 kB.")]
            return _render(assessment, addresses_form=form, status=400)
        text = (text + "\n" if text.strip() else "") + _decoded(raw)
    if not text.strip():
        form.addresses.errors = [_("Vul minstens één e-mailadres in of kies een bestand.")]
        return _render(assessment, addresses_form=form, status=400)
    found = address_lists.parse_addresses(text, mailing.invited_addresses(assessment.id))
    try:
        added = mailing.invite(assessment.id, found.addresses, form.language.data or "",
                               current_user)
    except AssessmentClosed:
        flash(_("Deze scan is gesloten. U kunt geen mensen meer uitnodigen."))
        return redirect(url_for("facilitator.invitations", assessment_id=assessment.id))
    if added:
        flash(ngettext("%(num)d adres toegevoegd. Het wacht tot u op ‘Versturen’ klikt.",
                       "%(num)d adressen toegevoegd. Ze wachten tot u op ‘Versturen’ klikt.",
                       added))
    if found.problems:
        fresh = _addresses_form(assessment)
        fresh.language.data = form.language.data
        return _render(assessment, addresses_form=fresh, problems=found.problems,
                       status=200 if added else 400)
    return redirect(url_for("facilitator.invitations", assessment_id=assessment.id))


#: The largest address file taken (well within the request limit).
MAX_UPLOAD = 200 * 1024


def _decoded(raw: bytes) -> str:
    """An uploaded file's text: UTF-8 (with or without a byte-order mark), else Windows-1252,
    as Excel writes CSV files."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


@bp.route("/scans/<int:assessment_id>/uitnodigingen/tekst", methods=["POST"])
@assessment_view
def save_mail_texts(assessment: Assessment) -> Response | tuple[str, int]:
    """Keep the texts of the invitation and the reminder, and the last day to answer."""
    form = mail_texts_form(assessment.languages)()
    if not form.validate_on_submit():
        return _render(assessment, texts_form=form, status=400)
    texts: dict[tuple[str, str], mail_texts.MailText] = {}
    failed = False
    for language in assessment.languages:
        for kind in mail_texts.KINDS:
            subject = form[f"{language}-{kind}-subject"]
            body = form[f"{language}-{kind}-body"]
            text = mail_texts.MailText(subject.data or "", (body.data or "").replace("\r\n",
                                                                                     "\n"))
            try:
                mail_texts.check(text)
            except InvalidMailText as problem:
                target = subject if problem.in_subject else body
                target.errors = [*target.errors, _text_problem(problem)]
                failed = True
            texts[(language, kind)] = text
    if failed:
        return _render(assessment, texts_form=form, status=400)
    mailing.save_texts(assessment.id, texts, form.answer_by.data, current_user)
    flash(_("De tekst van de uitnodiging is opgeslagen."))
    return redirect(url_for("facilitator.invitations", assessment_id=assessment.id,
                            _anchor="tekst"))


def _text_problem(problem: InvalidMailText) -> str:
    """What is wrong with a text, in the facilitator's language."""
    allowed = ", ".join("{" + name + "}" for name in mail_texts.PLACEHOLDERS)
    messages = {
        "subject_lines": _("De onderwerpregel mag geen regeleinde bevatten."),
        "subject_empty": _("Vul een onderwerpregel in."),
        "unknown": _("Onbekend: %(names)s. U kunt gebruiken: %(allowed)s. Een accolade "
                     "zelf schrijft u dubbel: {{ of }}.",
                     names=", ".join("{" + name + "}" for name in problem.names),
                     allowed=allowed),
        "loose_brace": _("Een accolade staat los. U kunt gebruiken: %(allowed)s. Een "
                         "accolade zelf schrijft u dubbel: {{ of }}.", allowed=allowed),
        "no_link": _("De tekst moet {link} bevatten: de persoonlijke link."),
    }
    return str(messages[problem.problem])


@bp.route("/scans/<int:assessment_id>/uitnodigingen/voorbeeld")
@assessment_view
def mail_preview(assessment: Assessment) -> str:
    """Each e-mail as one person receives it, with an example link."""
    link = mailing.personal_link(EXAMPLE_TOKEN)
    examples = [(language, kind, mailing.filled(assessment, language, kind, link))
                for language in assessment.languages for kind in mail_texts.KINDS]
    return render_template("facilitator/invitation_preview.html", assessment=assessment,
                           examples=examples, sender=current_app.config.get("MAIL_SENDER"))


@bp.route("/scans/<int:assessment_id>/uitnodigingen/versturen", methods=["POST"])
@assessment_view
def send_invitations(assessment: Assessment) -> Response:
    """Send the waiting e-mails (in the background); failures with a reply are tried again."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("facilitator.invitations", assessment_id=assessment.id))
    if not mail.configured(current_app.config):
        flash(_("E-mail is niet ingesteld op deze installatie."))
        return redirect(url_for("facilitator.invitations", assessment_id=assessment.id))
    if request.form.get("opnieuw"):
        mailing.retry_failed(assessment.id)
    mail_jobs.jobs().submit(assessment.id)
    flash(_("De e-mails worden verstuurd. Hieronder ziet u hoe ver het is."))
    return redirect(url_for("facilitator.invitations", assessment_id=assessment.id,
                            _anchor="voortgang"))


@bp.route("/scans/<int:assessment_id>/uitnodigingen/herinneren", methods=["POST"])
@assessment_view
def remind(assessment: Assessment) -> Response:
    """Send a reminder to everyone invited who has not sent in yet (the same link)."""
    form = ReminderForm()
    if not form.validate_on_submit():
        return redirect(url_for("facilitator.invitations", assessment_id=assessment.id))
    if not mail.configured(current_app.config):
        flash(_("E-mail is niet ingesteld op deze installatie."))
        return redirect(url_for("facilitator.invitations", assessment_id=assessment.id))
    try:
        count = mailing.remind(assessment.id, int(form.round.data or 0))
    except AssessmentClosed:
        flash(_("Deze scan is gesloten. Er gaan geen herinneringen meer uit."))
    except MailError:
        flash(_("Er is net al een herinnering verstuurd. Er gaat geen tweede uit."))
    else:
        if count:
            mail_jobs.jobs().submit(assessment.id)
        flash(ngettext("Een herinnering gaat naar %(num)d persoon.",
                       "Een herinnering gaat naar %(num)d personen.", count)
              if count else _("Iedereen heeft al verzonden, of niemand kreeg de uitnodiging: "
                              "er gaat geen herinnering uit."))
    return redirect(url_for("facilitator.invitations", assessment_id=assessment.id,
                            _anchor="voortgang"))
