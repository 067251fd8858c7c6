"""The group's priorities: the vote in the room, its tally, the actions and the report."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, inspect, select

from assessment import db, management, participation, priorities
from assessment.db import read_session
from assessment.exceptions import NoChoice, TooManyChoices, UnknownLesson, VoteError
from assessment.models import (
    ActionItem,
    Assessment,
    AuditEvent,
    PriorityVote,
    Respondent,
    Status,
)
from assessment.priorities import VoteStatus, tally
from assessment.results import assessment_summary
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.assessment.facilitator.test_live import add_respondent
from tests.conftest import SECRET
from tests.helpers import Participant, csrf_token, login

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
LESSONS = QUESTIONNAIRE.lessons
IDS = [lesson.id for lesson in LESSONS]
OWNER_EMAIL, OWNER_PASSWORD = "begeleider@example.nl", "lang-genoeg-wachtwoord"


# -- the tally (pure) --------------------------------------------------------------------


def test_tally_sorts_by_votes_and_breaks_ties_by_lesson_order():
    ballots = [[IDS[4], IDS[1]], [IDS[4], IDS[7]], [IDS[7], IDS[1]], [IDS[4]]]
    result = tally(LESSONS, ballots, 2)
    assert result.voters == 4 and result.shown
    assert [(row.lesson_id, row.votes) for row in result.lessons[:3]] == [
        (IDS[4], 3), (IDS[1], 2), (IDS[7], 2)]
    assert result.lessons[0].share == 0.75
    # Lessons 2 and 8 tie; lesson 2 comes first in the questionnaire, so it is in the top 2.
    assert [row.lesson_id for row in result.top] == [IDS[4], IDS[1]]
    # Lessons without votes follow in questionnaire order.
    assert [row.number for row in result.lessons[3:]] == [1, 3, 4, 6, 7, 9, 10]


def test_tally_counts_a_lesson_once_per_ballot_and_ignores_unknown_lessons():
    result = tally(LESSONS, [[IDS[0], IDS[0]], [IDS[0], "geen-les"], [IDS[2]]], 3)
    assert result.voters == 3
    assert {row.lesson_id: row.votes for row in result.lessons if row.votes} == {
        IDS[0]: 2, IDS[2]: 1}
    # The top leaves out lessons nobody chose, even when fewer than N got a vote.
    assert [row.lesson_id for row in result.top] == [IDS[0], IDS[2]]


@pytest.mark.parametrize(("voters", "status"), [
    (0, VoteStatus.CLOSED), (1, VoteStatus.CLOSED), (2, VoteStatus.CLOSED),
    (0, VoteStatus.OPEN), (3, VoteStatus.OPEN), (30, VoteStatus.OPEN)])
def test_tally_below_three_voters_or_while_open_gives_only_the_number_of_voters(voters, status):
    result = tally(LESSONS, [[IDS[0]]] * voters, 3, status)
    assert result.voters == voters
    assert not result.shown and not result.final
    assert result.lessons == () and result.top == ()


def test_a_vote_is_final_only_when_closed_with_three_voters():
    assert tally(LESSONS, [[IDS[0]]] * 3, 3, VoteStatus.CLOSED).final
    assert not tally(LESSONS, [[IDS[0]]] * 3, 3, VoteStatus.OPEN).final


@pytest.mark.parametrize(("chosen", "error"), [
    pytest.param([], NoChoice, id="nothing"),
    pytest.param(IDS[:4], TooManyChoices, id="four of three"),
    pytest.param(["geen-les"], UnknownLesson, id="unknown lesson"),
])
def test_a_choice_that_does_not_fit_is_refused(chosen, error):
    with pytest.raises(error):
        priorities.checked_choice(LESSONS, chosen, 3)


def test_a_choice_is_kept_in_questionnaire_order_once_each():
    assert priorities.checked_choice(LESSONS, [IDS[5], IDS[0], IDS[5]], 2) == (IDS[0], IDS[5])


# -- the participant's side --------------------------------------------------------------


@pytest.fixture
def owner(app, open_assessment):
    """A browser logged in as the owner of the open assessment."""
    browser = app.test_client()
    login(browser, OWNER_EMAIL, OWNER_PASSWORD)
    return browser


def open_the_vote(owner, assessment_id: int, choices: str = "3"):
    token = csrf_token(owner.get(f"/begeleider/scans/{assessment_id}/live"))
    return owner.post(f"/begeleider/scans/{assessment_id}/live/stemming",
                      data={"csrf_token": token, "actie": "stemming-openen", "keuzes": choices})


def close_the_vote(owner, assessment_id: int):
    token = csrf_token(owner.get(f"/begeleider/scans/{assessment_id}/live"))
    return owner.post(f"/begeleider/scans/{assessment_id}/live/stemming",
                      data={"csrf_token": token, "actie": "stemming-sluiten"})


def vote(person: Participant, lessons: list[str], token: str | None = None):
    """Post a vote from the participant's personal link (CSRF token from the vote page)."""
    url = person.url("stemmen")
    token = token or csrf_token(person.client.get(url))
    return person.client.post(url, data={"csrf_token": token, "lessons": lessons})


