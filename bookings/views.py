"""The client's booking flow and the manage page. Views stay thin: services decide."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bookings import picker, selectors, services, sessions, throttle, times_cache
from bookings.errors import BookingRefused, ManageLinkGone
from bookings.forms import (
    CancelForm,
    ClientDetailsForm,
    HoldForm,
    RescheduleForm,
    TimesForm,
)
from bookings.messages import ics
from bookings.messages.links import client_proof_valid, reminder_token_booking_id
from bookings.models import Booking, BookingStatus
from studio import permissions
from studio import selectors as studio_selectors
from studio.models import Studio
from studio.timezones import studio_tz

# The details a hold that ran out keeps for the next one (see ``sessions.draft_keep``).
DETAILS = ("name", "email", "phone")


def held_booking(request, public_id) -> Booking:
    """Return a hold started in this browser session; anyone else's is a 404.

    Only online holds are started in a browser. A phone booking's intake link, and the front
    desk's "fill in now", open its health questions alone (see ``intake.views``), never this.
    """
    if str(public_id) not in sessions.holds(request):
        raise Http404
    return get_object_or_404(selectors.booking_with_details(), public_id=public_id)


def _status(refusal: BookingRefused) -> int:
    """Answer 409 when the calendar changed under the client, 400 for a request never valid."""
    return 409 if refusal.code in (BookingRefused.SLOT_TAKEN, BookingRefused.POLICY) else 400


def _today(now):
    return timezone.localdate(now, studio_tz())


@require_safe
def choose_service(request):
    services_shown = studio_selectors.service_list()
    return render(request, "bookings/choose_service.html", {"services": services_shown})


def _times_page(
    request,
    service,
    *,
    data,
    error=None,
    status=200,
    now=None,
    cache_key=None,
    studio=None,
    catalogue_print=None,
):
    """Render the month of times; with a ``cache_key``, store it for the next visitors.

    ``studio`` is the studio row when the caller read it already (``selectors.kept_catalogue``);
    ``catalogue_print`` the print of a kept catalogue, checked by the month's read
    (``selectors.kept_catalogue``: it raises ``CatalogueChanged`` if it was edited since).
    """
    now = now or timezone.now()
    form = TimesForm(data, service=service)
    if not form.is_valid():
        # A tampered length or therapist falls back to the defaults.
        first_length = service.lengths.all()[0] if service.lengths.all() else None
        if first_length is None:
            raise Http404
        form = TimesForm(
            {"length": first_length.pk, "therapist": "any"},
            service=service,
        )
        form.is_valid()
    length = next(item for item in service.lengths.all() if item.pk == form.cleaned_data["length"])
    therapist_slug = form.cleaned_data["therapist"]
    therapist = next((t for t in service.therapists.all() if t.slug == therapist_slug), None)
    shown = picker.from_request(
        data,
        day_alias="week",
        studio=studio or Studio.load(),
        service=service,
        length=length,
        therapist=therapist,
        now=now,
        catalogue_print=catalogue_print,
    )
    waitlist_page = reverse("bookings:waitlist_join", kwargs={"slug": service.slug})
    context = {
        "service": service,
        "form": form,
        "length": length,
        "therapist": therapist,
        "therapist_value": therapist_slug,
        "error": error,
        "picker": shown,
        "query": urlencode({"length": length.pk, "therapist": therapist_slug}) + "&",
        # A full day offers the waitlist for that day, with this length and therapist.
        "waitlist_url": waitlist_page
        + "?"
        + urlencode({"length": length.pk, "therapist": therapist_slug})
        + "&",
        "action": reverse("bookings:booking_hold", kwargs={"slug": service.slug}),
        # The form's address (twice) and the waitlist's: reversed once, here.
        "times_url": reverse("bookings:booking_times", kwargs={"slug": service.slug}),
        "waitlist_page": waitlist_page,
        "hidden": {"length": length.pk, "therapist": therapist_slug},
    }
    template = (
        "bookings/includes/slots.html" if request.htmx and not error else "bookings/times.html"
    )
    if cache_key is None or error:
        return render(request, template, context, status=status)
    html = render_to_string(
        template,
        {
            **context,
            "csrf_token": times_cache.CSRF_PLACEHOLDER,
            "CSP_NONCE": times_cache.NONCE_PLACEHOLDER,
        },
        request,
    )
    return times_cache.store(request, cache_key, html, now=now, valid_until=shown.valid_until)


@require_safe
def choose_time(request, slug):
    now = timezone.now()
    cache_key = times_cache.page_key(request, slug, today=_today(now))
    if cache_key is not None:
        cached = times_cache.cached_response(request, cache_key, now=now)
        if cached is not None:
            return cached

    def page(kept: selectors.KeptCatalogue):
        return _times_page(
            request,
            kept.service,
            data=request.GET,
            now=now,
            cache_key=cache_key,
            studio=kept.studio,
            catalogue_print=kept.print,
        )

    # Edited since this process kept it: worked out again from a fresh read.
    return selectors.checked_catalogue(selectors.kept_catalogue(slug=slug), page)


@require_POST
def hold(request, slug):
    # The service, its lengths, therapists and rooms and the studio: kept in this process,
    # or read in one query.
    kept = selectors.kept_catalogue(slug=slug, rooms=True)
    quota = throttle.hold_quota(request, session_holds=sessions.holds(request))
    if quota.refusal is not None:
        return _times_page(
            request, kept.service, data=request.POST, error=quota.refusal.message, status=429
        )
    # Edited since this process kept it: the re-check under the locks says so, nothing is
    # held, and the hold is made again from a fresh read.
    return selectors.checked_catalogue(
        kept, lambda fresh: _hold(request, fresh, quota=quota), rooms=True
    )


def _hold(request, kept: selectors.KeptCatalogue, *, quota: throttle.HoldQuota):
    service = kept.service
    form = HoldForm(request.POST)
    if not form.is_valid():
        return _times_page(
            request,
            service,
            data=request.POST,
            error=_("Please choose one of the times shown."),
            status=400,
        )
    length = next(
        (item for item in service.lengths.all() if item.pk == form.cleaned_data["length"]), None
    )
    if length is None:
        # Withdrawn since the page was shown: the hold is refused with the reason.
        length = studio_selectors.service_length(service=service, pk=form.cleaned_data["length"])
    therapist_slug = form.cleaned_data["therapist"]
    therapist = next((t for t in service.therapists.all() if t.slug == therapist_slug), None)
    if length is None or (therapist is None and therapist_slug != "any"):
        return _times_page(
            request,
            service,
            data=request.POST,
            error=_("That choice is not available for this massage."),
            status=400,
        )
    try:
        booking = services.hold_create(
            service=service,
            length=length,
            therapist=therapist,
            start_at=form.cleaned_data["start"],
            language=translation.get_language(),
            # Read with the service above: the hold does not read them again.
            therapists=service.therapists.all(),
            room_ids=kept.room_ids,
            catalogue_print=kept.print,
        )
    except BookingRefused as refusal:
        return _times_page(
            request, service, data=request.POST, error=refusal.message, status=_status(refusal)
        )
    throttle.hold_record(request, booking=booking, quota=quota)
    sessions.hold_remember(request, booking)
    # Chosen on the page of a hold that ran out: what was typed there carries on here.
    sessions.draft_follow(request, from_id=request.POST.get("after", ""), to_booking=booking)
    return redirect("bookings:booking_details", public_id=booking.public_id)


def _hold_gone(request, booking, refusal):
    messages.error(request, refusal.message)
    url = reverse("bookings:booking_times", kwargs={"slug": booking.service.slug})
    return redirect(f"{url}?length={booking.length_id}")


def next_step_url(booking: Booking) -> str:
    """Where a held booking goes once the client's details are in: the health questions."""
    return reverse("intake:intake_form", kwargs={"public_id": booking.public_id})


