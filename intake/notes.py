"""Session notes: the session's therapist writes one after it, and adds addenda once it locks.

The client's therapists (whoever has seen or will see them) and the owner read notes; the
front desk never does (``permissions.can_see_notes``). Every page that shows a note logs one
read (``selectors.notes_read``). Like the review, each page is a 404 for anyone who may not
see it, so an address says nothing about whether its booking exists.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings import selectors as booking_selectors
from bookings import services as booking_services
from bookings.errors import BookingRefused
from bookings.models import Booking, BookingStatus
from intake import body_map, selectors, services
from intake.note_forms import AddendumForm, SessionNoteForm
from intake.reads import actor, client_ip, log_read
from studio import permissions


def _booking(request, public_id) -> Booking:
    booking = booking_selectors.booking_for_staff(public_id=public_id)
    if booking is None or not permissions.can_see_notes(request.user, booking):
        raise Http404
    return booking


def _initial(booking) -> dict:
    """Start a new note from what the screening found and what the review agreed."""
    submission = selectors.submission_newest(booking=booking)
    reasons = [reason["text"] for reason in submission.reasons] if submission else []
    return {
        "subjective": "\n".join(reasons),
        "plan": booking.adaptations,
    }, ([submission] if submission and reasons else [])


def _page(request, booking, note, *, form=None, addendum=None, status=200):
    now = timezone.now()
    writer = permissions.can_write_note(request.user, booking)
    locked = note is not None and note.is_locked(now)
    shown = []
    if form is None and writer and not locked and booking.status == BookingStatus.COMPLETED:
        if note is None:
            initial, shown = _initial(booking)
            form = SessionNoteForm(initial=initial)
        else:
            form = SessionNoteForm(instance=note)
    if addendum is None and writer and locked:
        addendum = AddendumForm()
    report = selectors.aftercare_report(booking)
    response = render(
        request,
        "intake/notes/note.html",
        {
            "booking": booking,
            "note": note,
            "report": report,
            "areas": body_map.regions(note.areas) if note else [],
            "form": form,
            "addendum": addendum,
            "locked": locked,
            "writer": writer,
            "can_complete": writer
            and note is None
            and booking.status in (BookingStatus.CONFIRMED, BookingStatus.ARRIVED),
        },
        status=status,
    )
    if request.method == "GET" and response.status_code == 200:
        selectors.notes_read(
            notes=[note] if note else [],
            aftercare=[report] if report else [],
            user=request.user,
            actor=actor(request),
            ip=client_ip(request),
            action="view_note",
        )
        # A new note starts from the screening's reasons: showing them is a read too.
        log_read(request, response, submissions=shown, action="note_reasons")
    return response


@require_http_methods(["GET", "POST"])
def session_note(request, public_id):
    booking = _booking(request, public_id)
    note = selectors.session_note(booking)
    if request.method == "GET":
        return _page(request, booking, note)
    if not permissions.can_write_note(request.user, booking):
        raise Http404
    if request.POST.get("complete") == "yes":
        # The therapist marks their own session completed, then writes its note.
        try:
            booking_services.booking_mark(booking=booking, status=BookingStatus.COMPLETED)
        except BookingRefused as refusal:
            messages.error(request, refusal.message)
        return redirect("intake:session_note", public_id=booking.public_id)
    form = SessionNoteForm(request.POST, instance=note)
    if not form.is_valid():
        return _page(request, booking, note, form=form, status=400)
    try:
        services.session_note_save(booking=booking, author=request.user, fields=form.note_fields())
    except services.NoteRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("intake:session_note", public_id=booking.public_id)
    messages.success(request, _("The session note is saved."))
    return redirect("intake:session_note", public_id=booking.public_id)


@require_POST
def session_note_addendum(request, public_id):
    booking = _booking(request, public_id)
    note = selectors.session_note(booking)
    if note is None or not permissions.can_write_note(request.user, booking):
        raise Http404
    form = AddendumForm(request.POST)
    if not form.is_valid():
        return _page(request, booking, note, addendum=form, status=400)
    try:
        services.session_note_addendum_add(
            note=note, author=request.user, text=form.cleaned_data["text"]
        )
    except services.NoteRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The addendum is saved with your name and the time."))
    return redirect("intake:session_note", public_id=booking.public_id)
