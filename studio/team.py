"""The team's pages for the owner and front desk: who offers which massage, and when they work.

Time off and blocks are recorded from the calendar (``bookings:staff_block``). Every write
goes through ``studio.services``; each saved or deleted row clears the stored pages of
free times (``bookings.receivers``), as an edit in the Django admin does.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from studio import permissions, services
from studio.access import requires
from studio.forms import HoursFormSet, TherapistServicesForm, hours_initial
from studio.models import Therapist

team_required = requires(permissions.can_manage_studio, sign_in=True)


@team_required
@require_safe
def team(request):
    therapists = Therapist.objects.prefetch_related("services", "hours").order_by(
        "-is_active", "display_name"
    )
    return render(request, "studio/team/list.html", {"therapists": therapists})


@team_required
@require_http_methods(["GET", "POST"])
def therapist_edit(request, slug):
    therapist = get_object_or_404(Therapist, slug=slug)
    data = request.POST if request.method == "POST" else None
    form = TherapistServicesForm(data, instance=therapist)
    hours = HoursFormSet(data, initial=hours_initial(therapist), prefix="hours")
    if request.method == "POST" and form.is_valid() and hours.is_valid():
        services.therapist_update(
            therapist=therapist,
            services=form.cleaned_data["services"],
            is_active=form.cleaned_data["is_active"],
            hours=hours.hours,
        )
        messages.success(
            request,
            _("%(name)s's services and hours are saved. Clients see the new free times now.")
            % {"name": therapist.display_name},
        )
        return redirect("team:team")
    return render(
        request,
        "studio/team/edit.html",
        {"therapist": therapist, "form": form, "hours": hours},
        status=400 if request.method == "POST" else 200,
    )