def votes(app, assessment_id: int) -> list[list[str]]:
    with app.app_context():
        return sorted(priorities.ballots(assessment_id))


def test_the_vote_page_and_banner_appear_only_while_the_vote_is_open(app, owner, participant,
                                                                     open_assessment):
    assessment_id = int(open_assessment["id"])
    intro = participant.client.get(participant.url("intro")).get_data(as_text=True)
    assert "Stem op de prioriteiten" not in intro
    page = participant.client.get(participant.url("stemmen")).get_data(as_text=True)
    assert "Er is nu geen stemming" in page and 'type="checkbox"' not in page
    assert participant.client.get(participant.url("stemmen.json")).get_json() == {"open": False}

    assert open_the_vote(owner, assessment_id).status_code == 302
    intro = participant.client.get(participant.url("intro")).get_data(as_text=True)
    assert f'href="/r/{participant.token}/stemmen"' in intro
    page = participant.client.get(participant.url("stemmen")).get_data(as_text=True)
    assert "Kies de lessen waar de regio eerst mee aan de slag moet (hooguit 3)" in page
    assert page.count('type="checkbox"') == 10
    assert "<legend" in page
    state = participant.client.get(participant.url("stemmen.json"))
    assert state.get_json() == {"open": True}
    assert state.headers["Cache-Control"] == "no-store"
    code = open_assessment["code"]
    assert app.test_client().get(f"/d/{code}/stemmen.json").get_json() == {"open": True}
    assert app.test_client().get("/d/ONBEKEND/stemmen.json").status_code == 404


def test_the_banner_shows_on_the_summary_page_after_submitting(app, owner, participant,
                                                              open_assessment):
    assert participant.submit().status_code == 302
    banner = re.compile(r'<div class="notice vote-banner" role="status" '
                        rf'data-vote-state="/r/{participant.token}/stemmen.json"( hidden)?>')
    html = participant.client.get(participant.url("samenvatting")).get_data(as_text=True)
    # Waiting for the vote: the banner is there, hidden, and its script asks when to show it.
    assert (match := banner.search(html)) and match.group(1)
    assert "vote-banner.js" in html
    open_the_vote(owner, int(open_assessment["id"]))
    html = participant.client.get(participant.url("samenvatting")).get_data(as_text=True)
    assert "Bedankt!" in html
    assert (match := banner.search(html)) and not match.group(1)
    assert f'href="/r/{participant.token}/stemmen"' in html


def test_cast_and_change_a_vote(app, owner, participant, open_assessment):
    assessment_id = int(open_assessment["id"])
    open_the_vote(owner, assessment_id)
    response = vote(participant, [IDS[0], IDS[3]])
    assert response.status_code == 302
    page = participant.client.get(response.location).get_data(as_text=True)
    assert "Uw stem is bewaard. U kunt hem nog veranderen zolang de stemming open is." in page
    # The current choice is checked when the participant comes back to change it.
    assert re.search(rf'checked class="radio" id="lessons-0"[^>]*value="{IDS[0]}"', page)
    assert re.search(rf'checked class="radio" id="lessons-3"[^>]*value="{IDS[3]}"', page)
    assert not re.search(r'checked class="radio" id="lessons-1"', page)

    assert vote(participant, [IDS[5]]).status_code == 302
    assert votes(app, assessment_id) == [[IDS[5]]]


