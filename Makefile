# Calma: two commands on a fresh machine with Python 3.11+ — `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

# The lock files: the exact versions, with their hashes, resolved from pyproject.toml's ranges
# by `make lock`. dev.txt is what make install and CI install (the dev and binary extras);
# base.txt is the Docker image's (no dev tools, no psycopg-binary); bench.txt adds the bench
# extra. base and bench take dev's pins as constraints, so every package they share has the
# version CI tested. Each also pins the build backend (pyproject's build-system), which builds
# Calma itself without a download (--no-build-isolation).
LOCK_DIR := requirements
DEV_LOCK := $(LOCK_DIR)/dev.txt
UV_VERSION := 0.13.9

.PHONY: install lock run test lint mutate bench bench-http bench-instructions worker beat sweeps clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Calma needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

# Reinstalls whenever pyproject.toml or the lock changes. A package dropped from the lock stays
# in the venv until the venv is made anew (rm -rf .venv && make install).
$(STAMP): pyproject.toml $(DEV_LOCK) $(wildcard locale/*/LC_MESSAGES/*.po) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0
	touch $(STAMP)

install: $(STAMP)

# Regenerate the lock files after editing pyproject.toml: versions already locked stay where
# the new ranges allow. `make lock LOCK_FLAGS=--upgrade` moves everything to the newest
# allowed; `LOCK_FLAGS="--upgrade-package django"` moves one package. Needs the package index.
BUILD_REQUIRES = $(BIN)/python -c 'import tomllib; \
	print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(LOCK_FLAGS) pyproject.toml -

lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	mkdir -p $(LOCK_DIR)
	$(BUILD_REQUIRES) | $(COMPILE) --extra dev --extra binary -o $(DEV_LOCK)
	$(BUILD_REQUIRES) | $(COMPILE) -c $(DEV_LOCK) -o $(LOCK_DIR)/base.txt
	$(BUILD_REQUIRES) | $(COMPILE) --extra dev --extra binary --extra bench -c $(DEV_LOCK) \
		-o $(LOCK_DIR)/bench.txt

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Periodic sweeps (hold expiry, reminders, review alerts, after-care, waitlist offers) run every minute alongside."
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
	$(BIN)/python -m pip install --quiet "$$($(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["mutate"])')"
	$(BIN)/python scripts/mutate.py

# Time the availability selector on a throwaway database (a temporary SQLite file, or
# calma_bench on the PostgreSQL server DATABASE_URL points at); see docs/PERFORMANCE.md.
bench: install
	DJANGO_SETTINGS_MODULE=studio.settings.base $(BIN)/python bench/availability.py
	DJANGO_SETTINGS_MODULE=studio.settings.base $(BIN)/python bench/staff_calendar.py
	DJANGO_SETTINGS_MODULE=studio.settings.base $(BIN)/python bench/reports.py
	$(MAKE) bench-http

# The booking POST in-process (bench/hold_profile.py), then load the pages over HTTP: gunicorn on a throwaway PostgreSQL database (calma_http_bench,
# on the server DATABASE_URL names or 127.0.0.1:5432), Redis for the stored weeks of times
# (BENCH_REDIS_URL or 127.0.0.1:6379/0), locust on the same machine, and django-appointment
# for comparison (the bench extra, installed from requirements/bench.txt). Not part of CI; see
# docs/PERFORMANCE.md.
bench-http: install
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_DIR)/bench.txt
	$(BIN)/python bench/hold_profile.py
	DJANGO_SETTINGS_MODULE=bench.http_settings $(BIN)/python bench/http_load.py

# Instructions per request in Django's process, counted by valgrind's callgrind: the same
# figure on a busy host and a quiet one (bench/instructions.py; about five minutes).
bench-instructions: install
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_DIR)/bench.txt
	DJANGO_SETTINGS_MODULE=bench.http_settings $(BIN)/python bench/instructions.py

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
