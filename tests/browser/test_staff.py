"""The front desk's and a therapist's journeys in a real browser, on the demo studio.

Both run in English and again in Catalan, the language of the addresses they open.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from studio.models import ServiceLength
from tests.bookings.staff.conftest import LEG_CLEAR, MADRID, Demo, at, local_today, next_monday
from tests.browser.conftest import in_each_language, log_in, service_name, t
from tests.factories import SubmissionFactory


def swapped(page, change) -> None:
    """Make a change that htmx answers by swapping the phone booking's choices, and wait."""
    page.evaluate("document.getElementById('phone-booking').dataset.stale = '1'")
    change()
    page.wait_for_selector("#phone-booking:not([data-stale]):not(.htmx-settling)")


@pytest.mark.parametrize("lang", ["en", "ca"])
@pytest.mark.django_db(transaction=True)
def test_the_front_desk_books_by_phone_moves_and_completes_a_session(page, live_demo, shot, lang):
    """Phone booking from the calendar, the health questions with the client, a move, done."""
    base = live_demo.url
    monday = next_monday()
    leg_massage = service_name(lang)
    log_in(page, base, "frontdesk", f"/{lang}/staff/calendar/?date={monday}", lang=lang)
    shot("calendar")

    # The massage first: then only its lengths and therapists, and the client's own picker,
    # open on the day the calendar showed.
    page.get_by_role("link", name=t(lang, "New booking")).click()
    expect(page).to_have_url(re.compile(rf"/staff/bookings/new/\?date={monday}$"))
    page.wait_for_load_state()  # htmx is set up: a change is sent as soon as it is made
    swapped(page, lambda: page.get_by_label(t(lang, "Massage")).select_option(label=leg_massage))
    sixty = str(ServiceLength.objects.get(service__slug="leg-massage", minutes=60).pk)
    swapped(page, lambda: page.get_by_label(t(lang, "Length")).select_option(sixty))
    ana = str(Demo().therapist("ana").pk)
    swapped(page, lambda: page.get_by_label(t(lang, "Therapist")).select_option(ana))
    expect(page.locator("#slots input[name='length']")).to_have_value(sixty)
    expect(page.locator("#slots input[name='therapist']")).to_have_value(ana)
    expect(page.locator("a.picker-day[aria-current='date']")).to_have_attribute(
        "data-focus-key", f"day-{monday}"
    )
    shot("phone-booking-times")
    page.locator("[data-roving='list'] button", has_text="10:00").click()

    expect(page.get_by_text(t(lang, "With %(name)s", name="Ana Ruiz"))).to_be_visible()
    page.get_by_label(t(lang, "Client name")).fill("Rosa Puig")
    page.get_by_label(t(lang, "Client email")).fill("rosa@example.com")
    page.get_by_label(t(lang, "Client phone")).fill("+34 611 222 333")
    page.get_by_label(t(lang, "Fill in the health questions with the client now")).check()
    shot("phone-booking")
    page.get_by_role("button", name=t(lang, "Hold this time")).click()

    page.get_by_role("heading", name=t(lang, "A few health questions")).wait_for()
    for code, value in LEG_CLEAR.items():
        page.locator(f'input[name="q_{code}"][value="{value}"]').check()
    page.locator("#id_consent").check()
    shot("health-questions")
    page.get_by_role("button", name=t(lang, "Send my answers")).click()
    # Back on the booking card: the front desk never lands on the client's manage page.
    page.get_by_text(
        t(
            lang,
            "The health answers are in. The booking is now: %(status)s.",
            status=t(lang, "Confirmed").lower(),
        )
    ).wait_for()
    shot("confirmed")

    booking = Booking.objects.get()
    assert page.url == f"{base}/{lang}/staff/bookings/{booking.public_id}/"
    assert booking.manage_token not in page.content()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.source == Booking.Source.PHONE
    assert booking.start_at == at(monday, 10)

    card = f"{base}/{lang}/staff/bookings/{booking.public_id}/"
    page.goto(card)
    # The move form starts from the booking's own day: only what changes is changed.
    expect(page.get_by_label(t(lang, "Date"))).to_have_value(monday.isoformat())
    page.get_by_label(t(lang, "Therapist")).select_option(label="Ben Ortega")
    page.get_by_label(t(lang, "Time")).fill("15:00")
    shot("move")
    page.get_by_role("button", name=t(lang, "Move booking")).click()
    page.get_by_text(t(lang, "The booking has been moved.")).wait_for()
    shot("moved")
    booking.refresh_from_db()
    assert (booking.therapist.slug, booking.start_at, booking.sequence) == (
        "ben",
        at(monday, 15),
        1,
    )

    # The session takes place: its start is put an hour in the past.
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    Booking.objects.filter(pk=booking.pk).update(
        start_at=start,
        end_at=start + timedelta(minutes=60),
        blocked_until=start + timedelta(minutes=70),
    )
    page.goto(card)
    page.get_by_role("button", name=t(lang, "Mark completed")).click()
    page.get_by_text(
        t(lang, "Marked as %(status)s.", status=t(lang, "Completed").lower())
    ).wait_for()
    shot("completed")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


@in_each_language
@pytest.mark.django_db(transaction=True)
def test_a_therapist_sees_the_adaptation_from_her_review_on_her_day(page, live_demo, shot, lang):
    """Ana approves with "avoid the left calf"; her day shows the adaptation on the session."""
    demo = Demo()
    noon = datetime.combine(local_today(), time(12), tzinfo=MADRID)
    booking = demo.book(
        noon, status=BookingStatus.AWAITING_REVIEW, client__name="Marta Soler", minutes=45
    )
    SubmissionFactory(booking=booking)
    base = live_demo.url

    log_in(page, base, "ana", f"/{lang}/therapist/reviews/", lang=lang)
    shot("review-queue")
    page.goto(f"{base}/{lang}/therapist/reviews/{booking.public_id}/")
    page.get_by_label(t(lang, "Approve with adaptations")).check()
    page.get_by_label(t(lang, "Adaptations"), exact=True).fill("avoid the left calf")
    shot("review")
    page.get_by_role("button", name=t(lang, "Record decision")).click()
    page.get_by_text(t(lang, "Your decision has been recorded.")).wait_for()

    page.get_by_role("link", name=t(lang, "My day")).click()
    page.wait_for_url(f"**/{lang}/me/day/**")
    session = page.locator("article", has_text="Marta Soler")
    session.wait_for()
    shot("my-day")
    # The text as written (the status label is upper-cased by CSS only).
    text = " ".join(session.text_content().split())
    assert f"{t(lang, 'Adaptations:')} avoid the left calf" in text
    assert t(lang, "Confirmed") in text
    booking.refresh_from_db()
    assert (booking.status, booking.adaptations) == (
        BookingStatus.CONFIRMED,
        "avoid the left calf",
    )
