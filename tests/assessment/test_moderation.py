"""Warnings for free texts that may identify someone (pure rules, no app)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.moderation import (
    Reason,
    TextWarning,
    groups_are_small,
    organisation_names,
    warnings,
)

ORGANISATIONS = "Gemeente Dalfsen\nWaterschap Drents Overijsselse Delta\n\nRaalte\n"


def reasons(text: str, small_groups: bool = True) -> list[Reason]:
    return [w.reason for w in warnings(text, ORGANISATIONS, small_groups)]


@pytest.mark.parametrize(("text", "expected"), [
    # e-mail addresses
    ("Mail me: jan.jansen@dalfsen.nl", [Reason.EMAIL]),
    ("JAN+regio@Example.COM graag", [Reason.EMAIL]),
    ("jan (at) dalfsen.nl", [Reason.EMAIL]),
    ("jan [at] mail.dalfsen.nl", [Reason.EMAIL]),
    # Dutch phone numbers, as people write them
    ("Bel 06-12345678", [Reason.PHONE]),
    ("Bel 06 12345678", [Reason.PHONE]),
    ("mobiel 0612345678.", [Reason.PHONE]),
    ("06 12 34 56 78", [Reason.PHONE]),
    ("+31 6 1234 5678", [Reason.PHONE]),
    ("+31612345678", [Reason.PHONE]),
    ("+31 (0)6 12345678", [Reason.PHONE]),
    ("0031 6 12345678", [Reason.PHONE]),
    ("038 123 4567", [Reason.PHONE]),
    ("038-1234567", [Reason.PHONE]),
    ("(038) 123 45 67", [Reason.PHONE]),
    ("020-123 45 67", [Reason.PHONE]),
    ("0800-1234", [Reason.PHONE]),
    ("0900 123 4567", [Reason.PHONE]),
    ("+32 2 123 45 67", [Reason.PHONE]),
    # web addresses
    ("Zie https://www.dalfsen.nl/raad", [Reason.URL]),
    ("zie www.regiozwolle.info", [Reason.URL]),
    ("kijk op mijnblog.nl.", [Reason.URL]),
    # more than one reason, in a fixed order
    ("jan@dalfsen.nl of 06-12345678, of www.dalfsen.nl",
     [Reason.EMAIL, Reason.PHONE, Reason.URL]),
    # organisations: whole words, any case, any white space
    ("Bij de gemeente  dalfsen is er weinig tijd.", [Reason.ORGANISATION]),
    ("RAALTE doet niet mee.", [Reason.ORGANISATION]),
    ("Raalte en het Waterschap Drents Overijsselse Delta",
     [Reason.ORGANISATION, Reason.ORGANISATION]),
    # texts that must NOT warn
    ("De korte lijnen tussen de wethouders in de regio.", []),
    ("In 2026 investeren we 1.000.000 euro, 12,5% meer dan in 2020-2025.", []),
    ("Op 01-02-2026 10:00 vergaderen we.", []),
    ("Overleg van 09.00-12.00 14.00-17.00 uur.", []),
    ("IBAN NL91ABNA0417164300 van het regiobureau", []),
    ("Ordernummer 061234567890", []),
    ("o.a. de gemeenten, e.d., z.s.m. en m.b.t. de raad", []),
    ("0,5 fte voor het regiobureau", []),
    ("Postcode 8011 AB Zwolle", []),
    ("De Raalter aanpak werkt.", []),     # a longer word, not the name
    ("Dalfsen doet mee.", []),            # part of a name is not the name
    ("", []),
])
def test_warnings(text, expected):
    assert reasons(text) == expected


def test_organisations_warn_only_when_groups_are_small():
    assert reasons("Gemeente Dalfsen wil niet.", small_groups=False) == []
    assert reasons("Gemeente Dalfsen wil niet.", small_groups=True) == [Reason.ORGANISATION]


def test_the_organisation_found_is_named_and_a_list_works_as_well_as_lines():
    found = warnings("Raalte en gemeente DALFSEN", ["Gemeente Dalfsen", " ", "Raalte"], True)
    assert found == (TextWarning(Reason.ORGANISATION, "Gemeente Dalfsen"),
                     TextWarning(Reason.ORGANISATION, "Raalte"))
    # One string is read as one name per line, never as single letters.
    assert warnings("a b c", "abc", True) == ()


def test_organisation_names_are_cleaned():
    assert organisation_names(" Gemeente  Dalfsen \n\nraalte\nRaalte\n") == (
        "Gemeente Dalfsen", "raalte")


@pytest.mark.parametrize(("sizes", "total", "small"), [
    ({"gemeente": 14, "provincie": 5}, 19, False),
    ({"gemeente": 14, "provincie": 4}, 18, True),
    ({"gemeente": 14, "anders": 1}, 15, True),
    ({"gemeente": 14, "provincie": 0}, 14, False),   # a type nobody chose is no group
    ({}, 4, True),                                   # the whole group is small
    ({}, 5, False),
])
def test_groups_are_small(sizes, total, small):
    assert groups_are_small(sizes, total) is small


# -- linear time: long runs of address characters are read once, the same texts flagged --

#: The e-mail pattern as it was before it was made linear (its behaviour is the oracle).
QUADRATIC_EMAIL = re.compile(
    r"[\w.%+-]+(?:@|\s*[\[(]\s*at\s*[\])]\s*)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)


@pytest.mark.parametrize(("text", "expected"), [
    # What the crafted slow texts look like: long runs without an address, and with one.
    ("a" * 2000, []),
    ("a." * 1000, []),
    ("www." * 500, [Reason.URL]),
    ("@" + "a." * 999, []),
    ("a" * 1990 + "@zwolle.nl", [Reason.EMAIL]),
    ("x." * 990 + "jan@zwolle.nl", [Reason.EMAIL]),
    ("tekst,jan@zwolle.nl", [Reason.EMAIL]),
    ("a@" + "a" * 1998, []),
    ("jan.jansen@dalfsen.nl.", [Reason.EMAIL]),
    ("-jan@dalfsen.nl", [Reason.EMAIL]),
    ("%jan+x@dalfsen.nl", [Reason.EMAIL]),
    ("jan  (at)  dalfsen.nl", [Reason.EMAIL]),
    ("a (at " * 300, []),
    ("0" * 2000, []),
    ("zie " + "a.nl" * 400, [Reason.URL]),
])
def test_long_crafted_texts_are_judged_as_before(text, expected):
    assert reasons(text, small_groups=False) == expected
    assert bool(QUADRATIC_EMAIL.search(text)) == (Reason.EMAIL in expected)


#: Characters that matter to the patterns, so random texts often come close to a match.
PATTERN_CHARACTERS = st.text(alphabet="ab.-_%+@ ()[]at0lnx", max_size=40)


@given(text=PATTERN_CHARACTERS)
def test_the_linear_email_pattern_flags_exactly_what_the_old_one_did(text):
    assert (Reason.EMAIL in reasons(text, small_groups=False)) == bool(
        QUADRATIC_EMAIL.search(text))


@given(text=PATTERN_CHARACTERS)
def test_the_url_warning_still_ignores_the_domain_of_an_address(text):
    old_url = Reason.URL in [w.reason for w in _old_warnings(text)]
    assert (Reason.URL in reasons(text, small_groups=False)) == old_url


def _old_warnings(text: str) -> tuple[TextWarning, ...]:
    from assessment import moderation

    found = []
    if moderation._URL.search(QUADRATIC_EMAIL.sub(" ", text)):
        found.append(TextWarning(Reason.URL))
    return tuple(found)
