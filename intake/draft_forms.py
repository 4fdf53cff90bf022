"""Forms for editing drafts outside the admin: a questionnaire's questions, and consent texts.

They check the shape of one question: its code, its texts in each language, its answers and
the rules its answers trigger. Whether the version as a whole can be published (follow-ups
in order, the safety floor, every language written) is ``selectors.questionnaire_publish_check``,
shown beside the preview on the version's page.
"""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from translated_fields import to_attribute

from intake.models import ConsentText, Question, Questionnaire
from intake.questionnaire_v1 import SECTIONS
from intake.rescreen_v1 import CHANGES
from intake.triage import YES_NO_OPTIONS, Level
from studio.models import Service
from studio.translated import CONTENT_LANGUAGES, SOURCE_LANGUAGE, columns

# Question codes are snake_case; triage keeps the dunder names for reasons of its own.
CODE = re.compile(r"[a-z][a-z0-9_]*")
VALUE = re.compile(r"[a-z0-9][a-z0-9_]*")
SECTION_TITLES = {**SECTIONS, CHANGES: _("Since you booked")}
# The levels a rule can raise an answer to: a rule that clears would change nothing.
RULE_LEVELS = [(Level.REVIEW.value, _("Therapist's review")), (Level.STOP.value, _("Stop"))]
# What ``shown_when`` choices look like: the earlier question's code and one of its values.
_SHOWN_WHEN = "{code}={value}"


def json_key(key: str, language: str) -> str:
    """Return the key of ``key``'s text in ``language`` inside JSON rows ("label", "label_ca")."""
    return key if language == SOURCE_LANGUAGE else to_attribute(key, language)


def _language_fields(key: str, label, *, max_length: int) -> dict[str, forms.CharField]:
    names = dict(settings.LANGUAGES)
    return {
        to_attribute(key, language): forms.CharField(
            label=f"{label} ({names[language]})", max_length=max_length, required=False
        )
        for language in CONTENT_LANGUAGES
    }


def answer_options(kind: str, choices: list[dict]) -> list[tuple[str, str]]:
    """Return the answers a client can pick for a question of ``kind``, as (value, label)."""
    if kind == "yes_no":
        return [(choice.value, choice.label) for choice in YES_NO_OPTIONS]
    if kind in ("choice", "multi"):
        return [(row["value"], row.get("label") or row["value"]) for row in choices]
    return []


class QuestionForm(forms.ModelForm):
    """A question's code, section, texts and kind, and when it is asked."""

    services = forms.MultipleChoiceField(
        label=_("Asked for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to ask it for every massage."),
    )
    shown_when = forms.MultipleChoiceField(
        label=_("Shown only when an earlier question is answered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to show it always; tick answers of one question only."),
    )

    class Meta:
        model = Question
        fields = ["code", "section", *columns("text"), *columns("help_text"), "kind", "required"]
        help_texts = {
            "code": _(
                "Lower-case letters, digits and _, as in leg_symptoms. Answers are kept under it."
            )
        }

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        for language in CONTENT_LANGUAGES:
            for name, label in (("text", _("Question")), ("help_text", _("Help text"))):
                self.fields[to_attribute(name, language)].label = f"{label} ({names[language]})"
            self.fields[to_attribute("text", language)].required = True
        others = list(
            questionnaire.questions.exclude(pk=self.instance.pk).order_by("position", "pk")
        )
        sections = dict(SECTION_TITLES)
        for section in [*(other.section for other in others), self.instance.section]:
            if section and section not in sections:
                sections[section] = section.replace("_", " ").capitalize()
        self.fields["section"] = forms.ChoiceField(
            label=_("Section"),
            choices=list(sections.items()),
        )
        offered = {service.slug: service.name for service in Service.objects.all()}
        for slug in self.instance.services or ():
            offered.setdefault(slug, slug)
        self.fields["services"].choices = list(offered.items())
        self.fields["services"].initial = list(self.instance.services or ())
        # A question can follow only the questions before it, and only those with answers.
        earlier = [
            other
            for other in others
            if self.instance.pk is None or other.position < self.instance.position
        ]
        self.fields["shown_when"].choices = [
            (
                f"{other.code}: {other.text}",
                [
                    (_SHOWN_WHEN.format(code=other.code, value=value), label)
                    for value, label in answer_options(other.kind, other.choices)
                ],
            )
            for other in earlier
            if other.kind != "text"
        ]
        if self.instance.show_if_question:
            self.fields["shown_when"].initial = [
                _SHOWN_WHEN.format(code=self.instance.show_if_question, value=value)
                for value in self.instance.show_if_values
            ]

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not CODE.fullmatch(code):
            raise forms.ValidationError(
                _("Use lower-case letters, digits and _ only, starting with a letter.")
            )
        return code

    def clean_shown_when(self):
        pairs = [value.split("=", 1) for value in self.cleaned_data["shown_when"]]
        if len({code for code, _value in pairs}) > 1:
            raise forms.ValidationError(_("Tick answers of one earlier question only."))
        return pairs

    def question_fields(self) -> dict:
        """Return the question's columns as cleaned, ready for ``services.question_save``."""
        data = dict(self.cleaned_data)
        pairs = data.pop("shown_when")
        data["show_if_question"] = pairs[0][0] if pairs else ""
        data["show_if_values"] = [value for _code, value in pairs]
        return data