def test_a_double_submit_counts_once(app, owner, participant, open_assessment):
    assessment_id = int(open_assessment["id"])
    open_the_vote(owner, assessment_id)
    token = csrf_token(participant.client.get(participant.url("stemmen")))
    for _ in range(2):
        assert vote(participant, [IDS[1], IDS[2]], token=token).status_code == 302
    assert votes(app, assessment_id) == [[IDS[1], IDS[2]]]
    # The page the second click lands on says so once (both posts left the same message).
    page = participant.client.get(participant.url("stemmen")).get_data(as_text=True)
    assert page.count("Uw stem is bewaard.") == 1


def test_a_vote_after_closing_is_not_counted_and_says_so(app, owner, participant,
                                                        open_assessment):
    assessment_id = int(open_assessment["id"])
    open_the_vote(owner, assessment_id)
    token = csrf_token(participant.client.get(participant.url("stemmen")))
    assert close_the_vote(owner, assessment_id).status_code == 302
    response = vote(participant, [IDS[1]], token=token)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "De stemming is al gesloten. Uw stem telt daarom niet meer mee." in html
    assert votes(app, assessment_id) == []


def test_too_many_choices_gives_an_error_and_keeps_the_choices(app, owner, participant,
                                                              open_assessment):
    assessment_id = int(open_assessment["id"])
    open_the_vote(owner, assessment_id, "2")
    response = vote(participant, IDS[:3])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "U koos 3 lessen. Kies er hooguit 2." in html
    assert 'href="#lessons-0"' in html  # the error summary leads to the choices
    for index in range(3):
        assert re.search(rf'checked class="radio" id="lessons-{index}"', html)
    assert votes(app, assessment_id) == []


def test_no_choice_gives_an_error(app, owner, participant, open_assessment):
    open_the_vote(owner, int(open_assessment["id"]))
    response = vote(participant, [])
    assert response.status_code == 400
    assert "Kies minstens één les." in response.get_data(as_text=True)


def test_an_unknown_lesson_is_refused(app, owner, participant, open_assessment):
    assessment_id = int(open_assessment["id"])
    open_the_vote(owner, assessment_id)
    response = vote(participant, [IDS[0], "<script>"])
    assert response.status_code == 400
    assert "<script>" not in response.get_data(as_text=True)
    assert votes(app, assessment_id) == []


def test_a_vote_from_the_join_page_without_a_link(app, owner, open_assessment):
    assessment_id, code = int(open_assessment["id"]), str(open_assessment["code"])
    open_the_vote(owner, assessment_id)
    with app.app_context():  # closed for answers, while the vote is still open
        management.set_status(assessment_id, Status.CLOSED)
    browser = app.test_client()
    closed = browser.get(f"/d/{code}").get_data(as_text=True)
    assert "Deze scan is gesloten." in closed and f'href="/d/{code}/stemmen"' in closed
    page = browser.get(f"/d/{code}/stemmen")
    assert page.status_code == 200
    for lessons in ([IDS[2]], [IDS[2], IDS[9]]):
        response = browser.post(f"/d/{code}/stemmen", data={
            "csrf_token": csrf_token(page), "lessons": lessons})
        assert response.status_code == 302
    # One browser, one vote: the second post replaced the first.
    assert votes(app, assessment_id) == [[IDS[2], IDS[9]]]
    other = app.test_client()
    other_page = other.get(f"/d/{code}/stemmen")
    other.post(f"/d/{code}/stemmen", data={"csrf_token": csrf_token(other_page),
                                          "lessons": [IDS[0]]})
    assert len(votes(app, assessment_id)) == 2
    assert app.test_client().get("/d/ONBEKEND/stemmen").status_code == 404


def test_a_computer_passed_round_never_shows_the_last_vote(app, owner, open_assessment):
    """Voting from the join page, the next person at the same computer sees no ticks."""
    assessment_id, code = int(open_assessment["id"]), str(open_assessment["code"])
    open_the_vote(owner, assessment_id)
    laptop = app.test_client()
    page = laptop.get(f"/d/{code}/stemmen")
    laptop.post(f"/d/{code}/stemmen", data={"csrf_token": csrf_token(page),
                                           "lessons": [IDS[3], IDS[4]]})
    after = laptop.get(f"/d/{code}/stemmen")
    html = after.get_data(as_text=True)
    assert "Op deze computer is al gestemd." in html
    assert "checked" not in html
    # The next person says so, and votes as a new voter: both votes count.
    laptop.post(f"/d/{code}/stemmen/iemand-anders", data={"csrf_token": csrf_token(after)})
    fresh = laptop.get(f"/d/{code}/stemmen")
    fresh_html = fresh.get_data(as_text=True)
    assert "Op deze computer is al gestemd." not in fresh_html and "checked" not in fresh_html
    laptop.post(f"/d/{code}/stemmen", data={"csrf_token": csrf_token(fresh),
                                           "lessons": [IDS[5]]})
    assert sorted(map(sorted, votes(app, assessment_id))) == sorted(
        [sorted([IDS[3], IDS[4]]), [IDS[5]]])


