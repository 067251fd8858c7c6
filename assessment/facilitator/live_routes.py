"""Running the room: the live dashboard and its JSON, and the discussion agenda.

The projector and its presenter view are in :mod:`assessment.facilitator.projector_routes`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from assessment import aggregation, content, priorities, results, session
from assessment.aggregation import CellStatus, GroupCell, LessonSummary
from assessment.exceptions import SessionError, VoteError
from assessment.facilitator import bp
from assessment.facilitator.forms import ActionForm
from assessment.facilitator.routes import assessment_view
from assessment.models import Assessment, Status
from assessment.templating import counting_note, percent, score, status_label
from questions.schema import Questionnaire

#: The status in a sentence: "de scan is ...".
STATUS_PHRASES = {
    Status.DRAFT: _l("nog niet geopend"), Status.OPEN: _l("open"),
    Status.PAUSED: _l("gepauzeerd"), Status.CLOSED: _l("gesloten"),
}

#: What the facilitator reads after each button on the dashboard.
ANSWERING_MESSAGES = {
    session.AnsweringAction.PAUSE: _l("De scan is gepauzeerd: deelnemers kunnen even niet "
                                      "antwoorden. Wat zij al invulden, is bewaard."),
    session.AnsweringAction.RESUME: _l("De scan is weer open: deelnemers kunnen verder."),
    session.AnsweringAction.CLOSE: _l("De scan is gesloten: er kunnen geen antwoorden meer bij."),
}

#: How the dashboard names the state of the vote on priorities.
VOTE_STATUS_LABELS = {
    priorities.VoteStatus.NONE: _l("Nog niet gehouden"),
    priorities.VoteStatus.OPEN: _l("Open"),
    priorities.VoteStatus.CLOSED: _l("Gesloten"),
}

@bp.route("/scans/<int:assessment_id>/live")
@assessment_view
def live(assessment: Assessment) -> str:
    """The live dashboard: who started and submitted, and results from 3 submitted."""
    return render_template(
        "facilitator/live.html", assessment=assessment, figures=_figures(assessment),
        questionnaire=content.for_assessment(assessment), action_form=ActionForm(),
        rules=aggregation, vote_rules=priorities,
        poll_seconds=current_app.config["LIVE_POLL_SECONDS"])


@bp.route("/scans/<int:assessment_id>/live.json")
@assessment_view
def live_json(assessment: Assessment) -> Response:
    """The dashboard's figures as JSON (already anonymised), for the page's script."""
    response = jsonify(_figures(assessment))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/scans/<int:assessment_id>/live/antwoorden", methods=["POST"])
@assessment_view
def answering(assessment: Assessment) -> Response:
    """Pause, resume or close the answering."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action = session.AnsweringAction(request.form.get("actie", ""))
    except ValueError:
        abort(400)
    try:
        session.change_answering(assessment, action, current_user)
    except SessionError:
        flash(_("Dat kan nu niet: de scan is %(status)s.",
                status=STATUS_PHRASES[Status(assessment.status)]))
    else:
        flash(str(ANSWERING_MESSAGES[action]))
    return redirect(url_for("facilitator.live", assessment_id=assessment.id))


