"""The Catalan and Spanish catalogs translate every message of the project, none fuzzy.

``makemessages`` is run afresh into a copy of the catalogs, exactly as a developer would
after changing a text, so a new or changed msgid anywhere in the code or the templates
shows up here untranslated. It needs GNU gettext (``xgettext``), which CI installs.
"""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ("ca", "es")
IGNORED = [".venv", "mutants", "bench", "tests", "requirements", "staticfiles", "node_modules"]


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory) -> dict[str, polib.POFile]:
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is needed to check the catalogs")
        pytest.skip("needs GNU gettext (xgettext) to run makemessages")
    locale = tmp_path_factory.mktemp("catalogs") / "locale"
    shutil.copytree(ROOT / "locale", locale)
    cwd = Path.cwd()
    os.chdir(ROOT)
    is_dir = os.path.isdir
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "LOCALE_PATHS", [locale])
            # makemessages also adopts a ./locale folder, and any folder named locale it walks
            # past, ahead of LOCALE_PATHS: the project's files would then be written to the
            # committed catalogs, not to the copy. Hide the one and skip the other.
            patch.setattr(os.path, "isdir", lambda path: path != "locale" and is_dir(path))
            call_command(
                "makemessages",
                locale=list(LANGUAGES),
                ignore_patterns=[*IGNORED, "locale"],
                no_obsolete=True,
                no_location=True,
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    return {
        code: polib.pofile(str(locale / code / "LC_MESSAGES" / "django.po")) for code in LANGUAGES
    }


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(fresh_catalogs, code):
    catalog = fresh_catalogs[code]

    assert len(catalog) > 700  # the project's messages were found
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_committed_catalog_is_the_fresh_one(fresh_catalogs, code):
    """Nothing stale: every msgid of the committed catalog is still used, and none is missing."""
    committed = polib.pofile(str(ROOT / "locale" / code / "LC_MESSAGES" / "django.po"))
    fresh = fresh_catalogs[code]

    def ids(catalog):
        return {(e.msgctxt, e.msgid) for e in catalog if not e.obsolete}

    assert ids(fresh) == ids(committed)


@pytest.mark.parametrize("code", LANGUAGES)
def test_translations_keep_every_placeholder(code):
    """A translation that drops or renames %(name)s would fail (or lie) when it is shown."""
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")
    catalog = polib.pofile(str(ROOT / "locale" / code / "LC_MESSAGES" / "django.po"))
    wrong = []
    for entry in catalog:
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        wanted = {m.group(0) for source in sources for m in placeholder.finditer(source)}
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in texts:
            if {m.group(0) for m in placeholder.finditer(text)} - wanted or (
                not entry.msgid_plural
                and {m.group(0) for m in placeholder.finditer(text)} != wanted
            ):
                wrong.append((entry.msgid, text))
    assert wrong == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_catalog_declares_its_language_and_plural_forms(code):
    catalog = polib.pofile(str(ROOT / "locale" / code / "LC_MESSAGES" / "django.po"))

    assert catalog.metadata["Language"] == code
    assert catalog.metadata["Plural-Forms"].startswith("nplurals=2;")
    assert "charset=UTF-8" in catalog.metadata["Content-Type"]
