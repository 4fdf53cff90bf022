"""A bad-input corpus over every form field and URL parameter: no 5xx, no refused write.

Every public and staff form is posted with each field replaced in turn by hostile or absurd
values (empty, 10,000 characters, emoji and right-to-left text, NUL bytes, markup, impossible
dates, forged ids), every URL parameter and token is tampered with, every route is asked
with the wrong methods and without a CSRF token, and successful posts are replayed. The
rules checked: no answer is a 5xx, and a refused request changes no row of the studio's,
the bookings' or the intake's tables (a checksum of each table, before and after).

Each tampered request runs in a savepoint rolled back afterwards, so every case meets the
same studio. The clock is pinned (time-machine) for the whole module. Runs on SQLite and,
with DATABASE_URL, on PostgreSQL, where a NUL byte in a query is an error.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.test import Client as Browser
from django.test import override_settings
from django.urls import reverse

from bookings import services, waitlist
from bookings.messages import links
from bookings.models import (
    Booking,
    BookingStatus,
    Client,
    Notification,
    WaitlistEntry,
    WaitlistOffer,
)
from intake.models import (
    AccessLog,
    AftercareReport,
    Consent,
    ConsentText,
    Question,
    Questionnaire,
    Review,
    SessionNote,
    SessionNoteAddendum,
    Submission,
)
from intake.services import intake_submit, questionnaire_copy_as_draft
from studio.models import Room, Service, ServiceLength, Studio, Therapist, TimeOff, WorkingHours
from tests.auth import sign_in
from tests.bookings.messages.conftest import LEG_CLEAR

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
# Monday 23 November 2026, 09:00 in Madrid.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
# Monday 30 November: Ana works 09–14, Ben 14–20 (the demo studio).
DAY = "2026-11-30"
CONFIRMED_AT = datetime(2026, 11, 30, 10, 0, tzinfo=MADRID)
REVIEW_AT = datetime(2026, 11, 30, 12, 0, tzinfo=MADRID)
PHONE_AT = datetime(2026, 11, 30, 15, 0, tzinfo=MADRID)
FREE_AT = datetime(2026, 11, 30, 17, 0, tzinfo=MADRID)

LEG_REVIEW = LEG_CLEAR | {"pregnant": "yes", "pregnancy_complications": "no"}
RESCREEN_CLEAR = {
    "leg_symptoms_now": "no",
    "clot_now": "no",
    "new_injury": "no",
    "anything_changed": "no",
}

OTHER_UUID = "4f9c2a8e-0000-4000-8000-000000000000"
# Every field and parameter gets these; those that take dates, ids or URLs get more below.
VALUES = [
    "",
    "x" * 10_000,
    "😀🏽 مرحبا \u202egnp.exe \u200d",
    "a\x00b",
    '<script>alert(1)</script>"><img src=x onerror=alert(1)>',
    "9999-12-31",
    "99999999999999999999",
    "²",
]
DATE_VALUES = ["2025-02-30", "0001-01-01", "9999-12-31T23:45:00+01:00", "24:61"]
ID_VALUES = [OTHER_UUID, "-1", "0", "1.5"]
URL_VALUES = ["javascript:alert(1)", "//evil.example/", "https://evil.example/x", "abc"]
DATE_NAMES = ("day", "date", "week", "start", "time")
ID_NAMES = ("client", "therapist", "service", "length", "room", "version", "status", "kind")


def values_for(name: str) -> list[str]:
    """Return the values a field or parameter is tried with, by what it takes."""
    values = list(VALUES)
    if any(part in name for part in DATE_NAMES):
        values += DATE_VALUES
    if any(part in name for part in ID_NAMES) or name.startswith("q_"):
        values += ID_VALUES
    if name in ("next", "k", "resource", "view", "by"):
        values += URL_VALUES
    return values


# Every table a public or staff page writes to (the admin's are not in the corpus).
WRITABLE = [
    Studio,
    Service,
    ServiceLength,
    Room,
    Service.rooms.through,
    Therapist,
    WorkingHours,
    Booking,
    Client,
    Notification,
    TimeOff,
    Therapist,
    Submission,
    Consent,
    Review,
    AccessLog,
    Questionnaire,
    Question,
    ConsentText,
    SessionNote,
    SessionNoteAddendum,
    AftercareReport,
    WaitlistEntry,
    WaitlistOffer,
]
# Statuses of a request that was refused: nothing may have changed.
REFUSED = {400, 403, 404, 405, 409, 429}


def snapshot() -> dict[str, str]:
    """Return a checksum of every row of each table a page of the site can write to."""
    sums = {}
    for model in WRITABLE:
        rows = list(model.objects.order_by("pk").values_list())
        sums[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return sums


def changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


@dataclass
class World:
    """The demo studio with a booking in each state the pages deal with."""

    confirmed: Booking
    awaiting: Booking
    phone: Booking
    browsers: dict[str, Browser] = field(default_factory=dict)

    def browser(self, who: str) -> Browser:
        return self.browsers[who]


def _hold(*, therapist: str, start: datetime, email: str, source=Booking.Source.ONLINE):
    service = Service.objects.get(slug="leg-massage")
    booking = services.hold_create(
        service=service,
        length=ServiceLength.objects.get(service=service, minutes=60),
        therapist=Therapist.objects.get(slug=therapist),
        start_at=start,
        now=NOW,
        source=source,
    )
    return services.hold_attach_client(
        booking=booking, name="Marta", email=email, phone="600", now=NOW
    )


def _browser(username: str | None) -> Browser:
    browser = Browser(raise_request_exception=False)
    if username:
        sign_in(browser, User.objects.get(username=username))
    return browser


@pytest.fixture
def world(demo_studio, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        confirmed = _hold(therapist="ana", start=CONFIRMED_AT, email="marta@example.com")
        intake_submit(booking=confirmed, answers=LEG_CLEAR, consent_given=True, now=NOW)
        awaiting = _hold(therapist="ana", start=REVIEW_AT, email="joan@example.com")
        intake_submit(booking=awaiting, answers=LEG_REVIEW, consent_given=True, now=NOW)
        phone = _hold(
            therapist="ben",
            start=PHONE_AT,
            email="lucia@example.com",
            source=Booking.Source.PHONE,
        )
        confirmed.refresh_from_db()
        awaiting.refresh_from_db()
        assert confirmed.status == BookingStatus.CONFIRMED
        assert awaiting.status == BookingStatus.AWAITING_REVIEW
        world = World(confirmed=confirmed, awaiting=awaiting, phone=phone)
        for who in ("frontdesk", "owner", "ana"):
            world.browsers[who] = _browser(who)
        world.browsers["anonymous"] = _browser(None)
        # The client's own browser: it opened the emailed (proven) manage link.
        client = _browser(None)
        proof = links.client_proof(confirmed)
        assert client.get(f"{confirmed.get_manage_url()}?k={proof}").status_code == 200
        world.browsers["client"] = client
        yield world


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _no_visitor_limits():
    """Lift the hold limits: the corpus posts hundreds of holds from one address."""
    with override_settings(
        CALMA_HOLDS_PER_SESSION=10**6, CALMA_HOLDS_PER_IP=10**6, CALMA_HOLD_RATE=None
    ):
        yield


class Corpus:
    """Send requests in rolled-back savepoints; collect 5xx answers and refused writes."""

    def __init__(self):
        self.failures: list[str] = []
        self.sent = 0
        # Every case but a kept one is rolled back: the tables are as they were before it.
        self._before: dict | None = None

    def send(self, browser: Browser, method: str, url: str, data=None, *, keep=False):
        """Send one request; with ``keep``, let its writes stand (for replays)."""
        cache.clear()  # no stored week of times hides a page from the corpus
        self.sent += 1
        label = f"{method.upper()} {url[:120]!r} {_short(data)}"
        if self._before is None or keep:
            self._before = snapshot()
        before = self._before
        with transaction.atomic():
            response = getattr(browser, method)(url, data or {})
            try:
                after = snapshot() if keep or response.status_code in REFUSED else before
            except DatabaseError as error:  # the request left the transaction broken
                transaction.set_rollback(True)
                self.failures.append(f"{response.status_code} for {label}: {error}")
                return response, ["?"]
            if not keep:
                transaction.set_rollback(True)
        if keep:
            self._before = None
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code} for {label}")
        elif response.status_code in REFUSED and changed(before, after):
            self.failures.append(
                f"{response.status_code} for {label} changed {changed(before, after)}"
            )
        return response, changed(before, after)

    def fields(self, browser, url: str, base: dict, *, names=None):
        """Post the form once per field and value, the rest of it left valid."""
        for name in names or list(base):
            for value in values_for(name):
                self.send(browser, "post", url, base | {name: value})
        # And once with a field the form does not have, once with nothing at all.
        self.send(browser, "post", url, base | {"unexpected\x00": VALUES[1]})
        self.send(browser, "post", url, {})

    def params(self, browser, url: str, names: list[str], *, values=None):
        """Ask a page with each query parameter replaced by each value."""
        for name in names:
            for value in values or values_for(name):
                self.send(browser, "get", url, {name: value})

    def check(self):
        assert self.sent > 0
        assert not self.failures, "\n".join(self.failures[:40])


def _short(data) -> str:
    if not data:
        return ""
    return repr(
        {key: (value[:40] if isinstance(value, str) else value) for key, value in data.items()}
    )


@pytest.fixture
def corpus() -> Corpus:
    return Corpus()


def _local(moment: datetime) -> str:
    return moment.astimezone(MADRID).isoformat()


def _intake_data(answers: dict, *, version=1, consent=True) -> dict:
    data = {f"q_{code}": value for code, value in answers.items()}
    data["version"] = version
    if consent:
        data["consent"] = "on"
    return data


# --- the client's pages ----------------------------------------------------------------------


def test_the_booking_flow_survives_every_bad_value(world, corpus):
    """Times, hold, details and health questions: every field, every value."""
    anonymous = world.browser("anonymous")
    length = ServiceLength.objects.get(service__slug="leg-massage", minutes=60)
    times = reverse("bookings:booking_times", kwargs={"slug": "leg-massage"})
    corpus.params(anonymous, times, ["length", "therapist", "week"])
    for slug in ("a%00b", "%F0%9F%98%80", "x" * 300):
        corpus.send(anonymous, "get", f"/en/book/{slug}/")
        corpus.send(anonymous, "post", f"/en/book/{slug}/hold/")
    hold_url = reverse("bookings:booking_hold", kwargs={"slug": "leg-massage"})
    hold = {"length": length.pk, "therapist": "ben", "start": _local(FREE_AT)}
    corpus.fields(anonymous, hold_url, hold)

    # A hold of this browser's own, for the details and the health questions.
    visitor = _browser(None)
    response, _changed = corpus.send(visitor, "post", hold_url, hold, keep=True)
    assert response.status_code == 302, response.content.decode()[:300]
    details = response.url
    corpus.fields(
        visitor, details, {"name": "Marta", "email": "m@example.com", "phone": "600 111 222"}
    )
    response, _changed = corpus.send(
        visitor,
        "post",
        details,
        {"name": "Marta", "email": "m@example.com", "phone": "600"},
        keep=True,
    )
    assert response.status_code == 302
    health = response.url
    base = _intake_data(LEG_CLEAR | {"anything_else": "nothing"})
    corpus.fields(
        visitor,
        health,
        base,
        names=["q_leg_symptoms", "q_varicose_veins", "q_anything_else", "consent", "version"],
    )
    corpus.send(visitor, "post", health, base | {"q_not_a_question": "yes"})
    corpus.check()


def test_the_manage_pages_survive_every_bad_value(world, corpus):
    """The manage page, its calendar file, cancel, reschedule, data export and erasure."""
    client = world.browser("client")
    token = world.confirmed.manage_token
    manage = reverse("bookings:booking_manage", kwargs={"token": token})
    corpus.params(client, manage, ["k", "new"])
    corpus.fields(
        client, reverse("bookings:booking_cancel", kwargs={"token": token}), {"reason": "ok"}
    )
    reschedule = reverse("bookings:booking_reschedule", kwargs={"token": token})
    corpus.params(client, reschedule, ["week"])
    corpus.fields(client, reschedule, {"start": _local(CONFIRMED_AT + timedelta(hours=1))})
    corpus.fields(
        client, reverse("intake:client_erase", kwargs={"token": token}), {"confirm": "no"}
    )
    for name in ("bookings:booking_ics", "intake:client_data"):
        corpus.send(client, "get", reverse(name, kwargs={"token": token}))
    corpus.check()


def test_the_rescreen_survives_every_bad_value(world, corpus):
    """The pre-visit re-screen, reached by its signed link."""
    anonymous = world.browser("anonymous")
    url = links.rescreen_url(world.confirmed).split("testserver", 1)[-1]
    url = "/" + url.split("/", 3)[-1]
    corpus.fields(
        anonymous,
        url,
        _intake_data(RESCREEN_CLEAR, consent=False),
        names=["q_leg_symptoms_now", "q_anything_changed", "version"],
    )
    corpus.check()


TOKEN_ROUTES = [
    "/en/b/{}/",
    "/en/b/{}/booking.ics",
    "/en/b/{}/cancel/",
    "/en/b/{}/reschedule/",
    "/en/my-data/{}/calma.json",
    "/en/my-data/{}/erase/",
    "/en/my-data/{}/send-link/",
    "/en/intake/{}/",
    "/en/feeds/{}.ics",
    "/en/rescreen/{}/",
    "/en/aftercare/{}/",
    "/en/reminder/{}/",
    "/en/waitlist/offer/{}/",
    "/en/waitlist/{}/",
    "/en/book/hold/{}/",
    "/en/book/hold/{}/health/",
    "/en/staff/bookings/{}/",
    "/en/therapist/reviews/{}/",
    "/en/therapist/reviews/{}/answers/",
    "/en/staff/clients/{}/",
    "/en/staff/waitlist/{}/offer/",
    "/en/studio/catalogue/services/{}/",
    "/en/studio/catalogue/services/{}/lengths/new/",
    "/en/studio/catalogue/lengths/{}/",
    "/en/studio/rooms/{}/",
]
BAD_TOKENS = [
    "%00",
    "abc%00def",
    "x" * 500,
    "%F0%9F%98%80",
    "%3Cscript%3E",
    "..%2F..%2Fetc",
    OTHER_UUID,
    "-1",
    "99999999999999999999",
]


def test_every_token_in_a_path_is_a_page_or_a_404(world, corpus):
    """NUL bytes, unicode, markup, forged and huge tokens in every path that carries one."""
    staff = world.browser("frontdesk")
    # A signed re-screen link whose payload is no booking id, and one for an unknown id.
    forged = [
        links.signing.dumps("not-a-uuid\x00", salt=links.RESCREEN_SALT),
        links.signing.dumps({"a": 1}, salt=links.RESCREEN_SALT),
        links.signing.dumps(OTHER_UUID, salt=links.RESCREEN_SALT),
    ]
    # The same for the reminder's answer, and a revision that is no number.
    forged_answers = [
        links.signing.dumps(["not-a-uuid\x00", 0], salt=links.REMINDER_SALT),
        links.signing.dumps({"a": 1}, salt=links.REMINDER_SALT),
        links.signing.dumps([str(world.confirmed.public_id), "0"], salt=links.REMINDER_SALT),
        links.signing.dumps([OTHER_UUID, 0], salt=links.REMINDER_SALT),
    ]
    for route in TOKEN_ROUTES:
        for token in [*BAD_TOKENS, *forged, *forged_answers]:
            response, _changed = corpus.send(staff, "get", route.format(token))
            if token in forged[:2] and route.startswith("/en/rescreen/"):
                assert response.status_code == 404
            if token in [*forged, *forged_answers] and route.startswith("/en/reminder/"):
                assert response.status_code == 404
        for token in BAD_TOKENS[:3]:
            corpus.send(staff, "post", route.format(token), {"reason": "x"})
    corpus.check()


def test_wrong_methods_are_refused_and_change_nothing(world, corpus):
    """PUT, DELETE and PATCH anywhere, GET on what only takes POST: 405, nothing changes."""
    staff = world.browser("frontdesk")
    token = world.confirmed.manage_token
    urls = [
        f"/en/b/{token}/",
        f"/en/b/{token}/cancel/",
        f"/en/b/{token}/reschedule/",
        f"/en/my-data/{token}/erase/",
        f"/en/my-data/{token}/send-link/",
        "/en/book/leg-massage/hold/",
        f"/en/staff/bookings/{world.confirmed.public_id}/move/",
        f"/en/staff/bookings/{world.confirmed.public_id}/cancel/",
        f"/en/staff/bookings/{world.confirmed.public_id}/mark/",
        f"/en/staff/bookings/{world.confirmed.public_id}/confirm/",
        "/en/staff/bookings/new/",
        "/en/staff/block/",
        f"/en/therapist/reviews/{world.awaiting.public_id}/",
        "/en/me/feed/",
        *_catalogue_urls(),
        *_rooms_urls(),
        "/en/studio/team/ana/",
        f"/en/reminder/{links.reminder_token(world.confirmed)}/",
    ]
    for url in urls:
        for method in ("put", "delete", "patch"):
            response, _changed = corpus.send(staff, method, url)
            assert response.status_code in (403, 404, 405), (method, url)
    only_posted = [urls[1], urls[4], urls[5], urls[6], urls[7], urls[8]]
    only_posted += [
        url for url in [*_catalogue_urls(), *_rooms_urls()] if url.endswith(("/move/", "/active/"))
    ]
    for url in only_posted:
        response, _changed = corpus.send(staff, "get", url)
        assert response.status_code in (404, 405), url
    corpus.check()


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(world, corpus):
    """Every form posted by a browser without the CSRF token: 403 and not one row changed."""
    token = world.confirmed.manage_token
    public_id = world.confirmed.public_id
    length = ServiceLength.objects.get(service__slug="leg-massage", minutes=60)
    posts = [
        (None, f"/en/b/{token}/cancel/", {"reason": ""}),
        (None, f"/en/reminder/{links.reminder_token(world.confirmed)}/", {"answer": "cancel"}),
        (None, f"/en/reminder/{links.reminder_token(world.confirmed)}/", {"answer": "confirm"}),
        (None, f"/en/my-data/{token}/send-link/", {}),
        (None, f"/en/my-data/{token}/erase/", {"confirm": "erase"}),
        (
            None,
            "/en/book/leg-massage/hold/",
            {"length": length.pk, "therapist": "any", "start": _local(FREE_AT)},
        ),
        ("frontdesk", f"/en/staff/bookings/{public_id}/cancel/", {"reason": "Phone call"}),
        ("frontdesk", f"/en/staff/bookings/{public_id}/mark/", {"status": "arrived"}),
        ("frontdesk", f"/en/staff/bookings/{public_id}/confirm/", {}),
        ("frontdesk", "/en/staff/block/", _block_data()),
        ("frontdesk", "/en/staff/bookings/new/", _phone_data()),
        ("ana", f"/en/therapist/reviews/{world.awaiting.public_id}/", {"decision": "approve"}),
        ("ana", "/en/me/feed/", {}),
        (None, "/en/accounts/login/", {"username": "owner", "password": "x"}),
        *(("owner", url, data) for url, data in _catalogue_posts()),
        *(("frontdesk", url, data) for url, data in _rooms_posts()),
    ]
    for who, url, data in posts:
        browser = Browser(enforce_csrf_checks=True, raise_request_exception=False)
        if who:
            sign_in(browser, User.objects.get(username=who))
        elif url.startswith(f"/en/b/{token}/"):
            proof = links.client_proof(world.confirmed)
            browser.get(f"/en/b/{token}/?k={proof}")
        response, _changed = corpus.send(browser, "post", url, data)
        assert response.status_code == 403, url
    corpus.check()


# --- the front desk's and the therapist's pages ----------------------------------------------


def _phone_data(**changes) -> dict:
    service = Service.objects.get(slug="leg-massage")
    data = {
        "client": "",
        "name": "Pere",
        "email": "pere@example.com",
        "phone": "600",
        "service": service.pk,
        "length": ServiceLength.objects.get(service=service, minutes=60).pk,
        "therapist": Therapist.objects.get(slug="ben").pk,
        "start": f"{DAY}T17:00:00+01:00",
        "intake": "link",
        "language": "en",
        "step": "hold",
    }
    return data | changes


def _block_data(**changes) -> dict:
    data = {
        "therapist": Therapist.objects.get(slug="ana").pk,
        "kind": "block",
        "start_day": "2026-12-01",
        "start_time": "09:00",
        "end_day": "2026-12-01",
        "end_time": "10:00",
        "reason": "Training",
    }
    return data | changes


def test_the_front_desk_pages_survive_every_bad_value(world, corpus):
    """Calendar, phone booking, booking card (move, cancel, mark), block, client search."""
    staff = world.browser("frontdesk")
    public_id = world.confirmed.public_id
    corpus.params(staff, "/en/staff/calendar/", ["date", "view", "by", "resource"])
    corpus.params(
        staff, "/en/staff/calendar/?view=week", ["resource"], values=["room-²", "therapist-abc"]
    )
    phone = ["client", "date", "day", "month", "service", "length", "therapist"]
    corpus.params(staff, "/en/staff/bookings/new/", phone)
    # And with a real massage chosen, so the picker reads what is left.
    leg = Service.objects.get(slug="leg-massage").pk
    for name in phone[:4] + phone[5:]:
        for value in values_for(name):
            corpus.send(staff, "get", "/en/staff/bookings/new/", {"service": leg, name: value})
    corpus.fields(staff, "/en/staff/bookings/new/", _phone_data())
    corpus.fields(
        staff,
        "/en/staff/bookings/new/",
        _phone_data(client=world.confirmed.client_id),
        names=["client"],
    )
    ana = Therapist.objects.get(slug="ana")
    move = {"day": DAY, "time": "09:00", "therapist": ana.pk, "room": ""}
    corpus.fields(staff, f"/en/staff/bookings/{public_id}/move/", move)
    corpus.fields(staff, f"/en/staff/bookings/{public_id}/cancel/", {"reason": "Phone call"})
    corpus.fields(
        staff,
        f"/en/staff/bookings/{public_id}/mark/",
        {"status": "arrived", "next": "/en/staff/calendar/"},
    )
    corpus.fields(
        staff, f"/en/staff/bookings/{public_id}/confirm/", {"next": "/en/staff/calendar/"}
    )
    corpus.fields(staff, "/en/staff/block/", _block_data())
    corpus.params(staff, "/en/staff/clients/", ["q"])
    team = {
        "services": Service.objects.get(slug="leg-massage").pk,
        "is_active": "on",
        "hours-TOTAL_FORMS": 1,
        "hours-INITIAL_FORMS": 0,
        "hours-MIN_NUM_FORMS": 0,
        "hours-MAX_NUM_FORMS": 50,
        "hours-0-weekday": 0,
        "hours-0-starts": "09:00",
        "hours-0-ends": "14:00",
    }
    corpus.fields(staff, "/en/studio/team/ana/", team)
    corpus.fields(
        staff,
        "/en/studio/policies/",
        {
            "min_notice_minutes": 120,
            "horizon_days": 60,
            "hold_minutes": 10,
            "cancel_window_hours": 24,
            "reminder_hours": 24,
            "phone_hold_hours": 48,
            "slot_step_minutes": 15,
            "waitlist_offer_minutes": 120,
            "no_show_limit": 2,
        },
    )
    corpus.params(staff, "/en/studio/team/", ["q"])
    first = Questionnaire.objects.order_by("pk").first().pk
    corpus.params(staff, f"/en/studio/questionnaires/{first}/", ["service"])
    corpus.fields(staff, f"/en/studio/questionnaires/{first}/publish/", {"read": "yes"})
    for key in ("bookings", "utilisation", "clients", "nothing"):
        corpus.params(staff, f"/en/studio/reports/{key}/", ["first", "last", "by", "format"])
    corpus.check()


def _catalogue_urls() -> list[str]:
    """Return the catalogue's addresses, for the leg massage and its 30 minutes."""
    service = Service.objects.get(slug="leg-massage").pk
    length = ServiceLength.objects.get(service__slug="leg-massage", minutes=30).pk
    return [
        "/en/studio/catalogue/",
        "/en/studio/catalogue/services/new/",
        f"/en/studio/catalogue/services/{service}/",
        f"/en/studio/catalogue/services/{service}/move/",
        f"/en/studio/catalogue/services/{service}/active/",
        f"/en/studio/catalogue/services/{service}/lengths/new/",
        f"/en/studio/catalogue/lengths/{length}/",
        f"/en/studio/catalogue/lengths/{length}/active/",
    ]


