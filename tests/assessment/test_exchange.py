"""The aggregates export (CSV, XLSX, JSON): each format of the table, numbers, anonymity, safety."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from assessment import content, exchange, management, participation, questionnaire_files
from assessment.aggregation import CellStatus, Response, summarise
from assessment.db import read_session, write_transaction
from assessment.models import (
    Assessment,
    AuditEvent,
    Comment,
    Moderation,
    Respondent,
    Status,
)
from assessment.results import assessment_summary, included_comments
from tests.helpers import login, moderate, report_numbers

DEMO = "/begeleider/scans/1"
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


# -- reading the files back ----------------------------------------------------------------


def csv_sections(data: bytes) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The CSV export as {section title: (header, rows)}."""
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    sections: dict[str, tuple[list[str], list[list[str]]]] = {}
    while rows:
        end = rows.index([]) if [] in rows else len(rows)
        block, rows = rows[:end], rows[end + 1:]
        sections[block[0][0]] = (block[1], block[2:])
    return sections


def xlsx_sheets(data: bytes) -> dict[str, list[list[object]]]:
    """The XLSX export as {sheet title: rows, header first}."""
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets}


def number(cell: str) -> float:
    """A CSV figure ("3,4286") as a float."""
    return float(cell.replace(",", "."))


def by_first_column(rows: list[list[object]]) -> dict[object, list[object]]:
    return {row[0]: row for row in rows}


def flag(value: bool) -> str:
    return "ja" if value else "nee"


# -- fixtures ------------------------------------------------------------------------------


# -- the page and the aggregates -----------------------------------------------------------


def test_export_page_lists_the_downloads_and_the_assessment_links_to_it(facilitator_client):
    detail = facilitator_client.get(DEMO).get_data(as_text=True)
    assert f'href="{DEMO}/exporteren"' in detail
    page = facilitator_client.get(f"{DEMO}/exporteren")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for link in ("export.csv", "export.xlsx", "export.json"):
        assert f'href="{DEMO}/{link}"' in html
    assert "28 deelnemers" in html
    assert "verborgen" in html
    assert "Alleen een beheerder kan die maken" in html
    assert "antwoorden per deelnemer" not in html


