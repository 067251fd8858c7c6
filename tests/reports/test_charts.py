"""Chart descriptions: each chart's ``<desc>`` gives the values it draws, in the report's
language, so a screen reader hears the numbers and not only the title (a lesson's statement
chart, a table in the report, has its description beside it).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sqlalchemy import select

from assessment.db import read_session
from assessment.models import Assessment, Comment, Moderation
from reports import charts
from reports.build import report_context
from tests.assessment.facilitator.test_projector import BASE, _move
from tests.helpers import moderate, report_numbers

SVG = "{http://www.w3.org/2000/svg}"
DUTCH = report_numbers("nl")
LABELS = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
#: Axis and ring ticks: the scale itself, not a value.
TICKS = {DUTCH.score(tick) for tick in range(1, 6)} | {str(tick) for tick in range(1, 6)}


def parse(svg: str) -> tuple[str, str, list[str]]:
    """An SVG's title, its description and the texts it prints."""
    root = ET.fromstring(svg)
    texts = [element.text or "" for element in root.iter(f"{SVG}text")]
    return root.findtext(f"{SVG}title") or "", root.findtext(f"{SVG}desc") or "", texts


def printed_numbers(texts: list[str]) -> set[str]:
    """Every number a chart prints (a count, a score, a share), the scale's ticks left out."""
    return {number for text in texts if text not in TICKS
            for number in re.findall(r"\d+(?:[.,]\d+)?(?:\s?%)?", text)}


def assert_describes_its_numbers(svg: str) -> str:
    """The chart's description holds every number it prints; the description, for more."""
    _title, desc, texts = parse(svg)
    missing = {number for number in printed_numbers(texts) if number not in desc}
    assert not missing, (missing, desc)
    return desc


def test_a_distribution_says_each_count_and_its_share():
    svg = charts.distribution([2, 5, 4, 10, 6], LABELS, DUTCH.percent, title="Een stelling",
                              note="percentages van de 27 antwoorden op de schaal")
    title, desc, _texts = parse(svg)
    assert title == "Een stelling"
    assert desc == ("Helemaal oneens 2 (7%), Oneens 5 (19%), Neutraal 4 (15%), Eens 10 (37%), "
                    "Helemaal eens 6 (22%); percentages van de 27 antwoorden op de schaal")
    assert_describes_its_numbers(svg)


def test_a_diverging_bar_with_the_counts_text_describes_every_number_it_prints():
    desc = (charts.counts_text(LABELS, [2, 5, 4, 10, 6], DUTCH.percent)
            + "; 26% van de antwoorden is oneens, 59% eens")
    svg = charts.diverging((5, 2), 4, (10, 6), DUTCH.percent, title="Een stelling", desc=desc)
    _title, _desc, texts = parse(svg)
    assert {"26%", "59%", "10", "6"} <= printed_numbers(texts)
    assert_describes_its_numbers(svg)


def test_score_and_share_bars_say_their_value():
    _title, desc, _texts = parse(charts.score_bar(3.46, "aandacht", title="Urgentie",
                                                  fmt=DUTCH.score))
    assert desc == "Urgentie: 3,5"
    _title, desc, _texts = parse(charts.score_bar(None, None, title="Urgentie",
                                                  fmt=DUTCH.score))
    assert desc == "Urgentie"
    _title, desc, _texts = parse(charts.share_bar(5 / 12, title="Urgentie: 5 van 12",
                                                  pct=DUTCH.percent))
    assert desc == "Urgentie: 5 van 12 (42%)"


