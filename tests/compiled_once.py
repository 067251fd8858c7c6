"""What every test app compiles, compiled once per test process: URL builders and templates.

Making a Flask app and rendering its first pages is mostly compilation, and the suite makes
thousands of apps with the same rules and the same templates. Measured on this 2-core machine
(2026-11-30): Werkzeug compiles two URL-building functions per rule through ``ast`` and
``compile``, about 0.09 s for the app's 62 rules, most of what ``create_app`` costs; and
each app's Jinja environment parses and compiles every template it renders anew, a third of
the CPU time of the participant and facilitator tests. :func:`share` makes later apps reuse
what the first compiled. A server makes its app once and compiles each template once; only
the test suite calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing import Rule

_Builder = Callable[..., tuple[str, str]]
_compiled_builders: dict[tuple[object, ...], _Builder] = {}


class _TemplatesInMemory(BytecodeCache):
    """Jinja's compiled templates kept in this process, by template name and source checksum.

    Jinja names a bucket by the template's name and checks the source's checksum itself, so
    a changed template (a test's own template folder) compiles anew.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def _builder_key(rule: Rule, append_unknown: bool) -> tuple[object, ...]:
    """What a compiled builder depends on: the rule's parts, unknown arguments, folded defaults.

    The built function reads the converters from the rule it is bound to when called; only
    defaults that fill a part of the rule are folded into it as text.
    """
    converters: dict[str, Any] = rule._converters
    folded = tuple(sorted(
        (name, converters[name].to_url(value))
        for name, value in (rule.defaults or {}).items() if name in converters))
    return tuple(rule._trace), append_unknown, folded


def share() -> None:
    """Let every app made in this process after this call reuse compiled builders and templates."""
    original = Rule._compile_builder
    if getattr(original, "shared", False):
        return

    def compile_once(rule: Rule, append_unknown: bool = True) -> _Builder:
        key = _builder_key(rule, append_unknown)
        builder = _compiled_builders.get(key)
        if builder is None:
            builder = _compiled_builders[key] = original(rule, append_unknown)
        return builder

    compile_once.shared = True  # type: ignore[attr-defined]
    Rule._compile_builder = compile_once  # type: ignore[method-assign]
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _TemplatesInMemory()}