def _service_data(**changes) -> dict:
    service = Service.objects.get(slug="leg-massage")
    data = {
        "name_en": "Leg massage",
        "name_ca": "Massatge de cames",
        "name_es": "Masaje de piernas",
        "summary_en": "Legs.",
        "summary_ca": "",
        "summary_es": "",
        "description_en": "A leg massage.",
        "description_ca": "",
        "description_es": "",
        "slug": "leg-massage",
        "buffer_minutes": "10",
        "requires_assessment": "",
        "rooms": list(service.rooms.values_list("pk", flat=True)),
    }
    return data | changes


def _catalogue_posts() -> list[tuple[str, dict]]:
    """Return each catalogue form's address with data it would accept."""
    urls = _catalogue_urls()
    return [
        (urls[1], _service_data(name_en="Hand massage", slug="hand-massage")),
        (urls[2], _service_data(name_en="Legs, gently")),
        (urls[3], {"direction": "down"}),
        (urls[4], {"action": "withdraw"}),
        (urls[5], {"minutes": "90", "price": "80.00"}),
        (urls[6], {"minutes": "30", "price": "35.00"}),
        (urls[7], {"action": "withdraw"}),
    ]


def test_the_catalogue_pages_survive_every_bad_value(world, corpus):
    """Services and lengths: every field with every value, forged ids, double submits."""
    owner = world.browser("owner")
    for url in _catalogue_urls():
        corpus.send(owner, "get", url)
    for url, data in _catalogue_posts():
        corpus.fields(owner, url, data)
    for url, data in _catalogue_posts():
        first, _writes = corpus.send(owner, "post", url, data, keep=True)
        assert first.status_code == 302, (url, first.status_code)
        second, _writes = corpus.send(owner, "post", url, data, keep=True)
        assert second.status_code < 500
    corpus.check()


