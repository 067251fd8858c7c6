"""Template helpers: the page's language, and paragraphs from content text."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from flask import Flask, current_app, g
from flask_babel import format_decimal, format_percent, get_locale, get_translations, ngettext
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms.fields.choices import SelectFieldBase

from assessment import figures
from assessment.anonymity import STEP, Counting
from assessment.config import TIME_ZONE
from assessment.models import AUDIT_ACTIONS, STATUS_LABELS, as_utc
from assessment.question_types import Asked, field_name
from questions.schema import Questionnaire


def paragraphs(text: str) -> list[str]:
    """Split content text on blank lines into paragraphs (escaped by the template)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale else "nl"


def score(value: float | None, questionnaire: Questionnaire) -> str:
    """A score as every surface shows it (:func:`assessment.figures.score_text`), in the
    page's locale; ``questionnaire`` gives the band boundaries it may not cross."""
    return figures.score_text(value, figures.boundaries_of(questionnaire), _locale())


def figure(value: float | None) -> str:
    """A figure that is no score (a spread, a gap) with one decimal, in the page's locale."""
    return figures.figure_text(value, _locale())


def change(value: Decimal | None) -> str:
    """A shown change between rounds with its sign, such as +0,1, in the page's locale."""
    return figures.change_text(value, _locale())


def two_decimals(value: float | None) -> str:
    """A figure such as consensus with two decimals in the page's locale."""
    return "–" if value is None else format_decimal(value, format="0.00")


def percent(value: float | None) -> str:
    """A share as a whole percentage in the page's locale."""
    return "–" if value is None else format_percent(value, format="0%")


def status_label(status: str) -> str:
    """An assessment's status as pages name it (``models.STATUS_LABELS``), translated."""
    label: str = _(STATUS_LABELS[status])
    return label


def audit_label(action: str) -> str:
    """How the audit log names an action (``models.AUDIT_ACTIONS``), translated; an action
    without a label shows as its code."""
    label = AUDIT_ACTIONS.get(action)
    return str(_(label)) if label else action


#: The locale that writes dates for a language: British English puts the day first.
DATE_LOCALES = {"en": "en_GB"}


def report_date(value: date, language: str) -> str:
    """A date written out in a language, such as "27 november 2026" or "27 November 2026"."""
    return format_date(value, format="long", locale=DATE_LOCALES.get(language, language))


def local_time(moment: datetime, language: str) -> str:
    """A stored time as clocks in the Netherlands showed it, with the zone's abbreviation
    (winter and summer time differ): "1 december 2026, 14:05 CET"."""
    local = as_utc(moment).astimezone(ZoneInfo(TIME_ZONE))
    return f"{report_date(local.date(), language)}, {local:%H:%M} {local.tzname()}"


def without_none(attributes: dict[str, object]) -> dict[str, object]:
    """HTML attributes minus those set to None (WTForms would print "None")."""
    return {name: value for name, value in attributes.items() if value is not None}


def page_language() -> str:
    """The language of the page, for the ``lang`` attribute."""
    locale = get_locale()
    return locale.language if locale else "nl"


#: Each language's name in that language: a switch offers "English", not "Engels".
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def other_languages() -> list[str]:
    """The languages the page's reader may switch to (a participant's: the assessment's)."""
    offered = g.get("languages") or current_app.config["LANGUAGES"]
    return [language for language in offered if language != page_language()]


def language_name(language: str) -> str:
    """The name of a language in that language."""
    return LANGUAGE_NAMES.get(language, language)


def language_label(language: str) -> str:
    """The name of a language in the page's language ("Engels" on a Dutch page)."""
    locale = get_locale()
    name = Locale.parse(language).get_display_name(locale) if locale else None
    return (name or language)[:1].upper() + (name or language)[1:]


