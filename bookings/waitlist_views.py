"""A waiting client's offer: the freed time, and the button that claims it as a hold."""

from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bookings import sessions, waitlist
from bookings.models import WaitlistOffer


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