@require_http_methods(["GET", "POST"])
def details(request, public_id):
    booking = held_booking(request, public_id)
    if booking.source == Booking.Source.PHONE:
        # The front desk chose the client of a phone booking; nobody replaces them here.
        raise Http404
    if booking.status not in (BookingStatus.HELD, BookingStatus.EXPIRED):
        return redirect(booking.get_manage_url())
    try:  # a hold that ran out, swept or not: what was typed is kept for the next one
        services.hold_check(booking=booking)
    except BookingRefused:
        if request.method == "POST":
            sessions.draft_keep(request, booking=booking, data=request.POST, names=DETAILS)
        return redirect("bookings:booking_expired", public_id=booking.public_id)
    initial = {}
    returning = booking.client or sessions.proven_client(request)
    if returning and returning.erased_at is None:
        initial = {"name": returning.name, "email": returning.email, "phone": returning.phone}
    initial |= sessions.draft_initial(request, booking=booking, names=DETAILS)
    form = ClientDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            proven = sessions.proven_client(request)
            booking = services.hold_attach_client(
                booking=booking,
                **form.cleaned_data,
                may_update=proven is not None
                and proven.email == form.cleaned_data["email"].strip().lower(),
            )
        except BookingRefused as refusal:
            if refusal.code != BookingRefused.HOLD_EXPIRED:
                return _hold_gone(request, booking, refusal)
            sessions.draft_keep(request, booking=booking, data=request.POST, names=DETAILS)
            return redirect("bookings:booking_expired", public_id=booking.public_id)
        return redirect(next_step_url(booking))
    return render(request, "bookings/details.html", {"booking": booking, "form": form})


