"""The report as a document: a chart per lesson, the profile on one page, full pages, tables.

One module-wide render of the demo as `make run` seeds it (texts, notes, actions and a
vote), plus an action with long names: the layout tests read its PDF's text per page and
WeasyPrint's laid-out pages (see tests/report_pages.py).
"""

from __future__ import annotations

import html as html_module
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assessment import create_app, db, discussion, management
from assessment import demo as demo_module
from assessment.db import read_session
from assessment.models import Assessment, Status
from assessment.projector import StatementBar
from assessment.results import assessment_summary
from questions.loader import CONTENT_DIR, load_questionnaire
from reports import charts
from reports.build import report_context, report_html
from tests.conftest import TEST_SETTINGS
from tests.helpers import Participant, pdf_pages, report_numbers
from tests.report_pages import overflowing_cells, page_fills, render

#: What these tests read is the report's content: the SQLite pass covers it.
pytestmark = pytest.mark.report_pdf

#: An action whose owner, term and lesson hold long words for the narrow columns.
LONG_NAMES = discussion.ActionInput(
    "Een gesprek over de samenwerkingscultuur tussen de gemeenten en het waterschap",
    "Portefeuillehouder Klimaatadaptatie", "Begrotingsronde", "cultuur")


@dataclass(frozen=True)
class Rendered:
    """The demo report: its HTML, its PDF's text per page, its laid-out pages."""

    html: str
    pages: list[str]
    document: Any
    summary: Any


def _flat(text: str) -> str:
    """One line of text, words split at the end of a line joined again."""
    return re.sub(r"\s+", " ", text).replace("- ", "")


@pytest.fixture(scope="module")
def demo_report(new_db_url, tmp_path_factory) -> Iterator[Rendered]:
    """The full demo's report, rendered once for the module."""
    url = new_db_url()
    app = create_app({**TEST_SETTINGS, "DATABASE_URL": url,
                      "REPORT_CACHE_DIR": str(tmp_path_factory.mktemp("reports"))})
    static = Path(app.static_folder or "")
    try:
        with app.app_context():
            demo_module.seed()
            assessment = read_session().get(Assessment, 1)
            discussion.add_action(assessment, LONG_NAMES, None)
            assessment = read_session().get(Assessment, 1)
            html = report_html(report_context(assessment), static.resolve().as_uri() + "/")
            summary = assessment_summary(assessment)
        document, pdf = render(html, static)
        pages = list(pdf_pages(pdf))
        yield Rendered(html, pages, document, summary)
    finally:
        app.extensions["regiospiegel.reports"].close()
        db.dispose(app)


def _running_head(page: str) -> str:
    """The page's header line (region and chapter); pypdf gives it just above the number."""
    return page.splitlines()[-2]


def _lesson_article(html: str, lesson_id: str) -> str:
    start = html.index(f'<article class="lesson" aria-labelledby="les-{lesson_id}"')
    return html[start:html.index("</article>", start)]


def _chart_description(article: str) -> str:
    """The description of a lesson's statement chart, as a screen reader gets it."""
    described_by = re.search(r'<table class="statement-chart"[^>]*aria-describedby="([^"]+)"',
                             article).group(1)
    return html_module.unescape(
        re.search(rf'<p hidden id="{described_by}">(.*?)</p>', article).group(1))


def _row_pattern(disagree: str, counts: list[int], agree: str, dont_know: int) -> str:
    """A chart row's numbers as the PDF text has them: shares, the counts printed on the bar
    (from left to right; a segment too narrow for its number has none), "weet niet"."""
    optional = "".join(rf"(?:{count}\s+)?" for count in counts if count)
    return rf"{re.escape(disagree)}\s+{optional}{re.escape(agree)}\s+{dont_know}\b"


