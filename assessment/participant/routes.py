"""Participant views: load → check → act → respond, with Post/Redirect/Get on every save."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from assessment import content, mailing, participation, priorities, take_home
from assessment.exceptions import (
    AlreadySubmitted,
    AssessmentClosed,
    AssessmentPaused,
    InvalidAnswers,
    LanguageNotOffered,
    NoChoice,
    TooManyChoices,
    VoteClosed,
    VoteError,
)
from assessment.extensions import csrf, limiter
from assessment.kept import Kept
from assessment.links import external_url, local_path, redirect_back
from assessment.management import assessment_by_join_code, normalise_join_code
from assessment.models import Assessment, Respondent, Status
from assessment.pages import Page, Review, neighbours, participant_pages, progress, review_summary
from assessment.participant import bp
from assessment.participant.forms import (
    BACK_TO_REVIEW,
    JoinForm,
    LanguageForm,
    PageForm,
    StartForm,
    SubmitForm,
    VoteForm,
    page_form_class,
)
from assessment.question_types import unknown_items
from assessment.results import assessment_summary
from questions.schema import Questionnaire

#: When the accessibility statement was last reviewed against the tests it describes.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 28)


def _join_limit() -> str:
    return str(current_app.config["JOIN_RATE_LIMIT"])


def _is_miss(response: Response) -> bool:
    """Only unknown codes count towards the join limit; a good code costs nothing."""
    return response.status_code == 404


def _is_known_code() -> bool:
    """Whether the request names a join code that exists: the guessing limit then never
    applies, so a room behind one address gets in even after someone there guessed a lot."""
    code = (request.view_args or {}).get("code") or request.form.get("code", "")
    return assessment_by_join_code(str(code)) is not None


def _start_limit() -> str:
    return str(current_app.config["START_RATE_LIMIT"])


# -- joining ----------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"], deduct_when=_is_miss, exempt_when=_is_known_code)
def start_page() -> Response | str | tuple[str, int]:
    """The start page: explain the scan and take a join code."""
    form = JoinForm()
    if form.validate_on_submit():
        code = normalise_join_code(form.code.data or "")
        if assessment_by_join_code(code) is not None:
            return redirect(url_for("participant.welcome", code=code))
        form.code.errors = [_("Deze code kennen we niet. Controleer de code en probeer het "
                              "opnieuw.")]
        return render_template("participant/start.html", form=form), 404
    return render_template("participant/start.html", form=form)


@bp.route("/d/<code>", methods=["GET", "POST"])
@limiter.limit(_join_limit, deduct_when=_is_miss, exempt_when=_is_known_code)
@limiter.limit(_start_limit, methods=["POST"])
def welcome(code: str) -> Response | str | tuple[str, int]:
    """The welcome page of one assessment; its button starts an anonymous respondent."""
    assessment = assessment_by_join_code(code)
    if assessment is None:
        form = JoinForm(formdata=None, code=code)
        form.code.errors = [_("Deze code kennen we niet. Controleer de link of de code.")]
        return render_template("participant/start.html", form=form), 404
    language = _speak(assessment, session.get("language"))
    questionnaire = content.in_language(assessment, language)
    if assessment.status != Status.OPEN:
        status = 409 if request.method == "POST" else 200
        return render_template("participant/not_open.html", assessment=assessment,
                               questionnaire=questionnaire), status
    # Never an offer to continue from here: on a laptop passed round the table, the one who
    # started before may be someone else. Continuing takes the personal link.
    form = StartForm()
    if form.validate_on_submit():
        token = _start_token(form.start_key.data or "")
        try:
            participation.start(assessment.id, token, language=language)
        except AssessmentClosed:
            return render_template("participant/not_open.html", assessment=assessment,
                                   questionnaire=questionnaire), 409
        _remember_respondent(assessment, token)
        return redirect(url_for("participant.page", token=token, page_id="intro"))
    form.start_key.data = secrets.token_urlsafe(32)
    return render_template("participant/welcome.html", assessment=assessment,
                           questionnaire=questionnaire, form=form)


def _start_token(start_key: str) -> str:
    """The resume token for a welcome page's key: the same key gives the same respondent.

    Derived with the app's secret, so a double click (two posts of one page) starts one
    respondent, and nobody can compute a token from a key without the secret.
    """
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, b"start:" + start_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _known_respondent(assessment: Assessment) -> str | None:
    """The token this browser is answering with in this assessment, if it is still valid.

    Only for the vote from the join page (so someone answering cannot also vote as a
    stranger); the join page itself never uses it to offer continuing.
    """
    token = session.get("respondents", {}).get(str(assessment.id))
    if token and participation.find_respondent(token) is not None:
        return str(token)
    return None


def _remember_respondent(assessment: Assessment, token: str) -> None:
    session.permanent = True
    session["respondents"] = {**session.get("respondents", {}), str(assessment.id): token}


def _forget_respondent(assessment: Assessment) -> None:
    """After sending in, the browser keeps nothing that leads to the respondent."""
    remembered = {key: token for key, token in session.get("respondents", {}).items()
                  if key != str(assessment.id)}
    if remembered:
        session["respondents"] = remembered
    else:
        session.pop("respondents", None)


# -- the path ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What every respondent view loads: who, which assessment, its questionnaire and pages."""

    token: str
    respondent: Respondent
    assessment: Assessment
    questionnaire: Questionnaire
    pages: tuple[Page, ...]

    def page(self, page_id: str) -> Page:
        """The page with this id, or 404."""
        for page in self.pages:
            if page.id == page_id:
                return page
        abort(404)

    @property
    def answerable(self) -> bool:
        """Whether this respondent may still change answers."""
        return self.assessment.is_open and not self.respondent.submitted


