# Two commands on a fresh clone with only python3 on the PATH:
#   make run   – set up, load the Cuntan demo into var/gridreg.sqlite3, serve http://127.0.0.1:8000/graphql
#   make test  – set up and run the whole suite (PostgreSQL too when GRIDREG_TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gridreg demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/gridreg bench
