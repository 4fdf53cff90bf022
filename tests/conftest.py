"""Shared fixtures, and the rule that tests needing real services never skip in CI."""

import os
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

# pytest-django's live_server runs beside Playwright's event loop in the browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# CI's second pass runs the suite under libfaketime with the clock moved ahead. The moved
# clock is for this process (Django, SQLite, the live server); Playwright's driver and
# Chromium stall under it, so child processes start without the preload.
if "faketime" in os.environ.get("LD_PRELOAD", ""):
    os.environ.pop("LD_PRELOAD")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _skip_or_fail(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _services_required(request):
    """Skip tests whose service is missing locally; fail them under CI=true."""
    if request.node.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            _skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("sqlite"):
        from django.db import connection

        if connection.vendor != "sqlite":
            # Not a missing service: CI deselects these in its PostgreSQL pass and runs them
            # in a second pass on SQLite, so this skip only happens in hand-picked local runs.
            pytest.skip("the SQLite variant; this run is on another database")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        _skip_or_fail("needs Redis: set REDIS_URL=redis://…")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give every test process its own SQLite file, processes forked from another included.

    The test settings name the file after the process that reads them. `make mutate` runs
    each mutant in a process forked from one that has already read them, two side by side.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(tempfile.gettempdir()) / f"calma-test-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )


# The instant every test starts at, unless it moves the clock itself: a Monday before the
# studio opens (Europe/Madrid), so a test that books "the first free time" finds a whole
# day ahead of it, whatever the hour the suite runs at.
PINNED_NOW = datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo("Europe/Madrid"))


@pytest.fixture(autouse=True)
def _pinned_clock(request):
    """Start every test's clock at ``PINNED_NOW``; it ticks on from there.

    A test that moves the clock (time-machine's ``travel`` or its fixture) moves it from
    here. The browser tests keep the real clock: Chromium's own clock is not moved, and
    their pages must agree with it.
    """
    if request.node.get_closest_marker("browser"):  # every test under tests/browser/
        yield
        return
    with time_machine.travel(PINNED_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _english_by_default():
    """Run every test in English (the msgids) unless it asks for a language itself."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with no stored weeks of times and no studio row kept in memory.

    A rolled-back test leaves its pages in the cache, its studio row in ``Studio.load`` and
    the times page's catalogue kept (``bookings.selectors.kept_catalogue``).
    """
    from django.core.cache import cache

    from bookings.selectors import forget_catalogues
    from studio.models import Studio

    cache.clear()
    Studio.forget()
    forget_catalogues()


@pytest.fixture(autouse=True)
def _migrated_data_after_flush(request):
    """Reload the data that migrations create, for transactional tests.

    A transactional test ends by emptying every table, so the questionnaire versions and
    the consent text that data migrations load are gone for the next one.
    """
    if not _transactional(request):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    from intake.models import Questionnaire

    reloaded = False
    if not Questionnaire.objects.filter(kind="booking").exists():
        import_module("intake.migrations.0002_questionnaire_v1").load_v1(apps, None)
        reloaded = True
    if not Questionnaire.objects.filter(kind="rescreen").exists():
        import_module("intake.migrations.0005_rescreen_v1").load_rescreen_v1(apps, None)
        reloaded = True
    if reloaded:
        import_module(
            "intake.migrations.0010_questionnaire_v1_in_catalan_and_spanish"
        ).translate_v1(apps, None)


@pytest.fixture
def demo_studio(db):
    """Load the demo studio exactly as `make run` does."""
    from studio.services import demo_seed

    demo_seed()
    from studio.models import Studio

    return Studio.load()


CHROMIUM = os.environ.get("CALMA_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive the system's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/browser as a browser test."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if _browser_tests_off():
                # Skipped before Playwright tries to launch a browser that is not there.
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


def _browser_tests_off() -> bool:
    return not IN_CI and not os.path.exists(CHROMIUM)


def pytest_ignore_collect(collection_path, config):
    """Leave out the browser tests when Chromium is missing, except in CI."""
    if _browser_tests_off() and collection_path.name == "browser" and collection_path.is_dir():
        return True
    return None


def pytest_report_header(config):
    from datetime import UTC, datetime

    lines = [f"clock: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"]
    if _browser_tests_off():
        lines.append(
            f"browser tests: left out, no Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    return lines


@pytest.fixture(autouse=True)
def _chromium_required(request):
    if request.node.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        _skip_or_fail(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
