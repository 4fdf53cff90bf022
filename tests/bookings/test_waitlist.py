"""The waitlist: freed times offered in the order clients joined; the first claim wins."""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client as Browser
from django.urls import reverse

from bookings import services, waitlist
from bookings.models import Booking, BookingStatus, Client, WaitlistEntry, WaitlistOffer
from studio.models import Studio, WorkingHours
from tests.bookings.helpers import NOW, madrid, race
from tests.bookings.staff.conftest import browser_for
from tests.factories import RoomFactory, ServiceFactory, ServiceLengthFactory, TherapistFactory

pytestmark = pytest.mark.django_db

# NOW is Monday 23 November 2026, 09:00 in Madrid; Thursday is the 26th.
THURSDAY = date(2026, 11, 26)
EVENING = waitlist.Window(THURSDAY, THURSDAY, (3,), ("evening",))


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine):
    """The pages read the real clock: pin it to NOW for every test."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def studio(db):
    """One massage (no buffer), one room, and Ben, who works Thursdays 17:00–20:00."""
    Studio.load()
    service = ServiceFactory(rooms=[RoomFactory()], buffer_minutes=0)
    length = ServiceLengthFactory(service=service, minutes=60)
    ben = TherapistFactory(services=[service])
    WorkingHours.objects.create(therapist=ben, weekday=3, starts=time(17), ends=time(20))
    return service, length, ben


def join(studio, name: str, *, at: datetime = NOW, window=EVENING, therapist=None) -> WaitlistEntry:
    service, length, _ben = studio
    return waitlist.waitlist_join(
        service=service,
        length=length,
        therapist=therapist,
        window=window,
        name=name,
        email=f"{name.lower()}@example.com",
        language="en",
        now=at,
    )


def fill_thursday_evening(studio) -> list[Booking]:
    """Book every start of Ben's Thursday evening; return the bookings."""
    service, length, ben = studio
    made = []
    for hour in (17, 18, 19):
        made.append(
            services.hold_create(
                service=service,
                length=length,
                therapist=ben,
                start_at=madrid(2026, 11, 26, hour),
                now=NOW,
            )
        )
    Booking.objects.filter(pk__in=[b.pk for b in made]).update(status=BookingStatus.CONFIRMED)
    return made


def sweep(django_capture_on_commit_callbacks, *, now: datetime = NOW) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return waitlist.waitlist_sweep(now=now)


def test_the_window_suits_its_days_weekdays_and_parts_of_the_day():
    assert EVENING.suits(madrid(2026, 11, 26, 17, 0))
    assert EVENING.suits(madrid(2026, 11, 26, 23, 45))
    assert not EVENING.suits(madrid(2026, 11, 26, 16, 59))  # the afternoon
    assert not EVENING.suits(madrid(2026, 11, 27, 18, 0))  # Friday
    weekday_mornings = waitlist.Window(THURSDAY, date(2026, 12, 20), (0, 1, 2, 3, 4), ("morning",))
    assert weekday_mornings.suits(madrid(2026, 12, 18, 9, 0))  # a Friday morning
    assert not weekday_mornings.suits(madrid(2026, 12, 19, 9, 0))  # a Saturday
    assert not weekday_mornings.suits(madrid(2026, 12, 21, 9, 0))  # past the 20th
    assert waitlist.Window(THURSDAY, THURSDAY).suits(madrid(2026, 11, 26, 3, 0))  # any time


