"""The health questionnaire inside the client's booking flow, end to end through the views.

Each screening level (clear, review, stop) is walked from the slot grid to the manage page,
with the therapist's review in between where there is one.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from bookings import services as booking_services
from bookings.messages import links
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from intake.models import AssessmentApproval, Consent, ConsentText, Review, Submission
from intake.triage import AFTER_STOP_REASON_CODE, ASSESSMENT_REASON_CODE
from studio.timezones import studio_tz
from tests.intake.conftest import (
    book,
    clear_answers,
    form_data,
    give_details,
    health_url,
    hold,
    offered_starts,
    send_answers,
    staff_browser,
)

pytestmark = pytest.mark.django_db

LEG = "leg-massage"
LYMPHATIC = "lymphatic-drainage"
ONE_LEG = {"leg_symptoms": "yes", "leg_symptoms_side": "one"}
BOTH_LEGS = {"leg_symptoms": "yes", "leg_symptoms_side": "both"}
PREGNANT = {"pregnant": "yes", "pregnancy_complications": "no"}
STOP_ADVICE = "seek medical attention"
REVIEW_NEXT_STEP = "Your therapist will read your answers and confirm the session"
HOLD_GONE = "We could only keep that time for a few minutes"


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine):
    """The views read the clock: pin it to a Monday morning (Monday 8 March 2027, 09:00 in
    Madrid), so the first day the picker opens on has a full day of times whatever the hour
    the suite runs at. It ticks on from there: a second submission is later than the first.
    Tests may move it on."""
    time_machine.move_to(datetime(2027, 3, 8, 9, 0, tzinfo=studio_tz()), tick=True)


def decide(booking: Booking, decision: str, **fields):
    """Log in as the booking's therapist and record a decision on it."""
    therapist = staff_browser(booking.therapist.user.username)
    return therapist.post(
        reverse("intake:review_detail", kwargs={"public_id": booking.public_id}),
        {"decision": decision, **fields},
    )


def is_offered_again(browser: Browser, booking: Booking) -> bool:
    """Return whether the booking's start is offered again with the same therapist."""
    _length, starts = offered_starts(
        browser,
        booking.service.slug,
        therapist=booking.therapist.slug,
        week=timezone.localdate(booking.start_at, studio_tz()),
        length=str(booking.length_id),
    )
    return booking.start_at in {datetime.fromisoformat(start) for start in starts}


def iso(moment: datetime) -> str:
    return timezone.localtime(moment, studio_tz()).isoformat()


def checked(html: str, code: str) -> list[str]:
    """Return the values of the checked inputs of question `code` on the health form."""
    return re.findall(rf'<input type="radio" name="q_{code}" value="([^"]+)"[^>]*\bchecked\b', html)


# Clear


def test_clear_answers_confirm_the_booking_at_once(visitor):
    """Nothing to report: the booking is confirmed and the client lands on the manage page."""
    booking, response = book(visitor)

    assert response.status_code == 302
    assert response.url == booking.get_manage_url() + "?new=1"
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.confirmed_at is not None
    assert booking.hold_expires_at is None
    page = visitor.get(response.url)
    assert "Your booking is confirmed." in page.content.decode()


def test_a_clear_submission_stores_the_answers_and_the_consent_given(visitor):
    """The stored submission is clear with no reasons, and consent version 1 is recorded."""
    before = timezone.now()
    booking, _response = book(visitor)

    submission = Submission.objects.get(booking=booking)
    assert submission.level == "clear"
    assert submission.reasons == []
    assert submission.after_stop is False
    assert submission.answers == clear_answers(LEG)
    assert submission.questionnaire.version == 1
    consent = submission.consent
    assert consent.client == booking.client
    assert consent.text == ConsentText.objects.get(version=1)
    assert before <= consent.given_at <= timezone.now()
    assert consent.withdrawn_at is None


# Stop


