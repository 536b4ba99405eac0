# Two commands for a fresh machine with Python >= 3.11, pip and make:
#   make demo   set up .venv, show the demo contracts and write the steering-committee report
#   make test   set up .venv and run the whole test suite (lint, types, tests)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check lint typecheck bench clean

# The example plugins under plugins/ are installed too, so the suite tests them as users
# would find them: through their entry points.
PLUGINS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))

$(STAMP): pyproject.toml Makefile $(wildcard plugins/*/pyproject.toml)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "territoires needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,xlsx,report]' $(foreach p,$(PLUGINS),-e $(p))
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/territoires show
	$(BIN)/territoires report --period 2021 -o build/report.html
	@echo "Open build/report.html in a browser: the steering-committee report of 2021 (synthetic demo data)."

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples scripts plugins
	$(BIN)/ruff format --check src tests benchmarks examples scripts plugins

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_load.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
