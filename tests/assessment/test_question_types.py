"""A question type is a table row: a test-only type goes the whole way through the real app.

The type "years" asks on the profile page how many years the participant's organisation
has worked together in the region (a whole number, 0 to 99), rendered by a macro of this
test's own and stored in the profile part of the answers (the README's recipe). Nothing
in the production modules knows it: the test registers its row and removes it again.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader
from wtforms import Field, IntegerField
from wtforms.validators import NumberRange, Optional

from assessment import management, participation, question_types, results
from assessment.db import read_session
from assessment.exceptions import InvalidAnswers
from assessment.models import Assessment, Respondent, Status
from assessment.pages import Page
from assessment.question_types import Asked, FieldSpec, QuestionType
from questions.loader import CONTENT_DIR, load_questionnaire
from questions.schema import Questionnaire
from tests.helpers import Participant, csrf_token, login

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
#: A full answer to the profile page: the first option of every question.
PROFILE = {f"p_{q.id}": q.options[0].id for q in QUESTIONNAIRE.profile}
OWNER = ("begeleider@example.nl", "lang-genoeg-wachtwoord")


@dataclass(frozen=True)
class YearsQuestion:
    """The test type's one item (a real type would read its items from the questionnaire)."""

    id: str
    label: str


QUESTION = YearsQuestion("jaren", "Hoeveel jaar werkt uw organisatie al samen in de regio?")

MACROS = """
{% macro number(field, asked) %}
  <div class="field">{{ field.label(class="label") }}
    {% if field.errors %}<p class="error-message">{{ field.errors | join(" ") }}</p>{% endif %}
    {{ field(class="input years", min=0, max=99) }}</div>
{% endmacro %}
"""


def _asks(questionnaire: Questionnaire, page: Page) -> Iterator[Asked]:
    if page.kind == "profile":
        yield Asked(YEARS, QUESTION)


def _field(spec: FieldSpec) -> Field:
    return IntegerField(spec.item.label, validators=[
        Optional(), NumberRange(min=0, max=99, message="Kies een getal van 0 tot en met 99.")])


def _decode(field: Field) -> str | None:
    return None if field.data is None else str(field.data)


def _check(questionnaire: Questionnaire, item: Any, value: str) -> str | None:
    if not (value.isdigit() and int(value) <= 99):
        return f"'{value}' is not a number of years for '{item.id}'"
    return None


def _median(questionnaire: Questionnaire, item: Any, values: Iterable[str]) -> object:
    return statistics.median(int(value) for value in values)


YEARS = QuestionType(
    name="years", prefix="n_", storage="profile",
    items=lambda questionnaire: {QUESTION.id: QUESTION},
    asks=_asks, build_field=_field, build_paper_field=_field,
    decode=_decode, check=_check,
    macro="test_question_types.html:number", summarise=_median,
)


@pytest.fixture
def years(app: Flask) -> Iterator[QuestionType]:
    """The test type registered, with its macro's template on the app's template path."""
    app.jinja_loader = ChoiceLoader([
        DictLoader({"test_question_types.html": MACROS}), app.jinja_loader])
    question_types.register(YEARS)
    yield YEARS
    question_types.unregister(YEARS.name)


def _profile_page(person: Participant) -> tuple[str, str]:
    response = person.client.get(f"/r/{person.token}/profiel")
    assert response.status_code == 200
    return response.get_data(as_text=True), csrf_token(response)


def _post_profile(person: Participant, **fields: str) -> Any:
    _html, token = _profile_page(person)
    return person.client.post(f"/r/{person.token}/profiel", data={
        "csrf_token": token, "action": "volgende", **PROFILE, **fields})


def _profile(app: Flask, person: Participant) -> dict[str, str]:
    with app.app_context():
        respondent = participation.find_respondent(person.token)
        assert respondent is not None
        return dict(respondent.profile)


def test_the_page_shows_the_type_by_its_own_macro(years, participant) -> None:
    html, _token = _profile_page(participant)
    assert 'class="input years"' in html
    assert 'name="n_jaren"' in html
    assert QUESTION.label in html


def test_a_posted_value_is_decoded_checked_stored_and_shown_again(
        app, years, participant) -> None:
    response = _post_profile(participant, n_jaren="12")
    assert response.status_code == 302
    assert _profile(app, participant)["jaren"] == "12"
    html, _token = _profile_page(participant)
    assert 'name="n_jaren"' in html and 'value="12"' in html


@pytest.mark.parametrize("value", ["100", "-1", "twaalf"])
def test_a_value_the_field_refuses_stores_nothing(app, years, participant, value) -> None:
    response = _post_profile(participant, n_jaren=value)
    assert response.status_code == 400
    assert "jaren" not in _profile(app, participant)
    assert "organisatietype" not in _profile(app, participant)


def test_the_type_check_refuses_what_the_field_would_not_send(app, years, participant) -> None:
    with app.test_request_context():
        respondent = participation.find_respondent(participant.token)
        assert respondent is not None
        with pytest.raises(InvalidAnswers, match="not a number of years"):
            participation.save_page(respondent.id, "profiel",
                                    participation.PageAnswers(profile={"jaren": "123"}))


def test_a_name_with_the_type_prefix_that_the_page_lacks_is_tampering(
        app, years, participant) -> None:
    response = _post_profile(participant, n_jaren="3", n_onbekend="4")
    assert response.status_code == 400
    assert "jaren" not in _profile(app, participant)


def test_without_the_row_the_page_neither_asks_nor_accepts_it(app, participant) -> None:
    html, _token = _profile_page(participant)
    assert "n_jaren" not in html
    assert _post_profile(participant, n_jaren="12").status_code == 302
    assert "jaren" not in _profile(app, participant)
    assert "years" not in question_types.QUESTION_TYPES


def test_a_row_cannot_take_a_name_or_prefix_that_is_taken(years) -> None:
    with pytest.raises(ValueError, match="registered already"):
        question_types.register(YEARS)
    with pytest.raises(ValueError, match="prefix"):
        question_types.register(replace(YEARS, name="other"))


def test_the_group_summary_is_the_types_own(app, years, open_assessment) -> None:
    for value in ("10", "12", "30"):
        person = Participant(app.test_client())
        person.join(str(open_assessment["code"]))
        assert _post_profile(person, n_jaren=value).status_code == 302
        review = person.client.get(f"/r/{person.token}/overzicht")
        assert person.client.post(f"/r/{person.token}/verzenden", data={
            "csrf_token": csrf_token(review)}).status_code == 302
    with app.app_context():
        management.set_status(open_assessment["id"], Status.CLOSED)
        assessment = read_session().get(Assessment, open_assessment["id"])
        assert results.item_summary(assessment, "years", "jaren") == 12
        assert results.item_summary(assessment, "years", "onbekend") is None


def test_the_paper_form_asks_it_too(app, years, open_assessment) -> None:
    owner = app.test_client()
    assert login(owner, *OWNER).status_code == 302
    url = f"/begeleider/scans/{open_assessment['id']}/papier/invoeren"
    page = owner.get(url)
    html = page.get_data(as_text=True)
    assert 'name="n_jaren"' in html
    key = html.split('name="entry_key" type="hidden" value="')[1].split('"')[0]
    response = owner.post(url, data={"csrf_token": csrf_token(page), "entry_key": key,
                                      "n_jaren": "7"})
    assert response.status_code == 302
    with app.app_context():
        stored = read_session().query(Respondent).filter_by(
            assessment_id=open_assessment["id"], source="paper").one()
        assert stored.profile == {"jaren": "7"}
