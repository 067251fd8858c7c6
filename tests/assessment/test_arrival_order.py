"""Two posts of one page close together: the one that arrived last wins, in either order.

Under load the later post can reach the database first (both wait for the respondent's
lock). The tests replay that order without timing: the later-arrived save runs first, then
the earlier one, and the later answers must remain. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from assessment import participation
from assessment.db import read_session
from assessment.models import Answer, Comment, Respondent, utcnow
from assessment.participation import PageAnswers
from tests.helpers import Participant, csrf_token

EARLIER = PageAnswers(answers={"urgentie-1": "1", "urgentie-2": "2"},
                      texts={"urgentie": "Eerder verstuurd"},
                      profile={"organisatietype": "provincie", "rol": "ambtenaar"})
LATER = PageAnswers(answers={"urgentie-1": "5"}, texts={"urgentie": "Later verstuurd"},
                    profile={"organisatietype": "gemeente"})


def _respondent_id(app, person: Participant) -> int:
    with app.app_context():
        respondent = participation.find_respondent(person.token)
        assert respondent is not None
        return respondent.id


def _stored(app, respondent_id: int) -> tuple[dict[str, str], dict[str, str], Respondent]:
    with app.app_context():
        session = read_session()
        answers = dict(session.execute(select(Answer.statement_id, Answer.value)
                                       .where(Answer.respondent_id == respondent_id)).all())
        texts = dict(session.execute(select(Comment.topic_id, Comment.text)
                                     .where(Comment.respondent_id == respondent_id)).all())
        return answers, texts, session.get(Respondent, respondent_id)


def _save(app, respondent_id: int, page_id: str, posted: PageAnswers, arrived) -> None:
    with app.app_context():
        participation.save_page(respondent_id, page_id, posted, arrived=arrived)


def test_the_later_arrived_post_wins_when_it_is_stored_first(app, participant):
    respondent_id = _respondent_id(app, participant)
    earlier = utcnow()
    later = earlier + timedelta(milliseconds=3)

    _save(app, respondent_id, "urgentie", LATER, later)
    _save(app, respondent_id, "profiel", EARLIER, earlier)

    answers, texts, respondent = _stored(app, respondent_id)
    # What the later post said stays; what only the earlier one said is kept as well.
    assert answers == {"urgentie-1": "5", "urgentie-2": "2"}
    assert texts == {"urgentie": "Later verstuurd"}
    assert respondent.profile == {"organisatietype": "gemeente", "rol": "ambtenaar"}
    assert respondent.last_page == "urgentie"


def test_in_arrival_order_the_later_post_wins_as_well(app, participant):
    respondent_id = _respondent_id(app, participant)
    earlier = utcnow()

    _save(app, respondent_id, "profiel", EARLIER, earlier)
    _save(app, respondent_id, "urgentie", LATER, earlier + timedelta(milliseconds=3))

    answers, texts, respondent = _stored(app, respondent_id)
    assert answers == {"urgentie-1": "5", "urgentie-2": "2"}
    assert texts == {"urgentie": "Later verstuurd"}
    assert respondent.profile == {"organisatietype": "gemeente", "rol": "ambtenaar"}
    assert respondent.last_page == "urgentie"


def test_an_earlier_emptied_text_does_not_delete_a_later_one(app, participant):
    respondent_id = _respondent_id(app, participant)
    earlier = utcnow()

    _save(app, respondent_id, "urgentie", PageAnswers(texts={"urgentie": "Blijft staan"}),
          earlier + timedelta(milliseconds=1))
    _save(app, respondent_id, "urgentie", PageAnswers(texts={"urgentie": ""}), earlier)

    assert _stored(app, respondent_id)[1] == {"urgentie": "Blijft staan"}


def test_a_post_through_the_app_is_ordered_by_its_arrival(app, participant):
    # A save stamped as arriving later than this request (as if it were posted after it but
    # stored first) keeps its answer; the request's other answer is stored.
    respondent_id = _respondent_id(app, participant)
    _save(app, respondent_id, "urgentie", PageAnswers(answers={"urgentie-1": "5"}),
          utcnow() + timedelta(seconds=1))
    page = participant.client.get(participant.url("urgentie"))
    response = participant.client.post(participant.url("urgentie"), data={
        "csrf_token": csrf_token(page), "action": "volgende", "a_urgentie-1": "1",
        "a_urgentie-2": "3"})
    assert response.status_code == 302
    assert _stored(app, respondent_id)[0] == {"urgentie-1": "5", "urgentie-2": "3"}
