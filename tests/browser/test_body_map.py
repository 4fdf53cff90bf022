"""The client's body map on a phone: marked on the outlines, reflected in the list, read by
the therapist in the review and on her day.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from intake.models import AccessLog, Submission
from studio.timezones import studio_tz
from tests.browser.conftest import (
    LEG_NOTHING_TO_REPORT,
    axe_serious,
    fill_details,
    log_in,
    next_week,
    open_times,
    send_answers,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}
NARROWEST = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}
PREGNANT = {**LEG_NOTHING_TO_REPORT, "pregnant": "yes", "pregnancy_complications": "no"}


def _tap_until(page, region: str, label: str) -> None:
    """Tap an area of the outlines until its name says what is marked ("Right calf: tension…")."""
    area = page.locator(f'[data-region="{region}"]')
    for _tap in range(4):
        if label in (area.get_attribute("aria-label") or ""):
            return
        area.tap()
    expect(area).to_have_attribute("aria-label", label)


def _widest_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_client_marks_the_body_map_on_a_phone_and_the_therapist_sees_it(
    browser, live_demo, shot_of
):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    # The page keeps the server's time (CI runs a pass with the clock moved ahead).
    page.clock.install(time=timezone.now())
    therapist_context = None
    try:
        slots = open_times(page, live_demo.url, therapist="ana")
        next_week(page)
        slots.first.tap()
        page.wait_for_url("**/book/hold/**")
        fill_details(page, name="Clara Vidal", email="clara@example.com")
        shot_of(page, "health")

        # The outlines: one tap for pain, two for tension, three for "please avoid".
        calf = page.get_by_role("button", name="Right calf: not marked")
        expect(calf).to_be_visible()
        box = calf.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
        calf.tap()
        expect(page.locator('[data-region="right_calf"]')).to_have_attribute(
            "aria-label", "Right calf: pain, moderate"
        )
        calf = page.locator('[data-region="right_calf"]')
        calf.tap()
        expect(calf).to_have_attribute("aria-label", "Right calf: tension, moderate")
        expect(calf).to_have_class("bm-region bm-tension")
        knee = page.locator('[data-region="left_knee"]')
        for _tap in range(3):
            knee.tap()
        expect(knee).to_have_attribute("aria-label", "Left knee: please avoid, moderate")
        expect(page.locator("[data-body-map-status]")).to_have_text(
            "Left knee: please avoid, moderate"
        )
        shot_of(page, "marked")
        # The keyboard steps through the same marks: Enter, then Space, and round to none.
        shin = page.locator('[data-region="left_shin"]')
        shin.focus()
        page.keyboard.press("Enter")
        expect(shin).to_have_attribute("aria-label", "Left shin: pain, moderate")
        page.keyboard.press(" ")
        expect(shin).to_have_attribute("aria-label", "Left shin: tension, moderate")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        expect(shin).to_have_attribute("aria-label", "Left shin: not marked")

        # The list, the real form, says the same.
        page.get_by_text("Mark the areas in a list").tap()
        calf_group = page.get_by_role("group", name="Right calf", exact=True)
        expect(calf_group.get_by_label("Tension", exact=True)).to_be_checked()
        knee_group = page.get_by_role("group", name="Left knee", exact=True)
        expect(knee_group.get_by_label("Please avoid", exact=True)).to_be_checked()
        # A choice in the list shows on the outlines too.
        knee_group.get_by_label("How strong, Left knee").select_option("strong")
        expect(knee).to_have_attribute("aria-label", "Left knee: please avoid, strong")
        box = calf_group.get_by_text("Tension", exact=True).locator("..").bounding_box()
        assert box["height"] >= 44, box
        assert _widest_scroll(page) <= 375
        shot_of(page, "list")
        assert axe_serious(page) == []

        send_answers(page, PREGNANT)
        page.wait_for_url("**/b/**")
        booking = Booking.objects.select_related("therapist__user").get()
        assert booking.status == BookingStatus.AWAITING_REVIEW
        assert booking.therapist.user.username == "ana"
        assert Submission.objects.get().body_map["marks"] == [
            {"region": "left_knee", "kind": "avoid", "intensity": "strong"},
            {"region": "right_calf", "kind": "tension", "intensity": "moderate"},
        ]

        therapist_context = browser.new_context(**PHONE)
        desk = therapist_context.new_page()
        log_in(desk, live_demo.url, "ana")
        reads = AccessLog.objects.count()
        desk.goto(f"{live_demo.url}/en/therapist/reviews/{booking.public_id}/")
        shown = desk.locator("[data-body-map-shown]")
        expect(shown).to_contain_text("Right calf: Tension (moderate)")
        expect(shown).to_contain_text("Left knee: Please avoid (strong)")
        shot_of(desk, "review")

        day = timezone.localtime(booking.start_at, studio_tz()).date()
        desk.goto(f"{live_demo.url}/en/me/day/?date={day:%Y-%m-%d}")
        card = desk.get_by_role("article").filter(has_text="Clara Vidal")
        expect(card).to_contain_text("Right calf: Tension (moderate)")
        expect(card).to_contain_text("Left knee: Please avoid (strong)")
        shot_of(desk, "my-day")
        assert card.evaluate("(el) => el.scrollWidth <= el.clientWidth")
        # One row per page read.
        assert AccessLog.objects.count() == reads + 2
    finally:
        if therapist_context is not None:
            therapist_context.close()
        context.close()


def test_the_body_map_fits_the_narrowest_phone(browser, live_demo, shot_of):
    context = browser.new_context(**NARROWEST)
    page = context.new_page()
    page.clock.install(time=timezone.now())
    try:
        slots = open_times(page, live_demo.url)
        next_week(page)
        slots.first.tap()
        page.wait_for_url("**/book/hold/**")
        fill_details(page, name="Joan Puig", email="joan@example.com")
        _tap_until(page, "left_calf", "Left calf: pain")
        page.get_by_text("Mark the areas in a list").tap()
        assert _widest_scroll(page) <= 320
        shot_of(page, "narrowest")
    finally:
        context.close()
