# The README's two commands: `make run` and `make test`. Both set everything up from a fresh clone.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
SXR_HOST ?= 127.0.0.1
SXR_PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run shell test test-fast lint typecheck bench clean help

help:
	@echo "make run       - set up .venv, migrate, and serve http://$(SXR_HOST):$(SXR_PORT) (holds the terminal)"
	@echo "make shell     - a shell with sxr on PATH, opening the same data dir and database as make run"
	@echo "make test      - set up .venv with test extras; run ruff, mypy and the whole test suite"
	@echo "make test-fast - the tests without a browser, PostgreSQL or slow ones (no ruff, no mypy)"
	@echo "make bench     - run the benchmarks in bench/ (installs the anchor tools)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "sxr needs Python 3.11 or newer on PATH" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(VENV)/.installed $@

$(VENV)/.installed-bench: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@touch $(VENV)/.installed $(VENV)/.installed-test $@

# `sxr db where --record` writes the data dir (absolute) and database this environment names into
# .venv/sxr.env, so `.venv/bin/sxr` opens the same deployment from any folder later.
run: $(VENV)/.installed
	$(BIN)/sxr db where --record
	$(BIN)/sxr db upgrade
	@echo "Serving until Ctrl-C. In another terminal: make shell, then sxr staff add-user (see README)."
	SXR_HOST=$(SXR_HOST) SXR_PORT=$(SXR_PORT) $(BIN)/sxr serve

shell: $(VENV)/.installed
	$(BIN)/sxr db where --record
	@echo "sxr is on PATH in this shell (type exit to leave it)"
	@PATH="$(CURDIR)/$(BIN):$$PATH" VIRTUAL_ENV="$(CURDIR)/$(VENV)" $${SHELL:-/bin/sh}

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-test
	$(BIN)/pytest -q -m "not browser and not postgres and not slow" $(PYTEST_ARGS)

bench: $(VENV)/.installed-bench
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
