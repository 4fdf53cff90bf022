"""The client's side of the intake: the health questions of a hold, the pre-visit re-screen,
and a client's own data (download and erasure). The therapist's pages are in ``intake.staff``.
"""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bookings import selectors as booking_selectors
from bookings import services as booking_services
from bookings import sessions
from bookings.errors import BookingRefused
from bookings.messages.links import aftercare_token_booking_id, rescreen_token_booking_id
from bookings.models import Booking, BookingStatus
from intake import selectors, services
from intake.body_map import BODY_MAP_VERSION
from intake.body_map_forms import NAME as BODY_MAP
from intake.body_map_forms import draft_values, from_draft_values
from intake.forms import FIELD_PREFIX, AftercareForm, IntakeForm
from intake.questionnaire_v1 import SECTIONS
from intake.reads import log_read
from studio import permissions


def _previous_answers(request, booking):
    """Return the client's fresh last answers, only to someone who may read them."""
    client = booking.client
    if client is None or client.erased_at is not None:
        return None
    previous = selectors.last_answers(client=client)
    if previous is None or not permissions.can_read_submission(
        request.user, previous, proven_client_id=permissions.proven_client_id(request)
    ):
        return None
    return previous


def _stop_page(request, booking, status=200):
    return render(request, "intake/stop.html", {"booking": booking}, status=status)


def _intake_booking(request, public_id) -> tuple[Booking, bool]:
    """Return a hold whose questions this browser may answer, and whether that is all it may do.

    Anyone else's is a 404.
    """
    shown = str(public_id)
    intake_only = shown in sessions.intake_only(request)
    if not intake_only and shown not in sessions.holds(request):
        raise Http404
    booking = get_object_or_404(booking_selectors.booking_with_details(), public_id=public_id)
    return booking, intake_only


def _after_intake(request, booking: Booking, *, intake_only: bool, new: bool = False):
    """Send whoever answered on to what they may see of the booking next.

    The client who booked online goes to the manage page. Through an intake link, the front
    desk goes back to the booking card and anybody else gets a thank-you page: the link never
    opens the manage page, which would let its holder change the booking or read the notes.
    """
    if not intake_only:
        return redirect(booking.get_manage_url() + ("?new=1" if new else ""))
    if new:
        booking.refresh_from_db(fields=["status"])  # the submission moved it on
    if permissions.can_use_front_desk(request.user):
        if new:
            messages.success(
                request,
                _("The health answers are in. The booking is now: %(status)s.")
                % {"status": booking.status_label.lower()},
            )
        return redirect("bookings:staff_booking", public_id=booking.public_id)
    return render(request, "intake/answered.html", {"booking": booking})


def _times_again(request, booking: Booking, message):
    """Send the client back to the times of the booking's massage, saying why."""
    messages.error(request, message)
    return redirect(reverse("bookings:booking_times", kwargs={"slug": booking.service.slug}))


def _hold_ran_out(request, booking: Booking):
    """Keep the answers sent to a hold that ran out, and offer its time again."""
    if request.method == "POST":
        sessions.draft_keep(
            request, booking=booking, data=request.POST, prefix=FIELD_PREFIX, names=("consent",)
        )
        # The body map's marks, kept as one short value each rather than its fifty controls.
        if marks := draft_values(request.POST):
            kept = QueryDict(mutable=True)
            kept.setlist(BODY_MAP, marks)
            sessions.draft_keep(request, booking=booking, data=kept, names=(BODY_MAP,))
    return redirect("bookings:booking_expired", public_id=booking.public_id)


def _not_answerable(request, booking: Booking, *, intake_only: bool):
    """Return where to go instead of the questions (a released hold, a settled booking), or None."""
    try:
        if booking.status in (BookingStatus.HELD, BookingStatus.EXPIRED):
            booking_services.hold_check(booking=booking)
    except BookingRefused as refusal:
        if intake_only:
            # A phone hold that ran out: the front desk books the time again.
            return _times_again(request, booking, refusal.message)
        return _hold_ran_out(request, booking)
    if booking.status not in (BookingStatus.HELD, BookingStatus.STOPPED):
        return _after_intake(request, booking, intake_only=intake_only)
    if booking.client_id is None:
        if intake_only:
            raise Http404
        return redirect("bookings:booking_details", public_id=booking.public_id)
    if (
        booking.status == BookingStatus.STOPPED
        and request.method == "GET"
        and "change" not in request.GET
    ):
        return _stop_page(request, booking)
    return None


