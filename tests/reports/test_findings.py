"""Key messages and next steps: chosen by the content's rules from the data, and linted.

The unit tests build summaries on a small inline questionnaire whose lessons each have one
clear finding (scores worked out by hand beside them); the rules are written inline too, so
what they must pick follows from the test itself. The PDF tests run the product's own rules
on a scan answered through the participant pages.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from assessment import management
from assessment.aggregation import Response, Summary, summarise
from assessment.db import read_session, write_transaction
from assessment.figures import boundaries_of, shown_change
from assessment.models import ActionItem, Assessment, Status
from assessment.rounds import LessonChange, RoundComparison
from questions.lint import lint
from questions.loader import (
    CONTENT_DIR,
    QuestionnaireError,
    from_snapshot,
    load_questionnaire,
    parse_questionnaire,
    snapshot_json,
)
from questions.schema import LESSON_FINDINGS, MESSAGE_PLACEHOLDERS, OrderKey, Questionnaire
from reports import findings
from reports.build import report_context, report_html
from tests.assessment.test_aggregation import build, scoring
from tests.helpers import TEST_DATA, Participant, edited, line_of, report_numbers
from tests.reports.test_report import _pdf_for, _text

NL = report_numbers("nl")

#: Lessons in questionnaire order, two statements each (the second reversed), and the
#: lesson scores of respondents 1 to 6:
#:   leiding  1 2 2 3 3 4   mean 2.5, sd 1.05: zorg, divided (by sd)
#:   geld     1 1 1 4 4 4   mean 2.5, sd 1.64: zorg, divided; lower consensus than leiding
#:   raad     2 2 3 2 3 2   mean 2.33, sd 0.52: zorg, not divided
#:   samen    4 5 4 4 5 4   mean 4.33: sterk, not divided
#:   visie    3 4 3 3 4 3   mean 3.33: aandacht, not divided
#:   kennis   "weet niet" from respondents 1-3, 2 from 4-6: mean 2.0 on 3 scores, an
#:            information gap of 50 % of the answers (and zorg, not divided)
LESSONS = {name: (f"{name[0]}1", f"{name[0]}2r")
           for name in ("leiding", "geld", "raad", "samen", "visie", "kennis")}
SCORES = {
    "leiding": (1, 2, 2, 3, 3, 4),
    "geld": (1, 1, 1, 4, 4, 4),
    "raad": (2, 2, 3, 2, 3, 2),
    "samen": (4, 5, 4, 4, 5, 4),
    "visie": (3, 4, 3, 3, 4, 3),
    "kennis": ("weet_niet", "weet_niet", "weet_niet", 2, 2, 2),
}

#: Texts for every finding and text field, each naming its placeholders, so a test reads
#: which rule wrote a message and with which figures.
TEXTS = {
    "information_gap": {"text": "GAP {lesson} {share} van de antwoorden",
                        "text_unscored": "GAP-ZONDER-SCORE {lesson}"},
    "low_divided": {"text": "LAAG-VERDEELD {lesson} {score}",
                    "text_groups": "LAAG-VERDEELD {lesson} {score}: {groups}"},
    "low": {"text": "LAAG {lesson} {score}"},
    "low_agreed": {"text": "LAAG-EENS {lesson} {score}"},
    "divided": {"text": "VERDEELD {lesson} {score}",
                "text_groups": "VERDEELD {lesson} {score}: {groups}"},
    "strong_agreed": {"text": "STERK {lesson} {score} {agree}"},
    "attention": {"text": "AANDACHT {lesson} {score} {band}"},
    "rise": {"text": "STIJGING {lesson} {previous} {score} {change}"},
    "fall": {"text": "DALING {lesson} {previous} {score} {change}"},
}


def rule(finding: str, **settings: Any) -> dict[str, Any]:
    """A key message rule for a finding, with the test texts and any other settings."""
    return {"id": settings.pop("id", finding.replace("_", "-")), "finding": finding,
            **TEXTS[finding], **settings}


def questionnaire(*rules: dict[str, Any], minimum: int = 3, maximum: int = 5,
                  steps: list[Any] | None = None,
                  lessons: dict[str, tuple[str, ...]] | None = None, **more: Any
                  ) -> Questionnaire:
    """The inline questionnaire with these key message rules and next steps."""
    base = build(lessons or LESSONS).model_dump(mode="json")
    base["report"]["key_messages"] = {"minimum": minimum, "maximum": maximum,
                                      "rules": list(rules), **more}
    if steps is not None:
        base["report"]["next_steps"] = steps
    return Questionnaire.model_validate(base)


def responses(q: Questionnaire, scores: dict[str, tuple[Any, ...]] = SCORES,
              groups: tuple[str | None, ...] | None = None) -> list[Response]:
    """One respondent per column of ``scores``, answering every lesson named there."""
    count = len(next(iter(scores.values())))
    people = []
    for person in range(count):
        answers: dict[str, str] = {}
        for lesson_id, row in scores.items():
            answers.update(scoring(q, lesson_id, row[person]))
        people.append(Response(person + 1, groups[person] if groups else None, answers))
    return people


def messages(q: Questionnaire, summary: Summary | None = None,
             comparison: RoundComparison | None = None) -> list[str]:
    summary = summary or summarise(q, responses(q))
    facts = findings.lesson_facts(q, summary, comparison)
    return [m.text for m in findings.key_messages(q, facts, NL)]


def steps(q: Questionnaire, has_actions: bool, summary: Summary | None = None) -> list[str]:
    summary = summary or summarise(q, responses(q))
    facts = findings.lesson_facts(q, summary, None)
    return [s.text for s in findings.next_steps(q, facts, has_actions, NL)]


# -- the vocabulary: one engine for every finding the content may name --------------------


def test_the_engine_knows_every_finding_and_rank_the_schema_allows():
    assert set(findings.FINDINGS) == set(LESSON_FINDINGS) == set(MESSAGE_PLACEHOLDERS)
    assert set(findings.RANKS) == set(get_args(OrderKey))


def test_the_dataset_has_the_findings_it_was_built_for():
    q = questionnaire(rule("low"))
    summary = summarise(q, responses(q))
    facts = {f.lesson.id: f for f in findings.lesson_facts(q, summary, None)}
    found = {name: [lesson for lesson, f in facts.items() if test(f, 0)]
             for name, test in findings.FINDINGS.items() if name not in ("rise", "fall")}
    assert found == {
        "information_gap": ["kennis"],
        "low": ["leiding", "geld", "raad", "kennis"],
        "low_divided": ["leiding", "geld"],
        "low_agreed": ["raad", "kennis"],
        "divided": ["leiding", "geld"],
        "strong_agreed": ["samen"],
        "attention": ["visie"],
    }


# -- key messages: priority, ties, maximum and minimum ------------------------------------


def test_rules_pick_lessons_in_priority_order_one_message_per_lesson():
    q = questionnaire(rule("information_gap", at_most=1), rule("low_divided", at_most=1),
                      rule("low", at_most=1), rule("strong_agreed", at_most=1),
                      rule("attention", only_to_reach_minimum=True))
    assert messages(q) == [
        "GAP Kennis 50% van de antwoorden",
        # leiding and geld tie on 2,5: the lesson order decides.
        "LAAG-VERDEELD Leiding 2,5",
        # geld is low too, but raad is lower; kennis has its message already.
        "LAAG Raad 2,3",
        "STERK Samen 4,3 100%",
    ]


def test_a_tie_is_broken_by_the_rule_s_order_then_the_lesson_order():
    by_score = questionnaire(rule("low_divided", at_most=1), minimum=1)
    by_consensus = questionnaire(rule("low_divided", at_most=1,
                                      order=["lowest_consensus", "lesson_order"]), minimum=1)
    by_default = questionnaire(rule("low_divided", at_most=1), minimum=1,
                               order=["lowest_consensus"])
    assert messages(by_score) == ["LAAG-VERDEELD Leiding 2,5"]
    assert messages(by_consensus) == ["LAAG-VERDEELD Geld 2,5"]  # split at the two ends
    assert messages(by_default) == ["LAAG-VERDEELD Geld 2,5"]


def test_ranks_by_highest_score_and_most_dont_know():
    highest = questionnaire(rule("low", at_most=2, order=["highest_score"]), minimum=1)
    assert messages(highest) == ["LAAG Leiding 2,5", "LAAG Geld 2,5"]
    most_unknown = questionnaire(rule("low", at_most=2, order=["most_dont_know"]), minimum=1)
    assert messages(most_unknown) == ["LAAG Kennis 2,0", "LAAG Leiding 2,5"]


def test_at_most_the_maximum_however_many_findings():
    q = questionnaire(rule("low"), rule("strong_agreed"), minimum=1, maximum=2)
    assert messages(q) == ["LAAG Kennis 2,0", "LAAG Raad 2,3"]


def test_below_the_minimum_rules_are_used_again_and_the_fill_rules_join():
    q = questionnaire(rule("low_divided", at_most=1),
                      rule("attention", only_to_reach_minimum=True), minimum=3)
    # First pass: only leiding (at most 1, and attention only fills). Second pass: geld
    # (low_divided beyond its at_most), then visie (attention). Listed by rule.
    assert messages(q) == ["LAAG-VERDEELD Leiding 2,5", "LAAG-VERDEELD Geld 2,5",
                           "AANDACHT Visie 3,3 Aandacht"]


def test_fill_rules_are_not_used_once_the_minimum_is_met():
    q = questionnaire(rule("low_divided"), rule("attention", only_to_reach_minimum=True),
                      minimum=2)
    assert messages(q) == ["LAAG-VERDEELD Leiding 2,5", "LAAG-VERDEELD Geld 2,5"]


def test_fewer_than_the_minimum_when_the_data_has_no_more():
    q = questionnaire(rule("strong_agreed"), minimum=3)
    assert messages(q) == ["STERK Samen 4,3 100%"]


def test_no_key_messages_before_three_respondents():
    q = questionnaire(rule("low"), rule("attention"))
    summary = summarise(q, responses(q)[:2])
    assert messages(q, summary) == []
    assert steps(q, False, summary) == ["Herhaal de scan."]


def test_a_questionnaire_without_rules_has_no_key_messages():
    q = build(LESSONS)
    summary = summarise(q, responses(q))
    assert findings.key_messages(q, findings.lesson_facts(q, summary, None), NL) == ()


# -- anonymity: no figure on a lesson without a score, no hidden group -------------------


UNSCORED = {"leiding": (4, 4, 4, 4, 4, 4),
            # two scores only; four answered "weet niet" to everything
            "kennis": (2, 2, "weet_niet", "weet_niet", "weet_niet", "weet_niet")}


def test_an_information_gap_without_a_score_gives_no_share():
    q = questionnaire(rule("information_gap"), minimum=0)
    summary = summarise(q, responses(q, UNSCORED))
    assert not summary.lesson("kennis").shown and summary.lesson("kennis").information_gap
    assert messages(q, summary) == ["GAP-ZONDER-SCORE Kennis"]


def test_an_information_gap_without_a_score_and_without_its_text_is_left_out():
    gap = rule("information_gap")
    del gap["text_unscored"]
    q = questionnaire(gap, minimum=0)
    assert messages(q, summarise(q, responses(q, UNSCORED))) == []


#: Nineteen respondents: gemeente 6 (score 4), waterschap 6 (2), partner 5 (3), provincie
#: 2 (1). Provincie is under 5, so it is hidden, and partner with it (the smallest shown),
#: so nobody can subtract provincie from the total. Mean 53/19 = 2.79: zorg, divided.
GROUP_SPLIT = (("gemeente", 4, 6), ("waterschap", 2, 6), ("partner", 3, 5), ("provincie", 1, 2))


def _group_responses(q: Questionnaire, split: tuple[tuple[str, Any, int], ...]
                     ) -> list[Response]:
    people = []
    for group, score, count in split:
        for _ in range(count):
            answers = {**scoring(q, "leiding", score), **scoring(q, "samen", 4)}
            people.append(Response(len(people) + 1, group, answers))
    return people


def test_a_split_between_types_names_only_shown_types():
    q = questionnaire(rule("low_divided"), minimum=0)
    summary = summarise(q, _group_responses(q, GROUP_SPLIT))
    statuses = {cell.group: cell.status.value for cell in summary.lesson("leiding").groups}
    assert statuses["provincie"] == statuses["partner"] == "hidden"
    assert messages(q, summary) == ["LAAG-VERDEELD Leiding 2,8: Gemeente 4,0 en Waterschap 2,0"]


def test_a_split_only_among_hidden_types_is_not_named():
    # Gemeente and waterschap both 3 on average (half 1, half 5: divided by spread);
    # partner (5) and provincie (1) differ, but both are hidden.
    q = questionnaire(rule("divided"), minimum=0)
    people = []
    for group, scores in (("gemeente", (1, 1, 1, 5, 5, 5)), ("waterschap", (1, 1, 1, 5, 5, 5)),
                          ("partner", (5, 5, 5, 5, 5)), ("provincie", (1, 1))):
        for score in scores:
            answers = {**scoring(q, "leiding", score), **scoring(q, "samen", 4)}
            people.append(Response(len(people) + 1, group, answers))
    summary = summarise(q, people)
    assert summary.lesson("leiding").divided
    [text] = messages(q, summary)
    assert text.startswith("VERDEELD Leiding ") and ":" not in text


def test_a_rule_without_a_groups_text_uses_its_text():
    plain = rule("low_divided")
    del plain["text_groups"]
    q = questionnaire(plain, minimum=0)
    assert messages(q, summarise(q, _group_responses(q, GROUP_SPLIT))) == [
        "LAAG-VERDEELD Leiding 2,8"]


# -- change since the previous round ------------------------------------------------------


def _comparison(q: Questionnaire, summary: Summary, previous: dict[str, float]
                ) -> RoundComparison:
    def change(lesson_id: str) -> LessonChange:
        now, before = summary.lesson(lesson_id).mean, previous.get(lesson_id)
        if now is None or before is None:
            return LessonChange(lesson_id, before, now, None)
        return LessonChange(lesson_id, before, now, now - before,
                            shown_change=shown_change(now, before, boundaries_of(q)))

    return RoundComparison(tuple(change(lesson.id) for lesson in q.lessons))


def test_a_clear_change_is_one_in_the_shown_scores():
    q = questionnaire(rule("rise"), rule("fall"), minimum=0)
    summary = summarise(q, responses(q))
    # visie: 3.33 now; 2.84 before is a change of 0.49, but shown 2,8 → 3,3 is 0,5.
    # samen: 4.33 now; 4.9 before: shown 4,9 → 4,3 is −0,6. raad: 2.33 now, 2.6 before: −0,3.
    comparison = _comparison(q, summary, {"visie": 2.84, "samen": 4.9, "raad": 2.6})
    assert messages(q, summary, comparison) == ["STIJGING Visie 2,8 3,3 +0,5",
                                                "DALING Samen 4,9 4,3 −0,6"]


def test_the_clear_change_is_content():
    q = questionnaire(rule("rise"), rule("fall"), minimum=0, clear_change=1.0)
    summary = summarise(q, responses(q))
    comparison = _comparison(q, summary, {"visie": 2.84, "samen": 4.9, "geld": 1.2})
    assert messages(q, summary, comparison) == ["STIJGING Geld 1,2 2,5 +1,3"]


# -- next steps ------------------------------------------------------------------------------


STEPS = [
    {"id": "vastleggen", "when": "actions", "text": "Leg de acties vast."},
    {"id": "afspreken", "when": "no_actions", "text": "Spreek acties af."},
    {"id": "beeld", "when": "low_divided", "text": "Deel het beeld bij {lessons}."},
    {"id": "kloof", "when": "information_gap", "text": "Deel informatie over {lessons}."},
    {"id": "wijzigen", "when": "rise", "text": "Houd vast wat werkte bij {lessons}."},
    {"id": "altijd", "when": "always", "text": "Herhaal de scan."},
]


def test_next_steps_follow_the_actions_and_name_their_lessons():
    q = questionnaire(rule("low"), steps=STEPS)
    assert steps(q, has_actions=False) == [
        "Spreek acties af.", "Deel het beeld bij Leiding en Geld.",
        "Deel informatie over Kennis.", "Herhaal de scan."]
    assert steps(q, has_actions=True)[0] == "Leg de acties vast."
    assert "Spreek acties af." not in steps(q, has_actions=True)


def test_a_step_about_a_finding_nobody_has_is_left_out():
    q = questionnaire(rule("low"), steps=STEPS)
    summary = summarise(q, responses(q, {"samen": (4, 5, 4, 4, 5, 4)}))
    assert steps(q, False, summary) == ["Spreek acties af.", "Herhaal de scan."]


def test_plain_text_steps_of_an_older_questionnaire_apply_always():
    q = questionnaire(rule("low"), steps=["Leg de acties vast.", "Herhaal de scan."])
    assert [(s.id, s.when) for s in q.report.next_steps] == [("stap-1", "always"),
                                                            ("stap-2", "always")]
    assert steps(q, has_actions=False) == ["Leg de acties vast.", "Herhaal de scan."]


# -- the linter: placeholders, kinds, counts, in both languages -------------------------


DUTCH = CONTENT_DIR / "tien-lessen.nl.yaml"
ENGLISH = CONTENT_DIR / "tien-lessen.en.yaml"


def _lint_pair(tmp_path: Path, dutch: str | None = None, english: str | None = None
               ) -> list[str]:
    paths = [tmp_path / "tien-lessen.nl.yaml", tmp_path / "tien-lessen.en.yaml"]
    paths[0].write_text(dutch or DUTCH.read_text(encoding="utf-8"), encoding="utf-8")
    paths[1].write_text(english or ENGLISH.read_text(encoding="utf-8"), encoding="utf-8")
    _ok, problems = lint(paths)
    return problems


def test_the_product_rules_lint_clean(tmp_path):
    assert _lint_pair(tmp_path) == []


LAAG_NL = "          {lesson} scoort laag ({score}). Kies samen een eerste verbetering"


@pytest.mark.parametrize(("old", "new", "message"), [
    pytest.param(LAAG_NL, LAAG_NL.replace("({score})", ""),
                 "[laag] key message rule 'laag' (low): text: the placeholder {score} is "
                 "missing; add it where the text names it", id="missing placeholder"),
    pytest.param(LAAG_NL, LAAG_NL.replace("({score})", "({gemiddelde})"),
                 "[laag] key message rule 'laag' (low): text: unknown placeholder "
                 "{gemiddelde}; this text may use {agree}, {band}, {disagree}, {lesson}, {n}, "
                 "{score}", id="unknown placeholder"),
    pytest.param(LAAG_NL, LAAG_NL.replace("({score})", "({score:.2f})"),
                 "{score:.2f} is not a placeholder", id="format spec"),
    pytest.param(LAAG_NL, LAAG_NL.replace("({score})", "({score)"),
                 "a brace without its partner", id="unbalanced brace"),
])
def test_a_bad_placeholder_is_reported_with_file_line_and_rule(tmp_path, old, new, message):
    dutch = edited(DUTCH.read_text(encoding="utf-8"), (old, new))
    problems = _lint_pair(tmp_path, dutch=dutch)
    path = tmp_path / "tien-lessen.nl.yaml"
    line = line_of(dutch, new.strip()[:40]) - 1  # a folded text starts on the key's line
    assert problems and all(p.startswith(f"{path}:{line}: [laag] ") for p in problems)
    assert any(p.startswith(f"{path}:{line}:") and message in p for p in problems), problems


def test_a_missing_placeholder_in_the_english_file_is_reported_there(tmp_path):
    old = "        Low score and a divided group on {lessons}: share the picture"
    english = edited(ENGLISH.read_text(encoding="utf-8"),
                     (old, old.replace("{lessons}", "these lessons")))
    path = tmp_path / "tien-lessen.en.yaml"
    [problem] = _lint_pair(tmp_path, english=english)
    assert problem == (f"{path}:{line_of(english, 'these lessons') - 1}: [eerst-beeld-delen] "
                       "next step 'eerst-beeld-delen' (when low_divided): text: the "
                       "placeholder {lessons} is missing; add it where the text names it")


def test_a_rule_missing_in_english_is_reported_with_its_place(tmp_path):
    english = ENGLISH.read_text(encoding="utf-8")
    start = english.index("      - id: gedaald\n")
    end = english.index("      - id: gestegen\n")
    english = english[:start] + english[end:]
    path = tmp_path / "tien-lessen.en.yaml"
    [problem] = _lint_pair(tmp_path, english=english)
    first_rule = line_of(english, "      - id: informatietekort")
    assert problem == (
        f"{path}:{first_rule}: [gedaald] key message rule 'gedaald' is in tien-lessen.nl.yaml "
        "but missing here; add its translation (after key message rule 'laag')")


def test_another_finding_in_english_is_reported(tmp_path):
    english = edited(ENGLISH.read_text(encoding="utf-8"),
                     ("        finding: rise\n", "        finding: fall\n"))
    [problem] = _lint_pair(tmp_path, english=english)
    assert "key message rule 'gestegen': finding is 'fall' here but 'rise' in " \
           "tien-lessen.nl.yaml" in problem


@pytest.mark.parametrize(("edits", "message"), [
    pytest.param([("    minimum: 3\n    maximum: 5\n", "    minimum: 6\n    maximum: 5\n")],
                 "key_messages: minimum 6 is above maximum 5", id="minimum above maximum"),
    pytest.param([("        finding: low\n", "        finding: lowest\n")],
                 "report.key_messages.rules.2.finding: Input should be", id="unknown finding"),
    pytest.param([("      when: no_actions\n", "      when: sometimes\n")],
                 "report.next_steps.1.when: Input should be", id="unknown condition"),
    pytest.param([("    order: [lowest_score, lesson_order]\n",
                   "    order: [lowest, lesson_order]\n")],
                 "report.key_messages.order.0: Input should be", id="unknown order"),
    pytest.param([("        finding: low\n        at_most: 1\n",
                   "        finding: low\n        at_most: 1\n"
                   "        text_groups: \"{lesson}\"\n")],
                 "key message rule 'laag' (low): text_groups is only used for divided, "
                 "low_divided; remove it", id="text for another finding"),
    pytest.param([("      - id: laag\n", "      - id: sterk\n")],
                 "duplicate key message rule id 'sterk'", id="duplicate rule id"),
    pytest.param([("    - id: acties-afspreken\n", "    - id: acties-vastleggen\n")],
                 "duplicate next step id 'acties-vastleggen'", id="duplicate step id"),
    pytest.param([("      when: always\n      text: >-\n        Bespreek dit rapport",
                   "      when: always\n      text: >-\n        Bespreek {lessons} rapport")],
                 "next step 'rapport-bespreken' (when always): text: unknown placeholder "
                 "{lessons}; this text may use none", id="lessons in an always step"),
])
def test_broken_rules_are_refused_with_a_fix(edits, message):
    text = edited(DUTCH.read_text(encoding="utf-8"), *edits)
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text, "tien-lessen.nl.yaml")
    assert any(message in problem.message and problem.line for problem in caught.value.problems
               ), [p.message for p in caught.value.problems]


# -- the report: PDF text on a scan answered for it -----------------------------------------


#: Lesson scores of six participants (all statements of a lesson alike, reversed ones
#: answered so that they score the same): leiderschap low and divided (2,5), legitimiteit an
#: information gap (half "weet niet"; 2,0 on three scores), urgentie strong and agreed (4,3),
#: rijk low and agreed (2,3). The product's rules then pick, in their order: the gap, the
#: low and divided lesson, the lowest other low lesson, the strong lesson.
SCAN = {
    "leiderschap": (1, 1, 1, 4, 4, 4),
    "legitimiteit": ("weet_niet", "weet_niet", "weet_niet", 2, 2, 2),
    "urgentie": (4, 5, 4, 4, 5, 4),
    "rijk": (2, 2, 3, 2, 3, 2),
}


def _answer_scan(app, open_assessment) -> int:
    product = load_questionnaire(DUTCH)
    for person in range(6):
        participant = Participant(app.test_client())
        participant.join(str(open_assessment["code"]))
        for lesson_id, scores in SCAN.items():
            answers = scoring(product, lesson_id, scores[person])
            participant.post_page(lesson_id, {f"a_{key}": code for key, code in answers.items()})
        participant.submit()
    assessment_id = int(open_assessment["id"])
    with app.app_context():
        management.set_status(assessment_id, Status.CLOSED)
    return assessment_id


def _words(pdf: bytes) -> str:
    """The PDF's text on one line, words split at a line end joined again."""
    return re.sub(r"\s+", " ", _text(pdf)).replace("- ", "")


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


