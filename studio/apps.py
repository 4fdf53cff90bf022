from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _roles_after_migrate(sender, **kwargs):
    from studio.services import roles_ensure

    roles_ensure()


def _runtime_role_after_migrate(sender, using, **kwargs):
    from django.conf import settings

    # Only after migrate (which passes its plan), not after flush: emptying tables keeps grants.
    if not settings.DATABASE_RUNTIME_ROLE or kwargs.get("plan") is None:
        return
    from studio.database_roles import runtime_role_grant

    runtime_role_grant(role=settings.DATABASE_RUNTIME_ROLE, using=using)


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = _("Studio")

    def ready(self):
        from studio import checks  # noqa: F401 (registers the system checks)

        # Every app sends post_migrate after its permissions exist; the last one completes the set.
        post_migrate.connect(_roles_after_migrate)
        # Sent once for this app, after every migration of the run: all tables exist by then.
        post_migrate.connect(_runtime_role_after_migrate, sender=self)
