"""The facilitator's report texts: foreword, own advice, "definitief" with version and date."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from assessment import exchange, management, report_texts
from assessment.db import read_session, write_transaction
from assessment.exceptions import NotClosed, ReportTextError
from assessment.models import Assessment, AuditEvent, ReportText, Status
from assessment.report_texts import FOREWORD, ReportState, ReportTextInput
from reports.build import report_context, report_html
from tests.helpers import csrf_token, login, pdf_pages
from tests.reports.test_report import _pdf_for

BASE = "/begeleider/scans/1"
PAGE = f"{BASE}/rapportteksten"
FINAL = f"{PAGE}/definitief"
PAYLOAD = '<script>alert("x")</script> & \x0b'


def _assessment(app, assessment_id: int = 1) -> Assessment:
    with app.app_context():
        found = read_session().get(Assessment, assessment_id)
        assert found is not None
        return found


def _status(app, assessment_id: int = 1) -> report_texts.ReportStatus:
    with app.app_context():
        return report_texts.report_status(read_session().get(Assessment, assessment_id))


def _texts(app, assessment_id: int = 1) -> report_texts.ReportTexts:
    with app.app_context():
        return report_texts.report_texts(assessment_id)


def _save(app, texts: dict[str, ReportTextInput], assessment_id: int = 1) -> tuple[str, ...]:
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        return report_texts.save_report_texts(assessment, texts, None)


def _mark(app, assessment_id: int = 1) -> report_texts.ReportStatus:
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        return report_texts.mark_final(
            assessment, report_texts.texts_version(assessment_id), None)


def _events(app, action: str) -> list[str]:
    with app.app_context():
        return list(read_session().scalars(
            select(AuditEvent.detail).where(AuditEvent.action == action)
            .order_by(AuditEvent.id)))


def _form(token: str, foreword: str | None = None, **lessons: tuple[str, str]
          ) -> dict[str, str]:
    """The page's form with the foreword and the given lessons sent (mode, text)."""
    data = {"csrf_token": token}
    if foreword is not None:
        data["voorwoord-text"] = foreword
    for lesson_id, (mode, text) in lessons.items():
        data[f"les-{lesson_id}-mode"] = mode
        data[f"les-{lesson_id}-text"] = text
    return data


# -- the transaction functions -----------------------------------------------------------


def test_each_marking_gives_the_next_version_and_a_change_makes_a_concept(app, demo):
    assert _status(app).state is ReportState.CONCEPT  # closed, never marked
    first = _mark(app)
    assert (first.state, first.version) == (ReportState.FINAL, 1)
    assert first.final_on == datetime.now(UTC).date()
    assert _mark(app).version == 1  # marking a final report again changes nothing

    _save(app, {FOREWORD: ReportTextInput("Een voorwoord.")})
    assert _status(app) == report_texts.ReportStatus(ReportState.CONCEPT, 1)
    assert _mark(app).version == 2
    assert _status(app).is_final
    assert _events(app, "report_final") == ["versie 1", "versie 2"]


def test_an_open_scan_s_report_cannot_be_marked_final(app, open_assessment):
    assessment_id = int(open_assessment["id"])
    assert _status(app, assessment_id).state is ReportState.PROVISIONAL
    with pytest.raises(NotClosed):
        _mark(app, assessment_id)
    assert _assessment(app, assessment_id).report_version == 0
    assert _events(app, "report_final") == []


def test_reopening_the_scan_makes_a_final_report_a_concept(app, demo):
    _mark(app)
    with app.app_context():
        management.set_status(1, Status.OPEN)
    assert _status(app).state is ReportState.PROVISIONAL
    with app.app_context(), write_transaction() as session:
        # Closed a moment later than it was marked, as a real close would be.
        session.execute(update(Assessment).where(Assessment.id == 1).values(
            status="closed", closed_at=datetime.now(UTC) + timedelta(seconds=1)))
    assert _status(app) == report_texts.ReportStatus(ReportState.CONCEPT, 1)


