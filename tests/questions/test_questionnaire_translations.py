"""Translations match their source: the shipped English file, and the rule that checks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from questions.lint import lint, main
from questions.loader import (
    CONTENT_DIR,
    QuestionnaireError,
    load_directory,
    load_questionnaire,
    parse_questionnaire,
    translation_problems,
)
from questions.schema import Questionnaire
from questions.translations import structural_mismatches, translated_texts
from tests.helpers import edited, line_of

DUTCH_FILE = CONTENT_DIR / "tien-lessen.nl.yaml"
ENGLISH_FILE = CONTENT_DIR / "tien-lessen.en.yaml"

#: A small Dutch questionnaire: two lessons (one reversed statement), a context block, an
#: open question with a hint and a quadrant.
MINI_NL = """\
id: mini
version: "1.0"
language: nl
title: "Mini"
texts: {intro_title: "Welkom", intro: "Een korte scan.", duration_minutes: 5,
        privacy: "Anoniem.", profile_intro: "Over u.", context_intro: "Context.",
        open_intro: "Open vragen.", comment_label: "Toelichting", thanks: "Dank u."}
default_scale: eens3
scales:
  - id: eens3
    points:
      - {value: 1, label: "Oneens"}
      - {value: 2, label: "Neutraal"}
      - {value: 3, label: "Eens"}
    non_valid:
      - {code: weet_niet, label: "Weet ik niet"}
bands:
  - {id: sterk, label: "Sterk", minimum: 2.5, description: "Gaat goed."}
  - {id: aandacht, label: "Aandacht", minimum: 1.5, description: "Gaat deels goed."}
  - {id: zorg, label: "Zorg", description: "Zwak punt."}
profile:
  - id: rol
    label: "Uw rol?"
    options:
      - {id: bestuurder, label: "Bestuurder"}
      - {id: ambtenaar, label: "Ambtenaar"}
lessons:
  - id: urgentie
    title: "Urgentie"
    short_title: "Urgentie"
    intro: "Waarom samen?"
    statements:
      - id: urgentie-1
        text: "We weten waarom we samenwerken."
      - id: urgentie-2
        text: "Ieder komt op voor zichzelf."
        reverse: true
    report: &report
      meaning: "Samen lossen we meer op."
      advice:
        sterk: {agreed_works: "Houd vast.", divided: "Bespreek het verschil."}
        aandacht: {agreed_works: "Verbeter samen.", no_majority: "Kijk samen.",
                   divided: "Bespreek eerst."}
        zorg: {agreed_falls_short: "Begin klein.", no_majority: "Zoek uit waarom.",
               divided: "Deel eerst het beeld."}
      questions: ["Waarom werken we samen?", "Wie voelt de urgentie?"]
      information_gap: "Deel wat u weet."
  - id: visie
    title: "Visie"
    short_title: "Visie"
    intro: "Waarheen?"
    statements:
      - id: visie-1
        text: "We delen een beeld van de regio."
    report: *report
context_blocks:
  - id: welvaart
    title: "Welvaart"
    intro: "Hoe gaat het?"
    statements:
      - id: welvaart-1
        text: "Het gaat de regio goed."
open_questions:
  - {id: kracht, text: "Wat gaat goed?", hint: "Noem één punt."}
quadrant:
  x: {label: "Welvaart", context_blocks: [welvaart]}
  y: {label: "Urgentie", lessons: [urgentie]}
report:
  introduction: "Over dit rapport."
  quadrant_note: "Een eigen duiding."
  quadrants:
    high_high: {title: "Hoog en hoog", text: "Houd vast."}
    high_low: {title: "Hoog en laag", text: "Investeer."}
    low_high: {title: "Laag en hoog", text: "Geduld."}
    low_low: {title: "Laag en laag", text: "Bouw op."}
  advice_labels: {keep: "Vasthouden", talk: "Bespreken", improve: "Verbeteren", share: "Delen"}
  information_gap: "Veel mensen weten het niet."
  next_steps: ["Herhaal de scan."]
