"""The public pages, the demo studio and the static assets."""

import hashlib

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from studio.models import Room, Service, ServiceLength, Studio, Therapist, WorkingHours
from tests.factories import ServiceFactory, ServiceLengthFactory, TherapistFactory

pytestmark = pytest.mark.django_db

FIVE_SERVICES = [
    "Leg massage",
    "Foot massage",
    "Sports massage",
    "Lymphatic drainage",
    "Leg and foot massage",
]


def test_home_lists_the_five_demo_services(client, demo_studio):
    response = client.get(reverse("studio:home"))
    assert response.status_code == 200
    for name in FIVE_SERVICES:
        assert name in response.content.decode()


def test_service_list_shows_every_length_and_price(client, demo_studio):
    body = client.get(reverse("studio:service_list")).content.decode()
    for length in ServiceLength.objects.select_related("service"):
        assert f"{length.minutes} min · €{length.price:.2f}" in body
    # Written as people write prices where they read them.
    assert "30 min · €32.00" in body
    catalan = client.get("/ca/services/").content.decode()
    assert "30 min · 32,00\u00a0€" in catalan


def test_service_detail_shows_precautions_lengths_and_therapists(client, demo_studio):
    response = client.get(reverse("studio:service_detail", kwargs={"slug": "leg-massage"}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Precautions" in body
    assert "in a single leg, do not go ahead with a massage" in body
    assert "Ana Ruiz" in body and "Ben Ortega" in body
    assert "60 min" in body


def test_therapist_page_lists_therapists_and_their_services(client, demo_studio):
    body = client.get(reverse("studio:therapist_list")).content.decode()
    assert "Carla Vidal" in body
    assert "Lymphatic drainage" in body


@pytest.mark.parametrize(
    "url",
    ["/en/services/no-such-massage/", "/en/no/such/page/", "/en/services/leg-massage/extra/"],
)
def test_unknown_pages_are_a_404_in_the_site_layout(client, demo_studio, url):
    response = client.get(url)
    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find that page" in body
    assert 'href="/en/services/"' in body  # the site's navigation is there


def test_an_inactive_service_is_a_404(client, demo_studio):
    Service.objects.filter(slug="foot-massage").update(is_active=False)
    response = client.get(reverse("studio:service_detail", kwargs={"slug": "foot-massage"}))
    assert response.status_code == 404
    assert "Foot massage" not in client.get(reverse("studio:service_list")).content.decode()


def test_client_copy_makes_no_medical_claims(client, demo_studio):
    """The studio page's tone: a wellness service, never a claim to treat or improve health."""
    for slug in Service.objects.values_list("slug", flat=True):
        body = client.get(reverse("studio:service_detail", kwargs={"slug": slug})).content.decode()
        lowered = body.lower()
        for claim in ("improves circulation", "cures", "detox", "burns fat", "reduces cellulite"):
            assert claim not in lowered, (slug, claim)


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo")
    counts = [
        Service.objects.count(),
        ServiceLength.objects.count(),
        Therapist.objects.count(),
        Room.objects.count(),
        WorkingHours.objects.count(),
    ]
    call_command("seed_demo")
    assert counts == [
        Service.objects.count(),
        ServiceLength.objects.count(),
        Therapist.objects.count(),
        Room.objects.count(),
        WorkingHours.objects.count(),
    ]
    assert counts[0] == 5 and counts[2] == 3 and counts[3] == 2


def test_seed_demo_prints_the_staff_and_owner_logins(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "frontdesk" in out and "owner" in out


def test_bootstrap_is_the_official_538_file():
    path = finders.find("bootstrap/css/bootstrap.min.css")
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    assert digest == "d85327d99c7a3ee1f9b5d0500d1370acea3ad2db39c163c2f51f232baedbdede"


def test_pages_load_bootstrap_and_htmx_locally_with_integrity(client, demo_studio):
    body = client.get(reverse("studio:home")).content.decode()
    assert 'href="/static/bootstrap/css/bootstrap.min.css" integrity="sha384-' in body
    assert 'src="/static/django_htmx/htmx-2.min.js" integrity="sha384-' in body
    assert "cdn" not in body.lower()


def test_healthz_answers_ok(client, db):
    assert client.get("/healthz").content == b"ok"


def _grow_catalogue(n):
    Studio.load()
    for _ in range(n):
        service = ServiceFactory()
        ServiceLengthFactory(service=service, minutes=30)
        ServiceLengthFactory(service=service, minutes=60)
        TherapistFactory(services=[service])


@pytest.mark.parametrize(
    "url_name", ["studio:home", "studio:service_list", "studio:therapist_list"]
)
def test_list_pages_keep_a_fixed_query_count(client, db, django_assert_max_num_queries, url_name):
    _grow_catalogue(3)
    with django_assert_max_num_queries(4):
        assert client.get(reverse(url_name)).status_code == 200
    _grow_catalogue(30)
    with django_assert_max_num_queries(4):
        assert client.get(reverse(url_name)).status_code == 200
