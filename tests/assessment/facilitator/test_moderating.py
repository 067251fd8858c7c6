"""Moderating free texts at once, the default for texts that may identify someone, redaction."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from assessment import backup, management, retention
from assessment.db import read_session, write_transaction
from assessment.models import (
    Assessment,
    AuditEvent,
    Comment,
    Moderation,
    Respondent,
    Status,
    utcnow,
)
from tests.assessment.test_discussion import BASE, _add_text, _report, _rows
from tests.assessment.test_exchange import xlsx_sheets
from tests.helpers import csrf_token, moderate, text_ref

ORIGINAL = "Jan de Vries van gemeente Dalfsen zegt dat de regio te traag is."
REDACTED = "Iemand van een gemeente zegt dat de regio te traag is."


def _states(app) -> dict[int, str]:
    return {c.id: c.moderation for c in _rows(app, Comment)}


def test_ticked_texts_are_included_at_once_in_one_audited_post(app, facilitator_client):
    first = _add_text(app, "urgentie", "Eerste tekst om op te nemen.")
    second = _add_text(app, "visie", "Tweede tekst om op te nemen.")
    untouched = _add_text(app, "urgentie", "Deze blijft wachten.")
    page = facilitator_client.get(f"{BASE}/toelichtingen")
    html = page.get_data(as_text=True)
    assert f'name="tekst" value="{text_ref(app, first)}"' in html

    response = facilitator_client.post(f"{BASE}/toelichtingen/gekozen", data={
        "csrf_token": csrf_token(page), "beoordeling": "included",
        "tekst": [text_ref(app, first), text_ref(app, second)]})

    assert response.status_code == 302
    states = _states(app)
    assert (states[first], states[second], states[untouched]) == (
        "included", "included", "pending")
    assert sorted(e.detail for e in _rows(app, AuditEvent, action="text_included")) == sorted(
        [f"#{text_ref(app, first)} (urgentie)", f"#{text_ref(app, second)} (visie)"])
    followed = facilitator_client.get(response.location).get_data(as_text=True)
    assert "2 toelichtingen zijn opgenomen" in followed
    report = _report(app)
    assert "Eerste tekst om op te nemen." in report and "Deze blijft wachten." not in report

    facilitator_client.post(f"{BASE}/toelichtingen/gekozen", data={
        "csrf_token": csrf_token(page), "beoordeling": "excluded", "tekst": [text_ref(app, first)]})
    assert _states(app)[first] == "excluded"


def test_ticking_a_text_of_another_scan_changes_nothing(app, facilitator_client):
    mine = _add_text(app, "urgentie", "Een tekst van deze scan.")
    page = facilitator_client.get(f"{BASE}/toelichtingen")
    response = facilitator_client.post(f"{BASE}/toelichtingen/gekozen", data={
        "csrf_token": csrf_token(page), "beoordeling": "included",
        "tekst": [text_ref(app, mine), text_ref(app, 999999)]})
    assert response.status_code == 404
    assert _states(app)[mine] == "pending"
    assert _rows(app, AuditEvent, action="text_included") == []


def test_ticking_nothing_or_nonsense_is_answered_plainly(app, facilitator_client):
    page = facilitator_client.get(f"{BASE}/toelichtingen")
    token = csrf_token(page)
    nothing = facilitator_client.post(f"{BASE}/toelichtingen/gekozen",
                                      data={"csrf_token": token, "beoordeling": "included"},
                                      follow_redirects=True)
    assert "Kies eerst een of meer toelichtingen" in nothing.get_data(as_text=True)
    for data in ({"beoordeling": "pending", "tekst": "1"},
                 {"beoordeling": "included", "tekst": "een"}):
        response = facilitator_client.post(f"{BASE}/toelichtingen/gekozen",
                                           data={"csrf_token": token, **data})
        assert response.status_code == 400


def test_a_text_that_may_identify_someone_is_excluded_when_first_seen(app, facilitator_client):
    flagged = _add_text(app, "urgentie", "Bel mij op 06-12345678.")
    quiet = _add_text(app, "urgentie", "De lijnen zijn kort.")
    included = _add_text(app, "visie", "Mail jan@dalfsen.nl, opgenomen door de begeleider.")
    with app.app_context():
        moderate(1, included, Moderation.INCLUDED)

    html = facilitator_client.get(f"{BASE}/toelichtingen").get_data(as_text=True)

    states = _states(app)
    assert (states[flagged], states[quiet], states[included]) == (
        "excluded", "pending", "included")
    item = html[html.index(f'id="tekst-{text_ref(app, flagged)}"'):]
    assert "<strong>Uitgesloten</strong>" in item[:item.index("</li>")]
    [event] = _rows(app, AuditEvent, action="text_excluded")
    assert event.detail == f"#{text_ref(app, flagged)} (urgentie): mogelijk herkenbaar"
    # The facilitator may still include it; seeing the page again does not undo that.
    page = facilitator_client.get(f"{BASE}/toelichtingen")
    facilitator_client.post(f"{BASE}/toelichtingen/{text_ref(app, flagged)}",
                            data={"csrf_token": csrf_token(page), "beoordeling": "included"})
    facilitator_client.get(f"{BASE}/toelichtingen")
    assert _states(app)[flagged] == "included"


def _redacted_and_included(app, facilitator_client) -> int:
    comment_id = _add_text(app, "urgentie", ORIGINAL)
    reference = text_ref(app, comment_id)
    page = facilitator_client.get(f"{BASE}/toelichtingen/{reference}/aanpassen")
    assert page.status_code == 200
    assert ORIGINAL in page.get_data(as_text=True)
    response = facilitator_client.post(f"{BASE}/toelichtingen/{reference}/aanpassen",
                                       data={"csrf_token": csrf_token(page), "text": REDACTED})
    assert response.status_code == 302
    facilitator_client.post(f"{BASE}/toelichtingen/{reference}",
                            data={"csrf_token": csrf_token(page), "beoordeling": "included"})
    return comment_id


def test_only_the_redacted_text_is_shown_anywhere(app, facilitator_client):
    comment_id = _redacted_and_included(app, facilitator_client)
    [stored] = _rows(app, Comment, id=comment_id)
    assert (stored.text, stored.redacted_text, stored.moderation) == (
        ORIGINAL, REDACTED, "included")
    assert [e.detail for e in _rows(app, AuditEvent, action="text_redacted")] == [
        f"#{text_ref(app, comment_id)} (urgentie)"]

    shown = {
        "moderation page": facilitator_client.get(f"{BASE}/toelichtingen").data,
        "redact page": facilitator_client.get(
            f"{BASE}/toelichtingen/{text_ref(app, comment_id)}/aanpassen").data,
        "discussion page": facilitator_client.get(f"{BASE}/bespreking").data,
        "projector": _every_slide(facilitator_client),
        "report": _report(app).encode(),
        "csv": facilitator_client.get(f"{BASE}/export.csv").data,
        "json": facilitator_client.get(f"{BASE}/export.json").data,
        "xlsx": json.dumps(xlsx_sheets(facilitator_client.get(f"{BASE}/export.xlsx").data),
                           ensure_ascii=False, default=str).encode(),
        "backup": _backup_json(app).encode(),
    }
    for where, body in shown.items():
        text = body.decode()
        assert "Iemand van een gemeente zegt" in text, where
        assert "Jan de Vries" not in text, where


def _backup_json(app) -> str:
    """The admin's backup of the demo, which moves a scan with its moderation."""
    with app.app_context():
        return backup.backup_json(backup.backup_document(read_session().get(Assessment, 1)))


