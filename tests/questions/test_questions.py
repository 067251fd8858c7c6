"""The questionnaire loader and linter: the product file, a small inline file, broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from questions.lint import lint
from questions.loader import (
    CONTENT_DIR,
    MAX_FILE_BYTES,
    QuestionnaireError,
    content_hash,
    from_snapshot,
    load_directory,
    load_questionnaire,
    parse_questionnaire,
    snapshot_json,
)
from tests.helpers import TEST_DATA, edited, line_of

PRODUCT_FILE = CONTENT_DIR / "tien-lessen.nl.yaml"

#: A small but complete questionnaire: two lessons, one context block, a quadrant.
MINI = """\
id: mini
version: "1.0"
language: nl
title: "Mini"
texts:
  intro_title: "Welkom"
  intro: "Een korte scan."
  duration_minutes: 5
  privacy: "Anoniem."
  profile_intro: "Over u."
  context_intro: "Context."
  open_intro: "Open vragen."
  comment_label: "Toelichting"
  thanks: "Dank u."
default_scale: eens3
scales:
  - id: eens3
    points:
      - value: 1
        label: "Oneens"
      - value: 2
        label: "Neutraal"
      - value: 3
        label: "Eens"
    non_valid:
      - code: weet_niet
        label: "Weet ik niet"
bands:
  - id: sterk
    label: "Sterk"
    minimum: 2.5
    description: "Gaat goed."
  - id: aandacht
    label: "Aandacht"
    minimum: 1.5
    description: "Gaat deels goed."
  - id: zorg
    label: "Zorg"
    description: "Zwak punt."
profile:
  - id: rol
    label: "Uw rol?"
    options:
      - id: bestuurder
        label: "Bestuurder"
      - id: ambtenaar
        label: "Ambtenaar"
lessons:
  - id: urgentie
    title: "Urgentie"
    short_title: "Urgent"
    intro: "Waarom samen?"
    statements:
      - id: urgentie-1
        text: "We weten waarom we samenwerken."
      - id: urgentie-2
        text: "Ieder komt op voor zichzelf."
        reverse: true
    report:
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
    short_title: "Koers"
    intro: "Waarheen?"
    statements:
      - id: visie-1
        text: "We delen een beeld van de regio."
    report:
      meaning: "Een gedeelde koers."
      advice:
        sterk: {agreed_works: "Koers vasthouden.", divided: "Koers bespreken."}
        aandacht: {agreed_works: "Koers verbeteren.", no_majority: "Koers zoeken.",
                   divided: "Koers eerst bespreken."}
        zorg:
          agreed_falls_short: "Koers samen uitzetten."
          no_majority: "Koers eerst verkennen."
          divided: "Koers eerst delen."
      questions:
        - "Waar willen we heen?"
        - "Wat delen we al?"
      information_gap: "Deel de koers."
context_blocks:
  - id: welvaart
    title: "Welvaart"
    intro: "Hoe gaat het?"
    statements:
      - id: welvaart-1
        text: "Het gaat de regio goed."
open_questions:
  - id: kracht
    text: "Wat gaat goed?"
quadrant:
  x:
    label: "Welvaart"
    context_blocks: [welvaart]
  y:
    label: "Urgentie"
    lessons: [urgentie]
report:
  introduction: "Over dit rapport."
  quadrant_note: "Een eigen duiding."
  quadrants:
    high_high: {title: "Hoog en hoog", text: "Houd vast."}
    high_low: {title: "Hoog en laag", text: "Investeer."}
    low_high: {title: "Laag en hoog", text: "Geduld."}
    low_low:
      title: "Laag en laag"
      text: "Bouw op."
  advice_labels:
    keep: "Vasthouden"
    talk: "Bespreken"
    improve: "Verbeteren"
    share: "Delen"
  information_gap: "Veel mensen weten het niet."
  next_steps: ["Herhaal de scan."]
