# Everything a fresh machine needs: `make run` (environment, migrations, demo, server) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 0.0.0.0
# uvicorn processes serving requests (README, "Load benchmark"): on a 2-core machine 2 on SQLite (one per core; its
# writes take turns anyway) and 4 on PostgreSQL (a request there waits on the database for much of its time: more
# processes keep both cores busy with less contention for each one's GIL). MALLOC_ARENA_MAX=2: glibc's arena per busy
# thread kept 100-200 MB per process that Python had freed.
WEB_WORKERS ?= $(if $(filter postgres%,$(DATABASE_URL)),4,2)

.PHONY: run test test-pg e2e lint vendor-check setup chromium bench bench-load messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

vendor-check: $(VENV)/.installed
	$(BIN)/python scripts/vendor_check.py

setup: $(VENV)/.installed vendor-check
	$(BIN)/python -m app.cli setup

# The job worker (rule-change recomputes, and the verdicts roll calls queue: READINESS_REFRESH=worker) runs beside
# uvicorn; stopping make (Ctrl-C) stops both.
READINESS_REFRESH ?= worker
run: setup
	@$(BIN)/python -m app.cli worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	READINESS_REFRESH=$(READINESS_REFRESH) MALLOC_ARENA_MAX=2 $(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) --proxy-headers --workers $(WEB_WORKERS) --no-server-header

# Real-browser tests need Debian's chromium (never `playwright install`: no download host is reachable).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

test: $(VENV)/.installed vendor-check chromium
	$(BIN)/pytest -q

# The same suite on PostgreSQL: TEST_DATABASE_URL=postgresql://user@host:port/db make test-pg
test-pg: $(VENV)/.installed chromium
	@test -n "$$TEST_DATABASE_URL" || { echo "set TEST_DATABASE_URL (see .ci/run)"; exit 2; }
	$(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/ruff format --check app tests bench scripts alembic
	$(BIN)/mypy app

# Benchmarks on a generated 100,000-KPM kabupaten: BENCH_URL=sqlite:///data/bench.sqlite3 make bench
BENCH_URL ?= sqlite:///data/bench.sqlite3
bench: $(VENV)/.installed
	$(BIN)/python -m bench.generate --database-url $(BENCH_URL)
	$(BIN)/python -m bench.dashboard --database-url $(BENCH_URL)
	$(BIN)/python -m bench.readiness --database-url $(BENCH_URL)

# Open-loop load (taps, semua hadir, held, logins, dashboards) then the bare endpoint: make bench-load LOAD_ARGS="--rate 50"
LOAD_ARGS ?=
bench-load: $(VENV)/.installed
	$(BIN)/python -m bench.load --database-url $(BENCH_URL) $(LOAD_ARGS)

messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -o app/locale/messages.pot .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -l en --no-fuzzy-matching

clean:
	rm -rf $(VENV) data/*.sqlite3*
