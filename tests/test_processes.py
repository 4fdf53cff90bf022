"""The tests' child-process runner keeps its time limit and its results (tests/processes.py)."""

import subprocess
import sys

import pytest

from tests import processes


def test_a_child_that_runs_too_long_is_killed_and_reported():
    with pytest.raises(subprocess.TimeoutExpired):
        processes.run(
            [sys.executable, "-c", "import threading; threading.Event().wait(30)"], timeout=0.5
        )


def test_a_child_gives_its_output_and_exit_code():
    done = processes.run(
        [sys.executable, "-c", "import sys; print('out'); sys.exit(3)"],
        timeout=30,
        capture_output=True,
        text=True,
    )

    assert (done.returncode, done.stdout) == (3, "out\n")
    with pytest.raises(subprocess.CalledProcessError):
        processes.run([sys.executable, "-c", "raise SystemExit(1)"], timeout=30, check=True)


def test_a_background_child_runs_during_the_block_and_is_stopped_after_it():
    with processes.running(
        [sys.executable, "-c", "import threading; threading.Event().wait(30)"], stop_timeout=5
    ) as child:
        assert child.poll() is None

    assert child.returncode is not None and child.returncode != 0