@bp.route("/scans/<int:assessment_id>/live/lege-starts", methods=["POST"])
@assessment_view
def clear_empty_starts(assessment: Assessment) -> Response:
    """Remove the starts that never saved a page (a script's, or someone who walked away)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    removed = session.clear_empty_starts(assessment, current_user)
    flash(ngettext("%(num)d lege start gewist.", "%(num)d lege starts gewist.", removed))
    return redirect(url_for("facilitator.live", assessment_id=assessment.id, _anchor="deelname"))


@bp.route("/scans/<int:assessment_id>/live/stemming", methods=["POST"])
@assessment_view
def priority_vote(assessment: Assessment) -> Response:
    """Open the vote on priorities (with the number of lessons to choose), or close it."""
    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.form.get("actie", "")
    if action == "stemming-openen":
        try:
            priorities.open_vote(assessment.id, _max_choices(request.form.get("keuzes", "")),
                                 current_user)
        except VoteError:
            flash(_("De stemming is niet geopend. Kies een aantal lessen van 1 tot en met "
                    "%(lessons)d (niet minder dan eerdere stemmen kozen). Een stemming die al "
                    "open is, kunt u alleen sluiten.",
                    lessons=len(content.for_assessment(assessment).lessons)))
        else:
            flash(_("De stemming is open. Deelnemers zien op hun telefoon een knop ‘Stem op de "
                    "prioriteiten’."))
    elif action == "stemming-sluiten":
        try:
            priorities.close_vote(assessment.id, current_user)
        except VoteError:
            flash(_("Er is geen open stemming om te sluiten."))
        else:
            flash(_("De stemming is gesloten. Stemmen die nu nog binnenkomen, tellen niet mee."))
    else:
        abort(400)
    return redirect(url_for("facilitator.live", assessment_id=assessment.id, _anchor="stemming"))


def _max_choices(typed: str) -> int:
    """The number of lessons per voter as typed; 0 (refused by the vote) when it is no number."""
    try:
        return int(typed.strip())
    except ValueError:
        return 0


@bp.route("/scans/<int:assessment_id>/agenda")
@assessment_view
def agenda(assessment: Assessment) -> str:
    """The discussion agenda: divided lessons and information gaps first, each with why."""
    questionnaire = content.for_assessment(assessment)
    summary = results.assessment_summary(assessment)
    return render_template(
        "facilitator/agenda.html", assessment=assessment, questionnaire=questionnaire,
        summary=summary,
        items=session.discussion_agenda(questionnaire, summary), rules=aggregation,
        vote=_vote(priorities.result(assessment)),
        poll_seconds=current_app.config["LIVE_POLL_SECONDS"])


# -- helpers ----------------------------------------------------------------------------


def _cell(cell: GroupCell | None) -> dict[str, Any]:
    """One count per organisation type as the page prints it."""
    if cell is None:
        return {"status": None, "n": None, "text": "–"}
    text = {CellStatus.SHOWN: str(cell.n), CellStatus.HIDDEN: _("verborgen"),
            CellStatus.NO_DATA: _("geen")}[cell.status]
    return {"status": cell.status.value, "n": cell.n, "text": text}


def _lesson(number: int, lesson: LessonSummary, bands: dict[str, str],
            questionnaire: Questionnaire) -> dict[str, Any]:
    """One lesson's figures as the dashboard prints them."""
    return {
        "id": lesson.lesson_id, "number": number, "title": lesson.title,
        "shown": lesson.shown, "n": lesson.n, "score": score(lesson.mean, questionnaire),
        "band": lesson.band or "",
        "band_label": (bands.get(lesson.band, lesson.band) if lesson.band
                       else _("te weinig antwoorden")),
        "divided": lesson.divided, "information_gap": lesson.information_gap,
        # Without a score the lesson's share is withheld: the signal shows alone.
        "gap_text": (_("Informatietekort: %(share)s van de antwoorden is ‘weet ik niet’",
                       share=percent(lesson.dont_know_share)) if lesson.shown
                     else _("Informatietekort")),
    }


def _figures(assessment: Assessment) -> dict[str, Any]:
    """The live status as plain data with texts ready to print (the JSON and the page).

    The summary is read before the started counts, so that nobody counts as submitted who
    does not count as started.
    """
    questionnaire = content.for_assessment(assessment)
    summary, counting = results.counted_summary(assessment)
    status = session.live_status(
        questionnaire, summary, session.started_by_type(assessment.id, questionnaire),
        Status(assessment.status), assessment.invited_count, assessment.reveal_step,
        counting.submitted, purged=assessment.purged_at is not None)
    bands = questionnaire.band_labels()
    return {
        "status": status.status.value,
        "status_label": status_label(status.status),
        "started": status.started,
        "empty_starts": session.empty_starts(assessment.id),
        "submitted": status.submitted,
        "invited": status.invited,
        # More sent in than said to be invited gives no share (never "120%"): words instead.
        "response_rate": (None if not status.invited
                          else percent(status.response_rate)
                          if status.response_rate is not None
                          else _("meer dan uitgenodigd")),
        "groups": [
            {"id": group.group, "label": group.label, "started": _cell(group.started),
             "submitted": _cell(group.submitted)}
            for group in status.groups
        ],
        "type_not_chosen": status.type_not_chosen,
        "results_shown": status.results_shown,
        "counting_text": counting_note(counting),
        "lessons": [_lesson(number, lesson, bands, questionnaire)
                    for number, lesson in enumerate(status.lessons, start=1)],
        "reveal_step": status.reveal_step,
        "vote": _vote(priorities.result(assessment)),
    }


def _vote(vote: priorities.VoteResult) -> dict[str, Any]:
    """The vote on priorities as the dashboard and the agenda print it (already anonymised).

    The tally lists the lessons that got a vote, most first.
    """
    return {
        "status": vote.status.value,
        "status_label": str(VOTE_STATUS_LABELS[vote.status]),
        "max_choices": vote.max_choices,
        "voters": vote.voters,
        "shown": vote.shown,
        "hidden_text": (_("de uitslag verschijnt als u de stemming sluit")
                        if vote.status is priorities.VoteStatus.OPEN
                        else _("nog te weinig stemmen om te tonen (%(n)d)", n=vote.voters)),
        "lessons": [
            {"id": row.lesson_id, "label": f"{row.number}. {row.title}", "votes": row.votes,
             "share": percent(row.share),
             "text": ngettext("%(num)d stem", "%(num)d stemmen", row.votes)}
            for row in vote.lessons if row.votes
        ],
        "top": [row.lesson_id for row in vote.top],
    }
