"""The Content-Security-Policy in Chromium: every page works under it and breaks none of it.

A watch on each browser context collects every ``securitypolicyviolation`` event, every
console message about the Content-Security-Policy or the Permissions-Policy, and every
uncaught script error, across navigations and htmx swaps. The journeys below go through the
main pages of clients, the front desk, therapists and the owner; the watch must stay empty.
"""

import re
from contextlib import suppress

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from bookings.messages.links import rescreen_token
from bookings.models import Booking, BookingStatus, Client
from studio.models import Service
from studio.timezones import studio_tz
from tests.browser.conftest import (
    LEG_NOTHING_TO_REPORT,
    answer_questions,
    book_directly,
    fill_details,
    log_in,
    next_week,
    open_times,
    slot_buttons,
)

pytestmark = pytest.mark.django_db(transaction=True)

REVIEW_ANSWERS = {**LEG_NOTHING_TO_REPORT, "pregnant": "yes", "pregnancy_complications": "no"}

# Runs in every document before its own scripts (Playwright's init scripts are not subject to
# the page's policy) and reports each refusal to the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.calmaPolicyViolation({
    page: location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    where: event.sourceFile + ":" + event.lineNumber,
  });
});
"""

POLICY_MESSAGE = re.compile(r"Content[- ]Security[- ]Policy|Permissions[- ]Policy", re.I)


class PolicyWatch:
    """Collect what the browser refused under the policies, and script errors, page by page."""

    def __init__(self):
        self.found: list[str] = []

    def watch(self, context):
        """Watch every page of a browser context, from its first document on."""
        context.expose_binding("calmaPolicyViolation", self._violation)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.found.append(f"script error: {error.error}"))
        return context

    def _violation(self, _source, report):
        self.found.append(f"violation: {report}")

    def _console(self, message):
        if POLICY_MESSAGE.search(message.text):
            self.found.append(f"console {message.type}: {message.text} ({message.location})")

    def assert_clean(self):
        assert not self.found, "\n".join(["Refused or broken under the policies:", *self.found])


@pytest.fixture
def policy(context):
    """A watch on the test's own page (``page``) and on any context given to ``watch``."""
    watch = PolicyWatch()
    watch.watch(context)
    return watch


def _no_page_copies(page):
    """Assert that htmx kept no copy of a page in the browser's storage (it outlives logout)."""
    keys = page.evaluate("() => [...Object.keys(sessionStorage), ...Object.keys(localStorage)]")
    # htmx remembers the address it is at, and the admin its light or dark theme: no pages.
    assert set(keys) <= {"htmx-current-path-for-history", "theme"}, keys


def _settled(page):
    page.wait_for_load_state("load")
    # One round trip to the page: violations of the last document are reported by now.
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => resolve()))")


def test_the_watch_sees_an_inline_script_and_an_inline_style_refused(page, live_demo, policy):
    """Without 'unsafe-inline', a script or a style="…" the page did not nonce is refused."""
    page.goto(live_demo.url + "/")
    ran = page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
          document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: red">x</p>');
          return window.inlineRan === true;
        }"""
    )
    _settled(page)
    assert ran is False
    colour = page.locator("#styled").evaluate("el => getComputedStyle(el).color")
    assert colour != "rgb(255, 0, 0)"
    directives = " ".join(policy.found)
    assert "script-src" in directives, policy.found
    assert "style-src" in directives, policy.found


def test_a_client_books_under_the_policy_with_every_script_working(page, live_demo, policy):
    """Public pages, times swapped by htmx, the hold's countdown, the follow-up questions."""
    base = live_demo.url
    for path in [
        "/",
        "/en/services/",
        "/en/services/leg-massage/",
        "/en/therapists/",
        "/no-such-page/",
    ]:
        page.goto(base + path)
        _settled(page)
    for path in ["/en/accounts/login/", "/en/admin/login/"]:
        page.goto(base + path)
        _settled(page)

    page.goto(base + "/en/book/")
    _settled(page)
    # Choosing a therapist and a day swap the picker in place (htmx).
    open_times(page, base, therapist="ana")
    next_week(page)
    _no_page_copies(page)
    # Back, with nothing kept by htmx, reloads the page from the server.
    page.go_back()
    expect(page.locator("a.picker-day").first).to_be_visible()
    next_week(page)
    slot_buttons(page).last.click()
    page.wait_for_url("**/book/hold/**")
    # The hold's countdown runs from static/js/countdown.js.
    expect(page.locator("[data-hold-left]")).to_have_text(re.compile(r"^\d+ min \d{2} s left$"))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    fill_details(page, name="Nuria Policy", email="nuria@example.com")

    # A follow-up appears only with the answer that calls for it (static/js/followups.js).
    complications = page.locator('[data-question="pregnancy_complications"]')
    expect(complications).to_be_hidden()
    answer_questions(page, {"pregnant": "yes"})
    expect(complications).to_be_visible()
    answer_questions(page, LEG_NOTHING_TO_REPORT)
    expect(complications).to_be_hidden()
    page.get_by_role("button", name="Send my answers").click()
    # Sent without consent: the errors come back and take the focus.
    expect(page.locator("#form-errors")).to_be_focused()
    page.get_by_label("I consent to the studio").check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/b/**")
    expect(page.get_by_text("Your booking is confirmed.")).to_be_visible()
    _settled(page)

    page.get_by_role("link", name="Choose another time").click()
    page.wait_for_url("**/reschedule/")
    _settled(page)

    booking = Booking.objects.get(client__email="nuria@example.com")
    page.goto(f"{base}/en/rescreen/{rescreen_token(booking)}/")
    expect(page.locator("form[method=post]")).to_be_visible()
    _settled(page)
    policy.assert_clean()


