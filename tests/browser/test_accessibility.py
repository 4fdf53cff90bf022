"""Accessibility in a real browser: axe-core on every page, and the checks axe cannot make.

axe audits every page in English and again in Catalan.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from studio.demo import SERVICES
from studio.timezones import studio_tz
from tests.browser.conftest import (
    LEG_NOTHING_TO_REPORT,
    axe_serious,
    book_directly,
    fill_details,
    in_each_language,
    log_in,
    next_week,
    open_times,
    send_answers,
    service_name,
    slot_buttons,
    t,
)

pytestmark = pytest.mark.django_db(transaction=True)

STOP_ANSWERS = {**LEG_NOTHING_TO_REPORT, "leg_symptoms": "yes", "leg_symptoms_side": "one"}
REVIEW_ANSWERS = {**LEG_NOTHING_TO_REPORT, "pregnant": "yes", "pregnancy_complications": "no"}


class Audit:
    """Collect axe's serious and critical violations page by page, with a screenshot each.

    Each page audited must be in the test's language.
    """

    def __init__(self, shot, lang: str):
        self.shot = shot
        self.lang = lang
        self.violations: list[str] = []

    def __call__(self, page, name: str) -> None:
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        self.shot(page, name)
        self.violations += axe_serious(page)

    def assert_clean(self) -> None:
        assert not self.violations, "\n".join(["axe found:", *self.violations])


@pytest.fixture
def audit(shot_of, lang):
    """An audit of pages in ``lang``: the tests that use it are parametrized by language."""
    return Audit(shot_of, lang)


def _day_of(booking) -> str:
    return f"{timezone.localtime(booking.start_at, studio_tz()).date():%Y-%m-%d}"


@in_each_language
def test_public_pages_have_no_serious_accessibility_violations(page, live_demo, audit, lang):
    """Home, massages, each massage, therapists, login and the 404 page."""
    # In English the bare addresses too: they lead to the English pages (Chromium's language).
    home, missing = (
        ("/", "/no-such-page/") if lang == "en" else (f"/{lang}/", f"/{lang}/no-such-page/")
    )
    paths = [home, f"/{lang}/services/", f"/{lang}/therapists/", f"/{lang}/accounts/login/"]
    paths += [missing]
    paths += [f"/{lang}/services/{service['slug']}/" for service in SERVICES]
    for path in paths:
        page.goto(live_demo.url + path)
        audit(page, path.strip("/").replace("/", "-") or "home")
        if path.startswith(f"/{lang}/services/") and path != f"/{lang}/services/":
            # The call to action names the massage it books.
            name = service_name(lang, path.split("/")[-2])
            book = t(lang, "Book a %(name)s", name=name.lower())
            expect(page.get_by_role("link", name=book, exact=True)).to_be_visible()
    audit.assert_clean()


@in_each_language
def test_every_step_of_booking_and_intake_has_no_serious_violations(page, live_demo, audit, lang):
    """Times, details, health questions (also with errors), stop, manage and reschedule."""
    page.goto(f"{live_demo.url}/{lang}/book/")
    audit(page, "choose-service")
    open_times(page, live_demo.url, lang=lang)
    audit(page, "times")
    slot_buttons(page).last.click()
    page.wait_for_url("**/book/hold/**")
    audit(page, "details")
    page.get_by_role("button", name=t(lang, "Continue")).click()
    audit(page, "details-errors")
    fill_details(page, name="Ada Stop", email="ada@example.com", lang=lang)
    audit(page, "health")
    page.get_by_role("button", name=t(lang, "Send my answers")).click()
    # The summary of the errors, linked to each question, takes the focus.
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.get_by_text(t(lang, "Please check these answers:"))).to_be_visible()
    audit(page, "health-errors")
    send_answers(page, STOP_ANSWERS, lang=lang)
    expect(
        page.get_by_role("heading", name=t(lang, "Please don't go ahead with a massage for now"))
    ).to_be_visible()
    audit(page, "stop")

    open_times(page, live_demo.url, lang=lang)
    next_week(page, lang)
    slot_buttons(page).last.click()
    page.wait_for_url("**/book/hold/**")
    fill_details(page, name="Bea Clear", email="bea@example.com", lang=lang)
    send_answers(page, LEG_NOTHING_TO_REPORT, lang=lang)
    # After a stop in this browser, a therapist reads the new answers first.
    page.wait_for_url(f"**/{lang}/b/**")
    audit(page, "manage")
    page.get_by_role("link", name=t(lang, "Choose another time")).click()
    page.wait_for_url("**/reschedule/")
    audit(page, "reschedule")
    audit.assert_clean()


@in_each_language
def test_review_and_calendar_pages_have_no_serious_violations(
    page, browser, live_demo, audit, lang
):
    """The review queue and detail for the therapist; the calendar and card for the desk."""
    booking = book_directly(name="Carme Review", email="carme@example.com", answers=REVIEW_ANSWERS)
    assert booking.status == BookingStatus.AWAITING_REVIEW
    book_directly(
        name="Dani Clear", email="dani@example.com", answers=LEG_NOTHING_TO_REPORT, therapist="ben"
    )
    base = f"{live_demo.url}/{lang}"
    log_in(page, live_demo.url, "ana", lang=lang)
    page.goto(f"{base}/therapist/reviews/")
    audit(page, "review-queue")
    page.get_by_role("link", name=f"{t(lang, 'Review', 'verb')} Carme Review").click()
    audit(page, "review-detail")
    page.get_by_role("button", name=t(lang, "Record decision")).click()
    audit(page, "review-detail-errors")
    page.goto(f"{base}/me/day/?date={_day_of(booking)}")
    audit(page, "my-day")

    desk_context = browser.new_context()
    try:
        desk = desk_context.new_page()
        log_in(desk, live_demo.url, "frontdesk", lang=lang)
        desk.goto(f"{base}/staff/calendar/?date={_day_of(booking)}")
        audit(desk, "calendar-day")
        desk.goto(f"{base}/staff/calendar/?view=week&date={_day_of(booking)}")
        audit(desk, "calendar-week")
        desk.goto(f"{base}/staff/bookings/{booking.public_id}/")
        audit(desk, "booking-card")
        desk.goto(f"{base}/studio/")
        audit(desk, "studio-home")
        desk.goto(f"{base}/studio/reports/bookings/?by=weekday")
        audit(desk, "report")
        desk.goto(f"{base}/studio/reports/bookings/?first=2026-02-30")
        audit(desk, "report-errors")
    finally:
        desk_context.close()
    audit.assert_clean()


# Every visible error message must be pointed at by the control it is about, and every
# control marked invalid must say so itself or sit in a fieldset that points at its error.
ERROR_LINKS = """() => {
  const problems = [];
  const shown = (el) => el.offsetParent !== null && el.textContent.trim();
  const errors = [...document.querySelectorAll("form .invalid-feedback")].filter(shown);
  for (const error of errors) {
    const text = error.textContent.trim();
    if (!error.id) { problems.push("error without an id: " + text); continue; }
    const owners = [...document.querySelectorAll("[aria-describedby]")].filter(
      (el) => el.getAttribute("aria-describedby").split(/\\s+/).includes(error.id));
    if (!owners.length) problems.push("no control points at: " + text);
    for (const owner of owners) {
      const control = owner.matches("input, select, textarea") ? owner : null;
      if (control && control.getAttribute("aria-invalid") !== "true")
        problems.push("not aria-invalid: " + control.name);
      if (!control && owner.tagName !== "FIELDSET") problems.push("odd owner: " + owner.tagName);
    }
  }
  for (const control of document.querySelectorAll("form .is-invalid")) {
    const fieldset = control.closest("fieldset[aria-describedby]");
    if (control.getAttribute("aria-invalid") !== "true" && !fieldset)
      problems.push("invalid control without aria-invalid: " + control.name);
  }
  return {errors: errors.length, problems};
}"""


def _errors_linked(page, *, at_least: int) -> None:
    result = page.evaluate(ERROR_LINKS)
    assert result["errors"] >= at_least, result
    assert not result["problems"], f"{page.url}: {result['problems']}"


def test_form_errors_are_tied_to_their_fields(page, live_demo, shot_of):
    """Details, health questions and the review decision: each error names its field."""
    open_times(page, live_demo.url)
    slot_buttons(page).last.click()
    page.wait_for_url("**/book/hold/**")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Continue").click()
    shot_of(page, "details-errors")
    _errors_linked(page, at_least=3)
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("valid email"))

    fill_details(page, name="Eva Errors", email="eva@example.com")
    page.get_by_role("group", name="Are you pregnant?").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#form-errors")).to_be_focused()
    shot_of(page, "health-errors")
    # Eleven questions unanswered, the follow-up to "pregnant", and the consent box.
    _errors_linked(page, at_least=12)
    complications = page.get_by_role(
        "group", name=re.compile("^Are there any complications in your pregnancy")
    )
    expect(complications).to_have_accessible_description(re.compile(r"\w"))
    consent = page.get_by_label("I consent to the studio")
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(consent).to_have_accessible_description(re.compile("Please tick this box"))

    booking = book_directly(name="Fran Review", email="fran@example.com", answers=REVIEW_ANSWERS)
    log_in(page, live_demo.url, booking.therapist.user.username)
    page.goto(f"{live_demo.url}/therapist/reviews/{booking.public_id}/")
    page.get_by_label("Approve with adaptations").check()
    page.get_by_role("button", name="Record decision").click()
    shot_of(page, "review-errors")
    _errors_linked(page, at_least=1)
    expect(page.get_by_role("textbox", name="Adaptations")).to_have_accessible_description(
        re.compile("Please describe the adaptations")
    )


SLOT_NAMES = """() => [...document.querySelectorAll(".slot-grid button")].map((button) => ({
  name: button.getAttribute("aria-label"),
  text: button.textContent.trim(),
  day: document.getElementById("picker-day").textContent.trim(),
  period: document.getElementById(button.closest("[role=group]")
    .getAttribute("aria-labelledby")).textContent.trim(),
}))"""


def test_slot_buttons_are_named_by_their_day_and_time(page, live_demo, shot_of):
    """Each slot is announced as "<day>, HH:MM", also after the picker is swapped in place."""
    for therapist in ("", "ben"):
        open_times(page, live_demo.url, therapist=therapist)
        shot_of(page, f"times-{therapist or 'anyone'}")
        slots = page.evaluate(SLOT_NAMES)
        assert slots
        for slot in slots:
            assert re.fullmatch(r"\d{2}:\d{2}", slot["text"]), slot
            assert slot["name"] == f"{slot['day']}, {slot['text']}", slot
        first = slots[0]["name"]
        expect(page.get_by_role("button", name=first, exact=True)).to_have_count(1)
        # The chosen day's times come in groups named by the part of the day.
        assert {slot["period"] for slot in slots} <= {"Morning", "Afternoon", "Evening"}
        expect(page.get_by_role("group", name=slots[0]["period"], exact=True)).to_be_visible()


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName,
    what: (el.getAttribute("aria-label") || el.name || el.textContent.trim()).slice(0, 40),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


def _focus_always_visible(page, tabs: int) -> None:
    hidden = []
    for _step in range(tabs):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        if focus["tag"] == "BODY":
            continue  # past the last control, focus leaves the page for the browser
        if not (focus["outline"] or focus["shadow"]):
            hidden.append(f"{focus['tag']} {focus['what']}")
    assert not hidden, f"{page.url}: no visible focus on {hidden}"


def test_focus_is_visible_on_every_stop_of_the_tab_order(page, live_demo, shot_of):
    """Home, times, details and the health questions: Tab always shows where focus is."""
    page.goto(live_demo.url + "/")
    _focus_always_visible(page, 12)
    open_times(page, live_demo.url)
    _focus_always_visible(page, 14)
    shot_of(page, "times-focus")
    slot_buttons(page).last.click()
    page.wait_for_url("**/book/hold/**")
    _focus_always_visible(page, 14)
    fill_details(page, name="Gala Focus", email="gala@example.com")
    _focus_always_visible(page, 30)
    shot_of(page, "health-focus")


def _status_blocks(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('[class*="status-"], .badge')].map((el) => ({
          status: (el.className.match(/\\bstatus-([a-z_]+)/) || [null, ""])[1],
          text: el.textContent.replace(/\\s+/g, " ").trim(),
        }))"""
    )


