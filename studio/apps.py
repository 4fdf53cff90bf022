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


def _catalogue_written(sender, **kwargs):
    from studio.page_cache import catalogue_changed

    catalogue_changed()


def _catalogue_relation_written(sender, action, **kwargs):
    if action.startswith("post_"):
        _catalogue_written(sender)


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = _("Studio")

    def ready(self):
        from django.core.signals import request_started
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from studio import checks  # noqa: F401 (registers the system checks)
        from studio.models import Studio

        # The studio row is read once per request (``Studio.load``): forget it when a
        # request starts and whenever it is written.
        request_started.connect(Studio.forget, dispatch_uid="calma-studio-forget-request")
        post_save.connect(Studio.forget, sender=Studio, dispatch_uid="calma-studio-forget-save")
        post_delete.connect(Studio.forget, sender=Studio, dispatch_uid="calma-studio-forget-delete")

        # The stored catalogue pages go stale with any write to what they show, admin
        # included: every save or delete counts, whatever the field (a cheap over-count).
        from studio.models import Room, Service, ServiceLength, Therapist

        for model in (Room, Service, ServiceLength, Studio, Therapist):
            uid = f"calma-catalogue-{model._meta.label_lower}"
            post_save.connect(_catalogue_written, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(_catalogue_written, sender=model, dispatch_uid=f"{uid}-delete")
        for through in (Service.rooms.through, Therapist.services.through):
            m2m_changed.connect(
                _catalogue_relation_written,
                sender=through,
                dispatch_uid=f"calma-catalogue-{through.__name__}",
            )

        # Every app sends post_migrate after its permissions exist; the last one completes the set.
        post_migrate.connect(_roles_after_migrate)
        # Sent once for this app, after every migration of the run: all tables exist by then.
        post_migrate.connect(_runtime_role_after_migrate, sender=self)