@require_safe
def hold_expired(request, public_id):
    """Say a hold ran out, offer its time again if still free, else the day's nearest times.

    What the client typed was kept (``sessions.draft_keep``): the next hold, this one
    renewed or another time, starts with it filled in.
    """
    booking = held_booking(request, public_id)
    if booking.source == Booking.Source.PHONE:
        raise Http404
    if booking.status not in (BookingStatus.HELD, BookingStatus.EXPIRED):
        return redirect(booking.get_manage_url())
    try:
        services.hold_check(booking=booking)
    except BookingRefused:
        pass
    else:
        return redirect(_hold_step_url(booking))
    now = timezone.now()
    studio = Studio.load()
    again = selectors.start_is_free(booking=booking, now=now, studio=studio)
    data = request.GET.copy()
    if not data.get("day") and not data.get("month"):
        data["day"] = timezone.localdate(booking.start_at, studio_tz()).isoformat()
    shown = picker.from_request(
        data,
        day_alias="week",
        studio=studio,
        service=booking.service,
        length=booking.length,
        therapist=booking.therapist,
        now=now,
    )
    therapist_slug = booking.therapist.slug
    context = {
        "booking": booking,
        "again": again,
        "picker": shown,
        "query": "",
        "action": reverse("bookings:booking_hold", kwargs={"slug": booking.service.slug}),
        "hidden": {
            "length": booking.length_id,
            "therapist": therapist_slug,
            "after": booking.public_id,
        },
        "kept": bool(sessions.draft(request, booking=booking)),
    }
    template = "bookings/includes/slots.html" if request.htmx else "bookings/expired.html"
    return render(request, template, context)


@require_POST
def hold_renew(request, public_id):
    """Hold a run-out time again and go back to where the client was."""
    booking = held_booking(request, public_id)
    if booking.source == Booking.Source.PHONE:
        raise Http404
    try:
        booking = services.hold_renew(booking=booking)
    except BookingRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("bookings:booking_expired", public_id=booking.public_id)
    return redirect(_hold_step_url(booking))


def _hold_step_url(booking: Booking) -> str:
    """Where a live hold goes on: its details, or its health questions once they are in."""
    if booking.client_id is None:
        return reverse("bookings:booking_details", kwargs={"public_id": booking.public_id})
    return next_step_url(booking)


def _managed(token) -> Booking:
    booking = selectors.booking_for_manage(token=token)
    if booking is None:
        raise ManageLinkGone
    return booking


@require_safe
def manage(request, token):
    booking = _managed(token)
    studio = Studio.load()
    proof = request.GET.get("k")
    if proof and client_proof_valid(proof, booking):
        sessions.client_proven_remember(request, booking)
    return render(
        request,
        "bookings/manage.html",
        {
            "booking": booking,
            "can_change": services.client_can_change(booking=booking),
            "changeable": booking.status in Booking.CHANGEABLE,
            "cancel_form": CancelForm(),
            "is_new": request.GET.get("new") == "1",
            "decline_message": selectors.decline_message(booking),
            # The manage link is the credential for the booking and the therapist's notes.
            "show_adaptations": permissions.can_see_adaptations(request.user, booking, link=True),
            "proven": sessions.client_proven(request, booking),
            "studio": studio,
            "calendar_links": ics.calendar_links(booking, studio=studio),
            # A therapist decides by the reminder at the latest (review alerts go out then).
            "reply_by": max(booking.start_at - studio.reminder_lead, timezone.now()),
        },
    )


@require_POST
def cancel(request, token):
    booking = _managed(token)
    form = CancelForm(request.POST)
    if (
        form.is_valid()
        and "confirm" not in request.POST
        and services.client_can_change(booking=booking)
    ):
        # Nothing changes on the first press: the client sees what cancelling does, once more.
        # Inside the window the service below refuses, with its own message.
        return render(request, "bookings/confirm_cancel.html", {"booking": booking, "form": form})
    if form.is_valid():
        try:
            services.booking_cancel(booking=booking, reason=form.cleaned_data["reason"])
        except BookingRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, _("Your booking is cancelled. We hope to see you another time.")
            )
    else:
        # Nothing is cancelled: say why, rather than show the page as if nothing was asked.
        for error in form.errors.get("reason", []):
            messages.error(request, error)
    return redirect(booking.get_manage_url())