def _question_data(code: str) -> dict:
    """Return a draft question's form, valid: a choice with two answers and a review rule."""

    def management(prefix: str, total: int) -> dict:
        return {
            f"{prefix}-TOTAL_FORMS": total,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }

    texts = {"en": "Do you wear compression stockings?", "ca": "Mitges?", "es": "¿Medias?"}
    return {
        "code": code,
        "section": "circulation",
        "kind": "choice",
        "required": "on",
        **{f"text_{language}": text for language, text in texts.items()},
        "services": ["leg-massage"],
        "shown_when": ["leg_symptoms=yes"],
        **management("choices", 2),
        **{f"choices-0-label_{language}": "Never" for language in texts},
        "choices-0-value": "never",
        **{f"choices-1-label_{language}": "Daily" for language in texts},
        "choices-1-value": "daily",
        **management("rules", 1),
        "rules-0-when": ["daily"],
        "rules-0-level": "review",
        **{f"rules-0-reason_{language}": "Wears stockings" for language in texts},
    }


def test_a_drafts_question_pages_survive_every_bad_value(world, corpus):
    """Adding and editing a draft's questions, moving and removing them, and its title."""
    owner = world.browser("owner")
    current = Questionnaire.objects.get(kind="booking", published_at__isnull=False)
    draft = questionnaire_copy_as_draft(questionnaire=current)
    question = draft.questions.get(code="intense_pain")
    base = f"/en/studio/questionnaires/{draft.pk}/"
    edit = f"{base}questions/{question.pk}/"
    names = [
        "code",
        "section",
        "kind",
        "text_ca",
        "services",
        "shown_when",
        "choices-TOTAL_FORMS",
        "choices-0-value",
        "choices-1-label_en",
        "rules-INITIAL_FORMS",
        "rules-0-when",
        "rules-0-level",
        "rules-0-reason_en",
    ]
    corpus.fields(owner, f"{base}questions/new/", _question_data("stockings"), names=names)
    corpus.fields(owner, edit, _question_data("intense_pain"), names=names)
    corpus.fields(owner, f"{edit}move/", {"direction": "up"})
    corpus.fields(owner, f"{edit}remove/", {"remove": "yes"})
    corpus.fields(owner, f"{base}title/", {"title_en": "Health", "title_ca": "", "title_es": ""})
    current = ConsentText.objects.get()
    copied, _writes = corpus.send(
        owner, "post", f"/en/studio/consent/{current.pk}/copy/", {"copy": "yes"}, keep=True
    )
    assert copied.status_code == 302
    consent = ConsentText.objects.get(published_at__isnull=True)
    texts = {"text_en": "I agree.", "text_ca": "Hi estic d'acord.", "text_es": "Estoy de acuerdo."}
    corpus.fields(owner, f"/en/studio/consent/{consent.pk}/", texts)
    corpus.fields(owner, f"/en/studio/consent/{consent.pk}/copy/", {"copy": "yes"})
    corpus.fields(owner, f"/en/studio/consent/{consent.pk}/publish/", {"read": "yes"})
    for url in (f"{base}questions/999999999/", "/en/studio/questionnaires/999999999/title/"):
        response, _changed = corpus.send(owner, "get", url)
        assert response.status_code in (404, 405), url
    # The same question added twice: the second is refused, and the first stays as it was.
    first, _writes = corpus.send(
        owner, "post", f"{base}questions/new/", _question_data("x"), keep=True
    )
    assert first.status_code == 302
    second, _writes = corpus.send(
        owner, "post", f"{base}questions/new/", _question_data("x"), keep=True
    )
    assert second.status_code == 409
    assert draft.questions.filter(code="x").count() == 1
    corpus.check()