"""


def mini_yaml(*edits: tuple[str, str]) -> str:
    """The mini questionnaire with each (old, new) text edit applied; ``old`` must be unique."""
    return edited(MINI, *edits)


def parse_error(text: str) -> QuestionnaireError:
    """The error that parsing ``text`` raises."""
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text, "mini.nl.yaml")
    return caught.value


# -- the product file ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def product():
    return load_questionnaire(PRODUCT_FILE)


def test_product_file_has_the_ten_lessons_in_order(product):
    assert (product.id, product.language) == ("tien-lessen", "nl")
    assert [lesson.id for lesson in product.lessons] == [
        "urgentie", "visie", "leiderschap", "verhaal", "focus",
        "investeren", "cultuur", "partners", "rijk", "legitimiteit",
    ]


def test_product_lessons_have_about_four_statements_some_reversed(product):
    for lesson in product.lessons:
        assert 3 <= len(lesson.statements) <= 6, lesson.id
        assert all(s.id.startswith(f"{lesson.id}-") for s in lesson.statements), lesson.id
    reversed_ids = [s.id for lesson in product.lessons for s in lesson.statements if s.reverse]
    assert "urgentie-3" in reversed_ids
    assert 0 < len(reversed_ids) < len(product.statements())


def test_product_file_has_context_blocks_open_questions_and_quadrant(product):
    assert [block.id for block in product.context_blocks] == ["brede-welvaart", "investering"]
    assert len(product.open_questions) >= 1
    assert all(q.text for q in product.open_questions)
    assert product.quadrant is not None
    assert product.quadrant.x.context_blocks == ("brede-welvaart",)


def test_product_statement_ids_are_unique_and_stable(product):
    ids = [s.id for s in product.statements()]
    assert len(ids) == len(set(ids))
    assert ids[0] == "urgentie-1"
    assert {"urgentie-1", "visie-4", "legitimiteit-4", "investering-3"} <= set(ids)


def test_product_scale_is_five_points_with_non_valid_answers(product):
    scale = product.scale()
    assert (scale.minimum, scale.maximum) == (1, 5)
    assert scale.answer_codes() == ("1", "2", "3", "4", "5", "weet_niet", "nvt")


# -- a small valid file -------------------------------------------------------------------


def test_mini_questionnaire_loads():
    questionnaire = parse_questionnaire(MINI)
    assert questionnaire.id == "mini"
    assert [lesson.id for lesson in questionnaire.lessons] == ["urgentie", "visie"]
    assert [s.id for s in questionnaire.statements()] == [
        "urgentie-1", "urgentie-2", "visie-1", "welvaart-1"]
    assert questionnaire.lesson("urgentie").statements[1].reverse is True
    assert questionnaire.lesson("visie").statements[0].reverse is False
    assert questionnaire.statement_scale(questionnaire.statements()[0]).id == "eens3"


def test_mini_questionnaire_loads_from_a_file(tmp_path):
    path = tmp_path / "mini.nl.yaml"
    path.write_text(MINI, encoding="utf-8")
    assert load_questionnaire(path) == parse_questionnaire(MINI)


def test_statement_may_name_another_scale():
    text = mini_yaml(
        ("scales:\n", "scales:\n  - id: eens3b\n    points:\n      - value: 1\n"
                      "        label: \"a\"\n      - value: 2\n        label: \"b\"\n"
                      "      - value: 3\n        label: \"c\"\n"),
        ('text: "We delen een beeld van de regio."\n',
         'text: "We delen een beeld van de regio."\n        scale: eens3b\n'),
    )
    questionnaire = parse_questionnaire(text)
    assert questionnaire.statement_scale(questionnaire.lesson("visie").statements[0]).id == "eens3b"


# -- broken files: every problem says what, which item, and where --------------------------

BAND_BLOCK = """\
  - id: sterk
    label: "Sterk"
    minimum: 2.5
    description: "Gaat goed."
  - id: aandacht
    label: "Aandacht"
    minimum: 1.5
    description: "Gaat deels goed."
