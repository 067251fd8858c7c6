"""A page shows the same whether its radio groups come from kept markup or from their macro.

The participant's page forms keep the markup of each choice field shown without errors, per
chosen value (:func:`assessment.templating.show_asked`); every page of the path, in both
languages, with and without stored answers, from the review page and with errors, must be
byte for byte what the macros write.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from assessment import db, management, questionnaire_files
from assessment.models import Assessment, Status
from assessment.participant.forms import forget_page_forms
from tests.helpers import Participant, csrf_token

_CSRF_VALUE = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+"')
PAGES = ("profiel", "urgentie", "context", "open-vragen")


@pytest.fixture
def bilingual_code(app: Flask) -> str:
    """An open Dutch assessment that also offers English."""
    with app.app_context():
        owner = management.create_facilitator("bewaard@example.nl", "lang-genoeg-wachtwoord")
        dutch = questionnaire_files.available()[("tien-lessen", "nl")]
        assessment_id = management.create_assessment(
            owner, "Regio Bewaard", "Bewaarde scan", dutch,
            translations=questionnaire_files.translations_of(dutch))
        management.set_status(assessment_id, Status.OPEN)
        return str(db.read_session().get(Assessment, assessment_id).join_code)


def _page(person: Participant, path: str) -> str:
    response = person.client.get(path)
    assert response.status_code == 200, path
    # The form token carries the second it was signed in; the rest must be the same.
    return _CSRF_VALUE.sub(r'\1…"', response.get_data(as_text=True))


def _joined(app: Flask, code: str, language: str) -> Participant:
    person = Participant(app.test_client())
    if language != "nl":
        welcome = person.client.get(f"/d/{code}")
        person.client.post("/taal", data={"csrf_token": csrf_token(welcome),
                                          "language": language, "next": f"/d/{code}"})
    person.join(code)
    return person


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_shows_the_same_from_kept_markup(app, bilingual_code, language):
    person = _joined(app, bilingual_code, language)
    # Some pages answered in full, one in part, the rest not at all.
    assert person.post_page("profiel", {"p_organisatietype": "provincie"}).status_code == 400
    assert person.post_page("urgentie", {"a_urgentie-1": "5", "a_urgentie-2": "weet_niet",
                                         "a_urgentie-3": "1"}).status_code == 302
    assert person.post_page("context", {"a_investering-2": "3"}).status_code == 302
    pages = list(PAGES)
    with app.app_context():
        pages.append(questionnaire_files.available()[("tien-lessen", "nl")].lessons[1].id)
    for page_id in pages:
        for query in ("", "?terug=overzicht"):
            forget_page_forms()
            built = _page(person, person.url(page_id) + query)  # by the macros
            kept = _page(person, person.url(page_id) + query)  # from what they kept
            assert kept == built, page_id
    forget_page_forms()
    built = _page(person, person.url("urgentie"))
    assert built.count("checked ") == 3


def test_a_page_with_errors_shows_the_same_from_kept_markup(app, bilingual_code):
    person = _joined(app, bilingual_code, "nl")
    shown = []
    forget_page_forms()
    for _ in range(2):  # the first by the macros, the second from what they kept
        answer = person.post_page("profiel", {"p_organisatietype": "gemeente"})
        assert answer.status_code == 400
        shown.append(_CSRF_VALUE.sub(r'\1…"', answer.get_data(as_text=True)))
    assert shown[0] == shown[1]
    assert "field-error" in shown[1]
    assert shown[1].count("checked ") == 1


def test_kept_markup_never_shows_one_participants_answers_to_another(app, bilingual_code):
    first = _joined(app, bilingual_code, "nl")
    assert first.post_page("urgentie", {"a_urgentie-1": "5", "a_urgentie-2": "2",
                                        "a_urgentie-3": "1"}).status_code == 302
    assert _page(first, first.url("urgentie")).count("checked ") == 3
    other = _joined(app, bilingual_code, "nl")
    assert "checked " not in _page(other, other.url("urgentie"))
