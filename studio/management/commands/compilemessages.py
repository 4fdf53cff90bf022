"""``compilemessages`` that also works without GNU gettext, as on a fresh machine.

With ``msgfmt`` installed this is Django's own command. Without it, Calma's catalogs (those in
``LOCALE_PATHS``) are compiled with polib, a pure-Python reader of ``.po`` files, so that
``make install`` needs nothing but Python. Other apps ship their ``.mo`` files compiled.
"""

import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import compilemessages


class Command(compilemessages.Command):
    def handle(self, **options):
        if shutil.which(self.program):
            return super().handle(**options)
        locales = set(options.get("locale") or [])
        excluded = set(options.get("exclude") or [])
        compiled = 0
        for base in map(Path, settings.LOCALE_PATHS):
            for po_path in sorted(base.glob("*/LC_MESSAGES/*.po")):
                language = po_path.parent.parent.name
                if (locales and language not in locales) or language in excluded:
                    continue
                # As msgfmt does, fuzzy and untranslated entries stay out of the .mo file.
                catalog = polib.pofile(str(po_path))
                try:
                    catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
                except OSError as error:
                    raise CommandError(f"cannot write the catalog of {po_path}: {error}") from error
                compiled += 1
                if options["verbosity"] > 0:
                    self.stdout.write(f"processing file {po_path.name} in {po_path.parent}")
        if not compiled and options["verbosity"] > 0:
            self.stdout.write("no catalogs to compile")