def test_a_changed_cover_makes_a_final_report_a_concept(app, demo):
    _mark(app)
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        management.prepare(1, management.Preparation(
            assessment.region, assessment.title, assessment.session_date,
            invited_count=assessment.invited_count, organisations=assessment.organisations,
            commissioner="Regiobestuur Zwolle"), None)
    assert _assessment(app).commissioner == "Regiobestuur Zwolle"
    assert _status(app).state is ReportState.CONCEPT


def test_only_changed_parts_are_written_and_an_old_copy_never_overwrites(app, demo):
    assert _save(app, {FOREWORD: ReportTextInput("Voorwoord.\r\n\r\nTweede alinea.  "),
                       "urgentie": ReportTextInput("Eigen advies.", "replace")}) == (
        FOREWORD, "urgentie")
    texts = _texts(app)
    assert texts.foreword == "Voorwoord.\n\nTweede alinea."
    assert texts.advice["urgentie"] == report_texts.OwnAdvice(
        "Eigen advies.", report_texts.AdviceMode.REPLACE)
    # A colleague's page showed the first versions; they change only the foreword.
    shown = report_texts.text_version("Eigen advies.", "replace")
    colleague = {FOREWORD: ReportTextInput("Nieuw voorwoord."),
                 "urgentie": ReportTextInput("Eigen advies.", "replace", shown)}
    assert _save(app, colleague) == (FOREWORD,)
    # Our old page still shows the old advice, which we leave; its copy is not written.
    mine = {"urgentie": ReportTextInput("Eigen advies.", "replace", shown)}
    with app.app_context(), write_transaction() as session:
        session.execute(update(ReportText).where(ReportText.part == "urgentie")
                        .values(text="Nieuwer advies van een collega."))
    assert _save(app, mine) == ()
    assert _texts(app).advice["urgentie"].text == "Nieuwer advies van een collega."
    # Emptying a text removes it.
    assert _save(app, {"urgentie": ReportTextInput("")}) == ("urgentie",)
    assert "urgentie" not in _texts(app).advice
    assert _events(app, "report_texts_saved") == ["voorwoord, urgentie", "voorwoord",
                                                  "urgentie"]


@pytest.mark.parametrize("texts", [
    {"onbekend": ReportTextInput("Tekst")},
    {FOREWORD: ReportTextInput("x" * 5001)},
    {"urgentie": ReportTextInput("Tekst", "weg")},
])
def test_a_text_that_does_not_fit_writes_nothing(app, demo, texts):
    with pytest.raises(ReportTextError):
        _save(app, {FOREWORD: ReportTextInput("Ook dit niet."), **texts})
    assert _texts(app) == report_texts.ReportTexts()


# -- the page ------------------------------------------------------------------------------


def test_the_page_saves_texts_and_marks_the_report_final(app, facilitator_client):
    page = facilitator_client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Concept" in html and "Rapport definitief maken" in html
    response = facilitator_client.post(PAGE, data=_form(
        csrf_token(page), "Ons voorwoord.", urgentie=("replace", PAYLOAD),
        visie=("extend", "")))
    assert response.status_code == 302
    page = facilitator_client.get(PAGE)
    html = page.get_data(as_text=True)
    assert "De rapportteksten zijn opgeslagen." in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert _texts(app).foreword == "Ons voorwoord."
    fingerprint = re.search(r'name="texts" type="hidden" value="([^"]+)"', html)[1]
    response = facilitator_client.post(FINAL, data={"csrf_token": csrf_token(page),
                                                    "texts": fingerprint})
    assert response.status_code == 302
    html = facilitator_client.get(PAGE).get_data(as_text=True)
    assert "Het rapport is definitief: versie 1." in html
    assert "Definitief, versie 1," in html
    assert _events(app, "report_texts_saved") == ["voorwoord, urgentie"]
    assert _events(app, "report_final") == ["versie 1"]


