"""The one decorator every staff page uses to ask ``studio.permissions`` who may open it."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def requires(allowed, *, sign_in: bool):
    """Build a decorator that lets in the users ``allowed`` accepts and 404s everyone else.

    With ``sign_in``, a visitor who is not signed in goes to the login page instead: only for
    pages every studio has (a calendar, a form), never for an address naming an object, whose
    answer must not depend on whether the object exists.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if sign_in and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
