"""Text a studio writes in every language Calma speaks: one column per language, English first.

A model declares such a field as ``translated(models.CharField(...))``. The database gets one
column per language, ``<name>_en``, ``<name>_ca`` and ``<name>_es`` (django-translated-fields),
and the admin edits them side by side. Reading ``obj.<name>`` gives the reader's language, or
the English source where that language is still empty; assigning ``obj.<name>`` (or passing
``<name>=`` to the model) sets the English source. Code that filters or orders names the
column it means (``name_en``).

Triage never reads these texts: it decides on answer values alone.
"""

from django.conf import settings
from django.utils.translation import get_language
from translated_fields import TranslatedField, to_attribute
from translated_fields.utils import fallback_to_default

SOURCE_LANGUAGE = "en"
# The source first; the order is also the order of the columns in the admin.
CONTENT_LANGUAGES = ("en", "ca", "es")
TRANSLATIONS = CONTENT_LANGUAGES[1:]


def _source_setter(name, field):
    def setter(self, value):
        setattr(self, to_attribute(name, SOURCE_LANGUAGE), value)

    return setter


class _Translated(TranslatedField):
    """A translated field that the model's constructor accepts by its plain name."""

    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        # Django's Model() takes keyword arguments for fields and for properties only.
        setattr(cls, name, property(self._getter, self._setter, doc=str(self.short_description)))
        cls._translated_fields = {**getattr(cls, "_translated_fields", {}), name: self}


def translated(field, *, unique_source: bool = False):
    """Return ``field`` as one column per language; only the English source may be required.

    With ``unique_source``, the English column alone is unique (the others may stay blank).
    """
    specific = {language: {"blank": True} for language in TRANSLATIONS}
    if field.has_default():
        # An English default would pass for a translation: the others start empty.
        for language in TRANSLATIONS:
            specific[language]["default"] = ""
    if unique_source:
        for language in TRANSLATIONS:
            specific[language]["unique"] = False
    return _Translated(
        field,
        specific,
        languages=CONTENT_LANGUAGES,
        attrgetter=fallback_to_default,
        attrsetter=_source_setter,
    )


def columns(name: str) -> list[str]:
    """Return the columns of a translated field, the English source first."""
    return [to_attribute(name, language) for language in CONTENT_LANGUAGES]


def in_language(texts, language: str | None = None) -> str:
    """Return the text in ``language`` (the reader's by default), else the English source.

    ``texts`` are a translated field's columns in ``columns`` order, as read into a tuple
    (``values_list(*columns("name"))``); the choice is the one reading the field on its
    model makes.
    """
    language = language or get_language() or SOURCE_LANGUAGE
    for code, text in zip(CONTENT_LANGUAGES, texts, strict=True):
        if code == language:
            return text or texts[0]
    return texts[0]


def translated_names(model) -> list[str]:
    """Return the names of a model's translated fields, in declaration order."""
    return list(getattr(model, "_translated_fields", {}))


def missing_languages(obj, name: str) -> list[str]:
    """Return the languages in which ``obj``'s field ``name`` is empty, English included."""
    return [
        language
        for language in CONTENT_LANGUAGES
        if not (getattr(obj, to_attribute(name, language)) or "").strip()
    ]


def localized(entry: dict, key: str, language: str | None = None) -> str:
    """Return ``entry[key]`` in the reader's language, for texts kept inside JSON data.

    A question's choices and rules keep their English text under ``key`` ("label",
    "reason") and the others beside it (``label_ca``, ``reason_es``), next to the values
    triage decides on, which exist once for every language.
    """
    language = language or get_language() or SOURCE_LANGUAGE
    return entry.get(to_attribute(key, language)) or entry.get(key, "")


def json_texts(entry: dict, key: str) -> dict[str, str]:
    """Return the text under ``key`` of JSON ``entry`` in each language, English first."""
    return {SOURCE_LANGUAGE: entry.get(key, "")} | {
        language: entry.get(to_attribute(key, language), "") for language in TRANSLATIONS
    }


def json_missing_languages(entry: dict, key: str) -> list[str]:
    """Return the languages in which JSON ``entry`` lacks the text under ``key``."""
    return [
        language for language, text in json_texts(entry, key).items() if not str(text or "").strip()
    ]


def language_names(languages) -> str:
    """Return languages by their own names, as the language switcher shows them."""
    names = dict(settings.LANGUAGES)
    return ", ".join(str(names.get(language, language)) for language in languages)
