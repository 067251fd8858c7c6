"""Charts as SVG, drawn by our own small functions: the report and the web pages use them.

A lesson's statement chart is the exception: :func:`statement_answers` gives its rows as data
and the report lays them out as an HTML table (templates/report/_statement_chart.html),
because the PDF renderer sets SVG text one character at a time.

Every chart prints its numbers and band names, so it reads in greyscale and for readers who
cannot tell the band colours apart; each has a ``<title>`` and a ``<desc>`` for screen
readers, and the ``<desc>`` gives the values the chart draws, not only what it is about
(callers that pass a ``desc`` write it in the report's language; :func:`counts_text` words
a distribution). Text is escaped. Numbers are formatted by the caller's ``fmt`` (a decimal
comma in Dutch). No Flask, no database.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Protocol

#: Band colours (fill, text): dark enough for the numbers printed on or beside them.
BAND_COLOURS = {
    "sterk": ("#2e7d4f", "#1d5b37"),
    "aandacht": ("#d69a2d", "#7a4d00"),
    "zorg": ("#c0392b", "#a4161a"),
    None: ("#9e9e9e", "#535353"),
}
INK = "#1b1b1b"
MUTED = "#535353"
GRID = "#c8c8c8"
FONT = "Open Sans, DejaVu Sans, sans-serif"
SCALE_MIN, SCALE_MAX = 1.0, 5.0

Formatter = Callable[[float], str]


@dataclass(frozen=True)
class LessonPoint:
    """One lesson in a chart: label, score (None when not shown), band and previous score."""

    label: str
    short: str
    value: float | None
    band: str | None
    band_label: str
    previous: float | None = None


def _svg(width: float, height: float, title: str, desc: str, body: str) -> str:
    # Ids from the content, so the same chart gives the same SVG (reports are cached by hash).
    uid = "chart-" + hashlib.sha256(f"{title}|{desc}|{body}".encode()).hexdigest()[:12]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="{FONT}" class="chart">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _text(x: float, y: float, content: str, *, size: float = 11, anchor: str = "start",
          weight: str = "normal", fill: str = INK) -> str:
    # SVG's defaults (start, normal) are left out: every attribute costs the PDF renderer
    # parsing time, and the report has some 500 texts.
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}"'
            + (f' text-anchor="{anchor}"' if anchor != "start" else "")
            + (f' font-weight="{weight}"' if weight != "normal" else "")
            + f' fill="{fill}">{escape(content)}</text>')


def _lines(segments: Sequence[tuple[float, float, float, float]], stroke: str,
           width: float = 1) -> str:
    """Straight lines of one colour and width as one path: one element instead of many."""
    d = "".join(f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}" for x1, y1, x2, y2 in segments)
    return f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="{width:g}"/>'


def _halo_text(x: float, y: float, content: str, *, size: float = 10,
               anchor: str = "middle") -> str:
    """Bold text with a white outline drawn underneath, readable on top of lines and fills."""
    common = (f'x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" '
              f'font-weight="700"')
    return (f'<text {common} fill="#ffffff" stroke="#ffffff" stroke-width="3">'
            f'{escape(content)}</text><text {common} fill="{INK}">{escape(content)}</text>')


def bars(points: Sequence[LessonPoint], fmt: Formatter, *, title: str, desc: str,
         previous_label: str = "", width: float = 640) -> str:
    """Horizontal bars of the lessons' scores on 1–5, sorted as given, with number and band."""
    label_w, value_w, row_h, top = 230.0, 120.0, 26.0, 24.0
    plot_w = width - label_w - value_w
    height = top + row_h * len(points) + 30

    def x_of(value: float) -> float:
        return label_w + (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * plot_w

    parts = [_lines([(x_of(tick), top - 6, x_of(tick), top + row_h * len(points))
                     for tick in range(1, 6)], GRID)]
    for tick in range(1, 6):
        parts.append(_text(x_of(tick), top - 10, fmt(tick), size=10, anchor="middle",
                           fill=MUTED))
    for i, point in enumerate(points):
        y = top + i * row_h
        parts.append(_text(label_w - 8, y + row_h / 2 + 4, point.label, anchor="end"))
        if point.value is None:
            parts.append(_text(label_w + 4, y + row_h / 2 + 4, point.band_label, size=10,
                               fill=MUTED))
            continue
        fill, ink = BAND_COLOURS.get(point.band, BAND_COLOURS[None])
        end = x_of(point.value)
        parts.append(f'<rect x="{label_w:.1f}" y="{y + 5:.1f}" width="{end - label_w:.1f}" '
                     f'height="{row_h - 10:.1f}" fill="{fill}"/>')
        if point.previous is not None:
            px = x_of(point.previous)
            parts.append(f'<line x1="{px:.1f}" y1="{y + 2:.1f}" x2="{px:.1f}" '
                         f'y2="{y + row_h - 2:.1f}" stroke="{INK}" stroke-width="2" '
                         f'stroke-dasharray="3 2"/>')
        parts.append(_text(end + 6, y + row_h / 2 + 4,
                           f"{fmt(point.value)} · {point.band_label}", weight="600", fill=ink))
    if previous_label and any(p.previous is not None for p in points):
        ly = top + row_h * len(points) + 20
        parts.append(f'<line x1="{label_w:.1f}" y1="{ly - 9}" x2="{label_w:.1f}" y2="{ly + 3}" '
                     f'stroke="{INK}" stroke-width="2" stroke-dasharray="3 2"/>')
        parts.append(_text(label_w + 8, ly, previous_label, size=10, fill=MUTED))
    return _svg(width, height, title, desc, "".join(parts))


def radar(points: Sequence[LessonPoint], fmt: Formatter, *, title: str, desc: str,
          previous_label: str = "", size: float = 600) -> str:
    """A radar of the lessons on 1–5 with band rings, the score printed at every point."""
    cx = cy = size / 2
    radius = size / 2 - 90
    n = len(points)

    def at(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / n
        r = (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * radius
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def ring(value: float) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(i, value) for i in range(n)))

    parts = [
        f'<polygon points="{ring(5)}" fill="#e8f4ec" stroke="none"/>',
        f'<polygon points="{ring(4)}" fill="#fdf3e1" stroke="none"/>',
        f'<polygon points="{ring(3)}" fill="#fbe9ea" stroke="none"/>',
    ]
    for level in range(1, 6):
        parts.append(f'<polygon points="{ring(level)}" fill="none" stroke="{GRID}"/>')
        x, y = at(0, level)
        parts.append(_text(x + 4, y + 4, fmt(level), size=9, fill=MUTED))
    parts.append(_lines([(cx, cy, *at(i, SCALE_MAX)) for i in range(n)], GRID))
    for i, point in enumerate(points):
        lx, ly = at(i, SCALE_MAX + 0.55)
        anchor = "middle" if abs(lx - cx) < 20 else ("start" if lx > cx else "end")
        parts.append(_text(lx, ly + 4, point.short, size=10.5, anchor=anchor, weight="600"))
    previous = [(i, p.previous) for i, p in enumerate(points) if p.previous is not None]
    if len(previous) == n:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(i, v) for i, v in previous))
        parts.append(f'<polygon points="{coords}" fill="none" stroke="{INK}" stroke-width="1.5" '
                     f'stroke-dasharray="4 3"/>')
    shown = [(i, p) for i, p in enumerate(points) if p.value is not None]
    if len(shown) == n:
        coords = " ".join(f"{x:.1f},{y:.1f}"
                          for x, y in (at(i, p.value) for i, p in shown if p.value is not None))
        parts.append(f'<polygon points="{coords}" fill="#154273" fill-opacity="0.15" '
                     f'stroke="#154273" stroke-width="2"/>')
    for i, point in shown:
        if point.value is None:
            continue
        x, y = at(i, point.value)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#154273"/>')
        parts.append(_halo_text(x, y - 7, fmt(point.value)))
    if previous_label and len(previous) == n:
        parts.append(f'<line x1="10" y1="{size - 14}" x2="34" y2="{size - 14}" stroke="{INK}" '
                     f'stroke-width="1.5" stroke-dasharray="4 3"/>')
        parts.append(_text(40, size - 10, previous_label, size=10, fill=MUTED))
    return _svg(size, size, title, desc, "".join(parts))


