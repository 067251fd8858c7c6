"""Measuring a rendered report's pages from WeasyPrint's layout: how full each page is.

The report's top-level parts (cover, contents, each chapter) each start on a new page, so
the last page of a part may end anywhere; every other page should be well filled. Whether a
page is full is read from the laid-out boxes: the lowest line of text, image, chart or table
row on the page, measured from the top of the page's content area (headers and page
numbers, in the margins, do not count).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.render import PDF_VARIANT, report_document


@dataclass(frozen=True)
class PageFill:
    """One page: its number (from 1), the share of its content height used, its parts."""

    number: int
    used: float
    #: The top-level parts (body children) with content on this page, in order, by their
    #: element's id attribute or tag.
    parts: tuple[str, ...]
    #: The page ends a part: its last part does not go on to the next page.
    ends_part: bool


def render(html: str, static_dir: Path) -> tuple[Any, bytes]:
    """Lay out the report as the report worker does; the WeasyPrint document and its PDF."""
    document = report_document(html, static_dir).render()
    return document, document.write_pdf(pdf_variant=PDF_VARIANT)


def _content_root(page: Any) -> Any:
    """The page's root box (html), leaving out the margin boxes (headers, page numbers)."""
    from weasyprint.formatting_structure import boxes

    return next(child for child in page._page_box.children
                if not isinstance(child, boxes.MarginBox))


def _body(page: Any) -> Any:
    root = _content_root(page)
    return next(child for child in root.children if child.element_tag == "body")


def _part_name(box: Any) -> str:
    element = box.element
    return str(element.get("aria-labelledby") or element.get("aria-label")
               or element.get("class") or box.element_tag)


def _leaves(box: Any) -> Iterator[Any]:
    from weasyprint.formatting_structure import boxes

    for child in box.descendants():
        if isinstance(child, (boxes.LineBox, boxes.ReplacedBox, boxes.TableRowBox)):
            yield child


def page_fills(document: Any) -> list[PageFill]:
    """How full each page of a rendered document is, and which parts it holds."""
    pages = document.pages
    parts = []
    for page in pages:
        body = _body(page)
        parts.append(tuple(_part_name(child) for child in body.children
                           if child.element is not body.element))
    fills = []
    for index, page in enumerate(pages):
        page_box = page._page_box
        top = page_box.content_box_y()
        bottom = max((leaf.position_y + leaf.margin_height()
                      for leaf in _leaves(_content_root(page))), default=top)
        last = parts[index][-1] if parts[index] else ""
        following = parts[index + 1] if index + 1 < len(pages) else ()
        fills.append(PageFill(index + 1, (bottom - top) / page_box.height, parts[index],
                              ends_part=last not in following))
    return fills


def overflowing_cells(document: Any) -> list[str]:
    """Texts of table cells with a word sticking out of the cell into its neighbour."""
    from weasyprint.formatting_structure import boxes

    found = []
    for page in document.pages:
        for box in _content_root(page).descendants():
            if not isinstance(box, boxes.TableCellBox):
                continue
            left, right = box.border_box_x(), box.border_box_x() + box.border_width()
            if any(text.position_x < left - 0.5
                   or text.position_x + text.margin_width() > right + 0.5
                   for text in box.descendants() if isinstance(text, boxes.TextBox)):
                found.append(" ".join(_words(box)))
    return found


def _words(box: Any) -> Iterator[str]:
    from weasyprint.formatting_structure import boxes

    for child in box.descendants():
        if isinstance(child, boxes.TextBox):
            yield child.text
