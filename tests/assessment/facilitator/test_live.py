"""Running the room: the live dashboard and its JSON, the projector, pausing, the agenda."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from assessment import management, participation, session
from assessment.aggregation import Response, summarise
from assessment.db import read_session
from assessment.models import Assessment, AuditEvent, Respondent, Status
from questions.loader import CONTENT_DIR, load_questionnaire
from tests.helpers import csrf_token, login

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
OWNER_EMAIL, OWNER_PASSWORD = "begeleider@example.nl", "lang-genoeg-wachtwoord"


def scores(score: int, dont_know: tuple[str, ...] = (), split: tuple[str, ...] = (),
           low: bool = False) -> dict[str, str]:
    """statement id → code: every lesson statement scores ``score`` (reverse wording applied).

    Lessons in ``dont_know`` are answered "weet niet"; lessons in ``split`` score 1 when
    ``low`` and 5 otherwise, so a group half of each is as divided as can be.
    """
    answers = {}
    for lesson in QUESTIONNAIRE.lessons:
        for s in lesson.statements:
            value = (1 if low else 5) if lesson.id in split else score
            answers[s.id] = ("weet_niet" if lesson.id in dont_know
                             else str(6 - value if s.reverse else value))
    return answers


def add_respondent(assessment_id: int, group: str | None, *, submit: bool = True,
                   texts: dict[str, str] | None = None) -> int:
    """A respondent through the service layer (inside an app context); their id.

    Without a group the respondent started (saved a page) but has no profile and no answers.
    """
    token = participation.start(assessment_id)
    respondent = participation.find_respondent(token)
    assert respondent is not None
    if group is None:
        participation.save_page(respondent.id, "urgentie", participation.PageAnswers())
    else:
        participation.save_page(respondent.id, "profiel", participation.PageAnswers(
            answers=scores(4), texts=texts or {},
            profile={"organisatietype": group, "rol": "ambtenaar"}))
        if submit:
            participation.submit(respondent.id)
    return respondent.id


@pytest.fixture
def owner(app, open_assessment):
    """A browser logged in as the owner of the open assessment."""
    browser = app.test_client()
    login(browser, OWNER_EMAIL, OWNER_PASSWORD)
    return browser


def _token(client, assessment_id: int) -> str:
    return csrf_token(client.get(f"/begeleider/scans/{assessment_id}/live"))


def _stored(app, assessment_id: int) -> Assessment:
    with app.app_context():
        return read_session().get(Assessment, assessment_id)


# -- the live dashboard ------------------------------------------------------------------


def test_live_response_rate_never_goes_over_everyone_invited(app, owner, open_assessment):
    """More sent in than the facilitator said were invited: no rate, never "120%"."""
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for _ in range(6):
            add_respondent(assessment_id, "gemeente")
        management.prepare(assessment_id, management.Preparation(
            "Regio Test", "Testscan", invited_count=5), None)
        management.set_status(assessment_id, Status.CLOSED)
    data = owner.get(f"/begeleider/scans/{assessment_id}/live.json").get_json()
    assert (data["submitted"], data["invited"]) == (6, 5)
    assert data["response_rate"] == "meer dan uitgenodigd"
    page = owner.get(f"/begeleider/scans/{assessment_id}/live").get_data(as_text=True)
    assert 'data-live="response_rate">meer dan uitgenodigd<' in page and "None" not in page


def test_live_json_counts_and_hides_a_small_group_with_its_complement(app, owner,
                                                                      open_assessment):
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for group, size in (("gemeente", 6), ("waterschap", 5), ("provincie", 1)):
            for _ in range(size):
                add_respondent(assessment_id, group)
        add_respondent(assessment_id, None)  # started, no type chosen yet
        management.prepare(assessment_id, management.Preparation(
            "Regio Test", "Testscan", invited_count=24), None)
        # Closed, so all twelve count (open, the latest three would wait: anonymity.py).
        management.set_status(assessment_id, Status.CLOSED)

    response = owner.get(f"/begeleider/scans/{assessment_id}/live.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert (data["started"], data["submitted"], data["invited"]) == (13, 12, 24)
    assert data["response_rate"] == "50%"
    assert data["type_not_chosen"] == 1
    groups = {group["id"]: group for group in data["groups"]}
    assert groups["gemeente"]["started"] == {"status": "shown", "n": 6, "text": "6"}
    assert groups["gemeente"]["submitted"] == {"status": "shown", "n": 6, "text": "6"}
    # The one provincie respondent is hidden, and so is waterschap: otherwise 13 − 6 − 5 − 1
    # would give provincie away.
    for group in ("provincie", "waterschap"):
        for column in ("started", "submitted"):
            assert groups[group][column] == {"status": "hidden", "n": None, "text": "verborgen"}
    assert groups["partner"]["started"] == {"status": "no_data", "n": None, "text": "geen"}
    assert data["results_shown"] is True
    assert [lesson["score"] for lesson in data["lessons"]] == ["4,0"] * 10

    html = owner.get(f"/begeleider/scans/{assessment_id}/live").get_data(as_text=True)
    assert re.search(r'data-live="group-gemeente-started">6<', html)
    assert re.search(r'data-live="group-provincie-started">verborgen<', html)
    assert re.search(r'data-live="group-waterschap-submitted">verborgen<', html)
    assert re.search(r'data-live="group-partner-started">geen<', html)
    assert re.search(r'data-live="response_rate">50%<', html)


@pytest.mark.parametrize(("submitted", "started", "shown"), [
    pytest.param(2, 3, False, id="two submitted, three started"),
    # While answering is open the latest three wait: results count 3 of 6.
    pytest.param(3, 0, False, id="three submitted, all three waiting"),
    pytest.param(6, 0, True, id="six submitted, three counted"),
])
def test_no_lesson_results_under_three_submitted(app, owner, open_assessment, submitted,
                                                 started, shown):
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        for i in range(submitted + started):
            add_respondent(assessment_id, "gemeente", submit=i < submitted)

    data = owner.get(f"/begeleider/scans/{assessment_id}/live.json").get_json()
    assert (data["started"], data["submitted"]) == (submitted + started, submitted)
    assert data["results_shown"] is shown
    assert len(data["lessons"]) == (10 if shown else 0)
    gemeente = next(g for g in data["groups"] if g["id"] == "gemeente")
    assert gemeente["submitted"]["text"] == ("verborgen" if shown else "–")

    response = owner.get(f"/begeleider/scans/{assessment_id}/live")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ("4,0" in html) is shown
    notice = re.search(r'<p data-live-show="no-results"( hidden)?>', html)
    assert notice and (notice.group(1) is not None) is shown


def test_live_page_works_without_javascript(facilitator_client):
    html = facilitator_client.get("/begeleider/scans/1/live").get_data(as_text=True)
    assert '<a href="/begeleider/scans/1/live">Vernieuwen</a>' in html
    assert 'aria-live="polite"' in html
    assert 'data-live-url="/begeleider/scans/1/live.json"' in html
    assert re.search(r'<script src="/static/live.js[^"]*" defer>', html)
    assert "<script>" not in html and 'style="' not in html
    detail = facilitator_client.get("/begeleider/scans/1").get_data(as_text=True)
    for url in ("/live", "/projector", "/agenda"):
        assert f'href="/begeleider/scans/1{url}"' in detail


# -- pausing, resuming, closing ----------------------------------------------------------


def test_pause_refuses_answers_and_resume_reopens(app, owner, open_assessment, participant):
    assessment_id, code = int(open_assessment["id"]), str(open_assessment["code"])
    participant_token = csrf_token(participant.client.get(participant.url("profiel")))
    profile = {"p_organisatietype": "gemeente", "p_rol": "ambtenaar"}

    response = owner.post(f"/begeleider/scans/{assessment_id}/live/antwoorden",
                          data={"csrf_token": _token(owner, assessment_id), "actie": "pauzeren"})
    assert response.status_code == 302
    assert response.location == f"/begeleider/scans/{assessment_id}/live"
    assert _stored(app, assessment_id).status == "paused"
    assert "De scan is gepauzeerd" in owner.get(response.location).get_data(as_text=True)

    welcome = participant.client.get(f"/d/{code}")
    assert welcome.status_code == 200
    assert "gepauzeerd" in welcome.get_data(as_text=True)
    assert "start_key" not in welcome.get_data(as_text=True)
    # The page comes back as sent, saying truthfully that nothing was stored yet.
    refused = participant.post_page("profiel", profile, token=participant_token)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Uw antwoorden op deze pagina zijn nog niet bewaard" in html
    assert 'checked class="radio" id="p_organisatietype-' in html
    assert "zijn bewaard" not in html.replace("nog niet bewaard", "")
    with app.app_context():
        respondent = read_session().scalar(select(Respondent).where(
            Respondent.assessment_id == assessment_id))
        assert respondent.profile == {}

    response = owner.post(f"/begeleider/scans/{assessment_id}/live/antwoorden",
                          data={"csrf_token": _token(owner, assessment_id), "actie": "hervatten"})
    assert response.status_code == 302
    assert _stored(app, assessment_id).status == "open"
    assert "gepauzeerd" not in participant.client.get(f"/d/{code}").get_data(as_text=True)
    accepted = participant.post_page("profiel", profile)
    assert accepted.status_code == 302 and "/samenvatting" not in accepted.location
    with app.app_context():
        respondent = read_session().scalar(select(Respondent).where(
            Respondent.assessment_id == assessment_id))
        assert respondent.profile["organisatietype"] == "gemeente"
        actions = [e.action for e in read_session().scalars(
            select(AuditEvent).where(AuditEvent.assessment_id == assessment_id)
            .order_by(AuditEvent.id))]
    assert actions[-2:] == ["paused", "resumed"]


def test_close_from_the_dashboard_and_refused_moves(app, owner, open_assessment):
    assessment_id, code = int(open_assessment["id"]), str(open_assessment["code"])
    url = f"/begeleider/scans/{assessment_id}/live/antwoorden"
    # Resuming what is not paused changes nothing.
    response = owner.post(url, data={"csrf_token": _token(owner, assessment_id),
                                     "actie": "hervatten"}, follow_redirects=True)
    assert "Dat kan nu niet: de scan is open." in response.get_data(as_text=True)
    assert _stored(app, assessment_id).status == "open"

    owner.post(url, data={"csrf_token": _token(owner, assessment_id), "actie": "sluiten"})
    closed = _stored(app, assessment_id)
    assert closed.status == "closed" and closed.closed_at is not None
    assert "gesloten" in owner.get(f"/d/{code}").get_data(as_text=True)
    response = owner.post(url, data={"csrf_token": _token(owner, assessment_id),
                                     "actie": "pauzeren"})
    assert response.status_code == 302
    assert _stored(app, assessment_id).status == "closed"
    response = owner.post(url, data={"csrf_token": _token(owner, assessment_id),
                                     "actie": "opnieuw"})
    assert response.status_code == 400


# -- the projector: tests/assessment/facilitator/test_projector.py ----------------------


# -- the agenda --------------------------------------------------------------------------


def test_agenda_ranks_disagreement_then_information_gaps_then_attention():
    responses = [
        Response(i, "gemeente", {**scores(4, dont_know=("visie",), split=("urgentie",),
                                          low=i % 2 == 0),
                                 **{s.id: str(6 - 2 if s.reverse else 2)
                                    for s in QUESTIONNAIRE.lesson("focus").statements}})
        for i in range(6)
    ]
    summary = summarise(QUESTIONNAIRE, responses)
    items = session.discussion_agenda(QUESTIONNAIRE, summary)
    assert [(item.lesson.id, item.reasons) for item in items] == [
        ("urgentie", (session.AgendaReason.DIVIDED, session.AgendaReason.ATTENTION)),
        ("visie", (session.AgendaReason.INFORMATION_GAP,)),
        ("focus", (session.AgendaReason.ATTENTION,)),
    ]
    assert items[0].number == 1 and items[2].band_label == "Zorg"
    assert session.discussion_agenda(QUESTIONNAIRE, summarise(QUESTIONNAIRE, responses[:2])) == ()


def test_agenda_page_says_why(facilitator_client):
    response = facilitator_client.get("/begeleider/scans/1/agenda")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    divided = html.index("Regionaal leiderschap")
    gap = html.index("Legitimiteit en organisatie")
    attention = html.index("Investeren in samenwerking")
    assert divided < gap < attention
    assert "de meningen lopen uiteen" in html
    assert "is ‘weet ik niet’" in html
    assert "de score valt in de band ‘Zorg’" in html
    assert "<h2>" in html and "Urgentie" not in html  # a strength, agreed, is no agenda item


def test_agenda_waits_for_three_submitted(owner, open_assessment):
    html = owner.get(f"/begeleider/scans/{open_assessment['id']}/agenda").get_data(as_text=True)
    assert "zodra minstens 3 deelnemers" in html


# -- access and CSRF ---------------------------------------------------------------------

PAGES = ("live", "live.json", "projector", "agenda")
POSTS = (("live/antwoorden", {"actie": "pauzeren"}), ("projector/stap", {"stap": "volgende"}))


def test_another_facilitator_gets_404_everywhere(app, client, demo):
    with app.app_context():
        management.create_facilitator("ander@example.nl", "ander-wachtwoord-123")
    login(client, "ander@example.nl", "ander-wachtwoord-123")
    for page in PAGES:
        assert client.get(f"/begeleider/scans/1/{page}").status_code == 404, page
    token = csrf_token(client.get("/begeleider/scans/nieuw"))
    for path, data in POSTS:
        response = client.post(f"/begeleider/scans/1/{path}", data={"csrf_token": token, **data})
        assert response.status_code == 404, path
    stored = _stored(app, 1)
    assert (stored.status, stored.reveal_step) == ("closed", 0)


def test_pages_need_login(client, demo):
    for page in PAGES:
        response = client.get(f"/begeleider/scans/1/{page}")
        assert response.status_code == 302 and "/begeleider/inloggen" in response.location


def test_posts_without_csrf_token_get_400(app, facilitator_client):
    for path, data in POSTS:
        response = facilitator_client.post(f"/begeleider/scans/1/{path}", data=data)
        assert response.status_code == 400, path
    stored = _stored(app, 1)
    assert (stored.status, stored.reveal_step) == ("closed", 0)
