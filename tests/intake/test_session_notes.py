"""Session notes: written after the session, locked a day later, corrected by addenda."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from bookings.models import Booking, BookingStatus
from intake import services
from intake.models import AccessLog, SessionNote, SessionNoteAddendum
from tests.bookings.staff.conftest import Demo, at, browser_for
from tests.factories import ClientFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

# A Monday: Ana works 09–14, Ben 14–20, Carla is off.
MONDAY = date(2026, 3, 9)
SESSION_ENDS = at(MONDAY, 11)
MARKUP = "<script>alert('note')</script>"


@pytest.fixture
def session(demo_studio, time_machine):
    """Marta's completed session with Ana on Monday at 10:00, and her next one with Ben."""
    time_machine.move_to(at(MONDAY, 11, 30), tick=False)
    demo = Demo()
    client = ClientFactory(name="Marta Soler")
    booking = demo.book(
        at(MONDAY, 10),
        client=client,
        status=BookingStatus.COMPLETED,
        adaptations="Lighter pressure on the left calf.",
    )
    SubmissionFactory(
        booking=booking,
        reasons=[{"question": "varicose_veins", "level": "review", "text": "Varicose veins"}],
    )
    following = demo.book(
        at(MONDAY + timedelta(days=7), 15), client=client, therapist="ben", room="garden"
    )
    return booking, following


def note_url(booking: Booking) -> str:
    return reverse("intake:session_note", kwargs={"public_id": booking.public_id})


def addendum_url(booking: Booking) -> str:
    return reverse("intake:session_note_addendum", kwargs={"public_id": booking.public_id})


NOTE = {
    "subjective": "Calves tight after a long run.",
    "objective": "Tension in the right calf.",
    "assessment": "Muscle tightness, nothing of concern.",
    "plan": "Repeat in two weeks; keep the left calf light.",
    "areas": ["left_calf", "right_calf"],
    "techniques": ["effleurage", "petrissage"],
    "pressure": "medium",
    "response": "Relaxed, no discomfort.",
}


def test_the_therapist_writes_the_note_starting_from_the_screening(session):
    booking, _following = session
    ana = browser_for("ana")
    page = ana.get(note_url(booking))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial == {"subjective": "Varicose veins", "plan": booking.adaptations}
    # Showing the screening's reasons to start from is a logged read of them.
    assert AccessLog.objects.filter(action="note_reasons").count() == 1

    assert ana.post(note_url(booking), {"subjective": " "}).status_code == 400
    saved = ana.post(note_url(booking), NOTE)
    assert saved.status_code == 302
    note = SessionNote.objects.get(booking=booking)
    assert note.areas == ["right_calf", "left_calf"]  # in the body map's order
    assert (note.pressure, note.author.username) == ("medium", "ana")
    assert note.technique_labels == ["Effleurage (long, smooth strokes)", "Petrissage (kneading)"]


def test_no_note_before_the_session_is_completed(session):
    _booking, following = session
    response = browser_for("ben").post(note_url(following), NOTE, follow=True)
    assert "A note is written once the session is marked completed." in response.content.decode()
    assert not SessionNote.objects.exists()


def test_the_note_locks_a_day_after_the_session_and_takes_addenda(session, time_machine):
    booking, _following = session
    ana = browser_for("ana")
    ana.post(note_url(booking), NOTE)
    # The same day, a change is an edit, and an addendum is refused.
    ana.post(note_url(booking), NOTE | {"plan": "Repeat in three weeks."})
    assert SessionNote.objects.get().plan == "Repeat in three weeks."
    early = ana.post(addendum_url(booking), {"text": "Too early."}, follow=True)
    assert "The note can still be changed" in early.content.decode()

    # The next day, once it has locked: no edit, only an addendum with author and time.
    time_machine.move_to(SESSION_ENDS + SessionNote.LOCKED_AFTER, tick=False)
    ana = browser_for("ana")  # signed in afresh: an idle staff session times out
    page = ana.get(note_url(booking))
    assert page.context["form"] is None and page.context["addendum"] is not None
    refused = ana.post(note_url(booking), NOTE | {"plan": "Rewritten."}, follow=True)
    assert "add an addendum to correct it" in refused.content.decode()
    assert SessionNote.objects.get().plan == "Repeat in three weeks."
    assert ana.post(addendum_url(booking), {"text": ""}).status_code == 400
    added = ana.post(addendum_url(booking), {"text": "The client called: the calf felt fine."})
    assert added.status_code == 302
    addendum = SessionNoteAddendum.objects.get()
    assert (addendum.author.username, addendum.created_at) == (
        "ana",
        SESSION_ENDS + SessionNote.LOCKED_AFTER,
    )
    assert "The client called: the calf felt fine." in ana.get(note_url(booking)).content.decode()


