"""The front desk's actions through the test client: phone bookings, moves, marks, cancels,
blocked time and the client records. Every refusal leaves the booking as it was.
"""

import html
import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.messages import links
from bookings.models import Booking, BookingStatus, Client, Notification
from studio.models import TimeOff
from tests.bookings.staff.conftest import LYMPHATIC, at, browser_for, intake_post_data
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

NOT_FREE = (
    "Ana Ruiz is not free then: the time is outside their hours, in their time off, or "
    "overlaps another booking or the room's use."
)
MOVED = "The booking has been moved."


def card_url(booking: Booking) -> str:
    return reverse("bookings:staff_booking", kwargs={"public_id": booking.public_id})


def snapshot(booking: Booking) -> tuple:
    """Return what a move, mark or cancel could change."""
    booking.refresh_from_db()
    return (
        booking.start_at,
        booking.end_at,
        booking.blocked_until,
        booking.therapist_id,
        booking.room_id,
        booking.status,
        booking.sequence,
        booking.updated_at,
    )


def page_text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


# Phone bookings


def phone_form(demo, monday, **changes) -> dict:
    data = {
        "name": "Rosa Puig",
        "email": "Rosa@Example.com",
        "phone": "+34 611 222 333",
        "service": demo.service().pk,
        "length": demo.length(60).pk,
        "therapist": demo.therapist("ana").pk,
        "start": at(monday, 10).isoformat(),
        "intake": "now",
        "language": "en",
        "step": "hold",
    }
    return data | changes