def test_each_lesson_has_one_chart_with_its_statements_values(demo_report):
    numbers = report_numbers("nl")
    pages = [_flat(page) for page in demo_report.pages]
    first = next(i for i, page in enumerate(pages) if page.startswith("De lessen één voor één"))
    points = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
    lessons = demo_report.summary.lessons
    # The page each lesson's title stands on (the appendix, further on, has them too).
    starts = [next(i for i in range(first, len(pages)) if f"{n}. {lesson.title}" in pages[i])
              for n, lesson in enumerate(lessons, start=1)]
    for number, lesson in enumerate(lessons, start=1):
        article = _lesson_article(demo_report.html, lesson.lesson_id)
        # All the lesson's statements in one chart, a table, with its description beside it.
        assert article.count('<table class="statement-chart"') == 1
        desc = _chart_description(article)
        rows = []
        for statement in lesson.statements:
            d = statement.distribution
            disagree, agree = numbers.percent(d.disagree), numbers.percent(d.agree)
            values = ", ".join(f"{point} {count}"
                               for point, count in zip(points, d.counts, strict=True))
            assert f"{values}, Weet ik niet {d.dont_know} (oneens {disagree}, eens {agree})" \
                in desc
            rows.append(_row_pattern(disagree, list(d.counts), agree, d.dont_know))
        # The numbers on the page: per statement, in the order of the lesson.
        shown_on = [i for i, page in enumerate(pages) if re.search(r".*?".join(rows), page)]
        assert len(shown_on) == 1, (lesson.lesson_id, shown_on)
        # ... on the lesson's own pages: from its title to where the next lesson begins.
        last = starts[number] if number < len(lessons) else starts[-1] + 2
        assert starts[number - 1] <= shown_on[0] <= last, (lesson.lesson_id, shown_on)
        assert re.search(r"Helemaal oneens\s*Oneens\s*Neutraal\s*Eens\s*Helemaal eens",
                         pages[shown_on[0]])


def test_the_statement_charts_draw_with_classes_not_style_attributes(demo_report):
    """The preview's Content-Security-Policy allows no inline style: widths and shades are
    the stylesheet's classes, and every class a bar uses is in it."""
    assert ' style="' not in demo_report.html
    css = (Path(__file__).parents[2] / "assessment" / "static" / "report.css").read_text()
    used = set(re.findall(r'class="segment ([^"]+)"', demo_report.html))
    assert used
    for classes in used:
        for name in classes.split():
            assert f".{name} {{" in css, name


def test_the_sorted_bars_and_the_radar_share_one_page(demo_report):
    pages = [_flat(page) for page in demo_report.pages]
    bars = [i for i, page in enumerate(pages) if "Scores per les, van hoog naar laag." in page]
    radar = [i for i, page in enumerate(pages)
             if "Het profiel van de regio over de lessen." in page]
    assert len(bars) == 1 and bars == radar
    # And both charts are drawn there: the radar's short labels, the bars' full titles.
    assert "Legitimiteit" in pages[bars[0]] and "1. Urgentie" in pages[bars[0]]


def test_no_page_is_more_than_half_empty_except_at_the_end_of_a_part(demo_report):
    fills = page_fills(demo_report.document)
    assert len(fills) == len(demo_report.pages)
    assert any(fill.ends_part for fill in fills[:-1])  # the measure sees the parts
    half_empty = [fill for fill in fills if not fill.ends_part and fill.used < 0.5]
    assert not half_empty, half_empty