"""

#: Its English translation: the same structure, other words.
MINI_EN = """\
id: mini
version: "1.0"
language: en
title: "Mini"
texts: {intro_title: "Welcome", intro: "A short scan.", duration_minutes: 5,
        privacy: "Anonymous.", profile_intro: "About you.", context_intro: "Context.",
        open_intro: "Open questions.", comment_label: "Comment", thanks: "Thank you."}
default_scale: eens3
scales:
  - id: eens3
    points:
      - {value: 1, label: "Disagree"}
      - {value: 2, label: "Neutral"}
      - {value: 3, label: "Agree"}
    non_valid:
      - {code: weet_niet, label: "I don't know"}
bands:
  - {id: sterk, label: "Strong", minimum: 2.5, description: "Goes well."}
  - {id: aandacht, label: "Attention", minimum: 1.5, description: "Goes partly well."}
  - {id: zorg, label: "Concern", description: "Weak point."}
profile:
  - id: rol
    label: "Your role?"
    options:
      - {id: bestuurder, label: "Administrator"}
      - {id: ambtenaar, label: "Civil servant"}
lessons:
  - id: urgentie
    title: "Urgency"
    short_title: "Urgency"
    intro: "Why together?"
    statements:
      - id: urgentie-1
        text: "We know why we cooperate."
      - id: urgentie-2
        text: "Everyone stands up for themselves."
        reverse: true
    report: &report
      meaning: "Together we solve more."
      advice:
        sterk: {agreed_works: "Hold on.", divided: "Discuss the difference."}
        aandacht: {agreed_works: "Improve together.", no_majority: "Look together.",
                   divided: "Discuss first."}
        zorg: {agreed_falls_short: "Start small.", no_majority: "Find out why.",
               divided: "Share the picture first."}
      questions: ["Why do we cooperate?", "Who feels the urgency?"]
      information_gap: "Share what you know."
  - id: visie
    title: "Vision"
    short_title: "Vision"
    intro: "Where to?"
    statements:
      - id: visie-1
        text: "We share a picture of the region."
    report: *report
context_blocks:
  - id: welvaart
    title: "Prosperity"
    intro: "How is it going?"
    statements:
      - id: welvaart-1
        text: "The region is doing well."
open_questions:
  - {id: kracht, text: "What goes well?", hint: "Name one point."}
quadrant:
  x: {label: "Prosperity", context_blocks: [welvaart]}
  y: {label: "Urgency", lessons: [urgentie]}
report:
  introduction: "About this report."
  quadrant_note: "Our own interpretation."
  quadrants:
    high_high: {title: "High and high", text: "Hold on."}
    high_low: {title: "High and low", text: "Invest."}
    low_high: {title: "Low and high", text: "Patience."}
    low_low: {title: "Low and low", text: "Build up."}
  advice_labels: {keep: "Keep", talk: "Discuss", improve: "Improve", share: "Share"}
  information_gap: "Many people do not know."
  next_steps: ["Repeat the scan."]