def test_csv_numbers_equal_the_summary(app, facilitator_client):
    response = facilitator_client.get(f"{DEMO}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="regiospiegel-uitkomsten-regio-zwolle-casus-dalfsen.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    sections = csv_sections(response.data)
    assert list(sections) == ["Scan", "Lessen", "Stellingen", "Context", "Deelnemers per soort",
                              "Per soort organisatie", "Toelichtingen", "Prioriteiten"]
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        summary = assessment_summary(assessment)
        questionnaire = content.for_assessment(assessment)
        events = read_session().scalars(select(AuditEvent).where(
            AuditEvent.action == "exported")).all()
    assert [(e.assessment_id, e.detail, e.facilitator_email) for e in events] == [
        (1, "csv", "demo@regiospiegel.nl")]
    bands = {band.id: band.label for band in questionnaire.bands}

    details = {row[0]: row[1] for row in sections["Scan"][1]}
    assert details["regio"] == "Regio Zwolle"
    assert number(details["deelnemers die hun antwoorden verzonden"]) == summary.respondents == 28
    assert number(details["gemiddelde score van alle lessen"]) == round(summary.overall_index, 4)
    # Results are shown: no warning that there are none yet.
    assert "let op" not in details

    header, rows = sections["Lessen"]
    assert [row[0] for row in rows] == [lesson.lesson_id for lesson in summary.lessons]
    column = {name: i for i, name in enumerate(header)}
    for row, lesson in zip(rows, summary.lessons, strict=True):
        assert lesson.shown
        assert int(row[column["n"]]) == lesson.n
        for name, value in [("gemiddelde", lesson.mean), ("mediaan", lesson.median),
                            ("standaardafwijking", lesson.sd), ("consensus", lesson.consensus),
                            ("eens", lesson.distribution.agree),
                            ("neutraal", lesson.distribution.neutral),
                            ("oneens", lesson.distribution.disagree),
                            ("weet niet", lesson.dont_know_share)]:
            assert number(row[column[name]]) == pytest.approx(value, abs=5e-5), name
        assert row[column["band"]] == bands[lesson.band]
        assert row[column["verdeeld"]] == flag(lesson.divided)
        assert row[column["verdeeld: spreiding"]] == flag(lesson.divided_by_sd)
        assert row[column["verdeeld: eens en oneens"]] == flag(lesson.divided_by_polarisation)
        assert row[column["verdeeld: soorten organisaties"]] == flag(lesson.divided_by_groups)
        assert row[column["informatietekort"]] == flag(lesson.information_gap)
    assert by_first_column(rows)["leiderschap"][column["verdeeld"]] == "ja"
    assert by_first_column(rows)["legitimiteit"][column["informatietekort"]] == "ja"

    header, rows = sections["Stellingen"]
    statements = [s for lesson in summary.lessons for s in lesson.statements]
    assert [row[1] for row in rows] == [s.statement_id for s in statements]
    assert header[4:11] == ["1 Helemaal oneens", "2 Oneens", "3 Neutraal", "4 Eens",
                            "5 Helemaal eens", "weet niet (Weet ik niet)",
                            "n.v.t. (Niet van toepassing)"]
    for row, statement in zip(rows, statements, strict=True):
        counts = statement.distribution
        assert [int(cell) for cell in row[4:12]] == [
            *counts.counts, counts.dont_know, counts.not_applicable, counts.valid]
        assert number(row[12]) == pytest.approx(statement.scored_mean, abs=5e-5)
        assert row[3] == flag(statement.reverse)


def test_xlsx_numbers_equal_the_summary(app, facilitator_client):
    response = facilitator_client.get(f"{DEMO}/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('dalfsen.xlsx"')
    sheets = xlsx_sheets(response.data)
    assert list(sheets) == ["Scan", "Lessen", "Stellingen", "Context", "Deelnemers per soort",
                            "Per soort organisatie", "Toelichtingen", "Prioriteiten"]
    with app.app_context():
        summary = assessment_summary(read_session().get(Assessment, 1))
        comments = included_comments(1)
    header, *rows = sheets["Lessen"]
    column = {name: i for i, name in enumerate(header)}
    for row, lesson in zip(rows, summary.lessons, strict=True):
        assert row[0] == lesson.lesson_id
        assert row[column["n"]] == lesson.n
        # Numbers, not text; to the 15 significant digits a spreadsheet keeps.
        assert (row[column["gemiddelde"]], row[column["mediaan"]],
                row[column["standaardafwijking"]], row[column["consensus"]],
                row[column["eens"]], row[column["weet niet"]]) == pytest.approx(
            (lesson.mean, lesson.median, lesson.sd, lesson.consensus,
             lesson.distribution.agree, lesson.dont_know_share), rel=1e-14)
    header, *rows = sheets["Context"]
    assert [(row[0], row[2]) for row in rows] == [(b.block_id, b.n) for b in summary.context]
    assert [row[3] for row in rows] == pytest.approx([b.mean for b in summary.context],
                                                     rel=1e-14)
    header, *rows = sheets["Toelichtingen"]
    assert sorted(row[2] for row in rows) == sorted(
        text for texts in comments.values() for text in texts)
    with app.app_context():
        assert read_session().scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "exported")) == "xlsx"