def test_a_cancelled_time_goes_to_the_waiting_clients_and_the_first_claim_wins(
    studio, django_capture_on_commit_callbacks, client
):
    booked = fill_thursday_evening(studio)
    marta = join(studio, "Marta")
    joan = join(studio, "Joan", at=NOW + timedelta(minutes=5))
    assert sweep(django_capture_on_commit_callbacks) == 0  # the evening is full

    services.booking_cancel(booking=booked[2], now=NOW)  # 19:00 frees up
    assert sweep(django_capture_on_commit_callbacks) == 2
    offers = list(WaitlistOffer.objects.order_by("pk"))
    assert [(o.entry.name, o.start_at) for o in offers] == [
        ("Marta", madrid(2026, 11, 26, 19)),
        ("Joan", madrid(2026, 11, 26, 19)),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["joan@example.com", "marta@example.com"]
    marta_mail = next(m for m in mail.outbox if m.to == ["marta@example.com"])
    assert waitlist.offer_url(offers[0]) in marta_mail.body
    assert offers[0].expires_at == NOW + timedelta(minutes=120)

    # Run again, nothing is offered or sent twice.
    assert sweep(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2

    # Marta claims first: an ordinary hold, and she goes on to her details.
    mail.outbox.clear()
    url = urlsplit(waitlist.offer_url(offers[0])).path
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        claimed = client.post(url, {"claim": "yes"})
    hold = Booking.objects.get(status=BookingStatus.HELD)
    assert claimed.url == reverse("bookings:booking_details", kwargs={"public_id": hold.public_id})
    assert hold.start_at == madrid(2026, 11, 26, 19)
    details = client.get(claimed.url)
    assert details.context["form"].initial["email"] == "marta@example.com"
    marta.refresh_from_db()
    assert marta.status == WaitlistEntry.Status.BOOKED

    # Joan is told it has gone, and his link says so.
    assert [m.to for m in mail.outbox] == [["joan@example.com"]]
    assert mail.outbox[0].subject == "That time has gone"
    joan_offer = WaitlistOffer.objects.get(entry=joan)
    assert joan_offer.status == WaitlistOffer.Status.GONE
    page = client.get(urlsplit(waitlist.offer_url(joan_offer)).path)
    assert "someone else took it first" in page.content.decode()
    refused = client.post(urlsplit(waitlist.offer_url(joan_offer)).path, {"claim": "yes"})
    assert refused.status_code == 409
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 1


def test_a_time_inside_the_minimum_notice_is_never_offered(
    studio, django_capture_on_commit_callbacks
):
    join(studio, "Marta")
    # At 18:30 on Thursday, with two hours' notice, no evening start is left to offer.
    late = madrid(2026, 11, 26, 18, 30)
    assert Studio.load().min_notice_minutes == 120
    assert sweep(django_capture_on_commit_callbacks, now=late) == 0
    assert not WaitlistOffer.objects.exists()


def test_offers_expire_and_entries_close_once_their_days_have_passed(
    studio, django_capture_on_commit_callbacks
):
    marta = join(studio, "Marta")
    sweep(django_capture_on_commit_callbacks)
    offer = WaitlistOffer.objects.order_by("start_at").first()
    later = offer.expires_at + timedelta(minutes=1)
    with pytest.raises(waitlist.WaitlistRefused, match="expired"):
        waitlist.waitlist_claim(offer=offer, now=later)
    sweep(django_capture_on_commit_callbacks, now=later)
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.EXPIRED
    sweep(django_capture_on_commit_callbacks, now=madrid(2026, 11, 27, 9))
    marta.refresh_from_db()
    assert marta.status == WaitlistEntry.Status.CLOSED
    assert not Booking.objects.exists()


def test_each_client_holds_a_few_open_offers_at_most(studio, django_capture_on_commit_callbacks):
    join(studio, "Marta")  # the whole evening is free: many starts suit her
    assert sweep(django_capture_on_commit_callbacks) == waitlist.OPEN_OFFERS_PER_ENTRY
    assert len(mail.outbox) == waitlist.OPEN_OFFERS_PER_ENTRY


def test_leaving_the_waitlist_withdraws_the_open_offers(studio, django_capture_on_commit_callbacks):
    marta = join(studio, "Marta")
    sweep(django_capture_on_commit_callbacks)
    waitlist.waitlist_leave(entry=marta, now=NOW)
    assert not WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OPEN).exists()
    assert sweep(django_capture_on_commit_callbacks) == 0


def test_joining_refuses_what_cannot_be_waited_for(studio):
    service, length, _ben = studio
    other = ServiceLengthFactory(service=ServiceFactory(), minutes=30)
    with pytest.raises(waitlist.WaitlistRefused):
        waitlist.waitlist_join(
            service=service,
            length=other,
            therapist=None,
            window=EVENING,
            name="M",
            email="m@example.com",
            language="en",
            now=NOW,
        )
    with pytest.raises(waitlist.WaitlistRefused, match="from today on"):
        join(studio, "Marta", window=waitlist.Window(date(2026, 11, 1), date(2026, 11, 20)))
    with pytest.raises(waitlist.WaitlistRefused, match="days of the week"):
        join(studio, "Marta", window=waitlist.Window(THURSDAY, THURSDAY, (9,), ()))
    stranger = TherapistFactory()
    with pytest.raises(waitlist.WaitlistRefused, match="does not offer"):
        waitlist.waitlist_join(
            service=service,
            length=length,
            therapist=stranger,
            window=EVENING,
            name="M",
            email="m@example.com",
            language="en",
            now=NOW,
        )
    assert not WaitlistEntry.objects.exists()


def test_a_forged_offer_link_is_a_404(client, studio):
    assert client.get("/en/waitlist/offer/not-a-real-token/").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clients_claiming_at_once_get_exactly_one_hold(
    studio, django_capture_on_commit_callbacks
):
    """A real race on PostgreSQL: two waiting clients claim the same freed time together."""
    fill = fill_thursday_evening(studio)
    services.booking_cancel(booking=fill[2], now=NOW)
    for name in ("Marta", "Joan"):
        join(studio, name)
    waitlist.waitlist_sweep(now=NOW)
    offers = list(WaitlistOffer.objects.order_by("pk"))
    assert len(offers) == 2
    wins, refusals, errors = race(
        [lambda offer=offer: waitlist.waitlist_claim(offer=offer, now=NOW) for offer in offers]
    )
    assert (len(wins), errors) == (1, [])
    assert [type(refusal) for refusal in refusals] == [waitlist.WaitlistRefused]
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 1
    statuses = sorted(WaitlistOffer.objects.values_list("status", flat=True))
    assert statuses == [WaitlistOffer.Status.CLAIMED, WaitlistOffer.Status.GONE]


def test_a_client_joins_from_the_times_page_and_leaves_with_the_emailed_link(
    studio, client, django_capture_on_commit_callbacks
):
    service, length, ben = studio
    times = client.get(reverse("bookings:booking_times", kwargs={"slug": service.slug}))
    join_url = reverse("bookings:waitlist_join", kwargs={"slug": service.slug})
    assert join_url in times.content.decode()
    assert client.get(join_url).status_code == 200

    data = {
        "length": length.pk,
        "therapist": ben.slug,
        "first_day": "2026-11-23",
        "last_day": "2026-12-20",
        "weekdays": ["0", "1", "2", "3", "4"],
        "parts": ["evening"],
        "name": "Marta Soler",
        "email": "marta@example.com",
    }
    assert client.post(join_url, data | {"last_day": "2026-11-20"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        joined = client.post(join_url, data)
    entry = WaitlistEntry.objects.get()
    assert joined.url == reverse("bookings:waitlist_entry", kwargs={"token": entry.token})
    assert (entry.therapist, entry.weekdays, entry.parts, entry.language) == (
        ben,
        [0, 1, 2, 3, 4],
        ["evening"],
        "en",
    )
    (email,) = mail.outbox
    assert email.subject == "You are on the waitlist"
    assert waitlist.entry_url(entry) in email.body

    page = client.get(joined.url).content.decode()
    assert "Leave the waitlist" in page
    assert "From 23 November to 20 December" in page
    assert "Monday, Tuesday, Wednesday, Thursday, Friday" in page and "Evening" in page
    assert client.post(joined.url, {}).status_code == 400
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    left = client.post(joined.url, {"leave": "yes"})
    assert left.status_code == 200
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT
    assert client.get("/en/waitlist/not-a-real-token/").status_code == 404


def test_joining_for_days_already_past_is_refused(studio, client):
    service, length, _ben = studio
    join_url = reverse("bookings:waitlist_join", kwargs={"slug": service.slug})
    data = {
        "length": length.pk,
        "therapist": "any",
        "first_day": "2026-11-01",
        "last_day": "2026-11-10",
        "name": "Marta",
        "email": "marta@example.com",
    }
    response = client.post(join_url, data)
    assert response.status_code == 409
    assert "Please choose days from today on." in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_the_front_desk_sees_who_waits_on_a_day_and_removes_an_entry(demo_studio, studio):
    marta = join(studio, "Marta")  # Thursday evenings
    join(studio, "Joan", window=waitlist.Window(THURSDAY, THURSDAY + timedelta(days=7), (4,)))
    desk = browser_for("frontdesk")
    calendar = reverse("bookings:staff_calendar")
    thursday = desk.get(calendar, {"date": THURSDAY.isoformat()}).content.decode()
    assert "Waiting for a time this day: 1 client" in thursday
    assert "marta@example.com" in thursday and "Evening" in thursday
    assert "joan@example.com" not in thursday  # Joan waits for Fridays
    friday = desk.get(calendar, {"date": "2026-11-27"}).content.decode()
    assert "joan@example.com" in friday and "marta@example.com" not in friday

    remove = reverse("bookings:staff_waitlist_remove", kwargs={"pk": marta.pk})
    assert desk.post(remove, {}).status_code == 400
    assert browser_for("ana").post(remove, {"remove": "yes"}).status_code == 404
    marta.refresh_from_db()
    assert marta.status == WaitlistEntry.Status.WAITING
    removed = desk.post(remove, {"remove": "yes", "date": THURSDAY.isoformat()})
    assert removed.url == f"{calendar}?date={THURSDAY.isoformat()}"
    marta.refresh_from_db()
    assert marta.status == WaitlistEntry.Status.LEFT
    assert (
        "marta@example.com"
        not in desk.get(calendar, {"date": THURSDAY.isoformat()}).content.decode()
    )


# A freed time is offered as soon as the change that freed it commits, not at the next sweep.


@pytest.fixture
def sweeps_queued(monkeypatch) -> list[int]:
    """Count the waitlist sweeps queued for the worker (each still runs, eagerly)."""
    from bookings import tasks

    queued = []
    run = tasks.waitlist_sweep.delay

    def delay(*args, **kwargs):
        queued.append(1)
        return run(*args, **kwargs)

    monkeypatch.setattr(tasks.waitlist_sweep, "delay", delay)
    return queued


def test_a_cancellation_offers_its_time_once_it_commits(
    studio, django_capture_on_commit_callbacks, sweeps_queued
):
    booked = fill_thursday_evening(studio)
    join(studio, "Marta")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booked[2], by_client=False, now=NOW)
    assert sweeps_queued == [1]
    offer = WaitlistOffer.objects.get()
    assert (offer.entry.name, offer.start_at) == ("Marta", madrid(2026, 11, 26, 19))
    assert [m.to for m in mail.outbox] == [["marta@example.com"]]


def test_a_cancellation_that_rolls_back_queues_no_sweep(studio, sweeps_queued):
    from django.db import transaction

    booked = fill_thursday_evening(studio)
    join(studio, "Marta")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.booking_cancel(booking=booked[2], by_client=False, now=NOW)
        raise RuntimeError("the request failed after the cancellation")
    assert sweeps_queued == []
    assert not WaitlistOffer.objects.exists()


def test_a_new_hold_or_a_note_queues_no_sweep(
    studio, django_capture_on_commit_callbacks, sweeps_queued
):
    service, length, ben = studio
    with django_capture_on_commit_callbacks(execute=True):
        held = services.hold_create(
            service=service,
            length=length,
            therapist=ben,
            start_at=madrid(2026, 11, 26, 17),
            now=NOW,
        )
        held.staff_note = "Prefers a firm pressure"
        held.save(update_fields=["staff_note", "updated_at"])
    assert sweeps_queued == []


@pytest.mark.parametrize("freed_by", ["declined", "stopped", "moved"])
def test_a_decline_a_stop_or_a_move_offers_the_time(
    studio, django_capture_on_commit_callbacks, sweeps_queued, freed_by
):
    booked = fill_thursday_evening(studio)
    join(studio, "Marta")
    nineteen = booked[2]
    with django_capture_on_commit_callbacks(execute=True):
        if freed_by == "moved":
            # To the same therapist's other evening, a week later (hours on Thursdays).
            services.booking_move(
                booking=nineteen,
                start_at=madrid(2026, 12, 3, 19),
                therapist=nineteen.therapist,
                now=NOW,
            )
        else:
            nineteen.status = freed_by
            nineteen.save(update_fields=["status", "updated_at"])
    assert sweeps_queued
    offer = WaitlistOffer.objects.get()
    assert offer.start_at == madrid(2026, 11, 26, 19)


def test_an_expired_hold_offers_its_time(studio, django_capture_on_commit_callbacks, sweeps_queued):
    booked = fill_thursday_evening(studio)
    Booking.objects.filter(pk=booked[2].pk).update(
        status=BookingStatus.HELD, hold_expires_at=NOW - timedelta(minutes=1)
    )
    join(studio, "Marta")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.holds_expire(now=NOW) == 1
    assert sweeps_queued == [1]
    assert WaitlistOffer.objects.get().start_at == madrid(2026, 11, 26, 19)
    # Nothing left to expire: no sweep queued for nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.holds_expire(now=NOW) == 0
    assert sweeps_queued == [1]


def test_time_off_removed_or_hours_added_offer_the_new_times(
    studio, django_capture_on_commit_callbacks, sweeps_queued
):
    from studio.models import TimeOff

    _service, _length, ben = studio
    away = TimeOff.objects.create(
        therapist=ben, start_at=madrid(2026, 11, 26, 0), end_at=madrid(2026, 11, 27, 0)
    )
    join(studio, "Marta")
    assert sweep(django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        away.delete()
    assert sweeps_queued == [1]
    assert WaitlistOffer.objects.count() == waitlist.OPEN_OFFERS_PER_ENTRY

    # Hours added on a day nobody worked: a Thursday-only waiting client now has a Friday.
    friday = waitlist.Window(date(2026, 11, 27), date(2026, 11, 27), (4,), ("evening",))
    join(studio, "Joan", window=friday)
    with django_capture_on_commit_callbacks(execute=True):
        WorkingHours.objects.create(therapist=ben, weekday=4, starts=time(18), ends=time(20))
    assert sweeps_queued == [1, 1]
    joans = sorted(o.start_at for o in WaitlistOffer.objects.filter(entry__name="Joan"))
    assert joans == [madrid(2026, 11, 27, 18, minute) for minute in (0, 15, 30)]


def test_a_full_day_offers_its_own_waitlist_with_the_day_ticked(studio, client):
    service, length, ben = studio
    fill_thursday_evening(studio)
    times = client.get(
        reverse("bookings:booking_times", kwargs={"slug": service.slug}),
        {"length": length.pk, "therapist": ben.slug, "day": "2026-11-26"},
    ).content.decode()
    assert "There are no free times on" in times
    join_url = reverse("bookings:waitlist_join", kwargs={"slug": service.slug})
    link = f"{join_url}?length={length.pk}&amp;therapist={ben.slug}&amp;day=2026-11-26"
    assert link in times

    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert (form.initial["first_day"], form.initial["last_day"]) == (THURSDAY, THURSDAY)
    assert form.initial["weekdays"] == [3]
    assert (form.initial["length"], form.initial["therapist"]) == (length.pk, ben.slug)
    # A day gone by, or not a day, only leaves the form as it starts.
    for day in ("2026-11-01", "not-a-day", "2026-02-30"):
        form = client.get(join_url, {"day": day, "length": "x"}).context["form"]
        assert form.initial["first_day"] == date(2026, 11, 23) and "last_day" not in form.initial
        assert "length" not in form.initial


# The front desk offers a time to a waiting client on the phone.


def offer_page(entry: WaitlistEntry) -> str:
    return reverse("bookings:staff_waitlist_offer", kwargs={"pk": entry.pk})


def listed(response) -> list[tuple[datetime, list[str]]]:
    """Return the page's free times: each start and who is free then, in order."""
    return [
        (slot["start"], [therapist.display_name for therapist in slot["therapists"]])
        for day in response.context["days"]
        for slot in day["times"]
    ]


def book_at(start: datetime, therapist) -> dict:
    return {"therapist": therapist.pk, "start": start.isoformat()}


def rows() -> dict:
    """Return what a refused booking must leave as it was."""
    return {
        "bookings": list(Booking.objects.values_list("pk", "status")),
        "entries": list(WaitlistEntry.objects.values_list("pk", "status", "closed_at")),
        "offers": list(WaitlistOffer.objects.values_list("pk", "status")),
        "clients": list(Client.objects.values_list("pk", "name")),
    }


def test_the_offer_page_lists_only_the_free_times_that_suit_the_client(demo_studio, studio):
    """Thursday evenings for two weeks: not Wednesdays, not a booked time, not the afternoon."""
    service, length, ben = studio
    WorkingHours.objects.create(therapist=ben, weekday=2, starts=time(17), ends=time(20))
    WorkingHours.objects.create(therapist=ben, weekday=3, starts=time(14), ends=time(17))
    services.hold_create(
        service=service, length=length, therapist=ben, start_at=madrid(2026, 11, 26, 18), now=NOW
    )
    next_thursday = THURSDAY + timedelta(days=7)
    marta = join(
        studio, "Marta", window=waitlist.Window(THURSDAY, next_thursday, (3,), ("evening",))
    )
    desk = browser_for("frontdesk")

    page = desk.get(offer_page(marta), {"date": THURSDAY.isoformat()})

    assert page.status_code == 200
    # 18:00 is held: 17:00 and 19:00 are left that evening (a session is an hour long).
    evening = [madrid(2026, 11, 26, 17), madrid(2026, 11, 26, 19)]
    evening += [madrid(2026, 12, 3, 17) + timedelta(minutes=15 * n) for n in range(9)]
    assert listed(page) == [(start, [ben.display_name]) for start in evening]
    assert [day["day"] for day in page.context["days"]] == [THURSDAY, next_thursday]
    html = page.content.decode()
    assert "marta@example.com" in html and "Evening" in html and "Thursday" in html
    assert html.count("Book this time") == len(evening)
    assert f'value="{madrid(2026, 11, 26, 19).isoformat()}"' in html
    assert f'href="{reverse("bookings:staff_calendar")}?date={THURSDAY.isoformat()}"' in html


def test_the_offer_page_shows_the_next_30_times_and_those_inside_the_notice(
    demo_studio, studio, time_machine
):
    """A phone booking ignores the minimum notice, so the page lists those times too."""
    _service, _length, ben = studio
    WorkingHours.objects.filter(therapist=ben).update(starts=time(9))
    # Thursday 16:30: 17:00 is inside the two hours' notice, and never offered by email.
    time_machine.move_to(madrid(2026, 11, 26, 16, 30), tick=False)
    entry = join(studio, "Marta", at=madrid(2026, 11, 26, 16, 30))
    assert waitlist.waitlist_sweep() == 3
    assert madrid(2026, 11, 26, 17) not in {offer.start_at for offer in WaitlistOffer.objects.all()}
    desk = browser_for("frontdesk")

    page = desk.get(offer_page(entry))
    assert [start for start, _who in listed(page)][:3] == [
        madrid(2026, 11, 26, 17),
        madrid(2026, 11, 26, 17, 15),
        madrid(2026, 11, 26, 17, 30),
    ]

    # From Monday, Ben's whole Thursday (09:00–19:00, every 15 minutes) suits: 41 starts.
    time_machine.move_to(NOW, tick=False)
    anytime = join(studio, "Joan", window=waitlist.Window(THURSDAY, THURSDAY))
    page = desk.get(offer_page(anytime))
    assert len(listed(page)) == 30
    assert listed(page)[0][0] == madrid(2026, 11, 26, 9)
    assert "Only the next 30 free times are shown." in page.content.decode()


def test_booking_a_time_for_a_waiting_client_holds_it_by_phone_and_emails_the_link(
    demo_studio, studio, django_capture_on_commit_callbacks
):
    """One phone booking for the entry's email; the entry is booked, its offers gone."""
    _service, _length, ben = studio
    marta = join(studio, "Marta")
    joan = join(studio, "Joan", at=NOW + timedelta(minutes=5))
    assert sweep(django_capture_on_commit_callbacks) == 6  # 17:00, 17:15 and 17:30 to each
    mail.outbox.clear()
    desk = browser_for("frontdesk")
    start = madrid(2026, 11, 26, 17)

    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            offer_page(marta) + f"?date={THURSDAY.isoformat()}", book_at(start, ben)
        )

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("bookings:staff_booking", args=[booking.public_id])
    assert (booking.client.email, booking.client.name) == ("marta@example.com", "Marta")
    assert (booking.start_at, booking.therapist_id) == (start, ben.pk)
    assert booking.source == Booking.Source.PHONE
    assert booking.status == BookingStatus.HELD
    assert booking.language == "en"
    marta.refresh_from_db()
    assert (marta.status, marta.closed_at) == (WaitlistEntry.Status.BOOKED, NOW)
    assert set(marta.offers.values_list("status", flat=True)) == {WaitlistOffer.Status.GONE}
    # Joan's offers stay open: claiming the time just booked says it has gone.
    assert set(joan.offers.values_list("status", flat=True)) == {WaitlistOffer.Status.OPEN}
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["marta@example.com"], "A few health questions before your massage")
    ]
    assert "/en/intake/" in mail.outbox[0].body
    card = desk.get(response.url).content.decode()
    assert "Marta is booked and off the waitlist." in card
    assert 'value="http://testserver/en/intake/' in card
    with pytest.raises(waitlist.WaitlistRefused, match="this time has gone"):
        waitlist.waitlist_claim(offer=joan.offers.get(start_at=start), now=NOW)
    assert joan.offers.get(start_at=start).status == WaitlistOffer.Status.GONE
    assert Booking.objects.count() == 1


