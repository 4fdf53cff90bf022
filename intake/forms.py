"""The questionnaire as a Django form, built from the version's questions for one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.body_map_forms import NAME as BODY_MAP
from intake.body_map_forms import BodyMapField, input_context
from intake.models import AftercareReport
from intake.triage import NON_QUESTION_ERRORS, TEXT_MAX_LENGTH, QuestionSpec, validate_answers

FIELD_PREFIX = "q_"
# Choices are Bootstrap's checks, drawn large (calma.css): 44 px targets on a phone.
CHOICE = {"class": "form-check-input"}
CONFIRM_PREFIX = "confirm_"


class IntakeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("I consent to the studio keeping and using my health answers as described above."),
        required=True,
        error_messages={
            "required": _(
                "We can only take a booking with your consent to use your health answers. "
                "Please tick this box."
            )
        },
    )

    def __init__(
        self,
        *args,
        specs: list[QuestionSpec],
        service_slug: str,
        version: int,
        ask_consent: bool = True,
        ask_body_map: bool = False,
        previous: dict | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not ask_consent:
            # The re-screen is covered by the consent given at booking.
            del self.fields["consent"]
        if ask_body_map:
            # Optional, after the questions; never part of triage (see intake/body_map.py).
            self.fields[BODY_MAP] = BodyMapField()
        self.service_slug = service_slug
        self.expected_version = version
        self.specs = [spec for spec in specs if spec.applies_to(service_slug)]
        self.fields["version"].initial = version
        for spec in self.specs:
            self.fields[FIELD_PREFIX + spec.code] = self._field_for(spec)
        # A returning client confirms each section their last answers fill in, or changes it.
        self.previous = previous or {}
        self.confirm_sections = []
        for spec in self.specs:
            if spec.code in self.previous and spec.section not in self.confirm_sections:
                self.confirm_sections.append(spec.section)
                self.fields[CONFIRM_PREFIX + spec.section] = forms.BooleanField(
                    label=_("These answers are still true today."), required=False
                )

    @staticmethod
    def _field_for(spec: QuestionSpec) -> forms.Field:
        # Requiredness depends on other answers (follow-ups), so triage's validation decides.
        common = {"label": spec.text, "help_text": spec.help_text, "required": False}
        choices = [(option.value, option.label) for option in spec.options]
        if spec.kind == "multi":
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple(attrs=CHOICE), **common
            )
        if spec.kind == "text":
            return forms.CharField(
                max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), **common
            )
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect(attrs=CHOICE), **common)

    def answers(self) -> dict:
        """Return the answers given, keyed by question code, without empty ones."""
        answers = {}
        for spec in self.specs:
            value = self.cleaned_data.get(FIELD_PREFIX + spec.code)
            if value in (None, "", []):
                continue
            answers[spec.code] = value.strip() if isinstance(value, str) else value
        return answers

    def body_map(self) -> dict:
        """Return the body map marked (``{}`` for none, or when the form does not ask it)."""
        return self.cleaned_data.get(BODY_MAP) or {}

    def body_map_input(self) -> dict | None:
        """Return what the body map's template draws, or None when the form does not ask it."""
        if BODY_MAP not in self.fields:
            return None
        field = self[BODY_MAP]
        return input_context(field.value(), name=field.html_name, errors=field.errors)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version") is not None and cleaned["version"] != self.expected_version:
            raise forms.ValidationError(
                _("The questions were updated while you were answering. Please check them again.")
            )
        # Fields the form does not have are dropped by Django; triage must still see them,
        # so a forged or stale question is refused rather than silently ignored.
        unknown = {
            key.removeprefix(FIELD_PREFIX): self.data.get(key)
            for key in self.data
            if key.startswith(FIELD_PREFIX) and key not in self.fields
        }
        errors = validate_answers(
            self.specs, self.answers() | unknown, service_slug=self.service_slug
        )
        self._check_confirmations()
        for code, message in errors.items():
            if code == NON_QUESTION_ERRORS:
                self.add_error(None, message)
            elif FIELD_PREFIX + code in self.fields and FIELD_PREFIX + code not in self.errors:
                self.add_error(FIELD_PREFIX + code, message)
        return cleaned

    def _check_confirmations(self) -> None:
        answers = self.answers()
        for section in self.confirm_sections:
            codes = [spec.code for spec in self.specs if spec.section == section]
            unchanged = all(answers.get(code) == self.previous.get(code) for code in codes)
            if unchanged and not self.cleaned_data.get(CONFIRM_PREFIX + section):
                self.add_error(
                    CONFIRM_PREFIX + section,
                    _("Please confirm these answers are still true, or change them."),
                )

    def sections(self, titles: dict) -> list[dict]:
        """Return the questions grouped by section, in order, with their bound fields."""
        grouped: dict[str, dict] = {}
        for spec in self.specs:
            section = grouped.setdefault(
                spec.section,
                {
                    "code": spec.section,
                    "title": titles.get(spec.section, spec.section.replace("_", " ").title()),
                    "questions": [],
                    "confirm": (
                        self[CONFIRM_PREFIX + spec.section]
                        if spec.section in self.confirm_sections
                        else None
                    ),
                },
            )
            section["questions"].append({"spec": spec, "field": self[FIELD_PREFIX + spec.code]})
        return list(grouped.values())


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("adapt", _("Approve with adaptations")),
            ("decline", _("Decline")),
        ],
        widget=forms.RadioSelect,
    )
    adaptations = forms.CharField(
        label=_("Adaptations"),
        required=False,
        max_length=1000,
        help_text=_("For example: avoid the left calf; light pressure only."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    message = forms.CharField(
        label=_("Message to the client"),
        required=False,
        max_length=2000,
        help_text=_("Needed when you decline: it is sent to the client."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == "adapt" and not cleaned.get("adaptations", "").strip():
            self.add_error("adaptations", _("Please describe the adaptations."))
        if decision == "decline" and not cleaned.get("message", "").strip():
            self.add_error("message", _("Please write a short message to the client."))
        return cleaned


class AftercareForm(forms.Form):
    """How the client feels after the session: well, or what they notice."""

    feelings = forms.MultipleChoiceField(
        label=_("How do you feel since your session?"),
        choices=AftercareReport.Feeling.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please tick how you feel.")},
    )
    details = forms.CharField(
        label=_("Anything you would like your therapist to know (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_feelings(self):
        feelings = self.cleaned_data["feelings"]
        if AftercareReport.Feeling.WELL in feelings and len(feelings) > 1:
            raise forms.ValidationError(
                _("Please tick either that you feel well, or what you notice.")
            )
        return feelings
