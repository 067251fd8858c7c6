"""Exports (CSV, XLSX, JSON) and `regiospiegel import`: numbers, anonymity, safety, round trip."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from assessment import content, create_app, db, exchange, management, participation, retention
from assessment.aggregation import CellStatus, Response, summarise
from assessment.db import read_session, write_transaction
from assessment.models import (
    ActionItem,
    Assessment,
    AuditEvent,
    Comment,
    LessonNote,
    Moderation,
    Respondent,
    Status,
)
from assessment.results import assessment_summary, included_comments
from tests.conftest import SECRET
from tests.helpers import DEMO_ID, DEMO_JOIN_CODE, TRYOUT_ID, login

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


@pytest.fixture
def discussed_demo(app: Flask, demo: None) -> None:
    """The demo with notes, actions and moderated free texts, as after a session."""
    with app.app_context(), write_transaction() as session:
        session.add_all([
            LessonNote(assessment_id=1, lesson_id="leiderschap", notes="Beeld verschilt",
                       conclusion="Gesprek met bestuurders plannen"),
            LessonNote(assessment_id=1, lesson_id="legitimiteit", notes="Raden weten weinig",
                       conclusion=""),
            ActionItem(assessment_id=1, lesson_id="legitimiteit", action="Regioavond voor raden",
                       owner="Griffie", term="Q3"),
            ActionItem(assessment_id=1, lesson_id=None, action="Over een jaar opnieuw scannen",
                       owner="Regiobureau", term="2027"),
        ])
        comments = session.scalars(select(Comment).order_by(Comment.id)).all()
        for index, comment in enumerate(comments):
            comment.moderation = (Moderation.INCLUDED if index % 3 == 0 else
                                  Moderation.EXCLUDED if index % 3 == 1 else Moderation.PENDING)


@pytest.fixture
def other_app(new_db_url: Callable[[], str], tmp_path: Path) -> Iterator[Flask]:
    """A second installation with its own fresh database and one facilitator."""
    application = create_app({
        "TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": new_db_url(),
        "BASE_URL": "http://elders.test", "REPORT_CACHE_DIR": str(tmp_path / "other-reports")})
    with application.app_context():
        management.create_facilitator("nieuw@example.nl", "nieuw-wachtwoord")
    yield application
    application.extensions["regiospiegel.reports"].close()
    db.dispose(application)


def _export_json(app: Flask, assessment_id: int) -> dict[str, object]:
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        return json.loads(exchange.document_json(exchange.export_document(assessment)))


def _import(app: Flask, path: Path, owner: str = "nieuw@example.nl"):
    return app.test_cli_runner().invoke(args=["import", str(path), "--owner", owner])


def _assessment_count(app: Flask) -> int:
    with app.app_context():
        return read_session().scalar(select(func.count()).select_from(Assessment))


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
    assert "zonder persoonlijke links" in html


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
        labels = exchange.group_labels(content.for_assessment(read_session().get(Assessment, 1)))
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
        questionnaire = content.available()[("tien-lessen", "nl")]
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
        questionnaire = content.available()[("tien-lessen", "nl")]
        for index in range(2):
            respondent = participation.find_respondent(participation.start(assessment_id))
            participation.save_page(respondent.id, "profiel", participation.PageAnswers(
                answers={s.id: "5" for s in questionnaire.statements()},
                texts={"sterkste-punt": f"Geheime toelichting {index}"},
                profile={"organisatietype": "gemeente"}))
            participation.submit(respondent.id)
        for comment in read_session().scalars(select(Comment)).all():
            management.set_comment_moderation(assessment_id, comment.id, Moderation.INCLUDED)


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


# -- the full export -----------------------------------------------------------------------


def test_json_export_holds_everything_without_identities(app, facilitator_client,
                                                          discussed_demo):
    response = facilitator_client.get(f"{DEMO}/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="regiospiegel-scan-regio-zwolle-casus-dalfsen.json"')
    text = response.get_data(as_text=True)
    document = json.loads(text)
    assert (document["format"], document["format_version"]) == ("regiospiegel.assessment", 1)
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        hashes = read_session().scalars(select(Respondent.token_hash)).all()
        stored_texts = read_session().scalar(select(func.count()).select_from(Comment))
        statements = len(content.for_assessment(assessment).statements())
        english = assessment.translations[0]
        assert document["content"] == {
            "questionnaire_id": "tien-lessen", "questionnaire_version": "1.0",
            "content_hash": assessment.content_hash, "snapshot": assessment.content_snapshot,
            "translations": [{"language": "en", "content_hash": english.content_hash,
                              "snapshot": english.content_snapshot}]}
    assert document["assessment"]["join_code"] == DEMO_JOIN_CODE
    assert document["assessment"]["status"] == "closed"
    respondents = document["respondents"]
    assert [r["number"] for r in respondents] == list(range(1, 29))
    assert all(r["submitted"] and r["submitted_at"] for r in respondents)
    assert sum(len(r["texts"]) for r in respondents) == stored_texts > 0
    assert {t["moderation"] for r in respondents for t in r["texts"]} == {
        "included", "excluded", "pending"}
    assert [len(r["answers"]) for r in respondents] == [statements] * 28
    assert set(respondents[0]) == {"number", "source", "language", "profile", "last_page",
                                   "submitted",
                                   "created_at", "updated_at", "submitted_at", "answers",
                                   "texts"}
    assert not any(token_hash in text for token_hash in hashes)
    assert '"id"' not in text.replace('\\"id\\"', "")  # ids only inside the questionnaire
    assert [note["lesson"] for note in document["lesson_notes"]] == ["legitimiteit",
                                                                     "leiderschap"]
    assert [a["action"] for a in document["actions"]] == ["Regioavond voor raden",
                                                          "Over een jaar opnieuw scannen"]
    with app.app_context():
        assert read_session().scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "exported")) == "json"


def _without(document: dict[str, object], *paths: tuple[str, ...]) -> dict[str, object]:
    copy = json.loads(json.dumps(document))
    for path in paths:
        target = copy
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return copy


def test_round_trip_into_another_installation(app, facilitator_client, discussed_demo,
                                              other_app, tmp_path):
    original_text = facilitator_client.get(f"{DEMO}/export.json").get_data(as_text=True)
    path = tmp_path / "scan.json"
    path.write_text(original_text, encoding="utf-8")

    result = _import(other_app, path)
    assert result.exit_code == 0, result.output
    assert "imported 'Regio Zwolle – casus Dalfsen' as assessment 1" in result.output
    assert "28 respondents, 2 lesson notes, 2 actions" in result.output
    assert f"join code: {DEMO_JOIN_CODE}" in result.output
    assert "personal links of the old installation do not work here" in result.output

    original = json.loads(original_text)
    again = _export_json(other_app, 1)
    assert _without(again, ("exported_at",)) == _without(original, ("exported_at",))
    with app.app_context():
        original_summary = assessment_summary(read_session().get(Assessment, 1))
        original_hashes = set(read_session().scalars(select(Respondent.token_hash)))
    with other_app.app_context():
        imported = read_session().get(Assessment, 1)
        assert imported.owner.email == "nieuw@example.nl"
        assert assessment_summary(imported) == original_summary
        new_hashes = set(read_session().scalars(select(Respondent.token_hash)))
        assert len(new_hashes) == 28 and not new_hashes & original_hashes
        event = read_session().scalar(select(AuditEvent).where(AuditEvent.action == "imported"))
        assert event.assessment_id == 1 and "nieuw@example.nl" in event.detail

    # The new owner sees it on the web, and its CSV equals the original's figure for figure.
    browser = other_app.test_client()
    login(browser, "nieuw@example.nl", "nieuw-wachtwoord")
    imported_csv = csv_sections(browser.get("/begeleider/scans/1/export.csv").data)
    original_csv = csv_sections(facilitator_client.get(f"{DEMO}/export.csv").data)
    for title in original_csv:
        if title != "Scan":
            assert imported_csv[title] == original_csv[title], title


def test_import_with_a_taken_join_code_gets_a_new_one(app, runner, discussed_demo, tmp_path):
    original = _export_json(app, 1)
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(original), encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--owner", "DEMO@regiospiegel.nl"])
    assert result.exit_code == 0, result.output
    assert (f"join code {DEMO_JOIN_CODE} is already used here; the new join code is"
            in result.output)
    with app.app_context():
        copy = read_session().scalar(select(Assessment).where(
            Assessment.id.not_in([DEMO_ID, TRYOUT_ID])))
        assert copy.join_code != DEMO_JOIN_CODE and len(copy.join_code) == 6
        assert assessment_summary(copy) == assessment_summary(read_session().get(Assessment, 1))
    again = _export_json(app, copy.id)
    assert again["assessment"]["join_code"] == copy.join_code
    assert (_without(again, ("exported_at",), ("assessment", "join_code"))
            == _without(original, ("exported_at",), ("assessment", "join_code")))


def test_round_trip_of_a_purged_assessment_keeps_its_summary(app, demo, other_app, tmp_path):
    with app.app_context():
        management.set_status(1, Status.CLOSED)
        retention.purge(1, reason="test")
        summary = assessment_summary(read_session().get(Assessment, 1))
    document = _export_json(app, 1)
    assert document["assessment"]["summary_snapshot"] and document["assessment"]["purged_at"]
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert _import(other_app, path).exit_code == 0
    with other_app.app_context():
        assert assessment_summary(read_session().get(Assessment, 1)) == summary
    assert _without(_export_json(other_app, 1), ("exported_at",)) == _without(
        document, ("exported_at",))


def test_a_tampered_file_is_refused(app, demo, other_app, tmp_path):
    document = _export_json(app, 1)
    snapshot = document["content"]["snapshot"]
    assert "Regionaal leiderschap" in snapshot
    document["content"]["snapshot"] = snapshot.replace("Regionaal leiderschap",
                                                       "Regionaal leiderschap!")
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = _import(other_app, path)
    assert result.exit_code == 1
    assert "does not match its content_hash" in result.output
    assert "changed after the export" in result.output
    assert _assessment_count(other_app) == 0


def _break_answer(document):
    document["respondents"][0]["answers"][0]["value"] = "7"


def _unknown_statement(document):
    document["respondents"][0]["answers"][0]["statement"] = "bestaat-niet"


def _identity(document):
    document["respondents"][0]["token_hash"] = "ab" * 32


def _unknown_lesson_note(document):
    document["lesson_notes"] = [{"lesson": "bestaat-niet", "notes": "", "conclusion": "",
                                 "updated_at": "2027-01-01T00:00:00Z"}]


def _renumbered(document):
    document["respondents"][1]["number"] = 1


def _bad_schema(document):
    # A snapshot that is consistent with its hash but is not a questionnaire.
    document["content"]["snapshot"] = '{"id": "tien-lessen"}'
    document["content"]["content_hash"] = hashlib.sha256(b'{"id": "tien-lessen"}').hexdigest()


@pytest.mark.parametrize(("change", "message"), [
    (_break_answer, "'7' is not on the scale of"),
    (_unknown_statement, "answer to unknown statement 'bestaat-niet'"),
    (_identity, "respondents.0.token_hash: Extra inputs are not permitted"),
    (_unknown_lesson_note, "lesson note on unknown lesson 'bestaat-niet'"),
    (_renumbered, "numbered 1, 2, 3"),
    (_bad_schema, "does not pass the questionnaire schema"),
])
def test_files_that_do_not_fit_are_refused(app, demo, other_app, tmp_path, change, message):
    document = _export_json(app, 1)
    change(document)
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = _import(other_app, path)
    assert result.exit_code == 1
    assert message in result.output
    assert _assessment_count(other_app) == 0


@pytest.mark.parametrize(("text", "message"), [
    ("not json", "the file is not JSON"),
    ('{"format": "iets anders"}', "this is not a Regiospiegel assessment export"),
    ('{"format": "regiospiegel.assessment", "format_version": 2}', "update Regiospiegel"),
    ('{"format": "regiospiegel.assessment", "format_version": 1}',
     "the file does not match the export format: exported_at: Field required"),
])
def test_files_that_are_no_export_are_refused(other_app, tmp_path, text, message):
    path = tmp_path / "scan.json"
    path.write_text(text, encoding="utf-8")
    result = _import(other_app, path)
    assert result.exit_code == 1
    assert message in result.output


def test_import_needs_a_known_owner(app, demo, other_app, tmp_path):
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(_export_json(app, 1)), encoding="utf-8")
    missing = other_app.test_cli_runner().invoke(args=["import", str(path)])
    assert missing.exit_code == 2
    assert "Missing option '--owner'" in missing.output
    unknown = _import(other_app, path, owner="niemand@example.nl")
    assert unknown.exit_code == 1
    assert "no facilitator with e-mail niemand@example.nl" in unknown.output
    assert _assessment_count(other_app) == 0
