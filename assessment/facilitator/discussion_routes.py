"""Discuss and decide: notes and conclusions per lesson, the action list, moderating texts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from assessment import aggregation, content, discussion, results
from assessment.facilitator import bp
from assessment.facilitator.forms import ActionForm
from assessment.facilitator.routes import load_assessment
from assessment.models import Assessment, Moderation
from assessment.moderation import Reason

#: What the moderation page says beside a text for each kind of warning.
WARNING_LABELS = {
    Reason.EMAIL: _l("Bevat mogelijk een e-mailadres"),
    Reason.PHONE: _l("Bevat mogelijk een telefoonnummer"),
    Reason.URL: _l("Bevat mogelijk een webadres"),
    Reason.ORGANISATION: _l("Noemt een deelnemende organisatie, terwijl de groepen klein zijn"),
}

#: What the facilitator reads after each moderation button.
MODERATION_MESSAGES = {
    Moderation.INCLUDED: _l("De toelichting is opgenomen: hij kan nu op de projector en in "
                            "het rapport verschijnen."),
    Moderation.EXCLUDED: _l("De toelichting is uitgesloten: hij verschijnt nergens."),
}


class LessonNoteForm(FlaskForm):
    """A lesson's notes and the group's conclusion."""

    notes = TextAreaField(
        _l("Notities"), validators=[Optional(), Length(
            max=discussion.MAX_NOTES_LENGTH,
            message=_l("Gebruik hoogstens %(max)d tekens.", max=discussion.MAX_NOTES_LENGTH))],
        description=_l("Wat de groep over deze les zei."),
        render_kw={"rows": 5, "maxlength": discussion.MAX_NOTES_LENGTH})
    conclusion = TextAreaField(
        _l("Conclusie van de groep"), validators=[Optional(), Length(
            max=discussion.MAX_NOTES_LENGTH,
            message=_l("Gebruik hoogstens %(max)d tekens.", max=discussion.MAX_NOTES_LENGTH))],
        description=_l("Waar de groep het over eens werd. Komt zo in het rapport."),
        render_kw={"rows": 3, "maxlength": discussion.MAX_NOTES_LENGTH})


class ActionItemForm(FlaskForm):
    """One action: what, who, by when, for which lesson."""

    action = TextAreaField(
        _l("Actie"), validators=[
            DataRequired(message=_l("Beschrijf de actie.")),
            Length(max=discussion.MAX_ACTION_LENGTH,
                   message=_l("Gebruik hoogstens %(max)d tekens.",
                              max=discussion.MAX_ACTION_LENGTH))],
        description=_l("Wat er gaat gebeuren."),
        render_kw={"rows": 3, "maxlength": discussion.MAX_ACTION_LENGTH})
    owner = StringField(
        _l("Wie"), validators=[Optional(), Length(
            max=discussion.MAX_OWNER_LENGTH,
            message=_l("Gebruik hoogstens %(max)d tekens.", max=discussion.MAX_OWNER_LENGTH))],
        description=_l("Een persoon, rol of organisatie. Niet verplicht."),
        render_kw={"maxlength": discussion.MAX_OWNER_LENGTH})
    term = StringField(
        _l("Wanneer"), validators=[Optional(), Length(
            max=discussion.MAX_TERM_LENGTH,
            message=_l("Gebruik hoogstens %(max)d tekens.", max=discussion.MAX_TERM_LENGTH))],
        description=_l("Bijvoorbeeld: vóór 1 juli. Niet verplicht."),
        render_kw={"maxlength": discussion.MAX_TERM_LENGTH})
    lesson = SelectField(_l("Bij welke les"), validators=[Optional()],
                         description=_l("Niet verplicht."))


# -- notes and conclusions ---------------------------------------------------------------


@bp.route("/scans/<int:assessment_id>/bespreking")
@login_required
def discussion_page(assessment_id: int) -> str:
    """Per lesson: its score for context, and the notes and conclusion of the session."""
    assessment = load_assessment(assessment_id)
    return _render_discussion(assessment)[0]


@bp.route("/scans/<int:assessment_id>/bespreking/<lesson_id>", methods=["POST"])
@login_required
def save_notes(assessment_id: int, lesson_id: str) -> Response | tuple[str, int]:
    """Save one lesson's notes and conclusion."""
    assessment = load_assessment(assessment_id)
    lessons = {lesson.id: lesson for lesson in content.for_assessment(assessment).lessons}
    if lesson_id not in lessons:
        abort(404)
    form = LessonNoteForm(prefix=_prefix(lesson_id))
    if not form.validate_on_submit():
        return _render_discussion(assessment, {lesson_id: form}, status=400)
    discussion.save_lesson_note(assessment, lesson_id, form.notes.data or "",
                                form.conclusion.data or "", current_user)
    flash(_("De notities bij ‘%(lesson)s’ zijn opgeslagen.", lesson=lessons[lesson_id].title))
    return redirect(url_for("facilitator.discussion_page", assessment_id=assessment.id,
                            _anchor=f"les-{lesson_id}"))