"""
BAND_BLOCK_SWAPPED = """\
  - id: aandacht
    label: "Aandacht"
    minimum: 1.5
    description: "Gaat deels goed."
  - id: sterk
    label: "Sterk"
    minimum: 2.5
    description: "Gaat goed."
"""
VISIE_STATEMENTS = """\
    statements:
      - id: visie-1
        text: "We delen een beeld van de regio."
"""

SECOND_GROUPING_QUESTION = """\
  - id: sector
    label: "Uw sector?"
    groups_respondents: True
    options:
      - id: publiek
        label: "Publiek"
      - id: privaat
        label: "Privaat"
"""

# (case id, edits, words the message must contain, expected item id, text on the expected line)
BROKEN = [
    ("duplicate-statement-id",
     [("- id: visie-1", "- id: urgentie-1  # dubbel")],
     ["duplicate statement id 'urgentie-1'"], "urgentie-1", "urgentie-1  # dubbel"),
    ("duplicate-lesson-id",
     [("  - id: visie\n", "  - id: urgentie  # dubbel\n")],
     ["duplicate lesson id 'urgentie'"], "urgentie", "urgentie  # dubbel"),
    ("unknown-lesson-in-quadrant",
     [("lessons: [urgentie]", "lessons: [ambitie]")],
     ["quadrant axis y", "unknown lesson 'ambitie'"], None, "lessons: [ambitie]"),
    ("unknown-context-block-in-quadrant",
     [("context_blocks: [welvaart]", "context_blocks: [kansen]")],
     ["quadrant axis x", "unknown context block 'kansen'"], None, "context_blocks: [kansen]"),
    ("statement-without-text",
     [('        text: "We delen een beeld van de regio."\n', "")],
     ["lessons.1.statements.0.text", "Field required"], "visie-1", "- id: visie-1"),
    ("statement-with-empty-text",
     [('text: "We delen een beeld van de regio."', 'text: ""')],
     ["lessons.1.statements.0.text", "write a text"], "visie-1", 'text: ""'),
    ("scale-point-without-label",
     [('        label: "Neutraal"\n', "")],
     ["scales.0.points.1.label", "Field required"], "eens3", "- value: 2"),
    ("profile-option-without-label",
     [('        label: "Ambtenaar"\n', "")],
     ["profile.0.options.1.label", "Field required"], "ambtenaar", "- id: ambtenaar"),
    ("reverse-ja",
     [("reverse: true", "reverse: ja")],
     ["reverse must be true or false", "'ja'"], "urgentie-2", "reverse: ja"),
    ("reverse-quoted-yes",
     [("reverse: true", 'reverse: "yes"')],
     ["reverse must be true or false", "'yes'"], "urgentie-2", 'reverse: "yes"'),
    ("unknown-scale-on-statement",
     [('text: "We delen een beeld van de regio."',
       'text: "We delen een beeld van de regio."\n        scale: eens7')],
     ["statement 'visie-1'", "unknown scale 'eens7'", "eens3"], "visie-1", "scale: eens7"),
    ("unknown-default-scale",
     [("default_scale: eens3", "default_scale: eens9")],
     ["default_scale 'eens9' is not a scale", "eens3"], None, "default_scale: eens9"),
    ("empty-lesson",
     [(VISIE_STATEMENTS, "    statements: []\n")],
     ["lessons.1.statements", "at least 1 item"], "visie", "statements: []"),
    ("unknown-key",
     [("reverse: true", "revers: true")],
     ["revers", "Extra inputs are not permitted", "check its spelling"], "urgentie-2",
     "revers: true"),
    ("reserved-page-name-as-lesson-id",
     [("  - id: visie\n", "  - id: overzicht\n")],
     ["lesson 'overzicht'", "name of a page"], "overzicht", "- id: overzicht"),
    ("bands-in-wrong-order",
     [(BAND_BLOCK, BAND_BLOCK_SWAPPED)],
     ["bands", "sterk, aandacht, zorg"], None, "- id: aandacht"),
    ("bands-minimum-not-descending",
     [("minimum: 2.5", "minimum: 1.0")],
     ["minimum of sterk must be above that of aandacht"], None, "- id: sterk"),
    ("id-with-capitals",
     [("- id: visie-1", "- id: Visie-1")],
     ["lessons.1.statements.0.id", "lower-case"], "Visie-1", "- id: Visie-1"),
    ("scale-points-out-of-order",
     [("- value: 2", "- value: 4")],
     ["scale 'eens3'", "1, 2, 3"], "eens3", "- id: eens3"),
    ("two-questions-group-respondents",
     [('    label: "Uw rol?"\n', '    label: "Uw rol?"\n    groups_respondents: true\n'),
      ("lessons:\n", SECOND_GROUPING_QUESTION + "lessons:\n")],
     ["profile question 'sector'", "only one question groups respondents", "'rol'"], "sector",
     "groups_respondents: True"),
    ("two-questions-ask-the-role",
     [('    label: "Uw rol?"\n', '    label: "Uw rol?"\n    respondent_role: true\n'),
      ("lessons:\n", SECOND_GROUPING_QUESTION.replace("groups_respondents", "respondent_role")
       + "lessons:\n")],
     ["profile question 'sector'", "only one question asks the respondent's role", "'rol'"],
     "sector", "respondent_role: True"),
    ("groups-respondents-not-a-boolean",
     [('    label: "Uw rol?"\n', '    label: "Uw rol?"\n    groups_respondents: ja\n')],
     ["profile.0.groups_respondents", "true or false"], "rol", "groups_respondents: ja"),
    ("invalid-yaml-indentation",
     [('    title: "Visie"\n', '     title: "Visie"\n')],
     ["not valid YAML", "indentation"], None, 'title: "Visie"'),
]


@pytest.mark.parametrize(
    ("edits", "words", "item_id", "at"),
    [pytest.param(*case[1:], id=case[0]) for case in BROKEN],
)
def test_broken_questionnaire_names_problem_item_and_line(edits, words, item_id, at):
    text = mini_yaml(*edits)
    error = parse_error(text)
    assert len(error.problems) == 1, error.problems
    problem = error.problems[0]
    for word in words:
        assert word in problem.message
    assert problem.item_id == item_id
    assert problem.line == line_of(text, at)
    assert error.path == "mini.nl.yaml"


def test_every_problem_in_a_file_is_reported():
    text = mini_yaml(
        ("    title: \"Visie\"\n", "    titel: \"Visie\"\n"),
        ("- id: welvaart-1", "- id: urgentie-1"),
    )
    error = parse_error(text)
    messages = sorted(p.message for p in error.problems)
    assert len(messages) == 2, messages
    assert "lessons.1.title: Field required; add it" in messages
    assert any(m.startswith("lessons.1.titel: Extra inputs") for m in messages)


def test_reference_problems_are_all_reported_together():
    text = mini_yaml(
        ("default_scale: eens3", "default_scale: eens9"),
        ("lessons: [urgentie]", "lessons: [ambitie]"),
    )
    error = parse_error(text)
    assert [(p.line, p.item_id) for p in error.problems] == [
        (line_of(text, "default_scale: eens9"), None),
        (line_of(text, "lessons: [ambitie]"), None),
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("- id: mini\n- version: '1.0'\n", id="a-list"),
        pytest.param("just a sentence\n", id="a-string"),
        pytest.param("", id="empty"),
        pytest.param("# only a comment\n", id="only-a-comment"),
    ],
)
def test_file_that_is_not_a_mapping(text):
    error = parse_error(text)
    assert [p.message for p in error.problems] == [
        "the file must be a mapping with keys such as id, version, lessons"]
    assert error.problems[0].line is None


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(b"id: mini\n" + b"#" * MAX_FILE_BYTES, "larger than 512 KiB", id="too-large"),
        pytest.param("id: caf\u00e9\n".encode("latin-1"), "not UTF-8", id="not-utf-8"),
        pytest.param(b"\xff\xfe\x00i\x00d", "not UTF-8", id="utf-16-bytes"),
    ],
)
def test_unreadable_file(tmp_path, content, words):
    path = tmp_path / "kapot.nl.yaml"
    path.write_bytes(content)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert len(caught.value.problems) == 1
    assert words in caught.value.problems[0].message
    assert caught.value.path == str(path)


def test_file_of_exactly_the_size_limit_is_read(tmp_path):
    padding = MAX_FILE_BYTES - len(MINI.encode("utf-8")) - 1
    path = tmp_path / "mini.nl.yaml"
    path.write_bytes(MINI.encode("utf-8") + b"#" + b"x" * padding)
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_questionnaire(path).id == "mini"


def test_missing_file(tmp_path):
    path = tmp_path / "bestaat-niet.nl.yaml"
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert "cannot read the file" in caught.value.problems[0].message
    assert str(path) in caught.value.one_line()


def test_invalid_yaml_reports_its_line():
    text = "id: mini\nlessons:\n  - id: a\n   title: b\n"
    error = parse_error(text)
    assert "not valid YAML" in error.problems[0].message
    assert error.problems[0].line == line_of(text, "title: b")


# -- the one-line summary -------------------------------------------------------------------


def test_one_line_names_file_line_and_item():
    text = mini_yaml(("reverse: true", "reverse: ja"))
    error = parse_error(text)
    line = line_of(text, "reverse: ja")
    assert error.one_line() == (
        f"mini.nl.yaml:{line}: [urgentie-2] lessons.0.statements.1.reverse: "
        "reverse must be true or false, not 'ja'"
    )
    assert str(error) == error.one_line()
    assert "\n" not in error.one_line()


def test_one_line_counts_the_other_problems():
    text = mini_yaml(
        ("default_scale: eens3", "default_scale: eens9"),
        ("lessons: [urgentie]", "lessons: [ambitie]"),
        ("context_blocks: [welvaart]", "context_blocks: [kansen]"),
    )
    summary = parse_error(text).one_line()
    assert summary.startswith(f"mini.nl.yaml:{line_of(text, 'default_scale: eens9')}: ")
    assert summary.endswith(" (and 2 more problems)")


def test_one_line_of_a_file_problem_names_the_path(tmp_path):
    path = tmp_path / "kapot.nl.yaml"
    path.write_bytes(b"\xff")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert caught.value.one_line() == f"{path}: the file is not UTF-8; save it as UTF-8"


# -- hashes and snapshots -----------------------------------------------------------------


def test_content_hash_is_stable_for_equal_content():
    reformatted = "# een opmerking verandert de inhoud niet\n" + MINI.replace(
        'title: "Mini"', "title: Mini")
    assert content_hash(parse_questionnaire(MINI)) == content_hash(parse_questionnaire(MINI))
    assert content_hash(parse_questionnaire(reformatted)) == content_hash(
        parse_questionnaire(MINI))
    assert len(content_hash(parse_questionnaire(MINI))) == 64


def test_content_hash_changes_when_a_statement_text_changes():
    changed = mini_yaml(("We delen een beeld van de regio.", "We delen een beeld."))
    assert content_hash(parse_questionnaire(changed)) != content_hash(parse_questionnaire(MINI))


def test_content_hash_changes_when_a_statement_is_reversed():
    changed = mini_yaml(("reverse: true", "reverse: false"))
    assert content_hash(parse_questionnaire(changed)) != content_hash(parse_questionnaire(MINI))


@pytest.mark.parametrize("source", ["mini", "product"])
def test_snapshot_round_trip(source, product):
    questionnaire = parse_questionnaire(MINI) if source == "mini" else product
    snapshot = snapshot_json(questionnaire)
    assert from_snapshot(snapshot) == questionnaire
    assert snapshot_json(from_snapshot(snapshot)) == snapshot
    assert content_hash(from_snapshot(snapshot)) == content_hash(questionnaire)


def test_snapshot_keeps_non_ascii_text_readable():
    text = mini_yaml(("Het gaat de regio goed.", "Het gaat de regio goed, één keer."))
    assert "één keer" in snapshot_json(parse_questionnaire(text))


# -- directories ----------------------------------------------------------------------------


def test_load_directory_of_the_product():
    found = load_directory()
    assert ("tien-lessen", "nl") in found
    assert found[("tien-lessen", "nl")] == load_questionnaire(PRODUCT_FILE)


def test_load_directory_keys_by_id_and_language(tmp_path):
    (tmp_path / "mini.nl.yaml").write_text(MINI, encoding="utf-8")
    (tmp_path / "mini.en.yaml").write_text(MINI.replace("language: nl", "language: en"),
                                           encoding="utf-8")
    (tmp_path / "notities.txt").write_text("geen vragenlijst", encoding="utf-8")
    assert sorted(load_directory(tmp_path)) == [("mini", "en"), ("mini", "nl")]


def test_load_directory_refuses_two_files_with_the_same_id_and_language(tmp_path):
    (tmp_path / "a.nl.yaml").write_text(MINI, encoding="utf-8")
    (tmp_path / "b.nl.yaml").write_text(MINI.replace('title: "Mini"', 'title: "Kopie"'),
                                        encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    error = caught.value
    assert error.path == str(tmp_path / "b.nl.yaml")
    assert "a.nl.yaml already defines questionnaire 'mini' in language 'nl'" in (
        error.problems[0].message)
    assert error.problems[0].item_id == "mini"


def test_load_directory_stops_at_a_broken_file(tmp_path):
    (tmp_path / "mini.nl.yaml").write_text(MINI, encoding="utf-8")
    (tmp_path / "kapot.nl.yaml").write_text(mini_yaml(("reverse: true", "reverse: ja")),
                                            encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    assert caught.value.path == str(tmp_path / "kapot.nl.yaml")


# -- the linter -----------------------------------------------------------------------------


def test_lint_reports_ok_for_a_good_file(tmp_path):
    path = tmp_path / "mini.nl.yaml"
    path.write_text(MINI, encoding="utf-8")
    ok, problems = lint([path])
    assert problems == []
    assert ok == [f"{path}: ok (mini 1.0, nl: 2 lessons, 4 statements)"]


def test_lint_of_the_product_file():
    ok, problems = lint([PRODUCT_FILE])
    assert problems == []
    assert ok == [f"{PRODUCT_FILE}: ok (tien-lessen 1.0, nl: 10 lessons, 46 statements)"]


def test_lint_gives_one_line_per_problem(tmp_path):
    text = mini_yaml(
        ("reverse: true", "reverse: ja"),
        ('        label: "Neutraal"\n', ""),
    )
    bad = tmp_path / "kapot.nl.yaml"
    bad.write_text(text, encoding="utf-8")
    good = tmp_path / "mini.nl.yaml"
    good.write_text(MINI, encoding="utf-8")
    ok, problems = lint([bad, good])
    assert ok == [f"{good}: ok (mini 1.0, nl: 2 lessons, 4 statements)"]
    assert sorted(problems) == sorted([
        f"{bad}:{line_of(text, '- value: 2')}: [eens3] scales.0.points.1.label: "
        "Field required; add it",
        f"{bad}:{line_of(text, 'reverse: ja')}: [urgentie-2] lessons.0.statements.1.reverse: "
        "reverse must be true or false, not 'ja'",
    ])


VISIE_REPORT = """\
    report:
      meaning: "Een gedeelde koers."
      advice:
        sterk: {agreed_works: "Koers vasthouden.", divided: "Koers bespreken."}
        aandacht: {agreed_works: "Koers verbeteren.", no_majority: "Koers zoeken.",
                   divided: "Koers eerst bespreken."}
        zorg:
          agreed_falls_short: "Koers samen uitzetten."
          no_majority: "Koers eerst verkennen."
          divided: "Koers eerst delen."
      questions:
        - "Waar willen we heen?"
        - "Wat delen we al?"
      information_gap: "Deel de koers."