"""


def write_pair(directory: Path, english: str) -> tuple[Path, Path]:
    """The mini Dutch file and an English text as files in ``directory``."""
    dutch_path, english_path = directory / "mini.nl.yaml", directory / "mini.en.yaml"
    dutch_path.write_text(MINI_NL, encoding="utf-8")
    english_path.write_text(english, encoding="utf-8")
    return dutch_path, english_path


def untranslated(source: Questionnaire, translation: Questionnaire) -> list[str]:
    """Texts of the translation that are empty, or copied unchanged from the source.

    Texts of one or two words may stay the same (names, "Focus", "Partners").
    """
    source_texts = dict(translated_texts(source))
    found = []
    for loc, text in translated_texts(translation):
        if not text.strip():
            found.append(f"{loc}: empty")
        elif text == source_texts.get(loc) and len(text.split()) > 2:
            found.append(f"{loc}: not translated: {text!r}")
    return found


@pytest.fixture(scope="module")
def dutch() -> Questionnaire:
    return load_questionnaire(DUTCH_FILE)


@pytest.fixture(scope="module")
def english() -> Questionnaire:
    return load_questionnaire(ENGLISH_FILE)


# -- the shipped files ------------------------------------------------------------------------


def test_both_shipped_files_load_as_one_questionnaire_in_two_languages(dutch, english):
    found = load_directory()
    assert found[("tien-lessen", "nl")] == dutch
    assert found[("tien-lessen", "en")] == english
    assert (english.id, english.version, english.language) == ("tien-lessen", dutch.version, "en")


def test_shipped_translation_has_no_structural_mismatch(dutch, english):
    assert structural_mismatches(dutch, english, DUTCH_FILE.name) == []
    assert translation_problems({DUTCH_FILE: dutch, ENGLISH_FILE: english}) == []


def test_shipped_files_have_the_same_lessons_and_statements_in_order(dutch, english):
    def statements(q: Questionnaire) -> list[tuple[str, str, bool, str | None]]:
        groups = [*q.lessons, *q.context_blocks]
        return [(g.id, s.id, s.reverse, s.scale) for g in groups for s in g.statements]

    assert [lesson.id for lesson in english.lessons] == [lesson.id for lesson in dutch.lessons]
    assert statements(english) == statements(dutch)
    assert len(statements(english)) == 46
    assert sum(reverse for _g, _s, reverse, _scale in statements(english)) == 10


def test_shipped_files_have_the_same_scoring_settings(dutch, english):
    def scoring(q: Questionnaire) -> object:
        return (
            q.default_scale,
            [(s.id, [p.value for p in s.points], [o.code for o in s.non_valid])
             for s in q.scales],
            [(b.id, b.minimum) for b in q.bands],
            q.quadrant and q.quadrant.model_dump(exclude={"x": {"label"}, "y": {"label"}}),
            q.texts.duration_minutes,
        )

    assert scoring(english) == scoring(dutch)
    assert [b.minimum for b in english.bands] == [4.0, 3.0, None]


def test_shipped_files_have_the_same_profile_and_open_questions(dutch, english):
    def questions(q: Questionnaire) -> object:
        return ([(p.id, [o.id for o in p.options], p.hint is None) for p in q.profile],
                [(o.id, o.hint is None) for o in q.open_questions])

    assert questions(english) == questions(dutch)


def test_every_english_text_is_there_and_translated(dutch, english):
    dutch_places = [loc for loc, _text in translated_texts(dutch)]
    english_texts = dict(translated_texts(english))
    assert list(english_texts) == dutch_places
    assert untranslated(dutch, english) == []
    # The short texts that may stay the same are the ones that really are the same word.
    same = sorted(text for loc, text in translated_texts(dutch) if english_texts[loc] == text)
    assert same == ["Focus", "Partners"]


def test_the_untranslated_check_finds_a_copied_text(dutch, english):
    copied = english.model_copy(update={"title": dutch.title})
    assert untranslated(dutch, copied) == [f"('title',): not translated: {dutch.title!r}"]
    assert untranslated(dutch, dutch) != []


def test_translated_texts_cover_every_kind_of_text(english):
    places = {loc for loc, _text in translated_texts(english)}
    for loc in [("title",), ("texts", "privacy"), ("scales", 0, "points", 0, "label"),
                ("scales", 0, "non_valid", 1, "label"), ("bands", 2, "description"),
                ("profile", 1, "options", 2, "label"), ("lessons", 9, "short_title"),
                ("lessons", 0, "statements", 3, "text"),
                ("lessons", 4, "report", "advice", "zorg", "divided"),
                ("lessons", 2, "report", "questions", 1), ("context_blocks", 1, "title"),
                ("open_questions", 2, "hint"), ("quadrant", "y", "label"),
                ("report", "quadrants", "low_high", "text"), ("report", "advice_labels", "share"),
                ("report", "next_steps", 4, "text"),
                ("report", "key_messages", "rules", 0, "text_unscored"),
                ("report", "key_messages", "rules", 1, "text_groups")]:
        assert loc in places
    assert ("lessons", 0, "statements", 0, "id") not in places
    assert ("version",) not in places


def test_the_english_file_keeps_the_dutch_names_it_explains(english):
    rijk = english.lesson("rijk")
    assert "Delta Programme (Deltaprogramma)" in rijk.intro
    assert "(Nationaal Programma Landelijk Gebied, NPLG)" in rijk.intro
    assert "lead party (kartrekker)" in english.lesson("leiderschap").statements[3].text
    assert "Broad well-being (brede welvaart)" in english.lesson("focus").intro
    assert [p.label for p in english.scale().points] == [
        "Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    assert [o.label for o in english.scale().non_valid] == ["I don't know", "Not applicable"]
    assert '"I don\'t know"' in english.texts.intro  # the intro names the label it uses


# -- the rule ---------------------------------------------------------------------------------


def test_the_mini_pair_matches():
    source = parse_questionnaire(MINI_NL, "mini.nl.yaml")
    translation = parse_questionnaire(MINI_EN, "mini.en.yaml")
    assert structural_mismatches(source, translation, "mini.nl.yaml") == []


#: One edit of the English mini file each: (edits, the first problem's message, the ids of
#: every problem, a text on the first problem's line).
MISMATCHES = [
    pytest.param(
        [('      - id: urgentie-1\n        text: "We know why we cooperate."\n', "")],
        "statement 'urgentie-1' of lesson 'urgentie' is in mini.nl.yaml but missing here; "
        "add its translation (as the first one)",
        ["urgentie-1"], "id: urgentie-2", id="missing statement",
    ),
    pytest.param(
        [('        text: "We share a picture of the region."\n',
          '        text: "We share a picture of the region."\n'
          '      - id: visie-2\n        text: "We share a future."\n')],
        "statement 'visie-2' of lesson 'visie' is not in mini.nl.yaml; remove it here, "
        "or add it to mini.nl.yaml first",
        ["visie-2"], "id: visie-2", id="extra statement",
    ),
    pytest.param(
        [('      - {value: 3, label: "Agree"}\n',
          '      - {value: 3, label: "Agree"}\n      - {value: 4, label: "Fully agree"}\n')],
        "scale point 4 of scale 'eens3' is not in mini.nl.yaml; remove it here, "
        "or add it to mini.nl.yaml first",
        ["eens3"], "value: 4", id="extra scale value",
    ),
    pytest.param(
        [("default_scale: eens3", "default_scale: agree3"), ("  - id: eens3", "  - id: agree3")],
        "default_scale is 'agree3' here but 'eens3' in mini.nl.yaml; a translation keeps it: "
        "write 'eens3'",
        [None, "eens3", "agree3"], "default_scale", id="renamed scale",
    ),
    pytest.param(
        [("      - {code: weet_niet, label: \"I don't know\"}",
          '      - {code: nvt, label: "Not applicable"}')],
        "answer option 'weet_niet' of scale 'eens3' is in mini.nl.yaml but missing here",
        ["weet_niet", "nvt"], "code: nvt", id="other non-valid answer",
    ),
    pytest.param(
        [('        text: "Everyone stands up for themselves."\n        reverse: true\n',
          '        text: "Everyone stands up for themselves."\n')],
        "statement 'urgentie-2': reverse is false here but true in mini.nl.yaml; "
        "a translation keeps it: write true",
        ["urgentie-2"], "id: urgentie-2", id="reverse flag dropped",
    ),
    pytest.param(
        [('      - id: urgentie-1\n        text: "We know why we cooperate."\n',
          '      - {id: urgentie-1, text: "We know why we cooperate.", reverse: true}\n')],
        "statement 'urgentie-1': reverse is true here but false in mini.nl.yaml",
        ["urgentie-1"], "reverse: true}", id="reverse flag added",
    ),
    pytest.param(
        [('        text: "We share a picture of the region."\n',
          '        text: "We share a picture of the region."\n        scale: eens3\n')],
        "statement 'visie-1': scale is 'eens3' here but nothing (leave the field out) in "
        "mini.nl.yaml", ["visie-1"], "        scale: eens3", id="statement scale named",
    ),
    pytest.param(
        [("minimum: 1.5", "minimum: 2.0")],
        "band 'aandacht': minimum is 2.0 here but 1.5 in mini.nl.yaml; a translation "
        "keeps it: write 1.5", ["aandacht"], "id: aandacht", id="band threshold",
    ),
    pytest.param(
        [('version: "1.0"', 'version: "1.1"')],
        "version is '1.1' here but '1.0' in mini.nl.yaml", [None], "version:", id="version",
    ),
    pytest.param(
        [("duration_minutes: 5", "duration_minutes: 7")],
        "texts.duration_minutes is 7 here but 5 in mini.nl.yaml", [None], "duration_minutes",
        id="duration",
    ),
    pytest.param(
        [("{id: bestuurder, label: \"Administrator\"}", "{id: bestuur, label: \"Board\"}")],
        "option 'bestuurder' of profile question 'rol' is in mini.nl.yaml but missing here",
        ["bestuurder", "bestuur"], "id: bestuur,", id="renamed option",
    ),
    pytest.param(
        [('  y: {label: "Urgency", lessons: [urgentie]}',
          '  y: {label: "Urgency", lessons: [visie]}')],
        "quadrant.y.lessons is [visie] here but [urgentie] in mini.nl.yaml", [None],
        "[visie]", id="quadrant axis",
    ),
    pytest.param(
        [(', hint: "Name one point."}', "}")],
        "open question 'kracht': hint is in mini.nl.yaml but missing here; add its "
        "translation", ["kracht"], "id: kracht", id="missing hint",
    ),
    pytest.param(
        # Both lessons share this report through a YAML anchor, so both are one text long.
        [('questions: ["Why do we cooperate?", "Who feels the urgency?"]',
          'questions: ["Why do we cooperate?", "Who feels it?", "Who not?"]')],
        "lesson 'urgentie': report.questions has 3 texts here but 2 in mini.nl.yaml; "
        "translate each of them, in the same order", ["urgentie", "visie"], "Who not?",
        id="extra conversation question",
    ),
]


@pytest.mark.parametrize(("edits", "message", "item_ids", "line_needle"), MISMATCHES)
def test_the_rule_names_file_line_item_and_fix(tmp_path, edits, message, item_ids, line_needle):
    english = edited(MINI_EN, *edits)
    dutch_path, english_path = write_pair(tmp_path, english)
    errors = translation_problems({dutch_path: load_questionnaire(dutch_path),
                                   english_path: load_questionnaire(english_path)})
    assert [error.path for error in errors] == [str(english_path)]
    problems = errors[0].problems
    assert [problem.item_id for problem in problems] == item_ids
    assert message in problems[0].message
    assert problems[0].line == line_of(english, line_needle)


def test_lessons_in_another_order_give_one_problem_naming_the_order():
    source = parse_questionnaire(MINI_NL)
    english = parse_questionnaire(MINI_EN)
    swapped = english.model_copy(update={"lessons": english.lessons[::-1]})
    [mismatch] = structural_mismatches(source, swapped, "mini.nl.yaml")
    assert mismatch.message == (
        "the lessons are in another order than in mini.nl.yaml: 'visie' is where 'urgentie' "
        "should be; use the order 'urgentie', 'visie'")
    assert (mismatch.loc, mismatch.item_id) == (("lessons", 0), "visie")


def test_a_missing_quadrant_is_one_problem():
    source = parse_questionnaire(MINI_NL)
    translation = parse_questionnaire(MINI_EN).model_copy(update={"quadrant": None})
    [mismatch] = structural_mismatches(source, translation, "mini.nl.yaml")
    assert mismatch.message == ("quadrant is in mini.nl.yaml but missing here; copy it and "
                                "translate its texts")


def test_several_problems_are_all_reported_in_file_order(tmp_path):
    english = edited(
        MINI_EN,
        ("minimum: 1.5", "minimum: 2.0"),
        ('        text: "Everyone stands up for themselves."\n        reverse: true\n',
         '        text: "Everyone stands up for themselves."\n'),
        ('      - id: visie-1\n', '      - id: visie-9\n'),
    )
    dutch_path, english_path = write_pair(tmp_path, english)
    [error] = translation_problems({dutch_path: load_questionnaire(dutch_path),
                                    english_path: load_questionnaire(english_path)})
    assert [p.item_id for p in error.problems] == ["aandacht", "urgentie-2", "visie-1", "visie-9"]
    lines = [p.line for p in error.problems]
    assert lines == sorted(lines)


def test_the_dutch_file_is_the_source_whatever_the_order_of_the_paths(tmp_path):
    english = edited(MINI_EN, ("minimum: 1.5", "minimum: 2.0"))
    dutch_path = tmp_path / "b.nl.yaml"
    english_path = tmp_path / "a.en.yaml"
    dutch_path.write_text(MINI_NL, encoding="utf-8")
    english_path.write_text(english, encoding="utf-8")
    [error] = translation_problems({english_path: load_questionnaire(english_path),
                                    dutch_path: load_questionnaire(dutch_path)})
    assert error.path == str(english_path)
    assert "but 1.5 in b.nl.yaml" in error.problems[0].message


def test_questionnaires_with_other_ids_are_not_compared(tmp_path):
    other = edited(MINI_EN, ("id: mini\n", "id: ander\n"), ("minimum: 1.5", "minimum: 2.0"))
    dutch_path, english_path = write_pair(tmp_path, other)
    assert translation_problems({dutch_path: load_questionnaire(dutch_path),
                                 english_path: load_questionnaire(english_path)}) == []


# -- where the rule is applied ----------------------------------------------------------------


def test_load_directory_refuses_a_translation_that_does_not_match(tmp_path):
    english = edited(MINI_EN, ('      - id: visie-1\n', '      - id: visie-2\n'))
    _dutch_path, english_path = write_pair(tmp_path, english)
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    assert caught.value.path == str(english_path)
    assert str(caught.value).startswith(
        f"{english_path}:{line_of(english, 'id: visie-2')}: [visie-1] statement 'visie-1' of "
        "lesson 'visie' is in mini.nl.yaml but missing here"
    )
    assert [p.item_id for p in caught.value.problems] == ["visie-1", "visie-2"]
    assert "(and 1 more problem)" in str(caught.value)


def test_load_directory_accepts_a_matching_translation(tmp_path):
    write_pair(tmp_path, MINI_EN)
    assert sorted(load_directory(tmp_path)) == [("mini", "en"), ("mini", "nl")]


def test_lint_reports_the_translation_instead_of_ok(tmp_path):
    english = edited(MINI_EN, ("minimum: 1.5", "minimum: 2.0"))
    dutch_path, english_path = write_pair(tmp_path, english)
    ok, problems = lint([dutch_path, english_path])
    assert ok == [f"{dutch_path}: ok (mini 1.0, nl: 2 lessons, 4 statements)"]
    assert problems == [
        f"{english_path}:{line_of(english, 'id: aandacht')}: [aandacht] band 'aandacht': "
        "minimum is 2.0 here but 1.5 in mini.nl.yaml; a translation keeps it: write 1.5"
    ]


def test_lint_names_file_and_line_of_an_english_advice_text_missing_for_a_state(tmp_path):
    english = edited(MINI_EN, (' no_majority: "Find out why.",', ""))
    dutch_path, english_path = write_pair(tmp_path, english)
    ok, problems = lint([dutch_path, english_path])
    assert ok == [f"{dutch_path}: ok (mini 1.0, nl: 2 lessons, 4 statements)"]
    # Both lessons share the report through a YAML anchor: both miss the text.
    line = line_of(english, 'zorg: {agreed_falls_short: "Start small."')
    assert [problem.split(" the advice")[0] for problem in problems] == [
        f"{english_path}:{line}: [urgentie] lessons.0.report.advice.zorg.no_majority:",
        f"{english_path}:{line}: [visie] lessons.1.report.advice.zorg.no_majority:",
    ]


def test_lint_module_exits_1_and_prints_the_problem(tmp_path, capsys):
    english = edited(MINI_EN, ('        reverse: true\n', ""))
    dutch_path, english_path = write_pair(tmp_path, english)
    assert main([str(dutch_path), str(english_path)]) == 1
    out, err = capsys.readouterr()
    assert f"{dutch_path}: ok" in out
    assert str(english_path) not in out
    assert f"{english_path}:" in err
    assert "[urgentie-2] statement 'urgentie-2': reverse is false here" in err


def test_lint_module_checks_the_product_files_by_default(capsys):
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert f"{ENGLISH_FILE}: ok (tien-lessen 1.0, en: 10 lessons, 46 statements)" in out
    assert f"{DUTCH_FILE}: ok (tien-lessen 1.0, nl: 10 lessons, 46 statements)" in out
    assert err == ""
