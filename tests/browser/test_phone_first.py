"""The client's pages, phone first: the month view, a hold that runs out, focus and fit.

Each test saves a screenshot of every step (test-output/screenshots/<test>/), at 375 px on a
phone and at 1280 px on a desktop. Measured here, never in a stylesheet's comment: the first
free time on a phone's first screen, focus rings of 3:1 against what surrounds them, no
sideways scrolling at 320 px, and touch targets of 24 px (44 px for the booking's choices).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from studio.timezones import studio_tz
from tests.browser.conftest import (
    LEG_NOTHING_TO_REPORT,
    answer_questions,
    axe_serious,
    fill_details,
    log_in,
    next_week,
    question,
    send_answers,
    t,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
NARROWEST = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}
SCREENS = {"phone": PHONE, "desktop": DESKTOP}
PREGNANT = {**LEG_NOTHING_TO_REPORT, "pregnant": "yes", "pregnancy_complications": "no"}

FIRST_TIME = "[data-roving='list'] button"


@pytest.mark.parametrize("screen", SCREENS)
def test_a_client_books_from_the_month_view_with_the_first_free_time_on_the_first_screen(
    browser, live_demo, shot_of, screen
):
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    try:
        page.goto(live_demo.url + "/en/book/leg-massage/")
        first = page.locator(FIRST_TIME).first
        expect(first).to_be_visible()
        box = first.bounding_box()
        assert box["y"] + box["height"] <= SCREENS[screen]["viewport"]["height"], box
        shot_of(page, f"{screen}-times")

        # Another day from the month: a week ahead, its times swapped in place.
        next_week(page)
        shot_of(page, f"{screen}-another-day")
        chosen = page.locator(FIRST_TIME).first
        name = chosen.get_attribute("aria-label")
        if screen == "phone":
            chosen.tap()
        else:
            chosen.click()
        page.wait_for_url("**/book/hold/**")
        expect(page.locator("[data-hold-left]")).to_have_text(re.compile(r"^\d+ min \d{2} s left$"))
        shot_of(page, f"{screen}-details")
        fill_details(page, name="Laia Mora", email="laia@example.com")
        shot_of(page, f"{screen}-health")
        send_answers(page, LEG_NOTHING_TO_REPORT)
        expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
        shot_of(page, f"{screen}-booked")
        booking = Booking.objects.get(client__email="laia@example.com")
        assert booking.status == BookingStatus.CONFIRMED
        assert name.endswith(timezone.localtime(booking.start_at, studio_tz()).strftime(", %H:%M"))
        # One confirmation message, a calendar to add it to, and what happens next.
        expect(page.get_by_role("status")).to_have_count(1)
        expect(page.get_by_role("link", name="Calendar file (.ics)")).to_be_visible()
        expect(page.get_by_role("link", name="Google Calendar")).to_have_attribute(
            "href", re.compile(r"^https://calendar\.google\.com/.*action=TEMPLATE")
        )
        expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
        assert booking.manage_token not in page.get_by_role(
            "link", name="Google Calendar"
        ).get_attribute("href")
    finally:
        context.close()


def _run_out(page, booking: Booking) -> None:
    """Let the hold's minutes pass: on the server, and on the page's own clock."""
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    expect(page.locator("[data-hold-expired]")).to_be_hidden()
    page.clock.fast_forward("11:00")
    expect(page.locator("[data-hold-expired]")).to_be_visible()


def _clock_back(page) -> None:
    """Set the page's clock back to the real time, once a hold is renewed on the server."""
    page.clock.set_system_time(timezone.now())


def test_a_hold_that_runs_out_gives_back_the_same_details_and_answers(browser, live_demo, shot_of):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    # The page keeps the server's time (CI runs a pass with the clock moved ahead).
    page.clock.install(time=timezone.now())
    try:
        page.goto(live_demo.url + "/en/book/leg-massage/")
        # A week ahead: no time nears the minimum notice while the minutes run out.
        next_week(page)
        page.locator(FIRST_TIME).first.tap()
        page.wait_for_url("**/book/hold/**")
        booking = Booking.objects.get(status=BookingStatus.HELD)

        # Typed, then the minutes run out before Continue: the details come back.
        page.get_by_label("Your name").fill("Pau Ribas")
        page.get_by_label("Email").fill("pau@example.com")
        page.get_by_label("Phone").fill("+34 600 222 333")
        _run_out(page, booking)
        shot_of(page, "details-ran-out")
        page.get_by_role("button", name="Continue").tap()
        expect(page.get_by_role("heading", name="Your time was released")).to_be_visible()
        expect(page.get_by_text("Everything you typed is kept")).to_be_visible()
        shot_of(page, "released")
        page.get_by_role("button", name="Keep this time").tap()
        page.wait_for_url(f"**/book/hold/{booking.public_id}/")
        _clock_back(page)
        expect(page.get_by_label("Your name")).to_have_value("Pau Ribas")
        expect(page.get_by_label("Email")).to_have_value("pau@example.com")
        expect(page.get_by_label("Phone")).to_have_value("+34 600 222 333")
        page.get_by_role("button", name="Continue").tap()
        page.wait_for_url("**/health/")

        # Answered, then the minutes run out before sending: the answers come back.
        answer_questions(page, PREGNANT)
        page.get_by_label("I consent to the studio").check()
        booking.refresh_from_db()
        _run_out(page, booking)
        page.get_by_role("button", name="Send my answers").tap()
        expect(page.get_by_role("heading", name="Your time was released")).to_be_visible()
        page.get_by_role("button", name="Keep this time").tap()
        page.wait_for_url("**/health/")
        _clock_back(page)
        pregnant = question("pregnant")
        group = page.get_by_role("group", name=pregnant.text, exact=True)
        expect(group.get_by_label("Yes", exact=True)).to_be_checked()
        expect(page.get_by_label("I consent to the studio")).to_be_checked()
        shot_of(page, "answers-back")
        page.get_by_role("button", name="Send my answers").tap()
        page.wait_for_url("**/b/**")
        booking.refresh_from_db()
        assert booking.status == BookingStatus.AWAITING_REVIEW
        assert booking.client.name == "Pau Ribas"
    finally:
        context.close()