def test_hidden_groups_stay_hidden_in_csv_and_xlsx(app, facilitator_client):
    with app.app_context():
        summary = assessment_summary(read_session().get(Assessment, 1))
        labels = content.for_assessment(read_session().get(Assessment, 1)).group_labels()
    hidden = {(lesson.lesson_id, cell.group) for lesson in summary.lessons
              for cell in lesson.groups if cell.status is CellStatus.HIDDEN}
    shown = {(lesson.lesson_id, cell.group): cell for lesson in summary.lessons
             for cell in lesson.groups if cell.status is CellStatus.SHOWN}
    assert hidden and shown  # the demo has both, so this test can fail
    groups = list(labels)

    header, rows = csv_sections(facilitator_client.get(f"{DEMO}/export.csv").data)[
        "Per soort organisatie"]
    sheet_header, *sheet_rows = xlsx_sheets(facilitator_client.get(f"{DEMO}/export.xlsx").data)[
        "Per soort organisatie"]
    assert sheet_header == header
    for csv_row, xlsx_row in zip(rows, sheet_rows, strict=True):
        lesson_id = csv_row[0]
        for index, group in enumerate(groups):
            n_at, mean_at = 2 + 2 * index, 3 + 2 * index
            assert header[mean_at] == f"{labels[group]} ({group}): gemiddelde"
            if (lesson_id, group) in hidden:
                assert csv_row[n_at] == csv_row[mean_at] == "verborgen"
                assert xlsx_row[n_at] == xlsx_row[mean_at] == "verborgen"
            else:
                cell = shown[(lesson_id, group)]
                assert int(csv_row[n_at]) == xlsx_row[n_at] == cell.n
                assert xlsx_row[mean_at] == pytest.approx(cell.mean, rel=1e-14)
                assert number(csv_row[mean_at]) == pytest.approx(cell.mean, abs=5e-5)
    sizes = {row[0]: row[2] for row in csv_sections(
        facilitator_client.get(f"{DEMO}/export.csv").data)["Deelnemers per soort"][1]}
    assert sizes == {cell.group: ("verborgen" if cell.status is CellStatus.HIDDEN
                                  else str(cell.n)) for cell in summary.group_sizes}
    assert sizes["anders"] == "verborgen"  # the one "anders" respondent


def test_types_without_respondents_are_empty_and_small_ones_hidden(app):
    with app.app_context():
        questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
    answers = {s.id: "4" for s in questionnaire.statements()}
    people = [("gemeente", 6), ("partner", 6), ("provincie", 2)]
    responses = [Response(i, group, answers) for i, group in enumerate(
        [group for group, size in people for _ in range(size)])]
    summary = summarise(questionnaire, responses)
    tables = {t.title: t for t in exchange.aggregate_tables(
        Assessment(region="R", title="T", status="open"), questionnaire, summary, {},
        datetime(2027, 1, 1, tzinfo=UTC))}
    sizes = {row[0]: row[2] for row in tables["Deelnemers per soort"].rows}
    # provincie (2) is too small; gemeente is hidden too, or provincie follows from the total.
    assert sizes == {"gemeente": "verborgen", "waterschap": None, "provincie": "verborgen",
                     "partner": 6, "anders": None}
    # Urgentie: everyone answers 4, one of its four statements is reversed: (4+4+2+4)/4.
    first = tables["Per soort organisatie"].rows[0]
    assert first[2:] == ("verborgen", "verborgen", None, None, "verborgen", "verborgen",
                         6, 3.5, None, None)
    csv_text = exchange.tables_csv(tables.values())
    assert "\r\nurgentie;Urgentie;verborgen;verborgen;;;verborgen;verborgen;6;3,5;;\r\n" in (
        csv_text)