def _load(token: str) -> Context:
    """The respondent behind a resume token, with their assessment, or 404."""
    respondent = participation.find_respondent(token)
    if respondent is None:
        if participation.invitation_accepted(token):
            abort(Response(render_template("participant/invitation_used.html"), 410))
        mailed = mailing.mailed_link(token)
        if mailed is not None:
            abort(_mailed_link_ended(token, mailed))
        abort(404)
    if respondent.invitation_pending:
        abort(redirect(url_for("participant.resume", token=token)))
    assessment = respondent.assessment
    questionnaire = content.in_language(assessment, _speak(assessment, respondent.language))
    return Context(token, respondent, assessment, questionnaire, _pages(questionnaire))


def _speak(assessment: Assessment, chosen: str | None) -> str:
    """Set the page's language for a participant; the choices are the assessment's."""
    g.language = content.participant_language(assessment, chosen)
    g.languages = assessment.languages
    return str(g.language)


#: The path's pages made so far, per questionnaire (the parsed, frozen one, which never
#: changes) and translations of the interface (which name the fixed pages).
_PAGES: Kept[tuple[Page, ...]] = Kept(limit=64)


def _pages(questionnaire: Questionnaire) -> tuple[Page, ...]:
    """The pages of the path in the page's language, made once per process for each
    questionnaire and language (five translated titles and the pages cost more than
    finding them)."""
    return _PAGES.get((questionnaire, get_translations()), None,
                      lambda: participant_pages(questionnaire, _page_titles()))


def _page_titles() -> dict[str, str]:
    return {
        "intro": _("Welkom"),
        "profiel": _("Over u"),
        "context": _("De regio"),
        "open-vragen": _("Open vragen"),
        "overzicht": _("Controleren en verzenden"),
    }


@bp.route("/toegankelijkheid")
def accessibility() -> str:
    """The accessibility statement (toegankelijkheidsverklaring)."""
    return render_template(
        "participant/accessibility.html", contact=current_app.config["ACCESSIBILITY_CONTACT"],
        statement_date=ACCESSIBILITY_STATEMENT_DATE)


@bp.route("/taal", methods=["POST"])
def choose_language() -> Response:
    """The language switch in the page header: remember the choice, back to the page.

    On a respondent's own pages the choice is stored with the respondent too, so their
    personal link opens in that language on any device.
    """
    form = LanguageForm()
    language = form.language.data
    if not form.validate() or language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["language"] = language
    respondent = _respondent_at(local_path(form.next.data or ""))
    if respondent is not None and language in respondent.assessment.languages:
        with contextlib.suppress(LanguageNotOffered):
            participation.choose_language(respondent.id, language)
    return redirect_back(form.next.data or "", "participant.start_page")


def _respondent_at(path: str) -> Respondent | None:
    """The respondent whose page ``path`` is, if it is one of a respondent's pages."""
    if not path:
        return None
    try:
        _endpoint, arguments = current_app.url_map.bind("").match(urlsplit(path).path)
    except HTTPException:
        return None
    token = arguments.get("token")
    return participation.find_respondent(str(token)) if token else None