def _intake_page(request, booking, form, previous, *, error=None):
    response = render(
        request,
        "intake/form.html",
        {
            "booking": booking,
            "form": form,
            "sections": form.sections(SECTIONS),
            "body_map": form.body_map_input(),
            "previous": previous,
            "consent_text": selectors.consent_text_current(),
            "error": error,
        },
        status=400 if request.method == "POST" else 200,
    )
    # Prefilled last answers are a read of them.
    if previous is not None:
        log_read(
            request, response, submissions=[previous], action="prefill", client=previous.client
        )
    return response


def _submit(request, booking, form, *, intake_only: bool):
    """Triage the answers; return the next page, or None and the refusal to show on the form."""
    try:
        submission = services.intake_submit(
            booking=booking,
            answers=form.answers(),
            consent_given=form.cleaned_data["consent"],
            earlier_stops=sessions.screening_stops(request),
            body_map=form.body_map(),
        )
    except services.IntakeInvalid as invalid:
        for code, message in invalid.errors.items():
            name = code if code == BODY_MAP else FIELD_PREFIX + code
            form.add_error(name if name in form.fields else None, message)
        return None, None
    except BookingRefused as refusal:
        if refusal.code == BookingRefused.HOLD_EXPIRED and not intake_only:
            return _hold_ran_out(request, booking), None
        if refusal.code in (BookingRefused.HOLD_EXPIRED, BookingRefused.SLOT_TAKEN):
            return _times_again(request, booking, refusal.message), None
        return None, refusal.message
    sessions.draft_forget(request)
    if submission.level == "stop":
        sessions.screening_stop_remember(request, booking)
        return _stop_page(request, booking), None
    return _after_intake(request, booking, intake_only=intake_only, new=True), None


@require_http_methods(["GET", "POST"])
def intake_form(request, public_id):
    booking, intake_only = _intake_booking(request, public_id)
    elsewhere = _not_answerable(request, booking, intake_only=intake_only)
    if elsewhere is not None:
        return elsewhere
    questionnaire = selectors.questionnaire_current()
    previous = _previous_answers(request, booking)
    initial = {}
    if previous is not None:
        # Answers given on an older version are offered only where the code still exists.
        initial = {FIELD_PREFIX + code: value for code, value in previous.answers.items()}
        # The last body map too, when it was marked on the version the page draws.
        if previous.body_map.get("version") == BODY_MAP_VERSION:
            initial[BODY_MAP] = previous.body_map
    if not intake_only:
        # Answers typed into an earlier hold that ran out.
        initial |= sessions.draft_initial(
            request, booking=booking, prefix=FIELD_PREFIX, names=("consent",)
        )
        if kept := sessions.draft_initial(request, booking=booking, names=(BODY_MAP,)):
            initial[BODY_MAP] = from_draft_values(kept[BODY_MAP])
    form = IntakeForm(
        request.POST or None,
        initial=initial,
        specs=selectors.question_specs(questionnaire),
        service_slug=booking.service.slug,
        version=questionnaire.version,
        ask_body_map=True,
        previous=previous.answers if previous is not None else None,
    )
    error = None
    if request.method == "POST" and form.is_valid():
        done, error = _submit(request, booking, form, intake_only=intake_only)
        if done is not None:
            return done
    return _intake_page(request, booking, form, previous, error=error)


@require_safe
def phone_intake(request, token):
    """Open the health questions of a booking the front desk made by phone (link sent by mail)."""
    booking = booking_selectors.booking_awaiting_intake(token=token)
    if booking is None:
        raise Http404
    sessions.intake_only_allow(request, booking)
    return redirect("intake:intake_form", public_id=booking.public_id)


def _client_booking(token) -> Booking:
    booking = booking_selectors.booking_for_manage(token=token)
    if booking is None or booking.client is None or booking.client.erased_at is not None:
        raise Http404
    return booking