# Every page a person meets, for the measures below: (name, who, how to reach it).


def _client_pages(page, base: str):
    """Yield (name, page) for each client page, walking a booking through them."""
    for name, path in {
        "home": "/en/",
        "services": "/en/services/",
        "service": "/en/services/leg-massage/",
        "therapists": "/en/therapists/",
        "book": "/en/book/",
        "times": "/en/book/leg-massage/",
        "not found": "/en/no/such/page/",
        "login": "/en/accounts/login/",
    }.items():
        page.goto(base + path)
        yield name, page
    page.goto(base + "/en/book/leg-massage/")
    next_week(page)
    page.locator(FIRST_TIME).first.click()
    page.wait_for_url("**/book/hold/**")
    yield "details", page
    fill_details(page, name="Rita Sala", email="rita@example.com")
    yield "health", page
    send_answers(page, PREGNANT)
    page.wait_for_url("**/b/**")
    yield "manage", page
    page.goto(page.url.split("?")[0] + "reschedule/")
    yield "reschedule", page


def _staff_pages(base: str, booking: Booking) -> dict[str, tuple[str, str]]:
    day = timezone.localdate(booking.start_at, studio_tz()).isoformat()
    return {
        "calendar": ("frontdesk", f"{base}/en/staff/calendar/?date={day}"),
        "calendar week": ("frontdesk", f"{base}/en/staff/calendar/?view=week&date={day}"),
        "booking card": ("frontdesk", f"{base}/en/staff/bookings/{booking.public_id}/"),
        "phone booking": (
            "frontdesk",
            f"{base}/en/staff/bookings/new/?service={booking.service_id}&date={day}",
        ),
        "clients": ("frontdesk", f"{base}/en/staff/clients/?q=Rita"),
        "studio": ("frontdesk", f"{base}/en/studio/"),
        "report": ("frontdesk", f"{base}/en/studio/reports/bookings/?by=weekday"),
        "my day": ("ana", f"{base}/en/me/day/?date={day}"),
        "my week": ("ana", f"{base}/en/me/week/?date={day}"),
        "review queue": ("ana", f"{base}/en/therapist/reviews/"),
        "review": ("ana", f"{base}/en/therapist/reviews/{booking.public_id}/"),
    }


def _every_page(browser, live_demo, options: dict):
    """Yield (name, page) for each client and staff page, in a browser of these options."""
    client = browser.new_context(**options)
    try:
        yield from _client_pages(client.new_page(), live_demo.url)
    finally:
        client.close()
    booking = Booking.objects.get(client__email="rita@example.com")
    for who in ("frontdesk", "ana"):
        staff = browser.new_context(**options)
        page = staff.new_page()
        try:
            log_in(page, live_demo.url, who)
            for name, (whose, url) in _staff_pages(live_demo.url, booking).items():
                if whose == who:
                    page.goto(url)
                    yield name, page
        finally:
            staff.close()


CONTRAST = """(element) => {
  function rgb(value) {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(",").map((x) => parseFloat(x));
    return { r, g, b, a };
  }
  function luminance({ r, g, b }) {
    const f = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  // What surrounds the ring: the first opaque background outside the element.
  let node = element.parentElement, behind = { r: 255, g: 255, b: 255, a: 1 };
  while (node) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour && colour.a > 0.5) { behind = colour; break; }
    node = node.parentElement;
  }
  const style = getComputedStyle(element);
  const ring = rgb(style.outlineColor);
  if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 2 || !ring) {
    return { ratio: 0, what: element.outerHTML.slice(0, 90) };
  }
  const [light, dark] = [luminance(ring), luminance(behind)].sort((x, y) => y - x);
  return { ratio: (light + 0.05) / (dark + 0.05), what: element.outerHTML.slice(0, 90) };
}"""