@bp.route("/r/<token>", methods=["GET", "POST"])
def resume(token: str) -> Response | str | tuple[str, int]:
    """A personal link: back to where the respondent left off.

    A link made in advance is an invitation: it first shows the welcome page, whose
    "Beginnen" exchanges it for a link of the participant's own (:func:`_accept_invitation`).
    """
    if request.method == "POST":
        return _accept_invitation(token)
    respondent = participation.find_respondent(token)
    if respondent is not None and respondent.invitation_pending:
        return _invitation_page(token, respondent.assessment, StartForm())
    if respondent is None:
        mailed = mailing.mailed_link(token)
        if mailed is not None and not (mailed.sent_in or mailed.expired):
            return _invitation_page(token, mailed.assessment, StartForm(), mailed=mailed)
    ctx = _load(token)
    if not ctx.answerable:
        return redirect(url_for("participant.thanks", token=token))
    page_id = ctx.respondent.last_page
    if page_id not in {page.id for page in ctx.pages}:
        page_id = "intro"
    return redirect(url_for("participant.page", token=token, page_id=page_id))


def _mailed_link_ended(token: str, mailed: mailing.MailedLink) -> Response:
    """A mailed link nobody answers with now: sent in ("al verzonden"), its address deleted
    (it opens nothing any more), or not begun yet (to its welcome page)."""
    if mailed.sent_in:
        _speak(mailed.assessment, session.get("language") or mailed.language)
        return Response(render_template("participant/invitation_sent_in.html",
                                        assessment=mailed.assessment))
    if mailed.expired:
        _speak(mailed.assessment, session.get("language") or mailed.language)
        return Response(render_template("participant/invitation_expired.html",
                                        assessment=mailed.assessment), 410)
    return redirect(url_for("participant.resume", token=token))


def _invitation_page(token: str, assessment: Assessment, form: StartForm,
                     status: int = 200, mailed: mailing.MailedLink | None = None
                     ) -> tuple[str, int]:
    """The welcome page of a personal link made in advance or mailed, with its "Beginnen"."""
    language = _speak(assessment, session.get("language")
                      or (mailed.language if mailed is not None else None))
    questionnaire = content.in_language(assessment, language)
    if assessment.status != Status.OPEN:
        return render_template("participant/not_open.html", assessment=assessment,
                               questionnaire=questionnaire), (
            409 if request.method == "POST" else 200)
    form.start_key.data = secrets.token_urlsafe(32)
    return render_template("participant/welcome.html", assessment=assessment,
                           questionnaire=questionnaire, form=form, invitation=True,
                           mailed=mailed is not None,
                           action=url_for("participant.resume", token=token)), status


def _accept_invitation(invitation: str) -> Response | tuple[str, int]:
    """"Beginnen" on an invitation: the participant's own token replaces the link's.

    The token comes from the page's key as on the join page, so a double click lands on the
    same link; whoever holds the facilitator's file afterwards finds the invitation used.
    """
    form = StartForm()
    mailed = mailing.mailed_link(invitation)
    if mailed is not None:
        return _begin_mailed(invitation, mailed, form)
    respondent = participation.find_respondent(invitation)
    pending = respondent is not None and respondent.invitation_pending
    if respondent is not None and pending and not respondent.assessment.is_open:
        return _invitation_page(invitation, respondent.assessment, form)
    if not form.validate_on_submit():
        if respondent is None or not pending:
            return redirect(url_for("participant.resume", token=invitation))
        return _invitation_page(invitation, respondent.assessment, form, status=400)
    own = _start_token(form.start_key.data or "")
    if not participation.accept_invitation(invitation, own):
        return redirect(url_for("participant.resume", token=invitation))
    accepted = participation.find_respondent(own)
    if accepted is None:  # removed in between (the scan was deleted)
        abort(404)
    _remember_respondent(accepted.assessment, own)
    return redirect(url_for("participant.resume", token=own))


def _begin_mailed(token: str, mailed: mailing.MailedLink,
                  form: StartForm) -> Response | tuple[str, int]:
    """"Beginnen" on a mailed link: a respondent with a token of the participant's own.

    The mailed link keeps resuming those answers (on any device) until they are sent in.
    """
    assessment = mailed.assessment
    if mailed.sent_in or mailed.expired:
        return redirect(url_for("participant.resume", token=token))
    if not assessment.is_open:
        return _invitation_page(token, assessment, form, mailed=mailed)
    if not form.validate_on_submit():
        return _invitation_page(token, assessment, form, status=400, mailed=mailed)
    own = _start_token(form.start_key.data or "")
    language = content.participant_language(assessment,
                                            session.get("language") or mailed.language)
    try:
        began = mailing.begin(token, own, language)
    except AssessmentClosed:
        return _invitation_page(token, assessment, form, mailed=mailed)
    if not began:  # someone answers with this link already: it resumes their answers
        return redirect(url_for("participant.resume", token=token))
    _remember_respondent(assessment, own)
    return redirect(url_for("participant.resume", token=own))


@bp.route("/r/<token>/<page_id>", methods=["GET", "POST"])
@csrf.exempt  # checked by the page form itself, so an expired form keeps its answers
def page(token: str, page_id: str) -> Response | str | tuple[str, int]:
    """One page of the path: show it with stored answers; on a button, save and move."""
    ctx = _load(token)
    current = ctx.page(page_id)
    if not ctx.answerable and not _held_during_pause(ctx, current):
        return redirect(url_for("participant.thanks", token=token))
    if current.kind == "intro":
        return _render(ctx, current, None)
    if current.kind == "review":
        return _render(ctx, current, SubmitForm(), review=review_summary(
            ctx.pages, ctx.questionnaire, participation.stored_answers(ctx.respondent).answers,
            ctx.respondent.profile))
    form_class = page_form_class(ctx.questionnaire, current,
                                 current_app.config["COMMENT_MAX_LENGTH"])
    if request.method == "GET":
        stored = participation.stored_answers(ctx.respondent)
        form = form_class(formdata=None, data=participation.form_data(form_class.asked, stored))
        return _render(ctx, current, form)

    form = form_class()
    unknown = unknown_items(form._fields, request.form)
    if unknown:
        return _render(ctx, current, form, status=400, notice=_(
            "Deze pagina hoort niet bij deze vragenlijst of is verouderd. Er is niets "
            "opgeslagen. Vul de pagina opnieuw in."))
    if not form.validate_page():
        csrf_only = set(form.errors) == {"csrf_token"}
        if csrf_only:
            # The form expired (or the browser lost its cookie): keep the answers shown.
            form.csrf_token.errors = []
            return _render(ctx, current, _fresh_csrf(form), status=400, notice=_(
                "Uw antwoorden zijn nog niet opgeslagen, omdat de pagina te lang open stond. "
                "Controleer ze en klik nog een keer op de knop."))
        return _render(ctx, current, form, status=400)
    try:
        participation.save_page(ctx.respondent.id, current.id,
                                participation.posted_answers(form.asked, form._fields))
    except AssessmentPaused:
        return _render_paused(ctx, current, form)
    except (AssessmentClosed, AlreadySubmitted):
        return redirect(url_for("participant.thanks", token=token))
    except InvalidAnswers:
        return _render(ctx, current, form, status=400, notice=_(
            "Deze pagina bevat antwoorden die niet bij de vragenlijst horen. Er is niets "
            "opgeslagen. Vul de pagina opnieuw in."))
    if form.chosen_language in ctx.assessment.languages:
        participation.choose_language(ctx.respondent.id, form.chosen_language)
        session["language"] = form.chosen_language
        return redirect(url_for("participant.page", token=token, page_id=current.id,
                                terug=_from_review().get("terug")))
    if form.back_to_review:
        return redirect(url_for("participant.page", token=token, page_id=BACK_TO_REVIEW))
    before, after = neighbours(ctx.pages, current.id)
    target = before if form.going_back else after
    return redirect(url_for("participant.page", token=token,
                            page_id=(target or current).id))


def _held_during_pause(ctx: Context, current: Page) -> bool:
    """Whether a posted page is shown again with its answers because the scan is paused.

    Nothing can be stored during a pause, and the summary would show the page's answers as
    missing; so the page comes back as it was sent, to be sent again after the pause.
    """
    return (request.method == "POST" and ctx.assessment.status == Status.PAUSED
            and not ctx.respondent.submitted and current.kind not in {"intro", "review"})


def _render_paused(ctx: Context, current: Page, form: PageForm) -> tuple[str, int]:
    """The page as it was sent, unsaved, with a notice to send it again after the pause."""
    return _render(ctx, current, form, status=409, notice=_(
        "Het invullen is even gepauzeerd. Uw antwoorden op deze pagina zijn nog niet bewaard; "
        "ze staan hieronder klaar. Druk op Volgende zodra de procesbegeleider verdergaat."))


def _from_review() -> dict[str, str]:
    """The query that says a page was opened from the review page (it then offers the way
    back), or nothing."""
    return {"terug": BACK_TO_REVIEW} if request.args.get("terug") == BACK_TO_REVIEW else {}