def _placed(page) -> list[dict]:
    """Return each calendar block's grid placement: as asked for and as laid out."""
    return page.evaluate(
        """() => [...document.querySelectorAll(".cal [data-cal-column]")].map((el) => ({
          asked: el.dataset.calColumn + " " + el.dataset.calRows,
          laid: getComputedStyle(el).gridColumnStart + " " + getComputedStyle(el).gridRowStart
            + " " + getComputedStyle(el).gridRowEnd,
        }))"""
    )


def _assert_calendar_laid_out(page, *, at_least: int):
    # htmx swaps a calendar in and calendar.js places it in a later task: wait for the
    # placement (or give up after a while), then say exactly what is out of place.
    # (A timeout is no failure by itself: the assertions below report what is unplaced.)
    with suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            """() => {
              const blocks = [...document.querySelectorAll(".cal [data-cal-column]")];
              return blocks.length > 0 && blocks.every((el) =>
                getComputedStyle(el).gridColumnStart === el.dataset.calColumn);
            }""",
            timeout=5000,
        )
    blocks = _placed(page)
    assert len(blocks) >= at_least, blocks
    for block in blocks:
        assert block["asked"] == block["laid"], blocks
    columns = page.locator(".cal").evaluate("el => getComputedStyle(el).gridTemplateColumns")
    assert len(columns.split()) >= 2, columns


def test_staff_pages_and_the_admin_work_under_the_policy(browser, page, live_demo, policy):
    """Calendar (laid out, also after htmx swaps), cards, review pages, my day, the admin."""
    base = live_demo.url
    review = book_directly(name="Olga Review", email="olga@example.com", answers=REVIEW_ANSWERS)
    assert review.status == BookingStatus.AWAITING_REVIEW
    clear = book_directly(
        name="Pau Clear", email="pau@example.com", answers=LEG_NOTHING_TO_REPORT, therapist="ben"
    )
    day = timezone.localtime(review.start_at, studio_tz()).date().isoformat()

    log_in(page, base, "frontdesk")
    page.goto(f"{base}/en/staff/calendar/?date={day}")
    _settled(page)
    # Time labels and both bookings sit where the server placed them (static/js/calendar.js).
    _assert_calendar_laid_out(page, at_least=3)
    page.get_by_role("link", name="By room").click()
    expect(page.get_by_role("link", name="By room")).to_have_attribute("aria-current", "page")
    _assert_calendar_laid_out(page, at_least=3)
    page.get_by_role("link", name="Week: Ana Ruiz").click()
    page.wait_for_url("**view=week**")
    expect(page.locator(".cal-block", has_text="Olga Review")).to_be_visible()
    _assert_calendar_laid_out(page, at_least=2)
    # The calendar shows names and levels: htmx kept no copy of it in the browser.
    _no_page_copies(page)
    _settled(page)

    client = Client.objects.get(email="pau@example.com")
    for path in [
        f"/en/staff/bookings/{review.public_id}/",
        f"/en/staff/bookings/{clear.public_id}/",
        "/en/staff/clients/?q=Pau",
        f"/en/staff/clients/{client.pk}/",
        "/en/staff/bookings/new/",
        "/en/staff/block/",
        "/en/admin/",
        "/en/admin/bookings/booking/",
        f"/en/admin/bookings/booking/{review.pk}/change/",
        "/en/admin/bookings/client/?q=Pau",
        f"/en/admin/studio/service/{Service.objects.get(slug='leg-massage').pk}/change/",
        "/en/admin/studio/timeoff/add/",
        "/en/admin/intake/questionnaire/",
    ]:
        assert page.goto(base + path).status == 200, path
        _settled(page)

    therapist = policy.watch(browser.new_context())
    try:
        ana = therapist.new_page()
        log_in(ana, base, "ana")
        for path in [
            "/en/therapist/reviews/",
            f"/en/therapist/reviews/{review.public_id}/",
            f"/en/therapist/reviews/{review.public_id}/answers/",
            f"/en/me/day/?date={day}",
            f"/en/me/week/?date={day}",
            "/en/me/feed/",
            "/en/me/block/",
        ]:
            assert ana.goto(base + path).status == 200, path
            _settled(ana)
        ana.goto(f"{base}/en/therapist/reviews/{review.public_id}/")
        ana.get_by_role("button", name="Record decision").click()
        expect(ana.locator(".invalid-feedback").first).to_be_visible()
        _settled(ana)
    finally:
        therapist.close()

    owner = policy.watch(browser.new_context())
    try:
        olga = owner.new_page()
        log_in(olga, base, "owner")
        for path in ["/en/admin/", "/en/admin/intake/accesslog/", "/en/admin/auth/user/add/"]:
            assert olga.goto(base + path).status == 200, path
            _settled(olga)
    finally:
        owner.close()
    policy.assert_clean()
