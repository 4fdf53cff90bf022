"""A Catalan client on a phone, end to end; and a Spanish-speaking therapist reading her client.

The client's phone asks for Catalan (Accept-Language: ca-ES) and opens the bare address of
the studio: every page, question, email and calendar file she gets is in Catalan. Her
therapist reads the reasons a Catalan client's answers were flagged in her own Spanish.
"""

import re

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from bookings import selectors
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from intake.models import Submission
from studio.models import Therapist
from studio.timezones import studio_tz
from tests.browser.conftest import (
    LEG_NOTHING_TO_REPORT,
    answer_questions,
    fill_details,
    log_in,
    next_week,
    open_times,
    question,
    send_answers,
    service_name,
    slot_buttons,
    slot_name_pattern,
    t,
    t_pattern,
)

pytestmark = pytest.mark.django_db(transaction=True)

CA = "ca"
SWOLLEN_LEG = {**LEG_NOTHING_TO_REPORT, "leg_symptoms": "yes", "leg_symptoms_side": "one"}
PREGNANT = {**LEG_NOTHING_TO_REPORT, "pregnant": "yes", "pregnancy_complications": "no"}
# The subjects of the emails of a booking that waits for review: the client's, the therapist's.
REQUEST = "We have your booking request for %(when)s"
TO_REVIEW = "A booking awaits your review: %(when)s"


