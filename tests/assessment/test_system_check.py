"""The check `make run` and `make test` start with: the PDF engine's system libraries."""

from __future__ import annotations

import pytest

import reports.render
from assessment import system_check


def test_the_check_passes_where_the_pdf_engine_loads(capsys) -> None:
    assert system_check.main() == 0
    assert capsys.readouterr().err == ""


def test_the_check_loads_the_engine_as_a_report_process_does_and_names_the_packages(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def fails() -> None:
        raise OSError("cannot load library 'libpango-1.0.so.0'\nmore lines")

    monkeypatch.setattr(reports.render, "load_weasyprint", fails)
    assert system_check.main() == 1
    err = capsys.readouterr().err
    assert "The PDF engine (WeasyPrint) cannot load: cannot load library" in err
    assert "more lines" not in err
    assert "sudo apt-get install libglib2.0-0 libpango-1.0-0" in err
