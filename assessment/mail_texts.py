"""The texts of the invitation and reminder e-mails: defaults per language, placeholders.

Pure functions (no Flask, no database). A text is a subject and a body in which the
facilitator may use four placeholders, written with braces: ``{titel}`` (the scan's title),
``{datum}`` (the session's date), ``{link}`` (the personal link; every body needs it) and
``{sluitdatum}`` (the last day to answer). Any other name between braces is refused with a
message that lists the four (:func:`check`); a brace meant literally is written twice. The
defaults are plain language (B1) in Dutch, and English.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date

from assessment.exceptions import InvalidMailText

#: The placeholders a text may use, in the order the form explains them.
PLACEHOLDERS = ("titel", "datum", "link", "sluitdatum")
#: The kinds of e-mail: the first invitation and a reminder (same link).
KINDS = ("invitation", "reminder")


@dataclass(frozen=True)
class MailText:
    """A subject and a body with placeholders."""

    subject: str
    body: str


DEFAULTS: dict[tuple[str, str], MailText] = {
    ("nl", "invitation"): MailText(
        "Uitnodiging: {titel}",
        "Beste deelnemer,\n\n"
        "U bent uitgenodigd voor de scan ‘{titel}’. Met deze korte vragenlijst kijken we "
        "samen hoe goed de samenwerking in de regio werkt. Invullen duurt ongeveer een "
        "kwartier.\n\n"
        "Open uw persoonlijke link om te beginnen:\n{link}\n\n"
        "Deze link is alleen voor u. U kunt stoppen en later verdergaan met dezelfde link, "
        "ook op een ander apparaat. Uw antwoorden zijn anoniem: niemand kan zien wat u "
        "hebt ingevuld, ook de procesbegeleider niet.\n\n"
        "Bijeenkomst: {datum}\n"
        "Invullen kan tot en met: {sluitdatum}\n\n"
        "Met vriendelijke groet,\nDe procesbegeleider\n"),
    ("nl", "reminder"): MailText(
        "Herinnering: {titel}",
        "Beste deelnemer,\n\n"
        "Een tijdje geleden kreeg u een uitnodiging voor de scan ‘{titel}’. Wij hebben uw "
        "antwoorden nog niet ontvangen. Wilt u de vragenlijst nog invullen en verzenden?\n\n"
        "Uw persoonlijke link:\n{link}\n\n"
        "Al begonnen? Met deze link gaat u verder waar u was.\n\n"
        "Bijeenkomst: {datum}\n"
        "Invullen kan tot en met: {sluitdatum}\n\n"
        "Met vriendelijke groet,\nDe procesbegeleider\n"),
    ("en", "invitation"): MailText(
        "Invitation: {titel}",
        "Dear participant,\n\n"
        "You are invited to take part in the scan ‘{titel}’. This short questionnaire helps "
        "us see together how well the region works together. It takes about fifteen "
        "minutes.\n\n"
        "Open your personal link to begin:\n{link}\n\n"
        "This link is for you only. You can stop and continue later with the same link, "
        "also on another device. Your answers are anonymous: nobody can see what you "
        "answered, the facilitator included.\n\n"
        "Session: {datum}\n"
        "You can answer until: {sluitdatum}\n\n"
        "Kind regards,\nThe facilitator\n"),
    ("en", "reminder"): MailText(
        "Reminder: {titel}",
        "Dear participant,\n\n"
        "A while ago you were invited to the scan ‘{titel}’. We have not received your "
        "answers yet. Would you still fill in the questionnaire and send it?\n\n"
        "Your personal link:\n{link}\n\n"
        "Already started? This link takes you back to where you were.\n\n"
        "Session: {datum}\n"
        "You can answer until: {sluitdatum}\n\n"
        "Kind regards,\nThe facilitator\n"),
}

#: What a placeholder shows when its value is not known (no session date set, say).
UNKNOWN = {"nl": "nog niet bekend", "en": "not known yet"}
_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def default(language: str, kind: str) -> MailText:
    """The default text of a kind of e-mail in a language (Dutch for an unknown one)."""
    return DEFAULTS.get((language, kind)) or DEFAULTS[("nl", kind)]


def check(text: MailText) -> None:
    """Refuse a text with an unknown placeholder, a line break in its subject, or a body
    without ``{link}``: :class:`InvalidMailText` whose ``problem`` is "subject_lines",
    "subject_empty", "unknown" (with the ``names``), "loose_brace" or "no_link"."""
    if "\r" in text.subject or "\n" in text.subject:
        raise InvalidMailText("subject_lines", in_subject=True)
    if not text.subject.strip():
        raise InvalidMailText("subject_empty", in_subject=True)
    subject, body = _fields(text.subject, True), _fields(text.body, False)
    for used, in_subject in ((subject, True), (body, False)):
        unknown = tuple(sorted(used - set(PLACEHOLDERS)))
        if unknown:
            raise InvalidMailText("unknown", unknown, in_subject=in_subject)
    if "link" not in body:
        raise InvalidMailText("no_link")


def _fields(template: str, in_subject: bool) -> set[str]:
    """The placeholder names in ``template`` (a format string; a broken one is refused)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise InvalidMailText("loose_brace", in_subject=in_subject) from None
    names = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        # "{link!r}" or "{link:>9}" would reach into the value: only plain names are allowed.
        names.add(name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
    return names


def long_date(day: date | None, language: str) -> str:
    """A date written out: "12 maart 2027", "12 March 2027"; the UNKNOWN text for None."""
    if day is None:
        return UNKNOWN.get(language, UNKNOWN["nl"])
    months = _MONTHS.get(language, _MONTHS["nl"])
    return f"{day.day} {months[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Filled:
    """A text with its placeholders filled in: what one person receives."""

    subject: str
    body: str


def fill(text: MailText, *, title: str, session_date: date | None, link: str,
         answer_by: date | None, language: str) -> Filled:
    """The text with its placeholders filled in (it was checked by :func:`check`)."""
    values = {"titel": title, "datum": long_date(session_date, language), "link": link,
              "sluitdatum": long_date(answer_by, language)}
    return Filled(subject=" ".join(text.subject.format_map(values).split()),
                  body=text.body.format_map(values))
