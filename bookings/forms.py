"""Forms for the booking flow. They validate shape; the services decide what is allowed."""

from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from studio.models import Service


class TimesForm(forms.Form):
    """The length, therapist and week a client is looking at (GET)."""

    length = forms.TypedChoiceField(label=_("Length"), coerce=int)
    therapist = forms.ChoiceField(label=_("Therapist"))
    week = forms.DateField(label=_("Week starting"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["length"].choices = [
            (
                length.pk,
                _("%(minutes)s minutes · %(price)s €")
                % {"minutes": length.minutes, "price": length.price},
            )
            for length in service.lengths.all()
        ]
        self.fields["therapist"].choices = [("any", _("Anyone available"))] + [
            (therapist.slug, therapist.display_name) for therapist in service.therapists.all()
        ]


class HoldForm(forms.Form):
    """The start a client picked, posted from the slot grid."""

    length = forms.IntegerField()
    therapist = forms.CharField(max_length=60)
    start = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"])


class ClientDetailsForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("We send your confirmation and a link to manage the booking here."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        help_text=_("So the studio can reach you if something changes."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"])


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        max_length=250,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def parse_first_day(value: str | None, today: date) -> date:
    """Return the first day of the week of times asked for: never before today.

    A malformed value falls back to today rather than failing.
    """
    if not value:
        return today
    try:
        asked = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return today
    return max(asked, today)
