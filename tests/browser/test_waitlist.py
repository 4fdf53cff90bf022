"""Issue 17's "Done when", in Chromium against live_server: the waitlist and the no-show rule.

The clock is pinned for each whole test (the server, its live-server thread and the page's
own clock) to Monday 1 March 2027, 09:00 in the studio; Thursday is the 4th. On the demo
studio Ben is the only therapist with Thursday evening hours here (19:00–20:00), so a leg
massage of an hour can start at 19:00 and at no other evening time.
"""

import re
from datetime import date, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from bookings import waitlist
from bookings.models import Booking, BookingStatus, WaitlistEntry, WaitlistOffer
from studio.models import Studio, WorkingHours
from studio.timezones import studio_tz
from tests.bookings.staff.conftest import Demo, at
from tests.browser.conftest import (
    LEG_NOTHING_TO_REPORT,
    fill_details,
    in_language,
    log_in,
    next_week,
    open_times,
    send_answers,
    slot_buttons,
)
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = date(2027, 3, 1)
THURSDAY = date(2027, 3, 4)
EVENING_19 = at(THURSDAY, 19)
OFFER_SUBJECT = "A time has come free: 04/03 19:00"
NO_SHOWS = "2 no-shows in the last 12 months"


@pytest.fixture
def studio_on_monday(time_machine, request):
    """The demo studio at Monday 09:00, its clock pinned before anything is seeded."""
    time_machine.move_to(at(MONDAY, 9), tick=False)
    return request.getfixturevalue("live_demo")


def _on_pinned_clock(page):
    """Give the page the server's pinned time (its countdowns and pickers read it)."""
    page.clock.install(time=timezone.now())
    return page


def _only_19_00_free_on_thursday_evening() -> None:
    """Leave Ben's Thursday 19:00–20:00 the only evening hours: Carla's afternoon goes.

    Saved and deleted one by one, as the studio's pages do, so the stored times are told.
    """
    for hours in WorkingHours.objects.filter(weekday=3, therapist__slug="carla", ends__gt=time(17)):
        hours.delete()
    ben = WorkingHours.objects.get(weekday=3, therapist__slug="ben")
    ben.starts = time(19)
    ben.save()


def _emailed_path(message, pattern: str) -> str:
    """Return the path of the link an email carries: the live server is not SITE_URL."""
    found = re.search(rf"https?://\S+{pattern}\S*", message.body)
    assert found, message.body
    return urlsplit(found.group()).path


def _mails_to(email: str, subject: str = "") -> list:
    return [m for m in mail.outbox if m.to == [email] and (not subject or m.subject == subject)]


def _join_the_waitlist_for_thursday_evening(page, base: str, *, name: str, email: str) -> None:
    """From the times page: the waitlist link, an hour, Thursday 4 March only, the evening."""
    page.goto(f"{base}/en/book/leg-massage/")
    page.get_by_role(
        "link", name="No time that suits you? Join the waitlist, and we will write when one"
    ).click()
    page.wait_for_url("**/en/book/leg-massage/waitlist/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the waitlist for a leg massage")
    hour = Demo().length(60)
    page.get_by_label("Length").select_option(str(hour.pk))
    expect(page.get_by_label("Therapist")).to_have_value("any")
    page.get_by_label("From").fill(THURSDAY.isoformat())
    page.get_by_label("Until").fill(THURSDAY.isoformat())
    page.get_by_label("Thursday", exact=True).check()
    page.get_by_label("Evening", exact=True).check()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("heading", name="Your place on the waitlist")).to_be_visible()
    expect(page.get_by_role("main").locator("p").first).to_contain_text(
        re.compile(r"On Thursday 4 March\s+Evening")
    )
    expect(page.get_by_role("button", name="Leave the waitlist")).to_be_visible()


