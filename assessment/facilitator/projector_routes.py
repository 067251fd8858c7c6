"""The projector and its presenter view: the slides, their position, the notes on the way.

The projector window shows only the slide; the facilitator drives it with the keys on that
window or from the presenter view (laptop or phone). Every move is a POST with a form token;
the position is stored on the assessment, and the projector's script follows it by polling
``projector.json``. Which slides there are is :func:`assessment.projector.slide_deck`; what
each kind shows is one builder in ``SLIDE_CONTENT`` and one template in
``templates/facilitator/slides/``.

A new kind of slide (a group vote, say) is a value of :class:`~assessment.projector.SlideKind`,
its place in the deck (a line in ``slide_deck``, or its specs passed as ``extra``), a row in
``SLIDE_CONTENT`` and in ``KIND_NAMES``, and ``slides/<kind>.html``; a test checks that every
kind has all three.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from assessment import (
    aggregation,
    content,
    discussion,
    group_tables,
    priorities,
    projector,
    results,
    session,
)
from assessment.aggregation import Summary
from assessment.exceptions import DiscussionError
from assessment.facilitator import bp
from assessment.facilitator.forms import ActionForm
from assessment.facilitator.routes import assessment_view, load_assessment
from assessment.links import external_url
from assessment.models import ActionItem, Assessment, Status
from assessment.projector import SlideKind, SlideSpec
from assessment.templating import counting_note, page_language, percent, score
from questions.schema import Questionnaire
from reports import charts
from reports.context import Numbers, chart_labels, quadrant_chart

#: Seconds between two looks of the projector and the presenter view at the position.
POLL_SECONDS = 1.5
#: While answering is open or paused, a corner of every slide shows how to join.
ANSWERING = (Status.OPEN, Status.PAUSED)
#: Where a move sends the browser back to (the form's "terug" field).
RETURN_TO = {"presentator": "facilitator.presenter", "projector": "facilitator.projector"}

#: Per kind, how the presenter view names a slide.
KIND_NAMES = {
    SlideKind.JOIN: _l("Meedoen"), SlideKind.OVERVIEW: _l("Overzicht"),
    SlideKind.LESSON: _l("Stellingen"), SlideKind.GROUPS: _l("Wie ziet het anders?"),
    SlideKind.GROUP_TABLE: _l("Wie ziet het anders: alle lessen"),
    SlideKind.QUADRANT: _l("Kwadrant"), SlideKind.TEXTS: _l("Wat deelnemers schreven"),
    SlideKind.PRIORITIES: _l("Prioriteiten van de groep"),
    SlideKind.ACTIONS: _l("Afgesproken acties"),
}


@dataclass(frozen=True)
class Room:
    """Everything the slides of one assessment are made from, loaded once per request."""

    assessment: Assessment
    questionnaire: Questionnaire
    summary: Summary
    texts: dict[str, tuple[projector.GroupedAnswer, ...]]
    actions: tuple[ActionItem, ...]
    vote: priorities.VoteResult
    deck: tuple[SlideSpec, ...]
    index: int
    started: int
    #: Respondents who sent in (the summary may count fewer while the latest wait).
    submitted: int
    counting_text: str

    @property
    def slide(self) -> SlideSpec:
        """The slide the projector shows."""
        return self.deck[self.index]

    @property
    def answering(self) -> bool:
        """Whether participants may still join (open or paused)."""
        return Status(self.assessment.status) in ANSWERING


def _room(assessment: Assessment) -> Room:
    """Load the summary, included texts and actions, and place the projector in its deck."""
    questionnaire = content.for_assessment(assessment)
    summary, counting = results.counted_summary(assessment)
    texts = ({topic: projector.group_answers(found)
              for topic, found in results.included_comments(assessment.id).items()}
             if summary.shown else {})
    actions = tuple(discussion.actions(assessment.id))
    vote = priorities.result(assessment)
    deck = projector.slide_deck(questionnaire, texts,
                                [len(projector.shorten(a.action)[0]) + 40 for a in actions],
                                vote_held=vote.status is not priorities.VoteStatus.NONE)
    started_by_type = session.started_by_type(assessment.id, questionnaire)
    started = session.live_status(questionnaire, summary, started_by_type,
                                  Status(assessment.status), submitted=counting.submitted).started
    return Room(assessment, questionnaire, summary, texts, actions, vote, deck,
                projector.position(deck, assessment.reveal_step), started, counting.submitted,
                counting_note(counting))


# -- the views ---------------------------------------------------------------------------


@bp.route("/scans/<int:assessment_id>/projector", endpoint="projector")
@assessment_view
def projector_view(assessment: Assessment) -> str:
    """The projector window: only the slide, driven by keys here or from the presenter view."""
    room = _room(assessment)
    slide_html = _render_slide(room, room.index)
    return render_template(
        "facilitator/projector.html", room=room, assessment=room.assessment,
        slide_html=slide_html, version=_version(room, slide_html), action_form=ActionForm(),
        poll_seconds=POLL_SECONDS)


@bp.route("/scans/<int:assessment_id>/projector/dia")
@assessment_view
def projector_slide(assessment: Assessment) -> Response:
    """The current slide alone (HTML) with its version, for the projector's script."""
    room = _room(assessment)
    slide_html = _render_slide(room, room.index)
    response = Response(slide_html, mimetype="text/html")
    response.headers["X-Slide-Version"] = _version(room, slide_html)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/scans/<int:assessment_id>/projector.json")
