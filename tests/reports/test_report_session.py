"""The report's summary says who took part and what the session produced, and its
introduction says truthfully whether the results were discussed (issue 14)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask

from assessment import demo, discussion, management, participation, priorities, questionnaire_files
from assessment.db import read_session, write_transaction
from assessment.models import Assessment, Status
from assessment.templating import report_date
from questions.lint import lint
from questions.loader import CONTENT_DIR, from_snapshot
from reports.build import report_context, report_html
from reports.context import describe_response, invited_share, session_held
from tests.helpers import DEMO_ID, TEST_DATA, edited, line_of, report_numbers
from tests.reports.test_report import _pdf_for, _text

#: What these tests read is the report's content: the SQLite pass covers it.
pytestmark = pytest.mark.report_pdf

#: The Dutch questionnaire frozen as the code of commit f4ee4e9 froze it, before the
#: introduction was split: a snapshot as old scans keep it.
OLD_SNAPSHOT = TEST_DATA / "content-snapshot-f4ee4e9.nl.json"


def _flat(pdf: bytes) -> str:
    """The PDF's text on one line, words split at the end of a line joined again."""
    return re.sub(r"\s+", " ", _text(pdf)).replace("- ", "")


def _summary_session(text: str) -> str:
    """The summary's part about the session: from its heading to the next steps."""
    start = text.index("Uit de bijeenkomst")
    return text[start:text.index("Voorgestelde vervolgstappen", start)]


def _scan(app: Flask, respondents: int, *, language: str = "nl", invited: int | None = None,
          session_date: date | None = None, close: bool = True) -> int:
    """A scan on the product's questionnaire with ``respondents`` who sent in one lesson."""
    with app.app_context():
        owner = management.create_facilitator(f"begeleider-{language}-{respondents}@example.nl",
                                              "lang-genoeg-wachtwoord")
        questionnaire = questionnaire_files.available()[("tien-lessen", language)]
        assessment_id = management.create_assessment(
            owner, "Regio Test", "Testscan", questionnaire,
            preparation=management.Preparation("Regio Test", "Testscan",
                                               session_date=session_date,
                                               invited_count=invited))
        management.set_status(assessment_id, Status.OPEN)
        for number in range(respondents):
            respondent = participation.find_respondent(participation.start(assessment_id))
            assert respondent is not None
            level = str(2 + number % 3)
            participation.save_page(respondent.id, "urgentie", participation.PageAnswers(
                answers={f"urgentie-{i}": level for i in range(1, 5)}))
            participation.submit(respondent.id)
        if close:
            management.set_status(assessment_id, Status.CLOSED)
    return assessment_id


def _html(app: Flask, assessment_id: int) -> str:
    with app.app_context():
        html = report_html(report_context(read_session().get(Assessment, assessment_id)),
                           "/static/")
    return re.sub(r"\s+", " ", html)


# -- the response line -------------------------------------------------------------------


@pytest.mark.parametrize(("invited", "expected", "absent"), [
    (4, "3 van de 4 genodigden deden mee (75%).", "deelnemers deden mee"),
    (None, "3 deelnemers deden mee.", "genodigden"),
    # More sent in than the facilitator said were invited: no "150%".
    (2, "3 deelnemers deden mee, meer dan het opgegeven aantal genodigden (2).", "150"),
])
def test_the_summary_says_how_many_of_the_invited_took_part(app, invited, expected, absent):
    pdf, _assessment = _pdf_for(app, _scan(app, 3, invited=invited))
    text = _flat(pdf)
    summary = text[text.index("gemiddelde score over de lessen"):]
    assert expected in summary
    assert absent not in summary[:summary.index("Sterke punten")]


def test_the_response_line_says_when_the_results_count_fewer_than_sent_in(app):
    """Seven sent in while answering is open: the results count three, and say why."""
    pdf, _assessment = _pdf_for(app, _scan(app, 7, invited=10, close=False))
    text = _flat(pdf)
    assert ("7 van de 10 genodigden deden mee (70%). De uitkomsten tellen er 3: de nieuwste "
            "wachten tot er genoeg bij zijn, zodat niemand herkenbaar is.") in text


