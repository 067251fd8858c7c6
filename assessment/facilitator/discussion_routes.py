"""Discuss and decide: notes and conclusions per lesson, the action list, moderating texts."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from assessment import aggregation, content, discussion, priorities, results
from assessment.exceptions import DiscussionError, VoteError
from assessment.extensions import csrf
from assessment.facilitator import bp
from assessment.facilitator.forms import (
    ActionForm,
    ActionRowForm,
    LessonNoteForm,
    NewActionForm,
    RedactForm,
    all_valid,
)
from assessment.facilitator.routes import assessment_view
from assessment.models import Assessment, Moderation
from assessment.moderation import Reason
from questions.schema import Lesson

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


# -- notes and conclusions ---------------------------------------------------------------


@bp.route("/scans/<int:assessment_id>/bespreking", methods=["GET", "POST"])
@assessment_view
@csrf.exempt  # checked by the page's form itself, so an expired form keeps what was typed
def discussion_page(assessment: Assessment) -> Response | tuple[str, int]:
    """Per lesson its score for context and the session's notes; one form saves them all."""
    questionnaire = content.for_assessment(assessment)
    form = ActionForm()
    lessons, sent = _lesson_forms(assessment.id, questionnaire.lessons)
    if form.validate_on_submit() and all_valid(lessons.values()):
        written = discussion.save_lesson_notes(
            assessment, {lesson_id: lessons[lesson_id].note() for lesson_id in sent},
            current_user)
        flash(_("De notities en conclusies zijn opgeslagen.") if written
              else _("Er was niets veranderd, dus er is niets opgeslagen."))
        return redirect(url_for("facilitator.discussion_page", assessment_id=assessment.id))
    posted = request.method == "POST"
    summary, counting = results.counted_summary(assessment)
    return render_template(
        "facilitator/discussion.html", assessment=assessment, questionnaire=questionnaire,
        summary=summary, counting=counting, form=form, forms=lessons,
        unsaved=posted, bands=questionnaire.band_labels(),
        comments=results.included_comments(assessment.id), rules=aggregation,
    ), 400 if posted else 200


def _lesson_forms(
    assessment_id: int, lessons: Sequence[Lesson]
) -> tuple[dict[str, LessonNoteForm], list[str]]:
    """Per lesson its part of the form (as sent, or as saved), and the lessons sent."""
    saved = discussion.lesson_notes(assessment_id)
    forms, sent = {}, []
    for lesson in lessons:
        prefix = f"les-{lesson.id}"
        if {f"{prefix}-notes", f"{prefix}-conclusion"} & set(request.form):
            forms[lesson.id] = LessonNoteForm(prefix=prefix, formdata=request.form)
            sent.append(lesson.id)
        else:
            notes, conclusion = saved.get(lesson.id, ("", ""))
            forms[lesson.id] = LessonNoteForm(
                prefix=prefix, formdata=None, notes=notes, conclusion=conclusion,
                shown=discussion.note_version(notes, conclusion))
    return forms, sent


# -- actions -----------------------------------------------------------------------------


@bp.route("/scans/<int:assessment_id>/acties", methods=["GET", "POST"])
@assessment_view
@csrf.exempt  # checked by the page's form itself, so an expired form keeps what was typed
def actions(assessment: Assessment) -> Response | tuple[str, int]:
    """The action list as one form: every action editable, a row to add one, removals."""
    questionnaire = content.for_assessment(assessment)
    form = ActionForm()
    rows = _action_rows(assessment.id, questionnaire.lessons)
    new = NewActionForm(formdata=request.form if request.method == "POST" else None)
    new.lesson.choices = _lesson_choices(questionnaire.lessons)
    if form.validate_on_submit() and all_valid([*rows.values(), new]):
        saved = discussion.save_actions(
            assessment,
            [discussion.ActionRow(action_id, row.action_input(), row.shown.data or "",
                                  row.remove.data) for action_id, row in rows.items()
             if row.sent],
            new.action_input() if new.filled_in else None, current_user)
        flash(_("De acties zijn opgeslagen.") if saved.anything
              else _("Er was niets veranderd, dus er is niets opgeslagen."))
        return redirect(url_for("facilitator.actions", assessment_id=assessment.id))
    posted = request.method == "POST"
    return render_template(
        "facilitator/actions.html", assessment=assessment, form=form, rows=rows, new=new,
        unsaved=posted, action_form=ActionForm(), vote=priorities.result(assessment),
        vote_rules=priorities,
    ), 400 if posted else 200


