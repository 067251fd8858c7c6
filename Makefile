# Regiospiegel: `make run` serves the app with a demo, `make test` passes every test.
# Both set up everything they need in .venv on a fresh machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/regiospiegel
PORT ?= 5000
export BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint typecheck pytest bench install install-test clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	@$(PY) -m assessment.system_check
	$(CLI) db upgrade
	$(CLI) demo
	@echo "Serving on $(BASE_URL)  (stop with Ctrl+C)"
	$(CLI) run --host 127.0.0.1 --port $(PORT)

test: install-test
	@$(PY) -m assessment.system_check
	$(MAKE) --no-print-directory lint typecheck pytest

lint: install-test
	$(PY) -m ruff check .

typecheck: install-test
	$(PY) -m mypy

pytest: install-test
	$(PY) -m pytest

bench: install-test
	PYTHONPATH=. $(PY) bench/aggregation.py
	PYTHONPATH=. $(PY) bench/report.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