@assessment_view
def projector_json(assessment: Assessment) -> Response:
    """Where the projector is, and a version of its slide that changes when the slide does."""
    return _state_response(_room(assessment))


@bp.route("/scans/<int:assessment_id>/projector/stap", methods=["POST"])
@assessment_view
def reveal(assessment: Assessment) -> Response:
    """Move the projector (next, previous, first, last slide) or blank it."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        move = session.RevealMove(request.form.get("stap", ""))
    except ValueError:
        abort(400)
    session.move_projector(assessment.id, move, len(_room(assessment).deck))
    if request.accept_mimetypes.best == "application/json":
        # The script's key press: the new position at once (read again, after the move).
        return _state_response(_room(load_assessment(assessment.id)))
    endpoint = RETURN_TO.get(request.form.get("terug", ""), "facilitator.presenter")
    return redirect(url_for(endpoint, assessment_id=assessment.id))


@bp.route("/scans/<int:assessment_id>/presentator")
@assessment_view
def presenter(assessment: Assessment) -> str:
    """The presenter view: the current and next slide, the buttons, the counts, the notes."""
    return _presenter_page(_room(assessment))


@bp.route("/scans/<int:assessment_id>/presentator/aantekeningen", methods=["POST"])
@assessment_view
def presenter_notes(assessment: Assessment) -> Response | tuple[str, int]:
    """Save the notes of a lesson from the presenter view; its conclusion stays as it was."""
    if not ActionForm().validate_on_submit():
        abort(400)
    lesson_id = request.form.get("les", "")
    notes = request.form.get("aantekeningen", "")
    conclusion = discussion.lesson_notes(assessment.id).get(lesson_id, ("", ""))[1]
    try:
        discussion.save_lesson_note(assessment, lesson_id, notes, conclusion, current_user)
    except DiscussionError:
        flash(_("De aantekeningen zijn niet opgeslagen: ze mogen hooguit %(max)d tekens hebben. "
                "Maak ze korter en sla ze opnieuw op.", max=discussion.MAX_NOTES_LENGTH))
        # Shown again as typed, so nothing is lost.
        return _presenter_page(_room(assessment), notes), 400
    flash(_("De aantekeningen zijn opgeslagen."))
    return redirect(url_for("facilitator.presenter", assessment_id=assessment.id))


def _presenter_page(room: Room, notes: str | None = None) -> str:
    """The presenter view, with ``notes`` in the notes field instead of those saved."""
    following = min(room.index + 1, len(room.deck) - 1)
    has_next = following != room.index
    lesson_id = _lesson_of(room.slide)
    if notes is None:
        notes = discussion.lesson_notes(room.assessment.id).get(lesson_id or "", ("", ""))[0]
    return render_template(
        "facilitator/presenter.html", room=room, assessment=room.assessment,
        current=_title(room, room.slide),
        following=_title(room, room.deck[following]) if has_next else None,
        current_html=_render_slide(room, room.index),
        following_html=_render_slide(room, following) if has_next else "",
        lesson=room.questionnaire.lesson(lesson_id) if lesson_id else None, notes=notes,
        max_notes=discussion.MAX_NOTES_LENGTH, action_form=ActionForm(),
        poll_seconds=POLL_SECONDS)


# -- the slides --------------------------------------------------------------------------


def _state_response(room: Room) -> Response:
    """The position as JSON, never cached."""
    response = jsonify(_state(room, _render_slide(room, room.index)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _state(room: Room, slide_html: str) -> dict[str, Any]:
    """The position as the scripts read it."""
    return {
        "slide": room.index, "total": len(room.deck), "kind": room.slide.kind.value,
        "title": _title(room, room.slide),
        "next_title": (_title(room, room.deck[room.index + 1])
                       if room.index + 1 < len(room.deck) else None),
        "blank": room.assessment.projector_blank, "answering": room.answering,
        "started": room.started, "submitted": room.submitted,
        "version": _version(room, slide_html),
    }


def _version(room: Room, slide_html: str) -> str:
    """Changes whenever what the projector shows changes: the slide, blank, the corner."""
    seen = f"{room.index}|{room.assessment.projector_blank}|{room.answering}|{slide_html}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def _render_slide(room: Room, index: int) -> str:
    """One slide's HTML, from its kind's builder and template."""
    spec = room.deck[index]
    return render_template(
        f"facilitator/slides/{spec.kind.value}.html", room=room, spec=spec,
        number=index + 1, total=len(room.deck), rules=aggregation,
        **SLIDE_CONTENT[spec.kind](room, spec))


def _lesson_of(spec: SlideSpec) -> str | None:
    """The lesson a slide is about, if any (its notes are on the presenter view)."""
    if spec.kind in (SlideKind.LESSON, SlideKind.GROUPS):
        return spec.subject
    return None


def _title(room: Room, spec: SlideSpec) -> str:
    """A slide's name for the presenter view, such as "3. Leiderschap – Stellingen"."""
    name = str(KIND_NAMES[spec.kind])
    lessons = {lesson.id: (number, lesson) for number, lesson
               in enumerate(room.questionnaire.lessons, start=1)}
    if spec.subject in lessons:
        number, lesson = lessons[spec.subject]
        name = f"{number}. {lesson.title} – {name}"
    elif spec.subject:
        name = f"{name}: {_question_text(room.questionnaire, spec.subject)}"
    if spec.pages > 1:
        name += f" ({spec.page}/{spec.pages})"
    return name