def _every_slide(facilitator_client) -> bytes:
    """Every slide of the projector's deck, one after the other, as the room would see them."""
    token = csrf_token(facilitator_client.get(f"{BASE}/presentator"))
    facilitator_client.post(f"{BASE}/projector/stap", data={"csrf_token": token, "stap": "begin"})
    slides = []
    for _ in range(facilitator_client.get(f"{BASE}/projector.json").get_json()["total"]):
        slides.append(facilitator_client.get(f"{BASE}/projector/dia").data)
        facilitator_client.post(f"{BASE}/projector/stap",
                                data={"csrf_token": token, "stap": "volgende"})
    assert any(b'data-kind="texts"' in slide for slide in slides)
    return b"".join(slides)


def test_an_empty_redaction_is_refused_with_a_message(app, facilitator_client):
    comment_id = _add_text(app, "urgentie", ORIGINAL)
    reference = text_ref(app, comment_id)
    page = facilitator_client.get(f"{BASE}/toelichtingen/{reference}/aanpassen")
    response = facilitator_client.post(f"{BASE}/toelichtingen/{reference}/aanpassen",
                                       data={"csrf_token": csrf_token(page), "text": "   "})
    assert response.status_code == 400
    assert "Vul een tekst in" in response.get_data(as_text=True)
    assert _rows(app, Comment, id=comment_id)[0].redacted_text is None
    assert facilitator_client.get(f"{BASE}/toelichtingen/999999/aanpassen").status_code == 404


