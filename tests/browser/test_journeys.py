"""The main journeys of clients and therapists, end to end in Chromium against live_server.

Each journey runs in English and again in Catalan: the page, its texts and the emails are
in the language of the address the client opened.
"""

import re
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, Client
from studio.models import Studio
from studio.timezones import studio_tz
from tests.browser.conftest import (
    LEG_NOTHING_TO_REPORT,
    STOP_ADVICE,
    answer_questions,
    day_name,
    fill_details,
    in_each_language,
    in_language,
    log_in,
    next_week,
    open_times,
    question,
    send_answers,
    service_link,
    service_name,
    slot_buttons,
    slot_name_pattern,
    t,
    t_pattern,
    tn,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _hold_a_slot_next_week(page, base_url, shot, lang) -> str:
    """Click the first free time of next week and return its accessible name.

    A week ahead, no time is near the minimum notice while the test runs, and the booking
    stays outside the cancellation window.
    """
    slots = open_times(page, base_url, lang=lang)
    next_week(page, lang)
    shot("times")
    slot = slots.first
    name = slot.get_attribute("aria-label")
    assert slot_name_pattern(lang).match(name), name
    slot.click()
    page.wait_for_url("**/book/hold/**")
    shot("details")
    return name


def _active_bookings():
    return Booking.objects.filter(status__in=ACTIVE_STATUSES)


@in_each_language
def test_new_client_books_a_leg_massage_with_anyone_and_is_confirmed(page, live_demo, shot, lang):
    """A client with nothing to report is booked in at once and emailed an .ics file."""
    leg_massage = service_name(lang)
    page.goto(f"{live_demo.url}/{lang}/book/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shot("services")
    page.get_by_role("link", name=service_link(lang)).click()
    page.wait_for_url(f"**/{lang}/book/leg-massage/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Choose a time for your %(name)s", name=leg_massage.lower())
    )
    expect(page.get_by_label(t(lang, "Therapist"))).to_have_value("any")
    expect(page.get_by_label(t(lang, "Therapist")).locator("option:checked")).to_have_text(
        t(lang, "Anyone available")
    )
    shot("times")
    # The week's last time: far enough ahead that the minimum notice cannot overtake it.
    slot = slot_buttons(page).last
    slot_name = slot.get_attribute("aria-label")
    assert slot_name_pattern(lang).match(slot_name), slot_name
    slot.click()
    page.wait_for_url("**/book/hold/**")
    expect(page.get_by_role("heading", name=t(lang, "Your details"))).to_be_visible()
    shot("details")

    fill_details(page, name="Lucía Ferrer", email="lucia@example.com", lang=lang)
    expect(page.get_by_role("heading", name=t(lang, "A few health questions"))).to_be_visible()
    shot("health")
    send_answers(page, LEG_NOTHING_TO_REPORT, lang=lang)

    expect(page.get_by_role("heading", name=t(lang, "You're booked in"))).to_be_visible()
    expect(page.get_by_text(t(lang, "Your booking is confirmed."))).to_be_visible()
    shot("confirmed")
    booking = Booking.objects.get(client__email="lucia@example.com")
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.language == lang
    assert slot_name.endswith(timezone.localtime(booking.start_at, studio_tz()).strftime(", %H:%M"))

    # The confirmation is in the language she booked in, down to its links and calendar file.
    confirmations = [m for m in mail.outbox if m.to == ["lucia@example.com"]]
    assert len(confirmations) == 1, [m.subject for m in mail.outbox]
    assert confirmations[0].subject == t(
        lang, "Your %(service)s is booked", service=leg_massage.lower()
    )
    assert t(lang, "Your booking is confirmed. We look forward to seeing you.") in (
        confirmations[0].body
    )
    (calendar_file,) = [a for a in confirmations[0].attachments if a[0].endswith(".ics")]
    calendar = icalendar.Calendar.from_ical(calendar_file[1])
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert events[0].decoded("dtstart") == booking.start_at
    assert str(events[0]["summary"]).startswith(leg_massage), events[0]["summary"]

    # The emailed link proves who the client is: booking again, her details are filled in.
    manage_path = re.search(rf"/{lang}/b/\S+\?k=\S+", confirmations[0].body).group()
    page.goto(live_demo.url + manage_path)
    page.get_by_role("link", name=t(lang, "Book another session")).click()
    page.wait_for_url(f"**/{lang}/book/leg-massage/")
    slot_buttons(page).last.click()
    page.wait_for_url("**/book/hold/**")
    expect(page.get_by_label(t(lang, "Your name"))).to_have_value("Lucía Ferrer")
    expect(page.get_by_label(t(lang, "Email"))).to_have_value("lucia@example.com")
    shot("details-again")


@in_each_language
def test_single_swollen_leg_stops_the_booking_and_frees_the_slot(page, live_demo, shot, lang):
    """Swelling in one leg: medical advice, no booking, and the time is free again."""
    slot_name = _hold_a_slot_next_week(page, live_demo.url, shot, lang)
    fill_details(page, name="Marta Soler", email="marta@example.com", lang=lang)
    answers = {**LEG_NOTHING_TO_REPORT, "leg_symptoms": "yes"}
    # The follow-up appears only once "yes" is ticked.
    symptoms = question("leg_symptoms", lang)
    follow_up = question("leg_symptoms_side", lang)
    side = page.get_by_role("group", name=follow_up.text)
    expect(side).to_be_hidden()
    page.get_by_role("group", name=symptoms.text, exact=True).get_by_label(
        symptoms.labels["yes"], exact=True
    ).check()
    expect(side).to_be_visible()
    side.get_by_label(follow_up.labels["one"]).check()
    shot("health")
    send_answers(page, answers | {"leg_symptoms_side": "one"}, lang=lang)

    expect(
        page.get_by_role("heading", name=t(lang, "Please don't go ahead with a massage for now"))
    ).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(t(lang, STOP_ADVICE))
    shot("stop")
    assert not _active_bookings().exists()
    assert Booking.objects.get().status == BookingStatus.STOPPED

    open_times(page, live_demo.url, lang=lang)
    next_week(page, lang)
    expect(page.get_by_role("button", name=slot_name, exact=True)).to_be_visible()
    shot("times-again")


@in_each_language
def test_pregnant_client_is_approved_with_an_adaptation_by_her_therapist(
    page, browser, live_demo, shot_of, lang
):
    """Pregnancy waits for review; the therapist approves with an adaptation she then sees."""
    _hold_a_slot_next_week(page, live_demo.url, lambda name: shot_of(page, name), lang)
    fill_details(page, name="Nuria Pons", email="nuria@example.com", lang=lang)
    answers = {**LEG_NOTHING_TO_REPORT, "pregnant": "yes"}
    answer_questions(page, answers, lang)
    answers["pregnancy_complications"] = "no"
    shot_of(page, "health")
    send_answers(page, answers, lang=lang)
    expect(page.get_by_role("status")).to_contain_text(
        t(
            lang,
            "Your time is reserved. Your therapist will read your answers and confirm the "
            "session, or get in touch, before your visit. We will email you.",
        )
    )
    shot_of(page, "awaiting-review")
    booking = Booking.objects.select_related("therapist__user").get()
    assert booking.status == BookingStatus.AWAITING_REVIEW
    manage_url = page.url
    assert f"/{lang}/b/" in manage_url, manage_url

    therapist_context = browser.new_context()
    try:
        desk = therapist_context.new_page()
        log_in(desk, live_demo.url, booking.therapist.user.username, lang=lang)
        desk.goto(f"{live_demo.url}/{lang}/therapist/reviews/")
        expect(
            desk.get_by_role("cell", name=question("pregnant", lang).reasons["yes"])
        ).to_be_visible()
        shot_of(desk, "review-queue")
        desk.get_by_role("link", name=f"{t(lang, 'Review', 'verb')} Nuria Pons").click()
        desk.get_by_label(t(lang, "Approve with adaptations")).check()
        desk.get_by_role("textbox", name=t(lang, "Adaptations")).fill(
            "Avoid deep pressure on the calves"
        )
        shot_of(desk, "review-detail")
        desk.get_by_role("button", name=t(lang, "Record decision")).click()
        expect(desk.get_by_text(t(lang, "Your decision has been recorded."))).to_be_visible()
        shot_of(desk, "decision-recorded")

        page.goto(manage_url)
        expect(page.get_by_text(t(lang, "Your booking is confirmed."))).to_be_visible()
        expect(page.get_by_text("Avoid deep pressure on the calves")).to_be_visible()
        shot_of(page, "client-confirmed")

        day = timezone.localtime(booking.start_at, studio_tz()).date()
        desk.goto(f"{live_demo.url}/{lang}/me/day/?date={day:%Y-%m-%d}")
        card = desk.get_by_role("article").filter(has_text="Nuria Pons")
        expect(card).to_contain_text(f"{t(lang, 'Adaptations:')} Avoid deep pressure on the calves")
        expect(card).to_contain_text(t(lang, "Confirmed"))
        shot_of(desk, "my-day")
    finally:
        therapist_context.close()


@in_each_language
def test_client_cancels_outside_the_window_and_must_call_inside_it(page, live_demo, shot, lang):
    """Days ahead the manage link cancels; three hours ahead it says to contact the studio."""
    _hold_a_slot_next_week(page, live_demo.url, shot, lang)
    fill_details(page, name="Pau Riera", email="pau@example.com", lang=lang)
    answer_questions(page, LEG_NOTHING_TO_REPORT, lang)
    shot("health")
    send_answers(page, LEG_NOTHING_TO_REPORT, lang=lang)
    booking = Booking.objects.get()
    assert booking.start_at - timezone.now() > timedelta(days=2)
    page.goto(live_demo.url + in_language(lang, booking.get_manage_url))
    expect(page.get_by_role("link", name=t(lang, "Choose another time"))).to_be_visible()
    shot("manage")
    page.get_by_label(t(lang, "Anything you would like to tell us? (optional)")).fill(
        "Work trip, sorry."
    )
    page.get_by_role("button", name=t(lang, "Cancel this booking")).click()
    # Nothing is cancelled until she says so once more.
    expect(page.get_by_role("heading", name=t(lang, "Cancel your booking?"))).to_be_visible()
    shot("cancel-confirm")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    page.get_by_role("button", name=t(lang, "Yes, cancel it")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        t(lang, "Your booking is cancelled. We hope to see you another time.")
    )
    expect(page.get_by_role("button", name=t(lang, "Cancel this booking"))).to_have_count(0)
    shot("cancelled")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Work trip, sorry."
    # The email says so in her language: "Your booking on … is cancelled".
    cancelled = t_pattern(lang, "Your booking on %(when)s is cancelled")
    assert any(m.to == ["pau@example.com"] and cancelled.match(m.subject) for m in mail.outbox), [
        m.subject for m in mail.outbox
    ]

    start = timezone.now() + timedelta(hours=3)
    soon = Booking.objects.create(
        client=Client.objects.get(email="pau@example.com"),
        service=booking.service,
        length=booking.length,
        therapist=booking.therapist,
        room=booking.room,
        start_at=start,
        end_at=start + timedelta(minutes=booking.length.minutes),
        blocked_until=start + timedelta(minutes=booking.length.minutes + 10),
        price=booking.price,
        status=BookingStatus.CONFIRMED,
    )
    page.goto(live_demo.url + in_language(lang, soon.get_manage_url))
    studio = Studio.load()
    hours = studio.cancel_window_hours
    expect(
        page.get_by_text(
            tn(
                lang,
                "Your session is less than %(hours)s hour away, so it can no longer be changed "
                "online.",
                "Your session is less than %(hours)s hours away, so it can no longer be changed "
                "online.",
                hours,
                hours=hours,
            )
        )
    ).to_be_visible()
    contact = (
        t(lang, "Please contact the studio on %(phone)s.", phone=studio.phone)
        if studio.phone
        else t(lang, "Please contact the studio.")
    )
    expect(page.get_by_text(contact)).to_be_visible()
    expect(page.get_by_role("button", name=t(lang, "Cancel this booking"))).to_have_count(0)
    expect(page.get_by_role("link", name=t(lang, "Choose another time"))).to_have_count(0)
    shot("inside-window")
    soon.refresh_from_db()
    assert soon.status == BookingStatus.CONFIRMED


@in_each_language
def test_two_clients_race_for_one_slot_and_exactly_one_holds_it(
    page, browser, live_demo, shot_of, lang
):
    """Both click the same time: one gets the details page, the other a friendly refusal."""
    just_taken = t(lang, "Sorry, that time was just taken. Here are the times still free.")
    other_context = browser.new_context()
    try:
        rival = other_context.new_page()
        pages = (page, rival)
        for each in pages:
            open_times(each, live_demo.url, therapist="ana", lang=lang)
        slot_name = slot_buttons(page).last.get_attribute("aria-label")
        for each in pages:
            expect(each.get_by_role("button", name=slot_name, exact=True)).to_be_visible()
        shot_of(page, "times")
        for each in pages:
            each.get_by_role("button", name=slot_name, exact=True).click(no_wait_after=True)

        details = re.compile(rf"/{lang}/book/hold/[0-9a-f-]+/$")
        for each in pages:
            # The loser may wait for the winner's lock: allow a loaded machine some time.
            expect(
                each.get_by_role("heading", name=t(lang, "Your details")).or_(
                    each.get_by_role("alert").filter(has_text=just_taken)
                )
            ).to_be_visible(timeout=15_000)
        winners = [each for each in pages if details.search(each.url)]
        assert len(winners) == 1, [each.url for each in pages]
        (loser,) = [each for each in pages if each is not winners[0]]
        shot_of(winners[0], "winner")
        shot_of(loser, "loser")
        expect(loser.get_by_role("alert")).to_contain_text(just_taken)
        expect(loser.get_by_role("button", name=slot_name, exact=True)).to_have_count(0)
        expect(slot_buttons(loser).first).to_be_visible()
        assert _active_bookings().count() == 1
    finally:
        other_context.close()


# The focused element, described the way a screen reader would name it.
FOCUSED = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || "",
    name: el.name || "",
    value: el.value || "",
    checked: !!el.checked,
    text: (el.getAttribute("aria-label") || label || el.textContent || "").trim(),
  };
}"""


def _tab_to(page, pattern, *, limit=80):
    """Press Tab until the focused element's name matches; return its description."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if re.search(pattern, focused["text"]):
            return focused
    raise AssertionError(f"Tab never reached {pattern!r}")