def test_a_single_swollen_leg_stops_the_attempt_with_medical_advice(visitor):
    """Swelling in one leg: no booking, status stopped, and the client is told to seek care."""
    booking, response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))

    assert response.status_code == 200
    assert STOP_ADVICE in response.content.decode()
    assert booking.status == BookingStatus.STOPPED
    assert not Booking.objects.filter(status__in=ACTIVE_STATUSES).exists()
    submission = Submission.objects.get(booking=booking)
    assert submission.level == "stop"
    assert [(r["question"], r["level"]) for r in submission.reasons] == [
        ("leg_symptoms_side", "stop")
    ]


def test_a_stopped_attempt_frees_its_start_for_another_client(visitor, other_visitor):
    """After a stop the same start is offered again and another client can hold it."""
    booking, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))

    assert is_offered_again(other_visitor, booking)
    taken = hold(other_visitor, LEG, therapist=booking.therapist.slug, start=iso(booking.start_at))
    assert taken.pk != booking.pk
    assert taken.start_at == booking.start_at
    assert taken.therapist == booking.therapist
    assert taken.status == BookingStatus.HELD


def test_the_stop_page_is_shown_again_when_the_client_comes_back(visitor):
    """Reloading the health step of a stopped attempt shows the advice, not the form."""
    booking, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))

    again = visitor.get(health_url(booking))

    assert again.status_code == 200
    assert STOP_ADVICE in again.content.decode()
    assert 'name="consent"' not in again.content.decode()


def test_swelling_in_both_legs_goes_to_review_not_stop(visitor):
    """Both legs is not the single-leg warning sign: a therapist looks at it."""
    booking, response = book(visitor, answers=clear_answers(LEG, **BOTH_LEGS))

    assert response.status_code == 302
    assert booking.status == BookingStatus.AWAITING_REVIEW
    submission = Submission.objects.get(booking=booking)
    assert submission.level == "review"
    assert [(r["question"], r["level"]) for r in submission.reasons] == [
        ("leg_symptoms_side", "review")
    ]


def test_changed_answers_after_a_stop_reach_review_at_best(visitor):
    """New clear answers after a stop hold the slot for a therapist's review, never confirm."""
    booking, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))
    form = visitor.get(health_url(booking), {"change": "1"})
    assert 'name="consent"' in form.content.decode()

    response = send_answers(visitor, booking, clear_answers(LEG))

    assert response.status_code == 302
    assert response.url == booking.get_manage_url() + "?new=1"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_REVIEW
    latest = booking.submissions.latest()
    assert latest.level == "review"
    assert latest.after_stop is True
    assert [(r["question"], r["text"]) for r in latest.reasons] == [
        (AFTER_STOP_REASON_CODE, "Answers were changed after a screening stop.")
    ]
    assert booking.submissions.count() == 2


def test_a_stop_does_not_weigh_on_the_next_client_of_a_shared_tablet(visitor):
    """After a stop, another person booking another time on the same browser is confirmed."""
    stopped, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))
    assert stopped.status == BookingStatus.STOPPED

    later = [s for s in offered_starts(visitor, LEG)[1] if s != iso(stopped.start_at)][3]
    booking, response = book(visitor, start=later, name="Pau Vidal", email="pau@example.com")

    assert response.status_code == 302
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.submissions.get().after_stop is False


def test_the_same_time_tried_again_from_a_stopped_browser_reaches_review_at_best(visitor):
    """A new name and email for the start that was just stopped cannot confirm at once."""
    stopped, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))

    again, response = book(
        visitor,
        therapist=stopped.therapist.slug,
        start=iso(stopped.start_at),
        name="Someone Else",
        email="someone@example.com",
    )

    assert response.status_code == 302
    assert again.pk != stopped.pk
    assert again.status == BookingStatus.AWAITING_REVIEW
    assert again.submissions.get().after_stop is True


def test_the_same_email_after_a_stop_reaches_review_at_best_from_any_browser(
    visitor, other_visitor
):
    """The stop follows the client's email, on another browser and at another time."""
    stopped, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))
    later = [s for s in offered_starts(other_visitor, LEG)[1] if s != iso(stopped.start_at)][3]

    again, _response = book(other_visitor, start=later)

    assert again.status == BookingStatus.AWAITING_REVIEW
    assert again.submissions.get().after_stop is True


def test_a_stop_weighs_on_later_attempts_for_a_day_only(visitor, time_machine):
    """A day after the stop, the same browser and email book as anyone else would."""
    time_machine.move_to(timezone.now(), tick=False)
    stopped, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))
    time_machine.shift(timedelta(days=1, minutes=1))

    later = [s for s in offered_starts(visitor, LEG)[1] if s != iso(stopped.start_at)][3]
    again, _response = book(visitor, start=later)

    assert again.status == BookingStatus.CONFIRMED
    assert again.submissions.get().after_stop is False


def test_changed_answers_after_a_stop_cannot_take_a_start_taken_meanwhile(visitor, other_visitor):
    """If someone held the freed start in the meantime, the change is refused, nothing saved."""
    booking, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))
    hold(other_visitor, LEG, therapist=booking.therapist.slug, start=iso(booking.start_at))

    response = send_answers(visitor, booking, clear_answers(LEG))

    assert response.status_code == 302
    assert response.url == reverse("bookings:booking_times", kwargs={"slug": LEG})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.STOPPED
    assert booking.submissions.count() == 1
    assert "just taken" in visitor.get(response.url).content.decode()


# Review


def test_pregnancy_holds_the_booking_for_review_and_says_what_happens_next(visitor):
    """Pregnancy: awaiting review, the reason stored, and the manage page explains the wait."""
    booking, response = book(visitor, answers=clear_answers(LEG, **PREGNANT))

    assert response.status_code == 302
    assert booking.status == BookingStatus.AWAITING_REVIEW
    submission = Submission.objects.get(booking=booking)
    assert submission.level == "review"
    assert {"question": "pregnant", "level": "review", "text": "Pregnancy."} in submission.reasons
    page = visitor.get(response.url).content.decode()
    assert REVIEW_NEXT_STEP in page
    assert "You're booked in" not in page


def test_the_therapist_sees_the_booking_in_the_queue_and_approves_it(visitor):
    """The booking's therapist finds it in the queue with its reason; approving confirms it."""
    booking, _response = book(visitor, answers=clear_answers(LEG, **PREGNANT))
    therapist = staff_browser(booking.therapist.user.username)

    queue = therapist.get(reverse("intake:review_queue")).content.decode()
    assert "Marta Soler" in queue
    assert "Pregnancy." in queue
    response = therapist.post(
        reverse("intake:review_detail", kwargs={"public_id": booking.public_id}),
        {"decision": "approve"},
    )

    assert response.status_code == 302
    assert response.url == reverse("intake:review_queue")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.confirmed_at is not None
    review = Review.objects.get(booking=booking)
    assert review.decision == "approve"
    assert review.reviewer == booking.therapist.user
    assert "Your booking is confirmed." in visitor.get(booking.get_manage_url()).content.decode()
    assert "Marta Soler" not in therapist.get(reverse("intake:review_queue")).content.decode()


def test_an_approval_with_adaptations_shows_them_to_the_client(visitor):
    """Approve with "avoid the left calf": confirmed, and the manage page carries the note."""
    booking, _response = book(visitor, answers=clear_answers(LEG, **PREGNANT))

    response = decide(booking, "adapt", adaptations="Avoid the left calf")

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.adaptations == "Avoid the left calf"
    page = visitor.get(booking.get_manage_url()).content.decode()
    assert "Avoid the left calf" in page


def test_an_adaptation_needs_a_description(visitor):
    """Choosing "approve with adaptations" without saying which ones changes nothing."""
    booking, _response = book(visitor, answers=clear_answers(LEG, **PREGNANT))

    response = decide(booking, "adapt", adaptations="  ")

    assert response.status_code == 400
    assert "Please describe the adaptations." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_REVIEW
    assert not Review.objects.exists()


def test_a_decline_frees_the_slot_and_shows_the_message_to_the_client(visitor, other_visitor):
    """Decline with a message: status declined, the start free again, the message shown."""
    booking, _response = book(visitor, answers=clear_answers(LEG, **PREGNANT))
    message = "Let's wait until your midwife has had a look; we would love to see you then."

    response = decide(booking, "decline", message=message)

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED
    assert is_offered_again(other_visitor, booking)
    page = visitor.get(booking.get_manage_url()).content.decode()
    assert "Your therapist could not confirm this session." in page
    assert "Let&#x27;s wait until your midwife has had a look" in page


def test_a_decline_needs_a_message_to_the_client(visitor):
    booking, _response = book(visitor, answers=clear_answers(LEG, **PREGNANT))

    response = decide(booking, "decline", message="")

    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_REVIEW


def test_lymphatic_drainage_is_reviewed_the_first_time_then_confirmed_once_approved(
    visitor, other_visitor
):
    """A first lymphatic drainage waits for assessment; after approval the next is confirmed."""
    first, _response = book(visitor, LYMPHATIC)
    assert first.status == BookingStatus.AWAITING_REVIEW
    reasons = Submission.objects.get(booking=first).reasons
    assert [r["question"] for r in reasons] == [ASSESSMENT_REASON_CODE]

    assert decide(first, "approve").status_code == 302
    assert AssessmentApproval.objects.filter(
        client=first.client, service=first.service, approved_by=first.therapist.user
    ).exists()

    later, response = book(other_visitor, LYMPHATIC)
    assert later.client == first.client
    assert later.status == BookingStatus.CONFIRMED
    assert Submission.objects.get(booking=later).reasons == []
    assert response.url == later.get_manage_url() + "?new=1"


def test_another_client_still_needs_the_lymphatic_assessment(visitor, other_visitor):
    """One client's approval is theirs alone."""
    first, _response = book(visitor, LYMPHATIC)
    decide(first, "approve")

    other, _response = book(other_visitor, LYMPHATIC, email="jordi@example.com", name="Jordi")

    assert other.client != first.client
    assert other.status == BookingStatus.AWAITING_REVIEW


# Refusals: nothing is saved


def assert_nothing_saved(booking: Booking):
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert not Submission.objects.exists()
    assert not Consent.objects.exists()


def held_with_details(browser: Browser, service: str = LEG) -> Booking:
    booking = hold(browser, service)
    give_details(browser, booking)
    return booking


def test_answers_without_consent_are_refused(visitor):
    """No consent, no processing of health answers: 400, a message, the hold kept."""
    booking = held_with_details(visitor)

    response = send_answers(visitor, booking, clear_answers(LEG), consent=False)

    assert response.status_code == 400
    assert "Please tick this box." in response.content.decode()
    assert_nothing_saved(booking)


def test_missing_answers_are_marked_and_nothing_is_saved(visitor):
    """Unanswered questions, including a follow-up that became required, are each marked."""
    booking = held_with_details(visitor)
    answers = clear_answers(LEG, leg_symptoms="yes")
    del answers["blood_clot"]
    del answers["pregnant"]

    response = send_answers(visitor, booking, answers)

    assert response.status_code == 400
    html = response.content.decode()
    # Each under its question, and in the summary at the top, linked to its first answer.
    assert html.count('-error">Please answer this question.</div>') == 3
    for code in ("leg_symptoms_side", "blood_clot", "pregnant"):
        assert f'id="id_q_{code}-error"' in html
        assert f'<li><a class="alert-link" href="#id_q_{code}_0">' in html
    assert_nothing_saved(booking)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"favourite_colour": "blue"},
            "Some answers do not match the questions for this service.",
            id="forged-code",
        ),
        pytest.param(
            {"foot_skin": "no"},
            "Some answers do not match the questions for this service.",
            id="another-service-question",
        ),
        pytest.param(
            {"pregnant": "maybe"},
            "Select a valid choice. maybe is not one of the available choices.",
            id="value-outside-the-options",
        ),
    ],
)
def test_answers_that_do_not_fit_the_questionnaire_are_refused(visitor, change, message):
    """A forged question or answer gets a clear message and nothing is stored."""
    booking = held_with_details(visitor)

    response = send_answers(visitor, booking, clear_answers(LEG) | change)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_saved(booking)


def test_answers_to_another_questionnaire_version_are_refused(visitor):
    """A form rendered for another version is not triaged against this one."""
    booking = held_with_details(visitor)

    response = send_answers(visitor, booking, clear_answers(LEG), version=2)

    assert response.status_code == 400
    assert "The questions were updated while you were answering." in response.content.decode()
    assert_nothing_saved(booking)


def test_someone_elses_hold_is_not_found(visitor, other_visitor):
    """Another browser session cannot see or answer for a hold it did not make."""
    booking = held_with_details(visitor)

    assert other_visitor.get(health_url(booking)).status_code == 404
    assert send_answers(other_visitor, booking, clear_answers(LEG)).status_code == 404
    assert_nothing_saved(booking)


def test_sending_the_form_twice_stores_one_submission(visitor):
    """A double click: the second post goes to the manage page and stores nothing more."""
    booking = held_with_details(visitor)
    first = send_answers(visitor, booking, clear_answers(LEG))

    second = send_answers(visitor, booking, clear_answers(LEG, **PREGNANT))

    assert first.status_code == 302
    assert second.status_code == 302
    assert second.url == booking.get_manage_url()
    assert Submission.objects.filter(booking=booking).count() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def expired_url(booking: Booking) -> str:
    return reverse("bookings:booking_expired", kwargs={"public_id": booking.public_id})


def run_out(booking: Booking, *, swept: bool = False) -> None:
    """Let a hold's minutes run out (and the sweep pass, if ``swept``)."""
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    if swept:
        assert booking_services.holds_expire() == 1


@pytest.mark.parametrize("swept", [False, True], ids=["past-expiry", "swept"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_hold_that_ran_out_offers_its_time_again_and_keeps_the_answers(visitor, method, swept):
    """Past its expiry (swept or not), the time is offered again; nothing typed is lost."""
    booking = held_with_details(visitor)
    run_out(booking, swept=swept)
    answers = clear_answers(LEG, pregnant="yes", pregnancy_complications="no")

    # The body map's fifty controls, two areas marked.
    body_map = {
        f"body_map-{region}{suffix}": ""
        for region in ("right_calf", "left_knee", "right_shin", "left_shin")
        for suffix in ("", "-intensity")
    } | {
        "body_map-right_calf": "tension",
        "body_map-right_calf-intensity": "strong",
        "body_map-left_knee": "avoid",
        "body_map-left_knee-intensity": "moderate",
    }

    if method == "get":
        response = visitor.get(health_url(booking))
    else:
        response = visitor.post(health_url(booking), form_data(answers) | body_map)

    assert response.status_code == 302
    assert response.url == expired_url(booking)
    assert not Submission.objects.exists()
    page = visitor.get(response.url).content.decode()
    assert "Your time was released" in page
    assert "Keep this time" in page
    assert ("Everything you typed is kept" in page) is (method == "post")

    renewed = visitor.post(
        reverse("bookings:booking_renew", kwargs={"public_id": booking.public_id})
    )

    assert renewed.status_code == 302
    assert renewed.url == health_url(booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert booking.hold_expires_at > timezone.now()
    form = visitor.get(health_url(booking)).context["form"]
    if method == "post":
        assert form.initial["q_pregnant"] == "yes"
        assert form.initial["q_leg_symptoms"] == "no"
        assert form.initial["consent"] == "on"
        assert form.initial["body_map"] == {
            "version": 1,
            "marks": [
                {"region": "left_knee", "kind": "avoid", "intensity": "moderate"},
                {"region": "right_calf", "kind": "tension", "intensity": "strong"},
            ],
        }
    else:
        assert "q_pregnant" not in form.initial
    # Sent once more, the answers go through, and the kept copy is forgotten.
    done = send_answers(visitor, booking, answers)
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_REVIEW
    assert "calma_draft" not in visitor.session


def test_a_hold_whose_time_was_taken_offers_the_nearest_times_and_keeps_the_details(
    visitor, other_visitor, time_machine
):
    # A Monday at 08:00: the first free time (10:00) leaves others that day, whatever the
    # real clock says (late in the day the first free time may be the day's last).
    time_machine.move_to(datetime(2026, 3, 9, 8, 0, tzinfo=studio_tz()), tick=False)
    booking = hold(visitor, LEG)
    run_out(booking)
    taken = hold(
        other_visitor, LEG, start=timezone.localtime(booking.start_at, studio_tz()).isoformat()
    )
    assert taken.start_at == booking.start_at

    response = visitor.post(
        reverse("bookings:booking_details", kwargs={"public_id": booking.public_id}),
        {"name": "Núria Puig", "email": "nuria@example.com", "phone": "+34 600 000 111"},
    )

    assert response.status_code == 302
    assert response.url == expired_url(booking)
    page = visitor.get(response.url)
    html = page.content.decode()
    assert "Keep this time" not in html
    assert "Someone has taken that time since" in html
    offered = page.context["picker"].periods
    assert offered
    again = visitor.post(
        reverse("bookings:booking_hold", kwargs={"slug": LEG}),
        {
            "length": booking.length_id,
            "therapist": booking.therapist.slug,
            "start": offered[0].slots[0][0],
            "after": str(booking.public_id),
        },
    )
    assert again.status_code == 302
    details = visitor.get(again.url)
    assert details.context["form"].initial["name"] == "Núria Puig"
    assert details.context["form"].initial["email"] == "nuria@example.com"
    # Any other booking from this browser starts empty: on a shared device it is someone else.
    other = hold(visitor, LEG)
    blank = visitor.get(reverse("bookings:booking_details", kwargs={"public_id": other.public_id}))
    assert "name" not in blank.context["form"].initial
    # The renewal of a time somebody else holds is refused with a message, and changes nothing.
    refused = visitor.post(
        reverse("bookings:booking_renew", kwargs={"public_id": booking.public_id})
    )
    assert refused.status_code == 302
    assert refused.url == expired_url(booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED


# A returning client


def emailed_link(booking) -> str:
    """Return the manage link as the client's emails carry it, which proves their mailbox."""
    return links.proven_manage_url(booking).removeprefix(settings.SITE_URL.rstrip("/"))


def test_the_manage_link_shown_after_booking_does_not_prefill_the_next_intake(visitor):
    """Only the emailed link proves who the client is; the one shown on screen does not."""
    first, _response = book(visitor, answers=clear_answers(LEG, **PREGNANT))
    visitor.get(first.get_manage_url())
    second = held_with_details(visitor)

    html = visitor.get(health_url(second)).content.decode()

    assert "We have filled in" not in html
    assert checked(html, "pregnant") == []


def test_a_returning_client_finds_their_last_answers_filled_in(visitor):
    """After opening the manage link from their email in this browser, the intake is prefilled."""
    first, _response = book(
        visitor, answers=clear_answers(LEG, **PREGNANT, anything_else="Light pressure, please")
    )
    assert visitor.get(emailed_link(first)).status_code == 200
    second = hold(visitor, LEG)
    details = visitor.get(
        reverse("bookings:booking_details", kwargs={"public_id": second.public_id})
    )
    assert details.status_code == 200
    give_details(visitor, second)

    form = visitor.get(health_url(second))

    html = form.content.decode()
    assert "We have filled in the answers you gave on" in html
    assert checked(html, "pregnant") == ["yes"]
    assert checked(html, "pregnancy_complications") == ["no"]
    assert checked(html, "varicose_veins") == ["none"]
    assert "Light pressure, please</textarea>" in html


def test_the_same_email_in_another_browser_sees_no_previous_answers(visitor, other_visitor):
    """Knowing a client's email is not enough to read their answers."""
    first, _response = book(
        visitor, answers=clear_answers(LEG, **PREGNANT, anything_else="Light pressure, please")
    )
    visitor.get(emailed_link(first))
    second = held_with_details(other_visitor)
    second.refresh_from_db()
    assert second.client == first.client

    html = other_visitor.get(health_url(second)).content.decode()

    assert "We have filled in" not in html
    assert " checked" not in html
    assert "Light pressure" not in html


def test_answers_older_than_six_months_are_asked_afresh(visitor):
    """Stale answers are not offered for confirmation."""
    first, _response = book(visitor, answers=clear_answers(LEG, **PREGNANT))
    Submission.objects.update(created_at=timezone.now() - timedelta(days=190))
    visitor.get(emailed_link(first))
    second = held_with_details(visitor)

    html = visitor.get(health_url(second)).content.decode()

    assert "We have filled in" not in html
    assert checked(html, "pregnant") == []


def _returning(visitor):
    """Book once, open the emailed link, and hold a second time with the same details."""
    first, _response = book(visitor, answers=clear_answers(LEG, **PREGNANT))
    visitor.get(emailed_link(first))
    return held_with_details(visitor)


def test_a_returning_client_must_confirm_each_unchanged_section(visitor):
    """Sending the filled-in answers back untouched asks to confirm each section."""
    second = _returning(visitor)

    response = send_answers(visitor, second, clear_answers(LEG, **PREGNANT))

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count(
        '-error">Please confirm these answers are still true, or change them.</div>'
    ) == len({"circulation", "skin", "health"})
    second.refresh_from_db()
    assert second.status == BookingStatus.HELD
    assert not Submission.objects.filter(booking=second).exists()


def test_confirmed_sections_go_through(visitor):
    second = _returning(visitor)
    data = form_data(clear_answers(LEG, **PREGNANT))
    data.update({"confirm_circulation": "on", "confirm_skin": "on", "confirm_health": "on"})

    response = visitor.post(health_url(second), data)

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == BookingStatus.AWAITING_REVIEW


def test_a_changed_section_needs_no_confirmation(visitor):
    """Changing an answer is itself the update; only the untouched sections are confirmed."""
    second = _returning(visitor)
    data = form_data(clear_answers(LEG))  # "pregnant" is now "no": the health section changed
    data.update({"confirm_circulation": "on", "confirm_skin": "on"})

    response = visitor.post(health_url(second), data)

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == BookingStatus.CONFIRMED


def test_the_booking_carries_its_screening_level_for_the_pages_that_list_bookings(visitor):
    """The calendar reads the level off the booking, never from the answers."""
    clear, _response = book(visitor)
    stopped, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG), email="s@example.com")
    retried, _response = book(
        visitor,
        therapist=stopped.therapist.slug,
        start=iso(stopped.start_at),
        email="s2@example.com",
    )

    assert (clear.screening_level, clear.screening_stopped_at) == ("clear", None)
    assert stopped.screening_level == "stop"
    assert stopped.screening_stopped_at == stopped.submissions.get().created_at
    assert retried.screening_level == "review"
    assert retried.screening_stopped_at is None


def test_changed_answers_after_a_stop_keep_the_first_stops_time(visitor):
    stopped, _response = book(visitor, answers=clear_answers(LEG, **ONE_LEG))
    first_stop = stopped.screening_stopped_at

    send_answers(visitor, stopped, clear_answers(LEG))
    stopped.refresh_from_db()

    assert stopped.status == BookingStatus.AWAITING_REVIEW
    assert stopped.screening_level == "review"
    assert stopped.screening_stopped_at == first_stop is not None
