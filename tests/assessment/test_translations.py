"""The English interface: every string wrapped, translated, compiled, and shown in English.

Dutch is the source language: msgids are Dutch, and ``assessment/translations/en`` holds the
English catalogue. These tests extract the msgids from the source as it is now (the same way
``make translations`` does), so a new string without an English translation fails here, as
does a template text someone forgot to wrap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from werkzeug.wrappers import Response

from assessment import templating
from assessment.config import PROJECT_ROOT
from assessment.models import STATUS_LABELS, Status
from questions.loader import CONTENT_DIR, load_questionnaire
from reports.context import chart_labels, lessons_profile_title
from tests.helpers import report_numbers

ROOT = PROJECT_ROOT
TEMPLATES = ROOT / "templates"
PO_FILE = ROOT / "assessment/translations/en/LC_MESSAGES/messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")

#: Our lazy helpers on top of babel's default keywords; the Makefile passes the same ``-k``.
EXTRA_KEYWORDS = {"_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

#: Words a template may show untranslated: the name, file formats, the statistician's n.
UNTRANSLATED_WORDS = frozenset({"Regiospiegel", "PDF", "CSV", "JSON", "XLSX", "QR", "n"})

#: Attributes a user sees or hears; ``value`` counts on buttons only (see ``_visible_value``).
SPOKEN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")

_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_WORD = re.compile(r"[^\W\d_]+")
_PLACEHOLDER = re.compile(r"%\((\w+)\)([-#0 +]?\d*(?:\.\d+)?[a-zA-Z])")


@dataclass(frozen=True)
class Msgid:
    """One msgid found in the source, with where it was found."""

    id: str | tuple[str, str]
    where: str


def _source_msgids() -> list[Msgid]:
    """Extract the msgids from the current source, with babel.cfg, in memory."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = []
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}
    ):
        if isinstance(message, tuple):
            msgid: str | tuple[str, str] = (message[0], message[1])
        else:
            msgid = message
        found.append(Msgid(msgid, f"{filename}:{lineno}"))
    return found


def _english() -> Catalog:
    with PO_FILE.open("rb") as po:
        return read_po(po, locale="en")