"""


def line_reading(text: str, content: str) -> int:
    """The 1-based line that reads ``content`` apart from indentation; exactly one must."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == content]
    assert len(hits) == 1, f"{content!r} is on lines {hits}"
    return hits[0]


# (case id, edits, start of the problem after "path:line: ", words it must contain,
#  the line it must point to, without indentation)
MISSING_REPORT_TEXTS = [
    ("lesson-without-report",
     [(VISIE_REPORT, "")],
     "[visie] lessons.1.report: ", ["Field required"], "- id: visie"),
    ("lesson-without-one-advice-text",
     [('          divided: "Koers eerst delen."\n', "")],
     "[visie] lessons.1.report.advice.zorg.divided: ", ["Field required"],
     'agreed_falls_short: "Koers samen uitzetten."'),
    ("lesson-without-advice-for-one-agreement-state",
     [('          no_majority: "Koers eerst verkennen."\n', "")],
     "[visie] lessons.1.report.advice.zorg.no_majority: ",
     ["advice for band 'zorg'", "neither agreeing nor disagreeing answers are most",
      "is missing; add it"],
     'agreed_falls_short: "Koers samen uitzetten."'),
    ("lesson-with-only-the-old-agreed-text",
     [('          agreed_falls_short: "Koers samen uitzetten."\n'
       '          no_majority: "Koers eerst verkennen."\n',
       '          agreed: "Koers samen uitzetten."\n')],
     "[visie] lessons.1.report.advice.zorg.agreed: ", ["Extra inputs are not permitted"],
     'agreed: "Koers samen uitzetten."'),
    ("lesson-with-one-question",
     [('        - "Wat delen we al?"\n', "")],
     "[visie] lessons.1.report.questions: ", ["at least 2 items"], '- "Waar willen we heen?"'),
    ("lesson-without-short-title",
     [('    short_title: "Koers"\n', "")],
     "[visie] lessons.1.short_title: ", ["Field required"], "- id: visie"),
    ("lesson-with-too-long-short-title",
     [('short_title: "Koers"', 'short_title: "Koers voor de komende tien jaar"')],
     "[visie] lessons.1.short_title: ", ["at most 24 characters"],
     'short_title: "Koers voor de komende tien jaar"'),
    ("report-without-quadrant-text",
     [('      text: "Bouw op."\n', "")],
     "report.quadrants.low_low.text: ", ["Field required"], 'title: "Laag en laag"'),
]