def _fresh_csrf(form: PageForm) -> PageForm:
    from flask_wtf.csrf import generate_csrf

    form.csrf_token.data = generate_csrf()
    form.csrf_token.raw_data = None
    return form


@bp.route("/r/<token>/verzenden", methods=["POST"])
def submit(token: str) -> Response | str | tuple[str, int]:
    """Send in the answers; then the thank-you page, and the browser forgets the respondent."""
    ctx = _load(token)
    form = SubmitForm()
    if not form.validate():
        raise CSRFError()
    with contextlib.suppress(AssessmentClosed):
        participation.submit(ctx.respondent.id)
    _forget_respondent(ctx.assessment)
    return redirect(url_for("participant.thanks", token=token))


@bp.route("/r/<token>/bedankt")
def thanks(token: str) -> Response | str:
    """Thanks after submitting (or the paused or closed notice), without any answer on it.

    Every page of a respondent who can no longer answer leads here, so whoever presses Back
    on a shared computer after someone sent in finds no answers; seeing them takes a
    deliberate click to the summary.
    """
    ctx = _load(token)
    if ctx.answerable:
        return redirect(url_for("participant.page", token=token, page_id="overzicht"))
    if ctx.respondent.submitted:
        _forget_respondent(ctx.assessment)
    final = ctx.respondent.submitted or ctx.assessment.status == Status.CLOSED
    shown = final and take_home.results_shown(ctx.assessment.status, ctx.assessment.reveal_step)
    return render_template("participant/thanks.html", ctx=ctx, results_shown=shown)


@bp.route("/r/<token>/samenvatting")
def summary(token: str) -> Response | str:
    """The answers as stored, and what to take home, behind the thank-you page.

    What to take home (own lesson scores beside the group's) only once the answers are final
    and the facilitator has shown the results; never cached, as it is one person's.
    """
    ctx = _load(token)
    if ctx.answerable:
        return redirect(url_for("participant.page", token=token, page_id="overzicht"))
    stored = participation.stored_answers(ctx.respondent)
    answers = stored.answers
    final = ctx.respondent.submitted or ctx.assessment.status == Status.CLOSED
    shown = final and take_home.results_shown(ctx.assessment.status, ctx.assessment.reveal_step)
    comparisons = (take_home.compare_with_group(ctx.questionnaire, answers,
                                                assessment_summary(ctx.assessment))
                   if shown else ())
    response = current_app.make_response(render_template(
        "participant/summary.html", ctx=ctx, answers=answers, texts=stored.texts,
        final=final, results_shown=shown, comparisons=comparisons,
    ))
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the vote on priorities -------------------------------------------------------------


@bp.route("/r/<token>/stemmen", methods=["GET", "POST"])
def vote(token: str) -> Response | str | tuple[str, int]:
    """The vote on priorities, from a participant's personal link."""
    ctx = _load(token)
    return _vote(ctx.assessment, ctx.questionnaire, "token:" + token,
                 url_for("participant.vote", token=token),
                 url_for("participant.resume", token=token))


@bp.route("/d/<code>/stemmen", methods=["GET", "POST"])
@limiter.limit(_join_limit, deduct_when=_is_miss, exempt_when=_is_known_code)
@limiter.limit(_start_limit, methods=["POST"])
def vote_by_code(code: str) -> Response | str | tuple[str, int]:
    """The vote on priorities from the join page, for someone without a personal link.

    A browser that answered through the join page votes as that respondent (so it cannot
    vote twice); any other browser gets a random vote key in its session cookie.
    """
    assessment = assessment_by_join_code(code)
    if assessment is None:
        form = JoinForm(formdata=None, code=code)
        form.code.errors = [_("Deze code kennen we niet. Controleer de link of de code.")]
        return render_template("participant/start.html", form=form), 404
    questionnaire = content.in_language(assessment, _speak(assessment, session.get("language")))
    token = _known_respondent(assessment)
    voter = "token:" + token if token else "key:" + _vote_key(assessment)
    here = url_for("participant.vote_by_code", code=assessment.join_code)
    # Without a personal link the browser, not the person, holds the vote: on a computer
    # passed round, the next person must not find the last one's choice ticked.
    return _vote(assessment, questionnaire, voter, here,
                 url_for("participant.welcome", code=assessment.join_code),
                 show_choice=token is not None)


