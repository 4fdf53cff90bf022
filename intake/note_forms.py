"""The session note's form, and the addendum's, for the session's own therapist."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake import body_map
from intake.models import SessionNote, SessionNoteAddendum


class SessionNoteForm(forms.ModelForm):
    """A note in four parts, with the areas treated on the body map's own regions."""

    areas = forms.MultipleChoiceField(
        label=_("Areas treated"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (
                _("Front of the body") if view == body_map.FRONT else _("Back of the body"),
                [(r.code, r.label) for r in body_map.REGIONS if r.view == view],
            )
            for view in body_map.VIEWS
        ],
    )
    techniques = forms.MultipleChoiceField(
        label=_("Techniques"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=SessionNote.Technique.choices,
    )

    class Meta:
        model = SessionNote
        fields = [
            "subjective",
            "objective",
            "assessment",
            "plan",
            "areas",
            "techniques",
            "pressure",
            "response",
        ]
        widgets = {
            "subjective": forms.Textarea(attrs={"rows": 3}),
            "objective": forms.Textarea(attrs={"rows": 3}),
            "assessment": forms.Textarea(attrs={"rows": 3}),
            "plan": forms.Textarea(attrs={"rows": 3}),
            "response": forms.Textarea(attrs={"rows": 2}),
            "pressure": forms.RadioSelect,
        }
        help_texts = {
            "subjective": _("How the client felt and what they asked for, in their words."),
            "objective": _("What you noticed: tension, swelling, skin, how the tissue responded."),
            "assessment": _("What you make of it."),
            "plan": _("What to do next time, and what to avoid."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pressure"].choices = SessionNote.Pressure.choices
        self.fields["pressure"].required = False

    def clean(self):
        cleaned = super().clean()
        parts = ("subjective", "objective", "assessment", "plan", "response")
        if not any((cleaned.get(part) or "").strip() for part in parts) and not cleaned.get(
            "areas"
        ):
            raise forms.ValidationError(_("The note is empty: write at least one part of it."))
        # The areas in the body map's order, whatever order they were ticked in.
        cleaned["areas"] = [region.code for region in body_map.regions(cleaned.get("areas", ()))]
        return cleaned

    def note_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AddendumForm(forms.ModelForm):
    class Meta:
        model = SessionNoteAddendum
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        labels = {"text": _("Addendum")}
        help_texts = {"text": _("Saved with your name and the time; the note stays as written.")}