def test_a_client_already_known_keeps_their_record_as_it_was(demo_studio, studio):
    """The name typed on the waitlist's public form does not rewrite an existing client."""
    _service, _length, ben = studio
    known = Client.objects.create(name="Marta Soler", email="marta@example.com", phone="600")
    marta = join(studio, "Marta")

    response = browser_for("frontdesk").post(
        offer_page(marta), book_at(madrid(2026, 11, 26, 17), ben)
    )

    assert response.status_code == 302
    assert Booking.objects.get().client == known
    known.refresh_from_db()
    assert (known.name, known.phone) == ("Marta Soler", "600")


def test_a_double_submit_books_once_and_says_the_client_is_no_longer_waiting(
    demo_studio, studio, django_capture_on_commit_callbacks
):
    _service, _length, ben = studio
    marta = join(studio, "Marta")
    desk = browser_for("frontdesk")
    url = offer_page(marta) + f"?date={THURSDAY.isoformat()}"
    data = book_at(madrid(2026, 11, 26, 17), ben)

    with django_capture_on_commit_callbacks(execute=True):
        first = desk.post(url, data)
        second = desk.post(url, data)

    assert first.status_code == second.status_code == 302
    assert second.url == f"{reverse('bookings:staff_calendar')}?date={THURSDAY.isoformat()}"
    assert Booking.objects.count() == 1
    intake = [m for m in mail.outbox if m.subject == "A few health questions before your massage"]
    assert [m.to for m in intake] == [["marta@example.com"]]
    calendar = desk.get(second.url).content.decode()
    assert (
        "Marta is no longer waiting: they have been booked or have left the waitlist." in calendar
    )
    # And the page itself is gone with the entry.
    assert desk.get(url).status_code == 404
    # The service refuses as plainly when called again.
    with pytest.raises(waitlist.WaitlistRefused, match="no longer waiting"):
        waitlist.waitlist_book_by_phone(
            entry=marta, therapist=ben, start_at=madrid(2026, 11, 26, 19), now=NOW
        )


