"""Session notes in a real browser: Ana marks her session completed and writes its note, adds
an addendum once it has locked, the front desk is refused it, and Ben reads it on his day
before seeing the same client; every read is logged, the export holds it, erasure removes it.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from intake import services
from intake.models import AccessLog, SessionNote, SessionNoteAddendum
from studio.timezones import studio_tz
from tests.bookings.staff.conftest import Demo, at, next_monday
from tests.browser.conftest import axe_serious, log_in
from tests.factories import ClientFactory, SubmissionFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}

REASON = "Varicose veins"
ADAPTATIONS = "Lighter pressure on the left calf."
SUBJECTIVE = "Calves tight after a long run; varicose veins on the left leg."
OBJECTIVE = "Tension in the right calf."
PLAN = "Repeat in two weeks; keep the left calf light."
ADDENDUM = "The client called: the calf felt fine."


def _shown_time(moment) -> str:
    """Return a time as the note page shows it: "10 December 2026, 11:30", studio time."""
    with translation.override("en"):
        return date_format(timezone.localtime(moment, studio_tz()), "j F Y, H:i")


def test_a_session_note_is_written_locked_corrected_read_by_the_next_therapist_and_erased(
    browser, live_demo, shot_of, time_machine
):
    base = live_demo.url
    monday = next_monday()
    # Marta's leg massage with Ana started an hour ago; her next one, with Ben, is a week on.
    time_machine.move_to(at(monday, 11), tick=False)
    demo = Demo()
    marta = ClientFactory(name="Marta Soler")
    booking = demo.book(at(monday, 10), client=marta, adaptations=ADAPTATIONS)
    SubmissionFactory(
        booking=booking,
        reasons=[{"question": "varicose_veins", "level": "review", "text": REASON}],
    )
    following = demo.book(
        at(monday + timedelta(days=7), 15), client=marta, therapist="ben", room="garden"
    )
    note_path = reverse("intake:session_note", kwargs={"public_id": booking.public_id})
    # Every page load that shows the note, by whom: each must be one row of the access log.
    note_views: list[str] = []
    contexts = []

    def signed_in(username: str, next_url: str = "", **options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        # The page keeps the server's time (CI runs a pass with the clock moved ahead).
        page.clock.install(time=timezone.now())
        log_in(page, base, username, next_url)
        return page

    try:
        # Ana's day: the session's "Session note" link, then "Mark the session completed".
        ana = signed_in("ana", "/en/me/day/")
        card = ana.get_by_role("article").filter(has_text="Marta Soler")
        expect(card).to_contain_text(ADAPTATIONS)
        card.get_by_role("link", name="Session note", exact=True).click()
        ana.wait_for_url(f"{base}{note_path}")
        expect(ana.get_by_text("No note has been written for this session yet.")).to_be_visible()
        shot_of(ana, "before-completed")
        ana.get_by_role("button", name="Mark the session completed").click()
        expect(ana.get_by_role("heading", name="Write the note")).to_be_visible()
        booking.refresh_from_db()
        assert booking.status == BookingStatus.COMPLETED

        # The form starts from the screening's reasons and the review's adaptations.
        subjective = ana.get_by_label("What the client said")
        plan = ana.get_by_label("Plan for next time")
        expect(subjective).to_have_value(REASON)
        expect(plan).to_have_value(ADAPTATIONS)
        subjective.fill(SUBJECTIVE)
        ana.get_by_label("What you found").fill(OBJECTIVE)
        plan.fill(PLAN)
        ana.get_by_role("checkbox", name="Right calf", exact=True).check()
        ana.get_by_role("checkbox", name="Effleurage (long, smooth strokes)").check()
        ana.get_by_role("radio", name="Medium", exact=True).check()
        shot_of(ana, "note-form")
        ana.get_by_role("button", name="Save the note").click()
        expect(ana.get_by_text("The session note is saved.")).to_be_visible()
        note_views.append("ana")
        written = ana.get_by_role("region", name="The note")
        for text in (SUBJECTIVE, OBJECTIVE, PLAN, "Right calf", "Effleurage", "Medium"):
            expect(written).to_contain_text(text)
        # Until it locks, the note is changed in place rather than corrected by an addendum.
        expect(ana.get_by_role("heading", name="Change the note")).to_be_visible()
        expect(ana.get_by_role("button", name="Add the addendum")).to_have_count(0)
        shot_of(ana, "note-saved")
        assert axe_serious(ana) == []
        note = SessionNote.objects.get(booking=booking)
        assert (note.author.username, note.plan, note.areas, note.techniques, note.pressure) == (
            "ana",
            PLAN,
            ["right_calf"],
            ["effleurage"],
            "medium",
        )

        # The next day, past 24 hours after the session's end: the note has locked. Ana,
        # signed in afresh on her phone, adds an addendum.
        time_machine.move_to(at(monday + timedelta(days=1), 11, 30), tick=False)
        assert note.is_locked(timezone.now())
        ana = signed_in("ana", note_path, **PHONE)
        note_views.append("ana")
        expect(ana.get_by_role("heading", name="The note, as written")).to_be_visible()
        expect(ana.get_by_text("Locked: corrections are added below.")).to_be_visible()
        expect(ana.get_by_role("button", name="Save the note")).to_have_count(0)
        expect(ana.get_by_label("What the client said")).to_have_count(0)
        ana.get_by_label("Addendum").fill(ADDENDUM)
        ana.get_by_role("button", name="Add the addendum").click()
        saved = ana.get_by_text("The addendum is saved with your name and the time.")
        expect(saved).to_be_visible()
        note_views.append("ana")
        addenda = ana.get_by_role("region", name="Addenda")
        expect(addenda).to_contain_text(ADDENDUM)
        expect(addenda).to_contain_text(f"Ana Ruiz, {_shown_time(timezone.now())}")
        assert ana.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot_of(ana, "addendum-phone")
        assert axe_serious(ana) == []
        addendum = SessionNoteAddendum.objects.get(note=note)
        assert (addendum.author.username, addendum.created_at) == ("ana", timezone.now())

        # The front desk never reads a note: the address is a 404, and nothing is logged.
        reads = AccessLog.objects.count()
        desk = signed_in("frontdesk")
        refused = desk.goto(f"{base}{note_path}")
        assert refused.status == 404
        assert AccessLog.objects.count() == reads
        assert not AccessLog.objects.filter(user__username="frontdesk").exists()

        # The day of Marta's next session: Ben reads Ana's last note on his day, then whole.
        day = monday + timedelta(days=7)
        time_machine.move_to(at(day, 13), tick=False)
        ben = signed_in("ben", f"/en/me/day/?date={day:%Y-%m-%d}")
        card = ben.get_by_role("article").filter(has_text="Marta Soler")
        expect(card).to_contain_text(f"Last session note: {monday.day} {monday:%b}, Ana")
        card.get_by_text("Last session note").click()
        expect(card.get_by_text(PLAN)).to_be_visible()
        shot_of(ben, "last-note-on-my-day")
        card.get_by_role("link", name="Read the whole note").click()
        ben.wait_for_url(f"{base}{note_path}")
        note_views.append("ben")
        expect(ben.get_by_role("region", name="The note, as written")).to_contain_text(OBJECTIVE)
        expect(ben.get_by_role("region", name="Addenda")).to_contain_text(ADDENDUM)
        # Ben reads Ana's note; only she writes to it.
        expect(ben.get_by_role("button", name="Add the addendum")).to_have_count(0)
        shot_of(ben, "note-read-by-ben")

        # One row per read, naming the note, and no row for the refused request.
        views = AccessLog.objects.filter(action="view_note").order_by("pk")
        assert [(row.actor, row.note_ids) for row in views] == [
            (who, [note.pk]) for who in note_views
        ]
        days = AccessLog.objects.filter(action="my_day_last_notes")
        assert [(row.actor, row.note_ids) for row in days] == [("ben", [note.pk])]
        assert AccessLog.objects.filter(note_ids__contains=[note.pk]).count() == len(
            note_views
        ) + len(days)

        # The client's export holds the note and its addendum; erasure removes both.
        exported = services.client_export(client=marta)["session_notes"]
        assert [(entry["plan"], entry["areas_treated"]) for entry in exported] == [
            (PLAN, ["Right calf"])
        ]
        assert [entry["text"] for entry in exported[0]["addenda"]] == [ADDENDUM]
        services.client_erase(client=marta)
        assert not SessionNote.objects.exists()
        assert not SessionNoteAddendum.objects.exists()
        assert Booking.objects.filter(pk=booking.pk, status=BookingStatus.COMPLETED).exists()
        assert Booking.objects.filter(pk=following.pk).exists()
    finally:
        for context in contexts:
            context.close()