@dataclass(frozen=True)
class QuadrantLabels:
    """The axis names and the four cells' names (x first: "high-high" = both high)."""

    x: str
    y: str
    cells: dict[str, str]
    position: str


QUADRANT_MARGIN = 56.0


def _quadrant_axes(size: float) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """A quadrant's scale-to-pixel mappings, across (left to right) and up (bottom to top)."""
    plot = size - 2 * QUADRANT_MARGIN

    def px(value: float) -> float:
        return QUADRANT_MARGIN + (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * plot

    def py(value: float) -> float:
        return QUADRANT_MARGIN + plot - (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * plot

    return px, py


def quadrant(x: float | None, y: float | None, split: float, labels: QuadrantLabels,
             fmt: Formatter, *, title: str, desc: str, size: float = 420) -> str:
    """The quadrant with the region's position and its coordinates printed beside it."""
    margin = QUADRANT_MARGIN
    plot = size - 2 * margin
    px, py = _quadrant_axes(size)

    sx, sy = px(split), py(split)
    parts = [
        f'<rect x="{margin}" y="{margin}" width="{plot}" height="{plot}" fill="#f3f5f8" '
        f'stroke="{INK}"/>',
        f'<line x1="{sx:.1f}" y1="{margin}" x2="{sx:.1f}" y2="{margin + plot}" stroke="{INK}" '
        f'stroke-dasharray="5 4"/>',
        f'<line x1="{margin}" y1="{sy:.1f}" x2="{margin + plot}" y2="{sy:.1f}" stroke="{INK}" '
        f'stroke-dasharray="5 4"/>',
    ]
    cells = {
        "low-high": ((margin + sx) / 2, margin + 18),
        "high-high": ((sx + margin + plot) / 2, margin + 18),
        "low-low": ((margin + sx) / 2, margin + plot - 10),
        "high-low": ((sx + margin + plot) / 2, margin + plot - 10),
    }
    for key, (cx, cy) in cells.items():
        parts.append(_text(cx, cy, labels.cells.get(key, ""), size=10.5, anchor="middle",
                           weight="600", fill=MUTED))
    for tick in range(1, 6):
        parts.append(_text(px(tick), margin + plot + 16, fmt(tick), size=9, anchor="middle",
                           fill=MUTED))
        parts.append(_text(margin - 8, py(tick) + 3, fmt(tick), size=9, anchor="end",
                           fill=MUTED))
    parts.append(_text(margin + plot / 2, size - 12, labels.x, size=11, anchor="middle",
                       weight="600"))
    parts.append(f'<text x="16" y="{margin + plot / 2:.1f}" font-size="11" font-weight="600" '
                 f'text-anchor="middle" fill="{INK}" '
                 f'transform="rotate(-90 16 {margin + plot / 2:.1f})">{escape(labels.y)}</text>')
    if x is not None and y is not None:
        dx, dy = px(x), py(y)
        parts.append(f'<circle cx="{dx:.1f}" cy="{dy:.1f}" r="7" fill="#154273" '
                     f'stroke="#ffffff" stroke-width="2"/>')
        anchor = "end" if dx > margin + plot * 0.7 else "start"
        offset = -12 if anchor == "end" else 12
        parts.append(_halo_text(dx + offset, dy + 4, f"{labels.position} ({fmt(x)}; {fmt(y)})",
                                size=11, anchor=anchor))
    return _svg(size, size, title, desc, "".join(parts))


def counts_text(labels: Sequence[str], counts: Sequence[int], pct: Formatter) -> str:
    """Each point's label, count and share of the counts, such as "Oneens 5 (18 %), Eens 2 (7 %)".

    The shares are of the answers counted here (the answers on the scale).
    """
    total = sum(counts)
    return ", ".join(f"{label} {count}" + (f" ({pct(count / total)})" if total else "")
                     for label, count in zip(labels, counts, strict=True))


def distribution(counts: Sequence[int], labels: Sequence[str], pct: Formatter, *,
                 title: str, note: str = "", width: float = 420, height: float = 22) -> str:
    """A 100 % stacked bar of answers over the scale points, shares printed where they fit.

    The description gives every point's count and share (:func:`counts_text`), then
    ``note`` (what the shares are of, in the caller's language).
    """
    total = sum(counts)
    greys = ["#a4161a", "#e07b6f", "#bdbdbd", "#6fae86", "#1d5b37"]
    inks = ["#ffffff", INK, INK, INK, "#ffffff"]
    parts = []
    x = 0.0
    for i, value in enumerate(counts):
        if not total or not value:
            continue
        w = value / total * width
        colour = greys[i] if len(counts) == 5 else "#9e9e9e"
        ink = inks[i] if len(counts) == 5 else INK
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" '
                     f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>')
        if w >= 30:
            parts.append(_text(x + w / 2, height / 2 + 4, pct(value / total), size=9.5,
                               anchor="middle", weight="600", fill=ink))
        x += w
    if not total:
        parts.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f3f5f8"/>')
    desc = counts_text(labels, counts, pct) + (f"; {note}" if note else "")
    return _svg(width, height, title, desc, "".join(parts))


#: A diverging bar's colours from the middle outwards (fill, ink of the number on it): orange
#: for disagreeing, purple for agreeing (ColorBrewer's PuOr, safe for colour-blind readers),
#: light next to the middle and dark at the ends, so also in greyscale.
DISAGREE_COLOURS = (("#f1a340", INK), ("#b35806", "#ffffff"))
NEUTRAL_COLOUR = ("#d0d0d0", INK)
AGREE_COLOURS = (("#998ec3", INK), ("#542788", "#ffffff"))


def diverging(disagree: Sequence[int], neutral: int, agree: Sequence[int], pct: Formatter, *,
              title: str, desc: str, reach: float = 1.0, width: float = 1000,
              height: float = 80) -> str:
    """One statement's answers as a bar around the middle: disagreeing left, agreeing right.

    ``disagree`` and ``agree`` are counts from the middle outwards; the neutral answers are
    centred on the middle line. Each side's share of the answers is printed at its end, and
    each segment's count on it where it fits. ``desc`` must give every count and both
    shares (:func:`counts_text` and the sides' shares, in the caller's language). ``reach``
    is the largest share one side reaches (half the neutral answers included) among the bars
    drawn together, so that they share one scale and the longest fills its half.
    """
    total = sum(disagree) + neutral + sum(agree)
    label_w, size = 120.0, height * 0.45
    unit = (width / 2 - label_w) / (max(reach, 0.05) * total) if total else 0.0
    centre, top, bar_h = width / 2, height * 0.08, height * 0.84
    parts = [f'<line x1="{centre:.1f}" y1="0" x2="{centre:.1f}" y2="{height:g}" '
             f'stroke="{INK}" stroke-width="2"/>']

    def segment(x: float, w: float, count: int, colours: tuple[str, str]) -> None:
        fill, ink = colours
        parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{w:.1f}" height="{bar_h:.1f}" '
                     f'fill="{fill}" stroke="#ffffff" stroke-width="1"/>')
        if w >= size * 0.7 * len(str(count)) + 6:
            parts.append(_text(x + w / 2, top + bar_h / 2 + size * 0.36, str(count), size=size,
                               anchor="middle", weight="700", fill=ink))

    left = centre - neutral * unit / 2
    if neutral:
        segment(left, neutral * unit, neutral, NEUTRAL_COLOUR)
    x = left
    for i, count in enumerate(disagree):
        if count:
            x -= count * unit
            segment(x, count * unit, count, DISAGREE_COLOURS[min(i, 1)])
    x = centre + neutral * unit / 2
    for i, count in enumerate(agree):
        if count:
            segment(x, count * unit, count, AGREE_COLOURS[min(i, 1)])
            x += count * unit
    if total:
        baseline = top + bar_h / 2 + size * 0.36
        parts.append(_text(label_w - 10, baseline, pct(sum(disagree) / total), size=size,
                           anchor="end", weight="700"))
        parts.append(_text(width - label_w + 10, baseline, pct(sum(agree) / total), size=size,
                           weight="700"))
    return _svg(width, height, title, desc, "".join(parts))


class SplitAnswers(Protocol):
    """A statement's answers split around the middle point (``assessment.projector``)."""

    @property
    def counts(self) -> tuple[int, ...]: ...
    @property
    def disagree(self) -> tuple[int, ...]: ...
    @property
    def neutral(self) -> int: ...
    @property
    def agree(self) -> tuple[int, ...]: ...
    @property
    def dont_know(self) -> int: ...
    @property
    def shown(self) -> bool: ...
    @property
    def reach(self) -> float: ...


@dataclass(frozen=True)
class StatementChartLabels:
    """The words a lesson's statement chart prints, in the report's language."""

    #: The scale's points, lowest first (the legend, in the order the bars show them).
    points: tuple[str, ...]
    disagree: str
    agree: str
    dont_know: str
    too_few: str


def point_colours(points: int) -> list[tuple[str, str]]:
    """Fill and ink per scale point, lowest first: dark at both ends, grey in the middle."""
    half = points // 2
    colours = [DISAGREE_COLOURS[min(half - 1 - i, 1)] for i in range(half)]
    if points % 2:
        colours.append(NEUTRAL_COLOUR)
    colours.extend(AGREE_COLOURS[min(i, 1)] for i in range(half))
    return colours


@dataclass(frozen=True)
class Segment:
    """One scale point's part of a statement's bar: its width in whole % of the bar, its fill
    and shade (the stylesheet's class for that fill and its ink), and the count printed on
    it ("" where the segment is too narrow for it)."""

    width: int
    fill: str
    shade: str
    count: str


#: The stylesheet's class per fill of a statement bar (report.css: ``.shade-…``). Classes,
#: not style attributes: the preview's Content-Security-Policy allows no inline styles.
SHADES = {DISAGREE_COLOURS[1][0]: "shade-d2", DISAGREE_COLOURS[0][0]: "shade-d1",
          NEUTRAL_COLOUR[0]: "shade-n", AGREE_COLOURS[0][0]: "shade-a1",
          AGREE_COLOURS[1][0]: "shade-a2"}


@dataclass(frozen=True)
class StatementChartRow:
    """One statement in a lesson's chart, as the report prints it, left to right.

    Not ``shown`` (below the anonymity threshold): the wording only, no bar, no numbers.
    ``lead`` is the room in whole % of the bar before its first segment, so that the middle
    of the scale stands at 50 %.
    """

    text: str
    shown: bool
    disagree: str = ""
    lead: int = 0
    segments: tuple[Segment, ...] = ()
    agree: str = ""
    dont_know: str = ""


@dataclass(frozen=True)
class StatementChart:
    """A lesson's statements as the report lays them out: a table of rows with a bar each.

    ``title`` names the chart and ``description`` gives every count and share in words,
    for a screen reader (:func:`statement_answers`); ``legend`` is the scale's points with
    their shades, lowest first.
    """

    title: str
    description: str
    labels: StatementChartLabels
    rows: tuple[StatementChartRow, ...]
    legend: tuple[tuple[str, str], ...]


#: The nominal width of a statement's bar, in the units the counts' font sizes are given
#: in (the bar is 41.5 % of a 600-unit row, a 10-unit font): a segment narrower than its
#: count needs goes without it.
BAR_UNITS = 249.0


def statement_answers(rows: Sequence[tuple[str, SplitAnswers]], labels: StatementChartLabels,
                      pct: Formatter, *, title: str, desc: str) -> StatementChart:
    """A lesson's statements in one chart: per statement a diverging bar with its numbers.

    Each row holds the statement's wording, the share of its valid answers that disagrees
    (left) and agrees (right), the bar with the count on every segment wide enough for
    it, and the "weet niet" count. A statement below the anonymity threshold (``shown``
    False) gets its wording and ``labels.too_few``, no bar and no numbers. All bars share
    one scale, so the widest side fills its half. The legend names the points in the order
    the bars show them and the bars shade dark–light–grey–light–dark, so the chart reads
    without colour; the numbers are on it, and all of them in ``desc``.

    The report lays it out as HTML (text in lines and table cells, the bars as coloured
    boxes), not as SVG: a PDF renderer sets SVG text one character at a time.
    """
    reach = max((r.reach for _label, r in rows if r.shown), default=1.0)
    chart_rows = []
    for text, answers in rows:
        if not answers.shown:
            chart_rows.append(StatementChartRow(text, shown=False))
            continue
        valid = sum(answers.disagree) + answers.neutral + sum(answers.agree)
        lead, segments = _split_bar(answers, 50.0 / max(reach, 0.05))
        chart_rows.append(StatementChartRow(
            text, shown=True, disagree=pct(sum(answers.disagree) / valid), lead=lead,
            segments=segments, agree=pct(sum(answers.agree) / valid),
            dont_know=str(answers.dont_know)))
    legend = tuple((point, SHADES[fill]) for point, (fill, _ink)
                   in zip(labels.points, point_colours(len(labels.points)), strict=True))
    return StatementChart(title, desc, labels, tuple(chart_rows), legend)


def _split_bar(answers: SplitAnswers, share_w: float) -> tuple[int, tuple[Segment, ...]]:
    """One diverging bar, left to right: the neutral answers centred on the middle (50 %).

    ``share_w`` is the width of all valid answers in % of the bar; a segment's count is
    printed on it when it fits. Returns the room before the first segment and the segments,
    in whole % (the stylesheet's width classes): each edge rounded, so the widths add up
    and the middle stays at 50; a segment with answers keeps at least 1 %.
    """
    valid = sum(answers.disagree) + answers.neutral + sum(answers.agree)
    unit = share_w / valid
    colours = point_colours(len(answers.counts))
    counts = [*reversed(answers.disagree), answers.neutral, *answers.agree]
    if len(counts) > len(colours):  # an even scale: no middle point
        counts.pop(len(answers.disagree))
    edge = 50.0 - (sum(answers.disagree) + answers.neutral / 2) * unit
    lead = left = round(edge)
    segments = []
    for count, (fill, _ink) in zip(counts, colours, strict=True):
        if not count:
            continue
        width = count * unit
        edge += width
        right = max(round(edge), left + 1)
        fits = width / 100 * BAR_UNITS >= 6.2 * len(str(count)) + 4
        segments.append(Segment(right - left, fill, SHADES[fill], str(count) if fits else ""))
        left = right
    return lead, tuple(segments)


def score_bar(value: float | None, band: str | None, *, title: str, fmt: Formatter,
              width: float = 400, height: float = 40) -> str:
    """A lesson's score on 1–5 as one bar in its band's colour, with the 1–5 grid lines.

    The description is the title and the score ("Urgentie: 4,2"); without a score, the title.
    """
    parts = []
    for tick in range(1, 6):
        x = (tick - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * (width - 2) + 1
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height:g}" stroke="{GRID}" '
                     f'stroke-width="2"/>')
    if value is not None:
        fill, _ink = BAND_COLOURS.get(band, BAND_COLOURS[None])
        w = max((value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * width, 4.0)
        parts.append(f'<rect x="0" y="{height * 0.15:.1f}" width="{w:.1f}" '
                     f'height="{height * 0.7:.1f}" fill="{fill}"/>')
    desc = f"{title}: {fmt(value)}" if value is not None else title
    return _svg(width, height, title, desc, "".join(parts))


def share_bar(share: float, *, title: str, pct: Formatter, width: float = 400,
              height: float = 40) -> str:
    """A share of 0–1 as one bar (a lesson's votes among the voters), with quarter lines.

    The description is the title and the share ("Urgentie: 5 van 12 (42 %)").
    """
    parts = []
    for quarter in range(5):
        x = quarter / 4 * (width - 2) + 1
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height:g}" stroke="{GRID}" '
                     f'stroke-width="2"/>')
    w = max(min(share, 1.0) * width, 4.0)
    parts.append(f'<rect x="0" y="{height * 0.15:.1f}" width="{w:.1f}" '
                 f'height="{height * 0.7:.1f}" fill="{INK}"/>')
    return _svg(width, height, title, f"{title} ({pct(share)})", "".join(parts))


