"""The waitlist's pages for clients: joining it from a massage's times, their place in it
(and leaving), and an offered time with the button that claims it as a hold."""

from datetime import date

from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bookings import sessions, waitlist
from bookings.forms import WaitlistForm
from bookings.models import WaitlistEntry, WaitlistOffer
from studio import selectors as studio_selectors
from studio.timezones import studio_tz


@require_http_methods(["GET", "POST"])
def offer(request, token):
    """Show an offered time; claimed, it becomes a hold and the client goes on to details."""
    found = (
        WaitlistOffer.objects.select_related(
            "entry__service", "entry__length", "therapist", "booking"
        )
        .filter(token=token)
        .first()
    )
    if found is None:
        raise Http404
    refused = None
    if request.method == "POST" and request.POST.get("claim") == "yes":
        try:
            booking = waitlist.waitlist_claim(offer=found)
        except waitlist.WaitlistRefused as refusal:
            refused = refusal.message
            found.refresh_from_db()
        else:
            sessions.hold_remember(request, booking)
            details = QueryDict(mutable=True)
            details.update({"name": found.entry.name, "email": found.entry.email})
            sessions.draft_keep(request, booking=booking, data=details, names=("name", "email"))
            return redirect("bookings:booking_details", public_id=booking.public_id)
    open_now = found.status == WaitlistOffer.Status.OPEN and found.expires_at > timezone.now()
    return render(
        request,
        "bookings/waitlist_offer.html",
        {"offer": found, "entry": found.entry, "open": open_now, "refused": refused},
        status=409 if refused else (400 if request.method == "POST" else 200),
    )


def _asked_for(query, *, today: date) -> dict:
    """Return what a link from a full day asks for: its length, therapist and day.

    Only a form's starting values: whatever is wrong in them is left out, never refused.
    """
    initial = {}
    if query.get("length", "").isdigit():
        initial["length"] = int(query["length"])
    if query.get("therapist"):
        initial["therapist"] = query["therapist"][:80]
    try:
        day = date.fromisoformat(query.get("day", ""))
    except ValueError:
        day = None
    if day is not None and day >= today:
        initial |= {"first_day": day, "last_day": day, "weekdays": [day.weekday()]}
    return initial


@require_http_methods(["GET", "POST"])
def join(request, slug):
    """Join the waitlist for a massage, from its times page: no account, a link to leave."""
    service = studio_selectors.service_bookable(slug=slug)
    today = timezone.localdate(timezone.now(), studio_tz())
    initial = {"first_day": today, "therapist": "any", **_asked_for(request.GET, today=today)}
    form = WaitlistForm(request.POST or None, service=service, initial=initial)
    refused = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        length = next(item for item in service.lengths.all() if item.pk == data["length"])
        therapist = next((t for t in service.therapists.all() if t.slug == data["therapist"]), None)
        try:
            entry = waitlist.waitlist_join(
                service=service,
                length=length,
                therapist=therapist,
                window=waitlist.Window(
                    data["first_day"], data["last_day"], data["weekdays"], data["parts"]
                ),
                name=data["name"],
                email=data["email"],
                language=translation.get_language(),
            )
        except waitlist.WaitlistRefused as refusal:
            refused = refusal.message
        else:
            return redirect("bookings:waitlist_entry", token=entry.token)
    return render(
        request,
        "bookings/waitlist_join.html",
        {"service": service, "form": form, "refused": refused},
        status=200 if request.method == "GET" else (409 if refused else 400),
    )


@require_http_methods(["GET", "POST"])
def entry(request, token):
    """A waiting client's place: what they wait for, and the button to leave."""
    found = (
        WaitlistEntry.objects.select_related("service", "length", "therapist")
        .filter(token=token)
        .first()
    )
    if found is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("leave") != "yes":
            return HttpResponseBadRequest(_("Please use the Leave the waitlist button."))
        waitlist.waitlist_leave(entry=found)
        found.refresh_from_db()
    return render(request, "bookings/waitlist_entry.html", {"entry": found})
