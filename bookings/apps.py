from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        # The tasks register with Celery on import; ``messages.outbox`` finds them by name.
        from bookings import receivers, tasks  # noqa: F401

        receivers.connect()
