"""Discuss and decide: notes and conclusions, actions, moderating texts, and the report."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from assessment import management
from assessment.db import read_session, write_transaction
from assessment.models import (
    ActionItem,
    Assessment,
    AuditEvent,
    Comment,
    LessonNote,
    Moderation,
    Respondent,
)
from reports.build import report_context, report_html
from tests.helpers import csrf_token, login

BASE = "/begeleider/scans/1"
PAYLOAD = "=cmd|' /C calc'!A0 <script>alert(1)</script>"
PAYLOAD_ESCAPED = "=cmd|&#39; /C calc&#39;!A0 &lt;script&gt;alert(1)&lt;/script&gt;"


def _report(app, assessment_id: int = 1) -> str:
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        return report_html(report_context(assessment), "/static/")


def _rows(app, model, **where) -> list:
    with app.app_context():
        query = select(model).filter_by(**where)
        return list(read_session().scalars(query))


def _add_text(app, topic: str, text: str, assessment_id: int = 1) -> int:
    """A free text by a submitted respondent who wrote nothing on ``topic`` yet."""
    with app.app_context():
        wrote = select(Comment.respondent_id).where(Comment.topic_id == topic)
        respondent_id = read_session().scalar(
            select(Respondent.id).where(Respondent.assessment_id == assessment_id,
                                        Respondent.submitted_at.is_not(None),
                                        Respondent.id.not_in(wrote)).order_by(Respondent.id))
        assert respondent_id is not None
        with write_transaction() as session:
            comment = Comment(assessment_id=assessment_id, respondent_id=respondent_id,
                              topic_id=topic, text=text)
            session.add(comment)
            session.flush()
            return comment.id


def _note_form(token: str, lesson: str, notes: str, conclusion: str) -> dict[str, str]:
    return {f"les-{lesson}-csrf_token": token, f"les-{lesson}-notes": notes,
            f"les-{lesson}-conclusion": conclusion}


def _action_form(token: str, action: str, owner: str = "", term: str = "",
                 lesson: str = "") -> dict[str, str]:
    return {"csrf_token": token, "action": action, "owner": owner, "term": term,
            "lesson": lesson}


# -- notes and conclusions ---------------------------------------------------------------


def test_notes_are_saved_shown_and_in_the_report(app, facilitator_client):
    page = facilitator_client.get(f"{BASE}/bespreking")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Les 1: Urgentie" in html
    assert "Score <strong>4,2</strong>" in html   # the lesson's score for context
    response = facilitator_client.post(f"{BASE}/bespreking/urgentie", data=_note_form(
        csrf_token(page), "urgentie", "Iedereen voelt de urgentie.", "We houden dit vast."))
    assert response.status_code == 302
    assert response.location.endswith("/bespreking#les-urgentie")
    html = facilitator_client.get(response.location).get_data(as_text=True)
    assert "Iedereen voelt de urgentie." in html
    assert "We houden dit vast." in html
    assert "zijn opgeslagen" in html
    [note] = _rows(app, LessonNote, assessment_id=1)
    assert (note.lesson_id, note.notes, note.conclusion) == (
        "urgentie", "Iedereen voelt de urgentie.", "We houden dit vast.")
    report = _report(app)
    assert "Uit de bijeenkomst" in report
    assert "Iedereen voelt de urgentie." in report
    assert "We houden dit vast." in report
    assert [e.detail for e in _rows(app, AuditEvent, action="notes_saved")] == ["urgentie"]


def test_saving_again_updates_the_one_row_of_the_lesson(app, facilitator_client):
    token = csrf_token(facilitator_client.get(f"{BASE}/bespreking"))
    for notes in ("Eerste versie.", "Tweede versie."):
        response = facilitator_client.post(f"{BASE}/bespreking/visie", data=_note_form(
            token, "visie", notes, ""))
        assert response.status_code == 302
    facilitator_client.post(f"{BASE}/bespreking/focus", data=_note_form(
        token, "focus", "", "Focus op wonen."))
    rows = _rows(app, LessonNote)
    assert len(rows) == 2
    notes = {n.lesson_id: (n.notes, n.conclusion) for n in rows}
    assert notes == {"visie": ("Tweede versie.", ""), "focus": ("", "Focus op wonen.")}
    report = _report(app)
    assert "Tweede versie." in report
    assert "Eerste versie." not in report


def test_notes_for_an_unknown_lesson_or_too_long_are_refused(app, facilitator_client):
    token = csrf_token(facilitator_client.get(f"{BASE}/bespreking"))
    response = facilitator_client.post(f"{BASE}/bespreking/bestaat-niet", data=_note_form(
        token, "bestaat-niet", "x", ""))
    assert response.status_code == 404
    response = facilitator_client.post(f"{BASE}/bespreking/visie", data=_note_form(
        token, "visie", "x" * 5001, ""))
    assert response.status_code == 400
    assert "Gebruik hoogstens 5000 tekens." in response.get_data(as_text=True)
    assert _rows(app, LessonNote) == []


# -- actions -----------------------------------------------------------------------------


def test_an_action_is_stored_as_text_and_escaped_on_the_page_and_in_the_report(
        app, facilitator_client):
    page = facilitator_client.get(f"{BASE}/acties")
    assert page.status_code == 200
    assert "Nog geen acties vastgelegd." in page.get_data(as_text=True)
    response = facilitator_client.post(f"{BASE}/acties", data=_action_form(
        csrf_token(page), PAYLOAD, owner="<b>Wethouder</b>", term="vóór 1 juli",
        lesson="urgentie"))
    assert response.status_code == 302
    [item] = _rows(app, ActionItem, assessment_id=1)
    assert (item.action, item.owner, item.term, item.lesson_id) == (
        PAYLOAD, "<b>Wethouder</b>", "vóór 1 juli", "urgentie")
    html = facilitator_client.get(f"{BASE}/acties").get_data(as_text=True)
    assert PAYLOAD_ESCAPED in html
    assert "&lt;b&gt;Wethouder&lt;/b&gt;" in html
    assert "<script>alert" not in html
    report = _report(app)
    assert "De afspraken uit de bijeenkomst." in report
    assert (f"<td>{PAYLOAD_ESCAPED}</td><td>&lt;b&gt;Wethouder&lt;/b&gt;</td>"
            "<td>vóór 1 juli</td><td>Urgentie</td>") in report
    assert "<script>alert" not in report
    assert len(_rows(app, AuditEvent, action="action_added")) == 1


def test_an_action_can_be_changed_and_deleted(app, facilitator_client):
    token = csrf_token(facilitator_client.get(f"{BASE}/acties"))
    facilitator_client.post(f"{BASE}/acties", data=_action_form(
        token, "Regioavond voor raadsleden", "Griffiers", "najaar", "legitimiteit"))
    [item] = _rows(app, ActionItem)
    edit = facilitator_client.get(f"{BASE}/acties/{item.id}")
    assert edit.status_code == 200
    edit_html = edit.get_data(as_text=True)
    assert "Actie wijzigen" in edit_html
    assert '<option selected value="legitimiteit">' in edit_html
    response = facilitator_client.post(f"{BASE}/acties/{item.id}", data=_action_form(
        token, "Twee regioavonden voor raadsleden", "Griffiers", "voor 1 oktober", ""))
    assert response.status_code == 302
    [changed] = _rows(app, ActionItem)
    assert (changed.action, changed.term, changed.lesson_id) == (
        "Twee regioavonden voor raadsleden", "voor 1 oktober", None)
    assert "<td>Twee regioavonden voor raadsleden</td><td>Griffiers</td>" in _report(app)
    response = facilitator_client.post(f"{BASE}/acties/{item.id}/verwijderen",
                                       data={"csrf_token": token})
    assert response.status_code == 302
    assert _rows(app, ActionItem) == []
    report = _report(app)
    assert "Twee regioavonden" not in report
    assert "nog geen acties vastgelegd" in report
    assert {e.action for e in _rows(app, AuditEvent, assessment_id=1)} >= {
        "action_added", "action_changed", "action_deleted"}


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "   "}, "Beschrijf de actie."),
    ({"action": "x" * 1001}, "Gebruik hoogstens 1000 tekens."),
    ({"action": "Iets", "owner": "x" * 201}, "Gebruik hoogstens 200 tekens."),
    ({"action": "Iets", "term": "x" * 101}, "Gebruik hoogstens 100 tekens."),
    ({"action": "Iets", "lesson": "bestaat-niet"}, "Bij welke les: Ongeldige keuze"),
])
def test_an_invalid_action_is_refused_with_a_message(app, facilitator_client, data, message):
    token = csrf_token(facilitator_client.get(f"{BASE}/acties"))
    response = facilitator_client.post(f"{BASE}/acties", data={"csrf_token": token, **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _rows(app, ActionItem) == []


# -- moderation --------------------------------------------------------------------------


def test_only_included_texts_reach_the_report(app, facilitator_client):
    pending = _add_text(app, "urgentie", "Tekst die nog wacht op beoordeling.")
    included = _add_text(app, "urgentie", "Tekst die is opgenomen.")
    excluded = _add_text(app, "urgentie", "Tekst die is uitgesloten.")
    page = facilitator_client.get(f"{BASE}/toelichtingen")
    assert page.status_code == 200
    token = csrf_token(page)
    for comment_id, decision in ((included, "included"), (excluded, "excluded")):
        response = facilitator_client.post(f"{BASE}/toelichtingen/{comment_id}",
                                           data={"csrf_token": token, "beoordeling": decision})
        assert response.status_code == 302
        assert response.location.endswith(f"/toelichtingen#tekst-{comment_id}")
    states = {c.id: c.moderation for c in _rows(app, Comment, topic_id="urgentie")}
    assert states == {pending: "pending", included: "included", excluded: "excluded"}
    report = _report(app)
    assert "Tekst die is opgenomen." in report
    assert "Tekst die nog wacht op beoordeling." not in report
    assert "Tekst die is uitgesloten." not in report
    html = facilitator_client.get(f"{BASE}/toelichtingen").get_data(as_text=True)
    for comment_id, state in ((pending, "Nog niet beoordeeld"), (included, "Opgenomen"),
                              (excluded, "Uitgesloten")):
        item = html[html.index(f'id="tekst-{comment_id}"'):]
        item = item[:item.index("</li>")]
        assert f"<strong>{state}</strong>" in item
    assert [e.detail for e in _rows(app, AuditEvent, action="text_included")] == [
        f"#{included} (urgentie)"]


def test_a_text_excluded_after_inclusion_leaves_the_report(app, facilitator_client):
    comment_id = _add_text(app, "sterkste-punt", "Eerst opgenomen, later uitgesloten.")
    token = csrf_token(facilitator_client.get(f"{BASE}/toelichtingen"))
    url = f"{BASE}/toelichtingen/{comment_id}"
    facilitator_client.post(url, data={"csrf_token": token, "beoordeling": "included"})
    assert "Eerst opgenomen, later uitgesloten." in _report(app)
    facilitator_client.post(url, data={"csrf_token": token, "beoordeling": "excluded"})
    assert "Eerst opgenomen, later uitgesloten." not in _report(app)


def test_warnings_are_shown_beside_a_text(app, facilitator_client):
    with app.app_context(), write_transaction() as session:
        session.get(Assessment, 1).organisations = "Gemeente Dalfsen\nProvincie Overijssel"
    email = _add_text(app, "urgentie", "Mail mij: jan@dalfsen.nl")
    phone = _add_text(app, "urgentie", "Bel 06-12345678")
    organisation = _add_text(app, "urgentie", "Bij gemeente Dalfsen weten ze het niet.")
    quiet = _add_text(app, "urgentie", "In 2026 zijn we 12,5% verder.")
    html = facilitator_client.get(f"{BASE}/toelichtingen").get_data(as_text=True)

    def item(comment_id: int) -> str:
        part = html[html.index(f'id="tekst-{comment_id}"'):]
        return part[:part.index("</li>")]

    assert "Bevat mogelijk een e-mailadres" in item(email)
    assert "Bevat mogelijk een telefoonnummer" in item(phone)
    assert ("Noemt een deelnemende organisatie, terwijl de groepen klein zijn: Gemeente Dalfsen"
            in item(organisation))
    assert "Bevat mogelijk" not in item(quiet)
    assert "Noemt een" not in item(quiet)
    # The demo has organisation types with fewer than 5 respondents.
    assert "minder dan 5 mensen" in html


def test_bad_moderation_decisions_are_refused(app, facilitator_client):
    comment_id = _add_text(app, "urgentie", "Een tekst.")
    token = csrf_token(facilitator_client.get(f"{BASE}/toelichtingen"))
    for decision in ("pending", "", "opnemen"):
        response = facilitator_client.post(f"{BASE}/toelichtingen/{comment_id}",
                                           data={"csrf_token": token, "beoordeling": decision})
        assert response.status_code == 400
    response = facilitator_client.post(f"{BASE}/toelichtingen/999999",
                                       data={"csrf_token": token, "beoordeling": "included"})
    assert response.status_code == 404
    [comment] = _rows(app, Comment, id=comment_id)
    assert comment.moderation == Moderation.PENDING


# -- access and CSRF ---------------------------------------------------------------------


def _other_assessment_with_text(app, open_assessment) -> int:
    """A free text in another facilitator's assessment; returns its id."""
    with app.app_context(), write_transaction() as session:
        respondent = Respondent(assessment_id=open_assessment["id"], token_hash="f" * 64,
                                submitted_at=func.now())
        session.add(respondent)
        session.flush()
        comment = Comment(assessment_id=open_assessment["id"], respondent_id=respondent.id,
                          topic_id="urgentie", text="Tekst van een andere scan.")
        session.add(comment)
        session.flush()
        return comment.id