@dataclass(frozen=True)
class RegionDot:
    """A region in the landscape's quadrant: its label ("" for an anonymous dot), where it
    stands, where it stood in its previous round (None: no arrow), and whether it is the
    reader's own region."""

    label: str
    x: float
    y: float
    previous: tuple[float, float] | None = None
    own: bool = False


def regions_quadrant(dots: Sequence[RegionDot], split: float, labels: QuadrantLabels,
                     fmt: Formatter, *, title: str, desc: str, size: float = 520) -> str:
    """The quadrant with many regions: a dot each, its label beside it, and an arrow from
    its previous round's position where it has one. The own region is drawn larger."""
    margin = QUADRANT_MARGIN
    plot = size - 2 * margin
    px, py = _quadrant_axes(size)

    frame = quadrant(None, None, split, labels, fmt, title=title, desc=desc, size=size)
    parts = []
    for dot in dots:
        x, y = px(dot.x), py(dot.y)
        if dot.previous is not None:
            x0, y0 = px(dot.previous[0]), py(dot.previous[1])
            length = math.hypot(x - x0, y - y0)
            if length > 8:
                ux, uy = (x - x0) / length, (y - y0) / length
                tip_x, tip_y = x - ux * 6, y - uy * 6
                parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{tip_x:.1f}" '
                             f'y2="{tip_y:.1f}" stroke="{MUTED}" stroke-width="1.5"/>')
                left = (tip_x - ux * 7 - uy * 4, tip_y - uy * 7 + ux * 4)
                right = (tip_x - ux * 7 + uy * 4, tip_y - uy * 7 - ux * 4)
                parts.append(f'<polygon points="{tip_x:.1f},{tip_y:.1f} {left[0]:.1f},'
                             f'{left[1]:.1f} {right[0]:.1f},{right[1]:.1f}" fill="{MUTED}"/>')
        radius, fill = (7, "#154273") if dot.own else (4.5, "#6b7f99")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{fill}" '
                     f'stroke="#ffffff" stroke-width="1.5"/>')
    labelled = [dot for dot in dots if dot.label]
    # The own region's label first, so it keeps the place beside its dot.
    labelled.sort(key=lambda dot: not dot.own)
    spots = place_labels([(px(dot.x), py(dot.y), dot.label) for dot in labelled],
                         left=margin, right=margin + plot)
    parts.extend(_halo_text(spot.x, spot.y, dot.label, size=LABEL_SIZE, anchor=spot.anchor)
                 for dot, spot in zip(labelled, spots, strict=True))
    return frame.replace("</svg>", "".join(parts) + "</svg>")


