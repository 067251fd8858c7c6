"""Discuss and decide: notes and conclusions, actions, moderating texts, and the report."""

from __future__ import annotations

import re
from html import unescape

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
from tests.helpers import csrf_token, login, text_ref

BASE = "/begeleider/scans/1"
PAYLOAD = "=cmd|' /C calc'!A0 <script>alert(1)</script>"
PAYLOAD_ESCAPED = "=cmd|&#39; /C calc&#39;!A0 &lt;script&gt;alert(1)&lt;/script&gt;"


def _report(app, assessment_id: int = 1) -> str:
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        return report_html(report_context(assessment), "/static/")


def _rows(app, model, **where) -> list:
    with app.app_context():
        query = select(model).filter_by(**where).order_by(model.id)
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
    """The notes page's form with one lesson sent (a browser sends every lesson)."""
    return {"csrf_token": token, f"les-{lesson}-notes": notes,
            f"les-{lesson}-conclusion": conclusion}


def _page_form(page) -> dict[str, str]:
    """Every field of a page's one form as the browser would send it untouched."""
    html = page.get_data(as_text=True)
    form = {name: unescape(value) for name, value in re.findall(
        r'<input[^>]*name="([^"]+)"[^>]*type="hidden" value="([^"]*)"', html)}
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?([^<]*)</textarea>',
                                  html):
        form[name] = unescape(value)
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="text" value="([^"]*)"',
                                  html):
        form[name] = unescape(value)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html,
                                    re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', options)
        form[name] = chosen[1] if chosen else ""
    form["csrf_token"] = csrf_token(page)
    return form


def _action_form(token: str, action: str, owner: str = "", term: str = "",
                 lesson: str = "") -> dict[str, str]:
    """The actions page's form with only the row for a new action filled in."""
    return {"csrf_token": token, "action": action, "owner": owner, "term": term,
            "lesson": lesson}


# -- notes and conclusions ---------------------------------------------------------------


def test_notes_are_saved_shown_and_in_the_report(app, facilitator_client):
    page = facilitator_client.get(f"{BASE}/bespreking")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Les 1: Urgentie" in html
    assert "Score <strong>4,2</strong>" in html   # the lesson's score for context
    assert html.count('<form method="post" action="/begeleider/scans/1/bespreking"') == 1
    assert re.search(r'<script src="/static/unsaved.js[^"]*" defer>', html)
    response = facilitator_client.post(f"{BASE}/bespreking", data=_note_form(
        csrf_token(page), "urgentie", "Iedereen voelt de urgentie.", "We houden dit vast."))
    assert response.status_code == 302
    assert response.location.endswith("/bespreking")
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


def test_one_save_writes_every_changed_lesson_and_only_those(app, facilitator_client):
    page = facilitator_client.get(f"{BASE}/bespreking")
    form = _page_form(page)
    assert form["les-visie-notes"] == "" and form["les-focus-conclusion"] == ""
    assert form["les-visie-shown"]  # the version shown goes back with every lesson
    form |= {"les-visie-notes": "Eerste versie.", "les-focus-conclusion": "Focus op wonen."}
    assert facilitator_client.post(f"{BASE}/bespreking", data=form).status_code == 302
    notes = {n.lesson_id: (n.notes, n.conclusion) for n in _rows(app, LessonNote)}
    assert notes == {"visie": ("Eerste versie.", ""), "focus": ("", "Focus op wonen.")}
    assert sorted(e.detail for e in _rows(app, AuditEvent, action="notes_saved")) == [
        "focus", "visie"]

    # Browsers send line ends as \r\n: the same text again is no change.
    form = _page_form(facilitator_client.get(f"{BASE}/bespreking"))
    form["les-visie-notes"] = "Tweede versie.\r\nMet een tweede regel."
    response = facilitator_client.post(f"{BASE}/bespreking", data=form, follow_redirects=True)
    assert "zijn opgeslagen" in response.get_data(as_text=True)
    form = _page_form(facilitator_client.get(f"{BASE}/bespreking"))
    form["les-visie-notes"] = form["les-visie-notes"].replace("\n", "\r\n")
    response = facilitator_client.post(f"{BASE}/bespreking", data=form, follow_redirects=True)
    assert "er is niets opgeslagen" in response.get_data(as_text=True)
    rows = _rows(app, LessonNote)
    assert len(rows) == 2
    assert {n.lesson_id: n.notes for n in rows}["visie"] == (
        "Tweede versie.\nMet een tweede regel.")
    assert len(_rows(app, AuditEvent, action="notes_saved")) == 3
    report = _report(app)
    assert "Tweede versie." in report
    assert "Eerste versie." not in report


