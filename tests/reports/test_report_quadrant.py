"""A quadrant that can be checked, and an English report that reads as English.

The report's appendix shows the context statements behind the quadrant's axes with their
answers, the method section gives each axis as a formula with its scores, the quadrant's
labels are marked as our own interpretation, and the English report is worded and
hyphenated as English.
"""

from __future__ import annotations

import html
import re

import pytest

from assessment import content, management, questionnaire_files
from assessment import demo as demo_module
from assessment.db import read_session, write_transaction
from assessment.models import Assessment, Status
from assessment.results import assessment_summary
from assessment.snapshots import summary_from_json
from reports.build import report_context, report_html
from tests.conftest import app_of_its_own
from tests.helpers import TEST_DATA, report_numbers
from tests.reports.test_report import _pdf_for, _text

#: What these tests read is the report's content: the SQLite pass covers it.
pytestmark = pytest.mark.report_pdf

#: A summary kept as JSON before context blocks had their statements' figures.
OLD_SNAPSHOT = TEST_DATA / "summary_snapshot_before_context_statements.json"


def _one_line(text: str) -> str:
    """PDF text on one line, a word split at a line end joined again."""
    return re.sub(r"(\w)- (\w)", r"\1\2", re.sub(r"\s+", " ", text))


def _between(text: str, start: str, end: str) -> str:
    """The text from the last ``start`` (the first is in the contents) to the next ``end``."""
    begin = text.rindex(start)
    return text[begin:text.index(end, begin)]


@pytest.fixture(scope="module")
def dutch_report(new_db_url, tmp_path_factory, warm_renderer):
    """The demo report's text on one line, and the summary it shows (rendered once)."""
    with app_of_its_own(new_db_url(with_demo=True), tmp_path_factory.mktemp("reports"),
                        warm_renderer) as app:
        pdf, _assessment = _pdf_for(app)
        with app.app_context():
            summary = assessment_summary(read_session().get(Assessment, 1))
    return _one_line(_text(pdf)), summary


def test_the_context_statements_are_in_the_appendix_with_their_counts(app, demo, dutch_report):
    text, summary = dutch_report
    appendix = _between(text, "Stellingen achter het kwadrant", "Colofon")
    numbers = report_numbers("nl")
    with app.app_context():
        questionnaire = content.for_assessment(read_session().get(Assessment, 1))
    blocks = {block.block_id: block for block in summary.context}
    assert [b.id for b in questionnaire.context_blocks] == ["brede-welvaart", "investering"]
    for block in questionnaire.context_blocks:
        figures = blocks[block.id]
        # The block's title heads its table (repeated on a next page), its axis follows it.
        assert f"{block.title} Stelling 1 2 3 4 5 weet niet" in appendix
        assert f"Telt mee in de as ‘{block.title}" not in appendix
        assert (f"Gemiddelde van dit blok: {numbers.score(figures.mean)} "
                f"(n = {figures.n}).") in appendix
        rows = {s.statement_id: s for s in figures.statements}
        for statement in block.statements:
            row = rows[statement.id]
            assert row.shown
            counts = " ".join(str(c) for c in (*row.distribution.counts,
                                               row.distribution.dont_know,
                                               row.distribution.not_applicable))
            expected = f"{statement.text} {counts} {numbers.score(row.scored_mean)}"
            assert expected in appendix, expected
    # The demo's 28 answered each of these statements: the counts add up.
    assert all(s.distribution.given == 28 for b in summary.context for s in b.statements)


def test_the_method_section_gives_each_axis_as_a_formula_with_its_scores(dutch_report):
    text, summary = dutch_report
    method = _between(text, "Methode en anonimiteit Deelnemers gaven",
                      "Bijlage: alle stellingen")
    two = report_numbers("nl").two
    blocks = {block.block_id: block.mean for block in summary.context}
    investing = summary.lesson("investeren").mean
    assert "Een as is hoog vanaf 3,0 en laag daaronder." in method
    x = (f"Horizontale as, ‘Ontwikkeling brede welvaart’ = stellingen ‘Brede welvaart in de "
         f"regio’ {two(blocks['brede-welvaart'])}, hoog")
    y = (f"Verticale as, ‘Investering in de samenwerking’ = (les 6 ‘Investeren in "
         f"samenwerking’ {two(investing)} + stellingen ‘Hoe de regio investeert in "
         f"samenwerking’ {two(blocks['investering'])}) / 2 = {two(summary.quadrant.y)}, laag")
    assert x in method, x
    assert y in method, y
    # What is shown is what the quadrant used.
    assert summary.quadrant.x == blocks["brede-welvaart"]
    assert summary.quadrant.y == pytest.approx((investing + blocks["investering"]) / 2)