def test_marking_after_a_colleague_changed_a_text_is_refused(app, facilitator_client):
    page = facilitator_client.get(PAGE)
    fingerprint = re.search(r'name="texts" type="hidden" value="([^"]+)"',
                            page.get_data(as_text=True))[1]
    _save(app, {FOREWORD: ReportTextInput("Van een collega.")})
    facilitator_client.post(FINAL, data={"csrf_token": csrf_token(page), "texts": fingerprint})
    html = facilitator_client.get(PAGE).get_data(as_text=True)
    assert "Een collega heeft de rapportteksten intussen gewijzigd." in html
    assert _assessment(app).report_version == 0


def test_an_open_scan_s_page_says_provisional_and_refuses_to_mark(app, client,
                                                                  open_assessment):
    login(client, "begeleider@example.nl", "lang-genoeg-wachtwoord")
    base = f"/begeleider/scans/{open_assessment['id']}/rapportteksten"
    page = client.get(base)
    html = page.get_data(as_text=True)
    assert "Voorlopig" in html and "Rapport definitief maken" not in html
    client.post(f"{base}/definitief", data={"csrf_token": csrf_token(page), "texts": ""})
    assert "Sluit eerst de scan." in client.get(base).get_data(as_text=True)
    assert _assessment(app, int(open_assessment["id"])).report_version == 0


def test_another_facilitator_gets_404_and_a_co_facilitator_may(app, client, demo,
                                                               open_assessment):
    login(client, "begeleider@example.nl", "lang-genoeg-wachtwoord")
    token = csrf_token(client.get("/begeleider/"))
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, data=_form(token, "Ingebroken")).status_code == 404
    assert client.post(FINAL, data={"csrf_token": token, "texts": ""}).status_code == 404
    assert _texts(app) == report_texts.ReportTexts()
    assert _assessment(app).report_version == 0
    with app.app_context():
        management.share(1, "begeleider@example.nl", None)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert client.post(PAGE, data=_form(csrf_token(page), "Samen.")).status_code == 302
    assert _texts(app).foreword == "Samen."


def test_posts_without_a_csrf_token_are_refused(app, facilitator_client):
    assert facilitator_client.post(PAGE, data={"voorwoord-text": "Zonder token"}
                                   ).status_code == 400
    assert _texts(app) == report_texts.ReportTexts()
    with app.app_context():
        shown = report_texts.texts_version(1)
    assert facilitator_client.post(FINAL, data={"texts": shown}).status_code == 400
    assert _assessment(app).report_version == 0


