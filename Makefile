# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= demo.db

.PHONY: demo test install browser clean bench sample

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the Playwright browser tests (a browser download does not work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need /usr/bin/chromium: sudo apt-get install chromium"; fi; }

demo: $(STAMP)
	$(BIN)/tracker --db $(DB) demo

# Re-record tracker/sample/demo.warc.gz (what `tracker demo` replays) from the sample's JSON,
# after changing the sample or the demo's sync; the tests fail while it is out of date.
sample: $(STAMP)
	PYTHONPATH=$(CURDIR):$(CURDIR)/tests $(BIN)/python -m fakes.record tracker/sample/demo.warc.gz

# The type checker first (what it checks: [tool.mypy] in pyproject.toml), then the tests.
test: $(STAMP) browser
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/nlp_throughput.py
	$(BIN)/python benchmarks/search_speed.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/sync_concurrency.py

clean:
	rm -rf $(VENV) demo.db build *.egg-info
