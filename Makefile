# Two commands on a fresh machine: `make run` serves on SQLite; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run HOST=… PORT=…`; unset, CONSENTRY_HOST / CONSENTRY_PORT or 127.0.0.1:8000 apply.
HOST ?=
PORT ?=

.PHONY: run test lint typecheck contracts pytest bench soak screenshots install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/consentry db upgrade
	$(BIN)/consentry serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: install-dev lint typecheck contracts pytest

lint: install-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: install-dev
	$(BIN)/mypy

contracts: install-dev
	$(BIN)/lint-imports

# -n 2: both cores; each xdist worker gets its own PostgreSQL database.
pytest: install-dev
	$(BIN)/pytest -n 2 -p no:cacheprovider

# Benchmarks (PERFORMANCE.md): `make bench` (quick, ≤ 2 min a dialect) or `make bench SCALE=full`.
# PostgreSQL runs too when CONSENTRY_TEST_DATABASE_URL is set.
SCALE ?= quick
bench: install-dev
	$(BIN)/python -m benchmarks --scale $(SCALE)

# Crash safety, long (tests/reliability/crash.py): SIGKILL the server under load SOAK_KILLS times
# (default 20), SOAK_MAX_LOAD_SECONDS apart at most, SOAK_CLIENTS clients, SOAK_SEED to repeat a
# run; then every check of the short run in `make test`. PostgreSQL too when
# CONSENTRY_TEST_DATABASE_URL is set. Prints the figures per dialect.
soak: install-dev
	$(BIN)/python -m tests.reliability.crash

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis

# The admin app's screenshots in docs/screenshots/ (demo data, Chromium, 1280 and 390 px wide).
screenshots: install-dev
	$(BIN)/python scripts/screenshots.py
