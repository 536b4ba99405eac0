# Commands for a fresh machine with Python >= 3.11, pip and make:
#   make demo   set up .venv, show the demo contracts and write the steering-committee report
#   make test   set up .venv and run the whole test suite (lint, types, docs, tests)
#   make docs   build the documentation site into build/docs/html (warnings are errors)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check lint typecheck docs bench clean

# The example plugins under plugins/ are installed too, so the suite tests them as users
# would find them: through their entry points.
PLUGINS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))

$(STAMP): pyproject.toml Makefile $(wildcard plugins/*/pyproject.toml)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "territoires needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,xlsx,report,docs]' $(foreach p,$(PLUGINS),-e $(p))
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/territoires show
	$(BIN)/territoires report --period 2021 -o build/report.html
	@echo "Open build/report.html in a browser: the steering-committee report of 2021 (synthetic demo data)."

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples scripts plugins docs/conf.py docs/_ext
	$(BIN)/ruff format --check src tests benchmarks examples scripts plugins docs/conf.py docs/_ext

typecheck: $(STAMP)
	$(BIN)/mypy

# The site, then its doctest blocks, both nitpicky with warnings as errors. -E reads every page
# afresh: an incremental build would not repeat the warnings of pages it does not reread. The
# doctest builder reuses the doctrees the HTML build just wrote.
DOCTREES := build/docs/doctrees
SPHINX := $(BIN)/sphinx-build -n -W --keep-going -q -d $(DOCTREES)

docs: $(STAMP)
	$(SPHINX) -E -b html docs build/docs/html
	$(SPHINX) -b doctest docs build/docs/doctest

# docs before pytest: tests/test_docs_site.py checks the objects.inv the build writes.
test: lint typecheck docs
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_indicators.py
	$(BIN)/python benchmarks/bench_eligibility.py --persons 20000

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