def _translations(catalog: Catalog) -> dict[object, object]:
    """msgid → msgstr of every message a compiled catalogue carries (plurals as tuples)."""
    def frozen(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {frozen(message.id): frozen(message.string) for message in catalog if message.id}


def _strings(message: Message) -> tuple[str, ...]:
    """A message's msgstr, or its plural forms."""
    string = message.string
    return tuple(string) if isinstance(string, list | tuple) else (string,)


def test_make_translations_extracts_with_the_same_keywords() -> None:
    """The Makefile and this test extract the same calls, or they would disagree."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^translations:.*?(?=^\S|\Z)", makefile, re.MULTILINE | re.DOTALL)
    assert recipe, "the Makefile has no translations target"
    assert set(re.findall(r"-k (\w+)", recipe.group(0))) == set(EXTRA_KEYWORDS)


def test_the_source_has_interface_strings() -> None:
    """Extraction works at all: otherwise the checks below would pass on nothing."""
    where = {m.where.split(":")[0].split("/")[0] for m in _source_msgids()}
    assert {"assessment", "reports", "templates"} <= where


def test_every_msgid_has_an_english_translation() -> None:
    """Each msgid in the source has a non-empty, non-fuzzy English msgstr."""
    catalog = _english()
    missing = []
    for found in _source_msgids():
        key = found.id[0] if isinstance(found.id, tuple) else found.id
        message = catalog.get(key)
        if message is None or message.fuzzy or not all(_strings(message)):
            missing.append(f"{found.where}: {found.id!r}")
        elif isinstance(found.id, tuple) and not isinstance(message.id, list | tuple):
            missing.append(f"{found.where}: {found.id!r} is plural, the catalogue's is not")
    assert not missing, "no English translation for:\n" + "\n".join(sorted(set(missing)))


def test_english_plural_entries_have_both_forms() -> None:
    """English has two plural forms; each plural entry fills both."""
    catalog = _english()
    assert catalog.num_plurals == 2
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(_strings(message)) == 2 and all(_strings(message)), message.id


def test_compiled_catalogue_matches_the_po_file() -> None:
    """The committed .mo carries exactly what compiling the .po gives now."""
    compiled = BytesIO()
    write_mo(compiled, _english())
    compiled.seek(0)
    with MO_FILE.open("rb") as committed:
        assert _translations(read_mo(committed)) == _translations(read_mo(compiled)), (
            "messages.mo is out of date: run `make translations`")


def _placeholders(text: str) -> list[tuple[str, str]]:
    return sorted(_PLACEHOLDER.findall(text))


def test_translations_keep_the_placeholders() -> None:
    """Every msgstr uses the same ``%(name)s`` placeholders (and ``%%``) as its msgid."""
    wrong = []
    for message in _english():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = _strings(message)
        expected = {name for text in ids for name in _placeholders(text)}
        for text in strings:
            # A singular form may leave out the count ("one link"); others may not add any.
            names = set(_placeholders(text))
            if not names <= expected or (len(ids) == 1 and names != expected):
                wrong.append(f"{ids[0]!r}: {text!r}")
            if text.count("%%") != ids[0].count("%%"):
                wrong.append(f"{ids[0]!r}: {text!r} (a literal % is written %%)")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize(("text", "names"), [
    ("Stap %(number)d van %(total)d", [("number", "d"), ("total", "d")]),
    ("Vragenlijst: %(title)s.", [("title", "s")]),
    ("100%% klaar", []),
])
def test_placeholders_are_recognised(text: str, names: list[tuple[str, str]]) -> None:
    """The placeholder check sees names and conversions, and nothing else."""
    assert _placeholders(text) == names


# -- templates: text nobody wrapped ----------------------------------------------------


class _VisibleText(HTMLParser):
    """Collects text a user sees or hears from HTML whose Jinja was taken out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skipping.append(tag)
        attributes = dict(attrs)
        for name in SPOKEN_ATTRIBUTES:
            self.found.append(attributes.get(name) or "")
        if _visible_value(tag, attributes):
            self.found.append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.found.append(data)


def _visible_value(tag: str, attributes: dict[str, str | None]) -> bool:
    """An input button shows its value; a <button>'s value is only sent, never shown."""
    return tag == "input" and (attributes.get("type") or "") in ("submit", "button", "reset")


def untranslated_text(source: str) -> list[str]:
    """The texts in a template that are shown but not produced by Jinja (so not wrapped)."""
    parser = _VisibleText()
    parser.feed(_JINJA.sub(" ", source))
    parser.close()
    texts = []
    for text in parser.found:
        words = [w for w in _WORD.findall(text) if w not in UNTRANSLATED_WORDS]
        if words:
            texts.append(" ".join(text.split()))
    return texts


def _templates() -> Iterator[Path]:
    return iter(sorted(TEMPLATES.rglob("*.html")))


@pytest.mark.parametrize("template", list(_templates()),
                         ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_template_shows_no_unwrapped_text(template: Path) -> None:
    """Every text and spoken attribute in a template comes from a translation call."""
    assert untranslated_text(template.read_text()) == []


@pytest.mark.parametrize(("source", "expected"), [
    ("<p>Volgende</p>", ["Volgende"]),
    ('<p>{{ _("Volgende") }}</p>', []),
    ("<p>{# Vorige #}{% if x > 1 %}{{ x }}{% endif %} · 3 – 5 ×</p>", []),
    ('<img src="x.png" alt="Logo van de regio">', ["Logo van de regio"]),
    ("<button aria-label='Sluiten'>×</button>", ["Sluiten"]),
    ('<input type="submit" value="Opslaan">', ["Opslaan"]),
    ('<button name="action" value="volgende">{{ _("Volgende") }}</button>', []),
    ("<style>body { font-family: Open Sans; }</style><title>– Regiospiegel</title>", []),
    ('<input placeholder="{{ _(\'Code\') }}"><p>Download (PDF)</p>', ["Download (PDF)"]),
])
def test_the_template_scan_finds_unwrapped_text(source: str, expected: list[str]) -> None:
    """The scan flags visible text outside Jinja and ignores symbols, numbers, markup."""
    assert untranslated_text(source) == expected


# -- pages in English --------------------------------------------------------------------


def _english_page(app: Flask, path: str, cookie: str | None = None, status: int = 200) -> str:
    """A page as the app serves it, with the interface language forced to English."""
    headers = {"Cookie": cookie} if cookie else {}
    with app.test_request_context(path, headers=headers), force_locale("en"):
        response: Response = app.full_dispatch_request()
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def test_start_page_in_english(app: Flask) -> None:
    """The start page speaks English and says so in its lang attribute."""
    html = _english_page(app, "/")
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Naar de inhoud" not in html


def test_error_page_in_english(app: Flask) -> None:
    """The friendly error pages use lazy strings, so they follow the language too."""
    html = _english_page(app, "/r/no-such-link/intro", status=404)
    assert "Page not found" in html
    assert "Pagina niet gevonden" not in html


def test_participant_page_in_english(app: Flask, demo: None, client: FlaskClient) -> None:
    """A lesson page: the buttons and hints in English, the questionnaire's content as is."""
    from tests.helpers import Participant

    person = Participant(client)
    person.join("DMZW26")
    html = _english_page(app, person.url("profiel"))
    assert "Next" in html and "Previous" in html
    assert "Vorige" not in html and "Volgende" not in html
    # The questionnaire is Dutch content, never translated by the interface catalogue.
    dutch_page = client.get(person.url("profiel")).get_data(as_text=True)
    assert "Vorige" in dutch_page


def test_facilitator_dashboard_in_english(app: Flask, facilitator_client: FlaskClient) -> None:
    """The facilitator's list of scans, in English, with the demo scan on it."""
    cookie = facilitator_client.get_cookie("session")
    assert cookie is not None
    html = _english_page(app, "/begeleider/", cookie=f"session={cookie.value}")
    assert "Regio Zwolle – casus Dalfsen" in html
    assert "My scans" in html
    assert "Mijn scans" not in html


# -- numbers and dates per locale ------------------------------------------------------


@pytest.mark.parametrize(("locale", "score", "two", "percent"), [
    ("nl", "3,5", "0,74", "42%"),
    ("en", "3.5", "0.74", "42%"),
])
def test_page_numbers_follow_the_page_language(
    app: Flask, locale: str, score: str, two: str, percent: str
) -> None:
    """The template filters write a decimal comma in Dutch and a point in English."""
    with app.test_request_context("/"), force_locale(locale):
        assert templating.score(3.5, load_questionnaire(CONTENT_DIR / "tien-lessen.nl.yaml")
                                ) == score
        assert templating.two_decimals(0.74) == two
        assert templating.percent(0.42).replace("\xa0", "") == percent


@pytest.mark.parametrize(("language", "score", "signed"), [
    ("nl", "3,5", "−0,3"),
    ("en", "3.5", "−0.3"),
])
def test_report_numbers_follow_the_report_language(
    language: str, score: str, signed: str
) -> None:
    """The report formats in its own language, without a request."""
    numbers = report_numbers(language)
    assert numbers.score(3.5) == score
    assert numbers.signed(Decimal("-0.3")) == signed


@pytest.mark.parametrize(("language", "expected"), [
    ("nl", "27 november 2026"),
    ("en", "27 November 2026"),
])
def test_long_dates_in_both_languages(language: str, expected: str) -> None:
    """A report's date is written out in its language."""
    assert templating.report_date(date(2026, 11, 27), language) == expected


@pytest.mark.parametrize(("language", "title", "no_score"), [
    ("nl", "Scores per les, van hoog naar laag", "onvoldoende gegevens"),
    ("en", "Scores per lesson, highest first", "insufficient data"),
])
def test_report_chart_labels_follow_the_report_language(
    language: str, title: str, no_score: str
) -> None:
    """The charts' titles come from the same catalogue, read without a request."""
    labels = chart_labels(language)
    assert labels["bars_title"] == title
    assert labels["no_score"] == no_score


@pytest.mark.parametrize(("language", "lessons", "title"), [
    ("nl", 10, "Profiel van de 10 lessen"), ("nl", 11, "Profiel van de 11 lessen"),
    ("nl", 1, "Profiel van de les"), ("en", 11, "Profile of the 11 lessons"),
])
def test_the_profile_title_counts_the_lessons_of_the_questionnaire(
    language: str, lessons: int, title: str
) -> None:
    """Never "tien": the report's profile chapter names as many lessons as there are."""
    assert lessons_profile_title(language, lessons) == title


def test_every_status_has_one_name_in_each_language(app: Flask) -> None:
    """``models.STATUS_LABELS`` names each status once; a page shows it in its language."""
    assert set(STATUS_LABELS) == set(Status)
    with app.test_request_context():
        assert [templating.status_label(s) for s in Status] == [
            "Voorbereiding", "Open", "Gepauzeerd", "Gesloten"]
        with force_locale("en"):
            assert [templating.status_label(s) for s in Status] == [
                "Preparation", "Open", "Paused", "Closed"]
