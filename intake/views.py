"""The intake step of the booking flow, the therapist's review, and a client's own data."""

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bookings import selectors as booking_selectors
from bookings.errors import BookingRefused
from bookings.models import Booking, BookingStatus
from bookings.notifications import RESCREEN_SALT
from bookings.views import SESSION_HOLDS, SESSION_INTAKE_ONLY, allow_intake_only, client_proven
from intake import selectors, services
from intake.forms import FIELD_PREFIX, IntakeForm, ReviewForm
from intake.questionnaire_v1 import SECTIONS
from studio import permissions

SESSION_STOPPED = "calma_screening_stopped"
# The reminder goes out a day ahead; the link stays valid a little longer than that.
RESCREEN_LINK_DAYS = 3


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _actor(request, client=None) -> str:
    """Name who reads, for the access log: the account, or the client without one."""
    if request.user.is_authenticated:
        return request.user.get_username()
    return f"client:{client.pk}" if client is not None else "anonymous"


def _log_read(request, response, *, submissions, action: str, client=None):
    """Log one read if this response showed answers or reasons: a GET that succeeded."""
    if request.method == "GET" and response.status_code == 200:
        selectors.answers_read(
            submissions=list(submissions),
            user=request.user,
            actor=_actor(request, client),
            ip=client_ip(request),
            action=action,
        )
    return response


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
    intake_only = shown in request.session.get(SESSION_INTAKE_ONLY, [])
    if not intake_only and shown not in request.session.get(SESSION_HOLDS, []):
        raise Http404
    booking = get_object_or_404(
        Booking.objects.select_related("service", "length", "therapist", "room", "client"),
        public_id=public_id,
    )
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
        return redirect("staff_booking", public_id=booking.public_id)
    return render(request, "intake/answered.html", {"booking": booking})


