"""Static files as the production profile serves them: collected, hashed, and intact."""

import base64
import hashlib
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from studio.templatetags import calma

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
_ASSET = re.compile(r'(?:href|src)="/static/([^"]+)" integrity="([^"]+)"')


@pytest.fixture
def collected(settings, tmp_path):
    """Collect the static files as the image does, into a directory of the test's own."""
    settings.STORAGES = PRODUCTION_STORAGES
    settings.STATIC_ROOT = tmp_path
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    calma._asset.cache_clear()
    yield tmp_path
    # The hashes and addresses worked out here are of the collected copies; later tests serve
    # the sources.
    calma._asset.cache_clear()


@pytest.mark.django_db
def test_every_local_asset_matches_its_integrity_hash_under_the_production_storage(
    client, collected
):
    """The browser gets the hashed copy, so the integrity hash must be that copy's.

    The manifest storage rewrites a stylesheet's or script's source-map reference when it
    copies it: a hash of the source file would make the browser refuse Bootstrap.
    """
    response = client.get(reverse("studio:home"))

    assert response.status_code == 200
    assets = _ASSET.findall(response.content.decode())
    names = [name for name, _ in assets]
    assert any(re.fullmatch(r"bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css", n) for n in names)
    assert any(
        re.fullmatch(r"bootstrap/js/bootstrap\.bundle\.min\.[0-9a-f]{12}\.js", n) for n in names
    )
    wrong = []
    for name, integrity in assets:
        digest = hashlib.sha384((collected / name).read_bytes()).digest()
        if integrity != "sha384-" + base64.b64encode(digest).decode("ascii"):
            wrong.append(name)
    assert wrong == []
