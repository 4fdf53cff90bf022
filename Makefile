# Calma: two commands on a fresh machine with Python 3.11+ — `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test lint mutate bench bench-http worker beat sweeps clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Calma needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Periodic sweeps (hold expiry, reminders, review alerts, after-care) run every minute alongside."
	$(BIN)/python manage.py run_sweeps --every 60 > /dev/null & sweeps=$$!; \
	trap 'kill $$sweeps 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# Mutation-test triage, availability and the booking write path with mutmut (the mutate
# extra) on SQLite: prints the kill rate and fails below 95%. About half an hour on two
# cores; not part of CI. See docs/TESTING.md.
mutate: install
	$(BIN)/python -m pip install --quiet -e ".[dev,mutate]"
	$(BIN)/python scripts/mutate.py

# Time the availability selector on a throwaway database (a temporary SQLite file, or
# calma_bench on the PostgreSQL server DATABASE_URL points at); see docs/PERFORMANCE.md.
bench: install
	DJANGO_SETTINGS_MODULE=studio.settings.base $(BIN)/python bench/availability.py
	DJANGO_SETTINGS_MODULE=studio.settings.base $(BIN)/python bench/staff_calendar.py
	$(MAKE) bench-http

# Load the pages over HTTP: gunicorn on a throwaway PostgreSQL database (calma_http_bench,
# on the server DATABASE_URL names or 127.0.0.1:5432), Redis for the stored weeks of times
# (BENCH_REDIS_URL or 127.0.0.1:6379/0), locust on the same machine, and django-appointment
# for comparison (the bench extra). Not part of CI; see docs/PERFORMANCE.md.
bench-http: install
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	DJANGO_SETTINGS_MODULE=bench.http_settings $(BIN)/python bench/http_load.py

# Celery, for the full stack by hand (REDIS_URL must point at a Redis server).
worker: install
	$(BIN)/celery -A studio worker --loglevel=info

beat: install
	$(BIN)/celery -A studio beat --loglevel=info

# Without Redis: run the periodic sweeps once (what beat schedules).
sweeps: install
	$(BIN)/python manage.py run_sweeps

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles mutants
