"""The domain imports without the web stack.

Scoring, aggregation, the content snapshot and the report's pure steps work on plain data;
importing them must not load Flask, SQLAlchemy or WeasyPrint (habit 6, and the import
direction questions ← domain ← reports ← web). Each check runs in a fresh interpreter,
because this test process has long since imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

from assessment.config import PROJECT_ROOT

#: Modules that compute on plain data and so must import without the web stack.
PURE_MODULES = (
    "questions.schema", "questions.loader", "questions.translations", "questions.lint",
    "assessment.exceptions", "assessment.anonymity", "assessment.scoring",
    "assessment.aggregation", "assessment.rounds", "assessment.snapshots",
    "assessment.group_tables", "assessment.projector", "assessment.moderation",
    "assessment.safe_text", "assessment.pages", "assessment.content",
    "reports.charts", "reports.findings", "reports.render",
)

#: The web stack: the app, the database layer and the PDF renderer.
WEB_STACK = ("flask", "sqlalchemy", "weasyprint")

_PROBE = """
import importlib, json, sys
web_stack = {web_stack!r}
pulled = {{}}
for name in {modules!r}:
    importlib.import_module(name)
    loaded = [package for package in web_stack if package in sys.modules]
    if loaded:
        pulled[name] = loaded
        break
print(json.dumps(pulled))
"""


def web_stack_pulled_in(modules: tuple[str, ...]) -> dict[str, list[str]]:
    """Import ``modules`` in order in a fresh interpreter: the first that loads the web stack."""
    probe = _PROBE.format(web_stack=WEB_STACK, modules=modules)
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    pulled: dict[str, list[str]] = json.loads(result.stdout)
    return pulled


def test_the_pure_modules_import_without_flask_sqlalchemy_or_weasyprint():
    assert web_stack_pulled_in(PURE_MODULES) == {}


def test_the_probe_sees_a_module_that_needs_the_app():
    assert web_stack_pulled_in(("assessment.scoring", "assessment.questionnaire_files")) == {
        "assessment.questionnaire_files": ["flask"]}
