"""WSGI entry point for gunicorn (and for runserver, through WSGI_APPLICATION)."""

import os
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.base")

application = get_wsgi_application()


def _refuse_debug_beyond_runserver() -> None:
    """Stop before serving with DEBUG anywhere but `manage.py runserver` (`make run`).

    A WSGI server such as gunicorn is how the studio is served to others, and it runs no
    system checks: DEBUG pages would show settings and client details to whoever causes an
    error. `make run` binds runserver to 127.0.0.1, and runserver runs studio/checks.py.
    """
    from studio.checks import debug_only_on_localhost

    messages = [f"{error.msg} {error.hint}" for error in debug_only_on_localhost()]
    if settings.DEBUG and sys.argv[1:2] != ["runserver"]:
        messages.append("DEBUG is on outside `manage.py runserver`: set DEBUG=false.")
    if messages:
        raise ImproperlyConfigured(" ".join(messages))


_refuse_debug_beyond_runserver()