@pytest.mark.report_pdf
def test_the_pdf_opens_its_summary_with_the_key_messages_the_rules_pick(app, open_assessment):
    assessment_id = _answer_scan(app, open_assessment)
    pdf, _assessment = _pdf_for(app, assessment_id)
    text = _words(pdf)
    block = _between(text, "Kernboodschappen", "gemiddelde score over de lessen")
    named = [title for title in ("Legitimiteit en organisatie", "Regionaal leiderschap",
                                 "Rijk en nationale programma's", "Urgentie")
             if title in block]
    assert named == ["Legitimiteit en organisatie", "Regionaal leiderschap",
                     "Rijk en nationale programma's", "Urgentie"]
    assert sorted(named, key=block.index) == named  # in the rules' priority order
    assert "Bij Legitimiteit en organisatie is 50% van de antwoorden ‘weet ik niet’" in block
    assert "Regionaal leiderschap scoort laag (2,5) en de groep is verdeeld" in block
    assert "Rijk en nationale programma's scoort laag (2,3)" in block
    assert "Urgentie is een sterk punt (4,3)" in block
    for unscored in ("Gedeelde visie", "Samenwerkingscultuur"):
        assert unscored not in block

    # No actions yet: the step to agree them, not the one to record them.
    steps_text = _between(text, "Voorgestelde vervolgstappen", "Profiel van de 10 lessen")
    assert "Spreek acties af" in steps_text
    assert "acties vast" not in steps_text
    assert "Lage score en een verdeelde groep bij Regionaal leiderschap:" in steps_text
    assert "Los het informatietekort op bij Legitimiteit en organisatie:" in steps_text

    with app.app_context(), write_transaction() as session:
        session.add(ActionItem(assessment_id=assessment_id, lesson_id="leiderschap",
                               action="Gesprek met bestuurders", owner="Regiobureau",
                               term="Q3"))
    pdf, _assessment = _pdf_for(app, assessment_id)
    steps_text = _between(_words(pdf), "Voorgestelde vervolgstappen",
                          "Profiel van de 10 lessen")
    assert "Leg de afgesproken acties vast" in steps_text
    assert "Spreek acties af" not in steps_text


