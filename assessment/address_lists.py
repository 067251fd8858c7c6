"""An address list as a facilitator pastes or uploads it: which addresses it gives, and why
each line that gives none was not taken. Pure functions (no Flask, no database).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: The most addresses one list may add.
MAX_ADDRESSES = 1000

#: Why a line of the list was not taken.
MALFORMED = "malformed"
DUPLICATE = "duplicate"
ALREADY_INVITED = "already_invited"
NO_ADDRESS_COLUMN = "no_address_column"
TOO_MANY = "too_many"

#: One address: no spaces, brackets, quotes or separators; one @; a dot in the domain.
_ADDRESS = re.compile(r"[^@\s\x00-\x1f\x7f<>()\[\]\\,;:\"']+@"
                      r"[^@\s\x00-\x1f\x7f<>()\[\]\\,;:\"']+\.[^@\s\x00-\x1f\x7f<>()\[\]\\,;:\"'.]+")
#: "Name <address>" or "<address>": the address between the brackets.
_NAMED = re.compile(r"[^<>]*<([^<>]*)>\s*")
#: Column headings that name the address column of a CSV file.
_ADDRESS_HEADINGS = {"e-mail", "email", "e-mailadres", "emailadres", "mail", "adres",
                     "address", "e-mail address", "email address", "mailadres"}


@dataclass(frozen=True)
class LineProblem:
    """A line of the list that was not taken, and why (one of the reasons above)."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class AddressList:
    """What a pasted or uploaded list gives: the new addresses, and every line not taken."""

    addresses: tuple[str, ...]
    problems: tuple[LineProblem, ...]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _shown(text: str) -> str:
    """A line as the report shows it: control characters replaced, at most 200 characters."""
    shown = _CONTROL.sub("\ufffd", text.strip())
    return shown if len(shown) <= 200 else shown[:199] + "…"


def normalise_address(text: str) -> str:
    """An address as invitations store and compare it: trimmed, in lower case; of
    "Name <address>" the address."""
    named = _NAMED.fullmatch(text.strip())
    return (named.group(1) if named else text).strip().lower()


def is_address(text: str) -> bool:
    """Whether ``text`` is one plausible e-mail address (at most 254 characters)."""
    return len(text) <= 254 and _ADDRESS.fullmatch(text) is not None


def parse_addresses(text: str, invited: Iterable[str] = ()) -> AddressList:
    """The addresses in a list: one per line, or a CSV file with an address column.

    A CSV file (or cells copied from a spreadsheet) is recognised by a first line whose cells
    (split by tab, semicolon or comma) include a heading such as "e-mail" or "adres"; the
    addresses are taken from that column.
    Empty lines are skipped; every other line that gives no new address is reported with
    its line number: not an address, a duplicate in the list, or invited before
    (``invited``). Addresses compare in lower case.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cells = _address_cells(lines)
    seen = {normalise_address(address) for address in invited}
    taken: list[str] = []
    problems: list[LineProblem] = []
    for number, cell, line in cells:
        address = normalise_address(cell)
        if not address:
            if line.strip():
                problems.append(LineProblem(number, _shown(line), MALFORMED))
            continue
        if not is_address(address):
            problems.append(LineProblem(number, _shown(cell), MALFORMED))
        elif address in taken:
            problems.append(LineProblem(number, _shown(cell), DUPLICATE))
        elif address in seen:
            problems.append(LineProblem(number, _shown(cell), ALREADY_INVITED))
        elif len(taken) >= MAX_ADDRESSES:
            problems.append(LineProblem(number, _shown(cell), TOO_MANY))
        else:
            taken.append(address)
    return AddressList(tuple(taken), tuple(problems))


def _address_cells(lines: list[str]) -> list[tuple[int, str, str]]:
    """(line number, the address cell, the whole line) for every line of the list."""
    first = next(((number, line) for number, line in enumerate(lines, start=1)
                  if line.strip()), None)
    if first is None:
        return []
    heading_number, heading = first
    # Excel's copy gives tabs, its CSV semicolons (Dutch) or commas.
    delimiter = max(("\t", ";", ","), key=heading.count)
    headings = [cell.strip().strip('"').lower() for cell in next(csv.reader([heading],
                                                                           delimiter=delimiter))]
    column = next((index for index, name in enumerate(headings) if name in _ADDRESS_HEADINGS),
                  None)
    if column is None:
        return [(number, fragment, line) for number, line in enumerate(lines, start=1)
                for fragment in _fragments(line)]
    found = []
    reader = csv.reader(io.StringIO("\n".join(lines[heading_number:])), delimiter=delimiter)
    for offset, row in enumerate(reader, start=heading_number + 1):
        line = delimiter.join(row)
        found.append((offset, row[column] if column < len(row) else "", line))
    return found


def _fragments(line: str) -> list[str]:
    """The addresses a line holds: one, or several separated by ";" or "," as a mail program
    copies them (each may be "Name <address>"). A line without a separator is one."""
    if not any(mark in line for mark in ",;"):
        return [line]
    return [fragment for fragment in re.split(r"[,;]", line) if fragment.strip()] or [line]