class ChoiceForm(forms.Form):
    """One answer of a choice question: the value kept, and its text in each language."""

    value = forms.CharField(
        label=_("Value kept"),
        max_length=40,
        help_text=_("Lower-case letters, digits and _; answers are kept under it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_language_fields("label", _("Answer"), max_length=200))
        self.fields[to_attribute("label", SOURCE_LANGUAGE)].required = True

    def clean_value(self):
        value = self.cleaned_data["value"]
        if not VALUE.fullmatch(value):
            raise forms.ValidationError(_("Use lower-case letters, digits and _ only."))
        return value

    def row(self) -> dict:
        data = self.cleaned_data
        return {"value": data["value"]} | {
            json_key("label", language): data[to_attribute("label", language)].strip()
            for language in CONTENT_LANGUAGES
        }


class BaseChoiceFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        values = [row["value"] for row in self.rows()]
        if len(values) != len(set(values)):
            raise forms.ValidationError(_("Two answers share a value: give each its own."))

    def rows(self) -> list[dict]:
        """Return the answers kept, in order, as the question's JSON rows."""
        return [
            form.row()
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]

    def typed_options(self) -> list[tuple[str, str]]:
        """Return the answers as typed, valid or not, for the rules' choices."""
        options = []
        for form in self.forms:
            value = (form.data.get(form.add_prefix("value")) or "").strip()
            if value and not form.data.get(form.add_prefix("DELETE")):
                label = form.data.get(form.add_prefix(to_attribute("label", SOURCE_LANGUAGE)))
                options.append((value, (label or "").strip() or value))
        return options


ChoiceFormSet = forms.formset_factory(ChoiceForm, BaseChoiceFormSet, extra=2, can_delete=True)


class RuleForm(forms.Form):
    """What some answers lead to: a review or a stop, and the reason the therapist reads."""

    when = forms.MultipleChoiceField(
        label=_("When the answer is"), widget=forms.CheckboxSelectMultiple
    )
    # The first level is shown selected: as the initial value, an untouched extra row is empty.
    level = forms.ChoiceField(
        label=_("It leads to"), choices=RULE_LEVELS, initial=RULE_LEVELS[0][0]
    )

    def __init__(self, *args, options: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["when"].choices = options
        self.fields.update(
            _language_fields("reason", _("Reason the therapist reads"), max_length=300)
        )
        self.fields[to_attribute("reason", SOURCE_LANGUAGE)].required = True

    def row(self) -> dict:
        data = self.cleaned_data
        return {"when": list(data["when"]), "level": data["level"]} | {
            json_key("reason", language): data[to_attribute("reason", language)].strip()
            for language in CONTENT_LANGUAGES
        }


class BaseRuleFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """Return the rules kept, in order, as the question's JSON rows."""
        return [
            form.row()
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


RuleFormSet = forms.formset_factory(RuleForm, BaseRuleFormSet, extra=1, can_delete=True)


def choice_initial(question: Question) -> list[dict]:
    """Return a question's answers as the choice forms' initial data."""
    return [
        {"value": row.get("value", "")}
        | {
            to_attribute("label", language): row.get(json_key("label", language), "")
            for language in CONTENT_LANGUAGES
        }
        for row in question.choices or ()
        if isinstance(row, dict)
    ]


def rule_initial(question: Question) -> list[dict]:
    """Return a question's rules as the rule forms' initial data."""
    return [
        {"when": list(row.get("when", ())), "level": row.get("level", Level.REVIEW.value)}
        | {
            to_attribute("reason", language): row.get(json_key("reason", language), "")
            for language in CONTENT_LANGUAGES
        }
        for row in question.rules or ()
        if isinstance(row, dict)
    ]


class TitleForm(forms.ModelForm):
    """A draft's title, in each language."""

    class Meta:
        model = Questionnaire
        fields = columns("title")


class ConsentTextForm(forms.ModelForm):
    """A draft consent text, in each language."""

    class Meta:
        model = ConsentText
        fields = columns("text")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        for language in CONTENT_LANGUAGES:
            field = self.fields[to_attribute("text", language)]
            field.label = _("Consent text (%(language)s)") % {"language": names[language]}
            field.widget.attrs["rows"] = 8
