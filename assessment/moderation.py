"""Warnings for free texts that may identify someone, shown while a facilitator moderates.

Pure functions over plain text (no Flask, no database). A warning is a hint, never a
decision: the facilitator reads every text and includes or excludes it. So the rules lean
towards warning, but stay quiet on what free texts often contain (years, amounts, dates,
percentages, the region's name).

What is flagged
    - ``EMAIL``: an e-mail address (``naam@domein.nl``), also written as ``naam (at)
      domein.nl`` or ``naam [at] domein.nl``.
    - ``PHONE``: a Dutch phone number: 10 digits starting with 0 (``06-12345678``,
      ``038 123 4567``, ``(038) 123 45 67``), or 9 digits after ``+31`` or ``0031`` (with or
      without ``(0)``: ``+31 6 1234 5678``, ``+31 (0)38 123 4567``); 0800 and 0900 numbers
      (``0800-1234``, ``0900 123 4567``); any international number (``+`` or ``00``, a
      country code, then 7 to 12 digits). Between digits up to two of space, dot, dash,
      slash and brackets may stand. A run of more digits than a phone number has is not a
      phone number (an IBAN, an order number), nor is a date such as ``01-02-2026 10:00``
      or a span of clock times such as ``09.00-12.00 14.00-17.00``.
    - ``URL``: a web address: ``http://`` or ``https://`` followed by anything,
      ``www.``-something, or a bare domain on a common top-level domain (``zwolle.nl``,
      ``regio-zwolle.info``), but not the domain part of an e-mail address.
    - ``ORGANISATION``: the name of a participating organisation, only when groups are small
      (see :func:`groups_are_small`): in a small group, "as wethouder of Dalfsen I ..." points
      at a person. Names are matched case-insensitively as whole words (so "Raalte" does not
      match "Raalter"), with any run of white space matching any other; one warning per
      organisation named. Empty lines in the organisation list are ignored.

Each kind except ``ORGANISATION`` is reported at most once per text; the warnings come in
the order of :class:`Reason`, then organisations in the order of the list.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assessment.anonymity import MIN_GROUP_SIZE


class Reason(enum.StrEnum):
    """Why a text may identify someone."""

    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class TextWarning:
    """One reason a text may identify someone; ``found`` names the organisation, if any."""

    reason: Reason
    found: str = ""


#: An address begins where a run of the characters before ``@`` begins (the lookbehind).
#: Without that, a long run with no ``@`` in it (2,000 letters) is read again from each of
#: its characters, which takes time growing with the square of the text's length; with it,
#: once. A match that began inside a run can always begin at the run's start instead, so
#: the same texts are flagged.
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]+(?:@|\s*[\[(]\s*at\s*[\])]\s*)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b",
    re.IGNORECASE)

#: Between two digits of a phone number: nothing, or up to two separators.
_SEP = r"[\s./()-]{0,2}"
_PHONE = re.compile(
    r"(?<![\w+])\(?(?:"
    # Dutch: trunk 0, or +31/0031 with an optional (0); then 9 digits, the first not 0.
    rf"(?:\+31|0031){_SEP}(?:\(0\){_SEP})?[1-9](?:{_SEP}\d){{8}}"
    rf"|0[1-9](?:{_SEP}\d){{8}}"
    # Free and paid service numbers: 0800/0900 with 4 or 7 digits.
    rf"|0[89]00{_SEP}\d(?:{_SEP}\d){{3}}(?:(?:{_SEP}\d){{3}})?"
    # Any other country: + or 00, a country code, 7 to 12 digits.
    rf"|(?:\+|00)[1-9]\d{{0,2}}(?:{_SEP}\d){{7,12}}"
    r")(?![\d])"
)
#: Runs of digits that are a date or a span of clock times, not a phone number.
_NOT_PHONE = re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:\d{2}|\d{4})\b"
                        r"|\b\d{1,2}[.:]\d{2}\s*[-–]\s*\d{1,2}[.:]\d{2}\b")

_TOP_LEVEL_DOMAINS = ("nl", "com", "org", "net", "eu", "info", "be", "de", "io", "gov",
                      "edu", "biz", "frl", "amsterdam", "online", "site")
_URL = re.compile(
    r"\bhttps?://\S+"
    r"|\bwww\.[\w-]+(?:\.[\w-]+)+"
    r"|(?<![@\w.-])[\w-]+(?:\.[\w-]+)*\.(?:" + "|".join(_TOP_LEVEL_DOMAINS) + r")\b(?![@\w-]|\.\w)",
    re.IGNORECASE,
)


def warnings(
    text: str, organisations: str | Iterable[str], small_groups: bool
) -> tuple[TextWarning, ...]:
    """The reasons ``text`` may identify someone (see the module's rules); empty if none.

    ``organisations`` is the list of participating organisations, one name per item or one
    per line of a single string (as in ``Assessment.organisations``); it only counts when
    ``small_groups`` is true.
    """
    found: list[TextWarning] = []
    # One pass finds the addresses; the web-address check reads the text without them.
    without_emails = _EMAIL.subn(" ", text)
    if without_emails[1]:
        found.append(TextWarning(Reason.EMAIL))
    if any(not _NOT_PHONE.search(match.group()) for match in _PHONE.finditer(text)):
        found.append(TextWarning(Reason.PHONE))
    if _URL.search(without_emails[0]):
        found.append(TextWarning(Reason.URL))
    if small_groups:
        found.extend(TextWarning(Reason.ORGANISATION, name)
                     for name in organisation_names(organisations)
                     if _name_pattern(name).search(text))
    return tuple(found)


def organisation_names(organisations: str | Iterable[str]) -> tuple[str, ...]:
    """The organisations' names, stripped, without empty ones or repeats (case-insensitive)."""
    lines = organisations.splitlines() if isinstance(organisations, str) else organisations
    names: dict[str, str] = {}
    for line in lines:
        name = " ".join(line.split())
        if name:
            names.setdefault(name.casefold(), name)
    return tuple(names.values())


def _name_pattern(name: str) -> re.Pattern[str]:
    words = (re.escape(word) for word in name.split())
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def groups_are_small(sizes: Mapping[str, int], total: int) -> bool:
    """Whether a named organisation may point at a person.

    True when the whole group (``total`` respondents) or any organisation type with
    respondents (``sizes``: type → respondents) has fewer than ``MIN_GROUP_SIZE``; the same
    threshold below which the summary hides a type's figures.
    """
    return total < MIN_GROUP_SIZE or any(0 < n < MIN_GROUP_SIZE for n in sizes.values())