@bp.route("/scans/<int:assessment_id>/acties/prioriteiten", methods=["POST"])
@assessment_view
def adopt_priorities(assessment: Assessment) -> Response:
    """Add a suggested action for each of the group's top lessons that has none yet."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        added = priorities.adopt_as_actions(assessment, results.assessment_summary(assessment),
                                            current_user)
    except VoteError:
        flash(_("Er is nog geen uitslag: sluit eerst de stemming, met minstens %(minimum)d "
                "stemmen.", minimum=priorities.MIN_VOTERS))
    else:
        flash(ngettext("%(num)d actie toegevoegd. Pas de tekst aan of verwijder de actie.",
                       "%(num)d acties toegevoegd. Pas de teksten aan of verwijder wat niet "
                       "past.", added) if added
              else _("Elke prioriteit heeft al een actie; er is niets toegevoegd."))
    return redirect(url_for("facilitator.actions", assessment_id=assessment.id))


def _action_rows(assessment_id: int, lessons: Sequence[Lesson]) -> dict[int, ActionRowForm]:
    """Per action its row: as sent, or as stored for a row the page did not send.

    A row sent for an action a colleague deleted meanwhile is kept (at the end), so what
    was typed in it is not lost.
    """
    stored = {item.id: item for item in discussion.actions(assessment_id)}
    sent = [int(match[1]) for key in request.form
            if (match := re.fullmatch(r"actie-(\d+)-shown", key))]
    rows = {}
    for action_id in [*stored, *(i for i in sent if i not in stored)]:
        prefix = f"actie-{action_id}"
        if action_id in sent:
            row = ActionRowForm(prefix=prefix, formdata=request.form)
        else:
            item = stored[action_id]
            data = discussion.ActionInput(item.action, item.owner, item.term, item.lesson_id)
            row = ActionRowForm(prefix=prefix, formdata=None, action=item.action,
                                owner=item.owner, term=item.term, lesson=item.lesson_id or "",
                                shown=discussion.action_version(data))
        row.sent = action_id in sent
        row.lesson.choices = _lesson_choices(lessons)
        rows[action_id] = row
    return rows


def _lesson_choices(lessons: Sequence[Lesson]) -> list[SelectChoice]:
    return [SelectChoice("", _("Geen les: algemene actie"))] + [
        SelectChoice(lesson.id, f"{number}. {lesson.title}")
        for number, lesson in enumerate(lessons, start=1)]


# -- moderating free texts ---------------------------------------------------------------


@bp.route("/scans/<int:assessment_id>/toelichtingen")
@assessment_view
def moderation(assessment: Assessment) -> str:
    """Every free text with its state, warnings, and buttons to include or exclude it.

    Texts that may identify someone and were not judged yet are excluded first (the rule in
    :func:`assessment.discussion.exclude_flagged`).
    """
    discussion.exclude_flagged(assessment)
    return render_template(
        "facilitator/moderation.html", assessment=assessment,
        overview=discussion.moderation_overview(assessment), action_form=ActionForm(),
        warning_labels=WARNING_LABELS, Moderation=Moderation, rules=aggregation)


def _listed_text(assessment: Assessment, reference: str) -> discussion.ModeratedText:
    """The text the moderation page lists under ``reference``, or 404.

    Pages and URLs name a text only by its reference (:func:`discussion.text_reference`),
    never by its sequential id; resolving through the overview means a text the page does
    not list (not counted yet, or another scan's) cannot be acted on.
    """
    text = discussion.moderation_overview(assessment).text(reference)
    if text is None:
        abort(404)
    return text


@bp.route("/scans/<int:assessment_id>/toelichtingen/<reference>", methods=["POST"])
@assessment_view
def moderate(assessment: Assessment, reference: str) -> Response:
    """Include or exclude one free text."""
    if not ActionForm().validate_on_submit():
        abort(400)
    decision = request.form.get("beoordeling", "")
    if decision not in (Moderation.INCLUDED, Moderation.EXCLUDED):
        abort(400)
    text = _listed_text(assessment, reference)
    try:
        discussion.set_moderation(assessment, text.comment_id, Moderation(decision),
                                  current_user)
    except DiscussionError:
        abort(404)
    flash(str(MODERATION_MESSAGES[Moderation(decision)]))
    return redirect(url_for("facilitator.moderation", assessment_id=assessment.id,
                            _anchor=f"tekst-{text.reference}"))


@bp.route("/scans/<int:assessment_id>/toelichtingen/gekozen", methods=["POST"])
@assessment_view
def moderate_chosen(assessment: Assessment) -> Response:
    """Include or exclude the texts ticked on the moderation page, all at once."""
    if not ActionForm().validate_on_submit():
        abort(400)
    decision = request.form.get("beoordeling", "")
    if decision not in (Moderation.INCLUDED, Moderation.EXCLUDED):
        abort(400)
    chosen = request.form.getlist("tekst")
    if not all(discussion.is_text_reference(value) for value in chosen):
        abort(400)
    if not chosen:
        flash(_("Kies eerst een of meer toelichtingen met de vakjes."))
        return redirect(url_for("facilitator.moderation", assessment_id=assessment.id))
    overview = discussion.moderation_overview(assessment)
    texts = [overview.text(reference) for reference in chosen]
    if None in texts:
        abort(404)  # not listed: none changes
    try:
        changed = discussion.set_moderation_of(
            assessment, [text.comment_id for text in texts if text], Moderation(decision),
            current_user)
    except DiscussionError:
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


@bp.route("/scans/<int:assessment_id>/toelichtingen/<reference>/aanpassen",
          methods=["GET", "POST"])
@assessment_view
def redact(assessment: Assessment, reference: str) -> Response | tuple[str, int]:
    """Write the version of a text that is shown instead of what the participant wrote."""
    shown = _listed_text(assessment, reference)
    form = RedactForm() if request.method == "POST" else RedactForm(text=shown.text)
    if form.validate_on_submit():
        try:
            discussion.redact(assessment, shown.comment_id, form.text.data or "", current_user)
        except DiscussionError:
            abort(404)
        flash(_("De aangepaste tekst is opgeslagen. Alleen deze versie verschijnt nog."))
        return redirect(url_for("facilitator.moderation", assessment_id=assessment.id,
                                _anchor=f"tekst-{shown.reference}"))
    status = 400 if request.method == "POST" else 200
    return render_template("facilitator/redact.html", assessment=assessment, text=shown,
                           form=form, warning_labels=WARNING_LABELS), status
