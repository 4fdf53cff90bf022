"""Prices as people write them where they read them: "32,00 €" in Catalan and Spanish, "€32.00"
in English. One place, for the pages and the forms alike."""

from contextlib import nullcontext
from decimal import Decimal

from django.utils import translation
from django.utils.formats import number_format

# Where the euro sign goes, by language: after the amount with a space, or before it.
_SIGN_BEFORE = {"en"}


def price(amount: Decimal | int | float, *, language: str | None = None) -> str:
    """Return an amount of euros written the way a reader of ``language`` writes it."""
    current = translation.get_language()
    language = language or current or "en"
    # In the language being served (a page's prices), nothing to switch.
    with translation.override(language) if language != current else nullcontext():
        figure = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    if language.split("-")[0] in _SIGN_BEFORE:
        return f"€{figure}"
    return f"{figure}\u00a0€"
