"""Forms for the team's pages (``studio/team.py``): they validate shape; the services write."""

from itertools import pairwise

from django import forms
from django.utils.translation import gettext_lazy as _

from studio.models import Therapist, Weekday


class TherapistServicesForm(forms.ModelForm):
    class Meta:
        model = Therapist
        fields = ["services", "is_active"]
        widgets = {"services": forms.CheckboxSelectMultiple}
        help_texts = {"is_active": _("An inactive therapist is offered to nobody.")}


class HoursForm(forms.Form):
    """One weekly stretch of work. The therapist's hours are replaced as a whole on save."""

    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
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
