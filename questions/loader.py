"""Load questionnaire files: YAML text → validated :class:`Questionnaire`, or clear errors.

Every error names the file, the line where it can be found, the item id where there is
one, and what to do about it. Files are read with ``yaml.safe_load`` semantics and a size
limit; nothing in a file is followed (no includes, paths or URLs).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from questions.schema import Questionnaire
from questions.translations import Mismatch, pick_source, structural_mismatches

#: A questionnaire is a few dozen kilobytes; anything far larger is not one.
MAX_FILE_BYTES = 512 * 1024

#: libyaml's loader where PyYAML was built with it (ten times faster), the same rules either way.
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Where the product's own questionnaires live.
CONTENT_DIR = Path(__file__).resolve().parent


class QuestionnaireError(Exception):
    """A questionnaire file cannot be used; ``problems`` lists every reason found."""

    def __init__(self, path: Path | str, problems: Iterable[Problem]) -> None:
        self.path = str(path)
        self.problems = tuple(problems)
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The first problem, prefixed with the file name, plus a count of the rest."""
        first = self.problems[0].describe(self.path) if self.problems else self.path
        more = len(self.problems) - 1
        return first + (f" (and {more} more problem{'s' * (more > 1)})" if more > 0 else "")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where, which item, and what to change."""

    message: str
    line: int | None = None
    item_id: str | None = None

    def describe(self, path: str) -> str:
        """``path:line: [item] message``, as editors and linters print it."""
        place = f"{path}:{self.line}" if self.line else path
        item = f" [{self.item_id}]" if self.item_id else ""
        return f"{place}:{item} {self.message}"


def load_questionnaire(path: Path | str) -> Questionnaire:
    """Read and validate one questionnaire file; raise :class:`QuestionnaireError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise QuestionnaireError(path, [Problem(f"cannot read the file: {exc.strerror}")]) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise QuestionnaireError(
            path, [Problem(f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; split it")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem("the file is not UTF-8; save it as UTF-8")
        raise QuestionnaireError(path, [problem]) from exc
    return parse_questionnaire(text, path)


@functools.lru_cache(maxsize=32)
def parse_questionnaire(text: str, path: Path | str = "<text>") -> Questionnaire:
    """Validate questionnaire YAML text; ``path`` only names it in errors.

    A questionnaire is frozen, so the same text parses once per process: every app made
    in a process (the tests make hundreds) shares it.
    """
    try:
        node, data = _compose_and_construct(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise QuestionnaireError(
            path, [Problem(f"this is not valid YAML: {reason}; check indentation", line)]
        ) from exc
    if not isinstance(data, dict) or node is None:
        raise QuestionnaireError(
            path, [Problem("the file must be a mapping with keys such as id, version, lessons")]
        )
    duplicates = list(_duplicate_keys(node))
    if duplicates:
        raise QuestionnaireError(path, duplicates)
    try:
        questionnaire = Questionnaire.model_validate(data, context={"defer_references": True})
    except ValidationError as exc:
        raise QuestionnaireError(path, list(_schema_problems(exc, node, data))) from exc
    problems = [
        Problem(p.message, _line_of(node, p.loc), _item_id(data, p.loc))
        for p in (*questionnaire.reference_problems(), *questionnaire.advice_problems())
    ]
    if problems:
        raise QuestionnaireError(path, problems)
    return questionnaire


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and its plain data, from one parse."""
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def load_directory(directory: Path | str = CONTENT_DIR) -> dict[tuple[str, str], Questionnaire]:
    """Every ``*.yaml`` questionnaire in a directory, keyed by (id, language).

    Raises :class:`QuestionnaireError` for the first broken file, when two files claim
    the same id and language, or when a translation does not match its source (see
    :func:`translation_problems`).
    """
    found: dict[tuple[str, str], Questionnaire] = {}
    origin: dict[tuple[str, str], Path] = {}
    paths = sorted(Path(directory).glob("*.yaml"))
    if not paths:
        raise QuestionnaireError(
            directory, [Problem("no questionnaire files (*.yaml) here; check QUESTIONS_DIR")]
        )
    for path in paths:
        questionnaire = load_questionnaire(path)
        key = (questionnaire.id, questionnaire.language)
        if key in found:
            raise QuestionnaireError(
                path,
                [Problem(f"{origin[key].name} already defines questionnaire '{key[0]}' in "
                         f"language '{key[1]}'; give one of them another id", None, key[0])],
            )
        found[key], origin[key] = questionnaire, path
    mismatched = translation_problems({origin[key]: found[key] for key in found})
    if mismatched:
        raise mismatched[0]
    return found


def translation_problems(loaded: Mapping[Path, Questionnaire]) -> list[QuestionnaireError]:
    """One error per translation whose structure differs from its source, in path order.

    Questionnaires with the same id are one questionnaire in several languages; the Dutch
    one is the source (else the first path). A translation must have the source's version,
    ids, order, scale values, scoring attributes and thresholds; only its wording differs.
    Each error names the translation's file, the line and id, and what to change.
    """
    by_id: dict[str, list[tuple[Path, Questionnaire]]] = {}
    for path, questionnaire in sorted(loaded.items()):
        by_id.setdefault(questionnaire.id, []).append((path, questionnaire))
    errors: list[QuestionnaireError] = []
    for versions in by_id.values():
        source_path, source = versions[pick_source([q for _path, q in versions])]
        for path, translation in versions:
            if translation.language == source.language:
                continue  # the source itself, or a duplicate that load_directory refuses
            mismatches = _compared_once(source, translation, source_path.name)
            if mismatches:
                node, data = _document(path)
                errors.append(QuestionnaireError(path, [
                    Problem(m.message, _line_of(node, m.loc) if node is not None else None,
                            m.item_id or _item_id(data, m.loc))
                    for m in mismatches
                ]))
    return sorted(errors, key=lambda error: error.path)


#: Comparisons made in this process, each kept with the two questionnaires it compared.
_COMPARED: dict[tuple[int, int, str], tuple[Questionnaire, Questionnaire, list[Mismatch]]] = {}


def _compared_once(source: Questionnaire, translation: Questionnaire,
                   source_name: str) -> list[Mismatch]:
    """:func:`structural_mismatches`, compared once per process for the same two objects.

    Questionnaires are frozen and the same text parses to the same object
    (:func:`parse_questionnaire`), so every app made in a process (the tests make thousands)
    shares one comparison instead of walking both questionnaires again.
    """
    key = (id(source), id(translation), source_name)
    known = _COMPARED.get(key)
    if known is None or known[0] is not source or known[1] is not translation:
        if len(_COMPARED) >= 64:
            _COMPARED.clear()
        known = _COMPARED[key] = (source, translation,
                                  structural_mismatches(source, translation, source_name))
    return known[2]


def _document(path: Path) -> tuple[yaml.Node | None, Any]:
    """The YAML tree and data of a file that loaded before, to place problems on lines."""
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None, None  # changed or gone since it loaded: the problems keep their ids


def content_hash(questionnaire: Questionnaire) -> str:
    """SHA-256 of the questionnaire's canonical JSON: equal content, equal hash."""
    return hashlib.sha256(snapshot_json(questionnaire).encode("utf-8")).hexdigest()


def snapshot_json(questionnaire: Questionnaire) -> str:
    """Canonical JSON of a questionnaire, to freeze it with an assessment."""
    return json.dumps(
        questionnaire.model_dump(mode="json"), sort_keys=True, ensure_ascii=False,
        separators=(",", ":"),
    )


def from_snapshot(snapshot: str) -> Questionnaire:
    """The questionnaire frozen in a snapshot made by :func:`snapshot_json`.

    A snapshot frozen before the advice had agreement states is upgraded first (see
    :func:`_upgrade_advice`); the states it has no text for get the report's generic advice.
    So is one frozen before the file marked the grouping question or the role question (see
    :func:`_upgrade_marks`).
    """
    try:
        data = json.loads(snapshot)
    except ValueError:
        return Questionnaire.model_validate_json(snapshot)  # the schema's own error for it
    for lesson in data.get("lessons", ()) if isinstance(data, dict) else ():
        advice = lesson.get("report", {}).get("advice") if isinstance(lesson, dict) else None
        if isinstance(advice, dict):
            _upgrade_advice(advice)
    if isinstance(data, dict) and isinstance(data.get("profile"), list):
        _upgrade_marks(data["profile"])
    return Questionnaire.model_validate(data)


#: Which agreement state an old "agreed" text (written for "not divided") was written for,
#: per band. "Sterk" and agreed meant that it works, "zorg" and agreed that it falls short,
#: "aandacht" and agreed a middle judgement: claims those texts make, true only there.
_OLD_AGREED_STATE = {
    "sterk": "agreed_works", "aandacht": "no_majority", "zorg": "agreed_falls_short"}


def _upgrade_advice(advice: dict[str, Any]) -> None:
    """Move an old band advice's "agreed" text to the one state it was written for."""
    for band, state in _OLD_AGREED_STATE.items():
        texts = advice.get(band)
        if isinstance(texts, dict) and "agreed" in texts:
            agreed = texts.pop("agreed")
            texts.setdefault(state, agreed)


#: The profile questions the code named by id before a questionnaire marked them itself:
#: mark → the question's id then (the grouping question, the role question).
_OLD_MARKED_QUESTIONS = {"groups_respondents": "organisatietype", "respondent_role": "rol"}


def _upgrade_marks(profile: list[Any]) -> None:
    """Mark the old grouping and role questions in a profile frozen before their marks.

    A snapshot made since a mark has it on every profile question (false where it does not
    apply), so only a profile without the mark anywhere is changed.
    """
    questions = [q for q in profile if isinstance(q, dict)]
    for mark, old_id in _OLD_MARKED_QUESTIONS.items():
        if any(mark in question for question in questions):
            continue
        for question in questions:
            if question.get("id") == old_id:
                question[mark] = True


# -- error translation -------------------------------------------------------------------

_FIXES = {
    "missing": "add it",
    "extra_forbidden": "remove it, or check its spelling",
    "bool_type": "write true or false",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' or '_', starting with a letter",
    "too_short": "add at least one item",
    "literal_error": "use one of the allowed values",
    "string_too_short": "write a text",
}


def _schema_problems(
    exc: ValidationError, node: yaml.Node, data: dict[str, Any]
) -> Iterator[Problem]:
    errors = exc.errors(include_url=False)
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "too_short" and any(
            len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc
            for other in errors
        ):
            continue  # a list is short only because its broken items were reported already
        where = ".".join(str(part) for part in loc) or "the file"
        fix = _FIXES.get(error["type"])
        if error["type"] == "too_short":
            fix = f"give at least {error.get('ctx', {}).get('min_length', 1)}"
        message = f"{where}: {error['msg']}" + (f"; {fix}" if fix else "")
        if error["type"] == "bool_type" and loc and loc[-1] == "reverse":
            message = f"{where}: reverse must be true or false, not {error['input']!r}"
        yield Problem(message, _line_of(node, loc), _item_id(data, loc))


def _duplicate_keys(node: yaml.Node) -> Iterator[Problem]:
    """Keys given twice in one mapping: YAML keeps the last silently, we refuse both."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = getattr(key, "value", None)
            if isinstance(name, str) and name in seen:
                yield Problem(f"the key '{name}' appears twice here; keep one",
                              key.start_mark.line + 1)
            if isinstance(name, str):
                seen.add(name)
            yield from _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item)


def _walk(node: yaml.Node, loc: tuple[str | int, ...]) -> Iterator[yaml.Node]:
    """The nodes along ``loc``, as far as the document has them."""
    current: yaml.Node | None = node
    for part in loc:
        if isinstance(current, yaml.MappingNode):
            current = next(
                (value for key, value in current.value if getattr(key, "value", None) == part),
                None,
            )
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            current = current.value[part] if 0 <= part < len(current.value) else None
        else:
            current = None
        if current is None:
            return
        yield current


def _line_of(node: yaml.Node, loc: tuple[str | int, ...]) -> int | None:
    deepest = node
    for deepest in _walk(node, loc):  # noqa: B007 - the last node reached is the answer
        pass
    return deepest.start_mark.line + 1


def _item_id(data: Any, loc: tuple[str | int, ...]) -> str | None:
    """The id of the innermost item on the path that has one."""
    found: str | None = None
    current = data
    for part in loc:
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(current, dict) and isinstance(current.get("id"), str):
            found = current["id"]
    return found