@require_http_methods(["GET", "POST"])
def reschedule(request, token):
    booking = _managed(token)
    error = None
    if not services.client_can_change(booking=booking):
        messages.error(
            request,
            _("It is too close to your session to change it online. Please call the studio."),
        )
        return redirect(booking.get_manage_url())
    status = 200
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid() and "confirm" not in request.POST:
            # The time chosen is shown beside the current one, and moved to on a second press.
            return render(
                request,
                "bookings/confirm_reschedule.html",
                {"booking": booking, "start": form.cleaned_data["start"]},
            )
        if form.is_valid():
            try:
                services.booking_reschedule(
                    booking=booking,
                    start_at=form.cleaned_data["start"],
                    therapist=booking.therapist,
                )
            except BookingRefused as refusal:
                error, status = refusal.message, _status(refusal)
            else:
                messages.success(request, _("Your booking has been moved."))
                return redirect(booking.get_manage_url())
        else:
            error, status = _("Please choose one of the times shown."), 400
    shown = picker.from_request(
        request.GET,
        day_alias="week",
        studio=Studio.load(),
        service=booking.service,
        length=booking.length,
        therapist=booking.therapist,
        now=timezone.now(),
        exclude_booking_id=booking.pk,
    )
    context = {
        "booking": booking,
        "error": error,
        "picker": shown,
        "query": "",
        "action": reverse("bookings:booking_reschedule", kwargs={"token": token}),
        "hidden": {},
    }
    template = (
        "bookings/includes/slots.html"
        if request.htmx and request.method == "GET"
        else "bookings/reschedule.html"
    )
    return render(request, template, context, status=status)


def _reminded(token) -> tuple[Booking, int]:
    """Return the booking a reminder's link names and the revision of its time it was sent for.

    A forged or old link is gone, and so is one whose booking link the studio revoked.
    """
    signed = reminder_token_booking_id(token)
    if signed is None:
        raise ManageLinkGone
    public_id, sequence = signed
    booking = (
        selectors.booking_with_details()
        .filter(public_id=public_id, manage_link_revoked_at__isnull=True)
        .first()
    )
    if booking is None:
        raise ManageLinkGone
    return booking, sequence


@require_http_methods(["GET", "POST"])
def reminder_answer(request, token):
    """Confirm or cancel with one tap from the reminder's link; a GET only shows the booking.

    Mail scanners open the links in an email before the client does, so nothing changes
    without a POST. Cancelling inside the studio's window asks once more, saying it counts
    as a late cancellation.
    """
    booking, sequence = _reminded(token)
    context = {"booking": booking, "studio": Studio.load()}
    answer = request.POST.get("answer") if request.method == "POST" else None
    try:
        if answer == "confirm":
            booking = services.booking_client_confirm(booking=booking, sequence=sequence)
            return render(request, "bookings/reminder_done.html", {**context, "booking": booking})
        if answer == "cancel":
            booking = services.booking_cancel_from_reminder(
                booking=booking, sequence=sequence, late_ok=request.POST.get("late") == "yes"
            )
            return render(request, "bookings/reminder_done.html", {**context, "booking": booking})
    except BookingRefused as refusal:
        if refusal.code == BookingRefused.LATE:
            # Nothing changed: the client reads what a late cancellation means, then decides.
            return render(request, "bookings/reminder_answer.html", {**context, "late": True})
        booking.refresh_from_db()
        return render(
            request,
            "bookings/reminder_closed.html",
            {**context, "message": refusal.message, "moved": refusal.code == BookingRefused.MOVED},
            status=409,
        )
    refusal = services.reminder_answer_refusal(booking=booking, sequence=sequence)
    if refusal:
        return render(
            request,
            "bookings/reminder_closed.html",
            {**context, "message": refusal.message, "moved": refusal.code == BookingRefused.MOVED},
            status=400 if request.method == "POST" else 200,
        )
    context["not_yet"] = services.reminder_confirm_refusal(booking)
    if request.method == "POST":
        context["error"] = _("Please choose one of the two buttons.")
    return render(
        request,
        "bookings/reminder_answer.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def booking_calendar_file(request, token):
    """Download the booking as an .ics file (a CANCEL once it no longer stands)."""
    booking = _managed(token)
    response = HttpResponse(ics.booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="calma-booking.ics"'
    return response


@require_safe
def therapist_feed(request, token):
    """Serve a therapist's private calendar feed; a revoked or unknown token is a 404."""
    therapist = studio_selectors.therapist_for_feed(token=token)
    if therapist is None:
        raise Http404
    bookings = selectors.therapist_feed_bookings(therapist=therapist, now=timezone.now())
    body = ics.therapist_feed(bookings, name=f"Calma · {therapist.display_name}")
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
