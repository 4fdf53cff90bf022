"""Every URL, for every staff account that has not passed its second factor: the code first.

Walks the same routes as the role table (tests/security/test_staff_roles.py), so a new page is
covered the day it is added.
"""

import pytest
from django.test import Client as Browser
from django.urls import get_resolver, reverse

from accounts.middleware import OPEN_BEFORE_SECOND_FACTOR
from tests.auth import authenticator_for
from tests.bookings.staff.conftest import demo, monday  # noqa: F401  (fixtures of objects)
from tests.security.test_staff_roles import ANA, BEN, OWNER, STAFF, objects, url_arguments, walk

pytestmark = pytest.mark.django_db

__all__ = ["objects"]  # the fixture, shared with the role table


def test_no_url_opens_to_a_staff_account_before_its_second_factor(objects):
    """Without an authenticator: the set-up; with one: the code. Nothing else, the admin too."""
    authenticator_for(objects["users"][BEN])
    authenticator_for(objects["users"][OWNER])
    arguments = url_arguments(objects)
    routes = dict(walk(get_resolver().url_patterns))
    wrong = []
    for role, step in (
        (ANA, "accounts:mfa_setup"),
        (STAFF, "accounts:mfa_setup"),
        (BEN, "accounts:mfa_verify"),
        (OWNER, "accounts:mfa_verify"),
    ):
        browser = Browser()
        browser.force_login(objects["users"][role])  # the password step only
        for name in routes.values():
            if name in OPEN_BEFORE_SECOND_FACTOR:
                continue
            url = reverse(name, kwargs=arguments.get(name, {}))
            for method in ("get", "post"):
                response = getattr(browser, method)(url)
                target = response.get("Location", "")
                if response.status_code != 302 or not target.startswith(reverse(step)):
                    wrong.append(
                        f"{method.upper()} {url} as {role}: {response.status_code} {target}"
                    )
    assert not wrong, "\n".join(wrong)
    # Only the sign-in steps, the password reset and the health check are open: adding a
    # page to that list is a decision, made here too.
    assert {
        "accounts:logout",
        "admin:logout",
        "accounts:mfa_setup",
        "accounts:mfa_setup_qr",
        "accounts:mfa_verify",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "healthz",
    } == OPEN_BEFORE_SECOND_FACTOR
