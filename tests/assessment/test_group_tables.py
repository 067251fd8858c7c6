"""Who sees it differently: lessons × organisation types and × roles on every surface.

One scan built for it: gemeente 6 (bestuurders, every lesson 4), waterschap 5 (ambtenaren,
lesson scores 2, 3, 3, 3, 2: mean 2.6) and provincie 3 (volksvertegenwoordigers, 4). The
provincie is too small; the waterschap is hidden with it so the provincie cannot be derived
from the total. Gemeente 4.0 and waterschap 2.6 differ by 1.4: the lesson is divided by
organisation type, though only the gemeente is shown, and "2,6" must show nowhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import reports
from assessment import management, participation, projector, session
from assessment.aggregation import CellStatus, HiddenReason
from assessment.db import read_session, write_transaction
from assessment.group_tables import breakdowns, group_table, group_tables, short_label
from assessment.models import Assessment, Status
from assessment.results import assessment_summary
from assessment.snapshots import summary_from_json, summary_to_json
from questions.loader import CONTENT_DIR, load_questionnaire
from reports.build import report_context, report_html, report_key
from tests.assessment.facilitator.test_live import OWNER_EMAIL, OWNER_PASSWORD, scores
from tests.helpers import TEST_DATA, login, pdf_pages

QUESTIONNAIRE = load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
#: A summary frozen by the code before hidden cells carried a reason and roles had cells.
OLD_SNAPSHOT = TEST_DATA / "summary-before-hidden-reasons.json"
#: (organisation type, role, lesson score) per respondent.
SCAN = ([("gemeente", "bestuurder", 4)] * 6
        + [("waterschap", "ambtenaar", s) for s in (2, 3, 3, 3, 2)]
        + [("provincie", "volksvertegenwoordiger", 4)] * 3)
#: The hidden waterschap's mean as a page would write it.
HIDDEN_MEAN = re.compile(r"(?<![\d,])2,6(?![\d])")


def _seed(app, assessment_id: int) -> None:
    with app.app_context():
        for group, role, score in SCAN:
            respondent = participation.find_respondent(participation.start(assessment_id))
            assert respondent is not None
            participation.save_page(respondent.id, "profiel", participation.PageAnswers(
                answers=scores(score), profile={"organisatietype": group, "rol": role}))
            participation.submit(respondent.id)
        # Closed, so all fourteen count.
        management.set_status(assessment_id, Status.CLOSED)


@pytest.fixture
def scan(app, open_assessment) -> int:
    assessment_id = int(open_assessment["id"])
    _seed(app, assessment_id)
    return assessment_id


@pytest.fixture
def owner(app, open_assessment):
    browser = app.test_client()
    login(browser, OWNER_EMAIL, OWNER_PASSWORD)
    return browser


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# -- the table ---------------------------------------------------------------------------


def test_the_tables_hold_the_summary_s_cells_with_reasons_and_the_gap_signal(app, scan):
    with app.app_context():
        summary = assessment_summary(read_session().get(Assessment, scan))
    types, roles = group_tables(QUESTIONNAIRE, summary)
    assert [c.label for c in types.columns] == ["Gemeente", "Waterschap", "Provincie"]
    assert [c.label for c in roles.columns] == ["Bestuurder", "Ambtenaar",
                                                "Volksvertegenwoordiger"]
    for table in (types, roles):
        row = table.rows[0]
        assert [(c.status, c.reason) for c in row.cells] == [
            (CellStatus.SHOWN, None), (CellStatus.HIDDEN, HiddenReason.COMPLEMENTARY),
            (CellStatus.HIDDEN, HiddenReason.SMALL_GROUP)]
        # One shown cell: no gap to show, yet two groups of five differ by 1.4.
        assert row.gap is None and row.differs and row.differs_unseen
        assert table.shown_figures(row) == ((table.columns[0].label, pytest.approx(4.0)),)
    assert types.rows[0].summary.divided_by_groups and types.rows[0].summary.divided


def test_the_gap_is_the_difference_of_the_shown_scores():
    from assessment.aggregation import Response, summarise

    responses = [Response(i, group, scores(score), {"rol": "ambtenaar"})
                 for i, (group, score) in enumerate(
                     [("gemeente", 4)] * 5 + [("waterschap", 3)] * 5 + [("provincie", 2)] * 5)]
    table = group_table(QUESTIONNAIRE, summarise(QUESTIONNAIRE, responses), "organisatietype")
    assert table is not None
    assert table.rows[0].gap == pytest.approx(2.0)
    assert table.rows[0].differs and not table.rows[0].differs_unseen
    # Nobody is a partner or "anders": no empty columns.
    assert [c.group for c in table.columns] == ["gemeente", "waterschap", "provincie"]
    # Everyone is an ambtenaar: the role table has one column, no gap.
    roles = group_table(QUESTIONNAIRE, summarise(QUESTIONNAIRE, responses), "rol")
    assert roles is not None and [c.group for c in roles.columns] == ["ambtenaar"]
    assert roles.rows[0].gap is None and not roles.rows[0].differs


def test_the_tables_follow_the_question_the_file_marks_as_grouping():
    assert breakdowns(QUESTIONNAIRE) == ("organisatietype", "rol")
    by_role = QUESTIONNAIRE.model_copy(update={"profile": tuple(
        q.model_copy(update={"groups_respondents": q.id == "rol"})
        for q in QUESTIONNAIRE.profile)})
    assert breakdowns(by_role) == ("rol",)


def test_the_role_table_follows_the_question_the_file_marks_as_the_role():
    no_role = QUESTIONNAIRE.model_copy(update={"profile": tuple(
        q.model_copy(update={"respondent_role": False}) for q in QUESTIONNAIRE.profile)})
    assert breakdowns(no_role) == ("organisatietype",)
    other = QUESTIONNAIRE.model_copy(update={"profile": tuple(
        q.model_copy(update={"id": "functie"}) if q.respondent_role else q
        for q in QUESTIONNAIRE.profile)})
    assert breakdowns(other) == ("organisatietype", "functie")


def test_a_short_label_drops_the_explanation_in_brackets():
    assert short_label("Bestuurder (wethouder, burgemeester)") == "Bestuurder"
    assert short_label("Gemeente") == "Gemeente"


# -- the surfaces ------------------------------------------------------------------------


@pytest.mark.report_pdf
def test_the_report_shows_the_table_with_true_reasons_and_never_the_hidden_mean(app, scan):
    with app.app_context():
        assessment = read_session().get(Assessment, scan)
        html = report_html(report_context(assessment),
                           Path(app.static_folder).resolve().as_uri() + "/")
        pdf = reports.jobs().render_now(report_key(html), html).read_bytes()
    pages = pdf_pages(pdf)
    text = _one_line("\n".join(pages)).replace("- ", "")
    # The cover: the waterschap has five, hidden to protect the provincie.
    assert "Waterschap: verborgen ter bescherming van een kleine groep" in text
    assert "Provincie: minder dan 5" in text
    assert "Waterschap: minder dan 5" not in text
    # The chapter, in the table of contents and with both tables.
    start = next(i for i, page in enumerate(pages) if "Naar soort organisatie: de score" in page)
    chapter = _one_line(" ".join(pages[start:start + 2])).replace("- ", "")
    assert "Wie ziet het anders?" in text
    assert "Naar rol: de score per les" in chapter and "Bestuurder" in chapter
    assert "1. Urgentie" in chapter
    assert "verborgen ter bescherming van een kleine" in chapter and "minder dan 5" in chapter
    assert "verdeeld*" in chapter
    # The lesson page says the types differ without naming the hidden one.
    assert ("Soorten organisaties verschillen 1,0 of meer; een van die soorten blijft "
            "verborgen.") in text
    assert not HIDDEN_MEAN.search(text)


def test_the_scan_page_shows_the_tables(owner, scan):
    html = owner.get(f"/begeleider/scans/{scan}").get_data(as_text=True)
    section = html[html.index('id="wie-anders"'):]
    table = section[section.index('data-question="organisatietype"'):]
    table = table[:table.index("</table>")]
    row = re.search(r"<th scope=\"row\">1\. Urgentie</th>(.*?)</tr>", table, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert [_one_line(c).strip() for c in cells[:4]] == [
        "3,5", "4,0", "verborgen ter bescherming van een kleine groep", "minder dan 5"]
    assert "verdeeld*" in cells[4]
    assert 'data-question="rol"' in section
    assert "een van die groepen is verborgen" in section
    assert not HIDDEN_MEAN.search(html)
    # Each table scrolls in a region of its own name, so a screen reader can tell them apart.
    regions = re.findall(r'role="region" tabindex="0" aria-label="([^"]+)"', section)
    assert regions == ["Wie ziet het anders? naar soort organisatie",
                       "Wie ziet het anders? naar rol"]


def test_the_projector_has_one_slide_with_all_lessons_per_breakdown(app, owner, scan):
    with app.app_context():
        deck = projector.slide_deck(QUESTIONNAIRE, {}, [])
        index = next(i for i, s in enumerate(deck)
                     if s.kind is projector.SlideKind.GROUP_TABLE)
        for _ in range(index):
            session.move_projector(scan, session.RevealMove.NEXT, len(deck))
    html = owner.get(f"/begeleider/scans/{scan}/projector/dia").get_data(as_text=True)
    assert 'data-kind="group_table"' in html
    assert "Alle lessen naar soort organisatie" in html
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", html, re.S)
    assert len(rows) == len(QUESTIONNAIRE.lessons)
    assert "minder dan 5" in rows[0] and "verborgen †" in rows[0] and "verdeeld*" in rows[0]
    assert "†: verborgen ter bescherming van een kleine groep." in _one_line(html)
    assert not HIDDEN_MEAN.search(html)
    # The slide per lesson gives the same true reasons.
    with app.app_context():
        session.move_projector(scan, session.RevealMove.PREVIOUS, len(deck))
    html = owner.get(f"/begeleider/scans/{scan}/projector/dia").get_data(as_text=True)
    assert 'data-kind="groups"' in html
    assert "verborgen ter bescherming van een kleine groep" in html
    assert not HIDDEN_MEAN.search(html)


# -- summaries frozen before ---------------------------------------------------------------


def test_a_summary_frozen_before_reasons_loads_and_builds_a_report(app, open_assessment):
    text = OLD_SNAPSHOT.read_text(encoding="utf-8")
    assert '"reason"' not in text and '"roles"' not in text  # made by the old code
    summary = summary_from_json(text)
    hidden = [c for c in summary.lesson("urgentie").groups if c.status is CellStatus.HIDDEN]
    assert hidden and all(c.reason is None for c in hidden)
    assert summary.lesson("urgentie").roles == ()
    assert summary_from_json(summary_to_json(summary)) == summary
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        with write_transaction() as db:
            db.get(Assessment, assessment_id).summary_snapshot = text
        html = _one_line(report_html(report_context(read_session().get(Assessment, assessment_id)),
                                     "/static/"))
    # No reason was kept: the cells say "verborgen", never a reason that may be false.
    assert "Waterschap: verborgen;" in html or "Waterschap: verborgen<" in html
    assert 'data-question="organisatietype"' in html and 'data-question="rol"' not in html
    assert json.loads(text)["format"] == 1