def test_the_english_report_has_the_english_key_messages(app, open_assessment):
    assessment_id = _answer_scan(app, open_assessment)
    english = load_questionnaire(ENGLISH)
    with app.app_context():
        with write_transaction() as session:
            assessment = session.get(Assessment, assessment_id)
            assessment.language = "en"
            assessment.content_snapshot = snapshot_json(english)
        html = report_html(report_context(read_session().get(Assessment, assessment_id)),
                           "/static/")
    assert "Key messages" in html
    assert "For Legitimacy and organisation, 50% of the answers are" in html
    assert "Regional leadership scores low (2.5) and the group is divided" in html
    assert "Agree on actions" in html
    assert "Kernboodschappen" not in html


# -- a questionnaire frozen before key messages ---------------------------------------------


#: The Dutch questionnaire as an assessment froze it before key messages and rule-driven
#: next steps existed (snapshot_json of tien-lessen.nl.yaml at commit f4ee4e9).
OLD_SNAPSHOT = TEST_DATA / "content-snapshot-f4ee4e9.nl.json"
OLD_HASH = "69c0fe756bee3b8bce8d39ee7d29f3299620a463371e0ee445c1a33470df40db"


def test_an_old_snapshot_still_loads_its_steps_as_always():
    snapshot = OLD_SNAPSHOT.read_text(encoding="utf-8")
    assert hashlib.sha256(snapshot.encode("utf-8")).hexdigest() == OLD_HASH
    old = from_snapshot(snapshot)
    assert old.report.key_messages is None
    assert [step.when for step in old.report.next_steps] == ["always"] * 5
    assert old.report.next_steps[0].text.startswith("Leg de afgesproken acties vast")
    # Once loaded, it freezes and loads again as it is now.
    assert from_snapshot(snapshot_json(old)) == old


@pytest.mark.report_pdf
def test_an_old_snapshot_still_builds_its_report(app, open_assessment):
    assessment_id = _answer_scan(app, open_assessment)
    with app.app_context(), write_transaction() as session:
        assessment = session.get(Assessment, assessment_id)
        assessment.content_snapshot = OLD_SNAPSHOT.read_text(encoding="utf-8")
        assessment.content_hash = OLD_HASH
    pdf, _assessment = _pdf_for(app, assessment_id)
    text = _words(pdf)
    assert "Kernboodschappen" not in text
    steps_text = _between(text, "Voorgestelde vervolgstappen", "Profiel van de 10 lessen")
    # Its own five steps, as that report had them.
    assert "Leg de afgesproken acties vast" in steps_text
    assert "Herhaal de scan na 12 tot 18 maanden" in steps_text
    assert "Spreek acties af" not in steps_text
    assert "Urgentie 4,3 · Sterk" in text  # the rest of the report as before