def test_the_quadrant_chapter_marks_its_labels_as_ours_and_tells_lesson_and_axis_apart(
        app, demo):
    with app.app_context():
        page = report_html(report_context(read_session().get(Assessment, 1)), "/static/")
    chapter = html.unescape(page[page.index('id="kwadrant"'):page.index('id="open-vragen"')])
    chapter = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chapter))
    # The demo sees progress but little structural investment: a soft label, as ours.
    assert "Eigen duiding: Vooruitgang op losse basis" in chapter
    assert "Welvarend" not in page
    assert "De deelnemers zien hun regio vooruitgaan" in chapter
    assert "figuur 17" in chapter and "Besturen in regionale ecosystemen" in chapter
    assert "De plaats in het kwadrant berust op hoe de deelnemers hun regio zien" in chapter
    assert ('Let op het verschil tussen de as "Ontwikkeling brede welvaart" en les 5, '
            '"Focus en brede welvaart".') in chapter
    assert "De score van les 5 telt niet mee in de as." in chapter
    # The summary's heading marks the cell's name as ours too.
    summary = page[page.index('id="samenvatting"'):page.index('id="profiel"')]
    assert "Positie van de regio: Eigen duiding: Vooruitgang op losse basis" in summary


def test_a_summary_kept_before_context_statements_still_builds_the_report(app, demo):
    old = OLD_SNAPSHOT.read_text(encoding="utf-8")
    summary = summary_from_json(old)
    assert [(b.block_id, b.n, b.statements) for b in summary.context] == [
        ("brede-welvaart", 28, ()), ("investering", 28, ())]
    with app.app_context():
        with write_transaction() as session:
            session.get(Assessment, 1).summary_snapshot = old
        page = report_html(report_context(read_session().get(Assessment, 1)), "/static/")
    appendix = html.unescape(page[page.index('id="bijlage"'):page.index('id="colofon"')])
    assert "Stellingen achter het kwadrant" in appendix
    assert "Brede welvaart in de regio" in appendix
    assert "Gemiddelde van dit blok: 3,6 (n = 28)." in appendix
    assert appendix.count("alleen de gemiddelden van de blokken bewaard") == 2


@pytest.fixture(scope="module")
def english_report(new_db_url, tmp_path_factory, warm_renderer):
    """An English scan answered as the demo is, closed: its report's PDF text and HTML."""
    with app_of_its_own(new_db_url(), tmp_path_factory.mktemp("reports"),
                        warm_renderer) as app:
        with app.test_request_context("/"):
            owner = management.create_facilitator("en@example.nl", "lang-genoeg-wachtwoord")
            english = questionnaire_files.available()[("tien-lessen", "en")]
            assessment_id = management.create_assessment(
                owner, "Region North", "English scan", english,
                translations=questionnaire_files.translations_of(english))
            management.set_status(assessment_id, Status.OPEN)
            demo_module._answer_as_demo_respondents(assessment_id, english)
            management.set_status(assessment_id, Status.CLOSED)
            page = report_html(report_context(read_session().get(Assessment, assessment_id)),
                               "/static/")
        pdf, _assessment = _pdf_for(app, assessment_id)
    return _text(pdf), page


def test_the_english_report_reads_as_english_without_dutch_hyphenation(english_report):
    text, page = english_report
    assert '<html lang="en">' in page
    flat = re.sub(r"\s+", " ", text)
    for heading in ("Contents", "Summary for administrators", "The region in the quadrant",
                    "Method and anonymity", "How the quadrant is calculated",
                    "Appendix: all statements", "Statements behind the quadrant",
                    "Our own interpretation: Progress on a loose footing"):
        assert heading in flat, heading
    for wrong in ("Summary for executives", "Samenvatting", "Bijlage", "Stellingen",
                  "Eigen duiding", "Prosperous"):
        assert wrong not in flat, wrong
    # A word broken at a line end with a hyphen is only a word that has one in the report.
    words = html.unescape(re.sub(r"<[^>]+>", " ", page))
    splits = re.findall(r"(\w+)-\n(\w+)", text)
    assert not [f"{a}-{b}" for a, b in splits if f"{a}-{b}" not in words]
    assert "represent-" not in text and "elected representatives" in flat
