"""Count the instructions a request costs in Django's process, whatever the host is doing.

Run with ``make bench-instructions``, or by hand::

    DATABASE_URL=postgres://calma:calma@127.0.0.1:5432/postgres \\
    DJANGO_SETTINGS_MODULE=bench.http_settings .venv/bin/python bench/instructions.py

(with ``BENCH_INSTRUCTIONS_COMPUTED_ONLY=1``, the bare view and the computed page alone).

On the machines these benchmarks run on, the time of the same work moves by up to half from
one second to the next with nothing else running: the host lends the CPU out (a fixed loop
of pure Python took 4.7 ms at best and 9.8 ms in the slowest of five batches of 200, one
after the other; docs/PERFORMANCE.md). Milliseconds then say as much about the host as about
Calma, and a change that saves a tenth of a page's work is lost in them. Valgrind's
callgrind counts the instructions the process executes instead: the same code, data and
requests give the same count on a busy host or a quiet one, so two versions of the code can
be compared at any time. PostgreSQL's own work runs in its own process and is not counted;
waiting for it costs no instructions.

On the HTTP benchmark's studio (bench/http_load.py: 10 therapists, 4 rooms, the upcoming
bookings packed into the first rooms), each endpoint is requested through Django's test
client in a process of its own under callgrind: once with the warm-up alone, once with
``REQUESTS`` more requests. The difference over ``REQUESTS`` is one request's instructions,
start-up and warm-up left out. The processes run two at a time: counts do not depend on
what else runs. Each takes a minute or two (callgrind runs Python about 50 times slower).

Needs valgrind (Debian's package) and what bench/http_load.py needs: PostgreSQL (a
throwaway database, ``calma_instructions_bench``, dropped at the end) and Redis
(``BENCH_REDIS_URL``) for the stored times page.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import http_load  # noqa: E402

http_load.DATABASE = "calma_instructions_bench"
BOOKINGS = int(os.environ.get("BENCH_INSTRUCTIONS_BOOKINGS", "1000"))
REQUESTS = int(os.environ.get("BENCH_INSTRUCTIONS_REQUESTS", "20"))
WARM_UP = 20  # as the HTTP benchmark's: templates, prepared statements, the stored page
COLLECTED = re.compile(r"Collected : (\d+)")

# (label, the page as http_load.page_paths names it, whether the times page is stored), in
# the table's order.
ENDPOINTS = (
    ("bare view (fixed string)", "BareView", True),
    ("home page", "HomePage", True),
    ("service page", "ServicePage", True),
    ("times page, anyone, as served", "TimesPage", True),
    ("the same page, computed every time", "TimesPage", False),
)
# ``BENCH_INSTRUCTIONS_COMPUTED_ONLY=1``: the bare view and the computed page alone, four
# processes instead of ten (about two minutes): to compare two versions of the page's code.
if os.environ.get("BENCH_INSTRUCTIONS_COMPUTED_ONLY") == "1":
    ENDPOINTS = (ENDPOINTS[0], ENDPOINTS[-1])


def child(kind: str, stored: bool, count: int, config_file: str) -> None:
    """Request one endpoint ``WARM_UP`` + ``count`` times in this process (run by callgrind)."""
    os.environ["DATABASE_URL"] = http_load.bench_url()
    os.environ["DATABASE_POOL"] = "false"
    os.environ["CALMA_TIMES_CACHE_SECONDS"] = "300" if stored else "0"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    config = json.loads(Path(config_file).read_text())
    # The connection stays open between requests, as gunicorn's pool keeps it.
    connection.settings_dict["CONN_MAX_AGE"] = None
    browser = Client(HTTP_HOST="127.0.0.1")
    address = http_load.page_paths(config)[kind]
    for _ in range(WARM_UP + count):
        if browser.get(address).status_code != 200:
            sys.exit(f"GET {address} failed")
    connection.close()


def cache_prefix(kind: str, stored: bool, count: int) -> str:
    """Return the key prefix of one child's cache, under this run's (``setup_django``).

    Each child has its own: the two processes of an endpoint run at once, and one that
    found the page the other stored would count no render, the other one (the difference
    of the two counts could even come out below zero).
    """
    served = "stored" if stored else "computed"
    return f"{os.environ['BENCH_CACHE_PREFIX']}-{kind}-{served}-{count}"


def instructions(kind: str, stored: bool, count: int, config_file: Path) -> int:
    """Return the instructions callgrind counts for a child process making ``count`` requests."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        kind,
        "stored" if stored else "computed",
        str(count),
        str(config_file),
    ]
    # Every argument is this script's own, or a path it made.
    env = dict(os.environ, BENCH_CACHE_PREFIX=cache_prefix(kind, stored, count))
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, env=env
    )
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"callgrind failed for {kind}:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is missing: apt-get install -y valgrind")
    http_load.check_redis()
    http_load.recreate_database(create=True)
    folder = Path(tempfile.mkdtemp(prefix="calma-instructions-"))
    runs = [(kind, stored, count) for _label, kind, stored in ENDPOINTS for count in (0, REQUESTS)]
    try:
        http_load.setup_django()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from bench import availability as generator
        from studio.timezones import studio_tz

        call_command("migrate", verbosity=0)
        now = timezone.now().replace(second=0, microsecond=0)
        today = timezone.localdate(now, studio_tz())
        monday = today + timedelta(days=7 - today.weekday())
        parts, _future = http_load.build_studio(today, BOOKINGS)
        http_load.pack_upcoming_rooms(parts=parts, since=now)
        generator.analyse()
        connection.close()
        config = {
            "service_slug": parts[1].slug,
            "length_pk": parts[2][http_load.LENGTH_MINUTES].pk,
            "day": monday.isoformat(),
            "language": http_load.LANGUAGE,
        }
        config_file = folder / "config.json"
        config_file.write_text(json.dumps(config))
        print(f"Machine: {http_load.machine()}")
        print(
            f"{BOOKINGS:,} bookings; times page for {monday} (60 minutes, anyone); "
            f"instructions in Django's process per request: callgrind's count with "
            f"{WARM_UP} + {REQUESTS} requests less its count with the {WARM_UP} alone.\n"
        )
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            counts = list(pool.map(lambda run: instructions(*run, config_file=config_file), runs))
        per_request = {
            (kind, stored): (counts[2 * n + 1] - counts[2 * n]) / REQUESTS
            for n, (_label, kind, stored) in enumerate(ENDPOINTS)
        }
        bare = per_request[("BareView", True)]
        http_load.print_table(
            ["endpoint", "instructions per request (millions)", "times the bare view's"],
            [
                [
                    label,
                    f"{per_request[(kind, stored)] / 1e6:.2f}",
                    f"{per_request[(kind, stored)] / bare:.2f}",
                ]
                for label, kind, stored in ENDPOINTS
            ],
        )
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 — Django may not be set up yet
            pass
        http_load.recreate_database(create=False)
        http_load.forget_cache()
        if "BENCH_CACHE_PREFIX" in os.environ:
            for run in runs:
                http_load.forget_cache(cache_prefix(*run))
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3] == "stored", int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(main())
