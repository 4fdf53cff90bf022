"""``compilemessages`` builds the catalogs on a machine without GNU gettext (polib)."""

import gettext
import shutil

from django.conf import settings
from django.core.management import call_command

from studio.management.commands import compilemessages


def test_the_catalogs_compile_without_gettext(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(settings.BASE_DIR / "locale", locale, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(settings, "LOCALE_PATHS", [locale])
    monkeypatch.setattr(compilemessages.shutil, "which", lambda program: None)

    call_command("compilemessages", verbosity=0)

    for code, expected in (("ca", "Massatges"), ("es", "Masajes")):
        catalog = locale / code / "LC_MESSAGES" / "django.mo"
        assert catalog.exists()
        with catalog.open("rb") as handle:
            assert gettext.GNUTranslations(handle).gettext("Massages") == expected
