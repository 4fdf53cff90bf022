"""The client's booking forms: what the times page's selects write."""

from decimal import Decimal
from uuid import UUID

import pytest
from django import forms
from django.template import Context, Template
from django.templatetags.static import static
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from bookings.forms import PlainSelect, TimesForm
from bookings.picker import Period
from studio.models import Service
from studio.templatetags.calma import (
    asset_url,
    booking_steps,
    hidden_inputs,
    picker_weekdays,
    slot_periods,
)
from tests.factories import ServiceLengthFactory, TherapistFactory


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        (
            [(1, "a<b"), ("x", 'q"uote')],
            "x",
            {"class": "form-select", "required": True, "disabled": False, "aria-x": "h&1"},
        ),
        ([("Group <g>", [(1, "one"), (2, "two")]), (3, "three")], ["2"], {}),
        ([(None, "none"), ("", "---")], "", {"id": "id_x"}),
        ([(1, mark_safe("<b>kept</b>")), (2, gettext_lazy("Anyone available"))], 2, {}),
    ],
)
def test_the_plain_select_writes_what_djangos_select_template_writes(choices, value, attrs):
    """Write the same bytes as ``forms.Select``, escaping names, values, labels and groups."""
    plain = PlainSelect(choices=choices).render("n<", value, attrs=dict(attrs))
    assert plain == forms.Select(choices=choices).render("n<", value, attrs=dict(attrs))
    assert "a<b" not in plain and "<g>" not in plain


def test_the_step_bar_speaks_the_active_language():
    with translation.override("es"):
        bar = booking_steps(3)
    assert '<nav aria-label="Pasos de la reserva"' in bar
    assert '<span class="d-sm-none">Paso 3 de 5:</span>' in bar
    assert "3.</span> Tus datos</li>" in bar
    assert bar.count("<li ") == 5 and bar.count('aria-current="step"') == 1


def test_the_step_bar_is_kept_per_language_and_step():
    """Rendered once per language and step, and never handed to a reader of another language."""
    with translation.override("es"):
        spanish = booking_steps(2)
    with translation.override("en"):
        english = booking_steps(2)
        fourth = booking_steps(4)
    with translation.override("es"):
        again = booking_steps(2)

    assert '<span class="d-sm-none">Paso 2 de 5:</span>' in spanish
    assert '<span class="d-sm-none">Step 2 of 5:</span>' in english
    assert '<span class="d-sm-none">Step 4 of 5:</span>' in fourth
    assert again == spanish


def test_the_step_bar_tag_writes_what_the_function_returns():
    with translation.override("ca"):
        rendered = Template("{% load calma %}{% booking_steps 3 %}").render(Context())
        assert rendered == booking_steps(3)
    assert "Pas 3 de 5:" in rendered


def test_the_picker_header_names_the_weekdays_escaped():
    row = picker_weekdays(["Mon", "T<u>e"])

    assert row == (
        '<tr><th scope="col" class="text-capitalize">Mon</th>'
        '<th scope="col" class="text-capitalize">T&lt;u&gt;e</th></tr>'
    )


def test_an_asset_url_is_the_address_static_gives():
    assert asset_url("icons/calma.svg") == static("icons/calma.svg")


# The loops the two tags below replaced, as the templates wrote them (the buttons as the
# loop inside the slot_buttons tag wrote them).
_PERIODS_LOOP = Template(
    "{% for period in periods %}\n"
    '            <div class="mb-3" role="group" aria-labelledby="period-{{ period.key }}">\n'
    '              <h3 class="h6 text-body-secondary" id="period-{{ period.key }}">'
    "{{ period.label }}</h3>\n"
    '              <div class="slot-grid">{% for value, at in period.slots %}'
    "{% if not forloop.first %}\n{% endif %}"
    '<button type="submit" name="start" value="{{ value }}" class="btn btn-outline-dark btn-sm"'
    ' aria-label="{{ label }}, {{ at }}">{{ at }}</button>{% endfor %}</div>\n'
    "            </div>\n"
    "          {% endfor %}"
)
_HIDDEN_LOOP = Template(
    '{% for name, value in hidden.items %}<input type="hidden" name="{{ name }}" '
    'value="{{ value }}">{% endfor %}'
)


def test_the_periods_tag_writes_what_the_template_loop_wrote():
    periods = [
        Period("morning", "Matí", [("2027-01-12T09:00:00+01:00", "09:00")]),
        Period(
            "after<noon>",
            'Tarda & "vespre"',
            [("2027-01-12T15:00:00+01:00", "15:00"), ("<b>", "16:00&")],
        ),
    ]
    label = "Dimarts 12 <gener>"

    written = slot_periods(periods, label)

    assert written == _PERIODS_LOOP.render(Context({"periods": periods, "label": label}))
    assert 'id="period-after&lt;noon&gt;"' in written
    assert "Tarda &amp; &quot;vespre&quot;" in written
    assert 'value="&lt;b&gt;"' in written
    assert slot_periods([], label) == ""


