"""A question type is a table row: a test-only type goes the whole way through the real app.

The type "years" asks on the profile page how many years the participant's organisation
has worked together in the region (a whole number, 0 to 99), rendered and printed by
macros of this test's own, stored in the profile part of the answers, summarised as the
median and shown as a table of its own in the exports and on the scan page (the README's
recipe). Nothing in the production modules knows it: the test registers its row and
removes it again.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import ChoiceLoader, DictLoader
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader
from sqlalchemy import select
from wtforms import Field, IntegerField
from wtforms.validators import NumberRange, Optional

from assessment import (
    backup,
    exchange,
    management,
    participation,
    question_types,
    results,
    retention,
)
from assessment.db import read_session
from assessment.exceptions import BackupError, InvalidAnswers
from assessment.facilitator.paper_routes import blank_html
from assessment.models import Assessment, Respondent, Status
from assessment.pages import Page
from assessment.question_types import Asked, FieldSpec, QuestionType, SummaryTable
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

{% macro print_number(run, questionnaire) %}
  {% for asked in run.asked %}
  <div class="question years-print"><p class="question-label">{{ asked.item.label }}</p>
    <p class="hint">Schrijf een getal.</p><span class="box"></span></div>
  {% endfor %}
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


def _row(item: Any, median: object | None) -> tuple[Any, ...]:
    return (item.label, median)


TABLE = SummaryTable("Jaren samenwerking", ("vraag", "mediaan"), _row)

YEARS = QuestionType(
    name="years", prefix="n_", storage="profile",
    items=lambda questionnaire: {QUESTION.id: QUESTION},
    asks=_asks, build_field=_field, build_paper_field=_field,
    decode=_decode, check=_check,
    macro="test_question_types.html:number",
    print_macro="test_question_types.html:print_number",
    summarise=_median, summary_table=TABLE,
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


def _send_in(app: Flask, code: str, *years: str | None) -> None:
    """One participant per value sends in a full profile page; None: the number left open."""
    for value in years:
        person = Participant(app.test_client())
        person.join(code)
        fields = {} if value is None else {"n_jaren": value}
        assert _post_profile(person, **fields).status_code == 302
        review = person.client.get(f"/r/{person.token}/overzicht")
        assert person.client.post(f"/r/{person.token}/verzenden", data={
            "csrf_token": csrf_token(review)}).status_code == 302


def _closed_with(app: Flask, scan: dict[str, object], *years: str | None) -> None:
    """The scan closed after one participant per value sent in (see :func:`_send_in`)."""
    _send_in(app, str(scan["code"]), *years)
    with app.app_context():
        management.set_status(int(str(scan["id"])), Status.CLOSED)


def _assessment(scan: dict[str, object]) -> Assessment:
    assessment = read_session().get(Assessment, scan["id"])
    assert assessment is not None
    return assessment


def _owner(app: Flask) -> FlaskClient:
    browser = app.test_client()
    assert login(browser, *OWNER).status_code == 302
    return browser


def test_the_group_summary_is_the_types_own(app, years, open_assessment) -> None:
    _closed_with(app, open_assessment, "10", "12", "30")
    with app.app_context():
        assessment = _assessment(open_assessment)
        assert results.item_summary(assessment, "years", "jaren") == 12
        assert results.item_summary(assessment, "years", "onbekend") is None


def test_no_figure_rests_on_fewer_than_three_answers(app, years, open_assessment) -> None:
    # Four respondents count, but only two of them gave a number.
    _closed_with(app, open_assessment, "10", None, "30", None)
    with app.app_context():
        assessment = _assessment(open_assessment)
        assert results.counting(assessment).counted == 4
        assert results.item_summary(assessment, "years", "jaren") is None
        [own] = results.type_summaries(assessment)
        assert own.items == ((QUESTION, None),)


def test_the_blank_form_prints_it_by_its_own_macro(app, years, open_assessment) -> None:
    with app.test_request_context():
        html = blank_html(read_session().get(Assessment, open_assessment["id"]))
    assert html.count('class="question years-print"') == 1
    # On the profile part, after the profile's own questions, before the first lesson.
    about = html.index('id="profiel-kop"')
    assert (html.index(QUESTIONNAIRE.profile[-1].label) < html.index(QUESTION.label)
            < html.index('id="les-urgentie"'))
    assert about < html.index("years-print")


@pytest.mark.report_pdf
def test_the_printed_pdf_asks_it(app, years, open_assessment) -> None:
    response = _owner(app).get(f"/begeleider/scans/{open_assessment['id']}/papier.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert QUESTION.label in text
    assert "Schrijf een getal." in text


def test_the_exports_hold_its_table(app, years, open_assessment) -> None:
    _closed_with(app, open_assessment, "10", "12", "30")
    with app.app_context():
        assessment = _assessment(open_assessment)
    owner = _owner(app)
    base = f"/begeleider/scans/{open_assessment['id']}/export"
    csv_text = owner.get(base + ".csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    start = rows.index(["Jaren samenwerking"])
    assert rows[start + 1:start + 3] == [["vraag-id", "vraag", "mediaan", "let op"],
                                         ["jaren", QUESTION.label, "12", ""]]
    document = json.loads(owner.get(base + ".json").get_data(as_text=True))
    [table] = [t for t in document["tables"] if t["title"] == "Jaren samenwerking"]
    assert table["rows"] == [["jaren", QUESTION.label, 12, None]]
    sheet = load_workbook(io.BytesIO(owner.get(base + ".xlsx").data))["Jaren samenwerking"]
    assert [cell.value for cell in sheet[2]] == ["jaren", QUESTION.label, 12, None]
    assert assessment.id == open_assessment["id"]


def test_the_export_withholds_a_figure_on_fewer_than_three_answers(
        app, years, open_assessment) -> None:
    _closed_with(app, open_assessment, "10", None, "30", None)
    with app.app_context():
        assessment = _assessment(open_assessment)
        tables = {t.title: t for t in exchange.assessment_tables(assessment)}
    assert tables["Jaren samenwerking"].rows == (
        ("jaren", QUESTION.label, None, exchange.WITHHELD),)


def test_after_a_purge_the_export_and_page_say_the_figure_is_gone(
        app, years, open_assessment) -> None:
    _closed_with(app, open_assessment, "10", "12", "30")
    with app.app_context():
        assessment = _assessment(open_assessment)
        retention.purge(assessment.id)
        read_session().expire_all()
        assessment = read_session().get(Assessment, open_assessment["id"])
        tables = {t.title: t for t in exchange.assessment_tables(assessment)}
    assert tables["Jaren samenwerking"].rows == (
        ("jaren", QUESTION.label, None, exchange.PURGED),)
    html = _owner(app).get(f"/begeleider/scans/{open_assessment['id']}").get_data(as_text=True)
    assert "Jaren samenwerking" in html
    assert "ruwe antwoorden opgeschoond" in html


def test_the_scan_page_shows_its_median(app, years, open_assessment) -> None:
    url = f"/begeleider/scans/{open_assessment['id']}"
    owner = _owner(app)
    assert "Jaren samenwerking" not in owner.get(url).get_data(as_text=True)
    _closed_with(app, open_assessment, "10", "12", "30")
    html = owner.get(url).get_data(as_text=True)
    caption = html.index('<caption id="vraagtype-years">Jaren samenwerking</caption>')
    row = html[caption:].split("<tbody>")[1].split("</tbody>")[0]
    assert f'<th scope="row">{QUESTION.label}</th>' in row
    assert "<td>12</td>" in row


def test_a_backup_with_its_values_restores(app, years, open_assessment) -> None:
    _closed_with(app, open_assessment, *(["12"] * 5), None)
    with app.app_context():
        assessment = _assessment(open_assessment)
        document = json.loads(backup.backup_json(backup.backup_document(assessment)))
        assert "jaren" not in document["withheld_profile"]
        result = backup.import_backup(json.dumps(document).encode(), OWNER[0])
        restored = read_session().scalars(
            select(Respondent.profile).where(Respondent.assessment_id == result.assessment_id))
        assert sorted(profile.get("jaren", "-") for profile in restored) == ["-"] + ["12"] * 5


def test_a_backup_value_the_type_refuses_is_refused(app, years, open_assessment) -> None:
    _closed_with(app, open_assessment, *(["12"] * 5), "30")
    with app.app_context():
        assessment = _assessment(open_assessment)
        document = json.loads(backup.backup_json(backup.backup_document(assessment)))
        # One gave 30: left out as a small group, and 12 with it, as for a profile option.
        assert document["withheld_profile"] == {"jaren": ["12", "30"]}
        backup.import_backup(json.dumps(document).encode(), OWNER[0])
        document["respondents"][0]["profile"]["jaren"] = "veel"
        document["checksum"] = backup.document_checksum(document)  # as a forger can
        with pytest.raises(BackupError, match="'veel' is not a number of years for 'jaren'"):
            backup.import_backup(json.dumps(document).encode(), OWNER[0])


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
