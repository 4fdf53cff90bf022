"""Forms for the front desk and the therapists. They validate shape; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.forms import EMAIL_MAX_LENGTH, DayField, StartField, local_datetime
from bookings.models import Client
from studio.models import Language, Room, Service, ServiceLength, Therapist, TimeOff
from studio.money import price
from studio.timezones import studio_tz


def _date_input() -> forms.DateInput:
    """A browser date field: its value is always ISO (2026-12-14), whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _LocalStartMixin:
    """Combine the form's ``day`` and ``time`` into ``start_at`` in the studio's zone."""

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("day"), cleaned.get("time")
        if day and at:
            start_at = local_datetime(day, at, studio_tz())
            if start_at is None:
                self.add_error(
                    "time", _("That time does not exist on this day: the clocks change.")
                )
            else:
                cleaned["start_at"] = start_at
        return cleaned


class _LengthChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceLength) -> str:
        return _("%(minutes)s minutes · %(price)s") % {
            "minutes": obj.minutes,
            "price": price(obj.price),
        }


class PhoneSessionForm(forms.Form):
    """What the front desk books and with whom (GET): the free-time picker shows its times.

    Only the chosen massage's lengths and therapists are offered. A length or therapist
    left over from another massage (the massage was changed) falls back to the first
    length and to anyone free, as the client's times page does.
    """

    service = forms.ModelChoiceField(
        label=_("Massage"),
        queryset=Service.objects.filter(is_active=True),
        empty_label=_("Choose a massage"),
    )
    length = _LengthChoice(
        label=_("Length"), queryset=ServiceLength.objects.none(), required=False, empty_label=None
    )
    therapist = forms.ModelChoiceField(
        label=_("Therapist"),
        queryset=Therapist.objects.none(),
        required=False,
        empty_label=_("Anyone free"),
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
        value = self.data.get("service") if self.is_bound else self.initial.get("service")
        try:
            self.chosen_service = self.fields["service"].clean(value)
        except forms.ValidationError:
            self.chosen_service = None
        if self.chosen_service is None:
            return
        # A withdrawn length is booked no more, from the phone either.
        offered = self.chosen_service.lengths.filter(is_active=True)
        lengths = list(offered)
        therapists = self.chosen_service.therapists.filter(is_active=True)
        self.fields["length"].queryset = offered
        self.fields["therapist"].queryset = therapists
        if self.is_bound:
            self.data = self.data.copy()
            if lengths and str(self.data.get("length")) not in {str(x.pk) for x in lengths}:
                self.data["length"] = lengths[0].pk
            if str(self.data.get("therapist") or "") not in {
                str(pk) for pk in therapists.values_list("pk", flat=True)
            }:
                self.data["therapist"] = ""


class PhoneBookingForm(forms.Form):
    """The time chosen in the picker, and who it is for (POST)."""

    INTAKE_CHOICES = [
        ("now", _("Fill in the health questions with the client now")),
        ("link", _("Send the client a link to answer them")),
    ]

    client = forms.ModelChoiceField(
        queryset=Client.objects.filter(erased_at__isnull=True),
        required=False,
        widget=forms.HiddenInput,
    )
    name = forms.CharField(label=_("Client name"), max_length=120, required=False)
    email = forms.EmailField(label=_("Client email"), max_length=EMAIL_MAX_LENGTH, required=False)
    phone = forms.CharField(label=_("Client phone"), max_length=40, required=False)
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True), widget=forms.HiddenInput
    )
    length = forms.ModelChoiceField(
        queryset=ServiceLength.objects.select_related("service"), widget=forms.HiddenInput
    )
    # Empty for "anyone free": the booking goes to whoever is free then.
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.filter(is_active=True), required=False, widget=forms.HiddenInput
    )
    start = StartField(widget=forms.HiddenInput)
    intake = forms.ChoiceField(
        label=_("Health questions"), choices=INTAKE_CHOICES, initial="now", widget=forms.RadioSelect
    )
    language = forms.ChoiceField(
        label=_("The client's language"),
        choices=Language.choices,
        help_text=_("Their emails, the health questions and their links will be in it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget.attrs["inputmode"] = "tel"

    def clean(self):
        cleaned = super().clean()
        service, length = cleaned.get("service"), cleaned.get("length")
        if service and length and length.service_id != service.pk:
            self.add_error("length", _("That length is not offered for this massage."))
        if not cleaned.get("client") and not (cleaned.get("name") and cleaned.get("email")):
            self.add_error("name", _("Choose an existing client, or give a name and an email."))
        return cleaned


class MoveForm(_LocalStartMixin, forms.Form):
    day = DayField(label=_("Date"), widget=_date_input())
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )
    therapist = forms.ModelChoiceField(
        label=_("Therapist"), queryset=Therapist.objects.filter(is_active=True)
    )
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any suitable room"),
    )


class StaffCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=250)


class MarkForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("arrived", _("Arrived")),
            ("completed", _("Completed")),
            ("no_show", _("No-show")),
        ]
    )


class BlockForm(forms.Form):
    therapist = forms.ModelChoiceField(
        label=_("Therapist"),
        queryset=Therapist.objects.filter(is_active=True),
        empty_label=_("Choose a therapist"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TimeOff.Kind.choices, initial="block")
    start_day = DayField(label=_("From (date)"), widget=_date_input())
    start_time = forms.TimeField(
        label=_("From (time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_day = DayField(label=_("Until (date)"), widget=_date_input())
    end_time = forms.TimeField(
        label=_("Until (time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, therapist: Therapist | None = None, **kwargs):
        """With a ``therapist``, the form blocks their own time and nobody else's."""
        super().__init__(*args, **kwargs)
        if therapist is not None:
            field = self.fields["therapist"]
            field.queryset = field.queryset.filter(pk=therapist.pk)
            field.initial = therapist.pk
            field.disabled = True

    def clean(self):
        cleaned = super().clean()
        tz = studio_tz()
        parts = [cleaned.get(name) for name in ("start_day", "start_time", "end_day", "end_time")]
        if all(part is not None for part in parts):
            start_at = local_datetime(parts[0], parts[1], tz)
            end_at = local_datetime(parts[2], parts[3], tz)
            if start_at is None or end_at is None:
                raise forms.ValidationError(_("That time does not exist: the clocks change."))
            if end_at <= start_at:
                raise forms.ValidationError(_("The end must be after the start."))
            cleaned["start_at"], cleaned["end_at"] = start_at, end_at
        return cleaned


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, email or phone"), max_length=100, required=False)


class WaitlistBookForm(forms.Form):
    """A free time chosen for a waiting client (POST): its therapist and start.

    Both come from the page's buttons; anything else is refused with one plain message.
    """

    CHOOSE_AGAIN = _("Please choose one of the free times below.")

    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.filter(is_active=True),
        widget=forms.HiddenInput,
        error_messages={"required": CHOOSE_AGAIN, "invalid_choice": CHOOSE_AGAIN},
    )
    start = StartField(
        widget=forms.HiddenInput, error_messages={"required": CHOOSE_AGAIN, "invalid": CHOOSE_AGAIN}
    )
