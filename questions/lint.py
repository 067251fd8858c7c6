"""The questionnaire linter: every problem in the given files, one line each."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from questions.loader import QuestionnaireError, load_questionnaire


def lint(paths: Iterable[Path | str]) -> tuple[list[str], list[str]]:
    """Check files; return (lines for valid files, lines describing every problem)."""
    ok: list[str] = []
    problems: list[str] = []
    for path in paths:
        try:
            questionnaire = load_questionnaire(path)
        except QuestionnaireError as exc:
            problems.extend(problem.describe(exc.path) for problem in exc.problems)
            continue
        ok.append(
            f"{path}: ok ({questionnaire.id} {questionnaire.version}, {questionnaire.language}: "
            f"{len(questionnaire.lessons)} lessons, {len(questionnaire.statements())} statements)"
        )
    return ok, problems