def test_a_cancelled_thursday_evening_goes_to_the_waitlist_and_the_first_claim_books_it(
    page, browser, studio_on_monday, shot_of, time_machine
):
    base = studio_on_monday.url
    _only_19_00_free_on_thursday_evening()
    demo = Demo()
    pere = ClientFactory(name="Pere Camps", email="pere@example.com")
    taken = demo.book(EVENING_19, therapist="ben", room="olive", client=pere)
    contexts = []

    def new_page():
        context = browser.new_context()
        contexts.append(context)
        return _on_pinned_clock(context.new_page())

    try:
        # 1. Marta looks at Thursday: morning times, and none in the evening.
        marta = _on_pinned_clock(page)
        open_times(marta, base)
        with marta.expect_response(lambda response: "length=" in response.url):
            marta.get_by_label("Length").select_option(str(demo.length(60).pk))
        thursday = marta.locator(f'a.picker-day[data-focus-key="day-{THURSDAY}"]')
        thursday.click()
        expect(marta.locator(f'a.picker-day[data-focus-key="day-{THURSDAY}"]')).to_have_attribute(
            "aria-current", "date"
        )
        expect(marta.locator("#picker-day")).to_have_text(re.compile("Thursday 4 March"))
        expect(marta.get_by_role("group", name="Morning")).to_be_visible()
        expect(marta.get_by_role("group", name="Evening")).to_have_count(0)
        shot_of(marta, "thursday-no-evening")

        # 2. She joins the waitlist for Thursday evening, and is emailed her place.
        _join_the_waitlist_for_thursday_evening(
            marta, base, name="Marta Soler", email="marta@example.com"
        )
        shot_of(marta, "marta-on-the-waitlist")
        (joined,) = _mails_to("marta@example.com")
        assert joined.subject == "You are on the waitlist"
        entry = WaitlistEntry.objects.get(email="marta@example.com")
        assert (entry.first_day, entry.last_day, entry.weekdays, entry.parts) == (
            THURSDAY,
            THURSDAY,
            [3],
            ["evening"],
        )
        assert (entry.length.minutes, entry.therapist) == (60, None)
        assert _emailed_path(joined, "/en/waitlist/") == f"/en/waitlist/{entry.token}/"

        # 3. Five minutes later Joan joins the same waitlist, in his own browser.
        time_machine.move_to(at(MONDAY, 9, 5), tick=False)
        joan = new_page()
        _join_the_waitlist_for_thursday_evening(
            joan, base, name="Joan Puig", email="joan@example.com"
        )
        assert [m.subject for m in _mails_to("joan@example.com")] == ["You are on the waitlist"]
        assert list(WaitlistEntry.objects.values_list("email", flat=True)) == [
            "marta@example.com",
            "joan@example.com",
        ]
        assert not WaitlistOffer.objects.exists()  # nothing is free on Thursday evening yet

        # 4. Pere cancels his Thursday 19:00 from his manage link. The cancellation's commit
        # queues the waitlist sweep, which runs at once (Celery is eager in the tests) in the
        # live server's thread: both waiting clients are offered 19:00.
        time_machine.move_to(at(MONDAY, 9, 30), tick=False)
        pere_page = new_page()
        pere_page.goto(base + in_language("en", taken.get_manage_url))
        pere_page.get_by_role("button", name="Cancel this booking").click()
        expect(pere_page.get_by_role("heading", name="Cancel your booking?")).to_be_visible()
        pere_page.get_by_role("button", name="Yes, cancel it").click()
        expect(pere_page.get_by_role("status").first).to_contain_text(
            "Your booking is cancelled. We hope to see you another time."
        )
        shot_of(pere_page, "pere-cancelled")
        taken.refresh_from_db()
        assert taken.status == BookingStatus.CANCELLED

        offers = list(WaitlistOffer.objects.select_related("entry").order_by("pk"))
        assert [(o.entry.email, o.start_at, o.therapist.slug) for o in offers] == [
            ("marta@example.com", EVENING_19, "ben"),
            ("joan@example.com", EVENING_19, "ben"),
        ]
        offered = {
            who: _mails_to(who, OFFER_SUBJECT) for who in ("marta@example.com", "joan@example.com")
        }
        assert {who: len(found) for who, found in offered.items()} == {
            "marta@example.com": 1,
            "joan@example.com": 1,
        }, [(m.to, m.subject) for m in mail.outbox]
        for message in offered.values():
            assert "Thursday 4 March 2027, 19:00" in message[0].body
            assert "With Ben Ortega" in message[0].body

        # A sweep run twice sends nothing twice.
        sent = len(mail.outbox)
        assert waitlist.waitlist_sweep() == 0
        assert len(mail.outbox) == sent
        assert WaitlistOffer.objects.count() == 2

        # 5. Marta follows her email's link first, books the time and answers the questions.
        marta_claim = _emailed_path(offered["marta@example.com"][0], "/en/waitlist/offer/")
        joan_claim = _emailed_path(offered["joan@example.com"][0], "/en/waitlist/offer/")
        assert marta_claim != joan_claim
        marta.goto(base + marta_claim)
        expect(marta.get_by_role("heading", name="A time from the waitlist")).to_be_visible()
        expect(marta.get_by_text("Thursday 4 March, 19:00 · Ben Ortega")).to_be_visible()
        shot_of(marta, "marta-offer")
        marta.get_by_role("button", name="Book this time").click()
        marta.wait_for_url("**/book/hold/**")
        expect(marta.get_by_label("Your name")).to_have_value("Marta Soler")
        expect(marta.get_by_label("Email")).to_have_value("marta@example.com")
        shot_of(marta, "marta-details")
        fill_details(marta, name="Marta Soler", email="marta@example.com")
        send_answers(marta, LEG_NOTHING_TO_REPORT)
        expect(marta.get_by_role("heading", name="You're booked in")).to_be_visible()
        shot_of(marta, "marta-booked")
        booked = Booking.objects.get(client__email="marta@example.com")
        assert (booked.status, booked.start_at, booked.therapist.slug, booked.length.minutes) == (
            BookingStatus.CONFIRMED,
            EVENING_19,
            "ben",
            60,
        )
        entry.refresh_from_db()
        assert entry.status == WaitlistEntry.Status.BOOKED

        # 6. Joan's link now says it has gone, and so did an email; he is still waiting.
        joan.goto(base + joan_claim)
        expect(
            joan.get_by_text("Sorry, this time has gone: someone else took it first.")
        ).to_be_visible()
        expect(joan.get_by_role("button", name="Book this time")).to_have_count(0)
        shot_of(joan, "joan-gone")
        (gone,) = _mails_to("joan@example.com", "That time has gone")
        assert "The time on Thursday 4 March at 19:00 has gone: someone else booked it first." in (
            gone.body
        )
        assert _mails_to("marta@example.com", "That time has gone") == []
        assert WaitlistEntry.objects.get(email="joan@example.com").status == (
            WaitlistEntry.Status.WAITING
        )
        assert Booking.objects.filter(start_at=EVENING_19, status=BookingStatus.HELD).count() == 0
    finally:
        for context in contexts:
            context.close()