def _in_catalan(page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", CA)


def _questions_read_in_catalan(page, codes) -> None:
    """Each question is asked in Catalan: its fieldset is named by the Catalan text."""
    for code in codes:
        catalan, english = question(code, CA), question(code, "en")
        assert catalan.text != english.text, f"{code} has no Catalan text"
        expect(page.get_by_role("group", name=catalan.text, exact=True)).to_be_visible()
    expect(page.get_by_role("group", name=question(codes[0], "en").text)).to_have_count(0)


def _hold_the_first_time_next_week(page, base_url: str, therapist: str, *, touch: bool) -> str:
    """Show next week's times with a therapist, take the first (a tap on a phone); its name."""
    open_times(page, base_url, therapist=therapist, lang=CA)
    next_week(page, CA)
    slot = slot_buttons(page).first
    name = slot.get_attribute("aria-label")
    assert slot_name_pattern(CA).match(name), name
    if touch:
        slot.tap()
    else:
        slot.click()
    page.wait_for_url(f"{base_url}/ca/book/hold/**")
    return name


def test_a_catalan_client_on_a_phone_books_is_stopped_and_is_read_in_spanish(
    playwright, browser, live_demo, shot_of
):
    """Catalan from the bare address to the .ics; a swollen leg stops; Spanish for the therapist.

    A phone set to Catalan opens "/" and lands on /ca/. It books a leg massage with the
    questions in Catalan and gets a Catalan confirmation with a Catalan calendar file. A
    second booking, with swelling in one leg, is stopped with the Catalan advice: no booking,
    the time free again. A pregnant Catalan client's booking waits for Ana, who works in
    Spanish: she reads the reason as "Embarazo.", not "Embaràs.".
    """
    base = live_demo.url
    leg_massage = service_name(CA)
    assert leg_massage == "Massatge de cames"
    pixel = {
        key: value
        for key, value in playwright.devices["Pixel 7"].items()
        if key != "default_browser_type"
    }
    phone_context = browser.new_context(**pixel, locale="ca-ES")
    try:
        phone = phone_context.new_page()

        # The bare address speaks the phone's language.
        phone.goto(base + "/")
        assert phone.url.startswith(f"{base}/ca/"), phone.url
        _in_catalan(phone)
        expect(phone.get_by_role("heading", name=t(CA, "Our massages"))).to_be_visible()
        shot_of(phone, "home")
        phone.get_by_role("link", name=leg_massage, exact=True).tap()
        phone.wait_for_url(f"{base}/ca/services/leg-massage/")
        _in_catalan(phone)
        book = t(CA, "Book a %(name)s", name=leg_massage.lower())
        assert book == "Reserva un massatge de cames"
        phone.get_by_role("link", name=book, exact=True).tap()
        phone.wait_for_url(f"{base}/ca/book/leg-massage/")
        _in_catalan(phone)
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            t(CA, "Choose a time for your %(name)s", name=leg_massage.lower())
        )
        next_week(phone, CA)
        first = slot_buttons(phone).first.get_attribute("aria-label")
        assert slot_name_pattern(CA).match(first), first
        shot_of(phone, "times")
        slot_buttons(phone).first.tap()
        phone.wait_for_url(f"{base}/ca/book/hold/**")
        _in_catalan(phone)
        fill_details(phone, name="Laia Vidal", email="laia@example.com", lang=CA)
        assert phone.url.startswith(f"{base}/ca/"), phone.url
        _in_catalan(phone)
        _questions_read_in_catalan(phone, list(LEG_NOTHING_TO_REPORT))
        shot_of(phone, "health")
        send_answers(phone, LEG_NOTHING_TO_REPORT, lang=CA)
        expect(phone.get_by_role("heading", name=t(CA, "You're booked in"))).to_be_visible()
        expect(phone.get_by_text(t(CA, "Your booking is confirmed."))).to_be_visible()
        shot_of(phone, "confirmed")

        booking = Booking.objects.get(client__email="laia@example.com")
        assert (booking.status, booking.language) == (BookingStatus.CONFIRMED, CA)
        assert first.endswith(timezone.localtime(booking.start_at, studio_tz()).strftime(", %H:%M"))

        # The confirmation: Catalan subject and words, a /ca/ link, a Catalan calendar file.
        (confirmation,) = [m for m in mail.outbox if m.to == ["laia@example.com"]]
        booked = "Your %(service)s is booked"
        assert confirmation.subject == t(CA, booked, service="massatge de cames")
        assert confirmation.subject != t("en", booked, service="leg massage")
        assert t(CA, "Your booking is confirmed. We look forward to seeing you.") in (
            confirmation.body
        )
        assert "La teva reserva està confirmada." in confirmation.body
        assert re.search(r"/ca/b/\S+\?k=\S+", confirmation.body), confirmation.body
        assert "/en/" not in confirmation.body and "/es/" not in confirmation.body
        (calendar_file,) = [a for a in confirmation.attachments if a[0].endswith(".ics")]
        (event,) = icalendar.Calendar.from_ical(calendar_file[1]).walk("VEVENT")
        assert "Massatge de cames" in str(event["summary"]), event["summary"]
        assert event.decoded("dtstart") == booking.start_at

        # A second booking, with Ana: swelling in one leg stops it, in Catalan.
        mail.outbox.clear()
        stopped_name = _hold_the_first_time_next_week(phone, base, "ana", touch=True)
        fill_details(phone, name="Laia Vidal", email="laia@example.com", lang=CA)
        symptoms, side = question("leg_symptoms", CA), question("leg_symptoms_side", CA)
        side_group = phone.get_by_role("group", name=side.text, exact=True)
        expect(side_group).to_be_hidden()
        answer_questions(phone, {"leg_symptoms": "yes"}, CA)
        # The follow-up, in Catalan, appears once "Sí" is ticked.
        expect(side_group).to_be_visible()
        assert symptoms.labels["yes"] == "Sí"
        shot_of(phone, "health-swelling")
        send_answers(phone, SWOLLEN_LEG, lang=CA)
        _in_catalan(phone)
        expect(
            phone.get_by_role("heading", name=t(CA, "Please don't go ahead with a massage for now"))
        ).to_be_visible()
        expect(phone.get_by_role("alert")).to_contain_text(
            "Busca atenció mèdica com més aviat millor"
        )
        expect(phone.locator("body")).to_contain_text(
            t(
                CA,
                "We have not made a booking, and the time you chose has been released. "
                "Nothing has been charged.",
            )
        )
        shot_of(phone, "stop")
        stopped = Booking.objects.exclude(pk=booking.pk).get()
        assert stopped.status == BookingStatus.STOPPED
        assert list(Booking.objects.filter(status__in=ACTIVE_STATUSES)) == [booking]
        # Its time is free again: in the grid, and for booking through the services.
        day = timezone.localtime(stopped.start_at, studio_tz()).date()
        free = selectors.availability(
            service=stopped.service,
            length=stopped.length,
            therapist=stopped.therapist,
            first_day=day,
            days=1,
        )
        assert stopped.start_at in {slot.start for slot in free.slots}
        open_times(phone, base, therapist="ana", lang=CA)
        next_week(phone, CA)
        expect(phone.get_by_role("button", name=stopped_name, exact=True)).to_be_visible()
        shot_of(phone, "times-again")
    finally:
        phone_context.close()

    # A pregnant client books with Ana in Catalan; Ana works in Spanish.
    Therapist.objects.filter(slug="ana").update(language="es")
    mail.outbox.clear()
    client_context = browser.new_context(locale="ca-ES")
    therapist_context = browser.new_context(locale="es-ES")
    try:
        client = client_context.new_page()
        _hold_the_first_time_next_week(client, base, "ana", touch=False)
        fill_details(client, name="Mireia Pons", email="mireia@example.com", lang=CA)
        _questions_read_in_catalan(client, ["pregnant"])
        answer_questions(client, {"pregnant": "yes"}, CA)
        _questions_read_in_catalan(client, ["pregnancy_complications"])
        send_answers(client, PREGNANT, lang=CA)
        expect(client.get_by_role("status")).to_contain_text(
            t(
                CA,
                "Your time is reserved. Your therapist will read your answers and confirm the "
                "session, or get in touch, before your visit. We will email you.",
            )
        )
        shot_of(client, "awaiting-review")
        flagged = Booking.objects.select_related("therapist__user").get(
            client__email="mireia@example.com"
        )
        assert (flagged.status, flagged.language) == (BookingStatus.AWAITING_REVIEW, CA)
        assert flagged.therapist.slug == "ana"
        # The reason is kept as the client read it, in Catalan...
        submission = Submission.objects.get(booking=flagged)
        assert [reason["text"] for reason in submission.reasons] == ["Embaràs."]
        # ...and each of them is written to in their own language.
        to_client = [m for m in mail.outbox if m.to == ["mireia@example.com"]]
        assert [m.subject for m in to_client if t_pattern(CA, REQUEST).match(m.subject)], [
            m.subject for m in to_client
        ]
        to_ana = [m for m in mail.outbox if m.to == [flagged.therapist.user.email]]
        assert [m.subject for m in to_ana if t_pattern("es", TO_REVIEW).match(m.subject)], [
            m.subject for m in to_ana
        ]

        desk = therapist_context.new_page()
        log_in(desk, base, "ana", "/es/therapist/reviews/", lang="es")
        expect(desk.locator("html")).to_have_attribute("lang", "es")
        reason = question("pregnant", "es").reasons["yes"]
        assert reason == "Embarazo."
        expect(desk.get_by_role("cell", name=reason)).to_be_visible()
        expect(desk.locator("main")).not_to_contain_text("Embaràs.")
        shot_of(desk, "review-queue-es")
        desk.get_by_role("link", name=f"{t('es', 'Review', 'verb')} Mireia Pons").click()
        desk.wait_for_url(f"{base}/es/therapist/reviews/{flagged.public_id}/")
        # The reasons listed, each with its level: "Revisión Embarazo.".
        expect(desk.get_by_role("listitem").filter(has_text=reason)).to_have_text(
            f"{t('es', 'Review')} {reason}"
        )
        expect(desk.locator("main")).not_to_contain_text("Embaràs.")
        shot_of(desk, "review-detail-es")
    finally:
        therapist_context.close()
        client_context.close()
