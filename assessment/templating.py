"""Template helpers: the page's language, and paragraphs from content text."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date
from flask import Flask
from flask_babel import format_decimal, format_percent, get_locale

from assessment.question_types import field_name


def paragraphs(text: str) -> list[str]:
    """Split content text on blank lines into paragraphs (escaped by the template)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def score(value: float | None) -> str:
    """A score with one decimal in the page's locale (a decimal comma in Dutch)."""
    return "–" if value is None else format_decimal(value, format="0.0")


def two_decimals(value: float | None) -> str:
    """A figure such as consensus with two decimals in the page's locale."""
    return "–" if value is None else format_decimal(value, format="0.00")


def percent(value: float | None) -> str:
    """A share as a whole percentage in the page's locale."""
    return "–" if value is None else format_percent(value, format="0%")


def report_date(value: date, language: str) -> str:
    """A date written out in a language, such as "27 november 2026"."""
    return format_date(value, format="long", locale=language)


def without_none(attributes: dict[str, object]) -> dict[str, object]:
    """HTML attributes minus those set to None (WTForms would print "None")."""
    return {name: value for name, value in attributes.items() if value is not None}


def page_language() -> str:
    """The language of the page, for the ``lang`` attribute."""
    locale = get_locale()
    return locale.language if locale else "nl"


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["score"] = score
    app.jinja_env.filters["two_decimals"] = two_decimals
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["report_date"] = report_date
    app.jinja_env.filters["without_none"] = without_none
    app.jinja_env.globals["page_language"] = page_language
    app.jinja_env.globals["field_name"] = field_name
