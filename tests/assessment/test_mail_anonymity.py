"""Nobody can tell from a page or an export who gave which answers, with invitations by e-mail.

Six people invited by e-mail answer with a free text only they wrote; the facilitator
includes every text. Then every facilitator page of the scan (walked from the URL map, so a
route added later is covered) and every export (CSV, XLSX, JSON) is read: none may show a
person's address together with anything that person answered. The invitations page shows
the addresses and the moderation page the texts, so the test would fail if one surface
showed both.
"""

from __future__ import annotations

import io

import pytest
from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import select

from assessment import db, mailing
from assessment.models import Comment, Moderation
from tests.helpers import TRYOUT_ID, moderate, pdf_text
from tests.mail_steps import answer_lesson, begin, link_in, mail_settings, send_in
from tests.test_access import assessment_routes

PEOPLE = 6


@pytest.fixture
def app_config(app_config, mail_server):
    return {**app_config, **mail_settings(mail_server)}


def _texts_of(response) -> str:
    """What a response shows, as text: a page, a CSV or JSON file, a workbook, a PDF."""
    body = response.get_data()
    if body.startswith(b"PK"):
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(cell) for sheet in workbook.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row
                         if cell is not None)
    if body.startswith(b"%PDF"):
        return pdf_text(body)
    return body.decode("utf-8", errors="replace")


def test_no_page_or_export_shows_an_address_with_an_answer_of_that_person(
        app, facilitator_client, mail_server):
    addresses = [f"persoon{number}@regio{number}.nl" for number in range(1, PEOPLE + 1)]
    texts = {address: f"Eigen toelichting van nummer {number} zonder naam"
             for number, address in enumerate(addresses, start=1)}
    with app.app_context():
        mailing.invite(TRYOUT_ID, addresses, "nl")
        mailing.send_queued(TRYOUT_ID, pause=lambda _seconds: None)
    for number, address in enumerate(addresses):
        link = link_in(mail_server.to(address)[0])
        browser = app.test_client()
        own = begin(browser, link)
        answer_lesson(browser, own, value=str(1 + number % 5), comment=texts[address])
        if number < PEOPLE - 1:  # the last one is still answering
            send_in(browser, own)
    with app.app_context():
        for comment_id in db.read_session().scalars(
                select(Comment.id).where(Comment.assessment_id == TRYOUT_ID)):
            moderate(TRYOUT_ID, comment_id, Moderation.INCLUDED)
    with app.test_request_context():
        urls = sorted({url_for(endpoint, **{**arguments, "assessment_id": TRYOUT_ID})
                       for endpoint, method, arguments in assessment_routes(app)
                       if method == "GET"})
    shown = {url: _texts_of(facilitator_client.get(url)) for url in urls}
    assert len(shown) >= 15
    assert any(url.endswith("/export.xlsx") for url in shown)
    assert any(url.endswith("/export.json") for url in shown)
    for address in addresses:
        together = [url for url, text in shown.items()
                    if address in text and texts[address] in text]
        assert not together, (address, together)
    # Both halves are shown somewhere, so the check above could fail.
    invitations = shown[f"/begeleider/scans/{TRYOUT_ID}/uitnodigingen"]
    assert all(address in invitations for address in addresses)
    assert "verzonden" in invitations
    # (The texts were included directly, even those the steps of three still hold back,
    # so the check is harder than the pages' own rules make it.)
    assert any(texts[addresses[0]] in text for text in shown.values())
