"""Fixtures for the privacy tests: one studio, one booking set, and one way to sign in."""

import pytest
from django.test import Client as Browser

from tests import auth
from tests.bookings.staff.conftest import demo, monday  # noqa: F401  (the demo studio's fixtures)


def sign_in(user) -> Browser:
    """Return a browser signed in as the user (staff past the second factor): every test here
    signs in through this."""
    browser = Browser()
    if user is not None:
        auth.sign_in(browser, user)
    return browser


@pytest.fixture
def signed_in():
    return sign_in
