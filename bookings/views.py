"""The client's booking flow and the manage page. Views stay thin: services decide."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bookings import selectors, services, sessions, throttle, times_cache
from bookings.errors import BookingRefused, ManageLinkGone
from bookings.forms import (
    CancelForm,
    ClientDetailsForm,
    HoldForm,
    RescheduleForm,
    TimesForm,
    parse_first_day,
)
from bookings.messages import ics
from bookings.messages.links import client_proof_valid
from bookings.models import Booking, BookingStatus
from studio import permissions
from studio import selectors as studio_selectors
from studio.models import Studio
from studio.timezones import studio_tz

WEEK_DAYS = 7


def held_booking(request, public_id) -> Booking:
    """Return a hold started in this browser session; anyone else's is a 404.

    Only online holds are started in a browser. A phone booking's intake link, and the front
    desk's "fill in now", open its health questions alone (see ``intake.views``), never this.
    """
    if str(public_id) not in sessions.holds(request):
        raise Http404
    return get_object_or_404(selectors.booking_with_details(), public_id=public_id)


def _week_context(*, studio, service, length, therapist, week, now, exclude_booking_id=None):
    result = selectors.availability(
        service=service,
        length=length,
        therapist=therapist,
        first_day=week,
        days=WEEK_DAYS,
        now=now,
        studio=studio,
        exclude_booking_id=exclude_booking_id,
        complete=False,
    )
    tz = studio_tz()
    days = [week + timedelta(days=offset) for offset in range(WEEK_DAYS)]
    # The grid holds hundreds of buttons: each value and time is formatted once, here,
    # rather than by template filters on every use.
    by_day = {day: [] for day in days}
    for slot in result.slots:
        local = slot.start.astimezone(tz)
        by_day.setdefault(local.date(), []).append((local.isoformat(), f"{local:%H:%M}"))
    today = timezone.localdate(now, tz)
    last_day = timezone.localdate(now + timedelta(days=studio.horizon_days), tz)
    next_free = None
    valid_until = result.valid_until
    if not result.slots and week + timedelta(days=WEEK_DAYS) <= last_day:
        later = selectors.availability(
            service=service,
            length=length,
            therapist=therapist,
            first_day=week + timedelta(days=WEEK_DAYS),
            days=(last_day - week).days - WEEK_DAYS + 1,
            now=now,
            studio=studio,
            exclude_booking_id=exclude_booking_id,
            complete=False,
        )
        # Only the first later start is shown: the horizon moving on cannot change it.
        valid_until = min(valid_until, later.first_valid_until)
        if later.slots:
            next_free = timezone.localtime(later.slots[0].start, tz).date()
    previous_week = week - timedelta(days=WEEK_DAYS)
    return {
        "days": [(day, date_format(day, "l j F"), by_day[day]) for day in days],
        "week": week,
        "previous_week": max(previous_week, today) if week > today else None,
        "next_week": week + timedelta(days=WEEK_DAYS)
        if week + timedelta(days=WEEK_DAYS) <= last_day
        else None,
        "next_free": next_free,
        # When the week shown may change with no write to the calendar (see times_cache).
        "valid_until": valid_until,
    }


def _status(refusal: BookingRefused) -> int:
    """Answer 409 when the calendar changed under the client, 400 for a request never valid."""
    return 409 if refusal.code in (BookingRefused.SLOT_TAKEN, BookingRefused.POLICY) else 400


def _today(now):
    return timezone.localdate(now, studio_tz())


def _last_day(studio: Studio, now):
    """Return the last local day inside the booking horizon."""
    return _today(now + timedelta(days=studio.horizon_days))


@require_safe
def choose_service(request):
    services_shown = studio_selectors.service_list()
    return render(request, "bookings/choose_service.html", {"services": services_shown})


def _times_page(request, service, *, data, error=None, status=200, now=None, cache_key=None):
    """Render the week of times; with a ``cache_key``, store it for the next visitors."""
    now = now or timezone.now()
    form = TimesForm(data, service=service)
    today = _today(now)
    if not form.is_valid():
        # A tampered length or therapist falls back to the defaults.
        first_length = service.lengths.all()[0] if service.lengths.all() else None
        if first_length is None:
            raise Http404
        form = TimesForm(
            {"length": first_length.pk, "therapist": "any", "week": data.get("week", "")},
            service=service,
        )
        form.is_valid()
    length = next(item for item in service.lengths.all() if item.pk == form.cleaned_data["length"])
    therapist_slug = form.cleaned_data["therapist"]
    therapist = next((t for t in service.therapists.all() if t.slug == therapist_slug), None)
    studio = Studio.load()
    week = parse_first_day(data.get("week"), today, last=_last_day(studio, now))
    context = {
        "service": service,
        "form": form,
        "length": length,
        "therapist": therapist,
        "therapist_value": therapist_slug,
        "error": error,
    }
    context.update(
        _week_context(
            studio=studio, service=service, length=length, therapist=therapist, week=week, now=now
        )
    )
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
    return times_cache.store(request, cache_key, html, now=now, valid_until=context["valid_until"])


@require_safe
def choose_time(request, slug):
    now = timezone.now()
    cache_key = times_cache.page_key(request, slug, today=_today(now))
    if cache_key is not None:
        cached = times_cache.cached_response(request, cache_key, now=now)
        if cached is not None:
            return cached
    service = studio_selectors.service_bookable(slug=slug)
    return _times_page(request, service, data=request.GET, now=now, cache_key=cache_key)


@require_POST
def hold(request, slug):
    service = studio_selectors.service_bookable(slug=slug)
    quota = throttle.hold_quota(request, session_holds=sessions.holds(request))
    if quota.refusal is not None:
        return _times_page(
            request, service, data=request.POST, error=quota.refusal.message, status=429
        )
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
        )
    except BookingRefused as refusal:
        return _times_page(
            request, service, data=request.POST, error=refusal.message, status=_status(refusal)
        )
    throttle.hold_record(request, booking=booking, quota=quota)
    sessions.hold_remember(request, booking)
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
    try:  # an expired hold, swept or not, is refused here with the "released" message
        services.hold_check(booking=booking)
    except BookingRefused as refusal:
        return _hold_gone(request, booking, refusal)
    initial = {}
    returning = booking.client or sessions.proven_client(request)
    if returning and returning.erased_at is None:
        initial = {"name": returning.name, "email": returning.email, "phone": returning.phone}
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
            return _hold_gone(request, booking, refusal)
        return redirect(next_step_url(booking))
    return render(request, "bookings/details.html", {"booking": booking, "form": form})


def _managed(token) -> Booking:
    booking = selectors.booking_for_manage(token=token)
    if booking is None:
        raise ManageLinkGone
    return booking


@require_safe
def manage(request, token):
    booking = _managed(token)
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
            "studio": Studio.load(),
        },
    )


@require_POST
def cancel(request, token):
    booking = _managed(token)
    form = CancelForm(request.POST)
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
    now = timezone.now()
    studio = Studio.load()
    week = parse_first_day(request.GET.get("week"), _today(now), last=_last_day(studio, now))
    context = {"booking": booking, "error": error}
    context.update(
        _week_context(
            studio=studio,
            service=booking.service,
            length=booking.length,
            therapist=booking.therapist,
            week=week,
            now=now,
            exclude_booking_id=booking.pk,
        )
    )
    return render(request, "bookings/reschedule.html", context, status=status)


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
