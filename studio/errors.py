"""Errors the project's error pages know how to show."""

from django.http import Http404


class NotFoundPage(Http404):
    """A "not found" that is answered with a page of its own (``template_name``), still 404.

    Apps subclass it for the dead ends a person should understand, such as an expired link;
    the 404 handler renders the template without knowing which app raised it.
    """

    template_name = "404.html"


class CatalogueRefused(Exception):
    """A change to the catalogue refused for a reason the front desk can read.

    The studio's own refusal: ``bookings.errors.BookingRefused`` lives above this app, which
    may not import it.
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)
