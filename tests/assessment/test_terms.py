"""One term per idea: no word from docs/terms.md's "never" columns in any text we show.

Dutch words are looked for everywhere Dutch is written: templates/, the catalogue's msgids,
the questionnaires, reports/ and the app's own code (export column names, flash messages).
English words only where English is written: the catalogue's msgstrs and the English
questionnaire, so code names such as ``topic_id`` never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from assessment.config import PROJECT_ROOT

ROOT = PROJECT_ROOT
TERMS = ROOT / "docs/terms.md"
PO_FILE = ROOT / "assessment/translations/en/LC_MESSAGES/messages.po"


def forbidden_words() -> dict[str, tuple[str, ...]]:
    """Language → the words never to use, read from the table in docs/terms.md."""
    found: dict[str, list[str]] = {"nl": [], "en": []}
    for line in TERMS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("Idea", "") or set(cells[0]) <= {"-"}:
            continue
        for language, cell in (("nl", cells[2]), ("en", cells[4])):
            found[language] += [word.strip() for word in cell.split(",") if word.strip()]
    return {language: tuple(words) for language, words in found.items()}


def pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``words`` as a whole word, in any case ("Thema" and "thema's" count)."""
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w])",
                      re.IGNORECASE)


def file_lines(paths: Iterator[Path]) -> Iterator[tuple[str, int, str]]:
    for path in sorted(paths):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{path.relative_to(ROOT)}:{number}", number, line


def catalogue_lines(side: str) -> Iterator[tuple[str, int, str]]:
    """The msgid or msgstr texts of the English catalogue, with the .po's line numbers."""
    with PO_FILE.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if not message.id:
            continue
        texts = message.id if side == "msgid" else message.string
        for text in (texts if isinstance(texts, tuple) else (texts,)):
            yield f"{PO_FILE.relative_to(ROOT)}:{message.lineno} ({side})", message.lineno, text


def dutch_text() -> Iterator[tuple[str, int, str]]:
    yield from file_lines(ROOT.glob("templates/**/*.html"))
    yield from file_lines(p for p in ROOT.glob("questions/*.yaml") if ".en." not in p.name)
    yield from file_lines(ROOT.glob("reports/**/*.py"))
    yield from file_lines(ROOT.glob("assessment/**/*.py"))
    yield from catalogue_lines("msgid")


def english_text() -> Iterator[tuple[str, int, str]]:
    yield from file_lines(ROOT.glob("questions/*.en.yaml"))
    yield from catalogue_lines("msgstr")


def offences(lines: Iterator[tuple[str, int, str]], words: tuple[str, ...]) -> list[str]:
    """"file:line: word" for each forbidden word found."""
    found = pattern(words)
    return [f"{where}: {match.group()!r} in {line.strip()[:120]!r}"
            for where, _number, line in lines for match in found.finditer(line)]


def test_the_terms_list_has_rules_for_both_languages():
    words = forbidden_words()
    assert {"thema", "onderwerp", "informatiekloof"} <= set(words["nl"])
    assert {"theme", "knowledge gap"} <= set(words["en"])


@pytest.mark.parametrize(("language", "lines"), [
    ("nl", dutch_text), ("en", english_text)])
def test_no_forbidden_word_is_used(language, lines):
    found = offences(lines(), forbidden_words()[language])
    assert not found, ("words docs/terms.md says never to use:\n" + "\n".join(found))


def test_an_offence_is_reported_with_file_and_line(tmp_path):
    text = tmp_path / "voorbeeld.html"
    text.write_text("<p>Goed</p>\n<p>Bij dit Thema en het onderwerp-id</p>\n", encoding="utf-8")
    found = offences(iter([(f"voorbeeld.html:{n}", n, line) for n, line in enumerate(
        text.read_text(encoding="utf-8").splitlines(), 1)]), ("thema", "onderwerp"))
    line = "'<p>Bij dit Thema en het onderwerp-id</p>'"
    assert found == [f"voorbeeld.html:2: 'Thema' in {line}",
                     f"voorbeeld.html:2: 'onderwerp' in {line}"]
