"""The booking policies page: the owner and front desk set notice, horizon, holds and steps."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from studio.models import Studio
from tests.bookings.staff.conftest import browser_for

pytestmark = pytest.mark.django_db

URL = reverse("studio:policies")


def policies(**changes) -> dict:
    data = {
        "min_notice_minutes": 120,
        "horizon_days": 60,
        "hold_minutes": 10,
        "cancel_window_hours": 24,
        "reminder_hours": 24,
        "phone_hold_hours": 48,
        "slot_step_minutes": 15,
        "waitlist_offer_minutes": 120,
        "no_show_limit": 2,
    }
    return data | changes


def test_the_owner_changes_the_policies_and_the_times_follow(demo_studio):
    browser = browser_for("owner")
    before = browser.get(reverse("bookings:booking_times", kwargs={"slug": "leg-massage"}))
    assert before.context["picker"].periods

    response = browser.post(
        URL,
        policies(slot_step_minutes=30, hold_minutes=15, waitlist_offer_minutes=60, no_show_limit=3),
        follow=True,
    )

    assert response.redirect_chain == [(URL, 302)]
    assert "The booking policies are saved." in response.content.decode()
    studio = Studio.objects.get()
    assert (
        studio.slot_step_minutes,
        studio.hold_minutes,
        studio.waitlist_offer_minutes,
        studio.no_show_limit,
    ) == (30, 15, 60, 3)
    after = browser.get(reverse("bookings:booking_times", kwargs={"slug": "leg-massage"}))
    minutes = {
        at.split(":")[1] for period in after.context["picker"].periods for _v, at in period.slots
    }
    assert minutes and minutes <= {"00", "30"}


@pytest.mark.parametrize(
    "changes",
    [
        {"slot_step_minutes": 1},
        {"hold_minutes": 0},
        {"horizon_days": 5000},
        {"min_notice_minutes": -1},
        {"cancel_window_hours": "a day"},
        {"phone_hold_hours": ""},
        {"waitlist_offer_minutes": 5},
        {"no_show_limit": -1},
        {"no_show_limit": 50},
    ],
)
def test_a_policy_out_of_bounds_is_a_form_error_and_changes_nothing(demo_studio, changes):
    before = Studio.objects.values().get()
    response = browser_for("frontdesk").post(URL, policies(**changes))
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert Studio.objects.values().get() == before


def test_who_may_set_the_policies(demo_studio):
    assert browser_for("ana").get(URL).status_code == 404
    assert browser_for("ana").post(URL, policies(hold_minutes=20)).status_code == 404
    assert Studio.objects.get().hold_minutes == 10
    anonymous = Browser().get(URL)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
