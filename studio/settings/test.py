"""Test profile: fast hashing, in-memory mail, tasks in-process unless a test asks otherwise."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
CALMA_PROFILE = "test"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
# Every test goes through the stored weeks of free times, in this process's memory (emptied
# before each test by tests/conftest.py); tests/bookings/test_times_cache_redis.py covers Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CALMA_TIMES_CACHE_SECONDS = 300
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Pooled connections and thread races do not mix inside the test runner.
    DATABASES["default"]["OPTIONS"].pop("pool", None)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's shared in-memory default, so that threads in the race tests wait
    # for the write lock (IMMEDIATE, 20 s) instead of failing with "table is locked". One
    # file per test run, so runs side by side do not share it; Django deletes it afterwards.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"calma-test-{os.getpid()}.sqlite3")
    }
# Serve static files from the finders, as in development, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