def test_a_participant_voting_on_the_join_page_votes_as_themselves(app, owner, participant,
                                                                  open_assessment):
    assessment_id, code = int(open_assessment["id"]), str(open_assessment["code"])
    open_the_vote(owner, assessment_id)
    vote(participant, [IDS[0]])
    page = participant.client.get(f"/d/{code}/stemmen")
    participant.client.post(f"/d/{code}/stemmen", data={"csrf_token": csrf_token(page),
                                                        "lessons": [IDS[1]]})
    assert votes(app, assessment_id) == [[IDS[1]]]


# -- anonymity ---------------------------------------------------------------------------


def test_a_vote_has_no_link_to_the_respondent(app, owner, participant, open_assessment):
    assessment_id = int(open_assessment["id"])
    open_the_vote(owner, assessment_id)
    vote(participant, [IDS[0]])
    with app.app_context():
        columns = {column["name"] for column in inspect(db.engine()).get_columns("priority_vote")}
        assert columns == {"id", "assessment_id", "voter_hash", "lessons"}
        row = read_session().scalars(select(PriorityVote)).one()
        respondent = read_session().scalars(select(Respondent)).one()
        token = participant.token
    # Neither the token's stored hash nor any plain hash of the token: a keyed hash.
    assert row.voter_hash not in {respondent.token_hash, participation.hash_token(token),
                                  hashlib.sha256(f"token:{token}".encode()).hexdigest()}
    assert row.voter_hash == priorities.voter_hash(SECRET, assessment_id, "token:" + token)
    assert row.voter_hash != priorities.voter_hash("another-secret", assessment_id,
                                                   "token:" + token)


def test_the_tally_is_hidden_below_three_voters(app, owner, open_assessment):
    assessment_id = int(open_assessment["id"])
    open_the_vote(owner, assessment_id)
    people = [Participant(app.test_client()) for _ in range(3)]
    for number, person in enumerate(people):
        person.join(str(open_assessment["code"]))
        vote(person, [IDS[number]])
        data = owner.get(f"/begeleider/scans/{assessment_id}/live.json").get_json()["vote"]
        assert data["voters"] == number + 1
        html = owner.get(f"/begeleider/scans/{assessment_id}/live").get_data(as_text=True)
        agenda = owner.get(f"/begeleider/scans/{assessment_id}/agenda").get_data(as_text=True)
        # While the vote is open the tally never shows, however many voted: watching it
        # move would show what the last voter chose. Only the number of voters shows.
        assert data["shown"] is False and data["lessons"] == [] and data["top"] == []
        assert data["hidden_text"] == "de uitslag verschijnt als u de stemming sluit"
        for page in (html, agenda):
            assert "data-vote-lesson" not in page
            assert "de uitslag verschijnt als u de stemming sluit" in page
    close_the_vote(owner, assessment_id)
    data = owner.get(f"/begeleider/scans/{assessment_id}/live.json").get_json()["vote"]
    assert data["shown"] is True
    assert [row["votes"] for row in data["lessons"][:3]] == [1, 1, 1]
    assert data["lessons"][0] == {"id": IDS[0], "label": f"1. {LESSONS[0].title}",
                                  "votes": 1, "share": "33%", "text": "1 stem"}
    for page in ("live", "agenda"):
        url = f"/begeleider/scans/{assessment_id}/{page}"
        assert f'data-vote-lesson="{IDS[0]}"' in owner.get(url).get_data(as_text=True)


def test_a_vote_closed_with_two_voters_shows_no_tally(app, owner, open_assessment):
    assessment_id = int(open_assessment["id"])
    closed_vote(app, assessment_id, [[IDS[0]], [IDS[1]]])
    data = owner.get(f"/begeleider/scans/{assessment_id}/live.json").get_json()["vote"]
    assert data["shown"] is False and data["lessons"] == []
    assert data["hidden_text"] == "nog te weinig stemmen om te tonen (2)"


