"""Characters XML 1.0 forbids never reach an export, a backup or the report."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import reports
from assessment import backup
from assessment.db import read_session, write_transaction
from assessment.exchange import Column, Table, tables_csv, tables_json, tables_xlsx
from assessment.models import Assessment, Comment
from assessment.safe_text import xml_safe
from reports.build import report_context, report_html, report_key
from tests.helpers import csrf_token, pdf_text, text_ref

#: Every character XML 1.0 forbids that a database can store (not NUL, not a lone surrogate).
STORABLE = [chr(c) for c in (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))] + [
    "\ufffe", "\uffff"]
FORBIDDEN = ["\x00", *STORABLE, "\ud800", "\udbff", "\udc00", "\udfff"]
FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
COMMENT = "Voor" + "".join(STORABLE) + "na: een gewone toelichting met é, € en 😀.\tEind\n"
CLEAN = "Voorna: een gewone toelichting met é, € en 😀.\tEind\n"


@pytest.mark.parametrize("character", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_xml_safe_takes_out_each_forbidden_character(character):
    assert xml_safe(f"a{character}b") == "ab"


@pytest.mark.parametrize("text", ["", "gewoon", "tab\tnieuwe regel\nterug\r", "é € 😀 \ufffd",
                                  "\x7f\x85\ud7ff\ue000\U0010ffff"])
def test_xml_safe_keeps_every_allowed_character(text):
    assert xml_safe(text) == text


@pytest.fixture
def included_comment(app, facilitator_client) -> str:
    """A demo comment holding every storable forbidden character, included by the facilitator."""
    with app.app_context(), write_transaction() as session:
        comment = session.scalar(select(Comment).where(Comment.topic_id == "leiderschap"))
        comment.text = COMMENT
        comment_id = comment.id
    page = facilitator_client.get("/begeleider/scans/1/toelichtingen")
    reference = text_ref(app, comment_id)
    response = facilitator_client.post(f"/begeleider/scans/1/toelichtingen/{reference}", data={
        "csrf_token": csrf_token(page), "beoordeling": "included"})
    assert response.status_code == 302
    with app.app_context():
        assert read_session().get(Comment, comment_id).moderation == "included"
    return CLEAN


def test_every_export_of_a_crafted_comment_is_clean(facilitator_client, included_comment):
    workbook = facilitator_client.get("/begeleider/scans/1/export.xlsx").data
    sheets = load_workbook(io.BytesIO(workbook))
    texts = [cell for row in sheets["Toelichtingen"].iter_rows(values_only=True) for cell in row]
    assert included_comment in texts
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        parts = [name for name in archive.namelist() if name.endswith(".xml")]
        assert "xl/worksheets/sheet7.xml" in parts
        for name in parts:
            ElementTree.fromstring(archive.read(name))  # raises on a character XML forbids

    text = facilitator_client.get("/begeleider/scans/1/export.csv").data.decode("utf-8")
    assert not FORBIDDEN_RE.search(text)
    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert included_comment in {row[2] for row in rows if len(row) > 2}

    document = json.loads(facilitator_client.get("/begeleider/scans/1/export.json").data)
    cells = [cell for table in document["tables"] for row in table["rows"] for cell in row
             if isinstance(cell, str)]
    assert included_comment in cells
    assert not any(FORBIDDEN_RE.search(cell) for cell in cells)


def test_the_backup_of_a_crafted_comment_is_clean(app, included_comment):
    with app.app_context():
        document = backup.backup_document(read_session().get(Assessment, 1))
    texts = [text.text for respondent in document.respondents for text in respondent.texts]
    assert included_comment in texts
    stored = json.loads(backup.backup_json(document))
    assert not any(FORBIDDEN_RE.search(text["text"]) for respondent in stored["respondents"]
                   for text in respondent["texts"])


@pytest.mark.report_pdf
def test_the_report_of_a_crafted_comment_renders(app, included_comment):
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        static = Path(app.static_folder).resolve().as_uri() + "/"
        html = report_html(report_context(assessment), static)
        assert not FORBIDDEN_RE.search(html)
        pdf = reports.jobs().render_now(report_key(html), html).read_bytes()
    text = pdf_text(pdf)
    assert "Voorna: een gewone toelichting" in text


def test_lone_surrogates_and_nul_never_reach_the_spreadsheets_or_json():
    table = Table("Toelichtingen", (Column("tekst\ud800"),),
                  tuple((f"x{character}y",) for character in FORBIDDEN))
    text = tables_csv([table])
    assert not FORBIDDEN_RE.search(text)
    assert text.count("xy") == len(FORBIDDEN)
    document = json.loads(tables_json([table]))
    assert [row[0] for row in document["tables"][0]["rows"]] == ["xy"] * len(FORBIDDEN)
    assert document["tables"][0]["columns"][0]["header"] == "tekst"
    sheet = load_workbook(io.BytesIO(tables_xlsx([table])))["Toelichtingen"]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["tekst"] + ["xy"] * len(
        FORBIDDEN)


@pytest.mark.report_pdf
def test_a_crafted_title_leaves_the_report_and_the_paper_form_renderable(app,
                                                                         facilitator_client):
    with app.app_context(), write_transaction() as session:
        session.get(Assessment, 1).title = "Casus" + "".join(STORABLE) + " Dalfsen"
    with app.app_context():
        static = Path(app.static_folder).resolve().as_uri() + "/"
        html = report_html(report_context(read_session().get(Assessment, 1)), static)
    assert "Casus Dalfsen" in html and not FORBIDDEN_RE.search(html)
    response = facilitator_client.get("/begeleider/scans/1/papier.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    assert "Casus Dalfsen" in text