def test_a_phone_booking_filled_in_now_is_confirmed_after_clear_answers(
    frontdesk, demo, monday, django_capture_on_commit_callbacks
):
    """A new client on the phone: hold, answer the questions together, confirmed at once."""
    response = frontdesk.post(reverse("bookings:staff_phone_booking"), phone_form(demo, monday))

    booking = Booking.objects.get()
    intake_url = reverse("intake:intake_form", kwargs={"public_id": booking.public_id})
    assert response.status_code == 302
    assert response.url == intake_url
    assert booking.status == BookingStatus.HELD
    assert booking.source == Booking.Source.PHONE
    assert booking.client.name == "Rosa Puig"
    assert booking.client.email == "rosa@example.com"
    assert booking.start_at == at(monday, 10)
    assert frontdesk.get(intake_url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        answered = frontdesk.post(intake_url, intake_post_data())

    booking.refresh_from_db()
    assert answered.status_code == 302
    # Back to the booking card, never the client's manage page.
    assert answered.url == card_url(booking)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.source == Booking.Source.PHONE
    assert booking.hold_expires_at is None
    assert [m.to for m in mail.outbox] == [["rosa@example.com"]]
    assert "Front desk" in page_text(frontdesk.get(card_url(booking)))


def test_a_phone_booking_with_a_link_is_held_and_the_client_answers_from_the_email(
    frontdesk, demo, monday, django_capture_on_commit_callbacks
):
    """The link goes out by email and on the card; an anonymous browser can answer with it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = frontdesk.post(
            reverse("bookings:staff_phone_booking"), phone_form(demo, monday, intake="link")
        )

    booking = Booking.objects.get()
    link = reverse("intake:phone_intake", kwargs={"token": links.intake_token(booking)})
    assert response.status_code == 302
    assert response.url == card_url(booking)
    assert booking.status == BookingStatus.HELD
    assert booking.source == Booking.Source.PHONE
    # The time is kept until the client has answered, for up to two days.
    assert booking.hold_expires_at > timezone.now() + timedelta(hours=47)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rosa@example.com"]
    assert mail.outbox[0].subject == "A few health questions before your massage"
    assert "/en/intake/" in mail.outbox[0].body
    assert booking.manage_token not in mail.outbox[0].body
    card = frontdesk.get(response.url).content.decode()
    assert 'value="http://testserver/en/intake/' in card
    # The card never shows the client's manage link: it would let staff act as the client.
    assert booking.manage_token not in card

    client_browser = Browser()
    opened = client_browser.get(link)
    intake_url = reverse("intake:intake_form", kwargs={"public_id": booking.public_id})
    assert opened.status_code == 302
    assert opened.url == intake_url
    form = client_browser.get(intake_url)
    assert form.status_code == 200
    assert "A few health questions" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answered = client_browser.post(intake_url, intake_post_data())
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    # A thank-you page, not the manage page: the intake link opens the questions alone.
    assert answered.status_code == 200
    assert "Thank you, we have your answers" in answered.content.decode()
    assert booking.manage_token not in answered.content.decode()
    # Once answered, the link has done its job.
    assert Browser().get(link).status_code == 404


def test_a_phone_booking_for_a_taken_time_offers_that_days_other_times_and_keeps_the_details(
    frontdesk, demo, monday
):
    demo.book(at(monday, 10, 30), room="garden")

    response = frontdesk.post(reverse("bookings:staff_phone_booking"), phone_form(demo, monday))

    text = page_text(response)
    assert response.status_code == 409
    assert NOT_FREE in text
    assert Booking.objects.count() == 1
    assert not Client.objects.filter(email="rosa@example.com", bookings__isnull=False).exists()
    # What was typed stays; the day's times still free are there to choose from instead.
    assert 'value="Rosa Puig"' in response.content.decode()
    buttons = re.findall(r'name="start" value="([^"]+)"', response.content.decode())
    assert at(monday, 10).isoformat() not in buttons
    assert at(monday, 9, 45).isoformat() not in buttons  # it would run into 10:30
    assert at(monday, 9).isoformat() in buttons
    assert at(monday, 11, 45).isoformat() in buttons
    assert 'name="step"' not in response.content.decode()

    chosen = frontdesk.post(
        reverse("bookings:staff_phone_booking"),
        phone_form(demo, monday, start=at(monday, 11, 45).isoformat()) | {"step": ""},
    )
    assert chosen.status_code == 200
    assert 'value="Rosa Puig"' in chosen.content.decode()
    assert f'name="start" value="{at(monday, 11, 45).isoformat()}"' in chosen.content.decode()
    assert Booking.objects.count() == 1


def test_the_phone_booking_offers_only_the_chosen_massages_lengths_and_therapists(
    frontdesk, demo, monday
):
    url = reverse("bookings:staff_phone_booking")
    empty = frontdesk.get(url, {"date": monday.isoformat()})
    assert empty.status_code == 200
    assert 'name="length"' not in empty.content.decode()
    assert f'name="day" value="{monday.isoformat()}"' in empty.content.decode()

    lymphatic = demo.service(LYMPHATIC)
    response = frontdesk.get(url, {"service": lymphatic.pk, "date": monday.isoformat()})
    page = response.content.decode()
    lengths = re.findall(r'<option value="(\d+)"[^>]*>(\d+) minutes', page)
    assert {int(pk) for pk, _ in lengths} == set(lymphatic.lengths.values_list("pk", flat=True))
    therapists = re.search(r'<select name="therapist".*?</select>', page, re.S).group(0)
    named = set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', therapists))
    assert named == set(lymphatic.therapists.values_list("display_name", flat=True))
    assert "Anyone free" in therapists
    # The picker opens on the day the calendar was showing, its times posted back here.
    assert response.context["picker"].day == monday
    assert f'action="{url}"' in page


def test_a_length_from_another_massage_falls_back_to_the_first_length(frontdesk, demo, monday):
    lymphatic = demo.service(LYMPHATIC)
    response = frontdesk.get(
        reverse("bookings:staff_phone_booking"),
        {"service": lymphatic.pk, "length": demo.length(60).pk, "therapist": "999999"},
    )
    assert response.status_code == 200
    choice = response.context["choice"]
    assert choice.cleaned_data["length"] == lymphatic.lengths.all()[0]
    assert choice.cleaned_data["therapist"] is None


@pytest.mark.parametrize("query", [{"service": "x"}, {"service": "999999"}, {"service": "1²"}])
def test_a_forged_massage_shows_the_empty_choice(frontdesk, demo, query):
    response = frontdesk.get(reverse("bookings:staff_phone_booking"), query)
    assert response.status_code == 200
    assert response.context["picker"] is None


def test_the_phone_picker_offers_times_inside_the_online_minimum_notice(frontdesk, demo, monday):
    """On the phone the minimum notice does not apply: at 09:05, 09:15 is offered."""
    with time_machine.travel(at(monday, 9, 5), tick=False):
        response = browser_for("frontdesk").get(
            reverse("bookings:staff_phone_booking"),
            {
                "service": demo.service().pk,
                "length": demo.length(60).pk,
                "therapist": demo.therapist("ana").pk,
            },
        )
    shown = response.context["picker"]
    assert shown.day == monday
    starts = [value for period in shown.periods for value, _ in period.slots]
    assert starts[0] == at(monday, 9, 15).isoformat()


def test_a_time_from_the_picker_asks_who_it_is_for_and_holds_nothing_yet(frontdesk, demo, monday):
    data = phone_form(demo, monday) | {"step": ""}
    data = {key: data[key] for key in ("service", "length", "therapist", "start")}

    response = frontdesk.post(reverse("bookings:staff_phone_booking"), data)

    text = page_text(response)
    assert response.status_code == 200
    assert Booking.objects.count() == 0
    assert "With Ana Ruiz" in text
    assert "10:00" in text
    assert "is required" not in text
    assert 'name="step" value="hold"' in response.content.decode()


@pytest.mark.parametrize(
    "forged",
    [{"start": "tomorrow"}, {"service": "999999"}, {"start": "9999-12-31T10:00:00+14:00"}],
)
def test_a_forged_time_or_massage_goes_back_to_the_choice(frontdesk, demo, monday, forged):
    for step in ("", "hold"):
        response = frontdesk.post(
            reverse("bookings:staff_phone_booking"), phone_form(demo, monday, step=step) | forged
        )
        assert response.status_code == 302
        assert response.url == reverse("bookings:staff_phone_booking")
    assert Booking.objects.count() == 0
    assert Client.objects.count() == 0


def test_a_phone_booking_with_anyone_free_goes_to_a_therapist_who_is(frontdesk, demo, monday):
    response = frontdesk.post(
        reverse("bookings:staff_phone_booking"),
        phone_form(demo, monday, therapist="", start=at(monday, 15).isoformat()),
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    # Ana works mornings, Ben afternoons: at 15:00 only Ben is free.
    assert booking.therapist.slug == "ben"


def test_a_phone_booking_for_an_existing_client_keeps_one_client_record(frontdesk, demo, monday):
    regular = ClientFactory(name="Rosa Puig", email="rosa@example.com")

    response = frontdesk.post(
        reverse("bookings:staff_phone_booking"),
        phone_form(demo, monday, client=regular.pk, name="", email="", phone=""),
    )

    assert response.status_code == 302
    assert Booking.objects.get().client == regular
    assert Client.objects.count() == 1


# Moves


@pytest.fixture
def booked(demo, monday) -> Booking:
    """Ana's Monday 10:00 leg massage in the Olive room, confirmed, for a client with email."""
    return demo.book(at(monday, 10), client__email="lucia@example.com")


def move(browser, booking, day, at_time, therapist, room=None):
    data = {"day": day.isoformat(), "time": at_time, "therapist": therapist.pk, "room": ""}
    if room is not None:
        data["room"] = room.pk
    return browser.post(
        reverse("bookings:staff_booking_move", kwargs={"public_id": booking.public_id}), data
    )


def test_a_move_to_another_time_raises_the_sequence_and_tells_the_client(
    frontdesk, demo, monday, booked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = move(frontdesk, booked, monday, "12:15", demo.therapist("ana"))

    booked.refresh_from_db()
    assert response.status_code == 302
    assert response.url == card_url(booked)
    assert (booked.start_at, booked.end_at) == (at(monday, 12, 15), at(monday, 13, 15))
    assert booked.blocked_until == at(monday, 13, 25)
    assert booked.sequence == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["lucia@example.com"], f"Your booking has moved to {monday:%d/%m} 12:15")
    ]
    assert MOVED in page_text(frontdesk.get(response.url))