def _rooms_urls() -> list[str]:
    """Return the rooms page's addresses, for the olive room."""
    room = Room.objects.get(slug="olive").pk
    return ["/en/studio/rooms/", f"/en/studio/rooms/{room}/", f"/en/studio/rooms/{room}/active/"]


def _rooms_posts() -> list[tuple[str, dict]]:
    """Return each rooms form's address with data it would accept."""
    urls = _rooms_urls()
    olive = Room.objects.get(slug="olive")
    suits = list(olive.services.values_list("pk", flat=True))
    return [
        (urls[0], {"name": "Quiet room", "services": suits}),
        (urls[1], {"name": "Olive, renamed", "services": suits}),
        # Refused while the olive room is the only one for the lymphatic drainage; once the
        # quiet room above suits it too, it goes through.
        (urls[2], {"action": "deactivate"}),
    ]


def test_the_rooms_pages_survive_every_bad_value(world, corpus):
    """Rooms: every field with every value, forged ids, double submits."""
    staff = world.browser("frontdesk")
    for url in _rooms_urls():
        corpus.send(staff, "get", url)
    for url, data in _rooms_posts():
        corpus.fields(staff, url, data)
    for url, data in _rooms_posts():
        first, _writes = corpus.send(staff, "post", url, data, keep=True)
        assert first.status_code == 302, (url, first.status_code)
        second, _writes = corpus.send(staff, "post", url, data, keep=True)
        assert second.status_code < 500
    olive = Room.objects.get(slug="olive")
    assert (olive.name, olive.is_active) == ("Olive, renamed", False)
    corpus.check()


