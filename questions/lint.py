"""The questionnaire linter: every problem in the given files, one line each.

``python -m questions.lint [PATH...]`` checks the named files, or every questionnaire in
the product's folder; translations among them are checked against their source.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from questions.loader import (
    CONTENT_DIR,
    QuestionnaireError,
    load_questionnaire,
    translation_problems,
)
from questions.schema import Questionnaire


def lint(paths: Iterable[Path | str]) -> tuple[list[str], list[str]]:
    """Check files; return (lines for valid files, lines describing every problem).

    Files given together that hold one questionnaire in several languages must match
    structurally; a translation that does not gets its problems instead of an ok line.
    """
    problems: list[str] = []
    loaded: dict[Path, tuple[Path | str, Questionnaire]] = {}
    for path in paths:
        try:
            loaded[Path(path)] = (path, load_questionnaire(path))
        except QuestionnaireError as exc:
            problems.extend(problem.describe(exc.path) for problem in exc.problems)
    mismatched: set[str] = set()
    for error in translation_problems({key: q for key, (_path, q) in loaded.items()}):
        problems.extend(problem.describe(error.path) for problem in error.problems)
        mismatched.add(error.path)
    ok: list[str] = []
    for key, (path, questionnaire) in loaded.items():
        if str(key) in mismatched:
            continue
        ok.append(
            f"{path}: ok ({questionnaire.id} {questionnaire.version}, {questionnaire.language}: "
            f"{len(questionnaire.lessons)} lessons, {len(questionnaire.statements())} statements)"
        )
    return ok, problems


def main(argv: Sequence[str] | None = None) -> int:
    """Lint the named files (default: the product's questionnaires); 1 when there is a problem."""
    parser = argparse.ArgumentParser(prog="python -m questions.lint", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, help="questionnaire files (YAML)")
    args = parser.parse_args(argv)
    ok, problems = lint(args.paths or sorted(CONTENT_DIR.glob("*.yaml")))
    for line in ok:
        print(line)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