@pytest.mark.parametrize(
    ("edits", "start", "words", "at"),
    [pytest.param(*case[1:], id=case[0]) for case in MISSING_REPORT_TEXTS],
)
def test_lint_names_the_lesson_and_place_of_a_missing_report_text(
    tmp_path, edits, start, words, at
):
    text = mini_yaml(*edits)
    path = tmp_path / "mini.nl.yaml"
    path.write_text(text, encoding="utf-8")
    ok, problems = lint([path])
    assert ok == []
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:{line_reading(text, at)}: {start}"), problems[0]
    for word in words:
        assert word in problems[0]


def test_lint_reports_a_missing_file(tmp_path):
    path = tmp_path / "bestaat-niet.yaml"
    ok, problems = lint([path])
    assert ok == []
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: cannot read the file")


def test_lint_checks_every_file_even_after_a_broken_one(tmp_path):
    paths = []
    for name in ("a.nl.yaml", "b.nl.yaml"):
        path = tmp_path / name
        path.write_text("- geen mapping\n", encoding="utf-8")
        paths.append(path)
    ok, problems = lint([*paths, Path(PRODUCT_FILE)])
    assert len(ok) == 1
    assert [p.split(":")[0] for p in problems] == [str(p) for p in paths]


def test_a_key_given_twice_is_refused_with_its_line():
    text = mini_yaml() + "\nid: other\n"
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text, "dup.yaml")
    problem = caught.value.problems[0]
    assert "'id' appears twice" in problem.message
    assert problem.line == len(text.splitlines())


