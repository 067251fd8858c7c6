"""A new gunicorn worker compiles its templates before its first request."""

from __future__ import annotations

import runpy
from types import SimpleNamespace
from typing import Any

from flask import Flask
from jinja2 import Environment

from assessment.config import PROJECT_ROOT
from assessment.templating import compile_templates


def _counting_compiles(environment: Environment) -> list[str]:
    """The names of the templates ``environment`` compiles from now on."""
    compiled: list[str] = []
    compile_source = environment.compile

    def counted(source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(name))
        return compile_source(source, name, *args, **kwargs)

    environment.compile = counted  # type: ignore[method-assign]
    return compiled


def test_a_new_gunicorn_worker_compiles_every_template_before_its_first_request(
        app: Flask) -> None:
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    settings["post_worker_init"](SimpleNamespace(wsgi=app))
    app.jinja_env.bytecode_cache = None  # the app's own templates, not the suite's shared ones
    compiled = _counting_compiles(app.jinja_env)
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/toegankelijkheid").status_code == 200
    assert compiled == []
    assert compile_templates(app) == len(list((PROJECT_ROOT / "templates").rglob("*.html")))
