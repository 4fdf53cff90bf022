"""The client's booking forms: what the times page's selects write."""

import pytest
from django import forms
from django.template import Context, Template
from django.templatetags.static import static
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from bookings.forms import PlainSelect
from studio.templatetags.calma import asset_url, booking_steps, picker_weekdays


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
