# Regiospiegel: `make run` serves the app with a demo, `make test` passes every test.
# Both set up everything they need in .venv on a fresh machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/regiospiegel
PORT ?= 5000
export BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run serve worker mailserver test lint typecheck pytest bench install install-test clean translations fonts

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

# An SMTP server on 127.0.0.1:8025 that prints every message it receives, to try the
# invitations by e-mail with `make run` (README, "Invitations by e-mail").
MAIL_PORT_TRY ?= 8025
mailserver: install-test
	$(PY) -m tests.mail_server $(MAIL_PORT_TRY)

# The type check runs beside the tests: the tests keep the two cores busy only about two
# thirds of the time (they wait for browsers and servers), and mypy fills some of the rest.
test: install-test
	@$(PY) -m assessment.system_check
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory -j2 typecheck pytest

lint: install-test
	$(PY) -m ruff check .

typecheck: install-test
	$(PY) -m mypy

# The suite on SQLite; with TEST_DATABASE_URL set (CI sets it) once more on PostgreSQL, minus
# the tests that do not depend on the suite's database (browser, several servers) and the
# files that touch no database at all (content, scoring, aggregation: pure functions), and the
# tests marked report_pdf that read a rendered report's content (the same on either database).
# The tests run in TEST_WORKERS processes (pytest-xdist; each has its own databases, and for
# the browser tests its own browser, live server and demo database), one more than the cores:
# a browser test waits for Chromium much of its time, and a third process on two cores fills
# that wait. The long ones are handed out first (tests/conftest.py), two at a time
# (--maxschedchunk), so that the browser tests spread over all processes instead of going to
# the first one in one chunk, and the short tests even out the workers' last minutes. The
# several-server tests (marker servers) start gunicorn masters; each makes its own databases,
# Redis key prefix and ports, so they may run beside each other and beside the rest.
NO_DATABASE := tests/assessment/test_aggregation.py tests/questions/test_questionnaire_translations.py \
	tests/questions/test_questions.py tests/assessment/test_rounds.py tests/assessment/test_scoring.py \
	tests/assessment/test_system_check.py
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
XDIST = -n $(TEST_WORKERS) --maxschedchunk 2
# The tests keep the compiled modules (__pycache__, which git ignores) even where the
# environment asks Python not to write them (PYTHONDONTWRITEBYTECODE): a run starts some
# sixty Python processes (test processes, servers, commands, report processes), and without
# them each compiles the project's modules again (an app's start 1.55 s of CPU instead of
# 1.35) and each test process rewrites every test file's asserts again (collecting 5.3 s
# instead of 2.5).
pytest: export PYTHONDONTWRITEBYTECODE =
pytest: install-test
	TEST_DATABASE_URL= $(PY) -m pytest --durations=15 $(XDIST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== the suite again on PostgreSQL: $$TEST_DATABASE_URL"; \
	  $(PY) -m pytest --durations=15 $(XDIST) \
	    -m "not browser and not servers and not report_pdf" \
	    $(addprefix --ignore=,$(NO_DATABASE)); \
	fi

bench: install-test
	PYTHONPATH=. $(PY) bench/aggregation.py
	PYTHONPATH=. $(PY) bench/report.py
	PYTHONPATH=. $(PY) bench/moderation.py
	PYTHONPATH=. $(PY) bench/landscape.py
	PYTHONPATH=. $(PY) bench/load.py

# Re-extract the interface strings, merge them into the English catalogue, compile it.
# New msgids arrive untranslated (no fuzzy guesses, which babel refuses to compile when their
# placeholders differ); tests/assessment/test_translations.py lists them, extracting with the same -k.
TRANSLATIONS := assessment/translations
translations: install
	$(VENV)/bin/pybabel extract --mapping-file babel.cfg --no-wrap --sort-by-file \
		-k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		--project Regiospiegel --copyright-holder Regiospiegel \
		--output-file $(TRANSLATIONS)/messages.pot .
	$(VENV)/bin/pybabel update --input-file $(TRANSLATIONS)/messages.pot \
		--output-dir $(TRANSLATIONS) --locale en --no-wrap --ignore-obsolete --init-missing \
		--no-fuzzy-matching
	$(VENV)/bin/pybabel compile --directory $(TRANSLATIONS) --locale en --statistics

# Production: migrate, then gunicorn (gunicorn.conf.py; docs/deploy.md). Needs SECRET_KEY
# (the same on every server), BASE_URL and TRUSTED_HOSTS in the environment (the app refuses
# to start without them); REDIS_URL for several servers.
serve: install
	@$(PY) -m assessment.system_check
	REGIOSPIEGEL_ENV=production $(CLI) db upgrade
	REGIOSPIEGEL_ENV=production exec $(VENV)/bin/gunicorn --config gunicorn.conf.py

# The report worker for several servers (needs REDIS_URL); run one or more beside `serve`.
worker: install
	REGIOSPIEGEL_ENV=production exec $(CLI) worker

# The web pages' fonts: each Open Sans face cut down to the characters of Western European
# languages (Basic Latin, Latin-1, Latin Extended-A, punctuation, the euro sign, arrows, the
# minus) and compressed as WOFF2: about 18 KB a face instead of about 220 KB, 54 KB for the
# three faces a page uses instead of 660 KB. Sixty phones on one venue's Wi-Fi then load
# about 3 MB of fonts instead of 40 (README, "A crowded venue's Wi-Fi"). The PDFs keep the whole
# TrueType files (assessment/static/fonts.css). tests/assessment/test_static_files.py checks
# that a face keeps every character the app's texts use that the whole font has.
FONTS_DIR := assessment/static/fonts
WEB_FONT_CHARACTERS := U+0000-017F,U+0192,U+02C6-02DC,U+2000-206F,U+20AC,U+2122,U+2190-2193,U+21C4,U+2212,U+2264-2265,U+25CA,U+2713,U+FEFF,U+FFFD
fonts: install
	for face in Regular Italic Semibold Bold; do \
	  $(VENV)/bin/pyftsubset $(FONTS_DIR)/OpenSans-$$face.ttf --unicodes="$(WEB_FONT_CHARACTERS)" \
	    --layout-features='*' --flavor=woff2 --output-file=$(FONTS_DIR)/OpenSans-$$face.woff2; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
