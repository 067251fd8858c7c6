"""Summaries as JSON, so an assessment's results outlive its raw answers.

When raw answers are purged after the retention period, the summary is kept as JSON and
read back into the same frozen dataclasses: the dashboard and the report show exactly what
they showed before. A field added to the summary later must have a default: a snapshot
kept before it was added is read with that default. Pure functions: no Flask, no database.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from typing import Any

from assessment.aggregation import Summary

#: Bump when the shape of the summary changes incompatibly.
SNAPSHOT_FORMAT = 1


def summary_to_json(summary: Summary) -> str:
    """The summary as JSON text."""
    return json.dumps({"format": SNAPSHOT_FORMAT, "summary": _plain(summary)},
                      ensure_ascii=False, sort_keys=True)


def summary_from_json(text: str) -> Summary:
    """The summary stored by :func:`summary_to_json`."""
    data = json.loads(text)
    if data.get("format") != SNAPSHOT_FORMAT:
        raise ValueError(f"unknown summary snapshot format {data.get('format')!r}")
    result: Summary = _build(Summary, data["summary"])
    return result


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return (field.default is not dataclasses.MISSING
            or field.default_factory is not dataclasses.MISSING)


def _build(kind: Any, value: Any) -> Any:
    """Rebuild ``value`` as the type ``kind`` (dataclasses, enums, tuples, optionals)."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _build(options[0], value)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], item) for item in value)
        return tuple(_build(arg, item) for arg, item in zip(args, value, strict=True))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        # A field added later (with a default) is missing from older snapshots: the
        # default stands in for it. A missing field without a default is an error.
        hints = typing.get_type_hints(kind)
        # A field added later has a default; a snapshot kept before it lacks the key.
        fields = {f.name: _build(hints[f.name], value[f.name])
                  for f in dataclasses.fields(kind) if f.name in value or not _has_default(f)}
        return typing.cast(Any, kind)(**fields)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    if kind is float and isinstance(value, int):
        return float(value)
    return value