def test_a_taken_unsuitable_or_forged_time_is_refused_and_changes_nothing(demo_studio, studio):
    service, length, ben = studio
    WorkingHours.objects.create(therapist=ben, weekday=2, starts=time(17), ends=time(20))
    other = TherapistFactory(services=[service])
    WorkingHours.objects.create(therapist=other, weekday=3, starts=time(17), ends=time(20))
    services.hold_create(
        service=service, length=length, therapist=ben, start_at=madrid(2026, 11, 26, 18), now=NOW
    )
    marta = join(studio, "Marta", therapist=ben)
    desk = browser_for("frontdesk")
    url = offer_page(marta)
    before = rows()
    cases = [
        # Ben's 18:00 is held: the front desk's "not free" message.
        (book_at(madrid(2026, 11, 26, 18), ben), 409, f"{ben.display_name} is not free then"),
        # Wednesday evening: Ben works, but Marta waits for Thursdays.
        (book_at(madrid(2026, 11, 25, 18), ben), 409, "That time is not one Marta is waiting for."),
        # Thursday afternoon: not the evening she asked for.
        (book_at(madrid(2026, 11, 26, 16), ben), 409, "That time is not one Marta is waiting for."),
        # Free with someone else, but she waits for Ben.
        (book_at(madrid(2026, 11, 26, 17), other), 409, "Marta is waiting for a time with"),
        # Off the studio's 15-minute grid.
        (book_at(madrid(2026, 11, 26, 17, 5), ben), 409, "That start time is not one we offer."),
        # Forged values.
        ({"therapist": 999999, "start": "2026-11-26T17:00:00+01:00"}, 400, "free times below"),
        ({"therapist": ben.pk, "start": "Thursday at five"}, 400, "free times below"),
        ({"therapist": "²", "start": ""}, 400, "free times below"),
        ({}, 400, "free times below"),
    ]
    for data, status, message in cases:
        response = desk.post(url, data)
        assert (response.status_code, data) == (status, data)
        html = response.content.decode()
        assert message in html, (data, html)
        assert 'class="alert alert-danger"' in html
        assert rows() == before, data
    assert (
        desk.post(reverse("bookings:staff_waitlist_offer", kwargs={"pk": 999999})).status_code
        == 404
    )