def test_the_response_words_are_one_function_with_its_guards():
    dutch = report_numbers("nl")
    assert describe_response(28, 28, 35, dutch).text == "28 van de 35 genodigden deden mee (80%)."
    assert describe_response(1, 1, None, dutch).text == "1 deelnemer deed mee."
    assert describe_response(1, 1, 35, dutch).text == "1 van de 35 genodigden deed mee (3%)."
    # Nearly all is not all.
    assert describe_response(349, 349, 350, dutch).took_part.endswith("(99%).")
    assert describe_response(350, 350, 350, dutch).took_part.endswith("(100%).")
    assert invited_share(36, 35) is None and invited_share(3, 0) is None
    assert describe_response(28, 27, 35, report_numbers("en")).text == (
        "28 of the 35 people invited took part (80%). The results count 27 of them: the most "
        "recent wait until enough more have come in, so that nobody can be recognised.")


# -- what the session produced -----------------------------------------------------------


def test_the_summary_lists_conclusions_chosen_priorities_and_actions(app, discussed_demo):
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        discussion.save_lesson_note(assessment, "rijk", "",
                                    '<b>Eén loket</b> & "agenda"\x0b voor Den Haag', None)
        vote = priorities.result(assessment)
    assert vote.final and vote.top
    pdf, _assessment = _pdf_for(app)
    part = _summary_session(_flat(pdf))
    # Conclusions: only lessons that have one, escaped, without forbidden characters.
    assert "Regionaal leiderschap: Gesprek met bestuurders plannen" in part
    assert 'Rijk en nationale programma\'s: <b>Eén loket</b> & "agenda" voor Den Haag' in part
    assert "Legitimiteit en organisatie:" not in part.split("De groep koos")[0]
    # The priorities the group chose, with their votes.
    for row in vote.top:
        assert f"{row.title}: gekozen door {row.votes} van de {vote.voters} stemmers" in part
    # The agreed actions in short.
    assert "De groep sprak 2 acties af:" in part
    assert "Regioavond voor raden · wie: Griffie · wanneer: Q3" in part
    assert "Over een jaar opnieuw scannen · wie: Regiobureau · wanneer: 2027" in part


def test_many_actions_are_listed_in_short_and_counted(app, demo):
    with app.app_context():
        assessment = read_session().get(Assessment, 1)
        for number in range(1, 8):
            discussion.add_action(assessment, discussion.ActionInput(
                f"Actie {number} " + "met een lange omschrijving " * 10, "", "", None), None)
    html = _html(app, 1)
    summary = html[html.index('id="samenvatting"'):html.index('id="profiel"')]
    assert "De groep sprak 7 acties af:" in summary
    assert "Actie 5 met" in summary and "Actie 6 met" not in summary
    assert "En nog 2 acties; de Actieagenda noemt ze allemaal." in summary
    assert "wie:" not in summary  # no owner, no empty "wie"
    assert "met een lange omschrijving " * 10 not in summary  # shortened
    # The Actieagenda keeps them whole.
    assert ("Actie 6 " + "met een lange omschrijving " * 10).strip() in html


def test_a_scan_without_a_session_says_the_results_are_still_to_be_discussed(app):
    pdf, _assessment = _pdf_for(app, _scan(app, 3))
    text = _flat(pdf)
    assert ("De uitkomsten zijn nog niet in een bijeenkomst besproken. Dat gesprek moet nog "
            "plaatsvinden; dit rapport is daarvoor het vertrekpunt.") in text
    assert "besproken in een bijeenkomst op" not in text
    assert "begeleide bijeenkomst" not in text
    part = _summary_session(text)
    assert ("De uitkomsten moeten nog in een bijeenkomst worden besproken; er zijn dus nog "
            "geen conclusies, gekozen prioriteiten of afgesproken acties.") in part
    assert "Conclusies" not in part and "acties af" not in part