def test_a_waitlist_offer_survives_every_bad_value_and_a_double_claim(world, corpus):
    """A freed time offered from the waitlist: bad values, then the same claim twice."""
    service = Service.objects.get(slug="leg-massage")
    day = CONFIRMED_AT.date() + timedelta(days=1)
    entry = waitlist.waitlist_join(
        service=service,
        length=ServiceLength.objects.get(service=service, minutes=60),
        therapist=Therapist.objects.get(slug="ana"),
        window=waitlist.Window(day, day),
        name="Marta",
        email="marta@example.com",
        language="en",
        now=NOW,
    )
    waitlist.waitlist_sweep(now=NOW)
    offer = entry.offers.order_by("start_at").first()
    join = {
        "length": ServiceLength.objects.get(service=service, minutes=60).pk,
        "therapist": "any",
        "first_day": NOW.date().isoformat(),
        "last_day": day.isoformat(),
        "weekdays": ["3"],
        "parts": ["evening"],
        "name": "Joan",
        "email": "joan@example.com",
    }
    corpus.fields(world.browser("anonymous"), "/en/book/leg-massage/waitlist/", join)
    corpus.fields(world.browser("anonymous"), f"/en/waitlist/{entry.token}/", {"leave": "no"})
    corpus.fields(
        world.browser("frontdesk"),
        f"/en/staff/waitlist/{entry.pk}/remove/",
        {"remove": "no", "date": day.isoformat()},
    )
    corpus.send(world.browser("frontdesk"), "post", "/en/staff/waitlist/999999999/remove/", {})
    url = f"/en/waitlist/offer/{offer.token}/"
    visitor = world.browser("anonymous")
    corpus.fields(visitor, url, {"claim": "no"})
    first, _writes = corpus.send(visitor, "post", url, {"claim": "yes"}, keep=True)
    second, _writes = corpus.send(visitor, "post", url, {"claim": "yes"}, keep=True)
    assert first.status_code == second.status_code == 302
    assert Booking.objects.filter(pk=WaitlistOffer.objects.get(pk=offer.pk).booking_id).count() == 1

    # The front desk books a time for another waiting client by phone: every bad value, a
    # forged entry, no CSRF token, then the same time twice (one booking, nothing done twice).
    pau = waitlist.waitlist_join(
        service=service,
        length=ServiceLength.objects.get(service=service, minutes=60),
        therapist=None,
        window=waitlist.Window(day, day),
        name="Pau",
        email="pau@example.com",
        language="en",
        now=NOW,
    )
    desk = world.browser("frontdesk")
    offer_page = f"/en/staff/waitlist/{pau.pk}/offer/"
    chosen = {
        "therapist": Therapist.objects.get(slug="ana").pk,
        "start": _local(datetime(day.year, day.month, day.day, 11, tzinfo=MADRID)),
    }
    corpus.params(desk, offer_page, ["date"])
    corpus.fields(desk, offer_page, chosen)
    corpus.send(desk, "get", "/en/staff/waitlist/999999999/offer/")
    corpus.send(desk, "post", "/en/staff/waitlist/999999999/offer/", chosen)
    for method in ("put", "delete", "patch"):
        response, _writes = corpus.send(desk, method, offer_page)
        assert response.status_code == 405
    no_csrf = Browser(enforce_csrf_checks=True, raise_request_exception=False)
    sign_in(no_csrf, User.objects.get(username="frontdesk"))
    response, _writes = corpus.send(no_csrf, "post", offer_page, chosen)
    assert response.status_code == 403
    first, _writes = corpus.send(desk, "post", offer_page, chosen, keep=True)
    second, writes = corpus.send(desk, "post", offer_page, chosen, keep=True)
    assert first.status_code == second.status_code == 302
    assert writes == []
    assert Booking.objects.filter(client__email="pau@example.com").count() == 1
    corpus.check()


