"""The booking policies page: notice, horizon, holds, the cancellation window, the slot step.

For the owner and front desk, as the catalogue and the team. Saving the studio clears the
stored free times and the studio row each request reads (``bookings.receivers``,
``Studio.forget``): the next page of times follows the new policy.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from studio import permissions, services
from studio.access import requires
from studio.forms import PoliciesForm
from studio.models import Studio


@requires(permissions.can_manage_studio, sign_in=True)
@require_http_methods(["GET", "POST"])
def edit(request):
    studio = Studio.load()
    form = PoliciesForm(request.POST or None, instance=studio)
    if request.method == "POST" and form.is_valid():
        services.policies_update(fields=form.cleaned_data)
        messages.success(request, _("The booking policies are saved."))
        return redirect("studio:policies")
    return render(
        request,
        "studio/policies.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