def test_the_demo_report_shows_the_response_and_its_session(app):
    """The demo as `make run` seeds it: invited count, a dated session, notes, vote, actions."""
    with app.app_context():
        demo.seed()
        scan = read_session().get(Assessment, DEMO_ID)
        held_on = scan.session_date
        vote = priorities.result(scan)
    assert held_on is not None
    html = _html(app, DEMO_ID)
    summary = html[html.index('id="samenvatting"'):html.index('id="profiel"')]
    assert "28 van de 35 genodigden deden mee (80%)." in summary
    assert f"besproken in een bijeenkomst op {report_date(held_on, 'nl')}." in summary
    for lesson_id, note in demo.DEMO_NOTES.items():
        assert note.conclusion.replace("'", "&#39;") in summary, lesson_id
    for row in vote.top:
        assert f"gekozen door {row.votes} van de {vote.voters} stemmers" in summary
    assert f"De groep sprak {len(demo.DEMO_ACTIONS)} acties af:" in summary
    for action in demo.DEMO_ACTIONS:
        assert f"wie: {action.owner}" in summary
    # The rest of what issue 14 asks the demo report to show.
    cover = html[:html.index('id="inhoud"')]
    assert f"<dt>Opdrachtgever</dt><dd>{demo.DEMO_COMMISSIONER}</dd>" in cover
    assert '<ul class="key-messages">' in summary
    assert 'id="wie-anders"' in html and "verborgen" in html[html.index('id="wie-anders"'):]
    assert '<blockquote class="comment">' in html


# -- the introduction --------------------------------------------------------------------


def test_the_introduction_names_the_session_date_when_notes_were_made(app):
    held_on = date.today() - timedelta(days=3)
    assessment_id = _scan(app, 3, session_date=held_on)
    with app.app_context():
        assessment = read_session().get(Assessment, assessment_id)
        discussion.save_lesson_note(assessment, "urgentie", "Iedereen ziet de opgave.", "", None)
    pdf, _assessment = _pdf_for(app, assessment_id)
    text = _flat(pdf)
    assert (f"De uitkomsten zijn besproken in een bijeenkomst op "
            f"{report_date(held_on, 'nl')}.") in text
    assert "nog niet in een bijeenkomst besproken" not in text
    # Notes without a conclusion, action or vote: held, but nothing to list.
    assert ("Uit de bijeenkomst zijn nog geen conclusies, gekozen prioriteiten of afgesproken "
            "acties vastgelegd.") in _summary_session(text)


@pytest.mark.parametrize(("days", "with_note", "expected"), [
    (-1, False, "besproken in een bijeenkomst op"),  # the date has passed
    (0, False, "nog niet in een bijeenkomst besproken"),  # later today, perhaps
    (7, False, "nog niet in een bijeenkomst besproken"),  # planned
    (7, True, "De uitkomsten zijn besproken in een bijeenkomst.</p>"),  # moved forward: no date
    (None, True, "De uitkomsten zijn besproken in een bijeenkomst.</p>"),  # no date entered
])
def test_the_introduction_follows_the_session_date_and_its_traces(app, days, with_note,
                                                                  expected):
    when = None if days is None else date.today() + timedelta(days=days)
    assessment_id = _scan(app, 3, session_date=when)
    if with_note:
        with app.app_context():
            assessment = read_session().get(Assessment, assessment_id)
            discussion.save_lesson_note(assessment, "urgentie", "", "Urgent, zegt iedereen.",
                                        None)
    html = _html(app, assessment_id)
    assert expected in html
    if expected.startswith("De uitkomsten zijn besproken in een bijeenkomst.<"):
        assert "bijeenkomst op" not in html