def test_the_aftercare_page_survives_every_bad_value(world, corpus):
    """How the client feels after the session: every field with every value, and a replay."""
    Booking.objects.filter(pk=world.confirmed.pk).update(status=BookingStatus.COMPLETED)
    url = f"/en/aftercare/{links.aftercare_token(world.confirmed)}/"
    visitor = world.browser("anonymous")
    with time_machine.travel(CONFIRMED_AT + timedelta(hours=3), tick=False):
        corpus.fields(visitor, url, {"feelings": ["dizziness"], "details": "Dizzy."})
        first, _writes = corpus.send(visitor, "post", url, {"feelings": ["well"]}, keep=True)
        second, _writes = corpus.send(visitor, "post", url, {"feelings": ["well"]}, keep=True)
        assert first.status_code == second.status_code == 200
    assert AftercareReport.objects.filter(booking=world.confirmed).count() == 1
    corpus.check()


def test_the_reminders_answer_survives_every_bad_value_and_each_answer_twice(world, corpus):
    """The reminder's confirm or cancel: every value, then each answer sent twice."""
    url = f"/en/reminder/{links.reminder_token(world.confirmed)}/"
    visitor = world.browser("anonymous")
    corpus.fields(visitor, url, {"answer": "maybe", "late": "yes"})
    corpus.params(visitor, url, ["answer", "late"])
    first, _writes = corpus.send(visitor, "post", url, {"answer": "confirm"}, keep=True)
    stamped = Booking.objects.get(pk=world.confirmed.pk).client_confirmed_at
    second, _writes = corpus.send(visitor, "post", url, {"answer": "confirm"}, keep=True)
    assert first.status_code == second.status_code == 200
    assert stamped == NOW
    assert Booking.objects.get(pk=world.confirmed.pk).client_confirmed_at == stamped
    corpus.fields(visitor, url, {"answer": "cancel", "late": "yes"}, names=["late"])
    first, _writes = corpus.send(visitor, "post", url, {"answer": "cancel"}, keep=True)
    second, _writes = corpus.send(visitor, "post", url, {"answer": "cancel"}, keep=True)
    assert (first.status_code, second.status_code) == (200, 409)
    assert Booking.objects.get(pk=world.confirmed.pk).status == BookingStatus.CANCELLED
    # The awaiting booking's client may not confirm it: refused, and nothing changes.
    awaiting = f"/en/reminder/{links.reminder_token(world.awaiting)}/"
    refused, _writes = corpus.send(visitor, "post", awaiting, {"answer": "confirm"})
    assert refused.status_code == 409
    corpus.check()


def test_the_session_note_pages_survive_every_bad_value(world, corpus):
    """The note of a completed session and its addendum: every field with every value."""
    Booking.objects.filter(pk=world.confirmed.pk).update(status=BookingStatus.COMPLETED)
    ana = world.browser("ana")
    url = f"/en/therapist/sessions/{world.confirmed.public_id}/note/"
    note = {
        "subjective": "Tight calves.",
        "objective": "Tension in the right calf.",
        "assessment": "",
        "plan": "Two weeks.",
        "areas": ["right_calf"],
        "techniques": ["effleurage"],
        "pressure": "medium",
        "response": "Relaxed.",
    }
    corpus.fields(ana, url, note)
    corpus.fields(ana, url + "addendum/", {"text": "Called: all well."})
    corpus.params(ana, url, ["date"])
    for who in ("frontdesk", "anonymous"):
        response, _changed = corpus.send(world.browser(who), "post", url, note)
        assert response.status_code == 404, who
    corpus.check()


def test_the_therapists_pages_survive_every_bad_value(world, corpus):
    """My day and week, my block, my feed, the review queue, a review and its answers."""
    ana = world.browser("ana")
    corpus.params(ana, "/en/me/day/", ["date"])
    corpus.params(ana, "/en/me/week/", ["date"])
    corpus.fields(ana, "/en/me/block/", _block_data(), names=["start_day", "end_time", "reason"])
    review = f"/en/therapist/reviews/{world.awaiting.public_id}/"
    corpus.fields(ana, review, {"decision": "adapt", "adaptations": "Gentle.", "message": ""})
    corpus.send(ana, "get", review + "answers/")
    corpus.fields(
        world.browser("anonymous"),
        "/en/accounts/login/",
        {"username": "owner", "password": "wrong"},
    )
    corpus.check()


# --- refusals that used to write anyway, and replays --------------------------------------------