@require_http_methods(["GET", "POST"])
def intake_form(request, public_id):
    booking, intake_only = _intake_booking(request, public_id)
    # A hold swept as expired has no manage page to go to: it goes back to the times too.
    if booking.status == BookingStatus.EXPIRED or (
        booking.status == BookingStatus.HELD and booking.hold_expires_at <= timezone.now()
    ):
        messages.error(
            request,
            _(
                "We could only keep that time for a few minutes, and it has been released. "
                "Please choose a time again."
            ),
        )
        return redirect(reverse("booking_times", kwargs={"slug": booking.service.slug}))
    if booking.status not in (BookingStatus.HELD, BookingStatus.STOPPED):
        return _after_intake(request, booking, intake_only=intake_only)
    if booking.client_id is None:
        if intake_only:
            raise Http404
        return redirect("booking_details", public_id=booking.public_id)
    if (
        booking.status == BookingStatus.STOPPED
        and request.method == "GET"
        and "change" not in request.GET
    ):
        return _stop_page(request, booking)

    questionnaire = selectors.questionnaire_current()
    specs = selectors.question_specs(questionnaire)
    previous = _previous_answers(request, booking)
    initial = {}
    if previous is not None:
        # Answers given on an older version are offered only where the code still exists.
        initial = {FIELD_PREFIX + code: value for code, value in previous.answers.items()}
    form = IntakeForm(
        request.POST or None,
        initial=initial,
        specs=specs,
        service_slug=booking.service.slug,
        version=questionnaire.version,
        previous=previous.answers if previous is not None else None,
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.intake_submit(
                booking=booking,
                answers=form.answers(),
                consent_given=form.cleaned_data["consent"],
                after_stop=bool(request.session.get(SESSION_STOPPED)),
            )
        except services.IntakeInvalid as invalid:
            for code, message in invalid.errors.items():
                form.add_error(
                    FIELD_PREFIX + code if FIELD_PREFIX + code in form.fields else None, message
                )
        except BookingRefused as refusal:
            if refusal.code in (BookingRefused.HOLD_EXPIRED, BookingRefused.SLOT_TAKEN):
                messages.error(request, refusal.message)
                return redirect(reverse("booking_times", kwargs={"slug": booking.service.slug}))
            error = refusal.message
        else:
            if submission.level == "stop":
                request.session[SESSION_STOPPED] = True
                return _stop_page(request, booking)
            return _after_intake(request, booking, intake_only=intake_only, new=True)
    response = render(
        request,
        "intake/form.html",
        {
            "booking": booking,
            "form": form,
            "sections": form.sections(SECTIONS),
            "previous": previous,
            "consent_text": selectors.consent_text_current(),
            "error": error,
        },
        status=400 if request.method == "POST" else 200,
    )
    # Prefilled last answers are a read of them.
    if previous is not None:
        _log_read(
            request, response, submissions=[previous], action="prefill", client=previous.client
        )
    return response


@require_safe
def phone_intake(request, token):
    """Open the health questions of a booking the front desk made by phone (link sent by mail)."""
    booking = booking_selectors.booking_awaiting_intake(token=token)
    if booking is None:
        raise Http404
    allow_intake_only(request, booking)
    return redirect("intake_form", public_id=booking.public_id)


def _reviewable(request, public_id) -> Booking:
    booking = get_object_or_404(
        Booking.objects.select_related("service", "length", "client", "therapist", "room"),
        public_id=public_id,
    )
    if not permissions.can_review(request.user, booking):
        raise Http404
    return booking


# The therapist's pages: a 404 for anyone who may not see them, signed in or not, so an
# address says nothing about whether its booking exists. Only the queue, which every studio
# has, sends a visitor who is not signed in to the login page.


@login_required
@require_safe
def review_queue(request):
    if not permissions.can_view_review_queue(request.user):
        raise Http404
    therapist = (
        None if permissions.is_owner(request.user) else permissions.therapist_of(request.user)
    )
    bookings = list(selectors.review_queue(therapist=therapist))
    response = render(request, "intake/review_queue.html", {"bookings": bookings})
    # The queue shows the reasons of each booking's newest submission.
    shown = [b.submissions_newest_first[0] for b in bookings if b.submissions_newest_first]
    return _log_read(request, response, submissions=shown, action="review_queue")


@require_http_methods(["GET", "POST"])
def review_detail(request, public_id):
    booking = _reviewable(request, public_id)
    submission = booking.submissions.order_by("-created_at").first()
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_decide(booking=booking, reviewer=request.user, **form.cleaned_data)
        except BookingRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Your decision has been recorded."))
            return redirect("review_queue")
    response = render(
        request,
        "intake/review_detail.html",
        {
            "booking": booking,
            "submission": submission,
            "reviews": booking.reviews.select_related("reviewer"),
            "form": form,
            "awaiting": booking.status in selectors.REVIEWABLE_STATUSES,
        },
        status=400 if request.method == "POST" else 200,
    )
    # The page shows the newest submission's reasons.
    shown = [submission] if submission is not None else []
    return _log_read(request, response, submissions=shown, action="view_reasons")


@require_safe
def answers(request, public_id):
    """Show a booking's intake answers to its therapist or the owner; every read is logged."""
    booking = _reviewable(request, public_id)
    submissions = list(booking.submissions.select_related("questionnaire").order_by("-created_at"))
    rows = [
        {"submission": submission, "answers": selectors.answer_rows(submission)}
        for submission in submissions
    ]
    response = render(request, "intake/answers.html", {"booking": booking, "rows": rows})
    return _log_read(request, response, submissions=submissions, action="view_answers")


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
    if not client_proven(request, booking):
        return _proof_needed(request, booking)
    client = booking.client
    data = services.client_export(client=client)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="calma-my-data.json"'
    shown = client.submissions.filter(erased_at__isnull=True).order_by("-created_at")
    return _log_read(request, response, submissions=shown, action="client_export", client=client)


@require_http_methods(["GET", "POST"])
def erase(request, token):
    booking = _client_booking(token)
    if not client_proven(request, booking):
        return _proof_needed(request, booking)
    if request.method == "POST":
        if request.POST.get("confirm") != "erase":
            messages.error(request, _("Please tick the box to confirm."))
            return redirect("client_erase", token=token)
        services.client_erase(client=booking.client)
        return render(request, "intake/erased.html")
    return render(request, "intake/erase.html", {"booking": booking})


@require_http_methods(["GET", "POST"])
def rescreen(request, token):
    """The short pre-visit re-screen, reached through the signed link in the reminder."""
    try:
        signed = signing.loads(token, salt=RESCREEN_SALT, max_age=RESCREEN_LINK_DAYS * 86400)
        # Only a booking's id is ever signed here; any other payload is as good as forged.
        public_id = uuid.UUID(str(signed))
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    booking = get_object_or_404(
        Booking.objects.select_related("service", "length", "therapist", "client"),
        public_id=public_id,
    )
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
