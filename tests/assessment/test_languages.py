"""Two languages: the participant's choice, the assessment's language, the header switch."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment import content, db, management, questionnaire_files
from assessment.exceptions import TamperedBackup
from assessment.models import Answer, Assessment, Respondent, Status
from tests.helpers import DEMO_JOIN_CODE, Participant, csrf_token


@pytest.fixture
def bilingual(app: Flask) -> dict[str, object]:
    """An open Dutch assessment that also offers its questionnaire in English."""
    with app.app_context():
        owner = management.create_facilitator("twee@example.nl", "lang-genoeg-wachtwoord")
        dutch = questionnaire_files.available()[("tien-lessen", "nl")]
        assessment_id = management.create_assessment(
            owner, "Regio Twee", "Tweetalige scan", dutch,
            translations=questionnaire_files.translations_of(dutch))
        management.set_status(assessment_id, Status.OPEN)
        code = db.read_session().get(Assessment, assessment_id).join_code
    return {"id": assessment_id, "code": code}


def _first_lesson(app: Flask) -> tuple[str, str, str]:
    """The first lesson's id, and its first statement's Dutch and English text."""
    with app.app_context():
        dutch = questionnaire_files.available()[("tien-lessen", "nl")].lessons[0]
        english = questionnaire_files.available()[("tien-lessen", "en")].lessons[0]
    return dutch.id, dutch.statements[0].text, english.statements[0].text


def _switch(client: FlaskClient, language: str, next_path: str) -> None:
    page = client.get(next_path)
    response = client.post("/taal", data={"csrf_token": csrf_token(page),
                                          "language": language, "next": next_path})
    assert response.status_code == 302
    assert response.location == next_path


def test_an_assessment_offers_its_own_language_first_then_its_translations(app, bilingual):
    with app.app_context():
        assessment = db.read_session().get(Assessment, bilingual["id"])
        assert assessment.languages == ("nl", "en")
        english = content.in_language(assessment, "en")
        assert english.language == "en"
        assert content.in_language(assessment, "fr").language == "nl"
        assert content.participant_language(assessment, "fr") == "nl"


def test_the_welcome_page_is_dutch_until_the_participant_switches(app, client, bilingual):
    welcome = client.get(f"/d/{bilingual['code']}")
    html = welcome.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert 'lang="en">English</button>' in html

    _switch(client, "en", f"/d/{bilingual['code']}")
    html = client.get(f"/d/{bilingual['code']}").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert 'lang="nl">Nederlands</button>' in html


def test_a_participant_who_starts_in_english_answers_the_english_questionnaire(
        app, client, bilingual):
    lesson_id, dutch_text, english_text = _first_lesson(app)
    _switch(client, "en", f"/d/{bilingual['code']}")
    participant = Participant(client)
    participant.join(str(bilingual["code"]))
    page = client.get(participant.url(lesson_id)).get_data(as_text=True)
    assert english_text in page
    assert dutch_text not in page
    with app.app_context():
        respondent = db.read_session().scalar(select(Respondent))
        assert respondent.language == "en"


def test_the_personal_link_opens_in_the_chosen_language_in_a_fresh_browser(
        app, client, bilingual):
    lesson_id, _dutch, english_text = _first_lesson(app)
    _switch(client, "en", f"/d/{bilingual['code']}")
    participant = Participant(client)
    participant.join(str(bilingual["code"]))

    fresh = app.test_client()
    resumed = fresh.get(f"/r/{participant.token}", follow_redirects=True)
    assert '<html lang="en">' in resumed.get_data(as_text=True)
    assert english_text in fresh.get(participant.url(lesson_id)).get_data(as_text=True)


def test_switching_language_on_a_question_page_keeps_the_answers_given(app, client, bilingual):
    lesson_id, _dutch, english_text = _first_lesson(app)
    participant = Participant(client)
    participant.join(str(bilingual["code"]))
    with app.app_context():
        dutch = questionnaire_files.available()[("tien-lessen", "nl")]
        statement_id = dutch.lessons[0].statements[0].id
    field = f"a_{statement_id}"
    page = client.get(participant.url(lesson_id)).get_data(as_text=True)
    assert 'value="taal:en"' in page
    # Half a page answered: the other statements are still empty, which is fine here.
    response = participant.post_page(lesson_id, {field: "4"}, action="taal:en")
    assert response.status_code == 302
    assert response.location == participant.url(lesson_id)

    again = client.get(participant.url(lesson_id)).get_data(as_text=True)
    assert english_text in again
    checked = [tag for tag in re.findall(r"<input[^>]*>", again)
               if f'name="{field}"' in tag and " checked" in tag]
    assert len(checked) == 1 and 'value="4"' in checked[0]
    with app.app_context():
        stored = db.read_session().scalars(select(Answer.value)).all()
        assert stored == ["4"]
        assert db.read_session().scalar(select(Respondent.language)) == "en"


def test_switching_back_to_the_assessments_language_forgets_the_choice(app, client, bilingual):
    lesson_id, dutch_text, _english = _first_lesson(app)
    _switch(client, "en", f"/d/{bilingual['code']}")
    participant = Participant(client)
    participant.join(str(bilingual["code"]))
    participant.post_page(lesson_id, {}, action="taal:nl")
    assert dutch_text in client.get(participant.url(lesson_id)).get_data(as_text=True)
    with app.app_context():
        assert db.read_session().scalar(select(Respondent.language)) is None


def test_the_header_switch_on_a_respondents_page_is_remembered_with_the_respondent(
        app, client, bilingual):
    participant = Participant(client)
    participant.join(str(bilingual["code"]))
    _switch(client, "en", participant.url("intro"))
    with app.app_context():
        assert db.read_session().scalar(select(Respondent.language)) == "en"


def test_a_language_the_assessment_does_not_offer_is_ignored(app, client, open_assessment):
    # Created without translations: Dutch only, so no switch on its pages.
    lesson_id, _dutch, _english = _first_lesson(app)
    participant = Participant(client)
    participant.join(str(open_assessment["code"]))
    html = client.get(participant.url(lesson_id)).get_data(as_text=True)
    assert "English" not in html
    response = participant.post_page(lesson_id, {}, action="taal:en")
    assert response.status_code in (200, 302)
    with app.app_context():
        assert db.read_session().scalar(select(Respondent.language)) is None


@pytest.mark.parametrize("target", [
    "https://example.org/", "//example.org/", "/\\example.org", "javascript:alert(1)", ""])
def test_the_switch_never_redirects_to_another_site(client, target):
    page = client.get("/")
    response = client.post("/taal", data={"csrf_token": csrf_token(page), "language": "en",
                                          "next": target})
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize("language", ["fr", "", "en-US-x-very-long"])
def test_an_unknown_language_is_refused_with_a_friendly_page(client, language):
    page = client.get("/")
    response = client.post("/taal", data={"csrf_token": csrf_token(page), "language": language,
                                          "next": "/"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_switch_needs_the_form_token(client):
    response = client.post("/taal", data={"language": "en", "next": "/"})
    assert response.status_code == 400


def test_a_facilitator_may_work_in_english_while_the_report_stays_in_the_assessments_language(
        app, facilitator_client):
    _switch(facilitator_client, "en", "/begeleider/")
    html = facilitator_client.get("/begeleider/").get_data(as_text=True)
    assert '<html lang="en">' in html
    from reports.build import report_context, report_html

    with app.test_request_context("/"):
        from flask import session

        session["language"] = "en"
        assessment = db.read_session().scalar(
            select(Assessment).where(Assessment.join_code == DEMO_JOIN_CODE))
        html = report_html(report_context(assessment), "/static/")
    assert 'lang="nl"' in html


def test_an_english_assessment_reports_in_english(app):
    from reports.build import report_context, report_html

    with app.test_request_context("/"):
        owner = management.create_facilitator("en@example.nl", "lang-genoeg-wachtwoord")
        english = questionnaire_files.available()[("tien-lessen", "en")]
        assessment_id = management.create_assessment(
            owner, "Region North", "English scan", english,
            translations=questionnaire_files.translations_of(english))
        assessment = db.read_session().get(Assessment, assessment_id)
        assert assessment.languages == ("en", "nl")
        html = report_html(report_context(assessment), "/static/")
    assert 'lang="en"' in html
    assert "Advice report" in html or "advice report" in html
    assert "Adviesrapport" not in html


@pytest.mark.parametrize("language, heading", [
    ("nl", "Toegankelijkheidsverklaring"), ("en", "Accessibility statement")])
def test_the_accessibility_statement_is_linked_from_every_page_in_both_languages(
        client, language, heading):
    start = client.get("/").get_data(as_text=True)
    assert 'href="/toegankelijkheid"' in start
    if language == "en":
        _switch(client, "en", "/toegankelijkheid")
    html = client.get("/toegankelijkheid").get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html
    assert "WCAG 2.1" in html


def test_the_accessibility_statement_names_the_configured_contact(app_config):
    from assessment import create_app

    app = create_app({**app_config, "ACCESSIBILITY_CONTACT": "toegankelijkheid@regio.example"})
    html = app.test_client().get("/toegankelijkheid").get_data(as_text=True)
    assert "toegankelijkheid@regio.example" in html


def test_a_backup_keeps_the_translations_but_not_a_small_group_s_language(app, client,
                                                                          bilingual):
    from assessment import backup

    _switch(client, "en", f"/d/{bilingual['code']}")
    Participant(client).join(str(bilingual["code"]))
    with app.app_context():
        management.create_facilitator("nieuw@example.nl", "lang-genoeg-wachtwoord")
        assessment = db.read_session().get(Assessment, bilingual["id"])
        document = backup.backup_document(assessment)
        assert [t.language for t in document.content.translations] == ["en"]
        # One person answering in English would be recognisable: their language stays home.
        assert [r.language for r in document.respondents] == [None]
        assert document.withheld_languages == ("en",)
        imported = backup.import_backup(backup.backup_json(document).encode(),
                                        "nieuw@example.nl")
        copy = db.read_session().get(Assessment, imported.assessment_id)
        assert copy.languages == ("nl", "en")
        assert db.read_session().scalars(
            select(Respondent.language).where(Respondent.assessment_id == copy.id)).all() == [
            None]


def test_a_backup_whose_translation_was_changed_is_refused(app, bilingual):
    from assessment import backup

    with app.app_context():
        management.create_facilitator("nieuw@example.nl", "lang-genoeg-wachtwoord")
        raw = backup.backup_document(
            db.read_session().get(Assessment, bilingual["id"])).model_dump(mode="json")
        translation = raw["content"]["translations"][0]
        translation["snapshot"] = translation["snapshot"].replace("Urgency", "Hurry", 1)
        with pytest.raises(TamperedBackup):
            backup.import_backup(json.dumps(raw).encode(), "nieuw@example.nl")


def test_the_scan_page_says_which_languages_participants_may_choose(facilitator_client):
    html = facilitator_client.get("/begeleider/scans/1").get_data(as_text=True)
    assert "Deelnemers kunnen kiezen uit: Nederlands, Engels." in html
    assert "Het rapport is in het Nederlands." in html