def test_a_move_to_another_therapist_and_time(frontdesk, demo, monday, booked):
    response = move(frontdesk, booked, monday, "15:00", demo.therapist("ben"))

    booked.refresh_from_db()
    assert response.status_code == 302
    assert booked.therapist == demo.therapist("ben")
    assert booked.start_at == at(monday, 15)
    assert booked.sequence == 1


def test_a_move_to_another_room_at_the_same_time(frontdesk, demo, monday, booked):
    response = move(frontdesk, booked, monday, "10:00", demo.therapist("ana"), demo.room("garden"))

    booked.refresh_from_db()
    assert response.status_code == 302
    assert booked.room == demo.room("garden")
    assert booked.start_at == at(monday, 10)
    assert booked.sequence == 1


@pytest.fixture
def obstacles(demo, monday):
    """Around Ana's Monday: another client at 12:00, her Tuesday off."""
    demo.book(at(monday, 12), room="garden", client__name="Other Client")
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=at(monday + timedelta(days=1), 9),
        end_at=at(monday + timedelta(days=1), 14),
        reason="Course",
    )


REFUSED_MOVES = {
    # id: (days after Monday, time, therapist, room, the reason shown)
    "overlapping another booking": (0, "12:00", "ana", None, NOT_FREE),
    "its buffer overlapping another booking": (0, "11:15", "ana", None, NOT_FREE),
    "outside the therapist's hours": (0, "16:00", "ana", None, NOT_FREE),
    "on a day the therapist does not work": (6, "10:00", "ana", None, NOT_FREE),
    "inside the therapist's time off": (1, "10:00", "ana", None, NOT_FREE),
    "off the 15-minute grid": (0, "10:10", "ana", None, "That start time is not one we offer."),
    "in the past": (-30, "10:00", "ana", None, "That time has already passed."),
    "past the booking horizon": (
        90,
        "10:00",
        "ana",
        None,
        "That date is further ahead than we take bookings for.",
    ),
    "to a therapist who does not offer it": (
        0,
        "15:00",
        "ben",
        None,
        "That therapist does not offer this massage.",
    ),
    "to a room that does not suit it": (
        0,
        "10:00",
        "ana",
        "garden",
        "That room does not suit this massage.",
    ),
}


