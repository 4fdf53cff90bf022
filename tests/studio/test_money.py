"""Prices as people write them where they read them (studio.money)."""

from decimal import Decimal

import pytest
from django.utils import translation

from studio.money import price


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "€1,234.50"), ("ca", "1.234,50\u00a0€"), ("es", "1\u00a0234,50\u00a0€")],
)
def test_a_price_is_written_as_its_reader_writes_it(language, written):
    assert price(Decimal("1234.5"), language=language) == written


def test_without_a_language_the_readers_is_used():
    with translation.override("ca"):
        assert price(Decimal("32")) == "32,00\u00a0€"
    with translation.override("en"):
        assert price(32) == "€32.00"
