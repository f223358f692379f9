# The README's two commands: `make run` (set up, build the sample area, start the app) and
# `make test` (set up, build the sample area, run the whole test suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SAMPLE := data/sample/project.json
PORT   ?= 8501

.PHONY: install sample run test lint bench clean

install: $(STAMP)

# Re-install only when pyproject.toml changed (the stamp is older than it).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version' 
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

sample: $(SAMPLE)

$(SAMPLE): | $(STAMP)
	$(PY) -m gis sample --out data/sample

run: install sample
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true

# the suite on every core (pytest-xdist); `make test PYTEST_ARGS=` runs it in one process
PYTEST_ARGS ?= -n auto
test: install sample
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install sample
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) data/sample .pytest_cache
