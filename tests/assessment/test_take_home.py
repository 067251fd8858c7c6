"""What a participant takes home: own lesson scores beside the group's, on the personal link."""

from __future__ import annotations

import re

import pytest

from assessment import management, participation, session
from assessment.models import Status
from assessment.take_home import Reading, reading
from questions.loader import CONTENT_DIR, load_questionnaire

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
FIRST, SECOND, THIRD = QUESTIONNAIRE.lessons[:3]


def scored_as(lesson, score: int) -> dict[str, str]:
    """Answers that score ``score`` on every statement: reverse-worded ones answered 6 − score."""
    return {s.id: str(6 - score if s.reverse else score) for s in lesson.statements}


def submitted(app, assessment_id: int, answers: dict[str, str]) -> str:
    """A respondent who answered ``answers`` and sent them in; their token."""
    with app.app_context():
        token = participation.start(assessment_id)
        respondent = participation.find_respondent(token)
        participation.save_page(respondent.id, "overzicht",
                                participation.PageAnswers(answers=answers))
        participation.submit(respondent.id)
    return token


def lessons_shown(html: str) -> dict[str, str]:
    """Lesson title → the text of its take-home item, tags removed and spaces folded."""
    section = html.split('class="take-home"', 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<h3>(.*?)</h3>(.*?)</li>", section, re.DOTALL)
    return {title: " ".join(re.sub(r"<[^>]+>", " ", body).split()) for title, body in items}


@pytest.fixture
def group(app, open_assessment):
    """Three others who score 3 on the first three lessons, and me: 5, only "weet niet", 1.

    My answers to the reverse-worded statements are 1 and 5: counted as written they would
    not give 5 and 1.
    """
    assessment_id = int(open_assessment["id"])
    for _ in range(3):
        submitted(app, assessment_id,
                  {**scored_as(FIRST, 3), **scored_as(SECOND, 3), **scored_as(THIRD, 3)})
    mine = {**scored_as(FIRST, 5), **{s.id: "weet_niet" for s in SECOND.statements},
            **scored_as(THIRD, 1)}
    return {"id": assessment_id, "token": submitted(app, assessment_id, mine)}


def reveal(app, assessment_id: int) -> None:
    with app.app_context():
        session.move_projector(assessment_id, session.RevealMove.NEXT, slides=2)


@pytest.mark.parametrize(("own", "group_mean", "expected"), [
    (3.5, 3.0, Reading.MORE_POSITIVE),
    (3.4, 3.0, Reading.ABOUT_THE_SAME),
    (2.6, 3.0, Reading.ABOUT_THE_SAME),
    (2.5, 3.0, Reading.LESS_POSITIVE),
    # Compared as shown (one decimal): 3.46 shows as 3.5, 3.44 as 3.4, beside 3.0.
    (3.46, 3.0, Reading.MORE_POSITIVE),
    (3.44, 3.0, Reading.ABOUT_THE_SAME),
    (None, 3.0, Reading.NO_OWN_SCORE),
    (None, None, Reading.NO_OWN_SCORE),
    (4.0, None, Reading.NO_GROUP_SCORE),
])
def test_the_reading_is_a_difference_of_half_a_point_on_the_shown_scores(own, group_mean,
                                                                          expected):
    assert reading(own, group_mean) is expected


def test_after_the_reveal_own_scores_stand_beside_the_groups_with_a_reading(app, client, group):
    reveal(app, group["id"])
    with app.app_context():
        # Closed, so all four count (open, the latest three wait: anonymity.py).
        management.set_status(group["id"], Status.CLOSED)
    response = client.get(f"/r/{group['token']}/samenvatting")
    assert response.status_code == 200
    shown = lessons_shown(response.get_data(as_text=True))
    # The group counts me too: (3 + 3 + 3 + 5) / 4 and (3 + 3 + 3 + 1) / 4.
    assert shown[FIRST.title] == ("Uw score: 5,0 De groep: 3,5 "
                                  "U ziet dit positiever dan de groep.")
    assert shown[SECOND.title] == ("Uw score: – De groep: 3,0 "
                                   "U gaf hier geen antwoord dat meetelt.")
    assert shown[THIRD.title] == ("Uw score: 1,0 De groep: 2,5 "
                                  "U ziet dit minder positief dan de groep.")
    # A lesson nobody answered: no group figure, and no own score either.
    fourth = QUESTIONNAIRE.lessons[3].title
    assert shown[fourth].endswith("U gaf hier geen antwoord dat meetelt.")


def test_same_view_as_the_group_reads_about_the_same(app, client, open_assessment):
    assessment_id = int(open_assessment["id"])
    for score in (2, 3, 4):
        submitted(app, assessment_id, scored_as(FIRST, score))
    mine = submitted(app, assessment_id, scored_as(FIRST, 3))
    reveal(app, assessment_id)
    with app.app_context():
        management.set_status(assessment_id, Status.CLOSED)  # all four count
    shown = lessons_shown(client.get(f"/r/{mine}/samenvatting").get_data(as_text=True))
    assert shown[FIRST.title] == ("Uw score: 3,0 De groep: 3,0 "
                                  "U ziet dit ongeveer zoals de groep.")


def test_before_the_reveal_the_page_says_results_follow(app, client, group):
    response = client.get(f"/r/{group['token']}/samenvatting")
    html = response.get_data(as_text=True)
    assert "Na de sessie ziet u hier uw eigen score per les" in html
    assert 'class="take-home"' not in html
    assert "Uw score" not in html


def test_closing_the_scan_shows_the_results_without_a_reveal(app, client, group):
    with app.app_context():
        management.set_status(group["id"], Status.CLOSED)
    html = client.get(f"/r/{group['token']}/samenvatting").get_data(as_text=True)
    assert lessons_shown(html)[FIRST.title].startswith("Uw score: 5,0 De groep: 3,5")


def test_below_three_respondents_the_group_stays_hidden(app, client, open_assessment):
    assessment_id = int(open_assessment["id"])
    submitted(app, assessment_id, scored_as(FIRST, 3))
    mine = submitted(app, assessment_id, scored_as(FIRST, 5))
    reveal(app, assessment_id)
    html = client.get(f"/r/{mine}/samenvatting").get_data(as_text=True)
    shown = lessons_shown(html)
    assert shown[FIRST.title] == (
        "Uw score: 5,0 De groep: – "
        "Te weinig mensen gaven hier een antwoord om de groep te laten zien.")
    assert "3,0" not in html


def test_the_take_home_page_is_never_cached(app, client, group):
    reveal(app, group["id"])
    response = client.get(f"/r/{group['token']}/samenvatting")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_facilitator_pages_never_link_to_a_personal_link(app, facilitator_client):
    from assessment.db import read_session
    from assessment.models import Assessment

    with app.app_context():
        assessment_id = read_session().query(Assessment.id).first()[0]
    for path in (f"/begeleider/scans/{assessment_id}", f"/begeleider/scans/{assessment_id}/live"):
        html = facilitator_client.get(path).get_data(as_text=True)
        assert "/samenvatting" not in html
        assert not re.search(r'href="[^"]*/r/[^"/]+', html)