def test_an_expired_form_keeps_everything_typed(app, facilitator_client):
    page = facilitator_client.get(PAGE)
    data = _form("verlopen", "Lang over nagedacht.", leiderschap=("extend", "Ook dit."))
    response = facilitator_client.post(PAGE, data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Het formulier was verlopen. Probeer het nog een keer." in html
    assert "Lang over nagedacht." in html and "Ook dit." in html
    assert _texts(app) == report_texts.ReportTexts()
    again = facilitator_client.post(PAGE, data={**data, "csrf_token": csrf_token(response)})
    assert again.status_code == 302
    assert _texts(app).foreword == "Lang over nagedacht."
    assert page.status_code == 200  # the page the form came from


def test_a_text_too_long_is_refused_with_everything_typed_kept(app, facilitator_client):
    token = csrf_token(facilitator_client.get(PAGE))
    response = facilitator_client.post(PAGE, data=_form(
        token, "Blijft staan.", urgentie=("extend", "x" * 5001)))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Gebruik hoogstens 5000 tekens." in html and "Blijft staan." in html
    assert _texts(app) == report_texts.ReportTexts()


def test_the_scan_page_and_the_report_wait_page_link_to_the_texts(facilitator_client):
    assert f'href="{PAGE}"' in facilitator_client.get(BASE).get_data(as_text=True)
    wait = facilitator_client.get(f"{BASE}/rapport.pdf")
    assert f'href="{PAGE}"' in wait.get_data(as_text=True)


def test_the_commissioner_is_prepared_on_the_preparation_page(app, facilitator_client):
    page = facilitator_client.get(f"{BASE}/voorbereiden")
    assert "Opdrachtgever" in page.get_data(as_text=True)
    assessment = _assessment(app)
    response = facilitator_client.post(f"{BASE}/voorbereiden", data={
        "csrf_token": csrf_token(page), "region": assessment.region,
        "title": assessment.title, "commissioner": "Stuurgroep <Regio> Zwolle"})
    assert response.status_code == 302
    assert _assessment(app).commissioner == "Stuurgroep <Regio> Zwolle"
    html = facilitator_client.get(f"{BASE}/rapport").get_data(as_text=True)
    assert "Stuurgroep &lt;Regio&gt; Zwolle" in html


# -- the report and the export -------------------------------------------------------------


def _html(app, assessment_id: int = 1) -> str:
    with app.app_context():
        return report_html(report_context(read_session().get(Assessment, assessment_id)),
                           "/static/")


def test_free_text_is_escaped_and_xml_safe_in_the_report(app, demo):
    _save(app, {FOREWORD: ReportTextInput(PAYLOAD), "urgentie": ReportTextInput(PAYLOAD)})
    html = _html(app)
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;") == 2
    assert "\x0b" not in html


def test_the_json_export_holds_the_texts_and_the_status(app, demo):
    _save(app, {FOREWORD: ReportTextInput("Ons voorwoord."),
                "urgentie": ReportTextInput("Vervangt.", "replace"),
                "visie": ReportTextInput("Vult aan.", "extend")})
    _mark(app)
    with app.app_context():
        document = json.loads(exchange.tables_json(
            exchange.assessment_tables(read_session().get(Assessment, 1))))
    tables = {table["title"]: table for table in document["tables"]}
    rows = tables["Rapportteksten"]["rows"]
    assert ["voorwoord", None, None, None, "Ons voorwoord."] in rows
    assert ["advies", "urgentie", "Urgentie", "vervangt het advies", "Vervangt."] in rows
    assert ["advies", "visie", "Gedeelde visie", "vult het advies aan", "Vult aan."] in rows
    details = dict(tables["Scan"]["rows"])
    assert details["rapport"] == f"definitief, versie 1, {datetime.now(UTC).date()}"


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page).replace("- ", "") for page in pdf_pages(pdf)]


@pytest.mark.report_pdf
def test_the_pdf_has_the_foreword_own_advice_and_the_final_status(app, demo):
    with app.app_context():
        context = report_context(read_session().get(Assessment, 1))
    advice = {section.lesson.id: section.advice for section in context.lessons}
    _save(app, {FOREWORD: ReportTextInput("Dit rapport is voor de stuurgroep."),
                "urgentie": ReportTextInput("Begin met de urgentie.", "replace"),
                "visie": ReportTextInput("Maak de visie concreet.", "extend")})
    with app.app_context(), write_transaction() as session:
        session.execute(update(Assessment).where(Assessment.id == 1)
                        .values(commissioner="Stuurgroep Regio Zwolle"))
    _mark(app)
    pdf, assessment = _pdf_for(app)
    pages = _pages(pdf)
    text = " ".join(pages)
    today = datetime.now(UTC).date()
    cover = pages[0]
    assert f"Definitief, versie 1, {today.day} " in cover
    assert "Opdrachtgever Stuurgroep Regio Zwolle" in cover
    assert "Procesbegeleider Demo procesbegeleider" in cover
    assert assessment.content_hash not in cover and "Inhoudshash" not in cover
    assert "Definitief, versie 1" in pages[3]  # the page header
    # The foreword after the table of contents, before the summary.
    foreword = text.index("Dit rapport is voor de stuurgroep.")
    assert text.index("Inhoud") < foreword < text.rindex("Samenvatting voor bestuurders")
    assert "Advies van de procesbegeleider Begin met de urgentie." in text
    assert advice["urgentie"] and " ".join(advice["urgentie"].split()) not in text
    assert advice["visie"][:40] in text
    assert "Toelichting van de procesbegeleider Maak de visie concreet." in text
    # The technical identifiers at the end of the appendix, not in the colophon.
    technical = text.index("Technische gegevens")
    assert text.index("Bijlage: alle stellingen", 1000) < technical < text.rindex("Colofon")
    assert assessment.content_hash[:20] in text[technical:text.rindex("Colofon")]
