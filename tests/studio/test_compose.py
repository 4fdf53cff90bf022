"""The docker-compose stack, read as compose reads it: its profile cannot drift from the check.

No container engine is needed: the file is parsed with PyYAML, its ``${…}`` variables are
filled in as compose fills them for someone who only set SECRET_KEY, and Django's deploy
check runs in a process given exactly the environment each app service gets.
"""

import re
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests import processes

REPO = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")
RUNTIME_SERVICES = ("web", "worker", "beat")
# What someone running `docker compose up` has to set: nothing else.
USER_ENVIRONMENT = {"SECRET_KEY": secrets.token_urlsafe(64)}

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|(?P<bare>\w+))"
)


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Fill in ``$NAME``, ``${NAME}``, ``${NAME:-default}``, ``${NAME:?error}`` and ``$$``."""

    def replace(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        op, arg, given = match["op"], match["arg"] or "", environ.get(name)
        unset = given is None or (op is not None and op.startswith(":") and given == "")
        if op in (":-", "-"):
            return arg if unset else given
        if op in (":?", "?") and unset:
            raise KeyError(f"compose needs {name}: {arg}")
        return given or ""

    return _VARIABLE.sub(replace, value)


def _filled(node, environ):
    if isinstance(node, str):
        return interpolate(node, environ)
    if isinstance(node, dict):
        return {key: _filled(value, environ) for key, value in node.items()}
    if isinstance(node, list):
        return [_filled(item, environ) for item in node]
    return node


@pytest.fixture(scope="module")
def services() -> dict:
    """Return the compose file's services, anchors merged and variables filled in."""
    composed = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return _filled(composed, USER_ENVIRONMENT)["services"]


def environment(service: dict) -> dict[str, str]:
    given = service.get("environment", {})
    if isinstance(given, list):
        given = dict(item.split("=", 1) for item in given)
    return {key: str(value) for key, value in given.items()}


def test_interpolate_fills_variables_as_compose_does():
    """Defaults, required variables and escapes follow compose's rules."""
    environ = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d} $SET $$HOME", environ) == (
        "x d  d x $HOME"
    )
    with pytest.raises(KeyError, match="SECRET_KEY"):
        interpolate("${SECRET_KEY:?set it}", environ)


def test_every_app_service_as_composed_passes_the_deploy_check(services):
    """`check --deploy --fail-level WARNING` passes with each app service's own environment."""
    environments = {}
    for name in APP_SERVICES:
        env = environment(services[name])
        environments.setdefault(tuple(sorted(env.items())), []).append(name)
    assert len(environments) >= 2  # the owner's migrate step and the runtime services

    for env, names in environments.items():
        done = processes.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=REPO,
            env={**dict(env), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{names}: {done.stdout}{done.stderr}"
        assert dict(env)["DJANGO_SETTINGS_MODULE"] == "studio.settings.production", names


def test_only_the_https_proxy_listens_on_the_host(services):
    """Web answers plain HTTP only inside the stack; the host reaches it through Caddy."""
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert list(published) == ["proxy"]
    assert "443:443" in published["proxy"]
    assert services["web"]["expose"] == ["8000"]
    caddyfile = (REPO / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile
    assert "header_up X-Forwarded-Proto {scheme}" in caddyfile
    assert "tls {$CALMA_TLS:internal}" in caddyfile


def _database_user(service: dict) -> str:
    return urlsplit(environment(service)["DATABASE_URL"]).username


def test_the_app_connects_as_the_runtime_role_and_only_migrate_as_the_owner(services):
    """Web, worker and beat use the role the migrate step grants; it is not the owner."""
    migrate = services["migrate"]
    runtime_role = environment(migrate)["DATABASE_RUNTIME_ROLE"]
    owner = _database_user(migrate)
    assert owner != runtime_role
    assert environment(services["db"])["POSTGRES_USER"] not in {owner, runtime_role}
    for name in RUNTIME_SERVICES:
        assert _database_user(services[name]) == runtime_role, name
        assert "DATABASE_RUNTIME_ROLE" not in environment(services[name]), name
        after = services[name]["depends_on"]["migrate"]
        assert after == {"condition": "service_completed_successfully"}, name
    steps = migrate["command"]
    assert steps.index("migrate --noinput") < steps.index("grant_runtime_role --check")

    init = (REPO / "deploy" / "postgres-init" / "10-calma-roles.sh").read_text()
    assert re.search(rf"CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE ", init)
    assert re.search(
        rf"CREATE ROLE {runtime_role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT ", init
    )
    assert f"CREATE DATABASE calma OWNER {owner};" in init
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in services["db"]["volumes"]