def test_a_refused_phone_booking_leaves_the_clients_as_they_were(world, corpus):
    """A phone booking at a time that is not free creates no client and rewrites none."""
    staff = world.browser("frontdesk")
    clients = list(Client.objects.order_by("pk").values_list())
    for data in (
        # Ben is busy with the phone booking at 15:00: a new client's details...
        _phone_data(start=f"{DAY}T15:00:00+01:00", email="new@example.com"),
        # ...and an existing client's, renamed.
        _phone_data(start=f"{DAY}T15:00:00+01:00", email="marta@example.com", name="Someone Else"),
    ):
        response, writes = corpus.send(staff, "post", "/en/staff/bookings/new/", data, keep=True)
        assert response.status_code == 409
        assert "is not free then" in response.content.decode()
        assert writes == []
    assert list(Client.objects.order_by("pk").values_list()) == clients
    corpus.check()


def test_a_cancellation_reason_too_long_says_so_and_cancels_nothing(world, corpus):
    """Over 250 characters the booking stays, and the client is told why."""
    client = world.browser("client")
    url = reverse("bookings:booking_cancel", kwargs={"token": world.confirmed.manage_token})
    response, writes = corpus.send(client, "post", url, {"reason": "x" * 251}, keep=True)
    assert response.status_code == 302
    assert writes == []
    page = client.get(response.url).content.decode()
    assert "250 characters or fewer" in page
    world.confirmed.refresh_from_db()
    assert world.confirmed.status == BookingStatus.CONFIRMED


def test_a_mark_forms_next_goes_nowhere_but_this_site(world, corpus):
    """``next=javascript:…`` or another host falls back to the booking card."""
    staff = world.browser("frontdesk")
    url = f"/en/staff/bookings/{world.confirmed.public_id}/mark/"
    card = f"/en/staff/bookings/{world.confirmed.public_id}/"
    for target in ("javascript:alert(1)", "https://evil.example/", "//evil.example/", "\x00"):
        response, _writes = corpus.send(staff, "post", url, {"status": "x", "next": target})
        assert response.status_code == 302
        assert response.url == card
    response, _writes = corpus.send(
        staff, "post", url, {"status": "x", "next": "/en/staff/calendar/?date=2026-11-30"}
    )
    assert response.url == "/en/staff/calendar/?date=2026-11-30"
    corpus.check()


def test_a_move_or_reschedule_to_the_year_9999_is_refused_with_a_message(world, corpus):
    """The front desk's move and the client's reschedule refuse far dates, changing nothing."""
    staff = world.browser("frontdesk")
    ana = Therapist.objects.get(slug="ana")
    response, writes = corpus.send(
        staff,
        "post",
        f"/en/staff/bookings/{world.confirmed.public_id}/move/",
        {"day": "9999-12-31", "time": "23:45", "therapist": ana.pk},
    )
    assert response.status_code == 400
    assert "further ahead than we take bookings for" in response.content.decode()
    assert writes == []
    url = reverse("bookings:booking_reschedule", kwargs={"token": world.confirmed.manage_token})
    for start in ("9999-12-31T23:45:00+01:00", "9999-12-31T23:45:00-12:00"):
        response, writes = corpus.send(world.browser("client"), "post", url, {"start": start})
        assert response.status_code == 400
        assert writes == []
    corpus.check()


def test_replayed_posts_change_nothing_the_second_time(world, corpus):
    """Double submits of a hold, a phone booking, a move, a mark, a cancel and a review."""
    staff, ana_browser = world.browser("frontdesk"), world.browser("ana")
    ana = Therapist.objects.get(slug="ana")
    public_id = world.confirmed.public_id
    length = ServiceLength.objects.get(service__slug="leg-massage", minutes=60)
    visitor = _browser(None)
    replays = [
        (
            visitor,
            "/en/book/leg-massage/hold/",
            {"length": length.pk, "therapist": "ben", "start": _local(FREE_AT)},
        ),
        (staff, "/en/staff/bookings/new/", _phone_data(start=f"{DAY}T18:30:00+01:00")),
        (
            staff,
            f"/en/staff/bookings/{public_id}/move/",
            {"day": DAY, "time": "09:00", "therapist": ana.pk, "room": ""},
        ),
        (
            ana_browser,
            f"/en/therapist/reviews/{world.awaiting.public_id}/",
            {"decision": "approve"},
        ),
        (staff, "/en/staff/block/", _block_data()),
        (staff, f"/en/staff/bookings/{public_id}/cancel/", {"reason": "Phone call"}),
        (staff, f"/en/staff/bookings/{public_id}/mark/", {"status": "no_show"}),
    ]
    for browser, url, data in replays:
        first, first_writes = corpus.send(browser, "post", url, data, keep=True)
        assert first.status_code in (200, 302), (url, first.status_code)
        counts = {model: model.objects.count() for model in (Booking, Client, TimeOff)}
        second, second_writes = corpus.send(browser, "post", url, data, keep=True)
        assert second.status_code < 500
        assert {model: model.objects.count() for model in (Booking, Client, TimeOff)} == counts
        if first_writes:  # what the first post did, the second must not do again
            assert second_writes == [], (url, second_writes)
    assert Room.objects.exists()
    corpus.check()


def test_the_corpus_would_catch_a_refused_write_and_a_5xx(world, corpus):
    """The checks above could fail: a refused answer after a write is reported, and so is a
    server error."""
    before = snapshot()
    Client.objects.filter(pk=world.confirmed.client_id).update(name="Changed")
    assert changed(before, snapshot()) == ["bookings.Client"]
    broken = Corpus()
    with override_settings(ROOT_URLCONF="tests.security.broken_urls"):
        broken.send(_browser(None), "get", "/boom/")
    assert broken.failures and broken.failures[0].startswith("500")