def _proof_needed(request, booking):
    """Answer 404, as for anything a viewer may not see, with the way to the emailed link.

    The visitor holds the manage link, so the booking is no secret to them; the page only
    says how to prove they are the client.
    """
    return render(request, "intake/proof_needed.html", {"booking": booking}, status=404)


@require_POST
def send_link(request, token):
    """Email the client their proven manage link, at most once every ten minutes."""
    booking = _client_booking(token)
    services.manage_link_send(booking=booking)
    messages.success(request, _("We have emailed you a secure link. Please open it from there."))
    return redirect(booking.get_manage_url())


@require_safe
def my_data(request, token):
    """Download everything stored about the client behind a manage link, as JSON."""
    booking = _client_booking(token)
    if not sessions.client_proven(request, booking):
        return _proof_needed(request, booking)
    client = booking.client
    data = services.client_export(client=client)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="calma-my-data.json"'
    shown = selectors.submissions_exported(client=client)
    return log_read(request, response, submissions=shown, action="client_export", client=client)


@require_http_methods(["GET", "POST"])
def erase(request, token):
    booking = _client_booking(token)
    if not sessions.client_proven(request, booking):
        return _proof_needed(request, booking)
    if request.method == "POST":
        if request.POST.get("confirm") != "erase":
            messages.error(request, _("Please tick the box to confirm."))
            return redirect("intake:client_erase", token=token)
        services.client_erase(client=booking.client)
        return render(request, "intake/erased.html")
    return render(request, "intake/erase.html", {"booking": booking})


@require_http_methods(["GET", "POST"])
def rescreen(request, token):
    """The short pre-visit re-screen, reached through the signed link in the reminder."""
    public_id = rescreen_token_booking_id(token)
    if public_id is None:
        raise Http404
    booking = get_object_or_404(booking_selectors.booking_with_details(), public_id=public_id)
    refusal = services.rescreen_refusal(booking=booking)
    if refusal:
        return render(
            request, "intake/rescreen_closed.html", {"booking": booking, "message": refusal}
        )
    questionnaire = selectors.questionnaire_current(kind="rescreen")
    form = IntakeForm(
        request.POST or None,
        specs=selectors.question_specs(questionnaire),
        service_slug=booking.service.slug,
        version=questionnaire.version,
        ask_consent=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.rescreen_submit(booking=booking, answers=form.answers())
        except services.IntakeInvalid as invalid:
            for code, message in invalid.errors.items():
                name = FIELD_PREFIX + code
                form.add_error(name if name in form.fields else None, message)
        except BookingRefused as refusal:
            return render(
                request,
                "intake/rescreen_closed.html",
                {"booking": booking, "message": refusal.message},
            )
        else:
            return render(
                request,
                "intake/rescreen_done.html",
                {"booking": booking, "level": submission.level},
            )
    return render(
        request,
        "intake/rescreen.html",
        {"booking": booking, "form": form, "sections": form.sections({})},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def aftercare(request, token):
    """How the client feels after the session, through the signed link in the after-care email.

    The link is the credential for this one question and shows nothing the client told
    before: not their answers, nor an earlier report.
    """
    public_id = aftercare_token_booking_id(token)
    if public_id is None:
        raise Http404
    booking = get_object_or_404(booking_selectors.booking_with_details(), public_id=public_id)
    refusal = services.aftercare_refusal(booking=booking)
    if refusal:
        return render(request, "intake/aftercare_closed.html", {"message": refusal})
    if selectors.aftercare_report(booking) is not None:
        return render(request, "intake/aftercare_done.html", {"booking": booking, "again": True})
    form = AftercareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.aftercare_report(booking=booking, **form.cleaned_data)
        except BookingRefused as refusal:
            return render(request, "intake/aftercare_closed.html", {"message": refusal.message})
        return render(
            request,
            "intake/aftercare_done.html",
            {"booking": booking, "needs_attention": report.needs_attention},
        )
    return render(
        request,
        "intake/aftercare.html",
        {"booking": booking, "form": form},
        status=400 if request.method == "POST" else 200,
    )