def _prefix(lesson_id: str) -> str:
    return f"les-{lesson_id}"


def _render_discussion(
    assessment: Assessment, forms: dict[str, LessonNoteForm] | None = None, status: int = 200
) -> tuple[str, int]:
    questionnaire = content.for_assessment(assessment)
    saved = discussion.lesson_notes(assessment.id)
    forms = dict(forms or {})
    for lesson in questionnaire.lessons:
        if lesson.id not in forms:
            notes, conclusion = saved.get(lesson.id, ("", ""))
            forms[lesson.id] = LessonNoteForm(prefix=_prefix(lesson.id), formdata=None,
                                              notes=notes, conclusion=conclusion)
    return render_template(
        "facilitator/discussion.html", assessment=assessment, questionnaire=questionnaire,
        summary=results.assessment_summary(assessment), forms=forms,
        bands={band.id: band.label for band in questionnaire.bands},
        comments=results.included_comments(assessment.id), rules=aggregation,
    ), status


# -- actions -----------------------------------------------------------------------------


@bp.route("/scans/<int:assessment_id>/acties", methods=["GET", "POST"])
@login_required
def actions(assessment_id: int) -> Response | tuple[str, int]:
    """The action list, and a form to add an action."""
    assessment = load_assessment(assessment_id)
    form = _action_form(assessment)
    if form.validate_on_submit():
        discussion.add_action(assessment, _action_input(form), current_user)
        flash(_("De actie is toegevoegd."))
        return redirect(url_for("facilitator.actions", assessment_id=assessment.id))
    questionnaire = content.for_assessment(assessment)
    return render_template(
        "facilitator/actions.html", assessment=assessment, form=form,
        items=discussion.actions(assessment.id), action_form=ActionForm(),
        lesson_titles={lesson.id: lesson.title for lesson in questionnaire.lessons},
    ), 400 if form.errors else 200


@bp.route("/scans/<int:assessment_id>/acties/<int:action_id>", methods=["GET", "POST"])
@login_required
def edit_action(assessment_id: int, action_id: int) -> Response | tuple[str, int]:
    """Change one action."""
    assessment = load_assessment(assessment_id)
    try:
        item = discussion.find_action(assessment.id, action_id)
    except discussion.DiscussionError:
        abort(404)
    form = _action_form(assessment, obj=item)
    if request.method == "GET":
        form.lesson.data = item.lesson_id or ""
    if form.validate_on_submit():
        try:
            discussion.update_action(assessment, item.id, _action_input(form), current_user)
        except discussion.DiscussionError:
            abort(404)  # deleted meanwhile by a co-facilitator
        flash(_("De actie is gewijzigd."))
        return redirect(url_for("facilitator.actions", assessment_id=assessment.id))
    return render_template("facilitator/actions.html", assessment=assessment, form=form,
                           editing=item), 400 if form.errors else 200


