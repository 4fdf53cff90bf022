"""Walk the client's booking flow through the Django test client, as a browser would.

The views read the real clock, so every start comes from the slot grid they render.
"""

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client as Browser
from django.urls import reverse

from bookings.models import Booking
from tests.auth import sign_in
from tests.bookings.messages.conftest import clock, make  # noqa: F401  (test_rescreen)

# Nothing to report, for the questions every service asks.
COMMON_CLEAR = {
    "leg_symptoms": "no",
    "blood_clot": "no",
    "circulatory_condition": "no",
    "pregnant": "no",
    "injury_or_surgery": "no",
    "intense_pain": "no",
    "diabetes_or_neuropathy": "no",
    "medical_condition": "no",
}
LEG_CLEAR = {"varicose_veins": "none", "skin_wound": "no", "skin_problems": "no"}
FOOT_CLEAR = {"foot_skin": "no"}
CLEAR_ANSWERS = {
    "leg-massage": COMMON_CLEAR | LEG_CLEAR,
    "foot-massage": COMMON_CLEAR | FOOT_CLEAR,
    "sports-massage": COMMON_CLEAR | LEG_CLEAR | {"sports_recent_injury": "no"},
    "lymphatic-drainage": COMMON_CLEAR | LEG_CLEAR | {"lymphatic_assessed": "yes"},
    "leg-and-foot-massage": COMMON_CLEAR | LEG_CLEAR | FOOT_CLEAR,
}

_START = re.compile(r'name="start" value="([^"]+)"')
_LENGTH = re.compile(r'<input type="hidden" name="length" value="(\d+)">')
# Enough weeks to get past a weekend or a fully held week.
_WEEKS_TO_TRY = 4


def clear_answers(service: str, **changes) -> dict:
    """Return the "nothing to report" answers for a service, with some changed."""
    return CLEAR_ANSWERS[service] | changes


def offered_starts(
    browser: Browser,
    service: str,
    *,
    therapist: str = "any",
    week: date | None = None,
    length: str | None = None,
) -> tuple[str, list[str]]:
    """Return the length id and the starts the times page offers for one day.

    ``week`` names the day (the parameter old links carry); without it the page opens on
    the first day with free times.

    Without a length the page's default (the shortest) is used; the page ignores a
    therapist asked for without a length, so it is looked up first.
    """
    url = reverse("bookings:booking_times", kwargs={"slug": service})
    if length is None:
        length = _LENGTH.search(browser.get(url).content.decode()).group(1)
    params = {"length": length, "therapist": therapist}
    if week is not None:
        params["week"] = week.isoformat()
    response = browser.get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<input type="hidden" name="therapist" value="{therapist}">' in html
    return _LENGTH.search(html).group(1), _START.findall(html)


def first_offer(browser: Browser, service: str, *, therapist: str = "any") -> tuple[str, str]:
    """Return the length id and the first start offered: the picker opens on its day."""
    length, starts = offered_starts(browser, service, therapist=therapist)
    if not starts:
        raise AssertionError(f"no free start for {service} with {therapist}")
    return length, starts[0]


def hold(
    browser: Browser, service: str, *, therapist: str = "any", start: str | None = None
) -> Booking:
    """Pick a start from the grid (or the one given) and hold it; return the held booking."""
    length, first = first_offer(browser, service, therapist=therapist)
    response = browser.post(
        reverse("bookings:booking_hold", kwargs={"slug": service}),
        {"length": length, "therapist": therapist, "start": start or first},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    public_id = response.url.rstrip("/").rsplit("/", 1)[-1]
    return Booking.objects.get(public_id=public_id)


def give_details(
    browser: Browser,
    booking: Booking,
    *,
    name: str = "Marta Soler",
    email: str = "marta@example.com",
    phone: str = "+34 600 111 222",
) -> None:
    response = browser.post(
        reverse("bookings:booking_details", kwargs={"public_id": booking.public_id}),
        {"name": name, "email": email, "phone": phone},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == health_url(booking)


def health_url(booking: Booking) -> str:
    return reverse("intake:intake_form", kwargs={"public_id": booking.public_id})


def form_data(answers: dict, *, consent: bool = True, version: int | str = 1) -> dict:
    """Return the POST data of the health form for these answers."""
    data = {f"q_{code}": value for code, value in answers.items()}
    data["version"] = version
    if consent:
        data["consent"] = "on"
    return data


def send_answers(browser: Browser, booking: Booking, answers: dict, **options):
    return browser.post(health_url(booking), form_data(answers, **options))


def book(
    browser: Browser,
    service: str = "leg-massage",
    answers: dict | None = None,
    *,
    therapist: str = "any",
    start: str | None = None,
    **details,
):
    """Walk the whole flow; return the booking (refreshed) and the health form's response."""
    booking = hold(browser, service, therapist=therapist, start=start)
    give_details(browser, booking, **details)
    response = send_answers(
        browser, booking, clear_answers(service) if answers is None else answers
    )
    booking.refresh_from_db()
    return booking, response


def staff_browser(username: str) -> Browser:
    """Return a browser logged in as one of the demo studio's people."""
    browser = Browser()
    sign_in(browser, User.objects.get(username=username))
    return browser


@pytest.fixture
def visitor(client, demo_studio):
    """The client's browser, on the demo studio."""
    return client


@pytest.fixture
def other_visitor(demo_studio):
    """Somebody else's browser: another session."""
    return Browser()