# -- formula injection ---------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_formula_like_cells_are_neutralised(app, facilitator_client, start):
    region = f"{start}HYPERLINK(\"http://kwaad.example\";\"klik\")"
    comment = f"{start}cmd|' /C calc'!A0"
    with app.app_context(), write_transaction() as session:
        session.execute(update(Assessment).where(Assessment.id == 1).values(region=region))
        first = session.scalars(select(Comment).order_by(Comment.id)).first()
        first.text, first.moderation = comment, Moderation.INCLUDED.value

    sections = csv_sections(facilitator_client.get(f"{DEMO}/export.csv").data)
    assert {row[0]: row[1] for row in sections["Scan"][1]}["regio"] == "'" + region
    texts = [row[2] for row in sections["Toelichtingen"][1]]
    assert "'" + comment in texts
    assert not any(text.startswith(tuple(FORMULA_STARTS)) for text in texts)

    workbook = load_workbook(io.BytesIO(facilitator_client.get(f"{DEMO}/export.xlsx").data))
    cells = [c for row in workbook["Scan"].iter_rows() for c in row if c.column == 2]
    cells += [c for row in workbook["Toelichtingen"].iter_rows() for c in row if c.column == 3]
    found = [c for c in cells if isinstance(c.value, str) and c.value.startswith("'")
             and c.value[1:].replace("\n", "\r") in (region, comment)]
    assert len(found) == 2
    assert all(c.data_type == "s" for c in found)
    assert not any(c.data_type == "f" for sheet in workbook.worksheets
                   for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize(("text", "expected"), [
    ("=1+1", "'=1+1"), ("+31 6", "'+31 6"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Regio", "Regio"), ("3,5", "3,5"), ("", ""),
    ("a=b", "a=b"),
])
def test_neutralise(text, expected):
    assert exchange.neutralise(text) == expected


# -- the anonymity threshold and access ----------------------------------------------------


def _two_submitted(app: Flask, assessment_id: int) -> None:
    with app.app_context():
        questionnaire = questionnaire_files.available()[("tien-lessen", "nl")]
        for index in range(2):
            respondent = participation.find_respondent(participation.start(assessment_id))
            participation.save_page(respondent.id, "profiel", participation.PageAnswers(
                answers={s.id: "5" for s in questionnaire.statements()},
                texts={"sterkste-punt": f"Geheime toelichting {index}"},
                profile={"organisatietype": "gemeente"}))
            participation.submit(respondent.id)
        for comment in read_session().scalars(select(Comment)).all():
            moderate(assessment_id, comment.id, Moderation.INCLUDED)


def test_no_figures_and_no_texts_under_three_respondents(app, client, open_assessment):
    _two_submitted(app, open_assessment["id"])
    login(client, "begeleider@example.nl", "lang-genoeg-wachtwoord")
    base = f"/begeleider/scans/{open_assessment['id']}"
    page = client.get(f"{base}/exporteren").get_data(as_text=True)
    assert "Er staan nog geen cijfers en toelichtingen in" in page

    response = client.get(f"{base}/export.csv")
    assert response.status_code == 200
    sections = csv_sections(response.data)
    assert list(sections) == ["Scan"]
    details = {row[0]: row[1] for row in sections["Scan"][1]}
    assert details["deelnemers die hun antwoorden verzonden"] == "2"
    assert details["let op"].startswith("Minder dan 3 deelnemers")
    text = response.data.decode("utf-8")
    assert "Geheime toelichting" not in text and "urgentie" not in text

    sheets = xlsx_sheets(client.get(f"{base}/export.xlsx").data)
    assert list(sheets) == ["Scan"]
    assert "Geheime toelichting" not in repr(sheets)


@pytest.mark.parametrize("name", sorted(exchange.EXPORT_FORMATS))
def test_every_format_of_the_table_is_a_logged_download_at_its_own_address(
        app, facilitator_client, name):
    file_format = exchange.EXPORT_FORMATS[name]
    response = facilitator_client.get(f"{DEMO}/export.{name}")
    assert response.status_code == 200
    assert response.mimetype == file_format.media_type
    assert response.content_type.count("charset") <= 1  # CSV said its charset twice
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="regiospiegel-uitkomsten-regio-zwolle-casus-dalfsen.'
        f'{file_format.extension}"')
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert [(event.action, event.detail) for event in management.audit_events(1)
                if event.action == "exported"] == [("exported", name)]


def test_another_facilitator_gets_404_and_nothing_is_logged(app, client, demo):
    with app.app_context():
        management.create_facilitator("ander@example.nl", "ander-wachtwoord")
    urls = [f"{DEMO}/exporteren", f"{DEMO}/export.csv", f"{DEMO}/export.xlsx",
            f"{DEMO}/export.json"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert "/begeleider/inloggen" in response.location
    login(client, "ander@example.nl", "ander-wachtwoord")
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.get("/begeleider/scans/999/export.csv").status_code == 404
    with app.app_context():
        assert read_session().scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "exported")) == 0


# -- the JSON export: the same aggregates --------------------------------------------------