def test_a_directory_without_questionnaires_is_refused(tmp_path):
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    assert "no questionnaire files" in caught.value.one_line()
    assert str(tmp_path) in caught.value.one_line()


# -- snapshots frozen before the agreement states -------------------------------------------


def test_an_old_snapshot_keeps_each_agreed_text_for_the_state_it_was_written_for():
    """Frozen at f4ee4e9, "agreed" meant "not divided" in every band."""
    old = json.loads((TEST_DATA / "content-snapshot-f4ee4e9.nl.json")
                     .read_text(encoding="utf-8"))
    questionnaire = from_snapshot(json.dumps(old, ensure_ascii=False))
    for lesson, before in zip(questionnaire.lessons, old["lessons"], strict=True):
        advice, texts = lesson.report.advice, before["report"]["advice"]
        assert advice.sterk.agreed_works == texts["sterk"]["agreed"]
        assert advice.aandacht.no_majority == texts["aandacht"]["agreed"]
        assert advice.zorg.agreed_falls_short == texts["zorg"]["agreed"]
        # Where the old text would claim too much, there is none: the report's generic one.
        assert advice.aandacht.agreed_works is None and advice.zorg.no_majority is None
        for band in ("sterk", "aandacht", "zorg"):
            assert getattr(advice, band).divided == texts[band]["divided"]
    assert questionnaire.advice_problems()  # as a file it would be incomplete


