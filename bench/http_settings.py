"""Settings for the HTTP load benchmark (bench/http_load.py) only; the product never reads them.

The base profile with DEBUG off, plus a bench-only URLconf (a bare view to measure the
ceiling of Django and gunicorn on this machine) and, when the ``bench`` extra is installed,
django-appointment, the library the availability page is compared with. The production
profile is not used: it redirects plain HTTP to HTTPS and marks the CSRF cookie secure, and
the load runs over plain HTTP on 127.0.0.1.

The stored weeks of free times need a cache that every worker shares, as in production:
Redis (``BENCH_REDIS_URL``), under a key prefix of this run's own. Celery stays in-process.
``CALMA_TIMES_CACHE_SECONDS=0`` turns storing off, for the run that computes every week.
"""

import os
from importlib.util import find_spec

from studio.settings.base import *  # noqa: F403
from studio.settings.base import INSTALLED_APPS

DEBUG = False
ROOT_URLCONF = "bench.http_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
HAS_APPOINTMENT = find_spec("appointment") is not None
if HAS_APPOINTMENT:
    INSTALLED_APPS = [*INSTALLED_APPS, "appointment"]

CACHES = {
    "default": {
        "BACKEND": "studio.cache.RedisCache",
        "LOCATION": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX", "calma-bench"),
    }
}
CALMA_TIMES_CACHE_SECONDS = int(os.environ.get("CALMA_TIMES_CACHE_SECONDS", "300"))

# The load posts every hold from 127.0.0.1: the per-visitor limits of bookings/throttle.py
# would refuse all but the first few, so they are lifted here (and only here).
CALMA_HOLDS_PER_SESSION = 10**6
CALMA_HOLDS_PER_IP = 10**6
CALMA_HOLD_RATE = None
