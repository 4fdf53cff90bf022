"""Run a child process from a test, with a time limit that works under libfaketime.

``subprocess.run(timeout=…)`` waits in a loop of ``time.sleep``; CI's second pass runs the
suite under libfaketime, whose ``clock_nanosleep`` now and then refuses Python's absolute
monotonic deadline with EINVAL. Here the wait blocks in ``communicate()`` with no timeout,
and a timer thread (an Event's timed wait, which libfaketime leaves alone) kills a child
that runs too long.
"""

import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def run(
    args, *, timeout: float, check: bool = False, capture_output: bool = False, **kwargs
) -> subprocess.CompletedProcess:
    """Run ``args`` as ``subprocess.run`` would, killing the child after ``timeout`` seconds."""
    if capture_output:
        kwargs.update(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = threading.Event()

    with subprocess.Popen(args, **kwargs) as process:  # noqa: S603 - the caller's fixed command

        def kill() -> None:
            killed.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            stdout, stderr = process.communicate()
        finally:
            timer.cancel()
    if killed.is_set():
        raise subprocess.TimeoutExpired(args, timeout, output=stdout, stderr=stderr)
    done = subprocess.CompletedProcess(args, process.returncode, stdout, stderr)
    if check:
        done.check_returncode()
    return done


@contextmanager
def running(args, *, stop_timeout: float, **kwargs) -> Iterator[subprocess.Popen]:
    """Run ``args`` in the background for the ``with`` block, then stop it.

    On leaving, the child is asked to stop (SIGTERM) and killed if it has not stopped after
    ``stop_timeout`` seconds; the wait is the blocking one, which libfaketime leaves alone.
    """
    with subprocess.Popen(args, **kwargs) as process:  # noqa: S603 - the caller's fixed command
        try:
            yield process
        finally:
            process.terminate()
            timer = threading.Timer(stop_timeout, process.kill)
            timer.start()
            try:
                process.wait()
            finally:
                timer.cancel()
