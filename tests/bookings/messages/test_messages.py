"""Every event's emails: who gets them, what they say, and that no health answer is in them.

Bookings are made with the services on a pinned clock; ``django_capture_on_commit_callbacks``
runs what each transaction queued once it commits, and the locmem backend keeps the mail.
"""

import re
from datetime import timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
from celery import current_app
from django.conf import settings
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from icalendar import Calendar

from bookings import selectors as booking_selectors
from bookings import services, tasks
from bookings.messages import links, outbox, send, sweeps
from bookings.models import Booking, BookingStatus, Notification
from intake import selectors
from intake.services import aftercare_report, rescreen_submit, review_decide
from intake.triage import visible_questions
from tests.bookings.messages.conftest import (
    ANA_EMAIL,
    CLIENT_EMAIL,
    LEG_CLEAR,
    LEG_REVIEW,
    LEG_STOP,
    NOW,
    RESCREEN_STOP,
    SECRET_NOTE,
    STAFF_EMAIL,
    START,
    assert_no_health_text,
    health_texts,
    madrid,
)

pytestmark = pytest.mark.django_db

# How the emails write the start of the pinned booking, in the studio's zone.
WHEN = "09/12 10:00"
DETAILS = "Wednesday 9 December 2026, 10:00–11:00"


def calendar_of(message) -> Calendar:
    """Return the .ics attached to an email, parsed back."""
    files = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(files) == 1, f"{message.subject!r} has {len(files)} calendar files"
    _filename, content, mimetype = files[0]
    assert mimetype == "text/calendar"
    return Calendar.from_ical(content)


def has_calendar(message) -> bool:
    return any(a[0].endswith(".ics") for a in message.attachments)


def event_of(message):
    events = calendar_of(message).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def confirmed(make, django_capture_on_commit_callbacks) -> Booking:
    """A clear booking with Ana, Wednesday 10:00 Madrid; its confirmation already sent."""
    with django_capture_on_commit_callbacks(execute=True):
        booking = make.book(LEG_CLEAR | {"anything_else": SECRET_NOTE})
    assert booking.status == BookingStatus.CONFIRMED
    mail.outbox.clear()
    return booking


@pytest.fixture
def awaiting(make, django_capture_on_commit_callbacks) -> Booking:
    """A booking flagged for review (pregnancy), its first emails already sent."""
    with django_capture_on_commit_callbacks(execute=True):
        booking = make.book(LEG_REVIEW | {"anything_else": SECRET_NOTE})
    assert booking.status == BookingStatus.AWAITING_REVIEW
    mail.outbox.clear()
    return booking


def test_a_clear_booking_sends_the_client_a_confirmation_with_a_calendar_file(
    make, django_capture_on_commit_callbacks
):
    """A clear intake confirms at once: one email, to the client, with the .ics."""
    with django_capture_on_commit_callbacks(execute=True):
        booking = make.book(LEG_CLEAR | {"anything_else": SECRET_NOTE})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == "Your leg massage is booked"
    assert "Your booking is confirmed" in message.body
    assert DETAILS in message.body
    assert "With Ana Ruiz" in message.body
    assert settings.SITE_URL + booking.get_manage_url() in message.body
    event = event_of(message)
    assert str(event["UID"]) == f"booking-{booking.public_id}@calma"
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_the_emails_give_the_studio_time_even_when_the_worker_runs_in_utc(confirmed):
    """A worker has no request to set the zone: 10:00 in Madrid must not read 09:00."""
    send.notification_send(event="reminder", booking_id=confirmed.pk, key="tz")
    (message,) = mail.outbox
    assert WHEN in message.subject
    assert DETAILS in message.body
    assert "09:00" not in message.subject + message.body


