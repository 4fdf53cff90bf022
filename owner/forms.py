from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.forms import DayField

# The longest period a report covers at once (a few years of a studio's history).
LONGEST = timedelta(days=3 * 366)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    first = DayField(label=_("From"), widget=_date_input())
    last = DayField(label=_("Until"), widget=_date_input())
    by = forms.ChoiceField(label=_("By"), required=False)

    def __init__(self, *args, breakdowns=(), labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if breakdowns:
            self.fields["by"].choices = [(key, labels[key]) for key in breakdowns]
        else:
            del self.fields["by"]

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("The end comes before the start."))
            elif last - first > LONGEST:
                self.add_error("last", _("Choose at most three years at a time."))
        return cleaned