def _assert_labelled(page, *, at_least: int) -> None:
    blocks = _status_blocks(page)
    assert len(blocks) >= at_least, (page.url, blocks)
    for block in blocks:
        assert block["text"], f"{page.url}: a status shown by colour alone: {block}"
        if block["status"] and block["status"] != "label":
            label = str(BookingStatus(block["status"]).label)
            assert label.lower() in block["text"].lower(), (page.url, block)


def test_status_is_always_written_not_only_coloured(page, browser, live_demo, shot_of):
    """Calendar blocks, lists, cards and badges carry the status as words."""
    review = book_directly(name="Hugo Review", email="hugo@example.com", answers=REVIEW_ANSWERS)
    others = [BookingStatus.CONFIRMED, BookingStatus.ON_HOLD, BookingStatus.ARRIVED]
    for hours, status in enumerate(others, start=2):
        start = review.start_at + timedelta(hours=hours)
        Booking.objects.create(
            client=review.client,
            service=review.service,
            length=review.length,
            therapist=review.therapist,
            room=review.room,
            start_at=start,
            end_at=start + timedelta(minutes=30),
            blocked_until=start + timedelta(minutes=40),
            price=review.price,
            status=status,
        )
    page.goto(live_demo.url + review.get_manage_url())
    _assert_labelled(page, at_least=1)
    expect(page.get_by_role("status")).to_contain_text("Your therapist will read your answers")
    shot_of(page, "manage")

    log_in(page, live_demo.url, "frontdesk")
    day = _day_of(review)
    for view in ("", "&view=week&by=therapist"):
        page.goto(f"{live_demo.url}/staff/calendar/?date={day}{view}")
        shot_of(page, f"calendar{view.replace('&', '-').replace('=', '-')}")
        _assert_labelled(page, at_least=4)
    page.goto(f"{live_demo.url}/staff/bookings/{review.public_id}/")
    _assert_labelled(page, at_least=1)
    shot_of(page, "booking-card")
