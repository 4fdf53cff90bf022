"""Mutation-test the rules that matter and print the kill rate: ``make mutate``.

mutmut 3 (the ``mutate`` extra; its settings are in setup.cfg) copies the project into
``mutants/``, makes small changes ("mutants") to the functions named in ``TARGETS`` and runs,
for each mutant, the fast SQLite tests that call the function it changed. A mutant the tests
fail on is killed; one they pass on survived, and is either a missing test or a change that
alters nothing (an equivalent mutant). docs/TESTING.md lists every survivor and why.

The run always starts afresh (``--keep`` reuses ``mutants/`` while iterating on tests), uses
SQLite whatever ``DATABASE_URL`` says, and exits non-zero below ``--min-score`` percent.
Not part of CI: on two cores it takes about half an hour.
"""

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
TEMPORARY = MUTANTS / "tmp"

# One pattern per function, in mutmut's names: module, then x_<function> or
# xǁ<Class>ǁ<method>. A pattern that no longer matches (a renamed function) fails the run.
TARGETS = [
    # The screening rules, all of them.
    "intake.triage.*",
    # Free start times.
    "bookings.availability.xǁIntervalǁoverlaps__mutmut_*",
    "bookings.availability.x_local_days__mutmut_*",
    "bookings.availability.x__local_to_utc__mutmut_*",
    "bookings.availability.x_working_intervals__mutmut_*",
    "bookings.availability.x_merge__mutmut_*",
    "bookings.availability.x_subtract__mutmut_*",
    "bookings.availability.x__blocked__mutmut_*",
    "bookings.availability.x__intersect__mutmut_*",
    "bookings.availability.x__free_ranges__mutmut_*",
    "bookings.availability.x__is_free__mutmut_*",
    "bookings.availability.x__blocked_for_all__mutmut_*",
    "bookings.availability.x_free_start_minutes__mutmut_*",
    "bookings.availability.x_slot_minutes__mutmut_*",
    "bookings.availability.x_grid_runs__mutmut_*",
    "bookings.availability.x_free_slots__mutmut_*",
    "bookings.availability.x_pick_therapist__mutmut_*",
    # The booking write path: hold a start (checks, calendar locks, the re-read under them,
    # the insert) and check the hold before it is settled. The SQL of _lock_calendar and the
    # exclusion-constraint mapping only run on PostgreSQL; decorated functions
    # (booking_settle, hold_attach_client) are not mutated by mutmut 3.
    "bookings.services.x__slot_taken__mutmut_*",
    "bookings.services.x__check_horizon__mutmut_*",
    "bookings.services.x__check_start__mutmut_*",
    "bookings.services.x__check_offer__mutmut_*",
    "bookings.services.x__advisory_key__mutmut_*",
    "bookings.services.x_calendar_lock_keys__mutmut_*",
    "bookings.services.x__lock_resources__mutmut_*",
    "bookings.services.x__expire_dead_holds__mutmut_*",
    "bookings.services.x__choose__mutmut_*",
    "bookings.services.x_hold_create__mutmut_*",
    "bookings.services.x_hold_check__mutmut_*",
    "bookings.services.x_phone_booking_create__mutmut_*",
]

# mutmut's exit codes for a mutant (see mutmut.stats.status_by_exit_code).
KILLED = {1, 3}
TIMED_OUT = {36, 24, -24, 152, 255}
SURVIVED = 0
NO_TESTS = {5, 33}


def _mutmut() -> Path:
    return Path(sys.executable).with_name("mutmut")


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # SQLite, and tests of other services skip rather than fail: this is not a CI run.
    for name in ("DATABASE_URL", "REDIS_URL", "CI"):
        env.pop(name, None)
    # The test databases go in mutants/ too: a mutant stopped for taking too long leaves its
    # SQLite file behind, and the next fresh run removes them with the rest.
    TEMPORARY.mkdir(parents=True, exist_ok=True)
    env["TMPDIR"] = str(TEMPORARY)
    return env


def _results() -> dict[str, int | None]:
    results: dict[str, int | None] = {}
    for meta in MUTANTS.rglob("*.py.meta"):
        results.update(json.loads(meta.read_text())["exit_code_by_key"])
    return results


def _selected(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in TARGETS)


def _show(name: str) -> str:
    shown = subprocess.run(  # noqa: S603 (the venv's mutmut, with a name it printed)
        [_mutmut(), "show", name], cwd=ROOT, capture_output=True, text=True, check=False
    )
    lines = shown.stdout.splitlines()
    return "\n".join(
        line for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ from a last run")
    parser.add_argument("--min-score", type=float, default=95.0)
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--report", type=Path, help="also write the summary to this file")
    args = parser.parse_args()

    if not args.keep:
        shutil.rmtree(MUTANTS, ignore_errors=True)
    started = time.monotonic()
    command = [str(_mutmut()), "run", "--max-children", str(args.max_children), *TARGETS]
    run = subprocess.run(command, cwd=ROOT, env=_environment(), check=False)  # noqa: S603
    minutes = (time.monotonic() - started) / 60
    if run.returncode != 0:
        print(f"mutmut run failed (exit {run.returncode})", file=sys.stderr)
        return run.returncode

    results = {name: code for name, code in _results().items() if _selected(name)}
    stale = [p for p in TARGETS if not any(fnmatch.fnmatchcase(n, p) for n in results)]
    if stale:
        print(f"These targets match no mutant (renamed?): {', '.join(stale)}", file=sys.stderr)
        return 2

    outcome = Counter()
    not_killed = []
    for name, code in sorted(results.items()):
        if code in KILLED:
            outcome["killed"] += 1
        elif code in TIMED_OUT:
            outcome["timed out"] += 1
        else:
            outcome["survived" if code == SURVIVED else "not tested"] += 1
            not_killed.append(name)
    total = len(results)
    killed = outcome["killed"] + outcome["timed out"]
    score = 100 * killed / total

    lines = ["", "Not killed:"] if not_killed else []
    for name in not_killed:
        lines += [f"  {name} ({'survived' if results[name] == SURVIVED else 'no test ran'})"]
        lines += [f"      {line}" for line in _show(name).splitlines()]
    by_module = Counter(name.split(".x", 1)[0] for name in results)
    lines += [
        "",
        "Mutants per module: " + ", ".join(f"{m} {n}" for m, n in sorted(by_module.items())),
        f"Outcome: {', '.join(f'{n} {what}' for what, n in outcome.most_common())}",
        f"Kill rate: {killed} of {total} killed ({score:.1f}%; a timeout counts as killed), "
        f"in {minutes:.0f} minutes with {args.max_children} workers; "
        f"needed: {args.min_score:g}%",
    ]
    summary = "\n".join(lines)
    print(summary)
    if args.report:
        args.report.write_text(summary + "\n")
    return 0 if score >= args.min_score else 1


if __name__ == "__main__":
    sys.exit(main())
