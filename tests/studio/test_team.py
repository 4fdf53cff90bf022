"""The team's pages: the owner and front desk set who offers which massage and their hours."""

from datetime import time

import pytest
from django.urls import reverse

from bookings import selectors
from studio.models import Service, Therapist, WorkingHours
from tests.bookings.staff.conftest import browser_for, next_monday

pytestmark = pytest.mark.django_db


def edit_url(slug: str) -> str:
    return reverse("team:therapist_edit", kwargs={"slug": slug})


def form_for(therapist: Therapist, rows: list[tuple], *, services=None, active=True) -> dict:
    """The edit form as a browser posts it: existing rows by id, then new ones."""
    existing = list(therapist.hours.all())
    data = {
        "services": [
            s.pk for s in (services if services is not None else therapist.services.all())
        ],
        "hours-TOTAL_FORMS": len(existing) + len(rows),
        "hours-INITIAL_FORMS": len(existing),
        "hours-MIN_NUM_FORMS": 0,
        "hours-MAX_NUM_FORMS": 50,
    }
    if active:
        data["is_active"] = "on"
    for index, row in enumerate(existing):
        data |= {
            f"hours-{index}-weekday": row.weekday,
            f"hours-{index}-starts": row.starts.strftime("%H:%M"),
            f"hours-{index}-ends": row.ends.strftime("%H:%M"),
            f"hours-{index}-DELETE": "on",  # replaced by the rows given
        }
    for offset, (weekday, starts, ends) in enumerate(rows, start=len(existing)):
        data |= {
            f"hours-{offset}-weekday": weekday,
            f"hours-{offset}-starts": starts,
            f"hours-{offset}-ends": ends,
        }
    return data


def monday_starts(therapist: Therapist) -> list[str]:
    service = Service.objects.get(slug="leg-massage")
    found = selectors.availability(
        service=service,
        length=service.lengths.get(minutes=60),
        therapist=therapist,
        first_day=next_monday(),
        days=1,
    )
    return [slot.start.astimezone(selectors.studio_tz()).strftime("%H:%M") for slot in found.slots]


def test_the_front_desk_changes_a_therapists_hours_and_the_free_times_follow(demo_studio):
    ana = Therapist.objects.get(slug="ana")
    assert monday_starts(ana)[0] == "09:00"
    desk = browser_for("frontdesk")

    response = desk.post(
        edit_url("ana"), form_for(ana, [(0, "15:00", "19:00"), (2, "09:00", "13:00")])
    )

    assert response.status_code == 302
    assert response.url == reverse("team:team")
    assert list(ana.hours.values_list("weekday", "starts", "ends")) == [
        (0, time(15), time(19)),
        (2, time(9), time(13)),
    ]
    assert monday_starts(ana)[0] == "15:00"
    page = desk.get(reverse("team:team")).content.decode()
    assert "Monday 15:00–19:00" in page


def test_overlapping_or_backwards_hours_are_refused_and_nothing_changes(demo_studio):
    ana = Therapist.objects.get(slug="ana")
    before = list(ana.hours.values_list("weekday", "starts", "ends"))
    desk = browser_for("owner")
    for rows, message in (
        (
            [(0, "09:00", "13:00"), (0, "12:00", "15:00")],
            "Two stretches of hours overlap on Monday.",
        ),
        ([(1, "14:00", "10:00")], "Working hours must end after they start."),
    ):
        response = desk.post(edit_url("ana"), form_for(ana, rows))
        assert response.status_code == 400
        assert message in response.content.decode()
    assert list(ana.hours.values_list("weekday", "starts", "ends")) == before


def test_services_offered_and_inactive(demo_studio):
    ben = Therapist.objects.get(slug="ben")
    foot = Service.objects.get(slug="foot-massage")
    response = browser_for("owner").post(
        edit_url("ben"),
        form_for(ben, [(0, "14:00", "20:00")], services=[foot], active=False),
    )
    assert response.status_code == 302
    ben.refresh_from_db()
    assert list(ben.services.all()) == [foot]
    assert not ben.is_active
    assert WorkingHours.objects.filter(therapist=ben).count() == 1


@pytest.mark.parametrize("who, status", [("ana", 404), ("frontdesk", 200), ("owner", 200)])
def test_who_may_open_the_team_pages(demo_studio, who, status):
    browser = browser_for(who)
    assert browser.get(reverse("team:team")).status_code == status
    assert browser.get(edit_url("ben")).status_code == status


def test_a_forged_therapist_is_not_found_and_a_visitor_is_asked_to_sign_in(demo_studio):
    assert browser_for("owner").get(edit_url("nobody")).status_code == 404
    from django.test import Client

    response = Client().get(reverse("team:team"))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_blank_extra_lines_are_left_alone(demo_studio):
    """The page offers two empty lines: sent empty, they add nothing and refuse nothing."""
    ben = Therapist.objects.get(slug="ben")
    data = form_for(ben, [(0, "14:00", "20:00")])
    count = data["hours-TOTAL_FORMS"]
    data["hours-TOTAL_FORMS"] = count + 2
    for index in (count, count + 1):
        data |= {
            f"hours-{index}-weekday": "",
            f"hours-{index}-starts": "",
            f"hours-{index}-ends": "",
        }
    response = browser_for("frontdesk").post(edit_url("ben"), data)
    assert response.status_code == 302
    assert list(ben.hours.values_list("weekday", flat=True)) == [0]