def _question_text(questionnaire: Questionnaire, topic: str) -> str:
    for question in questionnaire.open_questions:
        if question.id == topic:
            return question.text
    return topic


def _join(room: Room, spec: SlideSpec) -> dict[str, Any]:
    return {"join_url": _join_url(room.assessment)}


def _score_text(room: Room) -> Callable[[float | None], str]:
    """The page's score format for the room's questionnaire, for a chart's labels."""
    return lambda value: score(value, room.questionnaire)


def _overview(room: Room, spec: SlideSpec) -> dict[str, Any]:
    bands = room.questionnaire.band_labels()
    rows = projector.overview(room.questionnaire, room.summary)[spec.start:spec.stop]
    return {"rows": [
        {"row": row, "band_label": bands.get(row.summary.band or ""),
         "bar": Markup(charts.score_bar(  # noqa: S704 - our own SVG, its texts escaped
             row.summary.mean, row.summary.band, title=row.lesson.title, fmt=_score_text(room)))}
        for row in rows]}


def _lesson(room: Room, spec: SlideSpec) -> dict[str, Any]:
    lesson = room.questionnaire.lesson(spec.subject)
    summary = room.summary.lesson(lesson.id)
    bars = projector.statement_bars(lesson, summary, spec.start, spec.stop)
    scale = room.questionnaire.scale()
    labels = [point.label for point in scale.points]
    reach = max((bar.reach for bar in bars if bar.shown), default=1.0)
    return {
        "lesson": lesson, "summary": summary, "lesson_number": _number(room, lesson.id),
        "band_label": room.questionnaire.band_labels().get(summary.band or ""),
        "bars": [{"bar": bar, "chart": Markup(charts.diverging(  # noqa: S704 - our own SVG
            bar.disagree, bar.neutral, bar.agree, percent, title=bar.statement.text, reach=reach,
            desc=_statement_desc(bar, labels))) if bar.shown else ""} for bar in bars],
        "scale_labels": labels,
        "dont_know_label": next((o.label for o in scale.non_valid if o.code == "weet_niet"),
                                _("Weet ik niet")),
    }