#: The size of a region's label in the quadrant, and what one character takes at most
#: (bold, in units of the size; an estimate on the wide side, without measuring the font).
LABEL_SIZE = 9.5
_CHARACTER_WIDTH = 0.62


@dataclass(frozen=True)
class LabelSpot:
    """Where a label is drawn: its baseline's x and y and how it is anchored there; its box."""

    x: float
    y: float
    anchor: str
    box: tuple[float, float, float, float]


def place_labels(points: Sequence[tuple[float, float, str]], *, left: float,
                 right: float) -> list[LabelSpot]:
    """A spot for each point's label beside its dot, in order, so that no label covers an
    earlier one: to the right of the dot (to the left near the right edge), else the other
    side, else a step up or down at a time. When no spot is free within a few steps the
    first is taken; the table beside the chart names every region anyway."""
    taken: list[tuple[float, float, float, float]] = []
    spots: list[LabelSpot] = []
    for x, y, text in points:
        width = len(text) * LABEL_SIZE * _CHARACTER_WIDTH
        near_edge = x > left + (right - left) * 0.7
        sides = ("end", "start") if near_edge else ("start", "end")
        candidates = [_spot(x, y + 4 + shift, width, side)
                      for shift in (0, -11, 11, -22, 22, -33, 33) for side in sides]
        free = [spot for spot in candidates
                if spot.box[0] >= left - 40 and spot.box[2] <= right + 40
                and not any(_overlap(spot.box, other) for other in taken)]
        chosen = free[0] if free else candidates[0]
        taken.append(chosen.box)
        spots.append(chosen)
    return spots


def _spot(x: float, baseline: float, width: float, anchor: str) -> LabelSpot:
    start = x + 9 if anchor == "start" else x - 9 - width
    text_x = x + 9 if anchor == "start" else x - 9
    return LabelSpot(text_x, baseline, anchor,
                     (start, baseline - LABEL_SIZE, start + width, baseline + 2))


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
