"""System checks: DEBUG serves development on this machine only."""

from django.conf import settings
from django.core.checks import Error, register

# Host names that only reach this machine ("testserver" is Django's test client).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1", "testserver"})


@register()
def debug_only_on_localhost(app_configs=None, **kwargs) -> list[Error]:
    """Refuse DEBUG under the production profile or for any host beyond this machine.

    DEBUG pages show settings, SQL and local variables (client details among them) to
    whoever causes an error, so a server others can reach never runs with it.
    """
    if not settings.DEBUG:
        return []
    errors = []
    if getattr(settings, "CALMA_PROFILE", "") == "production":
        errors.append(
            Error(
                "DEBUG is on under the production profile.",
                hint="studio.settings.production turns DEBUG off; do not turn it back on.",
                id="calma.E001",
            )
        )
    public = sorted(host for host in settings.ALLOWED_HOSTS if host not in LOCAL_HOSTS)
    if public:
        errors.append(
            Error(
                f"DEBUG is on while ALLOWED_HOSTS names hosts beyond this machine: "
                f"{', '.join(public)}.",
                hint=(
                    "DEBUG is for `make run` on 127.0.0.1 only. Serve anything else with "
                    "DJANGO_SETTINGS_MODULE=studio.settings.production, or set DEBUG=false."
                ),
                id="calma.E002",
            )
        )
    return errors