@pytest.mark.parametrize(
    ("offset", "at_time", "therapist", "room", "reason"),
    REFUSED_MOVES.values(),
    ids=REFUSED_MOVES.keys(),
)
def test_a_refused_move_says_why_and_changes_nothing(
    frontdesk, demo, monday, obstacles, offset, at_time, therapist, room, reason
):
    """Lymphatic drainage (Olive room only, Ana or Carla) keeps every refusal apart."""
    booking = demo.book(at(monday, 10), service=LYMPHATIC, minutes=45)
    before = snapshot(booking)

    response = move(
        frontdesk,
        booking,
        monday + timedelta(days=offset),
        at_time,
        demo.therapist(therapist),
        demo.room(room) if room else None,
    )

    assert response.status_code == 409
    assert reason in page_text(response)
    assert snapshot(booking) == before


@pytest.mark.parametrize(
    "status", [BookingStatus.CANCELLED, BookingStatus.COMPLETED, BookingStatus.DECLINED]
)
def test_a_booking_that_no_longer_stands_cannot_be_moved(frontdesk, demo, monday, status):
    booking = demo.book(at(monday, 10), status=status)
    before = snapshot(booking)

    response = move(frontdesk, booking, monday, "11:00", demo.therapist("ana"))

    assert response.status_code == 409
    label = booking.get_status_display()
    assert f"This booking cannot be moved: its status is “{label}”." in page_text(response)
    assert snapshot(booking) == before


def test_a_booking_that_has_started_cannot_be_moved(frontdesk, demo, monday):
    started = demo.book(timezone.now() - timedelta(minutes=20), minutes=60)
    before = snapshot(started)

    response = move(frontdesk, started, monday, "11:00", demo.therapist("ana"))

    assert response.status_code == 409
    assert "This booking has already started and cannot be moved." in page_text(response)
    assert snapshot(started) == before


def test_a_move_with_a_forged_booking_id_is_not_found(frontdesk, demo, monday, booked):
    forged = Booking(public_id=uuid.uuid4())
    before = snapshot(booked)

    response = move(frontdesk, forged, monday, "11:00", demo.therapist("ana"))

    assert response.status_code == 404
    assert frontdesk.get(card_url(forged)).status_code == 404
    assert snapshot(booked) == before


