"""The lesson advice fits the figures beside it: band, agreement state and information gap.

A lesson in band "zorg" that is not divided, where only a quarter of the answers on the
scale disagree and more than a third of the answers are "weet ik niet", must not read "the
participants agree that it falls short", and the information gap's advice comes first.
"""

from __future__ import annotations

import json
import re

import pytest

from assessment import management
from assessment.aggregation import Agreement
from assessment.db import read_session, write_transaction
from assessment.models import Assessment, Status
from assessment.results import assessment_summary
from tests.helpers import TEST_DATA, Participant, report_numbers
from tests.reports.test_report import _pdf_for, _text

#: What these tests read is the report's content: the SQLite pass covers it.
pytestmark = pytest.mark.report_pdf

#: Legitimiteit's answers per respondent (statements 1 to 4; the 4th is worded in reverse,
#: so its 3 scores 3): 13 respondents, 33 answers on the scale of which 6 agree (18 %) and
#: 9 disagree (27 %), and 19 "weet niet" of 52 answers (37 %). The mean is 2.78 ("zorg"),
#: the spread small: not divided, and no majority either way.
LEGITIMITEIT_LIKE = [
    *[("2", "2", "weet_niet", "weet_niet")] * 4,
    ("2", "3", "weet_niet", "weet_niet"),
    *[("3", "3", "weet_niet", "weet_niet")] * 4,
    ("4", "3", "3", "weet_niet"),
    ("4", "4", "3", "3"),
    ("4", "4", "3", "3"),
    ("4", "3", "3", "3"),
]

#: The questionnaire file as it was frozen before the agreement states (commit f4ee4e9).
OLD_FILE = TEST_DATA / "content-snapshot-f4ee4e9.nl.json"

OLD_CLAIM = "De deelnemers zijn het erover eens dat de democratische inbedding tekortschiet"


def _answer_legitimiteit(app, assessment_id: int, code: str) -> None:
    for answers in LEGITIMITEIT_LIKE:
        person = Participant(app.test_client())
        person.join(code)
        person.post_page("legitimiteit", {f"a_legitimiteit-{i}": value
                                          for i, value in enumerate(answers, start=1)})
        person.submit()
    with app.app_context():
        management.set_status(assessment_id, Status.CLOSED)


def _section(text: str) -> str:
    """The Legitimiteit lesson's page, as one line of text."""
    flat = re.sub(r"\s+", " ", text).replace("- ", "")
    end = flat.rindex("Wat deelnemers schreven")  # the chapter after the lessons
    return flat[flat.rindex("10. Legitimiteit en organisatie", 0, end):end]


def test_legitimiteit_like_figures_get_no_falls_short_claim_and_the_gap_first(
    app, open_assessment
):
    assessment_id = int(open_assessment["id"])
    _answer_legitimiteit(app, assessment_id, str(open_assessment["code"]))
    with app.app_context():
        lesson = assessment_summary(read_session().get(Assessment, assessment_id)).lesson(
            "legitimiteit")
    numbers = report_numbers("nl")
    assert (lesson.band, lesson.divided, lesson.information_gap) == ("zorg", False, True)
    assert [numbers.percent(share) for share in (
        lesson.distribution.agree, lesson.distribution.disagree, lesson.dont_know_share)
    ] == [numbers.percent(0.18), numbers.percent(0.27), numbers.percent(0.37)]
    assert lesson.agreement is Agreement.NO_MAJORITY

    pdf, _assessment = _pdf_for(app, assessment_id)
    section = _section(_text(pdf))
    assert "zijn het erover eens" not in section
    assert "tekortschiet" not in section
    # The shares say what they are shares of.
    share = numbers.percent(lesson.dont_know_share)
    assert f"Informatietekort: {share} van de antwoorden is ‘weet ik niet’." in section
    assert "Eens en oneens: deel van de antwoorden op de schaal van 1 tot 5" in section
    # Under "Advies": the information gap's advice, then the advice for zorg without a
    # majority, which claims no more than the answers carry.
    gap = section.index("Eerst het informatietekort. Veel deelnemers weten niet hoe")
    band = section.index("De legitimiteit scoort laag, maar niet meer dan de helft van de "
                         "antwoorden op de schaal is negatief")
    assert section.index("Advies") < gap < band


def test_the_summary_says_what_the_dont_know_share_is_a_share_of(app, open_assessment):
    assessment_id = int(open_assessment["id"])
    _answer_legitimiteit(app, assessment_id, str(open_assessment["code"]))
    pdf, _assessment = _pdf_for(app, assessment_id)
    text = re.sub(r"\s+", " ", _text(pdf)).replace("- ", "")
    share = report_numbers("nl").percent(19 / 52)
    assert (f"Informatietekort Legitimiteit en organisatie ({share} van de antwoorden is "
            "‘weet ik niet’)") in text


def test_a_snapshot_frozen_before_the_agreement_states_still_builds_a_report(
    app, open_assessment
):
    """The old file's "agreed" texts serve the one state they were written for; elsewhere
    the generic advice stands in, never the old claim of agreement."""
    assessment_id = int(open_assessment["id"])
    old = json.loads(OLD_FILE.read_text(encoding="utf-8"))
    assert "agreed" in old["lessons"][9]["report"]["advice"]["zorg"]  # really the old form
    with app.app_context(), write_transaction() as session:
        session.get(Assessment, assessment_id).content_snapshot = json.dumps(
            old, ensure_ascii=False)
    _answer_legitimiteit(app, assessment_id, str(open_assessment["code"]))
    pdf, _assessment = _pdf_for(app, assessment_id)
    section = _section(_text(pdf))
    assert OLD_CLAIM not in section
    generic = section.index("De antwoorden op de schaal wijzen niet duidelijk één kant op")
    assert section.index("Eerst het informatietekort.") < generic