def test_the_original_of_a_redacted_text_is_purged_with_the_raw_answers(app, facilitator_client):
    comment_id = _redacted_and_included(app, facilitator_client)
    with app.app_context():
        management.set_status(1, Status.CLOSED)
        with write_transaction() as db:
            db.get(Assessment, 1).closed_at = utcnow() - timedelta(days=400)
        retention.purge(1)
    [stored] = _rows(app, Comment, id=comment_id)
    assert (stored.text, stored.redacted_text) == (REDACTED, None)
    with app.app_context():
        texts = read_session().scalars(select(Comment.text)).all()
    assert not any("Jan de Vries" in text for text in texts)
    assert "Iemand van een gemeente zegt" in _report(app)


def test_new_texts_appear_in_the_same_steps_as_the_figures(app, facilitator_client):
    """Watching the moderation page while people send in ties no text to who just sent in.

    While answering is open a text is listed only once its writer is counted in the results
    (steps of three, the most recent three waiting); closing lists them all.
    """
    from assessment import participation
    from assessment.participation import PageAnswers
    from tests.helpers import TRYOUT_ID

    moderation = f"/begeleider/scans/{TRYOUT_ID}/toelichtingen"
    seen: list[int] = []
    for number in range(1, 8):
        with app.app_context():
            token = participation.start(TRYOUT_ID)
            respondent = participation.find_respondent(token)
            assert respondent is not None
            participation.save_page(respondent.id, "urgentie", PageAnswers(
                texts={"urgentie": f"Toelichting nummer {number}."}))
            participation.submit(respondent.id)
        html = facilitator_client.get(moderation).get_data(as_text=True)
        seen.append(sum(f"Toelichting nummer {n}." in html for n in range(1, number + 1)))
    # 1..7 sent in: nothing until six (then the first three), never one or two at a time.
    assert seen == [0, 0, 0, 0, 0, 3, 3]
    with app.app_context():
        management.set_status(TRYOUT_ID, Status.CLOSED)
    html = facilitator_client.get(moderation).get_data(as_text=True)
    assert all(f"Toelichting nummer {n}." in html for n in range(1, 8))


def test_texts_are_named_by_references_that_hide_who_wrote_what_and_when(
        app, facilitator_client):
    topics = ["urgentie", "visie", "leiderschap", "sterkste-punt", "grootste-obstakel"]
    with app.app_context():
        wrote = select(Comment.respondent_id).where(Comment.topic_id.in_(topics))
        respondent_id = read_session().scalar(
            select(Respondent.id).where(Respondent.assessment_id == 1,
                                        Respondent.submitted_at.is_not(None),
                                        Respondent.id.not_in(wrote)).order_by(Respondent.id))
        assert respondent_id is not None
        # One participant's texts on one page, saved one after another: adjacent ids.
        with write_transaction() as session:
            written = [Comment(assessment_id=1, respondent_id=respondent_id, topic_id=topic,
                               text=f"Een tekst over {topic}.") for topic in topics]
            session.add_all(written)
            session.flush()
            ids = [comment.id for comment in written]
    assert ids == list(range(ids[0], ids[0] + len(ids)))

    page = facilitator_client.get(f"{BASE}/toelichtingen")
    html = page.get_data(as_text=True)

    shown = re.findall(r'name="tekst" value="([^"]*)"', html)
    assert {text_ref(app, i) for i in ids} <= set(shown)
    # Every element id, anchor and URL names a text by the same reference, never by its id.
    used = {name.removesuffix("-inhoud") for name in re.findall(
        r'(?:"tekst-|"kies-|/toelichtingen/)([\w-]+)', html)} - {"gekozen"}
    assert used == set(shown)
    assert not used & {str(comment.id) for comment in _rows(app, Comment)}
    # In the order the participant wrote them, the references show no order.
    references = [text_ref(app, i) for i in ids]
    assert references != sorted(references) and references != sorted(references, reverse=True)

    # A database id in place of a reference names nothing.
    token = csrf_token(page)
    assert facilitator_client.post(f"{BASE}/toelichtingen/{ids[0]}", data={
        "csrf_token": token, "beoordeling": "included"}).status_code == 404
    for crafted in (ids[0], "é" * 16, "x" * 500):
        assert facilitator_client.get(
            f"{BASE}/toelichtingen/{crafted}/aanpassen").status_code == 404
    assert facilitator_client.post(f"{BASE}/toelichtingen/gekozen", data={
        "csrf_token": token, "beoordeling": "included",
        "tekst": [str(i) for i in ids]}).status_code == 400
    assert {_states(app)[i] for i in ids} == {"pending"}