def test_a_save_does_not_put_an_old_copy_over_a_colleague_s_newer_notes(
        app, facilitator_client):
    mine = _page_form(facilitator_client.get(f"{BASE}/bespreking"))
    colleague = _page_form(facilitator_client.get(f"{BASE}/bespreking"))
    colleague["les-urgentie-notes"] = "Van de collega."
    assert facilitator_client.post(f"{BASE}/bespreking", data=colleague).status_code == 302
    mine["les-visie-notes"] = "Van mij."  # my page still shows lesson 1 empty
    assert facilitator_client.post(f"{BASE}/bespreking", data=mine).status_code == 302
    notes = {n.lesson_id: n.notes for n in _rows(app, LessonNote)}
    assert notes == {"urgentie": "Van de collega.", "visie": "Van mij."}


def test_notes_too_long_are_refused_with_everything_typed_kept(app, facilitator_client):
    form = _page_form(facilitator_client.get(f"{BASE}/bespreking"))
    form |= {"les-urgentie-notes": "Blijft staan.", "les-visie-notes": "x" * 5001,
             "les-focus-conclusion": "y" * 5001}
    response = facilitator_client.post(f"{BASE}/bespreking", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<a href="#les-visie-notes">Les 2 – Notities: Gebruik hoogstens 5000 tekens.</a>' in html
    assert '<a href="#les-focus-conclusion">Les 5 – Conclusie van de groep: Gebruik' in html
    assert "Blijft staan." in html and "x" * 5001 in html
    assert "data-unsaved" in html  # the page warns before leaving: nothing was saved
    assert _rows(app, LessonNote) == []


def test_a_lesson_the_questionnaire_lacks_is_ignored(app, facilitator_client):
    token = csrf_token(facilitator_client.get(f"{BASE}/bespreking"))
    response = facilitator_client.post(f"{BASE}/bespreking", data=_note_form(
        token, "bestaat-niet", "x", ""))
    assert response.status_code == 302
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


def test_actions_are_changed_added_and_removed_in_one_save(app, facilitator_client):
    token = csrf_token(facilitator_client.get(f"{BASE}/acties"))
    for action in ("Regioavond voor raadsleden", "Visie schrijven", "Oude actie"):
        facilitator_client.post(f"{BASE}/acties", data=_action_form(token, action,
                                                                    lesson="legitimiteit"))
    first, second, third = (item.id for item in _rows(app, ActionItem))
    page = facilitator_client.get(f"{BASE}/acties")
    html = page.get_data(as_text=True)
    assert html.count('<option selected value="legitimiteit">') == 3
    assert re.search(r'<script src="/static/unsaved.js[^"]*" defer>', html)
    form = _page_form(page)
    form |= {f"actie-{first}-action": "Twee regioavonden voor raadsleden",
             f"actie-{first}-term": "voor 1 oktober", f"actie-{first}-lesson": "",
             f"actie-{third}-remove": "y", "action": "Subsidie aanvragen", "owner": "Provincie"}
    response = facilitator_client.post(f"{BASE}/acties", data=form)
    assert response.status_code == 302
    items = {item.action: item for item in _rows(app, ActionItem)}
    assert set(items) == {"Twee regioavonden voor raadsleden", "Visie schrijven",
                          "Subsidie aanvragen"}
    changed, kept = items["Twee regioavonden voor raadsleden"], items["Visie schrijven"]
    added = items["Subsidie aanvragen"]
    assert (changed.id, changed.term, changed.lesson_id) == (first, "voor 1 oktober", None)
    assert (kept.id, kept.lesson_id) == (second, "legitimiteit")
    assert (added.owner, added.lesson_id) == ("Provincie", None)
    assert "Twee regioavonden voor raadsleden" in _report(app)
    assert "Oude actie" not in _report(app)
    events = [e.action for e in _rows(app, AuditEvent, assessment_id=1)]
    assert events.count("action_changed") == 1  # the untouched row is not written
    assert events.count("action_deleted") == 1
    assert events.count("action_added") == 4


def test_a_row_a_colleague_deleted_meanwhile_keeps_what_was_typed(app, facilitator_client):
    token = csrf_token(facilitator_client.get(f"{BASE}/acties"))
    facilitator_client.post(f"{BASE}/acties", data=_action_form(token, "Regioavond"))
    facilitator_client.post(f"{BASE}/acties", data=_action_form(token, "Visie"))
    first, second = (item.id for item in _rows(app, ActionItem))
    mine = _page_form(facilitator_client.get(f"{BASE}/acties"))
    colleague = _page_form(facilitator_client.get(f"{BASE}/acties"))
    colleague |= {f"actie-{first}-remove": "y", f"actie-{second}-remove": "y"}
    assert facilitator_client.post(f"{BASE}/acties", data=colleague).status_code == 302
    assert _rows(app, ActionItem) == []
    mine[f"actie-{first}-action"] = "Twee regioavonden"  # changed: kept, as a new action
    assert facilitator_client.post(f"{BASE}/acties", data=mine).status_code == 302
    assert [item.action for item in _rows(app, ActionItem)] == ["Twee regioavonden"]


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "   ", "owner": "Iemand"}, "Nieuwe actie – Actie: Beschrijf de actie."),
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