def test_a_move_form_with_a_missing_time_is_a_form_error(frontdesk, demo, monday, booked):
    before = snapshot(booked)

    response = frontdesk.post(
        reverse("bookings:staff_booking_move", kwargs={"public_id": booked.public_id}),
        {"day": monday.isoformat(), "therapist": demo.therapist("ana").pk},
    )

    assert response.status_code == 400
    assert "This field is required." in page_text(response)
    assert snapshot(booked) == before


def test_submitting_the_move_form_twice_moves_once(
    frontdesk, demo, monday, booked, django_capture_on_commit_callbacks
):
    """A double click: the second identical move changes nothing and sends nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        first = move(frontdesk, booked, monday, "11:30", demo.therapist("ana"))
        after_first = snapshot(booked)
        second = move(frontdesk, booked, monday, "11:30", demo.therapist("ana"))

    assert first.status_code == 302
    assert second.status_code == 302
    assert snapshot(booked) == after_first
    assert booked.sequence == 1
    assert Notification.objects.filter(booking=booked, event="rescheduled").count() == 1
    assert len(mail.outbox) == 1
    assert "The booking is already at that time, therapist and room." in page_text(
        frontdesk.get(second.url)
    )


# Marks


def mark(browser, booking, status):
    return browser.post(
        reverse("bookings:staff_booking_mark", kwargs={"public_id": booking.public_id}),
        {"status": status},
        follow=True,
    )


def test_arrived_then_completed(frontdesk, demo):
    booking = demo.book(timezone.now() + timedelta(minutes=30), therapist="ben")

    arrived = mark(frontdesk, booking, "arrived")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED
    assert "Marked as arrived." in page_text(arrived)

    completed = mark(frontdesk, booking, "completed")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert "Marked as completed." in page_text(completed)


def test_a_confirmed_booking_can_be_completed_directly(frontdesk, demo):
    booking = demo.book(timezone.now() - timedelta(minutes=70), therapist="ben")

    mark(frontdesk, booking, "completed")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


def test_a_no_show_once_the_time_has_come(frontdesk, demo):
    booking = demo.book(timezone.now() - timedelta(minutes=15), therapist="ben")

    response = mark(frontdesk, booking, "no_show")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert "Marked as no-show." in page_text(response)


REFUSED_MARKS = {
    "no-show before the start": (
        timedelta(minutes=30),
        BookingStatus.CONFIRMED,
        "no_show",
        "A client can only be marked as not coming once the time has come.",
    ),
    "completed on a cancelled booking": (
        timedelta(minutes=-70),
        BookingStatus.CANCELLED,
        "completed",
        "This booking cannot be marked that way: its status is “Cancelled”.",
    ),
    "arrived on a booking next week": (
        timedelta(days=7),
        BookingStatus.CONFIRMED,
        "arrived",
        "This booking is not today.",
    ),
    "arrived on a completed booking": (
        timedelta(minutes=-70),
        BookingStatus.COMPLETED,
        "arrived",
        "This booking cannot be marked that way: its status is “Completed”.",
    ),
    "no-show on a booking awaiting review": (
        timedelta(minutes=-15),
        BookingStatus.AWAITING_REVIEW,
        "no_show",
        "This booking cannot be marked that way: its status is “Awaiting review”.",
    ),
    "something that is not a mark": (
        timedelta(minutes=-15),
        BookingStatus.CONFIRMED,
        "cancelled",
        "Please choose what to mark.",
    ),
}


@pytest.mark.parametrize(
    ("start_in", "status", "mark_as", "reason"),
    REFUSED_MARKS.values(),
    ids=REFUSED_MARKS.keys(),
)
def test_a_refused_mark_says_why_and_changes_nothing(
    frontdesk, demo, start_in, status, mark_as, reason
):
    booking = demo.book(timezone.now() + start_in, therapist="ben", status=status)
    before = snapshot(booking)

    response = mark(frontdesk, booking, mark_as)

    assert response.status_code == 200
    assert reason in page_text(response)
    assert snapshot(booking) == before


# Cancel


def test_the_front_desk_cancels_with_a_reason_and_the_client_is_told(
    frontdesk, booked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = frontdesk.post(
            reverse("bookings:staff_booking_cancel", kwargs={"public_id": booked.public_id}),
            {"reason": "Client called: has the flu"},
            follow=True,
        )

    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED
    assert booked.cancel_reason == "Client called: has the flu"
    assert booked.cancelled_at is not None
    assert booked.sequence == 1
    text = page_text(response)
    assert "The booking has been cancelled." in text
    assert "Client called: has the flu" in text
    assert [m.to for m in mail.outbox] == [["lucia@example.com"]]


def test_a_cancel_needs_a_reason(frontdesk, booked):
    before = snapshot(booked)

    response = frontdesk.post(
        reverse("bookings:staff_booking_cancel", kwargs={"public_id": booked.public_id}),
        {"reason": ""},
    )

    assert response.status_code == 400
    assert snapshot(booked) == before


def test_a_cancelled_booking_cannot_be_cancelled_again(frontdesk, demo, monday):
    booking = demo.book(at(monday, 10), status=BookingStatus.CANCELLED)
    before = snapshot(booking)

    response = frontdesk.post(
        reverse("bookings:staff_booking_cancel", kwargs={"public_id": booking.public_id}),
        {"reason": "again"},
        follow=True,
    )

    assert "This booking can no longer be cancelled." in page_text(response)
    assert snapshot(booking) == before


# Blocked time and time off


def block_form(demo, start_day, start_time, end_day, end_time, **changes):
    return {
        "therapist": demo.therapist("ana").pk,
        "kind": "block",
        "start_day": start_day.isoformat(),
        "start_time": start_time,
        "end_day": end_day.isoformat(),
        "end_time": end_time,
        "reason": "Training",
    } | changes


def test_blocking_time_shows_on_the_calendar_and_closes_the_slots(frontdesk, demo, monday):
    response = frontdesk.post(
        reverse("bookings:staff_block"), block_form(demo, monday, "12:00", monday, "13:00")
    )

    assert response.status_code == 302
    assert response.url == f"{reverse('bookings:staff_calendar')}?date={monday:%Y-%m-%d}"
    block = TimeOff.objects.get()
    assert (block.start_at, block.end_at, block.kind) == (at(monday, 12), at(monday, 13), "block")
    assert "Blocked: Training" in page_text(frontdesk.get(response.url))
    # Booking into it is now refused, by phone as online.
    phone = frontdesk.post(
        reverse("bookings:staff_phone_booking"),
        {
            "name": "Rosa Puig",
            "email": "rosa@example.com",
            "service": demo.service().pk,
            "length": demo.length(30).pk,
            "therapist": demo.therapist("ana").pk,
            "start": at(monday, 12, 15).isoformat(),
            "intake": "now",
            "language": "en",
            "step": "hold",
        },
    )
    assert phone.status_code == 409
    assert NOT_FREE in page_text(phone)
    assert not Booking.objects.exists()


def test_recording_several_days_of_time_off(frontdesk, demo, monday):
    response = frontdesk.post(
        reverse("bookings:staff_block"),
        block_form(demo, monday, "00:00", monday + timedelta(days=4), "23:59", kind="time_off"),
    )

    assert response.status_code == 302
    time_off = TimeOff.objects.get()
    assert time_off.kind == TimeOff.Kind.TIME_OFF
    assert time_off.end_at - time_off.start_at == timedelta(days=4, hours=23, minutes=59)


def test_blocking_time_over_a_booking_is_refused(frontdesk, demo, monday, booked):
    """The session and its buffer are both protected; the message names the booking."""
    for start, end in (("09:30", "10:30"), ("11:00", "11:30")):
        response = frontdesk.post(
            reverse("bookings:staff_block"), block_form(demo, monday, start, monday, end)
        )

        assert response.status_code == 400
        assert (
            f"There is a booking at {monday:%d/%m} 10:00 in that time. Move or cancel it first."
            in page_text(response)
        )
    assert not TimeOff.objects.exists()


def test_time_off_overlapping_time_off_is_refused(frontdesk, demo, monday):
    TimeOff.objects.create(
        therapist=demo.therapist("ana"), start_at=at(monday, 9), end_at=at(monday, 12)
    )

    response = frontdesk.post(
        reverse("bookings:staff_block"),
        block_form(demo, monday, "11:00", monday, "13:00", kind="time_off"),
    )

    assert response.status_code == 400
    assert "This overlaps time off already recorded" in page_text(response)
    assert TimeOff.objects.count() == 1


def test_time_off_for_another_therapist_at_the_same_time_is_fine(frontdesk, demo, monday):
    TimeOff.objects.create(
        therapist=demo.therapist("ana"), start_at=at(monday, 9), end_at=at(monday, 12)
    )

    response = frontdesk.post(
        reverse("bookings:staff_block"),
        block_form(demo, monday, "09:00", monday, "12:00", therapist=demo.therapist("ben").pk),
    )

    assert response.status_code == 302
    assert TimeOff.objects.count() == 2


def test_a_block_that_ends_before_it_starts_is_a_form_error(frontdesk, demo, monday):
    response = frontdesk.post(
        reverse("bookings:staff_block"), block_form(demo, monday, "13:00", monday, "12:00")
    )

    assert response.status_code == 400
    assert "The end must be after the start." in page_text(response)
    assert not TimeOff.objects.exists()


# Clients


@pytest.fixture
def clients(db):
    return {
        "rosa": ClientFactory(name="Rosa Puig", email="rosa@example.com", phone="+34 611 222 333"),
        "pau": ClientFactory(name="Pau Serra", email="pau@correo.test", phone="699 888 777"),
        "gone": ClientFactory(
            name="Rosa Erased", email="erased@example.com", erased_at=timezone.now()
        ),
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("puig", ["Rosa Puig"]),
        ("ROSA", ["Rosa Puig"]),
        ("correo.test", ["Pau Serra"]),
        ("rosa@example", ["Rosa Puig"]),
        ("611 222", ["Rosa Puig"]),
        ("888", ["Pau Serra"]),
        ("a", []),
        ("nobody", []),
    ],
)
def test_client_search_by_name_email_and_phone(frontdesk, demo_studio, clients, query, found):
    """Erased clients are never found; a single letter is too short to search on."""
    response = frontdesk.get(reverse("bookings:staff_clients"), {"q": query})

    html = response.content.decode()
    assert response.status_code == 200
    names = [c.name for c in Client.objects.all() if f">{c.name}</a>" in html]
    assert names == found
    if not found:
        assert "No client matches." in html


def test_the_client_card_counts_cancellations_and_no_shows(frontdesk, demo, monday, clients):
    """Over the last 12 months: cancellations (and those inside the window), and no-shows."""
    rosa = clients["rosa"]
    past = timezone.now() - timedelta(days=10)
    for offset, status in enumerate(
        [
            BookingStatus.CANCELLED,
            BookingStatus.CANCELLED,
            BookingStatus.NO_SHOW,
            BookingStatus.COMPLETED,
            BookingStatus.EXPIRED,
        ]
    ):
        start = past + timedelta(days=offset)
        demo.book(start, client=rosa, status=status, cancelled_at=start - timedelta(days=3))
    # Cancelled two hours before: inside the 24-hour window.
    late = past + timedelta(days=6)
    demo.book(
        late, client=rosa, status=BookingStatus.CANCELLED, cancelled_at=late - timedelta(hours=2)
    )
    # More than a year ago: no longer counted.
    old = timezone.now() - timedelta(days=400)
    demo.book(old, client=rosa, status=BookingStatus.NO_SHOW)
    demo.book(old + timedelta(days=1), client=rosa, status=BookingStatus.CANCELLED)
    upcoming = demo.book(at(monday, 10), client=rosa)
    demo.book(at(monday, 12), client=clients["pau"], status=BookingStatus.NO_SHOW)

    response = frontdesk.get(reverse("bookings:staff_client", kwargs={"pk": rosa.pk}))

    text = page_text(response)
    assert response.status_code == 200
    assert (
        "In the last 12 months: cancellations 3 (late, inside the cancellation window: 1) · "
        "no-shows 1"
    ) in text
    upcoming_part = text.split("Upcoming", 1)[1].split("Past and cancelled", 1)[0]
    assert card_url(upcoming) in upcoming_part
    assert "Hold expired" not in text


def test_an_erased_client_has_no_card(frontdesk, demo_studio, clients):
    response = frontdesk.get(reverse("bookings:staff_client", kwargs={"pk": clients["gone"].pk}))

    assert response.status_code == 404


# The database's last line of defence


@pytest.mark.postgres
def test_an_overlapping_move_is_refused_by_the_service_and_by_the_constraint(
    frontdesk, demo, monday, booked
):
    """Refused with its reason in the view; forced past the service, PostgreSQL refuses it."""
    other = demo.book(at(monday, 12), room="garden", client__name="Other Client")
    before = snapshot(booked)

    response = move(frontdesk, booked, monday, "12:00", demo.therapist("ana"))

    assert response.status_code == 409
    assert NOT_FREE in page_text(response)
    assert snapshot(booked) == before

    overlapping = {
        "start_at": at(monday, 12, 30),
        "end_at": at(monday, 13, 30),
        "blocked_until": at(monday, 13, 40),
    }
    with pytest.raises(IntegrityError) as same_therapist, transaction.atomic():
        Booking.objects.filter(pk=booked.pk).update(**overlapping)
    assert same_therapist.value.__cause__.diag.constraint_name == "booking_no_therapist_overlap"

    with pytest.raises(IntegrityError) as same_room, transaction.atomic():
        Booking.objects.filter(pk=booked.pk).update(
            therapist=demo.therapist("ben"), room=other.room, **overlapping
        )
    assert same_room.value.__cause__.diag.constraint_name == "booking_no_room_overlap"
    assert snapshot(booked) == before


@pytest.mark.postgres
def test_overlapping_time_off_is_refused_by_the_form_and_by_the_constraint(frontdesk, demo, monday):
    existing = TimeOff.objects.create(
        therapist=demo.therapist("ana"), start_at=at(monday, 9), end_at=at(monday, 12)
    )

    response = frontdesk.post(
        reverse("bookings:staff_block"), block_form(demo, monday, "11:00", monday, "13:00")
    )

    assert response.status_code == 400
    with pytest.raises(IntegrityError) as forced, transaction.atomic():
        TimeOff.objects.create(
            therapist=existing.therapist, start_at=at(monday, 11), end_at=at(monday, 13)
        )
    assert forced.value.__cause__.diag.constraint_name == "time_off_no_overlap"
    assert TimeOff.objects.count() == 1


@pytest.mark.postgres
def test_a_cancelled_booking_frees_its_time_in_the_database_too(frontdesk, demo, monday, booked):
    """The constraint only covers active bookings: a cancelled one no longer holds the slot."""
    frontdesk.post(
        reverse("bookings:staff_booking_cancel", kwargs={"public_id": booked.public_id}),
        {"reason": "Moved away"},
    )

    replacement = demo.book(at(monday, 10), client__name="Next Client")

    assert replacement.pk is not None
    assert Booking.objects.filter(status__in=Booking.ACTIVE).get() == replacement


def test_a_phone_booking_is_in_the_language_the_front_desk_chose_for_the_client(
    frontdesk, demo, monday, django_capture_on_commit_callbacks
):
    """The front desk works in English; the client reads Spanish: so do their email and link."""
    chosen = {key: value for key, value in phone_form(demo, monday).items() if key != "step"}
    form = frontdesk.post(reverse("bookings:staff_phone_booking"), chosen).content.decode()
    assert '<option value="en" selected>English</option>' in form

    with django_capture_on_commit_callbacks(execute=True):
        frontdesk.post(
            reverse("bookings:staff_phone_booking"),
            phone_form(demo, monday, intake="link", language="es"),
        )

    booking = Booking.objects.get()
    assert booking.language == "es"
    (message,) = mail.outbox
    assert message.subject == "Unas preguntas de salud antes de tu masaje"
    assert "/es/intake/" in message.body


def test_the_client_card_costs_the_same_queries_for_one_booking_or_many(
    frontdesk, demo, monday, clients, django_assert_num_queries
):
    """Checking who may see each booking's level and adaptations reads nothing per booking."""
    rosa = clients["rosa"]
    url = reverse("bookings:staff_client", kwargs={"pk": rosa.pk})
    demo.book(at(monday, 10), client=rosa)
    frontdesk.get(url)  # the session and the account are warm
    with CaptureQueriesContext(connection) as one:
        assert frontdesk.get(url).status_code == 200
    for hour in (12, 14, 16, 18):
        demo.book(at(monday, hour), client=rosa, room="garden")
    with django_assert_num_queries(len(one.captured_queries)):
        assert frontdesk.get(url).status_code == 200