def _tab_until(page, selector: str, *, limit=80) -> None:
    """Press Tab until the focused element matches a CSS selector."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"Tab never reached {selector!r}")


def _answer_by_keyboard(page, answers: dict[str, str], before_send, lang: str) -> None:
    """Tab through the questionnaire: arrows pick a radio, Space ticks consent, Enter sends."""
    for _step in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["type"] == "radio":
            code = focused["name"].removeprefix("q_")
            values = list(question(code, lang).labels)
            wanted = values.index(answers[code])
            # Tab lands on the group's first radio; the arrows move to and tick the answer.
            for _move in range(wanted):
                page.keyboard.press("ArrowDown")
            if wanted == 0:
                page.keyboard.press("Space")
            assert page.evaluate(FOCUSED)["value"] == answers[code]
        elif focused["type"] == "checkbox" and focused["name"] == "consent":
            page.keyboard.press("Space")
            assert page.evaluate(FOCUSED)["checked"]
        elif focused["text"] == t(lang, "Send my answers"):
            before_send()
            page.keyboard.press("Enter")
            return
    raise AssertionError("Tab never reached the send button")


@in_each_language
def test_whole_booking_flow_works_with_the_keyboard_alone(page, live_demo, shot, lang):
    """From the list of massages to "You're booked in" with Tab, arrows, Space and Enter."""
    page.goto(f"{live_demo.url}/{lang}/book/")
    shot("services")
    _tab_to(page, service_link(lang))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{lang}/book/leg-massage/")
    shot("times")
    # The month: Tab reaches the chosen day, the arrows move to the next day with free
    # times, Enter shows its times (htmx) and focus stays on it. Past today's times, so that
    # none nears the minimum notice while the test runs.
    expect(page.locator("[data-picker][data-ready]")).to_have_count(1)
    chosen = page.locator("a.picker-day[aria-current='date']").get_attribute("data-focus-key")
    _tab_until(page, "a.picker-day[aria-current='date']")
    page.keyboard.press("ArrowRight")
    moved_to = page.evaluate("document.activeElement.dataset.focusKey")
    assert moved_to > chosen, (chosen, moved_to)
    page.keyboard.press("Enter")
    day = page.locator(f"a.picker-day[data-focus-key='{moved_to}']")
    expect(day).to_have_attribute("aria-current", "date")
    expect(day).to_be_focused()
    today = timezone.localdate(timezone.now(), studio_tz())
    not_today = rf"^(?!{re.escape(day_name(lang, today))},)" + slot_name_pattern(
        lang
    ).pattern.lstrip("^")
    slot = _tab_to(page, not_today, limit=120)
    shot("slot-focused")
    page.keyboard.press("Enter")
    page.wait_for_url("**/book/hold/**")

    _tab_to(page, "^" + re.escape(t(lang, "Your name")))
    page.keyboard.type("Jordi Keys")
    page.keyboard.press("Tab")
    page.keyboard.type("jordi@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("+34 600 333 444")
    shot("details")
    page.keyboard.press("Enter")
    page.wait_for_url("**/health/")

    _answer_by_keyboard(page, LEG_NOTHING_TO_REPORT, lambda: shot("health"), lang)
    expect(page.get_by_role("heading", name=t(lang, "You're booked in"))).to_be_visible()
    shot("confirmed")
    booking = Booking.objects.get(client__email="jordi@example.com")
    assert booking.status == BookingStatus.CONFIRMED
    assert slot["text"].endswith(
        timezone.localtime(booking.start_at, studio_tz()).strftime(", %H:%M")
    )


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width}px wide"


@in_each_language
def test_booking_flow_fits_a_phone_screen_without_sideways_scrolling(
    browser, live_demo, shot_of, lang
):
    """At 375 px wide every page of the flow fits the screen."""
    context = browser.new_context(viewport={"width": 375, "height": 740})
    try:
        phone = context.new_page()
        phone.goto(f"{live_demo.url}/{lang}/book/")
        _no_horizontal_scroll(phone)
        shot_of(phone, "services")
        phone.get_by_role("link", name=service_link(lang)).click()
        phone.wait_for_url(f"**/{lang}/book/leg-massage/")
        _no_horizontal_scroll(phone)
        shot_of(phone, "times")
        # A week ahead, so the booking can still be changed online.
        next_week(phone, lang)
        slot_buttons(phone).first.click()
        phone.wait_for_url("**/book/hold/**")
        _no_horizontal_scroll(phone)
        shot_of(phone, "details")
        fill_details(phone, name="Clara Mòbil", email="clara@example.com", lang=lang)
        _no_horizontal_scroll(phone)
        shot_of(phone, "health")
        send_answers(phone, LEG_NOTHING_TO_REPORT, lang=lang)
        expect(phone.get_by_role("heading", name=t(lang, "You're booked in"))).to_be_visible()
        _no_horizontal_scroll(phone)
        shot_of(phone, "confirmed")
        phone.get_by_role("link", name=t(lang, "Choose another time")).click()
        phone.wait_for_url("**/reschedule/")
        _no_horizontal_scroll(phone)
        shot_of(phone, "reschedule")
    finally:
        context.close()