@bp.route("/scans/<int:assessment_id>/acties/<int:action_id>/verwijderen", methods=["POST"])
@login_required
def delete_action(assessment_id: int, action_id: int) -> Response:
    """Remove one action from the list."""
    assessment = load_assessment(assessment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        discussion.delete_action(assessment, action_id, current_user)
    except discussion.DiscussionError:
        abort(404)
    flash(_("De actie is verwijderd."))
    return redirect(url_for("facilitator.actions", assessment_id=assessment.id))


def _action_form(assessment: Assessment, obj: object = None) -> ActionItemForm:
    form = ActionItemForm(obj=obj)
    form.lesson.choices = [SelectChoice("", _("Geen les: algemene actie"))] + [
        SelectChoice(lesson.id, f"{number}. {lesson.title}")
        for number, lesson in enumerate(content.for_assessment(assessment).lessons, start=1)]
    return form


def _action_input(form: ActionItemForm) -> discussion.ActionInput:
    return discussion.ActionInput(
        action=form.action.data or "", owner=form.owner.data or "", term=form.term.data or "",
        lesson_id=form.lesson.data or None)


# -- moderating free texts ---------------------------------------------------------------


class RedactForm(FlaskForm):
    """The facilitator's version of a free text, with what identifies someone taken out."""

    text = TextAreaField(
        _l("Aangepaste tekst"), validators=[
            DataRequired(message=_l("Vul een tekst in. Wilt u de tekst helemaal niet tonen? "
                                    "Sluit hem dan uit.")),
            Length(max=discussion.MAX_REDACTED_LENGTH,
                   message=_l("Gebruik hoogstens %(max)d tekens.",
                              max=discussion.MAX_REDACTED_LENGTH))],
        description=_l("Haal namen, functies en andere details weg waaraan iemand te herkennen "
                       "is. Alleen deze versie verschijnt daarna nog: op de projector, in het "
                       "rapport en in de exports."),
        render_kw={"rows": 6, "maxlength": discussion.MAX_REDACTED_LENGTH})


@bp.route("/scans/<int:assessment_id>/toelichtingen")
@login_required
def moderation(assessment_id: int) -> str:
    """Every free text with its state, warnings, and buttons to include or exclude it.

    Texts that may identify someone and were not judged yet are excluded first (the rule in
    :func:`assessment.discussion.exclude_flagged`).
    """
    assessment = load_assessment(assessment_id)
    discussion.exclude_flagged(assessment)
    return render_template(
        "facilitator/moderation.html", assessment=assessment,
        overview=discussion.moderation_overview(assessment), action_form=ActionForm(),
        warning_labels=WARNING_LABELS, Moderation=Moderation, rules=aggregation)


@bp.route("/scans/<int:assessment_id>/toelichtingen/<int:comment_id>", methods=["POST"])
@login_required
def moderate(assessment_id: int, comment_id: int) -> Response:
    """Include or exclude one free text."""
    assessment = load_assessment(assessment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    decision = request.form.get("beoordeling", "")
    if decision not in (Moderation.INCLUDED, Moderation.EXCLUDED):
        abort(400)
    try:
        discussion.set_moderation(assessment, comment_id, Moderation(decision), current_user)
    except discussion.DiscussionError:
        abort(404)
    flash(str(MODERATION_MESSAGES[Moderation(decision)]))
    return redirect(url_for("facilitator.moderation", assessment_id=assessment.id,
                            _anchor=f"tekst-{comment_id}"))


@bp.route("/scans/<int:assessment_id>/toelichtingen/gekozen", methods=["POST"])
@login_required
def moderate_chosen(assessment_id: int) -> Response:
    """Include or exclude the texts ticked on the moderation page, all at once."""
    assessment = load_assessment(assessment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    decision = request.form.get("beoordeling", "")
    if decision not in (Moderation.INCLUDED, Moderation.EXCLUDED):
        abort(400)
    chosen = request.form.getlist("tekst")
    if not all(value.isdigit() for value in chosen):
        abort(400)
    if not chosen:
        flash(_("Kies eerst een of meer toelichtingen met de vakjes."))
        return redirect(url_for("facilitator.moderation", assessment_id=assessment.id))
    try:
        changed = discussion.set_moderation_of(assessment, map(int, chosen),
                                               Moderation(decision), current_user)
    except discussion.DiscussionError:
        abort(404)
    flash(_chosen_message(Moderation(decision), changed))
    return redirect(url_for("facilitator.moderation", assessment_id=assessment.id))


def _chosen_message(decision: Moderation, changed: int) -> str:
    """What the facilitator reads after including or excluding the ticked texts."""
    if decision is Moderation.INCLUDED:
        return str(ngettext(
            "%(num)d toelichting is opgenomen: hij kan nu op de projector en in het rapport "
            "verschijnen.",
            "%(num)d toelichtingen zijn opgenomen: ze kunnen nu op de projector en in het "
            "rapport verschijnen.", changed))
    return str(ngettext("%(num)d toelichting is uitgesloten: hij verschijnt nergens.",
                        "%(num)d toelichtingen zijn uitgesloten: ze verschijnen nergens.",
                        changed))


@bp.route("/scans/<int:assessment_id>/toelichtingen/<int:comment_id>/aanpassen",
          methods=["GET", "POST"])
@login_required
def redact(assessment_id: int, comment_id: int) -> Response | tuple[str, int]:
    """Write the version of a text that is shown instead of what the participant wrote."""
    assessment = load_assessment(assessment_id)
    shown = discussion.moderation_overview(assessment).text(comment_id)
    if shown is None:
        abort(404)
    form = RedactForm() if request.method == "POST" else RedactForm(text=shown.text)
    if form.validate_on_submit():
        try:
            discussion.redact(assessment, comment_id, form.text.data or "", current_user)
        except discussion.DiscussionError:
            abort(404)
        flash(_("De aangepaste tekst is opgeslagen. Alleen deze versie verschijnt nog."))
        return redirect(url_for("facilitator.moderation", assessment_id=assessment.id,
                                _anchor=f"tekst-{comment_id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("facilitator/redact.html", assessment=assessment, text=shown,
                           form=form, warning_labels=WARNING_LABELS), status
