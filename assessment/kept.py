"""Values made once per process for objects that never change, found by those objects.

A participant's request needs things made from the frozen questionnaire (its pages, a page's
form class): the same for every request on that questionnaire, and dearer to make than to
find. They are kept here, keyed by the identity of the objects they were made from. The
objects are kept beside the value, so that an id is never reused for another object while
its value is here, and a value is handed out only for the very objects it was made from.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Kept(Generic[Value]):
    """At most ``limit`` values, each for a tuple of objects and a hashable detail.

    When full, it starts again empty: a process sees a handful of questionnaires, so the
    limit only bounds memory after many imports or tests.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: dict[tuple[tuple[int, ...], Hashable],
                           tuple[tuple[object, ...], Value]] = {}

    def get(self, sources: tuple[object, ...], detail: Hashable,
            make: Callable[[], Value]) -> Value:
        """The value kept for ``sources`` and ``detail``, or ``make()``'s, kept from now on."""
        key = (tuple(map(id, sources)), detail)
        found = self._values.get(key)
        if found is not None and all(kept is source
                                     for kept, source in zip(found[0], sources, strict=True)):
            return found[1]
        value = make()
        if len(self._values) >= self.limit:
            self._values.clear()
        self._values[key] = (sources, value)
        return value

    def clear(self) -> None:
        """Forget every value."""
        self._values.clear()
