# Two commands for a fresh machine (Python 3.11+ and git): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint install lock clean

# Exact versions with hashes from requirements.lock (see `make lock`), then the project
# itself without resolving anything again.
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/claimory demo --host $(HOST) --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/claimory makemigrations --check --dry-run

test: lint
	$(BIN)/pytest -n auto

# After changing dependencies in pyproject.toml: re-resolve every platform's pins with
# hashes (tests/test_lock.py fails until the lock agrees with pyproject.toml).
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --custom-compile-command "make lock" -q -o requirements.lock

clean:
	rm -rf $(VENV) var artifacts