def _our_action(app) -> int:
    with app.app_context(), write_transaction() as session:
        item = ActionItem(assessment_id=1, action="Onze actie")
        session.add(item)
        session.flush()
        return item.id


def test_another_facilitator_gets_404_everywhere(app, client, demo, open_assessment):
    comment_id = _add_text(app, "urgentie", "Een tekst van de demo.")
    action_id = _our_action(app)
    login(client, "begeleider@example.nl", "lang-genoeg-wachtwoord")
    token = csrf_token(client.get("/begeleider/"))
    for url in (f"{BASE}/bespreking", f"{BASE}/acties", f"{BASE}/acties/{action_id}",
                f"{BASE}/toelichtingen"):
        assert client.get(url).status_code == 404, url
    posts = {
        f"{BASE}/bespreking/urgentie": _note_form(token, "urgentie", "Ingebroken", ""),
        f"{BASE}/acties": _action_form(token, "Ingebroken"),
        f"{BASE}/acties/{action_id}": _action_form(token, "Ingebroken"),
        f"{BASE}/acties/{action_id}/verwijderen": {"csrf_token": token},
        f"{BASE}/toelichtingen/{comment_id}": {"csrf_token": token, "beoordeling": "included"},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 404, url
    assert _rows(app, LessonNote) == []
    assert [a.action for a in _rows(app, ActionItem)] == ["Onze actie"]
    assert _rows(app, Comment, id=comment_id)[0].moderation == Moderation.PENDING


def test_a_co_facilitator_may_discuss_and_decide(app, client, demo, open_assessment):
    with app.app_context():
        management.share(1, "begeleider@example.nl", None)
    login(client, "begeleider@example.nl", "lang-genoeg-wachtwoord")
    page = client.get(f"{BASE}/acties")
    assert page.status_code == 200
    response = client.post(f"{BASE}/acties", data=_action_form(csrf_token(page), "Samen"))
    assert response.status_code == 302
    assert [a.action for a in _rows(app, ActionItem)] == ["Samen"]


def test_pages_need_a_login(client, demo):
    for url in (f"{BASE}/bespreking", f"{BASE}/acties", f"{BASE}/toelichtingen"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/begeleider/inloggen" in response.location


def test_posts_without_a_csrf_token_are_refused(app, facilitator_client):
    comment_id = _add_text(app, "urgentie", "Een tekst.")
    action_id = _our_action(app)
    posts = {
        f"{BASE}/bespreking/urgentie": {"les-urgentie-notes": "Zonder token"},
        f"{BASE}/acties": {"action": "Zonder token"},
        f"{BASE}/acties/{action_id}": {"action": "Zonder token"},
        f"{BASE}/acties/{action_id}/verwijderen": {},
        f"{BASE}/toelichtingen/{comment_id}": {"beoordeling": "included"},
    }
    for url, data in posts.items():
        assert facilitator_client.post(url, data=data).status_code == 400, url
    assert _rows(app, LessonNote) == []
    assert [a.action for a in _rows(app, ActionItem)] == ["Onze actie"]
    assert _rows(app, Comment, id=comment_id)[0].moderation == Moderation.PENDING


def test_ids_of_another_assessment_cannot_be_used_through_this_one(
        app, facilitator_client, open_assessment):
    other_comment = _other_assessment_with_text(app, open_assessment)
    with app.app_context(), write_transaction() as session:
        other_action = ActionItem(assessment_id=open_assessment["id"], action="Hun actie")
        session.add(other_action)
        session.flush()
        other_action_id = other_action.id
    token = csrf_token(facilitator_client.get(f"{BASE}/toelichtingen"))
    response = facilitator_client.post(f"{BASE}/toelichtingen/{other_comment}",
                                       data={"csrf_token": token, "beoordeling": "included"})
    assert response.status_code == 404
    assert _rows(app, Comment, id=other_comment)[0].moderation == Moderation.PENDING
    assert facilitator_client.get(f"{BASE}/acties/{other_action_id}").status_code == 404
    assert facilitator_client.post(f"{BASE}/acties/{other_action_id}", data=_action_form(
        token, "Overgenomen")).status_code == 404
    assert facilitator_client.post(f"{BASE}/acties/{other_action_id}/verwijderen",
                                   data={"csrf_token": token}).status_code == 404
    assert [a.action for a in _rows(app, ActionItem)] == ["Hun actie"]


def test_pages_of_an_assessment_without_answers(app, client, open_assessment):
    login(client, "begeleider@example.nl", "lang-genoeg-wachtwoord")
    base = f"/begeleider/scans/{open_assessment['id']}"
    html = client.get(f"{base}/bespreking").get_data(as_text=True)
    assert "Nog geen uitkomsten" in html
    assert "Les 1: Urgentie" in html
    html = client.get(f"{base}/toelichtingen").get_data(as_text=True)
    assert "Geen toelichtingen." in html
    assert "nog geen deelnemende organisaties ingevuld" in html
    assert "Nog geen acties vastgelegd." in client.get(f"{base}/acties").get_data(as_text=True)


def test_the_scan_page_links_to_the_three_pages(facilitator_client):
    html = facilitator_client.get(BASE).get_data(as_text=True)
    for url in (f"{BASE}/bespreking", f"{BASE}/acties", f"{BASE}/toelichtingen"):
        assert f'href="{url}"' in html