def test_json_export_is_the_aggregates_and_nothing_more(app, facilitator_client,
                                                         discussed_demo):
    response = facilitator_client.get(f"{DEMO}/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="regiospiegel-uitkomsten-regio-zwolle-casus-dalfsen.json"')
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    document = json.loads(text)
    assert set(document) == {"format", "format_version", "exported_at", "tables"}
    assert (document["format"], document["format_version"]) == ("regiospiegel.aggregates", 1)

    # The same tables, cell for cell, as the workbook (numbers as numbers, flags as booleans).
    sheets = xlsx_sheets(facilitator_client.get(f"{DEMO}/export.xlsx").data)
    assert [table["title"] for table in document["tables"]] == list(sheets)
    for table in document["tables"]:
        header, *rows = sheets[table["title"]]
        assert [column["header"] for column in table["columns"]] == header
        if table["title"] == "Scan":
            continue  # its last row is the moment of export
        # A spreadsheet keeps 15 significant digits.
        expected = [[("ja" if cell else "nee") if isinstance(cell, bool)
                     else pytest.approx(cell, rel=1e-14) if isinstance(cell, float) else cell
                     for cell in row] for row in table["rows"]]
        assert rows == expected, table["title"]

    # Only included texts; nothing per respondent.
    with app.app_context():
        comments = read_session().scalars(select(Comment)).all()
        hashes = read_session().scalars(select(Respondent.token_hash)).all()
    # The demo's texts repeat; a text some respondent wrote and was included may show.
    included = {c.shown_text for c in comments if c.moderation == "included"}
    withheld = {c.shown_text for c in comments if c.moderation != "included"} - included
    assert included and withheld
    for comment in included | withheld:
        assert (json.dumps(comment, ensure_ascii=False)[1:-1] in text) == (
            comment in included), comment
    assert not any(token_hash in text for token_hash in hashes)
    for key in ('"respondents"', '"answers"', '"profile"', '"submitted_at"'):
        assert key not in text
    with app.app_context():
        assert read_session().scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "exported")) == "json"


# -- shown figures and the change since the previous round ----------------------------------


SHOWN = "score (zoals getoond)"
PREVIOUS = "score vorige ronde (zoals getoond)"
CHANGE = "verandering sinds vorige ronde"


def test_the_shown_scores_in_csv_and_xlsx_are_the_page_s(app, facilitator_client):
    header, rows = csv_sections(facilitator_client.get(f"{DEMO}/export.csv").data)["Lessen"]
    sheet = load_workbook(io.BytesIO(facilitator_client.get(f"{DEMO}/export.xlsx").data))[
        "Lessen"]
    page = facilitator_client.get(DEMO).get_data(as_text=True)
    with app.app_context():
        summary = assessment_summary(read_session().get(Assessment, 1))
    column = header.index(SHOWN)
    assert PREVIOUS not in header and CHANGE not in header  # the demo has no previous round
    for number, (row, lesson) in enumerate(zip(rows, summary.lessons, strict=True), start=2):
        shown = report_numbers("nl").score(lesson.mean)
        assert row[column] == shown
        assert f'<td class="num">{shown}</td>' in page
        cell = sheet.cell(row=number, column=column + 1)
        assert (cell.value, cell.number_format) == (float(shown.replace(",", ".")), "0.0")
    # An exact half rounds up on the page as everywhere: urgentie's median of 4,25 in the
    # CSV was 4,2 on the page (half to even) and is 4,3 now.
    assert by_first_column(rows)["urgentie"][header.index("mediaan")] == "4,25"
    urgentie = page[page.index('<th scope="row">1. Urgentie</th>'):]
    urgentie = urgentie[:urgentie.index("</tr>")]
    assert '<td class="num">4,3</td>' in urgentie


def test_a_score_near_a_boundary_is_shown_on_its_band_s_side_in_every_format(app, demo):
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        questionnaire = content.for_assessment(assessment)
        summary = assessment_summary(assessment)
        near = replace(summary.lesson("urgentie"), mean=2.9986, band="zorg")
        summary = replace(summary, lessons=(near, *summary.lessons[1:]))
        tables = exchange.aggregate_tables(assessment, questionnaire, summary, {},
                                           datetime(2026, 11, 27, tzinfo=UTC))
    header, rows = csv_sections(exchange.tables_csv(tables).encode())["Lessen"]
    assert [rows[0][header.index(name)] for name in ("gemiddelde", "band", SHOWN)] == [
        "2,9986", "Zorg", "2,9"]
    sheet = load_workbook(io.BytesIO(exchange.tables_xlsx(tables)))["Lessen"]
    mean = sheet.cell(row=2, column=header.index("gemiddelde") + 1)
    # Four decimals, as the CSV: "0.00" would show 3.00 beside "Zorg".
    assert (mean.value, mean.number_format) == (2.9986, "0.0###")
    assert sheet.cell(row=2, column=header.index(SHOWN) + 1).value == 2.9
    lessons = json.loads(exchange.tables_json(tables))["tables"][1]
    assert lessons["rows"][0][header.index(SHOWN)] == 2.9


