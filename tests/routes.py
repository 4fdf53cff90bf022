"""Every URL of the project, as the tests that classify each one walk them.

Names come with their namespace (``bookings:booking_manage``), as ``reverse`` takes them.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import LocalePrefixPattern, URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    path: str  # the route as written, from the language's root: "/b/<token:token>/"
    name: str  # the namespaced name: "bookings:booking_manage" ("admin:index" for the admin)
    module: str  # the module of the view


def routes(patterns=None, *, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Yield every named route, following includes; the admin appears once, as admin:index."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        # The pages under a language (/en/, /ca/ …) are walked once, without it.
        is_language = isinstance(pattern.pattern, LocalePrefixPattern)
        route = prefix + ("" if is_language else str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                # The admin's pages answer to its own registry and permissions.
                yield Route("/" + route, "admin:index", "django.contrib.admin")
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from routes(pattern.url_patterns, prefix=route, namespace=inner)
        else:
            assert isinstance(pattern, URLPattern)
            if pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                module = getattr(pattern.callback, "__module__", "")
                yield Route("/" + route, name, module)
