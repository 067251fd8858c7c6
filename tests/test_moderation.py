"""Warnings for free texts that may identify someone (pure rules, no app)."""

from __future__ import annotations

import pytest

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