def test_only_a_waiting_entry_has_the_page(demo_studio, studio):
    _service, _length, ben = studio
    marta = join(studio, "Marta")
    desk = browser_for("frontdesk")
    assert (
        desk.get(reverse("bookings:staff_waitlist_offer", kwargs={"pk": 999999})).status_code == 404
    )
    waitlist.waitlist_leave(entry=marta, now=NOW)
    assert desk.get(offer_page(marta)).status_code == 404
    response = desk.post(offer_page(marta), book_at(madrid(2026, 11, 26, 17), ben))
    assert response.status_code == 302
    assert not Booking.objects.exists()
    marta.refresh_from_db()
    assert marta.status == WaitlistEntry.Status.LEFT


def test_only_the_front_desk_and_the_owner_offer_a_time(demo_studio, studio):
    """A therapist or a visitor gets what the other desk pages naming an object give: 404."""
    _service, _length, ben = studio
    marta = join(studio, "Marta")
    url = offer_page(marta)
    data = book_at(madrid(2026, 11, 26, 17), ben)
    remove = reverse("bookings:staff_waitlist_remove", kwargs={"pk": marta.pk})
    for browser in (browser_for("ana"), Browser()):
        assert browser.get(url).status_code == 404
        assert browser.post(url, data).status_code == 404
        assert browser.post(remove, {"remove": "yes"}).status_code == 404  # the same answer
    assert not Booking.objects.exists()
    assert browser_for("owner").get(url).status_code == 200
    assert browser_for("frontdesk").get(url).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_desks_booking_one_waiting_client_at_once_make_one_booking(studio):
    """A real race on PostgreSQL: two front desk clicks for the same client, two times."""
    _service, _length, ben = studio
    marta = join(studio, "Marta")
    wins, refusals, errors = race(
        [
            lambda hour=hour: waitlist.waitlist_book_by_phone(
                entry=marta, therapist=ben, start_at=madrid(2026, 11, 26, hour), now=NOW
            )
            for hour in (17, 18)
        ]
    )
    assert (len(wins), len(refusals), errors) == (1, 1, [])
    assert refusals[0].code == waitlist.WaitlistRefused.NOT_WAITING
    assert Booking.objects.count() == 1
    marta.refresh_from_db()
    assert marta.status == WaitlistEntry.Status.BOOKED


def test_a_client_booked_while_the_sweep_runs_is_offered_nothing_more(
    studio, django_capture_on_commit_callbacks
):
    """The sweep read Marta as waiting; she was booked before it came to her offer."""
    marta = join(studio, "Marta")
    WaitlistEntry.objects.filter(pk=marta.pk).update(status=WaitlistEntry.Status.BOOKED)
    assert marta.status == WaitlistEntry.Status.WAITING  # the sweep's stale copy
    with django_capture_on_commit_callbacks(execute=True):
        made = waitlist._offer(
            marta,
            therapist_id=studio[2].pk,
            start=madrid(2026, 11, 26, 17),
            now=NOW,
            studio=Studio.load(),
        )
    assert made is False
    assert not WaitlistOffer.objects.exists()
    assert mail.outbox == [m for m in mail.outbox if m.subject == "You are on the waitlist"]
