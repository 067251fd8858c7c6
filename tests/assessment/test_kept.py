"""Values kept per process for frozen objects: found by the very objects, bounded."""

from __future__ import annotations

from collections.abc import Callable

from assessment.kept import Kept


class Frozen:
    """An object that stands for a parsed questionnaire: compared by identity only."""


def test_a_value_is_made_once_per_objects_and_detail() -> None:
    kept: Kept[list[str]] = Kept(limit=8)
    made: list[str] = []

    def make(name: str) -> Callable[[], list[str]]:
        def build() -> list[str]:
            made.append(name)
            return [name]
        return build

    first, second = Frozen(), Frozen()
    value = kept.get((first,), "nl", make("first nl"))
    assert kept.get((first,), "nl", make("again")) is value
    assert kept.get((first,), "en", make("first en")) == ["first en"]
    assert kept.get((second,), "nl", make("second nl")) == ["second nl"]
    assert made == ["first nl", "first en", "second nl"]


def test_an_object_with_the_id_of_a_gone_one_gets_a_value_of_its_own() -> None:
    kept: Kept[str] = Kept(limit=8)
    old = Frozen()
    kept.get((old,), None, lambda: "old")
    # What a recycled id would look like: the key matches, the object kept is another one.
    impostor = Frozen()
    key = next(iter(kept._values))
    kept._values[(tuple([id(impostor)]), key[1])] = kept._values.pop(key)
    assert kept.get((impostor,), None, lambda: "new") == "new"


def test_a_full_store_starts_again_empty() -> None:
    kept: Kept[int] = Kept(limit=2)
    sources = [Frozen() for _ in range(3)]
    for number, source in enumerate(sources):
        kept.get((source,), None, lambda number=number: number)
    assert len(kept._values) == 1
    assert kept.get((sources[2],), None, lambda: -1) == 2
    kept.clear()
    assert kept.get((sources[2],), None, lambda: -1) == -1
