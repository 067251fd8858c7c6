"""The rule that translations match: same questionnaire, same structure, other words.

A questionnaire exists once per language (``tien-lessen.nl.yaml``, ``tien-lessen.en.yaml``).
Answers, scores and earlier rounds are keyed by ids, and an assessment may compare with a
round held in another language, so a translation may change the wording and nothing else.
:func:`structural_mismatches` compares a translation with its source and lists every
difference in ids, order, scale values, scoring attributes and thresholds, each with the
place in the translation where it shows. Turning those places into file lines is the
loader's work (:func:`questions.loader.translation_problems`).

The comparison walks the two questionnaires' data side by side. Fields in
:data:`TRANSLATED_FIELDS` hold wording and only have to be present in both (and, for lists
of texts, as many); every other field must be equal. A new schema field is therefore
compared strictly until it is named here as wording.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from questions.schema import Questionnaire

#: The language translations are made from; its file is the source when there is one.
SOURCE_LANGUAGE = "nl"

#: Field names whose values are wording, which a translation changes.
TRANSLATED_FIELDS = frozenset({
    # questionnaire and participant texts
    "title", "intro_title", "intro", "privacy", "profile_intro", "context_intro",
    "open_intro", "comment_label", "thanks",
    # labels of scale points, non-valid answers, bands, options, axes and advice quadrants
    "label", "description", "keep", "talk", "improve", "share",
    # questions, statements and hints
    "short_title", "text", "hint",
    # report texts
    "meaning", "agreed_works", "agreed_falls_short", "no_majority", "divided", "questions",
    "information_gap", "introduction", "introduction_session_held",
    "introduction_session_held_undated", "introduction_session_pending", "quadrant_note",
    # key messages (next steps are items: their condition must match, their text is wording)
    "text_unscored", "text_groups",
})

#: Fields that differ between a source and its translation by definition.
_LANGUAGE_FIELDS = frozenset({"language"})

#: How a list's items are told apart: the first of these keys an item has.
_ITEM_KEYS = ("id", "code", "value")

#: What an item of a list is called in messages, by the list's field name.
_ITEM_KINDS = {
    "scales": "scale",
    "points": "scale point",
    "non_valid": "answer option",
    "bands": "band",
    "profile": "profile question",
    "options": "option",
    "lessons": "lesson",
    "context_blocks": "context block",
    "statements": "statement",
    "open_questions": "open question",
    "rules": "key message rule",
    "next_steps": "next step",
}

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Mismatch:
    """One structural difference, placed in the translation.

    ``loc`` is a path into the translation's data (as in pydantic errors), pointing at the
    item or list to change; ``item_id`` names the item concerned, also when it is missing
    from the translation and so has no place of its own.
    """

    loc: Loc
    message: str
    item_id: str | None = None


def structural_mismatches(
    source: Questionnaire, translation: Questionnaire, source_name: str = "the source"
) -> list[Mismatch]:
    """Every structural difference between a translation and its source, section by section.

    ``source_name`` (usually the source's file name) is used in the messages. Wording is
    not compared, only whether each text is there; the language may differ. Items that
    are in both files are compared in depth even when their order differs, so one
    misplaced item gives one message, not one per field.
    """
    walk = _Walk(source_name)
    walk.compare(
        source.model_dump(mode="python"), translation.model_dump(mode="python"), (), None
    )
    return walk.found


def pick_source(versions: Sequence[Questionnaire]) -> int:
    """Which of several languages of one questionnaire is the source: Dutch, else the first."""
    for index, questionnaire in enumerate(versions):
        if questionnaire.language == SOURCE_LANGUAGE:
            return index
    return 0


def translated_texts(questionnaire: Questionnaire) -> Iterator[tuple[Loc, str]]:
    """Every text a translator translates, with its path into the questionnaire's data."""
    yield from _texts(questionnaire.model_dump(mode="python"), ())


def _texts(data: Any, loc: Loc, translated: bool = False) -> Iterator[tuple[Loc, str]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _texts(value, (*loc, key), key in TRANSLATED_FIELDS)
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            yield from _texts(value, (*loc, index), translated)
    elif translated and isinstance(data, str):
        yield loc, data


#: The innermost item a value belongs to: what it is called, its key (id, code or scale
#: value) as written, and the id to name in problems (a scale point is named by its scale).
Item = tuple[str, str, str | None]


class _Walk:
    """The side-by-side walk; collects mismatches in the order they are found."""

    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self.found: list[Mismatch] = []

    def report(self, loc: Loc, message: str, item: Item | None) -> None:
        self.found.append(Mismatch(loc, message, item[2] if item else None))

    def compare(self, source: Any, translation: Any, loc: Loc, item: Item | None) -> None:
        """Compare two values at ``loc``; ``item`` is the innermost item they belong to."""
        if isinstance(source, Mapping) and isinstance(translation, Mapping):
            self._compare_mappings(source, translation, loc, item)
        elif _is_item_list(source) and _is_item_list(translation):
            self._compare_items(source, translation, loc, item)
        elif isinstance(source, Mapping | list | tuple) and translation is None:
            self.report(loc[:-1], f"{_where(item)}{_field_name(loc)} is in {self.source_name} "
                        "but missing here; copy it and translate its texts", item)
        elif source is None and isinstance(translation, Mapping | list | tuple):
            self.report(loc, f"{_where(item)}{_field_name(loc)} is not in {self.source_name}; "
                        f"remove it here, or add it to {self.source_name} first", item)
        elif source != translation:
            fix = _yaml(source)
            self.report(loc, f"{_where(item)}{_field_name(loc)} is {_yaml(translation)} here "
                        f"but {fix} in {self.source_name}; a translation keeps it: write {fix}",
                        item)

    def _compare_mappings(
        self, source: Mapping[str, Any], translation: Mapping[str, Any], loc: Loc,
        item: Item | None,
    ) -> None:
        keys = [*source, *(key for key in translation if key not in source)]
        for key in keys:
            if key in _LANGUAGE_FIELDS:
                continue
            here = (*loc, key)
            if key in TRANSLATED_FIELDS:
                self._compare_wording(source.get(key), translation.get(key), here, item)
            else:
                self.compare(source.get(key), translation.get(key), here, item)

    def _compare_wording(
        self, source: Any, translation: Any, loc: Loc, item: Item | None
    ) -> None:
        name = f"{_where(item)}{_field_name(loc)}"
        if source is not None and translation is None:
            self.report(loc[:-1], f"{name} is in {self.source_name} but missing here; add its "
                        "translation", item)
        elif source is None and translation is not None:
            self.report(loc, f"{name} is not in {self.source_name}; remove it here, or add it "
                        f"to {self.source_name} first", item)
        elif isinstance(source, list | tuple) and isinstance(translation, list | tuple) and (
                len(source) != len(translation)):
            self.report(loc, f"{name} has {len(translation)} texts here but {len(source)} in "
                        f"{self.source_name}; translate each of them, in the same order", item)

    def _compare_items(
        self, source: Sequence[Mapping[str, Any]], translation: Sequence[Mapping[str, Any]],
        loc: Loc, item: Item | None,
    ) -> None:
        field = str(loc[-1]) if loc else "items"
        kind = _ITEM_KINDS.get(field, field)
        within = f" of {_describe(item)}" if item else ""
        source_keys = [_key_of(entry) for entry in source]
        translation_keys = [_key_of(entry) for entry in translation]
        def child(key: Any) -> Item:
            named = key if isinstance(key, str) else (item[2] if item else None)
            return kind, str(key), named

        for position, key in enumerate(source_keys):
            if key not in translation_keys:
                after = (f" (after {kind} {_quote(source_keys[position - 1])})" if position
                         else " (as the first one)")
                self.report(loc, f"{kind} {_quote(key)}{within} is in {self.source_name} but "
                            f"missing here; add its translation{after}", child(key))
        for position, key in enumerate(translation_keys):
            if key not in source_keys:
                self.report((*loc, position), f"{kind} {_quote(key)}{within} is not in "
                            f"{self.source_name}; remove it here, or add it to "
                            f"{self.source_name} first", child(key))
        shared_source = [key for key in source_keys if key in translation_keys]
        shared_translation = [key for key in translation_keys if key in source_keys]
        if shared_source != shared_translation:
            first = next(i for i, (theirs, ours) in enumerate(
                zip(shared_source, shared_translation, strict=True)) if theirs != ours)
            misplaced = shared_translation[first]
            self.report(
                (*loc, translation_keys.index(misplaced)),
                f"the {field}{within} are in another order than in {self.source_name}: "
                f"{_quote(misplaced)} is where {_quote(shared_source[first])} should be; "
                f"use the order {', '.join(_quote(key) for key in shared_source)}",
                child(misplaced),
            )
        for key in shared_source:
            position = translation_keys.index(key)
            self.compare(source[source_keys.index(key)], translation[position],
                         (*loc, position), child(key))


def _is_item_list(value: Any) -> bool:
    """A list whose entries are items told apart by an id, code or value (or no entries)."""
    return isinstance(value, list | tuple) and all(
        isinstance(entry, Mapping) and any(key in entry for key in _ITEM_KEYS)
        for entry in value
    )


def _key_of(entry: Mapping[str, Any]) -> Any:
    return next(entry[key] for key in _ITEM_KEYS if key in entry)


def _describe(item: Item) -> str:
    kind, key, _named = item
    return f"{kind} {_quote(key) if not key.isdigit() else key}"


def _where(item: Item | None) -> str:
    return f"{_describe(item)}: " if item else ""


def _field_name(loc: Loc) -> str:
    """The field at ``loc`` as a dotted path from its item (``report.advice.zorg.no_majority``)."""
    last_index = max((i for i, part in enumerate(loc) if isinstance(part, int)), default=-1)
    return ".".join(str(part) for part in loc[last_index + 1:]) or "the file"


def _quote(key: Any) -> str:
    return f"'{key}'" if isinstance(key, str) else str(key)


def _yaml(value: Any) -> str:
    """A value as the author writes it in YAML."""
    if value is None:
        return "nothing (leave the field out)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(v if isinstance(v, str) else _yaml(v) for v in value) + "]"
    return str(value)
