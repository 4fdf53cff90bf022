"""The client's booking forms: what the times page's selects write."""

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from bookings.forms import PlainSelect
from studio.templatetags.calma import booking_steps


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
