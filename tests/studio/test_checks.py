"""DEBUG serves development on this machine only: the system check and the WSGI guard."""

import importlib
import os
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from studio.checks import debug_only_on_localhost
from tests import processes


def _ids(**overrides) -> list[str]:
    with override_settings(**overrides):
        return [error.id for error in debug_only_on_localhost()]


@pytest.mark.parametrize(
    "hosts", [[], ["localhost"], ["127.0.0.1", "localhost", "[::1]", "testserver"]]
)
def test_debug_on_for_this_machine_only_passes(hosts):
    """`make run`: DEBUG with the local host names (or none) is development, and allowed."""
    assert _ids(DEBUG=True, ALLOWED_HOSTS=hosts, CALMA_PROFILE="development") == []


@pytest.mark.parametrize(
    "hosts", [["calma.example.com"], ["localhost", "*"], [".example.com"], ["192.168.1.20"]]
)
def test_debug_on_for_a_host_beyond_this_machine_is_an_error(hosts):
    """DEBUG with any host others can reach fails the checks that runserver and migrate run."""
    assert _ids(DEBUG=True, ALLOWED_HOSTS=hosts, CALMA_PROFILE="development") == ["calma.E002"]


def test_debug_on_under_the_production_profile_is_an_error():
    """Even for localhost: the production profile never runs with DEBUG."""
    ids = _ids(DEBUG=True, ALLOWED_HOSTS=["localhost"], CALMA_PROFILE="production")
    assert ids == ["calma.E001"]


def test_debug_off_passes_for_any_host():
    assert _ids(DEBUG=False, ALLOWED_HOSTS=["*"], CALMA_PROFILE="production") == []


def test_the_check_is_registered_and_stops_manage_py_check():
    """`manage.py check` (and so runserver) refuses to start with DEBUG for public hosts."""
    with (
        override_settings(DEBUG=True, ALLOWED_HOSTS=["calma.example.com"]),
        pytest.raises(SystemCheckError, match=r"calma\.E002"),
    ):
        call_command("check")


def test_the_wsgi_entry_point_refuses_debug_outside_runserver(monkeypatch):
    """gunicorn runs no system checks: studio.wsgi asks the same question itself."""
    import studio.wsgi

    monkeypatch.setattr(sys, "argv", ["gunicorn", "studio.wsgi:application"])
    with (
        override_settings(DEBUG=True, ALLOWED_HOSTS=["localhost"]),
        pytest.raises(ImproperlyConfigured, match=r"outside `manage\.py runserver`"),
    ):
        importlib.reload(studio.wsgi)
    with (
        override_settings(DEBUG=True, ALLOWED_HOSTS=["calma.example.com"]),
        pytest.raises(ImproperlyConfigured, match=r"calma\.example\.com"),
    ):
        importlib.reload(studio.wsgi)
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver", "127.0.0.1:8000"])
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["localhost"]):
        importlib.reload(studio.wsgi)
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["calma.example.com"]):
        monkeypatch.setattr(sys, "argv", ["gunicorn"])
        importlib.reload(studio.wsgi)


def test_debug_is_off_unless_asked_for():
    """The base profile defaults to DEBUG off; only `make run` turns it on."""
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    env["DJANGO_SETTINGS_MODULE"] = "studio.settings.base"
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    result = processes.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )
    assert result.stdout.strip() == "False"


def test_make_run_turns_debug_on_for_runserver_on_127_0_0_1_only():
    """The Makefile's run target: DEBUG=true on a runserver bound to 127.0.0.1."""
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    debug_lines = [line.strip() for line in makefile.splitlines() if "DEBUG=true" in line]
    assert debug_lines == ["DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)"]


def test_the_production_profile_forces_debug_off():
    """DEBUG=true in the environment does not reach the production profile."""
    env = {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "studio.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "calma.example.com",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.CALMA_PROFILE)"
    )
    result = processes.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )
    assert result.stdout.strip() == "False production"


def test_the_production_profile_passes_the_deploy_check():
    """`check --deploy --fail-level WARNING` passes with the security headers as configured."""
    # tests/conftest.py allows async-unsafe calls for the browser tests; a deployment does not.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "studio.settings.production",
        "SECRET_KEY": "s3cr3t-" + "k" * 60,
        "ALLOWED_HOSTS": "calma.example.com",
    }
    result = processes.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr
