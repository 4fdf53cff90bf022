"""The client's body map: the pure region list, the form, storage, and who sees it.

A body map is health data like the answers: the booking's therapist and the owner see it,
each read logged; never the front desk. It never changes the level the answers set.
"""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bookings.messages import links
from bookings.models import Booking, BookingStatus
from intake import body_map
from intake.body_map import (
    BODY_MAP_VERSION,
    INTENSITIES,
    KINDS,
    ONE_LEG_QUESTION,
    REGIONS,
    REGIONS_BY_CODE,
    BodyMapInvalid,
    clean,
    pointers,
)
from intake.forms import IntakeForm
from intake.models import AccessLog, Submission
from intake.questionnaire_v1 import QUESTIONS
from intake.triage import Level, triage
from studio.timezones import studio_tz
from tests.intake.conftest import clear_answers, give_details, health_url, hold, staff_browser

LEG = "leg-massage"
CALF_AND_KNEE = {
    "version": BODY_MAP_VERSION,
    "marks": [
        {"region": "right_calf", "kind": "tension", "intensity": "moderate"},
        {"region": "left_knee", "kind": "avoid", "intensity": "strong"},
    ],
}
LEFT_CALF_PAIN = {
    "version": BODY_MAP_VERSION,
    "marks": [{"region": "left_calf", "kind": "pain", "intensity": "strong"}],
}
PREGNANT = {"pregnant": "yes", "pregnancy_complications": "no"}
ONE_LEG_STOP = {"leg_symptoms": "yes", "leg_symptoms_side": "one"}


def mark(region, kind="pain", intensity="moderate") -> dict:
    return {"region": region, "kind": kind, "intensity": intensity}


def body_map_of(*marks) -> dict:
    return {"version": BODY_MAP_VERSION, "marks": list(marks)}


# The region list and clean()


def test_every_region_has_a_unique_code_and_a_label_naming_its_side():
    codes = [region.code for region in REGIONS]
    assert len(codes) == len(set(codes)) == 25
    for region in REGIONS:
        label = str(region.label).lower()
        if region.side:
            assert region.code.startswith(region.side + "_")
            assert region.side in label, region
        else:
            assert "right" not in label and "left" not in label
    assert str(REGIONS_BY_CODE["right_calf"].label) == "Right calf"


def test_each_side_has_the_same_areas_on_both_views():
    for view in body_map.VIEWS:
        right = {r.part for r in REGIONS if r.view == view and r.side == "right"}
        left = {r.part for r in REGIONS if r.view == view and r.side == "left"}
        assert right == left and len(right) == 6


def test_clean_puts_marks_in_the_order_of_the_regions():
    cleaned = clean(body_map_of(mark("left_knee", "avoid"), mark("right_hip", "tension")))

    assert cleaned == {
        "version": 1,
        "marks": [mark("right_hip", "tension"), mark("left_knee", "avoid")],
    }


@pytest.mark.parametrize("empty", [None, "", {}, {"version": 1, "marks": []}])
def test_nothing_marked_is_stored_as_an_empty_body_map(empty):
    assert clean(empty) == {}


def test_a_mark_without_an_intensity_is_moderate():
    assert clean(body_map_of({"region": "right_calf", "kind": "pain"}))["marks"] == [
        mark("right_calf", "pain", "moderate")
    ]


@pytest.mark.parametrize(
    "value",
    [
        body_map_of(mark("right_elbow")),
        body_map_of(mark("right_calf", "itch")),
        body_map_of(mark("right_calf", "pain", "unbearable")),
        body_map_of(mark("right_calf"), mark("right_calf", "tension")),
        {"version": 2, "marks": [mark("right_calf")]},
        {"marks": [mark("right_calf")]},
        {"version": 1, "marks": "right_calf"},
        {"version": 1, "marks": ["right_calf"]},
        ["right_calf"],
    ],
    ids=[
        "unknown area",
        "unknown kind",
        "unknown intensity",
        "one area twice",
        "another version",
        "no version",
        "marks not a list",
        "a mark not a mapping",
        "not a mapping",
    ],
)
def test_clean_refuses_what_does_not_fit_the_version(value):
    with pytest.raises(BodyMapInvalid):
        clean(value)


marks_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "region": st.sampled_from([r.code for r in REGIONS]),
            "kind": st.sampled_from(list(KINDS)),
            "intensity": st.sampled_from(list(INTENSITIES)),
        }
    ),
    unique_by=lambda m: m["region"],
    max_size=len(REGIONS),
)


@given(marks_strategy)
def test_clean_is_idempotent_and_keeps_every_mark(marks):
    once = clean(body_map_of(*marks))
    assert clean(once) == once
    if marks:
        key = lambda m: m["region"]  # noqa: E731
        assert sorted(once["marks"], key=key) == sorted(marks, key=key)
    else:
        assert once == {}


@given(marks_strategy)
def test_the_one_leg_pointer_appears_exactly_when_pain_is_on_one_leg_only(marks):
    found = pointers(clean(body_map_of(*marks)))
    sides = {
        REGIONS_BY_CODE[m["region"]].side
        for m in marks
        if m["kind"] == "pain" and REGIONS_BY_CODE[m["region"]].leg
    }
    assert bool(found) == (len(sides) == 1)
    assert all(pointer.question == ONE_LEG_QUESTION for pointer in found)
    # A pointer is a note: it carries no level.
    assert all(not hasattr(pointer, "level") for pointer in found)


answers_strategy = st.fixed_dictionaries(
    {
        spec.code: st.sampled_from([choice.value for choice in spec.options])
        for spec in QUESTIONS
        if spec.kind in ("yes_no", "choice")
    }
)


@given(answers_strategy, marks_strategy)
def test_a_body_map_never_changes_the_triage_level(answers, marks):
    """Whatever is marked, the level is the one the answers give, no higher and no lower."""
    before = triage(QUESTIONS, answers, service_slug=LEG)
    notes = pointers(clean(body_map_of(*marks)))
    after = triage(QUESTIONS, answers, service_slug=LEG)
    assert after == before
    assert Level.highest(reason.level for reason in before.reasons) == before.level
    assert {pointer.question for pointer in notes} <= {ONE_LEG_QUESTION}


def test_pain_on_both_legs_or_only_outside_the_legs_points_nowhere():
    assert pointers(body_map_of(mark("right_calf"), mark("left_shin"))) == ()
    assert pointers(body_map_of(mark("right_hip"), mark("lower_back"))) == ()
    assert pointers(body_map_of(mark("right_calf", "tension"))) == ()
    (pointer,) = pointers(body_map_of(mark("right_calf"), mark("left_knee", "avoid")))
    assert "right leg only" in str(pointer.text)


# The form


def intake_form(data, **options):
    from intake.questionnaire_v1 import QUESTIONS as specs

    return IntakeForm(data, specs=list(specs), service_slug=LEG, version=1, **options)


def posted(answers: dict, **areas) -> dict:
    """Return the health form's POST data with body map areas: area=(kind, intensity)."""
    data = {f"q_{code}": value for code, value in answers.items()}
    data |= {"version": 1, "consent": "on"}
    for region, (kind, intensity) in areas.items():
        data[f"body_map-{region}"] = kind
        data[f"body_map-{region}-intensity"] = intensity
    return data


def test_the_form_reads_the_list_into_a_body_map():
    form = intake_form(
        posted(
            clear_answers(LEG),
            right_calf=("tension", "moderate"),
            left_knee=("avoid", "strong"),
            right_shin=("", "strong"),
        ),
        ask_body_map=True,
    )

    assert form.is_valid(), form.errors
    assert form.body_map() == clean(CALF_AND_KNEE)


def test_the_form_refuses_an_area_not_on_the_map():
    form = intake_form(posted(clear_answers(LEG), right_elbow=("pain", "mild")), ask_body_map=True)

    assert not form.is_valid()
    assert "body_map" in form.errors


def test_the_re_screen_asks_for_no_body_map():
    form = intake_form(posted(clear_answers(LEG), right_calf=("pain", "mild")), ask_consent=False)

    assert form.is_valid(), form.errors
    assert "body_map" not in form.fields
    assert form.body_map() == {}


# The flow, through the health questions page


def book_with_map(browser, answers: dict, therapist: str = "ana", **areas) -> Booking:
    booking = hold(browser, LEG, therapist=therapist)
    give_details(browser, booking)
    response = browser.post(health_url(booking), posted(answers, **areas))
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    booking.refresh_from_db()
    return booking


def test_the_health_page_offers_the_body_map_as_a_list_that_works_without_javascript(visitor):
    booking = hold(visitor, LEG)
    give_details(visitor, booking)

    html = visitor.get(health_url(booking)).content.decode()

    assert "Where you feel it" in html
    assert 'name="body_map-right_calf" id="id_body_map-right_calf_2" value="tension"' in html
    assert 'name="body_map-left_knee-intensity"' in html
    assert 'data-region="right_calf"' in html
    assert "js/body_map.js" in html
    # The outlines wait for the script; the list is open without it.
    assert '<div class="body-map-figures" hidden data-body-map-figures>' in html
    assert '<details class="body-map-list" open' in html


def test_a_marked_body_map_is_stored_with_the_submission(visitor):
    booking = book_with_map(
        visitor,
        clear_answers(LEG),
        right_calf=("tension", "moderate"),
        left_knee=("avoid", "strong"),
    )

    submission = Submission.objects.get(booking=booking)
    assert submission.body_map == clean(CALF_AND_KNEE)
    assert booking.status == BookingStatus.CONFIRMED


def test_no_email_carries_the_body_map(visitor, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        book_with_map(visitor, clear_answers(LEG, **PREGNANT), right_calf=("tension", "moderate"))

    assert mailoutbox, "the client and the therapist are told by email"
    for message in mailoutbox:
        parts = [message.body] + [content for content, _type in message.alternatives]
        assert all("calf" not in part.lower() for part in parts), message.subject


def test_an_unmarked_body_map_is_stored_empty(visitor):
    booking = book_with_map(visitor, clear_answers(LEG))

    assert Submission.objects.get(booking=booking).body_map == {}


def test_a_refused_body_map_comes_back_with_what_was_marked(visitor):
    booking = hold(visitor, LEG)
    give_details(visitor, booking)
    data = posted(clear_answers(LEG), right_calf=("tension", "mild"))
    data["body_map-right_calf-intensity"] = "unbearable"

    response = visitor.post(health_url(booking), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Please choose mild, moderate or strong for each area." in html
    assert 'id="id_body_map-right_calf_2" value="tension" checked' in html
    assert not Submission.objects.exists()


def test_one_leg_pain_on_the_map_does_not_raise_a_clear_level(visitor):
    booking = book_with_map(visitor, clear_answers(LEG), left_calf=("pain", "strong"))

    submission = Submission.objects.get(booking=booking)
    assert submission.level == "clear"
    assert submission.reasons == []
    assert booking.status == BookingStatus.CONFIRMED


def test_pain_in_both_legs_on_the_map_does_not_lower_a_stop(visitor):
    booking = book_with_map(
        visitor,
        clear_answers(LEG, **ONE_LEG_STOP),
        left_calf=("pain", "strong"),
        right_calf=("pain", "strong"),
    )

    submission = Submission.objects.get(booking=booking)
    assert submission.level == "stop"
    assert submission.body_map["marks"][0]["region"] == "right_calf"


def test_intake_submit_keeps_its_signature_without_a_body_map(visitor):
    from intake.services import intake_submit

    booking = hold(visitor, LEG)
    give_details(visitor, booking)

    submission = intake_submit(booking=booking, answers=clear_answers(LEG), consent_given=True)

    assert submission.body_map == {}


def test_intake_submit_refuses_a_forged_body_map(visitor):
    from intake.services import IntakeInvalid, intake_submit

    booking = hold(visitor, LEG)
    give_details(visitor, booking)

    with pytest.raises(IntakeInvalid) as refused:
        intake_submit(
            booking=booking,
            answers=clear_answers(LEG),
            consent_given=True,
            body_map=body_map_of(mark("right_elbow")),
        )
    assert "body_map" in refused.value.errors


# What the therapist sees, and who else does not


@pytest.fixture
def flagged(visitor) -> Booking:
    """Ana's client, awaiting her review (pregnant), with pain marked on the left calf only."""
    booking = book_with_map(
        visitor,
        clear_answers(LEG, **PREGNANT),
        right_calf=("tension", "moderate"),
        left_knee=("avoid", "strong"),
        left_calf=("pain", "strong"),
    )
    assert booking.status == BookingStatus.AWAITING_REVIEW
    return booking


def review_url(booking) -> str:
    return reverse("intake:review_detail", kwargs={"public_id": booking.public_id})


def answers_url(booking) -> str:
    return reverse("intake:intake_answers", kwargs={"public_id": booking.public_id})


def my_day_url(booking) -> str:
    day = timezone.localtime(booking.start_at, studio_tz()).date().isoformat()
    return reverse("bookings:my_day") + f"?date={day}"


def test_the_therapist_sees_the_body_map_and_its_pointer_in_the_review(flagged):
    submission = Submission.objects.get(booking=flagged)

    html = staff_browser("ana").get(review_url(flagged)).content.decode()

    assert "Where the client feels it" in html
    assert "Right calf</span>: Tension (moderate)" in html
    assert "Left knee</span>: Please avoid (strong)" in html
    assert "The body map shows pain in the left leg only" in html
    # The level and the stored reasons stay the answers' own.
    submission.refresh_from_db()
    assert submission.level == "review"
    assert all(reason["question"] != ONE_LEG_QUESTION for reason in submission.reasons)


@pytest.mark.parametrize("url_of", [review_url, answers_url, my_day_url])
def test_each_read_of_the_body_map_is_logged_once(flagged, url_of):
    submission = Submission.objects.get(booking=flagged)
    ana = staff_browser("ana")
    before = AccessLog.objects.count()

    for _read in range(2):
        response = ana.get(url_of(flagged))
        assert response.status_code == 200
        assert "Right calf</span>: Tension" in response.content.decode()

    rows = list(AccessLog.objects.order_by("pk"))[before:]
    assert len(rows) == 2
    assert all(row.submission_ids == [submission.pk] for row in rows)
    assert all(row.actor == "ana" for row in rows)


def test_the_owner_sees_the_body_map_in_the_review(flagged):
    response = staff_browser("owner").get(review_url(flagged))

    assert response.status_code == 200
    assert "Right calf</span>: Tension" in response.content.decode()


@pytest.mark.parametrize("url_of", [review_url, answers_url])
@pytest.mark.parametrize("who", ["frontdesk", "ben"])
def test_the_front_desk_and_other_therapists_get_a_404(flagged, url_of, who):
    before = AccessLog.objects.count()

    response = staff_browser(who).get(url_of(flagged))

    assert response.status_code == 404
    assert AccessLog.objects.count() == before


def test_the_front_desk_sees_no_body_map_on_its_pages(flagged):
    desk = staff_browser("frontdesk")
    day = timezone.localtime(flagged.start_at, studio_tz()).date().isoformat()
    before = AccessLog.objects.count()

    for url in (
        reverse("bookings:staff_booking", kwargs={"public_id": flagged.public_id}),
        reverse("bookings:staff_calendar") + f"?date={day}",
    ):
        response = desk.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Right calf" not in html and "Where the client feels it" not in html, url
    assert AccessLog.objects.count() == before


def test_another_therapists_day_shows_no_body_map(flagged):
    response = staff_browser("ben").get(my_day_url(flagged))

    assert "Right calf" not in response.content.decode()
    assert not AccessLog.objects.filter(action="my_day_body_maps").exists()


# The client's own data


@pytest.fixture
def proven(visitor, flagged):
    """The client's browser after opening the manage link from their email."""
    url = links.proven_manage_url(flagged).removeprefix(settings.SITE_URL.rstrip("/"))
    assert visitor.get(url).status_code == 200
    return visitor


def test_the_clients_export_holds_the_body_map(proven, flagged):
    response = proven.get(reverse("intake:client_data", kwargs={"token": flagged.manage_token}))

    data = json.loads(response.content)
    (answers,) = data["health_answers"]
    assert {"area": "Right calf", "kind": "Tension", "intensity": "Moderate"} in answers["body_map"]
    assert {"area": "Left knee", "kind": "Please avoid", "intensity": "Strong"} in answers[
        "body_map"
    ]


def test_erasure_removes_the_body_map(proven, flagged):
    proven.post(
        reverse("intake:client_erase", kwargs={"token": flagged.manage_token}), {"confirm": "erase"}
    )

    assert Submission.objects.get(booking=flagged).body_map == {}
    html = staff_browser("ana").get(review_url(flagged)).content.decode()
    assert "Right calf" not in html


def test_a_returning_client_finds_their_last_body_map_filled_in(proven, flagged):
    second = hold(proven, LEG)
    give_details(proven, second)

    html = proven.get(health_url(second)).content.decode()

    assert 'id="id_body_map-right_calf_2" value="tension" checked' in html
    assert 'id="id_body_map-left_knee_3" value="avoid" checked' in html
