"""Notes and actions pages: one form saves everything typed, and leaving unsaved text warns."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.audit import Findings
from tests.browser.conftest import Demo, LiveServer, new_assessment

pytestmark = pytest.mark.browser


def _notes(live_server: LiveServer, assessment_id: int) -> dict[str, tuple[str, str]]:
    from assessment import discussion

    with live_server.app.app_context():
        return discussion.lesson_notes(assessment_id)


def _actions(live_server: LiveServer, assessment_id: int) -> list[tuple[str, str, str]]:
    from assessment import discussion

    with live_server.app.app_context():
        return [(item.action, item.owner, item.term)
                for item in discussion.actions(assessment_id)]


def _add_actions(live_server: LiveServer, assessment_id: int, *texts: str) -> None:
    from assessment import discussion
    from assessment.db import read_session
    from assessment.models import Assessment

    with live_server.app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        assert assessment is not None
        for text in texts:
            discussion.add_action(assessment, discussion.ActionInput(action=text), None)


def _lesson(page: Any, number: int) -> Any:
    return page.get_by_role("region", name=re.compile(rf"^Les {number}:"))


def test_notes_of_two_lessons_are_saved_by_the_one_button(
    facilitator: Any, live_server: LiveServer, demo_ids: Demo
) -> None:
    """Typing in lesson 1 and lesson 2 and saving once keeps both; an error keeps both too."""
    assessment_id, _code = new_assessment(live_server, demo_ids.facilitator_id, "Notities")
    page = facilitator
    page.goto(f"/begeleider/scans/{assessment_id}/bespreking")
    _lesson(page, 1).get_by_label("Notities").fill("De urgentie wordt breed gevoeld.")
    _lesson(page, 2).get_by_label("Conclusie van de groep").fill("We maken één visie.")
    too_long = _lesson(page, 3).get_by_label("Notities")
    too_long.evaluate("box => box.removeAttribute('maxlength')")  # as an old browser would
    too_long.fill("x" * 5001)
    page.get_by_role("button", name="Opslaan").last.click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(_lesson(page, 1).get_by_label("Notities")).to_have_value(
        "De urgentie wordt breed gevoeld.")
    expect(_lesson(page, 2).get_by_label("Conclusie van de groep")).to_have_value(
        "We maken één visie.")
    assert _notes(live_server, assessment_id) == {}
    findings = Findings()
    findings.check(page, "notes with an error")
    findings.assert_clean()
    summary.get_by_role("link").click()
    expect(_lesson(page, 3).get_by_label("Notities")).to_be_focused()
    _lesson(page, 3).get_by_label("Notities").fill("Kort.")

    page.get_by_role("button", name="Opslaan").last.click()
    expect(page.locator(".notice-success")).to_contain_text(
        "opgeslagen")
    assert _notes(live_server, assessment_id) == {
        "urgentie": ("De urgentie wordt breed gevoeld.", ""),
        "visie": ("", "We maken één visie."),
        "leiderschap": ("Kort.", ""),
    }
    expect(_lesson(page, 1).get_by_label("Notities")).to_have_value(
        "De urgentie wordt breed gevoeld.")
    expect(page.get_by_role("button", name="Opslaan")).to_have_count(1)


def test_two_actions_changed_and_one_added_are_saved_at_once(
    facilitator: Any, live_server: LiveServer, demo_ids: Demo
) -> None:
    """Every row of the actions page is one form: edits, a new row and a removal in one save."""
    assessment_id, _code = new_assessment(live_server, demo_ids.facilitator_id, "Acties")
    _add_actions(live_server, assessment_id, "Regioavond plannen", "Visie schrijven",
                 "Oude actie")
    page = facilitator
    page.goto(f"/begeleider/scans/{assessment_id}/acties")
    first = page.get_by_role("group", name="Actie 1")
    first.get_by_label("Actie", exact=True).fill("Twee regioavonden plannen")
    first.get_by_label("Wie").fill("Griffiers")
    second = page.get_by_role("group", name="Actie 2")
    second.get_by_label("Wanneer").fill("vóór 1 juli")
    page.get_by_role("group", name="Actie 3").get_by_label("Verwijderen").check()
    new = page.get_by_role("group", name="Nieuwe actie")
    new.get_by_label("Wie").fill("Provincie")  # no description yet: refused, kept
    page.get_by_role("button", name="Opslaan").click()

    expect(page.locator(".error-summary")).to_contain_text("Beschrijf de actie.")
    expect(first.get_by_label("Actie", exact=True)).to_have_value("Twee regioavonden plannen")
    expect(second.get_by_label("Wanneer")).to_have_value("vóór 1 juli")
    expect(page.get_by_role("group", name="Actie 3").get_by_label("Verwijderen")).to_be_checked()
    expect(new.get_by_label("Wie")).to_have_value("Provincie")
    assert len(_actions(live_server, assessment_id)) == 3
    findings = Findings()
    findings.check(page, "actions with an error")
    findings.assert_clean()

    new.get_by_label("Actie", exact=True).fill("Subsidie aanvragen")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".notice-success")).to_contain_text("opgeslagen")
    assert _actions(live_server, assessment_id) == [
        ("Twee regioavonden plannen", "Griffiers", ""),
        ("Visie schrijven", "", "vóór 1 juli"),
        ("Subsidie aanvragen", "Provincie", ""),
    ]
    expect(page.get_by_role("group", name="Actie 3").get_by_label("Actie", exact=True)
           ).to_have_value("Subsidie aanvragen")
    expect(page.get_by_role("group", name="Nieuwe actie").get_by_label(
        "Actie", exact=True)).to_have_value("")


@pytest.mark.parametrize(("path", "field"), [("bespreking", "Notities"), ("acties", "Actie")])
def test_leaving_with_unsaved_text_asks_first_and_saving_does_not(
    facilitator: Any, live_server: LiveServer, demo_ids: Demo, path: str, field: str
) -> None:
    """Typed but not saved: leaving opens the browser's "leave page?" dialog; saving does not."""
    assessment_id, _code = new_assessment(live_server, demo_ids.facilitator_id, "Weggaan")
    page = facilitator
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(f"/begeleider/scans/{assessment_id}/{path}")
    box = page.get_by_label(field, exact=True).first
    box.click()  # a real click and keys: browsers ask only after the person used the page
    page.keyboard.type("Nog niet opgeslagen")
    with page.expect_event("dialog"):
        page.get_by_role("link", name="Terug naar de scan").click()
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(rf"/{path}$"))
    expect(box).to_have_value("Nog niet opgeslagen")

    page.get_by_role("button", name="Opslaan").last.click()
    expect(page.locator(".notice-success")).to_contain_text("opgeslagen")
    page.get_by_role("link", name="Terug naar de scan").click()
    expect(page).to_have_url(re.compile(rf"/scans/{assessment_id}$"))
    assert dialogs == ["beforeunload"]