def test_opening_and_closing_are_audited_and_checked(app, owner, open_assessment):
    assessment_id = int(open_assessment["id"])
    for bad in ("0", "11", "drie"):
        response = open_the_vote(owner, assessment_id, bad)
        assert "De stemming is niet geopend" in owner.get(response.location).get_data(
            as_text=True)
    response = close_the_vote(owner, assessment_id)
    assert "Er is geen open stemming om te sluiten." in owner.get(
        response.location).get_data(as_text=True)
    open_the_vote(owner, assessment_id, "4")
    close_the_vote(owner, assessment_id)
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        assert (assessment.vote_status, assessment.vote_max_choices) == ("closed", 4)
        actions = list(read_session().scalars(
            select(AuditEvent.action).where(AuditEvent.assessment_id == assessment_id)
            .order_by(AuditEvent.id)))
    assert actions[-2:] == ["vote_opened", "vote_closed"]


def test_reopening_keeps_the_votes_and_allows_no_fewer_choices(app, open_assessment):
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        priorities.open_vote(assessment_id, 3, None)
        priorities.cast_vote(assessment_id, "a" * 64, IDS[:3])
        priorities.close_vote(assessment_id, None)
        with pytest.raises(VoteError):
            priorities.open_vote(assessment_id, 2, None)
        priorities.open_vote(assessment_id, 3, None)
        assert priorities.ballots(assessment_id) == [IDS[:3]]


# -- actions, report, purge, delete ------------------------------------------------------


def closed_vote(app, assessment_id: int, ballots: list[list[str]], choices: int = 3) -> None:
    """A vote through the domain functions, closed after ``ballots`` were cast."""
    with app.app_context():
        priorities.open_vote(assessment_id, choices, None)
        for number, lessons in enumerate(ballots):
            priorities.cast_vote(assessment_id, f"{number:064d}", lessons)
        priorities.close_vote(assessment_id, None)