def test_a_booking_for_review_tells_the_client_and_asks_the_therapist(
    make, django_capture_on_commit_callbacks
):
    """A review intake sends "awaiting review" to the client and a review request to Ana."""
    with django_capture_on_commit_callbacks(execute=True):
        make.book(LEG_REVIEW | {"anything_else": SECRET_NOTE})

    assert len(mail.outbox) == 2
    (client,) = sent_to(CLIENT_EMAIL)
    assert client.subject == f"We have your booking request for {WHEN}"
    assert "your therapist will read your answers" in client.body
    assert not has_calendar(client)
    (therapist,) = sent_to(ANA_EMAIL)
    assert therapist.subject == f"A booking awaits your review: {WHEN}"
    assert "/en/therapist/reviews/" in therapist.body
    assert "health answers are never sent by email" in therapist.body
    assert not has_calendar(therapist)
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_an_approval_confirms_to_the_client_with_a_calendar_file(
    awaiting, make, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(booking=awaiting, reviewer=make.therapist().user, decision="approve", now=NOW)

    (message,) = mail.outbox
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == f"About your booking on {WHEN}"
    assert "your booking is confirmed" in message.body
    assert "adapt the session like this" not in message.body
    assert DETAILS in message.body
    assert str(event_of(message)["STATUS"]) == "CONFIRMED"
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_an_approval_with_adaptations_tells_the_client_the_adaptations(
    awaiting, make, django_capture_on_commit_callbacks
):
    adaptations = "Lighter pressure, and lying on your side rather than your back."
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(
            booking=awaiting,
            reviewer=make.therapist().user,
            decision="adapt",
            adaptations=adaptations,
            now=NOW,
        )

    (message,) = mail.outbox
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == f"About your booking on {WHEN}"
    assert "your booking is confirmed" in message.body
    assert f"Your therapist will adapt the session like this: {adaptations}" in message.body
    assert has_calendar(message)
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_a_decline_passes_on_the_therapists_message_and_no_calendar_file(
    awaiting, make, django_capture_on_commit_callbacks
):
    note = "I would rather we talk first. Please call the studio and ask for me."
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(
            booking=awaiting,
            reviewer=make.therapist().user,
            decision="decline",
            message=note,
            now=NOW,
        )

    (message,) = mail.outbox
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == f"About your booking on {WHEN}"
    assert "cannot confirm the session" in message.body
    assert note in message.body
    assert not has_calendar(message)
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_a_cancellation_sends_a_cancel_calendar_file_for_the_same_event(
    confirmed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=confirmed, now=NOW)

    (message,) = mail.outbox
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == f"Your booking on {WHEN} is cancelled"
    assert "Your booking has been cancelled" in message.body
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"booking-{confirmed.public_id}@calma"
    assert event["SEQUENCE"] == 1
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_a_reschedule_sends_an_updated_calendar_file_for_the_same_event(
    make, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = make.book()
    first = event_of(mail.outbox[0])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reschedule(
            booking=booking,
            start_at=madrid(2026, 12, 10, 11, 0),
            therapist=make.therapist(),
            now=NOW,
        )

    (message,) = mail.outbox
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == "Your booking has moved to 10/12 11:00"
    assert "Thursday 10 December 2026, 11:00–12:00" in message.body
    moved = event_of(message)
    assert moved["UID"] == first["UID"]
    assert moved["SEQUENCE"] > first["SEQUENCE"]
    assert moved.decoded("DTSTART") == madrid(2026, 12, 10, 11, 0)
    assert str(calendar_of(message)["METHOD"]) == "REQUEST"


def test_the_reminder_carries_the_manage_link_and_a_signed_rescreen_link(
    confirmed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.reminders_send(now=START - timedelta(hours=23))

    (message,) = mail.outbox
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == f"See you soon: Leg massage at {WHEN}"
    assert settings.SITE_URL + confirmed.get_manage_url() in message.body
    tokens = re.findall(re.escape(settings.SITE_URL) + r"/en/rescreen/([^/\s]+)/", message.body)
    assert len(tokens) == 1
    assert signing.loads(tokens[0], salt=links.RESCREEN_SALT) == str(confirmed.public_id)
    assert not has_calendar(message)
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_the_reminder_asks_near_its_top_to_confirm_or_cancel_with_one_tap(
    confirmed, client, django_capture_on_commit_callbacks, time_machine
):
    """The link names the booking and its time's revision, and opens the answer page."""
    time_machine.move_to(START - timedelta(hours=23), tick=False)  # the page reads the clock
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.reminders_send(now=START - timedelta(hours=23))

    (message,) = mail.outbox
    url = links.reminder_url(confirmed)
    assert f"Will you come? Confirm or cancel with one tap: {url}" in message.body
    assert message.body.index(url) < message.body.index("/rescreen/")
    (html, _mime) = message.alternatives[0]
    assert f'<a href="{url}"' in html
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert links.reminder_token_booking_id(token) == (confirmed.public_id, confirmed.sequence)
    page = client.get(url.removeprefix(settings.SITE_URL.rstrip("/")))
    assert page.status_code == 200
    assert 'name="answer" value="confirm"' in page.content.decode()


def test_the_reminder_of_a_booking_awaiting_review_does_not_read_as_confirmed(
    awaiting, django_capture_on_commit_callbacks
):
    """A request the therapist has not decided on yet is reminded of as a request."""
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.reminders_send(now=START - timedelta(hours=23))

    (message,) = sent_to(CLIENT_EMAIL)
    assert message.subject == f"Your request for {WHEN} is still awaiting review"
    body = " ".join(message.body.split())
    assert "Your booking request is not confirmed yet" in body
    assert "See you soon" not in message.subject + body
    assert "/reminder/" not in message.body  # nothing to confirm before the therapist has
    assert re.search(settings.SITE_URL + r"/en/rescreen/[^/\s]+/", message.body)
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_the_reminder_does_not_count_the_rescreen_questions(
    confirmed, django_capture_on_commit_callbacks
):
    """The re-screen is data a studio may change, and version 1 already asks four, not three."""
    specs = selectors.question_specs(selectors.questionnaire_current(kind="rescreen"))
    assert len(visible_questions(specs, {}, service_slug="leg-massage")) == 4
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.reminders_send(now=START - timedelta(hours=23))

    (message,) = mail.outbox
    counted = re.search(r"\b(one|two|three|four|five|six|\d+) short questions", message.body)
    assert counted is None, counted.group(0)
    assert "a few short questions" in message.body


def test_the_aftercare_email_gives_the_studios_care_advice(
    confirmed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.aftercare_send(now=confirmed.end_at + timedelta(hours=1))

    (message,) = mail.outbox
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == "Thank you for your visit"
    body = " ".join(message.body.split())
    assert "Taking a few minutes before returning to your day" in body  # rest
    assert "drinking some water" in body
    assert "a discomfort that does not pass, dizziness or anything unusual" in body
    assert "consulting a health professional is always the sensible call" in body
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_a_phone_booking_emails_the_client_the_link_to_the_health_questions(
    make, clock, django_capture_on_commit_callbacks
):
    booking = make.hold(source=Booking.Source.PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        services.intake_link_send(booking=booking)

    (message,) = mail.outbox
    assert message.to == [CLIENT_EMAIL]
    assert message.subject == "A few health questions before your massage"
    # Its own signed link, which leads to this booking's questions; never the manage link.
    prefix = settings.SITE_URL + "/en/intake/"
    assert prefix in message.body
    token = message.body.split(prefix, 1)[1].split("/", 1)[0]
    assert booking_selectors.booking_awaiting_intake(token=token) == booking
    assert booking.manage_token not in message.body
    assert DETAILS in message.body
    assert_no_health_text(mail.outbox)


def test_an_overdue_review_alerts_the_therapist_and_the_front_desk(
    awaiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.review_alerts_send(now=START - timedelta(hours=23))

    assert len(mail.outbox) == 2
    (therapist,) = sent_to(ANA_EMAIL)
    assert therapist.subject == f"Still awaiting your review: {WHEN}"
    (staff,) = sent_to(STAFF_EMAIL)
    assert staff.subject == f"Review overdue: {WHEN}"
    for message in (therapist, staff):
        assert "less than a day away" in message.body
    # The review page is the therapist's; the front desk opens the booking in the calendar.
    assert f"/en/therapist/reviews/{awaiting.public_id}/" in therapist.body
    assert f"/en/therapist/reviews/{awaiting.public_id}/" not in staff.body
    assert f"/en/staff/bookings/{awaiting.public_id}/" in staff.body
    assert not sent_to(CLIENT_EMAIL)
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_a_rescreen_stop_alerts_the_therapist_and_the_front_desk(
    confirmed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rescreen_submit(booking=confirmed, answers=RESCREEN_STOP, now=NOW)

    assert len(mail.outbox) == 2
    subject = f"Re-screen stop: {WHEN}, booking on hold"
    (therapist,) = sent_to(ANA_EMAIL)
    (staff,) = sent_to(STAFF_EMAIL)
    for message in (therapist, staff):
        assert message.subject == subject
        assert "The booking is on hold" in message.body
    assert f"/en/therapist/reviews/{confirmed.public_id}/" in therapist.body
    assert f"/en/therapist/reviews/{confirmed.public_id}/" not in staff.body
    assert f"/en/staff/bookings/{confirmed.public_id}/" in staff.body
    assert not sent_to(CLIENT_EMAIL)
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_a_screening_stop_tells_only_the_front_desk(make, django_capture_on_commit_callbacks):
    """The client reads the stop on the page; the front desk gets a note without detail."""
    with django_capture_on_commit_callbacks(execute=True):
        booking = make.book(LEG_STOP | {"anything_else": SECRET_NOTE})
    assert booking.status == BookingStatus.STOPPED

    (message,) = mail.outbox
    assert message.to == [STAFF_EMAIL]
    assert message.subject == "A booking attempt was stopped by the health screening"
    assert "Leg massage" in message.body
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_no_email_of_a_whole_booking_life_repeats_a_health_answer(
    make, django_capture_on_commit_callbacks
):
    """Every event, with a flagged intake and a free-text note: no answer reaches an email."""
    flagged = LEG_REVIEW | {
        "varicose_veins": "pronounced",
        "skin_problems": "yes",
        "diabetes_or_neuropathy": "yes",
        "numb_areas": "yes",
        "anything_else": SECRET_NOTE,
    }
    ana = make.therapist()
    with django_capture_on_commit_callbacks(execute=True):
        booking = make.book(flagged)
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.review_alerts_send(now=START - timedelta(hours=23))
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(
            booking=booking, reviewer=ana.user, decision="adapt", adaptations="Gentle.", now=NOW
        )
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.reminders_send(now=START - timedelta(hours=23))
    with django_capture_on_commit_callbacks(execute=True):
        rescreen_submit(booking=booking, answers=RESCREEN_STOP, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reschedule(
            booking=booking, start_at=madrid(2026, 12, 10, 11, 0), therapist=ana, now=NOW
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, now=NOW)
    # Marta's re-screen stop would send her next booking to review: the stop attempt and
    # the visit that gets after-care are other clients'.
    with django_capture_on_commit_callbacks(execute=True):
        make.book(
            LEG_STOP | {"anything_else": SECRET_NOTE},
            start=madrid(2026, 12, 11, 12, 0),
            email="joan@example.com",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.intake_link_send(
            booking=make.hold(start=madrid(2026, 12, 11, 9, 0), source=Booking.Source.PHONE)
        )
    with django_capture_on_commit_callbacks(execute=True):
        done = make.book(start=madrid(2026, 12, 14, 9, 0), email="lucia@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.aftercare_send(now=done.end_at + timedelta(minutes=5))
    # Lucia answers the after-care follow-up: she does not feel well.
    Booking.objects.filter(pk=done.pk).update(status=BookingStatus.COMPLETED)
    with django_capture_on_commit_callbacks(execute=True):
        aftercare_report(
            booking=done,
            feelings=["dizziness", "unusual"],
            details=SECRET_NOTE,
            now=done.end_at + timedelta(hours=2),
        )

    events = set(Notification.objects.values_list("event", flat=True))
    assert events == {
        "awaiting_review",
        "review_requested",
        "review_overdue",
        "review_outcome",
        "reminder",
        "rescreen_stop",
        "rescheduled",
        "cancelled",
        "screening_stop",
        "intake_link",
        "confirmed",
        "aftercare",
        "aftercare_alert",
    }
    assert len(mail.outbox) == Notification.objects.count()
    assert_no_health_text(mail.outbox, SECRET_NOTE)


def test_the_health_text_check_catches_a_leaked_reason_label_or_note():
    """The check above could fail: it knows the questionnaires' words and the note."""
    texts = health_texts()
    assert "Pregnancy." in texts  # a reason
    assert "In one leg only" in texts  # a choice label
    assert "Have you had a new injury, fracture or operation?" in texts  # the re-screen
    for leak in ("Reasons: Pregnancy.", "Side: In one leg only", f"Note: {SECRET_NOTE}"):
        message = EmailMultiAlternatives(subject="Hello", body=leak, to=[CLIENT_EMAIL])
        with pytest.raises(AssertionError):
            assert_no_health_text([message], SECRET_NOTE)


def test_a_booking_rolled_back_sends_nothing(make, django_capture_on_commit_callbacks):
    """Emails are queued on commit: a transaction that rolls back never sends its emails."""

    class Abandon(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abandon),
        transaction.atomic(),
    ):
        make.book()
        raise Abandon

    assert callbacks == []
    assert mail.outbox == []
    assert not Booking.objects.exists()
    assert not Notification.objects.exists()


def test_a_send_repeated_after_success_sends_nothing_twice(confirmed):
    """A task that runs again (a retry, a redelivery) finds the Notification row and skips."""
    notification = confirmed.notifications.get()
    assert notification.event == "confirmed"

    assert (
        send.notification_send(event="confirmed", booking_id=confirmed.pk, key=notification.key)
        == 0
    )
    tasks.notification_send.apply(args=("confirmed", confirmed.pk, notification.key)).get()

    assert mail.outbox == []
    assert confirmed.notifications.count() == 1


def test_the_first_send_of_an_event_sends_once(make):
    """Two runs of one send: the first sends, the second finds it done."""
    booking = make.book()  # its on-commit emails are never run here
    assert send.notification_send(event="confirmed", booking_id=booking.pk) == 1
    assert send.notification_send(event="confirmed", booking_id=booking.pk) == 0
    assert len(mail.outbox) == 1
    assert booking.notifications.filter(event="confirmed").count() == 1


def test_a_mail_server_failure_raises_and_leaves_the_message_to_send_again(make):
    """The failure is not swallowed, nothing is recorded as sent, and the retry sends it."""
    booking = make.book()
    with (
        mock.patch.object(EmailMultiAlternatives, "send", side_effect=SMTPException("server down")),
        pytest.raises(SMTPException),
    ):
        send.notification_send(event="confirmed", booking_id=booking.pk)
    assert not Notification.objects.filter(booking=booking).exists()
    assert mail.outbox == []

    assert send.notification_send(event="confirmed", booking_id=booking.pk) == 1
    assert len(mail.outbox) == 1
    assert booking.notifications.filter(event="confirmed").count() == 1


def test_a_partial_failure_keeps_what_was_sent_and_retries_the_rest(awaiting):
    """With two recipients, a retry sends only the one whose message failed."""
    real_send = EmailMultiAlternatives.send

    def fail_for_staff(message, *args, **kwargs):
        if message.to == [STAFF_EMAIL]:
            raise SMTPException("server down")
        return real_send(message, *args, **kwargs)

    with (
        mock.patch.object(EmailMultiAlternatives, "send", fail_for_staff),
        pytest.raises(SMTPException),
    ):
        send.notification_send(event="review_overdue", booking_id=awaiting.pk)
    assert [m.to for m in mail.outbox] == [[ANA_EMAIL]]

    assert send.notification_send(event="review_overdue", booking_id=awaiting.pk) == 1
    assert [m.to for m in mail.outbox] == [[ANA_EMAIL], [STAFF_EMAIL]]


def test_the_send_task_retries_mail_server_failures_with_backoff():
    task = tasks.notification_send
    assert SMTPException in task.autoretry_for
    assert task.retry_backoff
    assert task.max_retries
    assert task.retry_backoff_max >= task.retry_backoff


def test_notify_queues_the_task_only_on_commit(confirmed, django_capture_on_commit_callbacks):
    """``notify`` itself sends nothing: the send waits for the commit."""
    task = current_app.tasks[outbox.NOTIFICATION_TASK]
    assert task.name == tasks.notification_send.name
    with mock.patch.object(task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            outbox.notify("reminder", confirmed, key="x")
        delay.assert_not_called()
        assert len(callbacks) == 1
        callbacks[0]()
    delay.assert_called_once_with("reminder", confirmed.pk, "x")
