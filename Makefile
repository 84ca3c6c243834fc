# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install compile i18n setup clean lint audit

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

compile: install
	$(BIN)/pybabel -q compile -d translations

setup: compile
	$(FLASK) setup

run: setup
	PUBLIC_BASE_URL=http://$(HOST):$(PORT) $(FLASK) run --host $(HOST) --port $(PORT)

# Two workers: the suite (about 1,900 tests on SQLite and PostgreSQL, browser and two-node
# tests included) took 23 minutes on one core of this 2-core machine. PYTEST_ARGS="-n 0"
# runs it in one process.
PYTEST_ARGS ?= -n 2
test: compile
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Extract messages, merge them into the six catalogs, and compile.
i18n: install
	$(FLASK) translate update
	$(BIN)/pybabel -q compile -d translations
	$(FLASK) translate check || true

clean:
	rm -rf $(VENV) .pytest_cache

# Static checks, run by CI before the tests: ruff (style, bugs, complexity), bandit
# (security) and import-linter (the layers and the absence of import cycles, contracts in
# pyproject.toml; see "Code map" in the README).
lint: install
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r app -c pyproject.toml
	$(BIN)/lint-imports

# Known vulnerabilities in the pinned requirements (--strict fails when a package could not
# be checked). It asks PyPI's advisory service, which CI here cannot reach: run it where the
# internet is, e.g. before a release or in a scheduled job.
audit: install
	$(BIN)/pip-audit --strict -r requirements.txt

# Load and scale benchmark (bench/README.md): gunicorn on a seeded database, driven by wrk
# (installed with apt-get when missing). BENCH_SUBMISSIONS=20000 for a quick run.
.PHONY: bench
bench: compile
	$(BIN)/python bench/run.py