def test_an_emptied_action_is_refused_and_nothing_of_the_page_is_saved(
        app, facilitator_client):
    token = csrf_token(facilitator_client.get(f"{BASE}/acties"))
    facilitator_client.post(f"{BASE}/acties", data=_action_form(token, "Regioavond"))
    [item] = _rows(app, ActionItem)
    form = _page_form(facilitator_client.get(f"{BASE}/acties"))
    form |= {f"actie-{item.id}-action": " ", "action": "Nieuw en goed"}
    response = facilitator_client.post(f"{BASE}/acties", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert (f'<a href="#actie-{item.id}-action">Actie 1 – Actie: Beschrijf de actie, of kies '
            "‘Verwijderen’.</a>") in html
    assert "Nieuw en goed" in html
    assert [i.action for i in _rows(app, ActionItem)] == ["Regioavond"]
    form |= {f"actie-{item.id}-remove": "y"}
    assert facilitator_client.post(f"{BASE}/acties", data=form).status_code == 302
    assert [i.action for i in _rows(app, ActionItem)] == ["Nieuw en goed"]


def test_an_empty_new_row_adds_nothing(app, facilitator_client):
    token = csrf_token(facilitator_client.get(f"{BASE}/acties"))
    response = facilitator_client.post(f"{BASE}/acties", data=_action_form(token, "  "),
                                       follow_redirects=True)
    assert "er is niets opgeslagen" in response.get_data(as_text=True)
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
        response = facilitator_client.post(f"{BASE}/toelichtingen/{text_ref(app, comment_id)}",
                                           data={"csrf_token": token, "beoordeling": decision})
        assert response.status_code == 302
        assert response.location.endswith(f"/toelichtingen#tekst-{text_ref(app, comment_id)}")
    states = {c.id: c.moderation for c in _rows(app, Comment, topic_id="urgentie")}
    assert states == {pending: "pending", included: "included", excluded: "excluded"}
    report = _report(app)
    assert "Tekst die is opgenomen." in report
    assert "Tekst die nog wacht op beoordeling." not in report
    assert "Tekst die is uitgesloten." not in report
    html = facilitator_client.get(f"{BASE}/toelichtingen").get_data(as_text=True)
    for comment_id, state in ((pending, "Nog niet beoordeeld"), (included, "Opgenomen"),
                              (excluded, "Uitgesloten")):
        item = html[html.index(f'id="tekst-{text_ref(app, comment_id)}"'):]
        item = item[:item.index("</li>")]
        assert f"<strong>{state}</strong>" in item
    assert [e.detail for e in _rows(app, AuditEvent, action="text_included")] == [
        f"#{text_ref(app, included)} (urgentie)"]


def test_a_text_excluded_after_inclusion_leaves_the_report(app, facilitator_client):
    comment_id = _add_text(app, "sterkste-punt", "Eerst opgenomen, later uitgesloten.")
    token = csrf_token(facilitator_client.get(f"{BASE}/toelichtingen"))
    url = f"{BASE}/toelichtingen/{text_ref(app, comment_id)}"
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
        part = html[html.index(f'id="tekst-{text_ref(app, comment_id)}"'):]
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
        response = facilitator_client.post(f"{BASE}/toelichtingen/{text_ref(app, comment_id)}",
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
    for url in (f"{BASE}/bespreking", f"{BASE}/acties", f"{BASE}/toelichtingen"):
        assert client.get(url).status_code == 404, url
    posts = {
        f"{BASE}/bespreking": _note_form(token, "urgentie", "Ingebroken", ""),
        f"{BASE}/acties": {**_action_form(token, "Ingebroken"),
                           f"actie-{action_id}-action": "Ingebroken",
                           f"actie-{action_id}-shown": ""},
        f"{BASE}/toelichtingen/{text_ref(app, comment_id)}": {"csrf_token": token,
                                                               "beoordeling": "included"},
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
        f"{BASE}/bespreking": {"les-urgentie-notes": "Zonder token"},
        f"{BASE}/acties": {"action": "Zonder token", f"actie-{action_id}-remove": "y",
                           f"actie-{action_id}-shown": ""},
        f"{BASE}/toelichtingen/{text_ref(app, comment_id)}": {"beoordeling": "included"},
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
    theirs = text_ref(app, other_comment, open_assessment["id"])
    response = facilitator_client.post(f"{BASE}/toelichtingen/{theirs}",
                                       data={"csrf_token": token, "beoordeling": "included"})
    assert response.status_code == 404
    assert _rows(app, Comment, id=other_comment)[0].moderation == Moderation.PENDING
    # Their action's id in our page's form: not ours, so neither changed nor removed.
    response = facilitator_client.post(f"{BASE}/acties", data={
        "csrf_token": token, f"actie-{other_action_id}-action": "Overgenomen",
        f"actie-{other_action_id}-shown": ""})
    assert response.status_code == 302
    response = facilitator_client.post(f"{BASE}/acties", data={
        "csrf_token": token, f"actie-{other_action_id}-action": "Hun actie",
        f"actie-{other_action_id}-remove": "y", f"actie-{other_action_id}-shown": ""})
    assert response.status_code == 302
    # Typed text is never lost: it became an action of ours; theirs is untouched.
    assert [a.action for a in _rows(app, ActionItem, assessment_id=1)] == ["Overgenomen"]
    assert [a.action for a in _rows(app, ActionItem, assessment_id=open_assessment["id"])
            ] == ["Hun actie"]


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


@pytest.mark.parametrize(("page", "typed"), [
    ("bespreking", {"les-visie-notes": "Lang over nagedacht."}),
    ("acties", {"action": "Lang over nagedacht."}),
])
def test_an_expired_form_keeps_everything_typed(app, facilitator_client, page, typed):
    form = _page_form(facilitator_client.get(f"{BASE}/{page}"))
    response = facilitator_client.post(f"{BASE}/{page}",
                                       data={**form, **typed, "csrf_token": "verlopen"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Het formulier was verlopen. Probeer het nog een keer." in html
    assert "Lang over nagedacht." in html
    assert _rows(app, LessonNote) == [] and _rows(app, ActionItem) == []
    # The page carries a fresh token: sending it again saves.
    again = facilitator_client.post(f"{BASE}/{page}",
                                    data={**form, **typed, "csrf_token": csrf_token(response)})
    assert again.status_code == 302
    assert _rows(app, LessonNote) or _rows(app, ActionItem)
