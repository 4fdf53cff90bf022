"""Fixtures for the booking tests."""

import os
import uuid

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from tests.bookings.helpers import Demo


@pytest.fixture
def demo(demo_studio) -> Demo:
    """Return lookups into the loaded demo studio."""
    return Demo()


@pytest.fixture
def redis_cache():
    """Point Django's cache at Redis under a fresh prefix; delete that prefix's keys after."""
    prefix = f"calma-test-{uuid.uuid4().hex}"
    location = os.environ["REDIS_URL"]
    config = {
        "default": {
            "BACKEND": "studio.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url(location)
    try:
        with override_settings(CACHES=config):
            assert isinstance(caches["default"], RedisCache)
            yield client, prefix
    finally:
        try:
            for key in client.scan_iter(match=f"{prefix}:*"):
                client.delete(key)
        finally:
            client.close()
