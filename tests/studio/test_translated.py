"""Texts read as tuples choose their language exactly as the translated field does."""

import pytest
from django.utils import translation

from studio.models import Service
from studio.translated import columns, in_language


@pytest.mark.parametrize("language", ["en", "ca", "es", "fr"])
@pytest.mark.parametrize(
    "texts",
    [("Leg massage", "Massatge de cames", "Masaje de piernas"), ("Leg massage", "", "")],
    ids=["translated", "English only"],
)
def test_a_name_read_as_a_tuple_is_the_one_its_model_shows(language, texts):
    """The reader's language when there is a text in it, else the English source."""
    service = Service(**dict(zip(columns("name"), texts, strict=True)))

    with translation.override(language):
        shown = service.name
        assert in_language(texts) == shown
    assert in_language(texts, language) == shown
