# Two commands for a newcomer: `make run` and `make test`. Everything installs from pinned files.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
PYTEST_WORKERS ?= 2
export PYTHONPATH := $(CURDIR)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run test test-fast check lint token nightly serve clean

help:
	@echo "make run      start Azurite, load the demo district, run the nightly job, serve the API on :7071"
	@echo "make test     the whole suite (unit, Azurite integration, API, e2e, Bicep checks)"
	@echo "make token    a development token (ROLE=DistrictAdmin TENANT=demo-district SCHOOL=...)"
	@echo "make nightly  fire the nightly job as of DATE=YYYY-MM-DD (starts Azurite if needed)"
	@echo "make bench    the benchmarks (figures in docs/benchmarks.md)"
	@echo "make lint     ruff"
	@echo "make check    ruff, mypy and the import contracts (part of make test)"

$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/venv: requirements.txt requirements-dev.txt | $(STAMPS)
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(STAMPS)/venv $(STAMPS)/npm

-include mk/infra.mk
-include mk/bench.mk

run: setup
	$(BIN)/python -m devhost.up

serve: setup
	$(BIN)/python -m devhost serve

test: setup $(CHECKOV) check
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

# the static checks: ruff (style, complexity), mypy (strict on domain/), the import contracts
check: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test-fast: setup
	$(BIN)/python -m pytest -q tests/unit

lint: setup
	$(BIN)/ruff check .

ROLE ?= DistrictAdmin
TENANT ?= demo-district
SCHOOL ?=
token: setup
	@$(BIN)/python -m devhost.token --role $(ROLE) --tenant $(TENANT) $(if $(SCHOOL),--school $(SCHOOL))

DATE ?=
nightly: setup
	$(BIN)/python -m devhost.up --no-serve $(if $(DATE),--date $(DATE))

clean:
	rm -rf $(VENV) .venv-checkov node_modules $(STAMPS) .azurite .devhost
