"""The lock files say what an install gets; they cannot drift from pyproject.toml.

`make lock` resolves pyproject.toml's ranges into three files under requirements/: dev.txt
(make install and CI), base.txt (the Docker image) and bench.txt (make bench-http). Each pin
must satisfy its range, the packages the lock takes from pyproject must be exactly the ones
pyproject names, the files the image and the bench install must agree with the one CI tests,
and make install must install from the lock. No network: only files and `make -n`.
"""

import importlib.metadata
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests import processes

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
LOCKS = REPO / "requirements"
# The extras each lock holds, besides the runtime dependencies (see the Makefile's lock target).
EXTRAS = {"base.txt": (), "dev.txt": ("dev", "binary"), "bench.txt": ("dev", "binary", "bench")}
FROM_PYPROJECT = "calma (pyproject.toml)"


@dataclass
class Pin:
    requirement: Requirement
    version: Version
    hashes: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)


def read_lock(path: Path) -> dict[str, Pin]:
    """Return a lock file's pins by canonical name, with their hashes and uv's annotations."""
    pins: dict[str, Pin] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            note = line.lstrip("#").strip()
            if current is not None and note and note != "via":
                current.via.append(note.removeprefix("via ").strip())
            continue
        if line.startswith("--hash="):
            assert current is not None, f"{path.name}: a hash before any requirement"
            current.hashes.append(line.removeprefix("--hash=").rstrip("\\ "))
            continue
        requirement = Requirement(line.rstrip("\\ "))
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1, f"{path.name}: {line} is not one exact pin"
        assert specifiers[0].operator == "==", f"{path.name}: {line} is not pinned with =="
        assert "*" not in specifiers[0].version, f"{path.name}: {line} pins a wildcard"
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"{path.name}: {name} is pinned twice"
        current = pins[name] = Pin(requirement, Version(specifiers[0].version))
    return pins


def asked_for(extras: tuple[str, ...]) -> list[Requirement]:
    """Return the requirements pyproject.toml states for the runtime plus these extras."""
    project = PYPROJECT["project"]
    given = list(project["dependencies"])
    for extra in extras:
        given += project["optional-dependencies"][extra]
    return [Requirement(text) for text in given]


BUILD_REQUIRES = [Requirement(text) for text in PYPROJECT["build-system"]["requires"]]


@pytest.fixture(scope="module")
def locks() -> dict[str, dict[str, Pin]]:
    return {name: read_lock(LOCKS / name) for name in EXTRAS}


def test_read_lock_takes_pins_hashes_and_annotations(tmp_path):
    """The reader keeps what uv writes, and refuses a line that is not an exact pin."""
    lock = tmp_path / "lock.txt"
    lock.write_text(
        "# header\n#    make lock\n"
        "Django==5.2.19 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n"
        "    # via calma (pyproject.toml)\n"
        "tzdata==2026.6 ; sys_platform == 'win32' \\\n    --hash=sha256:cc\n"
        "    # via\n    #   -c requirements/dev.txt\n    #   django\n"
    )
    pins = read_lock(lock)
    assert pins["django"].version == Version("5.2.19")
    assert pins["django"].hashes == ["sha256:aa", "sha256:bb"]
    assert pins["django"].via == [FROM_PYPROJECT]
    assert pins["tzdata"].via == ["-c requirements/dev.txt", "django"]
    assert str(pins["tzdata"].requirement.marker) == 'sys_platform == "win32"'

    lock.write_text("Django>=5.2 \\\n    --hash=sha256:aa\n")
    with pytest.raises(AssertionError, match="not pinned with =="):
        read_lock(lock)


@pytest.mark.parametrize("lock_name", list(EXTRAS))
def test_every_range_in_pyproject_is_pinned_inside_it(locks, lock_name):
    """Each dependency (and the build backend) has an == pin that its range allows."""
    pins = locks[lock_name]
    for requirement in [*asked_for(EXTRAS[lock_name]), *BUILD_REQUIRES]:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock_name} pins no {name}: run `make lock`"
        version = pins[name].version
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock_name}: {name}=={version} is outside pyproject's {requirement}: run `make lock`"
        )


@pytest.mark.parametrize("lock_name", list(EXTRAS))
def test_the_lock_takes_from_pyproject_exactly_what_pyproject_names(locks, lock_name):
    """A dependency dropped from pyproject.toml does not linger in the lock as a direct one."""
    named = {canonicalize_name(r.name) for r in asked_for(EXTRAS[lock_name])}
    direct = {name for name, pin in locks[lock_name].items() if FROM_PYPROJECT in pin.via}
    stale = f"{lock_name} is out of step with pyproject.toml (run `make lock`)"
    assert sorted(direct - named) == [], f"{stale}: no longer named there"
    assert sorted(named - direct) == [], f"{stale}: not locked as named there"


