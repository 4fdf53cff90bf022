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


def test_a_language_other_than_the_pages_is_written_in_its_own_way():
    """An email in the client's language while the page is served in another."""
    with translation.override("ca"):
        assert price(Decimal("1234.5"), language="es") == "1\u00a0234,50\u00a0€"
        assert price(Decimal("1234.5"), language="en") == "€1,234.50"
        # And the page's language is as it was.
        assert translation.get_language() == "ca"
        assert price(Decimal("1234.5")) == "1.234,50\u00a0€"