def test_the_hidden_inputs_tag_writes_what_the_template_loop_wrote():
    hidden = {
        "length": 12345,
        "therapist": 'an"na<',
        "after": UUID("12345678-1234-5678-1234-567812345678"),
        "note": mark_safe("<i>kept</i>"),
    }

    written = hidden_inputs(hidden)

    assert written == _HIDDEN_LOOP.render(Context({"hidden": hidden}))
    assert 'name="length" value="12345"' in written
    assert 'value="an&quot;na&lt;"' in written
    assert hidden_inputs({}) == ""


@pytest.mark.django_db
def test_the_times_form_keeps_a_prefetched_services_choices_per_language():
    length = ServiceLengthFactory(minutes=45, price=Decimal("40.00"))
    therapist = TherapistFactory(display_name="Núria", services=[length.service])
    service = Service.objects.prefetch_related("lengths", "therapists").get(pk=length.service_id)

    with translation.override("es"):
        spanish = TimesForm(service=service)
        spanish_again = TimesForm({"length": length.pk, "therapist": "any"}, service=service)
        rendered = str(spanish_again["therapist"])
    with translation.override("ca"):
        catalan = TimesForm(service=service)

    assert list(spanish.fields["length"].choices) == [(length.pk, "45 minutos · 40,00\xa0€")]
    assert list(catalan.fields["length"].choices) == [(length.pk, "45 minuts · 40,00\xa0€")]
    assert list(catalan.fields["therapist"].choices) == [
        ("any", "Qualsevol terapeuta disponible"),
        (therapist.slug, "Núria"),
    ]
    # Worked out once per language: the second form in Spanish took the first one's.
    assert spanish_again.fields["length"].choices is spanish.fields["length"].choices
    assert catalan.fields["length"].choices is not spanish.fields["length"].choices
    assert spanish_again.is_valid(), spanish_again.errors
    assert '<option value="any" selected>Cualquier terapeuta disponible</option>' in rendered
    bogus = TimesForm({"length": length.pk + 1000, "therapist": "nobody"}, service=service)
    assert set(bogus.errors) == {"length", "therapist"}


@pytest.mark.django_db
def test_the_times_form_reads_a_services_lengths_afresh_when_they_were_not_prefetched():
    length = ServiceLengthFactory(minutes=45)
    service = Service.objects.get(pk=length.service_id)
    assert [value for value, _label in TimesForm(service=service).fields["length"].choices] == [
        length.pk
    ]

    longer = ServiceLengthFactory(service=service, minutes=90)

    choices = TimesForm(service=service).fields["length"].choices
    assert [value for value, _label in choices] == [length.pk, longer.pk]


@pytest.mark.django_db
def test_a_select_of_kept_choices_is_written_once_per_value_and_as_django_writes_it():
    length = ServiceLengthFactory(minutes=45)
    longer = ServiceLengthFactory(service=length.service, minutes=90)
    TherapistFactory(display_name="Anna <b>", services=[length.service])
    kept = Service.objects.prefetch_related("lengths", "therapists").get(pk=length.service_id)
    fresh = Service.objects.get(pk=length.service_id)

    def written(service, length_pk):
        form = TimesForm({"length": length_pk, "therapist": "any"}, service=service)
        return str(form["length"]), str(form["therapist"])

    with translation.override("ca"):
        first = written(kept, longer.pk)
        again = written(kept, longer.pk)
        other = written(kept, length.pk)
        as_ever = written(fresh, longer.pk)

    # The same text as a select of choices not kept, and the same object the second time.
    assert first == as_ever
    assert again[0] is first[0] and again[1] is first[1]
    assert f'<option value="{longer.pk}" selected>' in first[0]
    assert f'<option value="{length.pk}" selected>' in other[0]
    assert other[0] != first[0]
    assert "Anna &lt;b&gt;" in first[1]


@pytest.mark.django_db
def test_tampered_values_do_not_grow_the_kept_selects_past_their_bound():
    length = ServiceLengthFactory(minutes=45)
    TherapistFactory(services=[length.service])
    service = Service.objects.prefetch_related("lengths", "therapists").get(pk=length.service_id)

    for tampered in range(100):
        form = TimesForm({"length": length.pk, "therapist": f"nobody-{tampered}"}, service=service)
        html = str(form["therapist"])
        assert "selected" not in html

    choices = TimesForm(service=service).fields["therapist"].choices
    assert len(choices.written) == choices.WRITTEN