def test_the_report_s_charts_describe_their_values_in_the_report_s_language(app, demo):
    with app.app_context():
        report = report_context(read_session().get(Assessment, 1))
    summary = report.summary
    bars = assert_describes_its_numbers(report.bars_chart)
    radar = assert_describes_its_numbers(report.radar_chart)
    for lesson in report.lessons:
        entry = (f"{lesson.number}. {lesson.lesson.title}: {DUTCH.score(lesson.summary.mean)} "
                 f"({lesson.band_label})")
        assert entry in bars and entry in radar
    quadrant = assert_describes_its_numbers(report.quadrant_chart)
    assert quadrant == (
        f"Horizontaal Ontwikkeling brede welvaart: {DUTCH.score(summary.quadrant.x)}; "
        f"verticaal Investering in de samenwerking: {DUTCH.score(summary.quadrant.y)} "
        "(schaal 1 tot 5, grens tussen laag en hoog bij 3,0). "
        "Vak: Vooruitgang op losse basis (eigen duiding).")
    lesson = report.lessons[0]
    chart = lesson.chart
    printed = {number for row in chart.rows
               for number in (row.disagree, row.agree, row.dont_know,
                              *(segment.count for segment in row.segments)) if number}
    assert printed and not {n for n in printed if n not in chart.description}
    desc = chart.description
    statement = lesson.statements[0]
    counts = statement.summary.distribution.counts
    assert desc.startswith(f"{statement.statement.text}: Helemaal oneens {counts[0]}, ")


def test_every_chart_on_the_projector_describes_its_values(app, facilitator_client):
    with app.app_context():
        for comment in read_session().scalars(select(Comment)):
            moderate(1, comment.id, Moderation.INCLUDED)
    state = facilitator_client.get(f"{BASE}/projector.json").get_json()
    seen: dict[str, int] = {}
    for _ in range(state["total"]):
        fragment = facilitator_client.get(f"{BASE}/projector/dia").get_data(as_text=True)
        kind = re.search(r'data-kind="(\w+)"', fragment).group(1)
        for svg in re.findall(r"<svg\b.*?</svg>", fragment, flags=re.DOTALL):
            desc = assert_describes_its_numbers(svg)
            seen[kind] = seen.get(kind, 0) + 1
            if kind in ("overview", "groups"):
                assert re.search(r": \d,\d$", desc), desc
            if kind == "lesson":
                assert re.search(r"^Helemaal oneens \d+ \(\d+%\), Oneens \d+ ", desc), desc
                assert re.search(r"\d+% van de antwoorden is oneens, \d+% eens$", desc), desc
            if kind == "priorities":
                assert re.search(r": \d+ van \d+ \(\d+%\)$", desc), desc
        _move(facilitator_client, "volgende")
    assert {"overview", "lesson", "groups", "quadrant"} <= set(seen)


def _boxes_overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_labels_of_regions_at_nearly_the_same_spot_do_not_cover_each_other():
    points = [(300.0, 200.0, "Uw regio"), (302.0, 201.0, "Cleantech Regio"),
              (304.0, 199.0, "Stedendriehoek"), (301.0, 203.0, "Regio Foodvalley"),
              (480.0, 200.0, "Noord-Veluwe")]
    spots = charts.place_labels(points, left=60, right=500)
    for index, spot in enumerate(spots):
        for other in spots[:index]:
            assert not _boxes_overlap(spot.box, other.box), (points[index][2], spot, other)
    # The first (the own region) keeps the place right beside its dot; near the right edge a
    # label goes to the left of its dot.
    assert (spots[0].x, spots[0].y, spots[0].anchor) == (309.0, 204.0, "start")
    assert spots[-1].anchor == "end" and spots[-1].box[2] < 480


def test_the_regions_quadrant_draws_each_label_once_where_it_was_placed():
    labels = charts.QuadrantLabels(x="Urgentie", y="Visie", position="Uw regio",
                                   cells={})
    dots = [charts.RegionDot("Uw regio", 3.5, 3.5, None, True),
            charts.RegionDot("Cleantech Regio", 3.52, 3.49, None, False),
            charts.RegionDot("", 2.0, 2.0, None, False)]
    svg = charts.regions_quadrant(dots, 3.0, labels, lambda v: f"{v:.1f}", title="t",
                                  desc="d")
    assert svg.count(">Cleantech Regio</text>") == 2  # the halo and the text
    assert svg.count(">Uw regio</text>") == 2
