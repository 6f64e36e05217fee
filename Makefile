# Two commands for a fresh machine (Python 3.11+ and git): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test lint install clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/claimory demo

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/claimory makemigrations --check --dry-run

test: lint
	$(BIN)/pytest -n auto

clean:
	rm -rf $(VENV) var artifacts
