# Two commands for a fresh machine: `make run` and `make test`.
# Both create or reuse .venv and install what is missing.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SHARED  ?= ../shared
export CAMELTOOLS_DATA ?= $(CURDIR)/data/camel
export PYTHONUTF8 := 1

.PHONY: run test bench eval gazetteer browser clean venv

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "error: $(PY) not found; install Python 3.11 or run 'make PY=python3 ...'"; exit 1; }
	$(PY) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.txt requirements-camel.txt
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -r requirements-camel.txt
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# Debian's Chromium for the end-to-end tests (downloads of a browser by test tools fail here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-core >/dev/null) \
	      || echo "note: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium missing; browser tests will be skipped"; fi; }

gazetteer: $(STAMP)
	$(BIN)/python -m geo.build --sources $(SHARED)/data/gazetteer-sources --out data/gazetteer

# Benchmarks are scripts, not timed tests: each prints its figures.
BENCHES := bench_geo bench_extraction bench_ingest bench_dashboard
bench: $(STAMP) browser
	@for b in $(BENCHES); do \
	  if [ -f scripts/$$b.py ]; then echo "== $$b"; $(BIN)/python scripts/$$b.py || exit 1; fi; done

# Development gold (rules were written against it), the first three held-out sets (spent), then
# the fourth (measure only: tests/heldout4/README.md).
eval: $(STAMP)
	$(BIN)/python -m extraction.evaluate tests/gold
	$(BIN)/python -m extraction.evaluate tests/heldout --texts tests/heldout
	$(BIN)/python -m extraction.evaluate tests/heldout2 --texts tests/heldout2
	$(BIN)/python -m extraction.evaluate tests/heldout3 --texts tests/heldout3
	$(BIN)/python -m extraction.evaluate tests/heldout4 --texts tests/heldout4

clean:
	rm -rf $(VENV) .pytest_cache