@bp.route("/d/<code>/stemmen/iemand-anders", methods=["POST"])
def vote_as_someone_else(code: str) -> Response:
    """On a shared computer: forget this browser's vote key, so the next person votes anew."""
    assessment = assessment_by_join_code(code)
    if assessment is None:
        abort(404)
    keys = {key: value for key, value in session.get("vote_keys", {}).items()
            if key != str(assessment.id)}
    session["vote_keys"] = keys
    flash(_("U stemt nu als iemand anders. De stem die hier eerder werd uitgebracht, telt "
            "gewoon mee."))
    return redirect(url_for("participant.vote_by_code", code=assessment.join_code))


@bp.route("/r/<token>/stemmen.json")
def vote_state(token: str) -> Response:
    """Whether the vote is open, for the script that shows the banner without a reload."""
    return _vote_state(_load(token).assessment)


@bp.route("/d/<code>/stemmen.json")
@limiter.limit(_join_limit, deduct_when=_is_miss, exempt_when=_is_known_code)
def vote_state_by_code(code: str) -> Response:
    """Whether the vote is open, for the join page's script."""
    assessment = assessment_by_join_code(code)
    if assessment is None:
        abort(404)
    return _vote_state(assessment)


def _vote_state(assessment: Assessment) -> Response:
    response = jsonify({"open": assessment.vote_status == priorities.VoteStatus.OPEN})
    response.headers["Cache-Control"] = "no-store"
    return response


def _vote_key(assessment: Assessment) -> str:
    """This browser's random vote key for the assessment, made on first use."""
    keys = session.get("vote_keys", {})
    key = keys.get(str(assessment.id))
    if not key:
        key = secrets.token_urlsafe(32)
        session.permanent = True
        session["vote_keys"] = {**keys, str(assessment.id): key}
    return str(key)


def _vote(assessment: Assessment, questionnaire: Questionnaire, voter: str, here: str,
          back: str, show_choice: bool = True) -> Response | str | tuple[str, int]:
    """Show the vote (with the voter's current choice when ``show_choice``); on a post, store
    the new choice, which replaces the voter's earlier one."""
    voter_hash = priorities.voter_hash(current_app.config["SECRET_KEY"], assessment.id, voter)
    form = VoteForm()
    form.lessons.choices = [(lesson.id, lesson.title) for lesson in questionnaire.lessons]
    notice, status = None, 200
    if request.method == "POST":
        if not form.validate():
            raise CSRFError()
        try:
            priorities.cast_vote(assessment.id, voter_hash, form.lessons.data or [])
        except VoteClosed:
            notice, status = _("De stemming is al gesloten. Uw stem telt daarom niet meer "
                               "mee. Dank u wel voor het meedoen!"), 409
        except TooManyChoices:
            form.lessons.errors = [_("U koos %(chosen)d lessen. Kies er hooguit "
                                     "%(most)d. Haal een of meer vinkjes weg.",
                                     chosen=len(set(form.lessons.data or [])),
                                     most=assessment.vote_max_choices)]
            status = 400
        except NoChoice:
            form.lessons.errors = [_("Kies minstens één les.")]
            status = 400
        except VoteError:
            form.lessons.errors = [_("Deze keuze hoort niet bij deze scan. Kies opnieuw.")]
            form.lessons.data = []
            status = 400
        else:
            flash(_("Uw stem is bewaard. U kunt hem nog veranderen zolang de stemming open "
                    "is."))
            return redirect(here)
    elif show_choice:
        form.lessons.data = list(priorities.current_choice(assessment.id, voter_hash))
    return render_template(
        "participant/vote.html", assessment=assessment, questionnaire=questionnaire,
        form=form, notice=notice, action=here, back=back, show_choice=show_choice,
        is_open=assessment.vote_status == priorities.VoteStatus.OPEN and status != 409,
        voted=bool(priorities.current_choice(assessment.id, voter_hash)),
    ), status


# -- helpers ----------------------------------------------------------------------------


def _render(
    ctx: Context,
    current: Page,
    form: PageForm | SubmitForm | None,
    *,
    status: int = 200,
    notice: str | None = None,
    review: Review | None = None,
) -> tuple[str, int]:
    before, after = neighbours(ctx.pages, current.id)
    template = {
        "intro": "participant/intro.html",
        "review": "participant/review.html",
    }.get(current.kind, "participant/page.html")
    return render_template(
        template, ctx=ctx, page=current, form=form, before=before, after=after,
        progress=progress(ctx.pages, current.id), notice=notice,
        resume_url=external_url("participant.resume", token=ctx.token),
        from_review=_from_review(), review=review,
    ), status