def test_who_reads_the_note_and_every_read_is_logged(session):
    booking, _following = session
    browser_for("ana").post(note_url(booking), NOTE | {"response": MARKUP})
    note = SessionNote.objects.get()
    before = AccessLog.objects.count()
    # The client's next therapist and the owner read it; each read is one row.
    for who in ("ben", "owner", "ana"):
        page = browser_for(who).get(note_url(booking))
        assert page.status_code == 200, who
        html = page.content.decode()
        assert "Tension in the right calf." in html
        assert MARKUP not in html and "&lt;script&gt;" in html  # typed text is escaped
    rows = AccessLog.objects.filter(pk__gt=before, action="view_note").order_by("pk")
    assert [(row.actor, row.note_ids) for row in rows] == [
        ("ben", [note.pk]),
        ("owner", [note.pk]),
        ("ana", [note.pk]),
    ]
    # The front desk, a therapist who never saw the client, and a visitor: 404, no row.
    before = AccessLog.objects.count()
    for who in ("frontdesk", "carla"):
        browser = browser_for(who)
        assert browser.get(note_url(booking)).status_code == 404, who
        assert browser.post(note_url(booking), NOTE).status_code == 404, who
        assert browser.post(addendum_url(booking), {"text": "x"}).status_code == 404, who
    assert AccessLog.objects.count() == before
    # Ben reads but does not write Ana's note.
    assert browser_for("ben").post(note_url(booking), NOTE | {"plan": "Mine"}).status_code == 404
    assert SessionNote.objects.get().plan == NOTE["plan"]


def test_the_next_therapist_sees_the_last_note_on_their_day(session):
    booking, following = session
    browser_for("ana").post(note_url(booking), NOTE)
    before = AccessLog.objects.count()
    day = browser_for("ben").get(
        reverse("bookings:my_day"), {"date": following.start_at.date().isoformat()}
    )
    html = day.content.decode()
    assert "Last session note" in html and NOTE["plan"] in html
    row = AccessLog.objects.filter(pk__gt=before, action="my_day_last_notes").get()
    assert row.note_ids == [SessionNote.objects.get().pk]
    # Ana's own day, with the session the note is about, shows no "last" note: none earlier.
    ana_day = browser_for("ana").get(reverse("bookings:my_day"), {"date": MONDAY.isoformat()})
    assert "Last session note" not in ana_day.content.decode()
    assert "Session note" in ana_day.content.decode()  # the link to write or read it


def test_the_export_holds_the_note_and_erasure_removes_it(session, time_machine):
    booking, _following = session
    ana = browser_for("ana")
    ana.post(note_url(booking), NOTE)
    time_machine.move_to(SESSION_ENDS + timedelta(days=2), tick=False)
    ana = browser_for("ana")
    ana.post(addendum_url(booking), {"text": "Felt fine two days later."})

    exported = services.client_export(client=booking.client)["session_notes"]
    assert len(exported) == 1
    assert exported[0]["plan"] == NOTE["plan"]
    assert exported[0]["areas_treated"] == ["Right calf", "Left calf"]
    assert [a["text"] for a in exported[0]["addenda"]] == ["Felt fine two days later."]

    services.client_erase(client=booking.client)
    assert not SessionNote.objects.exists() and not SessionNoteAddendum.objects.exists()
    assert Booking.objects.filter(pk=booking.pk).exists()  # the booking is kept


def test_the_therapist_marks_the_session_completed_then_writes_the_note(session, time_machine):
    booking, _following = session
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED)
    ana = browser_for("ana")
    page = ana.get(note_url(booking))
    assert page.context["can_complete"] and page.context["form"] is None
    assert ana.post(note_url(booking), {"complete": "yes"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert ana.get(note_url(booking)).context["form"] is not None
    # Another therapist's session is not theirs to mark.
    following = _following
    time_machine.move_to(following.start_at, tick=False)
    assert browser_for("ana").post(note_url(following), {"complete": "yes"}).status_code == 404
    following.refresh_from_db()
    assert following.status == BookingStatus.CONFIRMED


@pytest.mark.django_db(transaction=True)
def test_erasure_outside_a_transaction_removes_the_note(session):
    """Erasure takes its own transaction: the client's erase page runs outside one.

    ``client_erase`` locks the client's row, which needs a transaction; run in autocommit, as
    the erase page is (no ``ATOMIC_REQUESTS``), it must not fail half-way.
    """
    booking, _following = session
    note = services.session_note_save(
        booking=booking, author=Demo().user("ana"), fields={"plan": NOTE["plan"]}
    )
    SessionNoteAddendum.objects.create(
        note=note, author=note.author, text="Felt fine.", created_at=note.created_at
    )

    services.client_erase(client=booking.client)

    assert not SessionNote.objects.exists() and not SessionNoteAddendum.objects.exists()
    booking.refresh_from_db()
    assert booking.client.name == "Erased client" and booking.adaptations == ""
