"""Fixtures for the booking tests."""

import pytest

from tests.bookings.helpers import Demo


@pytest.fixture
def demo(demo_studio) -> Demo:
    """Return lookups into the loaded demo studio."""
    return Demo()