def test_a_client_with_two_no_shows_books_awaiting_the_front_desks_confirmation(
    page, browser, studio_on_monday, shot_of
):
    base = studio_on_monday.url
    assert Studio.load().no_show_limit == 2
    demo = Demo()
    rosa = ClientFactory(name="Rosa Vidal", email="rosa@example.com")
    # Two sessions she missed in the last twelve months (and one too old to count).
    for days_ago in (30, 200, 400):
        demo.book(
            at(MONDAY - timedelta(days=days_ago), 10), client=rosa, status=BookingStatus.NO_SHOW
        )

    client_page = _on_pinned_clock(page)
    open_times(client_page, base)
    next_week(client_page)
    slot_buttons(client_page).first.click()
    client_page.wait_for_url("**/book/hold/**")
    fill_details(client_page, name="Rosa Vidal", email="rosa@example.com")
    send_answers(client_page, LEG_NOTHING_TO_REPORT)
    client_page.wait_for_url("**/b/**")
    expect(client_page.get_by_role("status").first).to_contain_text(
        re.compile("awaiting confirmation", re.IGNORECASE)
    )
    shot_of(client_page, "rosa-awaiting-confirmation")
    booking = Booking.objects.get(client__email="rosa@example.com", start_at__gt=timezone.now())
    assert booking.status == BookingStatus.AWAITING_DESK

    context = browser.new_context()
    try:
        desk = _on_pinned_clock(context.new_page())
        day = timezone.localdate(booking.start_at, studio_tz())
        log_in(desk, base, "frontdesk", f"/en/staff/calendar/?date={day}")
        # The calendar's block says why the booking waits; its card has the button.
        block = desk.get_by_role("link", name=re.compile("Rosa Vidal"))
        expect(block).to_contain_text(NO_SHOWS)
        expect(block).to_contain_text(str(BookingStatus.AWAITING_DESK.label))
        shot_of(desk, "calendar-day")
        block.click()
        desk.wait_for_url(f"**/staff/bookings/{booking.public_id}/")
        expect(desk.get_by_text(NO_SHOWS)).to_be_visible()
        shot_of(desk, "booking-card")
        desk.get_by_role("button", name=re.compile("^Confirm")).click()
        expect(desk.get_by_role("button", name=re.compile("^Confirm"))).to_have_count(0)
        shot_of(desk, "confirmed")
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED
    finally:
        context.close()
