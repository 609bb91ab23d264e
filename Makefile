# mentor_match — the two commands of the README (`make run`, `make test`) and a few helpers.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app mentor_match
PURE_TESTS := --ignore=tests/matching --ignore=tests/importing --ignore=tests/calendar

.PHONY: run test lint format bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

# A secret key of this installation's own, made once and kept out of git.
instance/config.py:
	mkdir -p instance
	$(PYTHON) -c 'import secrets; print(f"SECRET_KEY = {secrets.token_hex(32)!r}")' > $@

run: $(VENV)/.installed-run instance/config.py
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# The whole suite on SQLite; then, when MENTOR_MATCH_TEST_POSTGRES_URL is set, every test that
# touches a database again on PostgreSQL (the pure packages have no database to change).
test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit --quiet --recursive mentor_match --severity-level medium
	MENTOR_MATCH_TEST_BACKEND=sqlite $(PY) -m pytest
	@if [ -n "$$MENTOR_MATCH_TEST_POSTGRES_URL" ]; then \
		echo "== again on PostgreSQL"; \
		MENTOR_MATCH_TEST_BACKEND=postgres $(PY) -m pytest $(PURE_TESTS); \
	else echo "MENTOR_MATCH_TEST_POSTGRES_URL is not set: PostgreSQL run skipped."; fi

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit --quiet --recursive mentor_match --severity-level medium

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Figures for the README's performance section (run by hand; they print, they never assert).
bench: $(VENV)/.installed-test
	$(PY) benchmarks/matching_bench.py
	$(PY) benchmarks/round_end_to_end.py
	$(PY) benchmarks/import_bench.py
	$(PY) benchmarks/calendar_feed.py
	$(PY) benchmarks/booking_bench.py
	$(PY) benchmarks/feedback_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