def _second_round(app: Flask, answers: dict[str, str]) -> int:
    """A closed second round of the demo scan (previous round: the demo), three answering."""
    from tests.helpers import Participant

    with app.app_context():
        owner = read_session().get(Assessment, 1).owner_id
        second = management.create_assessment(
            owner, "Regio Zwolle", "Ronde 2",
            questionnaire_files.available()[("tien-lessen", "nl")],
            preparation=management.Preparation("Regio Zwolle", "Ronde 2", previous_id=1))
        management.set_status(second, Status.OPEN)
        code = read_session().get(Assessment, second).join_code
    for _ in range(3):
        person = Participant(app.test_client())
        person.join(code)
        person.post_page("urgentie", answers)
        person.submit()
    with app.app_context():
        management.set_status(second, Status.CLOSED)  # all three count
    return second


def test_csv_and_xlsx_give_the_change_since_the_previous_round(app, facilitator_client):
    # urgentie: 4, 4, 3 and 2 reversed… each person scores (5+5+5+1)/4 = 4.0 on it.
    second = _second_round(app, {f"a_urgentie-{i}": "5" for i in (1, 2, 4)}
                           | {"a_urgentie-3": "1"})
    with app.app_context():
        first = assessment_summary(read_session().get(Assessment, 1)).lesson("urgentie").mean
        now = assessment_summary(read_session().get(Assessment, second)).lesson("urgentie")
    numbers = report_numbers("nl")
    header, rows = csv_sections(
        facilitator_client.get(f"/begeleider/scans/{second}/export.csv").data)["Lessen"]
    row = by_first_column(rows)["urgentie"]
    before, after = numbers.score(first), numbers.score(now.mean)
    assert (row[header.index(PREVIOUS)], row[header.index(SHOWN)]) == (before, after)
    change = Decimal(after.replace(",", ".")) - Decimal(before.replace(",", "."))
    assert row[header.index(CHANGE)] == f"{change}".replace(".", ",")
    # A lesson nobody answered in this round has no score, so no change: empty cells.
    assert by_first_column(rows)["visie"][header.index(CHANGE)] == ""
    sheet = xlsx_sheets(
        facilitator_client.get(f"/begeleider/scans/{second}/export.xlsx").data)["Lessen"]
    xlsx_row = by_first_column(sheet[1:])["urgentie"]
    assert xlsx_row[sheet[0].index(CHANGE)] == pytest.approx(float(change))
    assert by_first_column(sheet[1:])["visie"][sheet[0].index(CHANGE)] is None
    # The scan page shows the same change.
    page = facilitator_client.get(f"/begeleider/scans/{second}").get_data(as_text=True)
    assert numbers.signed(change) in page


@pytest.mark.report_pdf
def test_the_report_gives_the_change_as_the_difference_of_its_shown_scores(app, demo):
    from pathlib import Path

    from reports import jobs
    from reports.build import report_context, report_html, report_key
    from tests.helpers import pdf_text

    second = _second_round(app, {f"a_urgentie-{i}": "5" for i in (1, 2, 4)}
                           | {"a_urgentie-3": "1"})
    numbers = report_numbers("nl")
    with app.app_context():
        first = assessment_summary(read_session().get(Assessment, 1)).lesson("urgentie").mean
        assessment = read_session().get(Assessment, second)
        now = assessment_summary(assessment).lesson("urgentie").mean
        static = Path(app.static_folder or "").resolve().as_uri() + "/"
        html = report_html(report_context(assessment), static)
        text = pdf_text(jobs().render_now(report_key(html), html).read_bytes())
    before, after = numbers.score(first), numbers.score(now)
    change = Decimal(after.replace(",", ".")) - Decimal(before.replace(",", "."))
    # The urgentie lesson's key figures: its score, and its change since the demo's round.
    lesson = text[text.index("1. Urgentie\n" + after):]
    figures = lesson[:lesson.index("Wat deze les betekent")]
    assert f"Verandering {numbers.signed(change)}\n" in figures