def test_session_held_is_one_rule():
    today = date(2026, 11, 29)
    nothing = {"notes": {}, "actions": 0, "vote_held": False, "session_date": None,
               "today": today}
    assert not session_held(**nothing)
    assert not session_held(**{**nothing, "notes": {"urgentie": (" ", "\n")}})
    assert session_held(**{**nothing, "notes": {"urgentie": ("", "Conclusie")}})
    assert session_held(**{**nothing, "actions": 1})
    assert session_held(**{**nothing, "vote_held": True})
    assert session_held(**{**nothing, "session_date": date(2026, 11, 28)})
    assert not session_held(**{**nothing, "session_date": today})


def test_the_english_report_reads_english(app):
    assessment_id = _scan(app, 3, language="en", invited=5)
    pdf, _assessment = _pdf_for(app, assessment_id)
    text = _flat(pdf)
    assert "3 of the 5 people invited took part (60%)." in text
    assert ("The results have not yet been discussed at a meeting. That conversation is still "
            "to come; this report is its starting point.") in text
    assert ("The results have yet to be discussed at a meeting, so there are no conclusions, "
            "chosen priorities or agreed actions yet.") in text
    for dutch in ("deden mee", "genodigden", "bijeenkomst", "nog niet"):
        assert dutch not in text


# -- older content -----------------------------------------------------------------------


def test_a_scan_frozen_before_the_split_introduction_still_builds_its_report(app):
    """Its introduction is shown as it was frozen; the summary's new parts still work."""
    snapshot = OLD_SNAPSHOT.read_text(encoding="utf-8")
    old = from_snapshot(snapshot)
    assert old.report.introduction_session_held is None
    assessment_id = _scan(app, 3, invited=3)
    with app.app_context():
        with write_transaction() as session:
            session.get(Assessment, assessment_id).content_snapshot = snapshot
        assessment = read_session().get(Assessment, assessment_id)
        discussion.save_lesson_note(assessment, "urgentie", "", "Urgent, zegt iedereen.", None)
    pdf, _assessment = _pdf_for(app, assessment_id)
    text = _flat(pdf)
    # The frozen wording, which says the results were discussed: here they were.
    assert "en in een begeleide bijeenkomst zijn de uitkomsten besproken" in text
    assert "besproken in een bijeenkomst op" not in text
    assert "3 van de 3 genodigden deden mee (100%)." in text
    assert "Urgentie: Urgent, zegt iedereen." in _summary_session(text)


# -- the content's placeholders ----------------------------------------------------------

HELD = 'introduction_session_held: "De uitkomsten zijn besproken in een bijeenkomst op {date}."'


@pytest.mark.parametrize(("edit", "at", "words"), [
    ((HELD, HELD.replace("{date}", "{datum}")), "introduction_session_held:",
     ("{datum}", "only {date}")),
    ((HELD, HELD.replace(" op {date}", "")), "introduction_session_held:",
     ("write {date} once",)),
    (("  introduction_session_held_undated: \"De uitkomsten zijn besproken in een "
      "bijeenkomst.\"", "  introduction_session_held_undated: \"Besproken op {date}.\""),
     "introduction_session_held_undated:", ("{date}", "nothing is filled in")),
])
def test_lint_reports_a_missing_or_unknown_placeholder(tmp_path, edit, at, words):
    text = edited((CONTENT_DIR / "tien-lessen.nl.yaml").read_text(encoding="utf-8"), edit)
    path = tmp_path / "tien-lessen.nl.yaml"
    path.write_text(text, encoding="utf-8")
    ok, problems = lint([path])
    assert not ok and len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:{line_of(text, at)}:")
    for word in words:
        assert word in problems[0]


def test_lint_wants_the_session_sentences_together(tmp_path):
    source = (CONTENT_DIR / "tien-lessen.nl.yaml").read_text(encoding="utf-8")
    text = edited(source, (HELD + "\n", ""))
    path = tmp_path / "tien-lessen.nl.yaml"
    path.write_text(text, encoding="utf-8")
    _ok, problems = lint([path])
    assert len(problems) == 1 and "together, or none of them" in problems[0], problems