def test_the_top_lessons_become_suggested_actions_once(app, owner, open_assessment):
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for _ in range(3):
            add_respondent(assessment_id, "gemeente")
        # Closed, so the three count in the summary the advice is chosen from.
        management.set_status(assessment_id, Status.CLOSED)
        assessment = read_session().get(Assessment, assessment_id)
        from assessment import discussion

        discussion.add_action(assessment, discussion.ActionInput("Al afgesproken",
                                                                 lesson_id=IDS[1]), None)
    closed_vote(app, assessment_id, [[IDS[4], IDS[1]], [IDS[4], IDS[1]], [IDS[6], IDS[4]]], 2)
    page = owner.get(f"/begeleider/scans/{assessment_id}/acties")
    assert "Neem de prioriteiten over als acties" in page.get_data(as_text=True)
    url = f"/begeleider/scans/{assessment_id}/acties/prioriteiten"
    response = owner.post(url, data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert "1 actie toegevoegd" in owner.get(response.location).get_data(as_text=True)
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        summary = assessment_summary(assessment)
        rows = list(read_session().scalars(select(ActionItem).order_by(ActionItem.id)))
    # The top 2 are lessons 5 and 2; lesson 2 already had an action.
    assert [(row.lesson_id, row.action) for row in rows] == [
        (IDS[1], "Al afgesproken"),
        (IDS[4], priorities.suggested_action(LESSONS[4], summary))]
    band = summary.lesson(IDS[4]).band
    agreement = summary.lesson(IDS[4]).agreement
    assert rows[1].action == LESSONS[4].report.advice.text(band, agreement.value)
    owner.post(url, data={"csrf_token": csrf_token(page)})
    with app.app_context():
        assert read_session().scalar(select(func.count()).select_from(ActionItem)) == 2


def test_no_actions_from_an_open_or_too_small_vote(app, owner, open_assessment):
    assessment_id = int(open_assessment["id"])
    closed_vote(app, assessment_id, [[IDS[0]], [IDS[0]]])
    page = owner.get(f"/begeleider/scans/{assessment_id}/acties")
    assert "Nog geen uitslag" in page.get_data(as_text=True)
    response = owner.post(f"/begeleider/scans/{assessment_id}/acties/prioriteiten",
                          data={"csrf_token": csrf_token(page)})
    assert "Er is nog geen uitslag" in owner.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert read_session().scalar(select(func.count()).select_from(ActionItem)) == 0


@pytest.mark.parametrize(("voters", "close", "shown"), [
    pytest.param(3, True, True, id="closed with three"),
    pytest.param(2, True, False, id="closed with two"),
    pytest.param(3, False, False, id="still open"),
])
def test_the_report_shows_the_priorities_only_after_a_closed_vote_of_three(
        app, open_assessment, voters, close, shown):
    from reports.build import report_context, report_html

    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for _ in range(3):
            add_respondent(assessment_id, "gemeente")
        priorities.open_vote(assessment_id, 3, None)
        for number in range(voters):
            priorities.cast_vote(assessment_id, f"{number:064d}", [IDS[2], IDS[number]])
        if close:
            priorities.close_vote(assessment_id, None)
        html = report_html(report_context(read_session().get(Assessment, assessment_id)),
                           "/static/")
    assert ("Prioriteiten van de groep" in html) is shown
    if shown:
        section = html[html.index("Prioriteiten van de groep"):]
        assert re.search(rf"3\. {re.escape(LESSONS[2].title)}.*?<td[^>]*>3</td>\s*<td[^>]*>100%",
                         section, re.S)


def test_purge_forgets_the_voters_and_keeps_the_tally(app, open_assessment):
    from assessment.retention import purge

    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for _ in range(3):
            add_respondent(assessment_id, "gemeente")
        priorities.open_vote(assessment_id, 3, None)
        for number in range(4):
            priorities.cast_vote(assessment_id, f"{number:064d}", [IDS[number % 2]])
        management.set_status(assessment_id, Status.CLOSED)
        # The tally as it will show once closed (while open only the voters show).
        before = tally(LESSONS, priorities.ballots(assessment_id), 3)
        purge(assessment_id)
        session = read_session()
        assessment = session.get(Assessment, assessment_id)
        assert assessment.vote_status == "closed"  # an open vote closes at purge
        assert list(session.scalars(select(PriorityVote.voter_hash))) == [None] * 4
        after = priorities.result(assessment)
        assert after.lessons == before.lessons and after.voters == 4
        with pytest.raises(VoteError):
            priorities.open_vote(assessment_id, 3, None)


def test_deleting_a_scan_deletes_its_votes(app, open_assessment):
    assessment_id = int(open_assessment["id"])
    closed_vote(app, assessment_id, [[IDS[0]]] * 3)
    with app.app_context():
        management.delete_assessment(assessment_id, None)
        assert read_session().scalar(select(func.count()).select_from(PriorityVote)) == 0


def test_result_gives_the_coordinator_a_frozen_tally(app, open_assessment):
    assessment_id = int(open_assessment["id"])
    closed_vote(app, assessment_id, [[IDS[0]], [IDS[0]], [IDS[2]], [IDS[0]]], 1)
    with app.app_context():
        result = priorities.result(read_session().get(Assessment, assessment_id))
    assert result.final and result.voters == 4 and result.max_choices == 1
    assert [(row.lesson_id, row.votes) for row in result.top] == [(IDS[0], 3)]
    with pytest.raises(AttributeError):
        result.voters = 5  # type: ignore[misc]


def test_the_aggregates_export_holds_the_priorities_of_a_closed_vote(app, facilitator_client):
    from tests.assessment.test_exchange import csv_sections

    sections = csv_sections(facilitator_client.get("/begeleider/scans/1/export.csv").data)
    header, rows = sections["Prioriteiten"]
    assert header == ["les-id", "les", "stemmen", "stemmers", "deel van de stemmers",
                      "prioriteit"]
    with app.app_context():
        result = priorities.result(read_session().get(Assessment, 1))
    assert result.final and result.voters == 20  # the demo's vote
    assert [(row[0], int(row[2]), int(row[3])) for row in rows] == [
        (r.lesson_id, r.votes, 20) for r in result.lessons if r.votes]
    assert [row[0] for row in rows if row[5] == "ja"] == [r.lesson_id for r in result.top]


def test_the_backup_holds_each_vote_s_lessons_without_voters(app, demo):
    from assessment import backup, content

    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        document = backup.backup_document(assessment)
        text = backup.backup_json(document)
        hashes = list(read_session().scalars(select(PriorityVote.voter_hash)))
        questionnaire = content.for_assessment(assessment)
    vote = document.priority_vote
    assert vote is not None and (vote.status, vote.max_choices) == ("closed", 3)
    assert len(vote.ballots) == 20 and list(vote.ballots) == sorted(vote.ballots)
    assert len(hashes) == 20 and not any(voter in text for voter in hashes)
    assert backup.fit_problems(document, questionnaire) == []
    bad = document.model_copy(update={"priority_vote": vote.model_copy(
        update={"ballots": (("geen-les",), tuple(IDS[:4]))})})
    assert backup.fit_problems(bad, questionnaire) == [
        "vote 1 on priorities: no lesson geen-les",
        "vote 2 on priorities: choose at most 3 lessons, not 4"]


def test_wrong_vote_links_are_rate_limited_per_client_but_right_ones_do_not_count(
        request, app_config):
    app_config["JOIN_RATE_LIMIT"] = "3 per minute"
    app = request.getfixturevalue("app")
    code = str(request.getfixturevalue("open_assessment")["code"])
    client = app.test_client()
    wrong = f"/d/{'Z' if code[0] != 'Z' else 'Y'}{code[1:]}/stemmen"

    assert client.get(wrong).status_code == 404
    for _ in range(5):
        assert client.get(f"/d/{code}/stemmen").status_code == 200
    assert client.get(wrong).status_code == 404
    assert client.get(wrong).status_code == 404
    limited = client.get(wrong)
    assert limited.status_code == 429
    assert "Even wachten" in limited.get_data(as_text=True)


def test_a_vote_cast_while_the_facilitator_closes_waits_and_is_refused(app, db_dialect,
                                                                      open_assessment):
    """The close holds the assessment's lock; the vote waits for it, then finds it closed."""
    from sqlalchemy.orm import Session

    from tests.assessment.test_db import _contend

    assessment_id = int(open_assessment["id"])
    with app.app_context():
        priorities.open_vote(assessment_id, 3, None)

    def close(session: Session) -> None:
        assessment = session.get(Assessment, assessment_id, with_for_update=True)
        assert assessment is not None
        assessment.vote_status = VoteStatus.CLOSED.value

    events = _contend(app, db_dialect, close,
                      lambda: priorities.cast_vote(assessment_id, "b" * 64, [IDS[0]]))
    assert events == ["first commits", "second refused: VoteClosed"]
    assert votes(app, assessment_id) == []


@pytest.mark.parametrize(("changes", "changed"), [
    pytest.param([[IDS[9]]], False, id="one new voter: the earlier tally stays"),
    pytest.param([[IDS[9]], [IDS[9]]], False, id="two new voters: still the earlier"),
    pytest.param([[IDS[9]]] * 3, True, id="three new voters: the new tally"),
])
def test_a_reclosed_vote_shows_a_new_tally_only_from_three_new_ballots(app, open_assessment,
                                                                       changes, changed):
    assessment_id = int(open_assessment["id"])
    closed_vote(app, assessment_id, [[IDS[0]], [IDS[0]], [IDS[1]]])
    with app.app_context():
        first = priorities.result(read_session().get(Assessment, assessment_id))
        priorities.open_vote(assessment_id, 3, None)
        for number, lessons in enumerate(changes, start=10):
            priorities.cast_vote(assessment_id, f"{number:064d}", lessons)
        priorities.close_vote(assessment_id, None)
        second = priorities.result(read_session().get(Assessment, assessment_id))
    assert (second.lessons != first.lessons) is changed
    assert second.voters == (3 + len(changes) if changed else 3)


def test_one_changed_vote_does_not_move_a_reclosed_tally(app, open_assessment):
    assessment_id = int(open_assessment["id"])
    closed_vote(app, assessment_id, [[IDS[0]], [IDS[0]], [IDS[1]]])
    with app.app_context():
        first = priorities.result(read_session().get(Assessment, assessment_id))
        priorities.open_vote(assessment_id, 3, None)
        priorities.cast_vote(assessment_id, f"{0:064d}", [IDS[5]])  # the first voter changes
        priorities.close_vote(assessment_id, None)
        assert priorities.result(read_session().get(Assessment, assessment_id)) == first