def _statement_desc(bar: projector.StatementBar, labels: list[str]) -> str:
    """A statement bar's values for screen readers: every count, its share, both sides."""
    sides = _("%(disagree)s van de antwoorden is oneens, %(agree)s eens",
              disagree=percent(sum(bar.disagree) / bar.valid),
              agree=percent(sum(bar.agree) / bar.valid))
    return f"{charts.counts_text(labels, bar.counts, percent)}; {sides}"


def _groups(room: Room, spec: SlideSpec) -> dict[str, Any]:
    lesson = room.questionnaire.lesson(spec.subject)
    summary = room.summary.lesson(lesson.id)
    rows = projector.group_rows(room.questionnaire.group_labels(), summary)
    return {"lesson": lesson, "summary": summary, "lesson_number": _number(room, lesson.id),
            "rows": [{"row": row, "bar": Markup(charts.score_bar(  # noqa: S704 - our own SVG
                row.mean, aggregation.band_of(room.questionnaire, row.mean)
                if row.mean is not None else None, title=row.label, fmt=_score_text(room)))}
                for row in rows],
            "bar": Markup(charts.score_bar(  # noqa: S704 - our own SVG
                summary.mean, summary.band, title=lesson.title, fmt=_score_text(room)))}


def _group_table(room: Room, spec: SlideSpec) -> dict[str, Any]:
    return {"table": group_tables.group_table(room.questionnaire, room.summary, spec.subject),
            "question_id": spec.subject}


def _quadrant(room: Room, spec: SlideSpec) -> dict[str, Any]:
    language = page_language()
    position = room.summary.quadrant
    cell = position.cell if position is not None else None
    return {"chart": Markup(quadrant_chart(  # noqa: S704 - our own SVG, its texts escaped
        room.questionnaire, room.summary, Numbers.of(room.questionnaire, language),
        chart_labels(language))),
            "cell": room.questionnaire.report.quadrants.cell(cell) if cell else None}


def _texts(room: Room, spec: SlideSpec) -> dict[str, Any]:
    lessons = {lesson.id: lesson for lesson in room.questionnaire.lessons}
    lesson = lessons.get(spec.subject)
    return {"answers": room.texts.get(spec.subject, ())[spec.start:spec.stop],
            "lesson": lesson, "question": None if lesson else
            _question_text(room.questionnaire, spec.subject)}


def _actions(room: Room, spec: SlideSpec) -> dict[str, Any]:
    titles = {lesson.id: lesson.title for lesson in room.questionnaire.lessons}
    return {"actions": [
        {"text": projector.shorten(item.action)[0], "owner": item.owner, "term": item.term,
         "lesson": titles.get(item.lesson_id or "")}
        for item in room.actions[spec.start:spec.stop]]}


def _priorities(room: Room, spec: SlideSpec) -> dict[str, Any]:
    top = {row.lesson_id for row in room.vote.top}
    return {"vote": room.vote,
            "vote_url": external_url("participant.vote_by_code",
                                     code=room.assessment.join_code),
            "rows": [{"row": row, "top": row.lesson_id in top,
                      "bar": Markup(charts.share_bar(  # noqa: S704 - our own SVG, escaped
                          row.share, pct=percent,
                          title=_("%(lesson)s: %(votes)d van %(voters)d",
                                  lesson=row.title, votes=row.votes,
                                  voters=room.vote.voters)))}
                     for row in room.vote.lessons if row.votes]}


#: Per kind of slide, what its template gets. A new kind adds a row and a template.
SLIDE_CONTENT: dict[SlideKind, Callable[[Room, SlideSpec], dict[str, Any]]] = {
    SlideKind.JOIN: _join, SlideKind.OVERVIEW: _overview, SlideKind.LESSON: _lesson,
    SlideKind.GROUPS: _groups, SlideKind.GROUP_TABLE: _group_table,
    SlideKind.QUADRANT: _quadrant, SlideKind.TEXTS: _texts,
    SlideKind.PRIORITIES: _priorities, SlideKind.ACTIONS: _actions,
}


def _number(room: Room, lesson_id: str) -> int:
    return [lesson.id for lesson in room.questionnaire.lessons].index(lesson_id) + 1


def _join_url(assessment: Assessment) -> str:
    return external_url("participant.welcome", code=assessment.join_code)
