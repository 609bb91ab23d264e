# mentor_match — the two commands of the README (`make run`, `make test`) and a few helpers.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app mentor_match
PURE_TESTS := --ignore=tests/matching --ignore=tests/importing --ignore=tests/calendar

# libical's RFC 5545/5546 checker validates every invite and feed beside the icalendar oracle
# (tests/calendar, tests/shifts). `make test` builds it whenever libical is installed
# (apt-get install libical-dev pkg-config gcc); without libical those tests skip.
ICALCHECK_SRC := $(firstword $(wildcard ../shared/tools/icalcheck.c ../../shared/tools/icalcheck.c \
	shared/tools/icalcheck.c))
HAVE_LIBICAL := $(shell pkg-config --exists libical 2>/dev/null && echo yes)
ifneq ($(and $(ICALCHECK_SRC),$(HAVE_LIBICAL)),)
ICALCHECK := build/icalcheck
export MENTOR_MATCH_ICALCHECK := $(abspath $(ICALCHECK))
endif

.PHONY: run test test-fast lint format bench clean

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

# The web server and one background worker (mail, round runs, reminders), Ctrl-C stops both.
run: $(VENV)/.installed-run instance/config.py
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(PY) -m mentor_match.launch --host 127.0.0.1 --port 5000

# The whole suite on SQLite; then, when MENTOR_MATCH_TEST_POSTGRES_URL is set, every test that
# touches a database again on PostgreSQL (the pure packages have no database to change).
# pytest-xdist runs one worker process per core (TEST_WORKERS=1 runs in one process); a test
# file stays on one worker, so module-wide servers and fixtures are made once. Every worker has
# its own PostgreSQL database, SQLite files, ports and queue names.
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadfile
test: $(VENV)/.installed-test $(ICALCHECK)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit --quiet --recursive mentor_match --severity-level medium
	$(VENV)/bin/lint-imports
	MENTOR_MATCH_TEST_BACKEND=sqlite $(PY) -m pytest $(XDIST)
	@if [ -n "$$MENTOR_MATCH_TEST_POSTGRES_URL" ]; then \
		echo "== again on PostgreSQL"; \
		MENTOR_MATCH_TEST_BACKEND=postgres $(PY) -m pytest $(XDIST) $(PURE_TESTS); \
	else echo "MENTOR_MATCH_TEST_POSTGRES_URL is not set: PostgreSQL run skipped."; fi

# The inner loop: SQLite only, no real servers or other slow tests, stop at the first failure.
# Pass a selection with T=, e.g. `make test-fast T=tests/shifts`.
test-fast: $(VENV)/.installed-test $(ICALCHECK)
	MENTOR_MATCH_TEST_BACKEND=sqlite $(PY) -m pytest -x -q -m "not slow" $(T)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit --quiet --recursive mentor_match --severity-level medium
	$(VENV)/bin/lint-imports

build/icalcheck: $(ICALCHECK_SRC)
	mkdir -p build
	$(CC) -o $@ $< $$(pkg-config --cflags --libs libical)

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
	$(PY) benchmarks/stable_bench.py
	$(PY) benchmarks/outbox_bench.py
	$(PY) benchmarks/cpd_bench.py
	$(PY) benchmarks/dashboard_bench.py
	$(PY) benchmarks/body_limit_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .import_linter_cache build
