"""The paper fallback: the blank questionnaire as PDF, and typing in filled-in forms."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import func, select

from assessment import content, management, paper, questionnaire_files
from assessment.db import read_session
from assessment.facilitator.paper_routes import blank_html
from assessment.models import (
    Answer,
    Assessment,
    AuditEvent,
    Comment,
    Respondent,
    Source,
    Status,
)
from assessment.results import assessment_summary
from tests.helpers import DEMO_JOIN_CODE, csrf_token, login, pdf_text

OWNER = ("begeleider@example.nl", "lang-genoeg-wachtwoord")
_ENTRY_KEY = re.compile(r'name="entry_key" type="hidden" value="([^"]+)"')

#: One filled-in paper form: urgentie scores 4 on every statement (urgentie-3 is reversed).
FORM = {
    "p_organisatietype": "gemeente", "p_rol": "ambtenaar",
    "a_urgentie-1": "4", "a_urgentie-2": "4", "a_urgentie-3": "2", "a_urgentie-4": "4",
    "a_visie-1": "weet_niet", "a_brede-welvaart-1": "nvt",
    "t_urgentie": "Op papier: we voelen samen de urgentie.",
    "t_sterkste-punt": "De korte lijnen.",
}


def _words(text: str) -> str:
    return " ".join(text.split())


def _url(assessment_id: object, tail: str = "papier/invoeren") -> str:
    return f"/begeleider/scans/{assessment_id}/{tail}"


def _form_page(client: FlaskClient, assessment_id: object) -> tuple[str, str]:
    """Open the entry form; its CSRF token and one-time entry key."""
    page = client.get(_url(assessment_id))
    assert page.status_code == 200
    key = _ENTRY_KEY.search(page.get_data(as_text=True))
    assert key, "the entry form has no entry key"
    return csrf_token(page), key.group(1)


def _enter(client: FlaskClient, assessment_id: object, data: dict[str, str]) -> Any:
    token, key = _form_page(client, assessment_id)
    return client.post(_url(assessment_id),
                       data={"csrf_token": token, "entry_key": key, **data})


def _paper_respondents(app: Flask, assessment_id: object) -> list[Respondent]:
    with app.app_context():
        return list(read_session().scalars(select(Respondent).where(
            Respondent.assessment_id == assessment_id,
            Respondent.source == Source.PAPER.value)))


def _respondent_count(app: Flask, assessment_id: object) -> int:
    with app.app_context():
        return read_session().scalar(select(func.count()).select_from(Respondent).where(
            Respondent.assessment_id == assessment_id)) or 0


@pytest.fixture
def owner(app: Flask, open_assessment: dict[str, object]) -> FlaskClient:
    """The owner of the open assessment, logged in."""
    browser = app.test_client()
    response = login(browser, *OWNER)
    assert response.status_code == 302
    return browser


# -- the blank questionnaire -------------------------------------------------------------


@pytest.mark.report_pdf
def test_blank_questionnaire_is_a_pdf_with_every_statement(
        app: Flask, facilitator_client: FlaskClient) -> None:
    response = facilitator_client.get(_url(1, "papier.pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"papieren-vragenlijst-{DEMO_JOIN_CODE}.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = _words(pdf_text(response.data))
    with app.app_context():
        questionnaire = content.for_assessment(read_session().get(Assessment, 1))
    for statement in questionnaire.statements():
        assert _words(statement.text) in text, statement.id
    for question in (*questionnaire.profile, *questionnaire.open_questions):
        assert _words(getattr(question, "label", None) or question.text) in text
    assert DEMO_JOIN_CODE in text
    assert f"http://regiospiegel.test/d/{DEMO_JOIN_CODE}" in text
    assert "Zo vult u de vragenlijst in" in text
    assert "Weet ik niet" in text
    assert f"Pagina 1 van {len(reader.pages)}" in text
    assert len(reader.pages) > 1
    fonts = {str(font.get_object().get("/BaseFont")).split("+")[-1] for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and all(name.startswith("Open-Sans") for name in fonts), fonts


@pytest.mark.report_pdf
def test_blank_questionnaire_is_rendered_once_then_cached(
        app: Flask, facilitator_client: FlaskClient) -> None:
    first = facilitator_client.get(_url(1, "papier.pdf"))
    second = facilitator_client.get(_url(1, "papier.pdf"))
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert app.extensions["regiospiegel.reports"].renders == 1


# -- entering a filled-in form -----------------------------------------------------------


def test_entered_form_is_one_submitted_paper_respondent(
        app: Flask, owner: FlaskClient, open_assessment: dict[str, object]) -> None:
    assessment_id = open_assessment["id"]
    # "Niet ingevuld" undoes a mis-click: the statement stays unanswered.
    response = _enter(owner, assessment_id, {**FORM, "a_visie-2": ""})
    assert response.status_code == 302
    assert response.location.endswith(_url(assessment_id))
    after = owner.get(response.location)
    assert "Papieren vragenlijst 1 opgeslagen." in after.get_data(as_text=True)
    assert "Tot nu toe is 1 papieren vragenlijst ingevoerd." in after.get_data(as_text=True)

    [respondent] = _paper_respondents(app, assessment_id)
    assert respondent.submitted_at is not None
    assert respondent.profile == {"organisatietype": "gemeente", "rol": "ambtenaar"}
    with app.app_context():
        session = read_session()
        answers = dict(session.execute(select(Answer.statement_id, Answer.value).where(
            Answer.respondent_id == respondent.id)).all())
        comments = dict(session.execute(select(Comment.topic_id, Comment.moderation).where(
            Comment.respondent_id == respondent.id)).all())
        events = list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.assessment_id == assessment_id)))
    assert answers == {key[2:]: value for key, value in FORM.items() if key.startswith("a_")}
    assert comments == {"urgentie": "pending", "sterkste-punt": "pending"}
    assert "paper_entered" in events


def test_paper_forms_count_in_the_summary(
        app: Flask, owner: FlaskClient, open_assessment: dict[str, object]) -> None:
    assessment_id = open_assessment["id"]
    for number in (1, 2, 3):
        response = _enter(owner, assessment_id, FORM)
        assert response.status_code == 302
        assert f"Papieren vragenlijst {number} opgeslagen." in owner.get(
            response.location).get_data(as_text=True)
    with app.app_context():
        summary = assessment_summary(read_session().get(Assessment, assessment_id))
        # Open: the three wait until three more arrive or answering closes (anonymity.py).
        assert summary.respondents == 0
        management.set_status(assessment_id, Status.CLOSED)
        summary = assessment_summary(read_session().get(Assessment, assessment_id))
    assert summary.respondents == 3
    assert summary.shown
    urgentie = summary.lesson("urgentie")
    assert urgentie.n == 3
    assert urgentie.mean == pytest.approx(4.0)


def test_a_double_submit_stores_one_respondent(
        app: Flask, owner: FlaskClient, open_assessment: dict[str, object]) -> None:
    assessment_id = open_assessment["id"]
    token, key = _form_page(owner, assessment_id)
    data = {"csrf_token": token, "entry_key": key, **FORM}
    first = owner.post(_url(assessment_id), data=data)
    second = owner.post(_url(assessment_id), data=data)
    assert first.status_code == second.status_code == 302
    assert "Papieren vragenlijst 1 was al opgeslagen." in owner.get(
        second.location).get_data(as_text=True)
    assert len(_paper_respondents(app, assessment_id)) == 1


def test_each_new_form_has_a_new_entry_key(owner: FlaskClient,
                                           open_assessment: dict[str, object]) -> None:
    _token, first = _form_page(owner, open_assessment["id"])
    _token, second = _form_page(owner, open_assessment["id"])
    assert first != second


def test_paper_and_online_keys_never_collide() -> None:
    key = "k" * 40
    assert paper.entry_token("secret", 1, key) == paper.entry_token("secret", 1, key)
    assert paper.entry_token("secret", 1, key) != paper.entry_token("secret", 2, key)
    assert paper.entry_token("secret", 1, key) != paper.entry_token("other", 1, key)


@pytest.mark.parametrize("change", [
    {"a_bestaat-niet": "3"},                # a statement the questionnaire does not have
    {"a_urgentie-1": "7"},                  # outside the scale
    {"a_urgentie-1": "0"},
    {"a_urgentie-1": "weet niet"},
    {"p_rol": "koning"},                    # not an option of the question
    {"p_bestaat-niet": "gemeente"},
    {"t_bestaat-niet": "tekst"},            # a text field the form does not have
    {"t_urgentie": "x" * 2001},             # longer than a comment may be
    {"entry_key": "te-kort"},
    {"entry_key": ""},
])
def test_tampered_input_is_refused_and_nothing_stored(
        app: Flask, owner: FlaskClient, open_assessment: dict[str, object],
        change: dict[str, str]) -> None:
    assessment_id = open_assessment["id"]
    token, key = _form_page(owner, assessment_id)
    response = owner.post(_url(assessment_id), data={
        "csrf_token": token, "entry_key": key, **FORM, **change})
    assert response.status_code == 400
    assert "Er is niets opgeslagen." in response.get_data(as_text=True)
    assert _respondent_count(app, assessment_id) == 0


def test_an_empty_form_is_refused(app: Flask, owner: FlaskClient,
                                  open_assessment: dict[str, object]) -> None:
    response = _enter(owner, open_assessment["id"], {"a_urgentie-1": "", "t_urgentie": "  "})
    assert response.status_code == 400
    assert "Er is niets ingevuld." in response.get_data(as_text=True)
    assert _respondent_count(app, open_assessment["id"]) == 0


def test_a_post_without_csrf_token_is_refused(app: Flask, owner: FlaskClient,
                                              open_assessment: dict[str, object]) -> None:
    _token, key = _form_page(owner, open_assessment["id"])
    response = owner.post(_url(open_assessment["id"]), data={"entry_key": key, **FORM})
    assert response.status_code == 400
    assert _respondent_count(app, open_assessment["id"]) == 0


@pytest.mark.parametrize("status", [Status.PAUSED, Status.CLOSED])
def test_forms_can_be_entered_when_paused_or_closed(
        app: Flask, owner: FlaskClient, open_assessment: dict[str, object],
        status: Status) -> None:
    with app.app_context():
        management.set_status(int(str(open_assessment["id"])), status)
    response = _enter(owner, open_assessment["id"], FORM)
    assert response.status_code == 302
    assert len(_paper_respondents(app, open_assessment["id"])) == 1


def test_no_forms_in_a_draft(app: Flask, owner: FlaskClient,
                             open_assessment: dict[str, object]) -> None:
    assessment_id = open_assessment["id"]
    token, key = _form_page(owner, assessment_id)
    with app.app_context():
        management.set_status(int(str(assessment_id)), Status.DRAFT)
    page = owner.get(_url(assessment_id))
    assert page.status_code == 200
    assert "Deze scan is nog niet geopend." in page.get_data(as_text=True)
    assert 'name="entry_key"' not in page.get_data(as_text=True)
    response = owner.post(_url(assessment_id),
                          data={"csrf_token": token, "entry_key": key, **FORM})
    assert response.status_code == 409
    assert _respondent_count(app, assessment_id) == 0
    # The blank questionnaire can be printed before the session.
    assert owner.get(_url(assessment_id, "papier.pdf")).status_code == 200


# -- access ------------------------------------------------------------------------------


def test_another_facilitator_gets_404(app: Flask, open_assessment: dict[str, object]) -> None:
    with app.app_context():
        management.create_facilitator("ander@example.nl", "ook-lang-genoeg-wachtwoord")
    other = app.test_client()
    login(other, "ander@example.nl", "ook-lang-genoeg-wachtwoord")
    assessment_id = open_assessment["id"]
    assert other.get(_url(assessment_id, "papier.pdf")).status_code == 404
    assert other.get(_url(assessment_id)).status_code == 404
    # Even with a valid token of its own session, the post is refused before anything happens.
    token = csrf_token(other.get("/begeleider/scans/nieuw"))
    response = other.post(_url(assessment_id), data={
        "csrf_token": token, "entry_key": "k" * 40, **FORM})
    assert response.status_code == 404
    assert _respondent_count(app, assessment_id) == 0


def test_logged_out_visitors_are_sent_to_log_in(client: FlaskClient,
                                                open_assessment: dict[str, object]) -> None:
    for tail in ("papier.pdf", "papier/invoeren"):
        response = client.get(_url(open_assessment["id"], tail))
        assert response.status_code == 302
        assert "/begeleider/inloggen" in response.location


def test_the_assessment_page_links_to_paper(facilitator_client: FlaskClient) -> None:
    page = facilitator_client.get("/begeleider/scans/1").get_data(as_text=True)
    assert 'href="/begeleider/scans/1/papier.pdf"' in page
    assert 'href="/begeleider/scans/1/papier/invoeren"' in page


def test_the_entry_form_asks_everything_in_fieldsets(
        app: Flask, owner: FlaskClient, open_assessment: dict[str, object]) -> None:
    html = owner.get(_url(open_assessment["id"])).get_data(as_text=True)
    with app.app_context():
        questionnaire = content.for_assessment(
            read_session().get(Assessment, open_assessment["id"]))
    assert '<fieldset class="question' in html
    for statement in questionnaire.statements():
        assert f'name="a_{statement.id}"' in html
    for lesson in questionnaire.lessons:
        assert f'name="t_{lesson.id}"' in html
    for question in questionnaire.open_questions:
        assert f'name="t_{question.id}"' in html
    assert html.count("<legend") == len(questionnaire.statements()) + len(questionnaire.profile)
    assert "ook nadat u hem hebt gesloten" in html


def test_the_printed_and_the_entry_form_number_statements_alike(
        app: Flask, owner: FlaskClient, open_assessment: dict[str, object]) -> None:
    entry = owner.get(_url(open_assessment["id"])).get_data(as_text=True)
    with app.test_request_context():
        assessment = read_session().get(Assessment, open_assessment["id"])
        printed = blank_html(assessment)
        questionnaire = content.for_assessment(assessment)
    expected = [(str(number), str(escape(statement.text))) for number, statement
                in enumerate(questionnaire.statements(), start=1)]
    assert re.findall(r'<span class="number">(\d+)\.</span> ([^<]+)</th>', printed) == expected
    assert re.findall(r'<span class="question-number">(\d+)\.</span> ([^<]+)</legend>',
                      entry) == expected
    # One tick-box table per lesson and context block (one scale), one comment box per lesson.
    assert printed.count('<table class="statements">') == (
        len(questionnaire.lessons) + len(questionnaire.context_blocks))
    assert printed.count('<div class="write">') == (
        len(questionnaire.lessons) + len(questionnaire.open_questions))


# -- the service -------------------------------------------------------------------------


def test_layout_numbers_statements_once_in_questionnaire_order(app: Flask) -> None:
    with app.app_context():
        questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
    layout = paper.paper_layout(questionnaire)
    numbered = [(item.number, item.statement.id)
                for section in layout.sections for item in section.items]
    assert numbered == [(number, statement.id) for number, statement
                        in enumerate(questionnaire.statements(), start=1)]
    assert [s.lesson_number for s in layout.lessons] == list(range(1, 11))
    assert all(s.lesson_number is None for s in layout.context)
    # One scale in this questionnaire, so one table (one header) per section.
    assert all(len(section.tables) == 1 for section in layout.sections)


@pytest.mark.parametrize("posted", [
    {"answers": {"urgentie-1": "9"}},
    {"answers": {"bestaat-niet": "3"}},
    {"profile": {"rol": "koning"}},
    {"texts": {"bestaat-niet": "tekst"}},
    {},
])
def test_record_refuses_what_the_questionnaire_lacks(
        app: Flask, open_assessment: dict[str, object], posted: dict[str, Any]) -> None:
    from assessment.exceptions import InvalidAnswers
    from assessment.participation import PageAnswers

    assessment_id = int(str(open_assessment["id"]))
    with app.test_request_context(), pytest.raises(InvalidAnswers):
        paper.record(assessment_id, "token-" + "x" * 40, PageAnswers(**posted), None)
    assert _respondent_count(app, assessment_id) == 0