def test_every_focus_ring_has_a_contrast_of_3_to_1_on_every_page(browser, live_demo):
    weak = []
    visited = 0
    for name, page in _every_page(browser, live_demo, DESKTOP):
        visited += 1
        page.evaluate("document.activeElement && document.activeElement.blur()")
        seen = set()
        for _step in range(120):
            page.keyboard.press("Tab")
            handle = page.evaluate_handle("document.activeElement")
            if page.evaluate("(el) => el === document.body", handle):
                break
            key = page.evaluate("(el) => el.outerHTML.slice(0, 200)", handle)
            if key in seen:
                break  # round the page once
            seen.add(key)
            measured = page.evaluate(CONTRAST, handle)
            if measured["ratio"] < 3:
                weak.append(f"{name}: {measured['ratio']:.2f} {measured['what']}")
    assert visited == 23
    assert weak == []


NARROW = """() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth })"""


def test_no_page_scrolls_sideways_at_320_px(browser, live_demo, shot_of):
    wide = []
    for name, page in _every_page(browser, live_demo, NARROWEST):
        width = page.evaluate(NARROW)
        if width["page"] > width["screen"]:
            wide.append(f"{name}: {width['page']} px")
            shot_of(page, f"too-wide-{name}")
    assert wide == []


TARGETS = """(least) => [...document.querySelectorAll(
    "button, select, input:not([type=hidden]), textarea, a.btn, nav a, .picker-day, label.choice"
  )].filter((el) => el.offsetParent !== null && !el.closest(".visually-hidden-focusable"))
   .map((el) => ({ box: el.getBoundingClientRect(), what: el.outerHTML.slice(0, 80), el }))
   .filter(({ box, el }) => {
     // A radio or checkbox inside a larger label counts as its label's target.
     const label = el.closest("label.choice, .form-check");
     const target = label && el.matches("input") ? label.getBoundingClientRect() : box;
     const wanted = el.matches(".picker-day, label.choice, .slot-grid button") ? 44 : least;
     return target.width < wanted - 0.5 || target.height < wanted - 0.5;
   }).map(({ box, what }) => `${Math.round(box.width)}x${Math.round(box.height)} ${what}`)"""


def test_touch_targets_are_24_px_and_the_booking_choices_44(browser, live_demo):
    small = []
    for name, page in _every_page(browser, live_demo, PHONE):
        small += [f"{name}: {found}" for found in page.evaluate(TARGETS, 24)]
    assert small == []


def test_the_new_pages_have_no_serious_accessibility_violations(browser, live_demo, shot_of):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    # The page keeps the server's time (CI runs a pass with the clock moved ahead).
    page.clock.install(time=timezone.now())
    found = []
    try:
        page.goto(live_demo.url + "/en/book/leg-massage/")
        found += axe_serious(page)
        # A week ahead: the booking made below can still be cancelled online.
        next_week(page)
        page.locator(FIRST_TIME).first.tap()
        page.wait_for_url("**/book/hold/**")
        booking = Booking.objects.get(status=BookingStatus.HELD)
        _run_out(page, booking)
        found += axe_serious(page)
        page.get_by_role("button", name="Continue").tap()
        expect(page.get_by_role("heading", name="Your time was released")).to_be_visible()
        found += axe_serious(page)
        shot_of(page, "released")
        page.get_by_role("button", name="Keep this time").tap()
        fill_details(page, name="Olga Vila", email="olga@example.com")
        send_answers(page, LEG_NOTHING_TO_REPORT)
        page.wait_for_url("**/b/**")
        found += axe_serious(page)
        page.get_by_role("button", name=t("en", "Cancel this booking")).tap()
        expect(page.get_by_role("heading", name="Cancel your booking?")).to_be_visible()
        found += axe_serious(page)
        shot_of(page, "cancel-confirm")
    finally:
        context.close()
    assert found == []


def test_a_short_booking_shows_all_its_text_to_the_keyboard_on_the_calendar(
    browser, live_demo, shot_of
):
    """A 30-minute booking is one line tall; focused, it grows to show the rest."""
    from tests.bookings.staff.conftest import Demo, at, next_monday

    monday = next_monday()
    booking = Demo().book(at(monday, 10), minutes=30, client__name="Maria Antònia Ferrer")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        log_in(page, live_demo.url, "frontdesk", f"/en/staff/calendar/?date={monday}")
        block = page.locator(".cal-block", has=page.locator(f"a[href$='{booking.public_id}/']"))
        link = block.locator("a")
        hidden = block.evaluate("(el) => el.scrollHeight > el.clientHeight + 1")
        assert hidden, "the fixture should be too short for its text"
        expect(link).to_have_attribute("title", re.compile("Maria Antònia Ferrer"))
        # Reached with the keyboard, as the other links are: Tab until it has focus.
        for _step in range(200):
            page.keyboard.press("Tab")
            if link.evaluate("(el) => el === document.activeElement"):
                break
        else:
            pytest.fail("the booking was never reached with Tab")
        shot_of(page, "short-booking-focused")
        # Focused, the block is as tall as its text, and drawn over what follows it.
        assert block.evaluate("(el) => el.scrollHeight <= el.clientHeight + 1")
        assert block.evaluate("(el) => getComputedStyle(el).overflow") == "visible"
    finally:
        context.close()
