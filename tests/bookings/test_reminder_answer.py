"""The reminder's one-tap answer: "I'll be there" stamps the booking, "I can't come" cancels
it (late inside the window, after saying so) and frees the time for the waitlist at once.

The link opens a page; only its form's POST changes anything, since mail scanners open links.
"""

from datetime import date, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail, signing
from django.urls import reverse

from bookings import selectors, services
from bookings.errors import BookingRefused
from bookings.messages import links
from bookings.models import Booking, BookingStatus, WaitlistOffer
from studio.models import Studio, WorkingHours
from tests.bookings.helpers import NOW, madrid
from tests.factories import (
    BookingFactory,
    ClientFactory,
    RoomFactory,
    ServiceFactory,
    ServiceLengthFactory,
    TherapistFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db

# NOW is Monday 23 November 2026, 09:00 in Madrid; the booking is on Thursday the 26th at
# 18:00, three days ahead: outside the studio's 24-hour cancellation window.
THURSDAY = date(2026, 11, 26)
START = madrid(2026, 11, 26, 18)
# Wednesday 20:00: 22 hours before, inside the window, and the reminder has gone out.
INSIDE_WINDOW = madrid(2026, 11, 25, 20)
THANKS = "See you on Thursday 26 November at 18:00."
LATE = "cancelling now counts as a late cancellation"


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine):
    """The pages read the real clock, and the links are signed with it: pin it to NOW."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def evening(db):
    """Ben's Thursday evening, 17:00–20:00, booked in full; the middle booking is Marta's."""
    Studio.load()
    service = ServiceFactory(rooms=[RoomFactory()], buffer_minutes=0)
    length = ServiceLengthFactory(service=service, minutes=60)
    ben = TherapistFactory(services=[service], display_name="Ben")
    WorkingHours.objects.create(therapist=ben, weekday=3, starts=time(17), ends=time(20))
    room = service.rooms.get()
    made = {
        hour: BookingFactory(
            service=service,
            length=length,
            therapist=ben,
            room=room,
            start_at=madrid(2026, 11, 26, hour),
            client=ClientFactory(name="Marta Soler", email="marta@example.com")
            if hour == 18
            else ClientFactory(),
        )
        for hour in (17, 18, 19)
    }
    return made[18]


def path_of(url: str) -> str:
    return urlsplit(url).path


def answer_url(booking: Booking) -> str:
    return path_of(links.reminder_url(booking))


def state(booking: Booking) -> tuple:
    """Return what an answer could change on a booking, read afresh."""
    booking.refresh_from_db()
    return (
        booking.status,
        booking.client_confirmed_at,
        booking.cancelled_at,
        booking.sequence,
        booking.updated_at,
    )


# The link


def test_a_reminder_token_names_the_booking_and_the_revision_of_its_time(evening):
    token = links.reminder_token(evening)
    assert links.reminder_token_booking_id(token) == (evening.public_id, 0)
    assert links.reminder_url(evening) == settings.SITE_URL.rstrip("/") + (f"/en/reminder/{token}/")
    evening.sequence = 3
    assert links.reminder_token_booking_id(links.reminder_token(evening)) == (
        evening.public_id,
        3,
    )


def test_forged_and_foreign_reminder_tokens_name_no_booking(evening):
    token = links.reminder_token(evening)
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        links.rescreen_token(evening),  # the right booking, another link's salt
        signing.dumps(str(evening.public_id), salt=links.REMINDER_SALT),
        signing.dumps([str(evening.public_id), "0"], salt=links.REMINDER_SALT),
        signing.dumps([str(evening.public_id), -1], salt=links.REMINDER_SALT),
        signing.dumps(["not-a-uuid", 0], salt=links.REMINDER_SALT),
        signing.dumps({"a": 1}, salt=links.REMINDER_SALT),
        "",
    ]
    assert [links.reminder_token_booking_id(value) for value in forged] == [None] * len(forged)


def test_a_reminder_link_stops_working_after_the_reminders_lead_and_two_days(evening, time_machine):
    token = links.reminder_token(evening)
    time_machine.move_to(NOW + timedelta(hours=24 + 48) - timedelta(seconds=1), tick=False)
    assert links.reminder_token_booking_id(token) == (evening.public_id, 0)
    time_machine.move_to(NOW + timedelta(hours=24 + 48, seconds=1), tick=False)
    assert links.reminder_token_booking_id(token) is None


def test_forged_expired_or_revoked_links_show_the_link_gone_page(evening, client, time_machine):
    before = state(evening)
    gone = [
        path_of(links.rescreen_url(evening)).replace("/rescreen/", "/reminder/"),
        reverse(
            "bookings:reminder_answer",
            args=[signing.dumps(["4f9c2a8e-0000-4000-8000-000000000000", 0], salt="calma.x")],
        ),
        # A well-signed link for a booking that does not exist.
        reverse(
            "bookings:reminder_answer",
            args=[
                signing.dumps(
                    ["4f9c2a8e-0000-4000-8000-000000000000", 0],
                    salt=links.REMINDER_SALT,
                    compress=True,
                )
            ],
        ),
    ]
    for url in gone:
        for response in (client.get(url), client.post(url, {"answer": "cancel"})):
            assert response.status_code == 404, url
            assert "This link no longer works" in response.content.decode()

    url = answer_url(evening)
    services.booking_manage_link_revoke(booking=evening, now=NOW)
    assert client.post(url, {"answer": "cancel"}).status_code == 404
    evening.manage_link_revoked_at = None
    evening.save(update_fields=["manage_link_revoked_at"])

    time_machine.move_to(NOW + timedelta(days=3, hours=1), tick=False)
    response = client.post(url, {"answer": "cancel"})
    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()
    assert state(evening)[:4] == before[:4]


# The page


def test_opening_the_link_shows_the_booking_and_changes_nothing(evening, client):
    """A mail scanner that opens the link must neither confirm nor cancel."""
    before = state(evening)
    response = client.get(answer_url(evening))
    html = response.content.decode()
    assert response.status_code == 200
    assert evening.service.name in html
    assert "Thursday 26 November 2026, 18:00 · Ben" in html
    assert 'name="answer" value="confirm"' in html
    assert 'name="answer" value="cancel"' in html
    assert "Yes, I'll be there" in html
    assert "I can't come: cancel" in html
    assert "no-store" in response["Cache-Control"]
    client.head(answer_url(evening))
    assert state(evening) == before


def test_an_unknown_answer_shows_the_form_again_and_changes_nothing(evening, client):
    before = state(evening)
    for data in ({}, {"answer": "maybe"}, {"answer": "CONFIRM"}, {"answer": ["x", "y"]}):
        response = client.post(answer_url(evening), data)
        assert response.status_code == 400, data
        assert "Please choose one of the two buttons." in response.content.decode()
    assert state(evening) == before
    assert client.put(answer_url(evening)).status_code == 405
    assert state(evening) == before


# Confirming


def test_confirming_stamps_the_booking_once_and_a_second_press_changes_nothing(
    evening, client, time_machine
):
    url = answer_url(evening)
    first = client.post(url, {"answer": "confirm"})
    assert first.status_code == 200
    assert THANKS in first.content.decode()
    evening.refresh_from_db()
    assert evening.client_confirmed_at == NOW
    assert evening.status == BookingStatus.CONFIRMED

    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    before = state(evening)
    second = client.post(url, {"answer": "confirm"})
    assert second.status_code == 200
    assert THANKS in second.content.decode()
    assert state(evening) == before
    assert mail.outbox == []  # a confirmation sends nothing

    # Opened again, the page says the client has answered, and still lets them cancel.
    page = client.get(url).content.decode()
    assert "You have told us you will be there." in page
    assert 'value="confirm"' not in page
    assert 'value="cancel"' in page


def test_the_service_confirms_only_a_confirmed_booking_and_only_for_its_time(evening):
    services.booking_client_confirm(booking=evening, sequence=0, now=NOW)
    services.booking_client_confirm(
        booking=evening, sequence=0, now=NOW + timedelta(hours=1)
    )  # twice: one stamp
    evening.refresh_from_db()
    assert evening.client_confirmed_at == NOW
    with pytest.raises(BookingRefused) as moved:
        services.booking_client_confirm(booking=evening, sequence=1, now=NOW)
    assert moved.value.code == BookingRefused.MOVED
    Booking.objects.filter(pk=evening.pk).update(
        status=BookingStatus.AWAITING_REVIEW, client_confirmed_at=None
    )
    with pytest.raises(BookingRefused):
        services.booking_client_confirm(booking=evening, sequence=0, now=NOW)
    evening.refresh_from_db()
    assert evening.client_confirmed_at is None


def test_a_booking_awaiting_review_cannot_be_confirmed_by_the_client_but_can_be_cancelled(
    evening, client, django_capture_on_commit_callbacks
):
    Booking.objects.filter(pk=evening.pk).update(status=BookingStatus.AWAITING_REVIEW)
    url = answer_url(evening)
    page = client.get(url).content.decode()
    assert "Your therapist will read your answers" in page
    assert 'value="confirm"' not in page
    before = state(evening)
    refused = client.post(url, {"answer": "confirm"})
    assert refused.status_code == 409
    assert state(evening) == before
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"answer": "cancel"}).status_code == 200
    assert state(evening)[0] == BookingStatus.CANCELLED


# Cancelling


def test_cancelling_outside_the_window_cancels_at_once_and_is_not_late(
    evening, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(answer_url(evening), {"answer": "cancel"})
    assert response.status_code == 200
    assert "Your booking is cancelled" in response.content.decode()
    evening.refresh_from_db()
    assert (evening.status, evening.cancelled_at) == (BookingStatus.CANCELLED, NOW)
    (message,) = [m for m in mail.outbox if m.to == ["marta@example.com"]]
    assert message.subject == "Your booking on 26/11 18:00 is cancelled"
    history = selectors.client_history(client=evening.client, now=NOW)
    assert (history.cancelled, history.cancelled_late) == (1, 0)


def test_cancelling_inside_the_window_first_says_it_is_late_then_counts_it(
    evening, client, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(INSIDE_WINDOW, tick=False)
    url = answer_url(evening)
    # The manage page's own cancel is closed by now; the reminder's answer is not.
    with pytest.raises(BookingRefused):
        services.booking_cancel(booking=evening, now=INSIDE_WINDOW)

    before = state(evening)
    warned = client.post(url, {"answer": "cancel"})
    html = " ".join(warned.content.decode().split())
    assert warned.status_code == 200
    assert f"Your session is less than 24 hours away, so {LATE}." in html
    assert 'name="late" value="yes"' in html
    assert state(evening) == before

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"answer": "cancel", "late": "yes"})
    assert done.status_code == 200
    assert "Your booking is cancelled" in done.content.decode()
    evening.refresh_from_db()
    assert (evening.status, evening.cancelled_at) == (BookingStatus.CANCELLED, INSIDE_WINDOW)
    assert [m.subject for m in mail.outbox if m.to == ["marta@example.com"]] == [
        "Your booking on 26/11 18:00 is cancelled"
    ]
    history = selectors.client_history(client=evening.client, now=INSIDE_WINDOW)
    assert (history.cancelled, history.cancelled_late) == (1, 1)


def test_a_cancelled_time_is_offered_to_the_waitlist_at_once_and_can_be_booked_again(
    evening, client, django_capture_on_commit_callbacks
):
    waiting = WaitlistEntryFactory(
        service=evening.service, length=evening.length, first_day=THURSDAY
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer_url(evening), {"answer": "cancel"})

    (offer,) = WaitlistOffer.objects.filter(entry=waiting)
    assert (offer.start_at, offer.therapist_id) == (START, evening.therapist_id)
    assert [m.to for m in mail.outbox if m.to == [waiting.email]] == [[waiting.email]]
    # The freed time takes a new hold: the overlap constraints no longer count the booking.
    hold = services.hold_create(
        service=evening.service,
        length=evening.length,
        therapist=evening.therapist,
        start_at=START,
        now=NOW,
    )
    assert (hold.status, hold.start_at) == (BookingStatus.HELD, START)


def test_a_second_cancel_says_the_booking_is_cancelled_and_sends_nothing_more(
    evening, client, django_capture_on_commit_callbacks
):
    url = answer_url(evening)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"answer": "cancel"})
    before, sent = state(evening), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"answer": "cancel"})
        confirm = client.post(url, {"answer": "confirm"})
    assert again.status_code == confirm.status_code == 409
    assert "This booking is cancelled." in again.content.decode()
    assert state(evening) == before
    assert len(mail.outbox) == sent
    assert "This booking is cancelled." in client.get(url).content.decode()


# A link that no longer fits the booking


def test_a_link_for_a_booking_that_has_moved_says_so_and_points_to_the_booking(evening, client):
    url = answer_url(evening)
    client.post(url, {"answer": "confirm"})
    Booking.objects.filter(start_at=madrid(2026, 11, 26, 19)).update(status=BookingStatus.CANCELLED)
    services.booking_reschedule(
        booking=evening,
        start_at=madrid(2026, 11, 26, 19),
        therapist=evening.therapist,
        by_client=False,
        now=NOW,
    )
    evening.refresh_from_db()
    # The client confirmed the old time, not this one.
    assert evening.client_confirmed_at is None

    before = state(evening)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Your booking has changed since we sent this reminder." in html
    assert f'href="{evening.get_manage_url()}"' in html
    assert 'value="confirm"' not in html
    for answer in ("confirm", "cancel"):
        refused = client.post(url, {"answer": answer, "late": "yes"})
        assert refused.status_code == 409
        assert "Your booking has changed since we sent this reminder." in (refused.content.decode())
    assert state(evening) == before
    # A reminder for the new time works.
    assert client.post(answer_url(evening), {"answer": "confirm"}).status_code == 200


def test_once_the_session_has_started_the_link_changes_nothing(evening, client, time_machine):
    time_machine.move_to(START - timedelta(hours=23), tick=False)  # the reminder goes out
    url = answer_url(evening)
    time_machine.move_to(START, tick=False)
    before = state(evening)
    page = client.get(url)
    assert page.status_code == 200
    assert "can no longer be changed here" in page.content.decode()
    assert 'value="cancel"' not in page.content.decode()
    for data in ({"answer": "confirm"}, {"answer": "cancel", "late": "yes"}):
        refused = client.post(url, data)
        assert refused.status_code == 409
        assert "can no longer be changed here" in refused.content.decode()
    assert state(evening) == before


def test_a_completed_or_declined_booking_is_not_changed_by_the_link(evening, client):
    url = answer_url(evening)
    for status in (BookingStatus.COMPLETED, BookingStatus.DECLINED, BookingStatus.NO_SHOW):
        Booking.objects.filter(pk=evening.pk).update(status=status)
        before = state(evening)
        for answer in ("confirm", "cancel"):
            assert client.post(url, {"answer": answer, "late": "yes"}).status_code == 409
        assert "This booking can no longer be changed." in client.get(url).content.decode()
        assert state(evening) == before
