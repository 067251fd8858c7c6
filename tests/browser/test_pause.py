"""A pause in the room while a participant is on a page: nothing typed is lost or misreported."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from assessment.models import Status
from assessment.question_types import STATEMENT
from tests.browser.audit import Findings
from tests.browser.conftest import Demo, LiveServer, new_assessment
from tests.browser.steps import (
    PAGE_URL,
    choose_all,
    expect_checked,
    expect_page,
    join,
    next_page,
    page_id,
    start_questions,
)

pytestmark = pytest.mark.browser

PAUSED_NOTICE = ("Het invullen is even gepauzeerd. Uw antwoorden op deze pagina zijn nog niet "
                 "bewaard; ze staan hieronder klaar.")


def _set_status(live_server: LiveServer, assessment_id: int, status: Status) -> None:
    from assessment import management

    with live_server.app.app_context():
        management.set_status(assessment_id, status)


def _stored(live_server: LiveServer, page: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The answers and free texts the database holds for the respondent on ``page``."""
    from sqlalchemy import select

    from assessment import participation
    from assessment.db import read_session
    from assessment.models import Answer, Comment

    match = PAGE_URL.search(page.url)
    assert match
    with live_server.app.app_context():
        respondent = participation.find_respondent(match["token"])
        assert respondent is not None
        session = read_session()
        answers = session.execute(select(Answer.statement_id, Answer.value)
                                  .where(Answer.respondent_id == respondent.id))
        texts = session.execute(select(Comment.topic_id, Comment.text)
                                .where(Comment.respondent_id == respondent.id))
        return ({statement: value for statement, value in answers},
                {topic: text for topic, text in texts})


def test_answers_sent_during_a_pause_stay_on_the_page_and_are_stored_after_it(
    desktop: Any, live_server: LiveServer, demo_ids: Demo
) -> None:
    """Volgende while paused: the page comes back filled in, saying truthfully nothing is stored."""
    assessment_id, code = new_assessment(live_server, demo_ids.facilitator_id, "Pauze-test")
    _set_status(live_server, assessment_id, Status.OPEN)
    page = desktop
    join(page, code)
    start_questions(page)
    choose_all(page, option=0)
    while not page.locator("fieldset.question.scale").count() or page.locator(
            "textarea").count() != 1:
        next_page(page)  # on to the first lesson: statements and one explanation
    lesson = page_id(page)
    chosen = choose_all(page, option=1)
    page.locator("textarea").fill("Wij delen te weinig informatie tussen de gemeenten.")

    _set_status(live_server, assessment_id, Status.PAUSED)
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("alert")).to_contain_text(PAUSED_NOTICE)
    expect(page.get_by_role("alert")).to_contain_text("Druk op Volgende")
    expect_page(page, lesson)
    expect_checked(page, chosen)
    expect(page.locator("textarea")).to_have_value(
        "Wij delen te weinig informatie tussen de gemeenten.")
    expect(page.get_by_text("Niet beantwoord")).to_have_count(0)
    expect(page.get_by_text("zijn bewaard")).to_have_count(0)
    answers, texts = _stored(live_server, page)
    assert not any(STATEMENT.prefix + statement in chosen for statement in answers)
    findings = Findings()
    findings.check(page, "a page sent during a pause")
    findings.assert_clean()

    _set_status(live_server, assessment_id, Status.OPEN)
    assert next_page(page) != lesson
    answers, texts = _stored(live_server, page)
    assert {STATEMENT.prefix + statement: value for statement, value in answers.items()
            if STATEMENT.prefix + statement in chosen} == chosen
    assert list(texts.values()) == ["Wij delen te weinig informatie tussen de gemeenten."]

    page.get_by_role("button", name="Vorige").click()
    expect(page).to_have_url(re.compile(rf"/{lesson}$"))
    expect_checked(page, chosen)
    expect(page.locator("textarea")).to_have_value(
        "Wij delen te weinig informatie tussen de gemeenten.")
