"""Programmes on the database: taking part and withdrawing (audited), the whole landscape,
and the Dalfsen scan beside its peers. Runs on PostgreSQL too (TEST_DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from assessment import demo as demo_module
from assessment import landscape, programmes, questionnaire_files, results
from assessment.aggregation import Summary
from assessment.db import read_session
from assessment.exceptions import ProgrammeError
from assessment.models import Assessment, AuditEvent, Programme
from assessment.programmes import Thresholds
from tests.helpers import DEMO_ID, TRYOUT_ID, csrf_token, login

THRESHOLDS = Thresholds()


@pytest.fixture
def programme_demo(app: Flask, demo: None) -> int:
    """The demo with its programme: Dalfsen and seven other regions (and a small one)."""
    with app.app_context():
        questionnaire = questionnaire_files.available()[demo_module.DEMO_QUESTIONNAIRE]
        scan = read_session().get(Assessment, DEMO_ID)
        assert scan is not None
        demo_module.seed_programme(DEMO_ID, scan.owner_id, questionnaire)
        found = programmes.programme_by_name(demo_module.DEMO_PROGRAMME)
        assert found is not None
        return found.id


def _landscape(programme_id: int) -> list[str]:
    programme = read_session().get(Programme, programme_id)
    assert programme is not None
    return [row.current.region for row in
            programmes.programme_landscape(programme, THRESHOLDS).rows]


def test_the_whole_landscape_one_row_per_region_with_enough_respondents(app, programme_demo):
    with app.app_context():
        programme = read_session().get(Programme, programme_demo)
        assert programme is not None
        found = programmes.programme_landscape(programme, THRESHOLDS)
        regions = {row.current.region for row in found.rows}
        assert regions == {demo_module.DEMO_REGION, *(peer[0] for peer in demo_module.DEMO_PEERS)}
        # Six respondents: it takes part, but stays out.
        assert demo_module.DEMO_SMALL_PEER[0] not in regions
        assert all(row.current.summary.respondents >= 10 for row in found.rows)
        # The regions seeded with an earlier round have an arrow from it.
        arrows = {row.current.region for row in found.rows if row.previous is not None}
        assert arrows == {peer[0] for peer in demo_module.DEMO_PEERS if peer[4] is not None}
        assert sum(point.previous is not None for point in found.points) == len(arrows)
        labels = {row.label for row in found.rows}
        assert "Cleantech Regio / Stedendriehoek" in labels and "Regio Twente" not in labels
        assert len(found.points) == len(found.rows)
        assert all(spread.n == len(found.rows) for spread in found.spreads)


def test_taking_part_and_withdrawing_are_audited_and_act_at_once(app, programme_demo):
    with app.app_context():
        programmes.withdraw(DEMO_ID, None)
        assert demo_module.DEMO_REGION not in _landscape(programme_demo)
        scan = read_session().get(Assessment, DEMO_ID)
        assert scan is not None and scan.programme_id is None
        assert programmes.peers_of(scan, THRESHOLDS) is None
        programmes.take_part(DEMO_ID, programme_demo, True, None)
        assert demo_module.DEMO_REGION in _landscape(programme_demo)
        actions = [(e.action, e.detail) for e in read_session().scalars(
            select(AuditEvent).where(AuditEvent.assessment_id == DEMO_ID)
            .order_by(AuditEvent.id))]
        assert actions[-3:] == [("programme_joined", f"{demo_module.DEMO_PROGRAMME}; anonymous"),
                                ("programme_withdrawn", demo_module.DEMO_PROGRAMME),
                                ("programme_joined", f"{demo_module.DEMO_PROGRAMME}; named")]


def test_an_open_scan_is_not_part_of_a_landscape(app, programme_demo):
    with app.app_context():
        programmes.take_part(TRYOUT_ID, programme_demo, True, None)
        assert sorted(_landscape(programme_demo)).count(demo_module.DEMO_REGION) == 1
        rounds = programmes.programme_rounds(programme_demo)
        assert TRYOUT_ID not in {r.assessment_id for r in rounds}


def test_a_scan_on_another_questionnaire_cannot_take_part(app, programme_demo):
    with app.app_context():
        english = questionnaire_files.available()[("tien-lessen", "nl")].model_copy(
            update={"id": "andere-lijst"})
        other = programmes.create_programme("Ander programma", english)
        with pytest.raises(ProgrammeError):
            programmes.take_part(DEMO_ID, other, False, None)


def test_dalfsen_beside_its_peers_and_nothing_when_fewer_than_five(app, programme_demo):
    with app.app_context():
        scan = read_session().get(Assessment, DEMO_ID)
        assert scan is not None
        comparison = programmes.peers_of(scan, THRESHOLDS)
        assert comparison is not None and comparison.shown
        assert comparison.peers == len(demo_module.DEMO_PEERS)
        assert len(comparison.lessons) == 10
        assert all(lesson.peers.n == len(demo_module.DEMO_PEERS) for lesson in comparison.lessons)
        # Named peers carry their name, the others are anonymous dots.
        labels = [point.label for point in comparison.points if not point.own]
        assert "Cleantech Regio / Stedendriehoek" in labels
        assert labels.count(None) == sum(not peer[1] for peer in demo_module.DEMO_PEERS)
        # Withdraw three: four peers are left, and the comparison shows nothing.
        withdrawn = read_session().scalars(
            select(Assessment.id).where(Assessment.programme_id == programme_demo,
                                        Assessment.region.in_(
                                            [peer[0] for peer in demo_module.DEMO_PEERS[:3]])))
        for scan_id in list(withdrawn):
            programmes.withdraw(scan_id, None)
        scan = read_session().get(Assessment, DEMO_ID)
        assert scan is not None
        comparison = programmes.peers_of(scan, THRESHOLDS)
        assert comparison is not None and not comparison.shown and not comparison.lessons


def test_a_region_s_own_rounds_are_not_summarised_to_find_its_peers(app, programme_demo,
                                                                     monkeypatch):
    """A summary is made from every raw answer of a scan: the rounds that the comparison
    leaves out anyway (the region's own) are not summarised, and it stays the same."""
    with app.app_context():
        scan = read_session().get(Assessment, DEMO_ID)
        programme = read_session().get(Programme, programme_demo)
        assert scan is not None and programme is not None
        every_round = programmes.programme_rounds(programme_demo)
        own_rounds = {found.assessment_id for found in every_round
                      if found.region_key == landscape.region_key(scan.region)}
        assert DEMO_ID in own_rounds
        own = results.assessment_summary(scan)
        summarised: list[int] = []

        def summary_of(assessment: Assessment) -> Summary:
            summarised.append(assessment.id)
            return results.assessment_summary(assessment)

        monkeypatch.setattr(programmes, "assessment_summary", summary_of)
        comparison = programmes.peers_of(scan, THRESHOLDS, own)
        assert comparison == landscape.peer_comparison(
            scan.region, own, every_round, programme.lesson_ids,
            min_respondents=THRESHOLDS.min_respondents, min_peers=THRESHOLDS.min_peers)
        assert comparison is not None and comparison.shown
        assert sorted(summarised) == sorted(set(summarised))
        assert not own_rounds & set(summarised)
        assert len(summarised) == len(every_round) - len(own_rounds)


# -- the pages ----------------------------------------------------------------------------


def test_the_facilitator_chooses_on_the_scan_page_and_may_withdraw(app, facilitator_client):
    with app.app_context():
        questionnaire = questionnaire_files.available()[demo_module.DEMO_QUESTIONNAIRE]
        programme_id = programmes.create_programme("Programma Overijssel", questionnaire)
    page = facilitator_client.get(f"/begeleider/scans/{DEMO_ID}")
    html = page.get_data(as_text=True)
    assert "Deze scan doet niet mee aan een programma" in html
    token = csrf_token(page)
    response = facilitator_client.post(f"/begeleider/scans/{DEMO_ID}/programma", data={
        "csrf_token": token, "actie": "meedoen", "programme": str(programme_id),
        "named": "y"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "doet mee aan het programma ‘Programma Overijssel’, met de naam" in html
    # Fewer than five other regions: the section says so and shows no figure.
    assert "Er zijn nog geen 5 andere regio" in html and "Mediaan andere regio" not in html
    facilitator_client.post(f"/begeleider/scans/{DEMO_ID}/programma",
                            data={"csrf_token": token, "actie": "stoppen"})
    with app.app_context():
        scan = read_session().get(Assessment, DEMO_ID)
        assert scan is not None and scan.programme_id is None
        actions = [e.action for e in read_session().scalars(
            select(AuditEvent).where(AuditEvent.assessment_id == DEMO_ID))]
        assert actions[-2:] == ["programme_joined", "programme_withdrawn"]


def test_the_landscape_page_and_csv_show_aggregates_only(app, programme_demo):
    owner = app.test_client()
    login(owner, "demo@regiospiegel.nl", "demo-regiospiegel")
    html = owner.get(f"/programma/{programme_demo}").get_data(as_text=True)
    assert "Cleantech Regio / Stedendriehoek" in html and "Regio A" in html
    assert "Regio Twente" not in html   # anonymous: a letter only
    assert demo_module.DEMO_SMALL_PEER[0] not in html
    assert "<svg" in html and "Mediaan" in html
    text = owner.get(f"/programma/{programme_demo}/landschap.csv").get_data(as_text=True)
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Regio;Deelnemers;1. Urgentie")
    assert len(lines) == 1 + len(demo_module.DEMO_PEERS) + 1 + 3
    # No organisation types, no comments: none of the demo's free texts appear.
    assert "gemeente" not in text.lower() and "wethouders" not in text


@pytest.mark.report_pdf
def test_the_report_and_the_landscape_pdf_read_back(app, programme_demo):
    import reports
    from reports.build import report_context, report_html, report_key
    from tests.helpers import pdf_text

    static = Path(app.static_folder or "").resolve().as_uri() + "/"
    with app.app_context():
        scan = read_session().get(Assessment, DEMO_ID)
        assert scan is not None
        html = report_html(report_context(scan), static)
        text = pdf_text(reports.jobs().render_now(report_key(html), html).read_bytes())
    assert "Vergelijkbare regio's" in text
    assert f"naast {len(demo_module.DEMO_PEERS)} vergelijkbare regio's" in text
    words = " ".join(text.split())  # however the table's headings wrap
    assert "Mediaan andere regio's" in words and "1. Urgentie 4,2 (Sterk)" in words
    owner = app.test_client()
    login(owner, "demo@regiospiegel.nl", "demo-regiospiegel")
    response = owner.get(f"/programma/{programme_demo}/landschap.pdf")
    assert response.mimetype == "application/pdf"
    landscape_text = pdf_text(response.get_data())
    assert f"Landschap: {demo_module.DEMO_PROGRAMME}" in landscape_text
    assert "Cleantech Regio / Stedendriehoek" in landscape_text and "Regio A" in landscape_text


def test_the_command_line_creates_a_programme_and_its_owner(app, runner, demo):
    created = runner.invoke(args=["programme", "create", "Regio Deals Oost"])
    assert created.exit_code == 0, created.output
    added = runner.invoke(args=["programme", "add-owner", "Regio Deals Oost",
                                "demo@regiospiegel.nl"])
    assert added.exit_code == 0, added.output
    unknown = runner.invoke(args=["programme", "add-owner", "Onbekend", "demo@regiospiegel.nl"])
    assert unknown.exit_code != 0 and "no programme named" in unknown.output
    with app.app_context():
        found = programmes.programme_by_name("Regio Deals Oost")
        assert found is not None and found.lesson_ids[0] == "urgentie"
        assert [o.email for o in programmes.owners(found.id)] == ["demo@regiospiegel.nl"]
