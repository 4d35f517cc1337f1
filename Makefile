# The two commands of the README's Quick start, and a few for developers.
# Both create .venv and install linkcrawl into it when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## crawl the bundled demo web into var/linkcrawl.db and print a summary
	$(BIN)/linkcrawl demo

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)  ## performance benchmark (not part of the tests)
	$(BIN)/python benchmarks/run.py

eval: $(STAMP)  ## classifier evaluations on labeled and real pages
	$(BIN)/python benchmarks/location_eval.py
	$(BIN)/python benchmarks/type_eval.py
	$(BIN)/python benchmarks/real_types_eval.py
	$(BIN)/python benchmarks/pagetype_eval.py
	$(BIN)/python benchmarks/content_eval.py --no-baseline

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