def test_every_appendix_table_part_stands_under_its_lesson_title(demo_report):
    """Also on a page where a table goes on: its repeated head holds the lesson's title.

    The context statements behind the quadrant end the appendix, each block's table under
    the block's title in the same way.
    """
    titles = "|".join([re.escape(f"{n}. {lesson.title}")
                       for n, lesson in enumerate(demo_report.summary.lessons, start=1)]
                      + [re.escape(block.title) for block
                         in load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml").context_blocks])
    appendix = [_flat(page) for page in demo_report.pages
                if _running_head(page).endswith("Bijlage: alle stellingen")]
    heads = 0
    for page in appendix:
        for head in re.finditer(r"Stelling 1 2 3 4 5 weet niet", page):
            heads += 1
            assert re.search(rf"(?:{titles}) $", page[:head.start()]), page
    # Some lesson's table runs over a page (its head comes back), so the check bites.
    assert heads > len(demo_report.summary.lessons)


def test_names_in_narrow_columns_are_not_hyphenated_and_stay_in_their_column(demo_report):
    agenda = next(page for page in demo_report.pages
                  if _running_head(page).endswith("Actieagenda"))
    for name in ("Portefeuillehouder Klimaatadaptatie", "Begrotingsronde",
                 "Samenwerkingscultuur", "Regiosecretaris"):
        assert name in re.sub(r"\s+", " ", agenda), name
    assert not overflowing_cells(demo_report.document)


def test_a_statement_with_too_few_answers_has_no_bar_and_no_numbers(app, open_assessment):
    """Three took part; one of them did not know the first statement: two valid answers."""
    answers = (("4", "4", "5", "4"), ("5", "4", "4", "5"), ("weet_niet", "5", "4", "4"))
    for given in answers:
        person = Participant(app.test_client())
        person.join(str(open_assessment["code"]))
        person.post_page("urgentie", {f"a_urgentie-{i}": value
                                      for i, value in enumerate(given, start=1)})
        person.submit()
    with app.app_context():
        management.set_status(int(open_assessment["id"]), Status.CLOSED)
        assessment = read_session().get(Assessment, int(open_assessment["id"]))
        html = report_html(report_context(assessment),
                           Path(app.static_folder or "").resolve().as_uri() + "/")
        summary = assessment_summary(assessment).lesson("urgentie")
    first, *others = summary.statements
    assert not first.shown and all(s.shown for s in others)
    article = _lesson_article(html, "urgentie")
    described = _chart_description(article).split("; ")
    assert described[0].endswith(": te weinig antwoorden")
    assert all("Helemaal eens" in row for row in described[1:])
    # The chart's row says so and has no bar: its segments are the other statements'.
    table = article[article.index('<table class="statement-chart"'):article.index("</table>")]
    assert '<td colspan="3" class="too-few">te weinig antwoorden</td>' in table
    segments = sum(1 for s in others for count in s.distribution.counts if count)
    assert table.count('class="segment ') == segments
    _document, pdf = render(html, Path(app.static_folder or ""))
    pages = pdf_pages(pdf)
    lessons = " ".join(_flat(page) for page in pages
                       if _running_head(page).endswith("De lessen één voor één"))
    assert "te weinig antwoorden –" in lessons


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG) of a #rrggbb colour: its grey in a greyscale print."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_statement_bars_shade_dark_light_grey_light_dark():
    """In greyscale each point differs from its neighbour; the ends are darkest."""
    greys = [_luminance(fill) for fill, _ink in charts.point_colours(5)]
    assert greys[0] < greys[1] < greys[2] > greys[3] > greys[4]
    assert all(abs(a - b) >= 0.1 for a, b in itertools.pairwise(greys))


def test_a_statement_chart_on_an_even_scale_draws_every_answer():
    bar = StatementBar(statement=None, counts=(2, 3, 4, 5), disagree=(3, 2), neutral=0,
                       agree=(4, 5), dont_know=1, not_applicable=0)  # type: ignore[arg-type]
    labels = charts.StatementChartLabels(("--", "-", "+", "++"), "oneens", "eens",
                                         "weet niet", "te weinig antwoorden")
    chart = charts.statement_answers([("Stelling", bar)], labels, report_numbers("nl").percent,
                                     title="t", desc="d")
    row, = chart.rows
    assert [row.disagree, *(s.count for s in row.segments), row.agree] == [
        "36%", "2", "3", "4", "5", "64%"]
    # Four segments from the middle outwards: no neutral one; the larger side fills its half.
    assert [s.fill for s in row.segments] == [fill for fill, _ink in charts.point_colours(4)]
    assert row.lead + sum(s.width for s in row.segments[:2]) == pytest.approx(50)
    assert sum(s.width for s in row.segments[2:]) == pytest.approx(50)
