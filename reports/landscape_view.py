"""What the landscape page, its PDF and its CSV show, and the peers section of a scan.

From :mod:`assessment.landscape`'s results to labels, formatted numbers and the quadrant
chart, in one language. No Flask, no database: the caller passes the questionnaire (for
lesson titles, band labels and the quadrant's axes) and the figures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from assessment.landscape import Landscape, PeerComparison, QuadrantPoint, RegionRow
from questions.schema import Questionnaire
from reports import charts
from reports.context import Numbers, interface


def N_(text: str) -> str:
    """Mark a Dutch label for extraction; it is translated when the view is built."""
    return text


LABELS = {
    "landscape_title": N_("Regio's in het kwadrant"),
    "peers_title": N_("Uw regio tussen vergelijkbare regio's"),
    "own": N_("uw regio"),
    "dot": N_("%(label)s: %(x)s; %(y)s"),
    "arrow": N_("%(label)s: van %(x0)s; %(y0)s naar %(x)s; %(y)s"),
    "anonymous": N_("een andere regio"),
}


@dataclass(frozen=True)
class LessonCell:
    """One region's figures on one lesson, as the landscape shows them."""

    score: str
    band: str | None
    band_label: str
    divided: bool
    information_gap: bool


@dataclass(frozen=True)
class RegionLine:
    """One region's row: label, respondents, per lesson a cell, its quadrant cell."""

    label: str
    respondents: int
    cells: tuple[LessonCell, ...]
    quadrant_cell: str
    has_previous: bool


@dataclass(frozen=True)
class SpreadCell:
    """The regions' median and interquartile range on one lesson, formatted."""

    median: str
    q1: str
    q3: str
    n: int


@dataclass(frozen=True)
class LandscapeView:
    """The landscape ready for a template or a CSV."""

    lessons: tuple[tuple[int, str, str], ...]   # number, id, title
    rows: tuple[RegionLine, ...]
    spreads: tuple[SpreadCell, ...]
    chart: str


def _labels(language: str) -> Mapping[str, str]:
    translations = interface(language)
    return {key: translations.gettext(text) for key, text in LABELS.items()}


def _quadrant_labels(questionnaire: Questionnaire, own: str) -> charts.QuadrantLabels | None:
    spec = questionnaire.quadrant
    if spec is None:
        return None
    cells = questionnaire.report.quadrants
    return charts.QuadrantLabels(
        x=spec.x.label, y=spec.y.label, position=own,
        cells={key: cells.cell(key).title
               for key in ("high-high", "high-low", "low-high", "low-low")})


def _chart(questionnaire: Questionnaire, points: tuple[QuadrantPoint, ...],
           split: float | None, numbers: Numbers, title: str) -> str:
    labels = _quadrant_labels(questionnaire, _labels(numbers.language)["own"])
    if labels is None or split is None or not points:
        return ""
    words = _labels(numbers.language)
    described = []
    dots = []
    for point in points:
        label = words["own"] if point.own else point.label or ""
        named = label or words["anonymous"]
        if point.previous is not None:
            described.append(words["arrow"] % {
                "label": named, "x0": numbers.score(point.previous[0]),
                "y0": numbers.score(point.previous[1]), "x": numbers.score(point.x),
                "y": numbers.score(point.y)})
        else:
            described.append(words["dot"] % {"label": named, "x": numbers.score(point.x),
                                             "y": numbers.score(point.y)})
        dots.append(charts.RegionDot(label, point.x, point.y, point.previous, point.own))
    desc = f"{labels.x} × {labels.y}: " + "; ".join(described)
    return charts.regions_quadrant(dots, split, labels, numbers.score, title=title, desc=desc)


def _line(row: RegionRow, questionnaire: Questionnaire, numbers: Numbers) -> RegionLine:
    bands = questionnaire.band_labels()
    summary = row.current.summary
    cells = tuple(
        LessonCell(numbers.score(lesson.mean), lesson.band,
                   bands.get(lesson.band or "", ""), lesson.divided, lesson.information_gap)
        for lesson in summary.lessons)
    position = summary.quadrant
    cell = position.cell if position is not None else None
    cell_title = questionnaire.report.quadrants.cell(cell).title if cell else ""
    return RegionLine(row.label, summary.respondents, cells, cell_title,
                      row.previous is not None)


def landscape_view(found: Landscape, questionnaire: Questionnaire,
                   numbers: Numbers) -> LandscapeView:
    """The landscape's rows, spreads and chart, in the numbers' language."""
    lessons = tuple((number, lesson.id, lesson.title)
                    for number, lesson in enumerate(questionnaire.lessons, start=1))
    spreads = tuple(SpreadCell(numbers.score(s.median), numbers.score(s.q1),
                               numbers.score(s.q3), s.n) for s in found.spreads)
    return LandscapeView(
        lessons, tuple(_line(row, questionnaire, numbers) for row in found.rows), spreads,
        _chart(questionnaire, found.points, found.split, numbers,
               _labels(numbers.language)["landscape_title"]))


def landscape_csv(view: LandscapeView, headers: Mapping[str, str]) -> str:
    """The landscape as CSV: a row per region, then the median and quartiles per lesson.

    ``headers`` names the fixed columns in the reader's language ("region", "respondents",
    "quadrant", "median", "q1", "q3"). Aggregated lesson figures only.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([headers["region"], headers["respondents"],
                     *(f"{number}. {title}" for number, _id, title in view.lessons),
                     headers["quadrant"]])
    for row in view.rows:
        writer.writerow([row.label, row.respondents, *(cell.score for cell in row.cells),
                         row.quadrant_cell])
    for key in ("median", "q1", "q3"):
        writer.writerow([headers[key], "", *(getattr(s, key) for s in view.spreads), ""])
    return out.getvalue()


@dataclass(frozen=True)
class PeerLesson:
    """One lesson of the peers section: the own score beside the peers' median and IQR."""

    number: int
    title: str
    own: str
    band_label: str
    median: str
    q1: str
    q3: str
    difference: str


@dataclass(frozen=True)
class PeersView:
    """The peers section of a scan's page and report (``shown`` False: it says so only)."""

    shown: bool
    min_peers: int
    peers: int
    lessons: tuple[PeerLesson, ...]
    chart: str


def peers_view(comparison: PeerComparison, questionnaire: Questionnaire,
               numbers: Numbers) -> PeersView:
    """The peer comparison formatted, with its quadrant (own dot first, peers anonymous
    unless named)."""
    if not comparison.shown:
        return PeersView(False, comparison.min_peers, 0, (), "")
    bands = questionnaire.band_labels()
    titles = {lesson.id: (number, lesson.title)
              for number, lesson in enumerate(questionnaire.lessons, start=1)}
    lessons = tuple(
        PeerLesson(titles[lesson.lesson_id][0], titles[lesson.lesson_id][1],
                   numbers.score(lesson.own), bands.get(lesson.own_band or "", ""),
                   numbers.score(lesson.peers.median), numbers.score(lesson.peers.q1),
                   numbers.score(lesson.peers.q3),
                   numbers.signed(lesson.difference(numbers.boundaries)))
        for lesson in comparison.lessons if lesson.lesson_id in titles)
    return PeersView(True, comparison.min_peers, comparison.peers, lessons,
                     _chart(questionnaire, comparison.points, comparison.split, numbers,
                            _labels(numbers.language)["peers_title"]))
