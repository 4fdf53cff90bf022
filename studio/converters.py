"""URL converters that admit only the shape a token can have, so anything else is a 404.

A path segment reaches a view only if it could be a token: a NUL byte or any other
character outside the token's alphabet never gets as far as a database query (PostgreSQL
refuses NUL in text, which would otherwise be a 500).
"""

from django.urls import register_converter


class TokenConverter:
    """A ``secrets.token_urlsafe`` token: URL-safe base64 letters, at most 64 of them."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SignedConverter(TokenConverter):
    """A ``django.core.signing`` token: URL-safe base64 parts joined by colons (and a dot)."""

    regex = r"[A-Za-z0-9_.:-]{1,400}"


register_converter(TokenConverter, "token")
register_converter(SignedConverter, "signed")