def test_an_old_snapshot_groups_respondents_by_the_organisation_type_as_before():
    """Frozen before the file marked it, the code grouped by "organisatietype"."""
    old = (TEST_DATA / "content-snapshot-f4ee4e9.nl.json").read_text(
        encoding="utf-8")
    assert "groups_respondents" not in old
    questionnaire = from_snapshot(old)
    assert questionnaire.grouping_question is not None
    assert questionnaire.grouping_question.id == "organisatietype"
    assert [q.id for q in questionnaire.profile if q.groups_respondents] == ["organisatietype"]


def test_an_old_snapshot_asks_the_role_by_rol_as_before(product):
    """Frozen before the file marked it, the code took the role from "rol"."""
    old = from_snapshot((TEST_DATA / "content-snapshot-f4ee4e9.nl.json").read_text(
        encoding="utf-8"))
    assert old.role_question is not None and old.role_question.id == "rol"
    # Frozen after the grouping mark but before the role mark: the role is upgraded alone.
    data = json.loads(snapshot_json(product))
    for question in data["profile"]:
        del question["respondent_role"]
    between = from_snapshot(json.dumps(data))
    assert [q.id for q in between.profile if q.respondent_role] == ["rol"]
    assert between.grouping_question == product.grouping_question


def test_a_new_snapshot_without_a_role_question_stays_so(product):
    roleless = product.model_copy(update={"profile": tuple(
        q.model_copy(update={"respondent_role": False}) for q in product.profile)})
    assert from_snapshot(snapshot_json(roleless)).role_question is None
    assert product.role_question is not None and product.role_question.id == "rol"


def test_a_new_snapshot_that_groups_nobody_stays_so(product):
    ungrouped = product.model_copy(update={"profile": tuple(
        q.model_copy(update={"groups_respondents": False}) for q in product.profile)})
    assert from_snapshot(snapshot_json(ungrouped)).grouping_question is None
    assert from_snapshot(snapshot_json(product)).grouping_question == product.grouping_question


def test_the_product_groups_respondents_by_organisation_type(product):
    assert product.grouping_question is not None
    assert product.grouping_question.id == "organisatietype"
    assert product.group_labels()["gemeente"] == "Gemeente"


def test_a_questionnaire_may_group_nobody():
    questionnaire = parse_questionnaire(mini_yaml())
    assert questionnaire.grouping_question is None and questionnaire.group_labels() == {}


def test_a_snapshot_that_is_not_json_is_still_a_schema_error():
    with pytest.raises(ValidationError):
        from_snapshot("{not json")