@pytest.mark.parametrize("lock_name", list(EXTRAS))
def test_every_pin_carries_its_hashes(locks, lock_name):
    """pip installs the locks with --require-hashes: a pin without a hash would stop it."""
    for name, pin in locks[lock_name].items():
        assert pin.hashes, f"{lock_name}: {name} has no hash"
        assert all(h.startswith("sha256:") for h in pin.hashes), f"{lock_name}: {name}"


def test_the_image_and_the_bench_run_the_versions_ci_tests(locks):
    """base.txt is part of dev.txt and bench.txt all of it, each package at one version."""
    dev, base, bench = locks["dev.txt"], locks["base.txt"], locks["bench.txt"]
    assert set(base) < set(dev) < set(bench)
    for other_name, other in (("base.txt", base), ("bench.txt", bench)):
        for name in set(other) & set(dev):
            assert other[name].version == dev[name].version, (other_name, name)


def test_only_the_development_lock_brings_its_own_libpq(locks):
    """make install takes psycopg-binary; the image uses the distribution's libpq5."""
    assert "psycopg-binary" in locks["dev.txt"]
    assert "psycopg-binary" not in locks["base.txt"]
    assert not {"pytest", "ruff", "playwright", "locust"} & set(locks["base.txt"])
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "apt-get install -y --no-install-recommends libpq5" in dockerfile


def test_the_image_installs_the_runtime_lock_then_calma_without_dependencies():
    """The Dockerfile: the locked set with hashes first, then Calma with --no-deps."""
    runs = [
        line.strip().removeprefix("RUN ").strip()
        for line in (REPO / "Dockerfile").read_text().splitlines()
        if line.strip().startswith("RUN pip install")
    ]
    assert runs == [
        "pip install --require-hashes -r requirements/base.txt",
        "pip install --no-deps --no-build-isolation . \\",
    ]


def test_this_environment_runs_the_development_lock(locks):
    """The venv the suite runs in holds dev.txt's versions: make install installed the lock."""
    wrong = {}
    for name, pin in locks["dev.txt"].items():
        if pin.requirement.marker is not None and not pin.requirement.marker.evaluate():
            continue
        try:
            installed = Version(importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != pin.version:
            wrong[name] = (str(pin.version), installed and str(installed))
    assert wrong == {}, f"not the locked versions (locked, installed): {wrong}; run make install"


def _dry_run(venv: Path, target: str, *what_if: str) -> str:
    """Return the commands `make -n` would run for the target, pretending these files changed."""
    make = shutil.which("make")
    assert make, "make is not installed"
    what_ifs = [f"--what-if={path}" for path in what_if]
    done = processes.run(
        [make, "-n", f"VENV={venv}", *what_ifs, target],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


@pytest.fixture
def installed_venv(tmp_path) -> Path:
    """A stand-in for an installed .venv: its python and a stamp newer than every input."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch(mode=0o755)
    inputs = [REPO / "pyproject.toml", *LOCKS.iterdir(), *REPO.glob("locale/*/LC_MESSAGES/*.po")]
    newest = max(path.stat().st_mtime for path in inputs)
    stamp = venv / ".installed"
    stamp.touch()
    os.utime(stamp, (newest + 60, newest + 60))
    return venv


def test_make_install_installs_the_lock_again_when_it_changes(installed_venv):
    """Nothing to do while the stamp is newer; a newer lock or pyproject.toml reinstalls."""
    assert "pip install" not in _dry_run(installed_venv, "install")
    for changed in ("requirements/dev.txt", "pyproject.toml"):
        commands = _dry_run(installed_venv, "install", changed)
        assert "-m pip install --quiet --require-hashes -r requirements/dev.txt" in commands
        assert "-m pip install --quiet --no-deps --no-build-isolation -e ." in commands
        assert "manage.py compilemessages" in commands


def test_make_install_compiles_the_catalogs_again_when_one_changes(installed_venv):
    assert "compilemessages" not in _dry_run(installed_venv, "install")
    for changed in ("locale/ca/LC_MESSAGES/django.po", "locale/es/LC_MESSAGES/django.po"):
        assert "manage.py compilemessages" in _dry_run(installed_venv, "install", changed)


def test_make_bench_http_installs_the_bench_lock(installed_venv):
    """The bench extra comes from bench.txt, with its hashes, not from the package index."""
    commands = _dry_run(installed_venv, "bench-http")
    assert "-m pip install --quiet --require-hashes -r requirements/bench.txt" in commands
    assert ".[dev,bench]" not in commands