def counting_note(counting: Counting) -> str:
    """Why the results count fewer respondents than sent in, in plain words; "" when all count.

    For the facilitator's pages (scan page, live view, presenter view, export page).
    """
    if not counting.waiting:
        return ""
    if counting.closed:
        return str(ngettext(
            "Na de vorige keer sluiten kwam er %(num)d antwoord bij. Het telt mee zodra er "
            "samen minstens %(step)d nieuwe antwoorden zijn (of na opnieuw openen en sluiten), "
            "zodat niemand uit het verschil is af te leiden.",
            "Na de vorige keer sluiten kwamen er %(num)d antwoorden bij. Ze tellen mee zodra "
            "er samen minstens %(step)d nieuwe antwoorden zijn (of na opnieuw openen en "
            "sluiten), zodat niemand uit het verschil is af te leiden.",
            counting.waiting, step=STEP))
    note = str(_("De uitkomsten tellen nu %(counted)d van de %(submitted)d verzonden antwoorden "
             "mee; ze lopen in stappen van %(step)d mee, zodat niemand af te leiden is.",
             counted=counting.counted, submitted=counting.submitted, step=STEP))
    if counting.at_close == counting.submitted:
        note += " " + _("Als u de scan sluit, tellen alle verzonden antwoorden mee.")
    return note


def template_macro(name: str) -> Any:
    """The macro named "template:macro" (a question type's), from its template's module.

    Jinja makes a template's module once per process; an ``{% import %}`` inside a macro
    that runs for every item on a page would compare the page's globals with the
    template's each time, which cost more than showing the item.
    """
    template, macro = name.split(":")
    return getattr(current_app.jinja_env.get_template(template).module, macro)


def show_asked(form: Any, asked: Asked) -> Markup:
    """An item's field on a page, shown by its type's macro (``QuestionType.macro``).

    A form class may keep what its choice fields look like (``shown``, a dict; the
    participant's page forms do): a field without errors whose value is one of its choices
    (or none) is then shown by the macro once per value and process, and taken from there
    afterwards. A question type's macro shows the field and the item only, nothing else of
    the request, so its output for a field's value never differs; a radio group of a
    lesson page cost more to show than the rest of the page.
    """
    field = form[asked.name]
    macro = template_macro(asked.kind.macro)
    kept = getattr(form, "shown", None)
    if kept is None or field.errors or not _one_of_choices(field):
        shown: Markup = macro(field, asked)
        return shown
    key = (asked.name, field.data)
    found: Markup | None = kept.get(key)
    if found is None:
        found = kept[key] = macro(field, asked)
    return found


def _one_of_choices(field: Any) -> bool:
    """Whether a field is a choice among fixed values and holds one of them (or none)."""
    if not isinstance(field, SelectFieldBase):
        return False
    return field.data is None or any(choice.selected for choice in field.iter_choices())


def page_translations() -> Any:
    """The interface's translations in the page's locale, found once per request and locale.

    Flask-Babel's own lookup, which each ``_()`` of a template makes, finds the request's
    Babel context three times over and writes the locale's name out anew; a question
    page has about a dozen phrases. A locale forced for a while (``force_locale``) or
    refreshed is another locale object, and gets its own translations.
    """
    locale = get_locale()
    if locale is None:
        return get_translations()
    found = g.get("page_translations")
    if found is None or found[0] is not locale:
        found = g.page_translations = (locale, get_translations())
    return found[1]


def _template_gettext(string: str) -> str:
    return str(page_translations().ugettext(string))


def _template_ngettext(singular: str, plural: str, number: int) -> str:
    return str(page_translations().ungettext(singular, plural, number))


def compile_templates(app: Flask) -> int:
    """Compile every template of ``app`` now, and say how many there are.

    A gunicorn worker does this before its first request (gunicorn.conf.py): else the
    first requests of a room that joins at once (60 phones on one worker's threads) each
    compile the same pages beside each other, under one interpreter lock.
    """
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def init_app(app: Flask) -> None:
    """Register the filters and globals, and the templates' ``_()`` (after Flask-Babel's)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_template_gettext, ngettext=_template_ngettext, newstyle=True)
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["score"] = score
    app.jinja_env.filters["figure"] = figure
    app.jinja_env.filters["change"] = change
    app.jinja_env.filters["two_decimals"] = two_decimals
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["report_date"] = report_date
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["without_none"] = without_none
    app.jinja_env.filters["language_label"] = language_label
    app.jinja_env.globals["page_language"] = page_language
    app.jinja_env.globals["other_languages"] = other_languages
    app.jinja_env.globals["language_name"] = language_name
    app.jinja_env.globals["field_name"] = field_name
    app.jinja_env.globals["counting_note"] = counting_note
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["audit_label"] = audit_label
    app.jinja_env.globals["time_zone"] = TIME_ZONE
    app.jinja_env.globals["show_asked"] = show_asked
