from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _roles_after_migrate(sender, **kwargs):
    from studio.services import roles_ensure

    roles_ensure()


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = _("Studio")

    def ready(self):
        from studio import checks  # noqa: F401 (registers the system checks)

        # Every app sends post_migrate after its permissions exist; the last one completes the set.
        post_migrate.connect(_roles_after_migrate)
