# revintel — the two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= demo/revintel.duckdb
STAMP  := $(VENV)/.installed
# Browser tests drive Debian's Chromium; it is installed from Debian when missing (never downloaded
# by a test tool).
CHROMIUM := /usr/bin/chromium
# The PostgreSQL tests start their own server from Debian's postgresql binaries (initdb, postgres),
# installed from Debian when missing.
POSTGRES := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb) /usr/lib/postgresql/bin/initdb)

.PHONY: demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres]"
	touch $(STAMP)

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; \
	fi

$(POSTGRES):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL tests need Debian's postgresql: sudo apt-get install postgresql"; \
	fi

demo: $(STAMP)
	$(BIN)/revintel demo --db $(DB)

test: $(STAMP) | $(CHROMIUM) $(POSTGRES)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,bench]"
	$(BIN)/python -m benchmarks $(BENCH)

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache
