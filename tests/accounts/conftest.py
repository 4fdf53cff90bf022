"""Fixtures for the account tests: the demo studio's people, and a pinned clock."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, User

from studio.roles import Role
from tests.factories import UserFactory

# Tuesday 1 December 2026, 10:00 UTC: every test here runs on this clock.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    """Pin the clock (time.time included, which TOTP codes use) for the whole test."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(demo_studio) -> dict[str, User]:
    """The demo's front desk, owner and a therapist, and a client with an account."""
    marta = UserFactory(username="marta", email="marta@example.com")
    marta.set_password("marta-pass-2026")
    marta.save()
    marta.groups.add(Group.objects.get(name=Role.CLIENT))
    return {
        "frontdesk": User.objects.get(username="frontdesk"),
        "owner": User.objects.get(username="owner"),
        "ana": User.objects.get(username="ana"),
        "marta": marta,
    }
