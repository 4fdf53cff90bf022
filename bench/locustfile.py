"""Locust users for the HTTP load benchmark; bench/http_load.py runs one class per run.

Every user sends its next request as soon as the last one is answered (no think time), so
``-u 8`` keeps exactly eight requests in flight: a closed loop at eight concurrent users.
What to ask for (service, length, week, the starts to book, django-appointment's ids) comes
from the JSON file named by ``CALMA_BENCH_CONFIG``, written by bench/http_load.py.
"""

import json
import os
import time
from collections import deque
from pathlib import Path

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

if "CALMA_BENCH_CONFIG" not in os.environ:
    raise SystemExit("Run through bench/http_load.py: CALMA_BENCH_CONFIG is not set.")
CONFIG = json.loads(Path(os.environ["CALMA_BENCH_CONFIG"]).read_text())

BARE = "bare view"
HOME = "home page"
SERVICE_PAGE = "service page"
TIMES = "times page, anyone"
HOLD = "booking POST (hold)"
APPOINTMENT_DAY = "django-appointment: 1 staff, 1 day"
APPOINTMENT_WEEK = "django-appointment: week, all staff"

# Starts that can all be held at once, each as many times as it has free therapist-and-room
# pairs (see bench/http_load.py): every POST should win, so any refusal is an error.
HOLD_STARTS = deque(CONFIG.get("hold_starts", []))


# Client pages in the studio's first language: an address without one is redirected to it.
LANGUAGE = CONFIG.get("language", "ca")


def times_url(*, therapist: str = "any") -> str:
    """The times page as the service page links to it: the month of next Monday, and that day."""
    return (
        f"/{LANGUAGE}/book/{CONFIG['service_slug']}/?length={CONFIG['length_pk']}"
        f"&therapist={therapist}&day={CONFIG['day']}"
    )


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)


class BareView(BenchUser):
    @task
    def bare(self):
        self.client.get("/bench/bare", name=BARE)


class HomePage(BenchUser):
    @task
    def home(self):
        self.client.get(f"/{LANGUAGE}/", name=HOME)


class ServicePage(BenchUser):
    @task
    def service_page(self):
        self.client.get(f"/{LANGUAGE}/services/{CONFIG['service_slug']}/", name=SERVICE_PAGE)


class TimesPage(BenchUser):
    @task
    def times(self):
        self.client.get(times_url(), name=TIMES)


class AppointmentWeek(BenchUser):
    """The same week through django-appointment: one JSON request per staff member and day.

    Its slot API answers for one staff member on one date, and has no "anyone", so a week
    for anyone is ``days × staff`` requests. Each is recorded, and so is the whole week as
    one entry whose time is the sum of its requests.
    """

    @task
    def week(self):
        started = time.perf_counter()
        failed = None
        size = 0
        for day in CONFIG["appointment"]["days"]:
            for staff_id in CONFIG["appointment"]["staff_ids"]:
                with self.client.get(
                    "/appointment/ajax/available_slots/",
                    params={
                        "selected_date": day,
                        "staff_member": staff_id,
                        "service_id": CONFIG["appointment"]["service_id"],
                    },
                    headers={"X-Requested-With": "XMLHttpRequest"},
                    name=APPOINTMENT_DAY,
                    catch_response=True,
                ) as response:
                    size += len(response.content or b"")
                    # "No availability" and "not a working day" are answers, not errors.
                    if response.status_code != 200 or "available_slots" not in response.text:
                        failed = f"HTTP {response.status_code}"
                        response.failure(failed)
        self.environment.events.request.fire(
            request_type="WEEK",
            name=APPOINTMENT_WEEK,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=size,
            exception=RuntimeError(failed) if failed else None,
            context={},
        )


class HoldPost(BenchUser):
    """Post the hold form, as the times page does, with this user's own session and token."""

    def on_start(self):
        self.client.get(times_url(), name="(setup) times page for the CSRF cookie")
        self.token = next(
            (cookie.value for cookie in self.client.cookiejar if cookie.name == "csrftoken"), ""
        )

    @task
    def hold(self):
        if not HOLD_STARTS:
            # Every prepared start is taken: stop rather than post refusals. Locust's req/s
            # counts up to the last request, so the idle rest of the run does not dilute it.
            raise StopUser
        start = HOLD_STARTS.popleft()
        with self.client.post(
            f"/{LANGUAGE}/book/{CONFIG['service_slug']}/hold/",
            data={
                "length": CONFIG["length_pk"],
                "therapist": "any",
                "start": start,
                "day": CONFIG["day"],
            },
            headers={"X-CSRFToken": self.token, "Referer": self.host + times_url()},
            allow_redirects=False,
            name=HOLD,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/book/hold/" not in (
                response.headers.get("Location") or ""
            ):
                response.failure(f"HTTP {response.status_code} for {start}")
