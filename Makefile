# Електронен регион: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run serve worker test test-fast lint format bench lock messages clean

help:
	@echo "make run    - set up everything (venv, database, data, demo) and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - set up what the tests need and run them all (lint, unit, integration, browser)"
	@echo "make setup  - the set-up of 'make run' without serving"
	@echo "make worker - the background task worker (production)"
	@echo "make bench  - the benchmark; results in bench/results/"

# --- Installation: re-run only when the dependency files change ------------------------------
$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed-runtime: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt ".[dev]"
	@touch $@

# --- Set-up: idempotent, quick when nothing changed ------------------------------------------
setup: $(VENV)/.installed-runtime
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py compilemessages_if_needed
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py load_territory
	$(PY) manage.py generate_directory
	$(PY) manage.py load_organisations
	$(PY) manage.py load_assessment_questionnaires
	$(PY) manage.py load_pages
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_organisations
	$(PY) manage.py load_demo_consultations
	$(PY) manage.py load_demo_events
	$(PY) manage.py load_demo_monitoring
	$(PY) manage.py load_demo_assessments
	$(PY) manage.py load_library
	$(PY) manage.py load_demo_news
	$(PY) manage.py import_strategy_bg -v 0 data/strategy_bg/ConsultationssCSVExport.csv data/strategy_bg/CommentsCSVExport.csv

run: setup
	@bash scripts/serve.sh $(PORT)

serve:
	@bash scripts/serve.sh $(PORT)

worker: $(VENV)/.installed-runtime
	$(PY) manage.py db_worker --queue-name '*'

# --- Quality and tests -----------------------------------------------------------------------
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy .
	ENVIRONMENT=test $(PY) manage.py makemigrations --check --dry-run -v 1

messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l bg --no-location --no-obsolete -i '.venv/*' -i 'var/*' -i 'bench/*' -i 'tests/*' -i 'scripts/*' -i 'data/*'
	$(PY) manage.py compilemessages -l bg -i .venv -i var

test: $(VENV)/.installed-dev lint
	@mkdir -p var
	$(PY) manage.py compilemessages_if_needed
	@bash scripts/test.sh

test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -q -m "not browser" $(ARGS)

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || { echo "Installing wrk (Debian package) for the load generator"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	$(PY) bench/run.py

# Regenerate constraints.txt from a clean environment (after changing pyproject.toml).
lock:
	rm -rf /tmp/eregion-lock && $(PYTHON) -m venv /tmp/eregion-lock
	/tmp/eregion-lock/bin/pip install --quiet --upgrade "pip>=24"
	/tmp/eregion-lock/bin/pip install --quiet ".[dev]"
	/tmp/eregion-lock/bin/pip freeze --exclude eregion | sort -f > constraints.txt

clean:
	rm -rf $(VENV) var
