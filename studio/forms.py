"""Forms for the catalogue, team and rooms pages.

They validate shape; ``studio.services`` writes.
"""

import re
from decimal import Decimal
from itertools import pairwise

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from studio.models import Room, Service, Studio, Therapist, Weekday
from studio.translated import columns

# The longest session a length may have: a working day.
LONGEST_MINUTES = 8 * 60


# A bigint primary key as typed: at most 18 ASCII digits, so every database can compare it.
_ID = re.compile(r"[0-9]{1,18}")


class IdsField(forms.ModelMultipleChoiceField):
    """Objects by id; an id no bigint can hold is refused before any query (SQLite overflows)."""

    def clean(self, value):
        for pk in value or ():
            if not (isinstance(pk, str | int) and _ID.fullmatch(str(pk))):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class ServiceForm(forms.ModelForm):
    """A service's names and summaries in every language, and how it is booked."""

    class Meta:
        model = Service
        fields = [
            *columns("name"),
            *columns("summary"),
            *columns("description"),
            "slug",
            "buffer_minutes",
            "requires_assessment",
            "rooms",
        ]
        widgets = {"rooms": forms.CheckboxSelectMultiple}
        field_classes = {"rooms": IdsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rooms"].queryset = Room.objects.order_by("name")
        self.fields["rooms"].label_from_instance = lambda room: (
            room.name if room.is_active else _("%(name)s (out of use)") % {"name": room.name}
        )
        buffer = self.fields["buffer_minutes"]
        buffer.validators.append(MaxValueValidator(LONGEST_MINUTES))
        buffer.widget.attrs["max"] = LONGEST_MINUTES

    def clean_rooms(self):
        rooms = self.cleaned_data["rooms"]
        if rooms and not any(room.is_active for room in rooms):
            raise forms.ValidationError(
                _("Choose at least one room in use: in these, nobody can book the massage.")
            )
        return rooms


class LengthForm(forms.Form):
    """A length of a service, in minutes, and its price in euros."""

    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=LONGEST_MINUTES)
    price = forms.DecimalField(
        label=_("Price (€)"), min_value=Decimal(0), max_digits=8, decimal_places=2
    )


class TherapistServicesForm(forms.ModelForm):
    """The massages a therapist offers, and whether they take bookings (the team's page)."""

    class Meta:
        model = Therapist
        fields = ["services", "is_active"]
        widgets = {"services": forms.CheckboxSelectMultiple}
        field_classes = {"services": IdsField}
        help_texts = {"is_active": _("An inactive therapist is offered to nobody.")}


class ServiceChoices(IdsField):
    """Massages by id, each labelled with its name and, once withdrawn, saying so."""

    def label_from_instance(self, obj):
        if obj.is_active:
            return obj.name
        return _("%(name)s (withdrawn)") % {"name": obj.name}


class RoomForm(forms.ModelForm):
    """A room's name and the massages it suits (the rooms page). The slug is made on create."""

    services = ServiceChoices(
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Massages it suits"),
        help_text=_("A massage is booked only in a room that suits it and is in use."),
    )

    class Meta:
        model = Room
        fields = ["name"]
        error_messages = {"name": {"unique": _("There is already a room with this name.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.order_by("position", "name_en", "pk")
        if self.instance.pk is not None and "services" not in self.initial:
            self.initial["services"] = list(self.instance.services.values_list("pk", flat=True))

    def clean_name(self):
        name = self.cleaned_data["name"]
        # The database's unique name is case-sensitive; two rooms told apart only by their
        # capitals would read as one on the calendar.
        if Room.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(self._meta.error_messages["name"]["unique"], code="unique")
        return name


class HoursForm(forms.Form):
    """One weekly stretch of work. The therapist's hours are replaced as a whole on save."""

    # An empty first choice: a blank extra line is left alone rather than read as a Monday.
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=[("", "—"), *Weekday.choices], coerce=int, empty_value=None
    )
    starts = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", _("Working hours must end after they start."))
        return cleaned


class BaseHoursFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = sorted(
            (form.cleaned_data["weekday"], form.cleaned_data["starts"], form.cleaned_data["ends"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        for before, after in pairwise(rows):
            if before[0] == after[0] and after[1] < before[2]:
                raise forms.ValidationError(
                    _("Two stretches of hours overlap on %(day)s.")
                    % {"day": Weekday(before[0]).label}
                )

    @property
    def hours(self) -> list[tuple]:
        """The (weekday, starts, ends) rows to keep, once valid."""
        return [
            (form.cleaned_data["weekday"], form.cleaned_data["starts"], form.cleaned_data["ends"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


HoursFormSet = forms.formset_factory(
    HoursForm, formset=BaseHoursFormSet, extra=2, can_delete=True, max_num=50, validate_max=True
)


def hours_initial(therapist: Therapist) -> list[dict]:
    return [
        {"weekday": row.weekday, "starts": row.starts, "ends": row.ends}
        for row in therapist.hours.all()
    ]


# The bounds a studio can sensibly use for each booking policy. The owner's policies page and
# the admin's studio page both hold to them: a slot step of 0, or a horizon of millions of
# days, would break every times page.
POLICY_BOUNDS = {
    "min_notice_minutes": (0, 7 * 24 * 60),
    "horizon_days": (1, 730),
    "hold_minutes": (1, 60),
    "cancel_window_hours": (0, 14 * 24),
    "reminder_hours": (1, 7 * 24),
    "phone_hold_hours": (1, 14 * 24),
    "slot_step_minutes": (5, 120),
    "waitlist_offer_minutes": (15, 24 * 60),
    "no_show_limit": (0, 20),
}


def bound_policies(fields) -> None:
    """Hold the booking policies among a form's ``fields`` to ``POLICY_BOUNDS``."""
    for name, (least, most) in POLICY_BOUNDS.items():
        field = fields.get(name)
        if field is None:
            continue
        field.min_value, field.max_value = least, most
        field.validators += [MinValueValidator(least), MaxValueValidator(most)]
        field.widget.attrs.update({"min": least, "max": most})


class PoliciesForm(forms.ModelForm):
    """The studio's booking policies, each within the bounds a studio can sensibly use."""

    class Meta:
        model = Studio
        fields = [
            "min_notice_minutes",
            "horizon_days",
            "hold_minutes",
            "cancel_window_hours",
            "reminder_hours",
            "phone_hold_hours",
            "slot_step_minutes",
            "waitlist_offer_minutes",
            "no_show_limit",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_policies(self.fields)
