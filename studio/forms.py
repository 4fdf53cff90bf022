"""Forms for the catalogue pages. They validate shape; ``studio.services`` writes."""

import re
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from studio.models import Room, Service
from studio.translated import columns

# The longest session a length may have: a working day.
LONGEST_MINUTES = 8 * 60


# A bigint primary key as typed: at most 18 ASCII digits, so every database can compare it.
_ID = re.compile(r"[0-9]{1,18}")


class RoomsField(forms.ModelMultipleChoiceField):
    """Rooms by id; an id no bigint can hold is refused before any query (SQLite overflows)."""

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
        field_classes = {"rooms": RoomsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rooms"].queryset = Room.objects.order_by("name")
        buffer = self.fields["buffer_minutes"]
        buffer.validators.append(MaxValueValidator(LONGEST_MINUTES))
        buffer.widget.attrs["max"] = LONGEST_MINUTES


class LengthForm(forms.Form):
    """A length of a service, in minutes, and its price in euros."""

    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=LONGEST_MINUTES)
    price = forms.DecimalField(
        label=_("Price (€)"), min_value=Decimal(0), max_digits=8, decimal_places=2
    )
