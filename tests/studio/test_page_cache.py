"""The stored catalogue pages (studio/page_cache.py): served with no query, never stale.

Home, the list of massages, each massage's page and the therapists are the same for every
visitor who is not signed in. The test settings keep them in this process's memory (emptied
before each test), as Redis does in production.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client as Browser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from studio import page_cache
from studio.models import Room, Service, ServiceLength, Studio, Therapist
from tests.auth import sign_in
from tests.studio.test_admin import _therapist_form

pytestmark = pytest.mark.django_db

LEG = "leg-massage"
LANGUAGES = ("en", "ca", "es")
_HEADER_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
_NONCE = re.compile(r'nonce="([^"]*)"')


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def service_url(language: str = "en") -> str:
    return url("studio:service_detail", language, slug=LEG)


PAGES = [
    ("studio:home", {}),
    ("studio:service_list", {}),
    ("studio:service_detail", {"slug": LEG}),
    ("studio:therapist_list", {}),
]


def text(browser: Browser, address: str) -> str:
    response = browser.get(address)
    assert response.status_code == 200
    return response.content.decode()


def message_cookie(message: str) -> str:
    """Return the messages cookie a redirect leaves after ``messages.info(message)``."""
    storage = CookieStorage(RequestFactory().get("/"))
    response = HttpResponse()
    storage._store([Message(constants.INFO, message)], response)
    return response.cookies[storage.cookie_name].value


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_a_second_visitor_gets_the_stored_page_with_no_query(
    demo_studio, name, kwargs, django_assert_max_num_queries
):
    """The catalogue page is rendered once; the next visitor, cookies kept, costs no query."""
    address = url(name, **kwargs)
    first = text(Browser(), address)
    visitor = Browser()
    text(visitor, address)  # the visitor's first page gives them their CSRF cookie
    with django_assert_max_num_queries(0):
        again = text(visitor, address)
    assert _NONCE.sub("", _HEADER_TOKEN.sub("", again)) == _NONCE.sub(
        "", _HEADER_TOKEN.sub("", first)
    )
    assert page_cache.CSRF_PLACEHOLDER not in again
    assert page_cache.NONCE_PLACEHOLDER not in again


def test_each_visitor_gets_their_own_csrf_token_and_each_response_its_own_nonce(demo_studio):
    """The stored page holds neither: they are this visitor's and this response's."""
    address = service_url()
    text(Browser(), address)
    first, second = Browser(), Browser()
    pages = [first.get(address), second.get(address), first.get(address)]
    tokens = [_HEADER_TOKEN.search(page.content.decode()).group(1) for page in pages]
    nonces = [_NONCE.search(page.content.decode()).group(1) for page in pages]
    assert len(set(tokens)) == 3  # masked afresh every time
    assert len(set(nonces)) == 3
    for page, nonce in zip(pages, nonces, strict=True):
        assert f"'nonce-{nonce}'" in page["Content-Security-Policy"]
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_catalogue_edit_shows_on_the_next_request_in_every_language(demo_studio, language):
    """A saved service, length, therapist, room or studio replaces every stored page."""
    visitor = Browser()
    page = service_url(language)
    home = url("studio:home", language)
    text(visitor, page), text(visitor, home)

    service = Service.objects.get(slug=LEG)
    setattr(service, f"summary_{language}", f"Freshly written ({language}).")
    service.save()
    assert f"Freshly written ({language})." in text(visitor, page)
    assert f"Freshly written ({language})." in text(visitor, home)

    length = service.lengths.order_by("minutes").first()
    ServiceLength.objects.filter(pk=length.pk).first().delete()
    assert f"{length.minutes} min" not in text(visitor, page)

    therapist = service.therapists.first()
    therapist.display_name = "Renamed Therapist"
    therapist.save()
    assert "Renamed Therapist" in text(visitor, page)

    therapist.services.remove(service)  # a relation, not a save
    assert "Renamed Therapist" not in text(visitor, page)

    studio = Studio.load()
    studio.name = "Calma Gràcia"
    studio.save()
    assert "Calma Gràcia" in text(visitor, home)

    Room.objects.create(name="Room Z", slug="room-z").delete()  # every write counts
    assert "Calma Gràcia" in text(visitor, home)


def test_an_edit_in_the_admin_shows_at_once(demo_studio):
    """The admin saves through the models: its edits replace the stored pages too."""
    visitor = Browser()
    page = service_url()
    assert "Ana from the admin" not in text(visitor, page)
    owner = Browser()
    sign_in(owner, User.objects.get(username="owner"))
    therapist = Therapist.objects.get(slug="ana")
    assert therapist.services.filter(slug=LEG).exists()
    data = {**_therapist_form(therapist, []), "display_name": "Ana from the admin"}
    data["language"] = therapist.language
    change = reverse("admin:studio_therapist_change", args=[therapist.pk])
    response = owner.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Ana from the admin" in text(visitor, page)


def test_staff_get_their_own_navigation_and_visitors_never_do(demo_studio):
    """A signed-in user never gets the visitors' stored page, nor stores theirs for them."""
    frontdesk = Browser()
    sign_in(frontdesk, User.objects.get(username="frontdesk"))
    for name, kwargs in PAGES:
        address = url(name, **kwargs)
        staff_first = text(frontdesk, address)
        assert "Log out" in staff_first
        visitor_page = text(Browser(), address)
        assert "Log out" not in visitor_page
        assert "Staff login" in visitor_page
        assert "Log out" in text(frontdesk, address)
        assert "Log out" not in text(Browser(), address)


def test_a_pending_message_is_shown_once_and_never_stored(demo_studio):
    """A message shows on a stored catalogue page to its visitor alone, and only once."""
    address = service_url()
    text(Browser(), address)
    visitor = Browser()
    visitor.cookies["messages"] = message_cookie("See you soon, Zoe.")
    assert "See you soon, Zoe." in text(visitor, address)
    assert "See you soon, Zoe." not in text(visitor, address)
    assert "See you soon, Zoe." not in text(Browser(), address)


def test_without_a_shared_cache_every_page_is_rendered_afresh(demo_studio, settings):
    """With storing off (no Redis), a write by any process shows, even one with no signal."""
    settings.CALMA_TIMES_CACHE_SECONDS = 0
    cache.clear()
    visitor = Browser()
    address = service_url()
    text(visitor, address)
    Service.objects.filter(slug=LEG).update(summary_en="Changed by another process.")
    assert "Changed by another process." in text(visitor, address)
    assert not cache.get(page_cache.CATALOGUE_VERSION_KEY)


def test_an_unknown_massage_is_not_found_and_nothing_is_stored(demo_studio):
    assert Browser().get(url("studio:service_detail", slug="no-such-massage")).status_code == 404
    assert Browser().get(url("studio:service_detail", slug="no-such-massage")).status_code == 404


def test_the_csrf_cookie_is_set_once_and_its_token_still_works(demo_studio):
    """The first page sets the cookie; later pages send none, and their token is accepted."""
    visitor = Browser(enforce_csrf_checks=True)
    first = visitor.get(service_url())
    assert "csrftoken" in first.cookies
    for _ in range(2):
        again = visitor.get(service_url())
        assert "csrftoken" not in again.cookies
        assert "Cookie" in again["Vary"]
    token = _HEADER_TOKEN.search(again.content.decode()).group(1)
    response = visitor.post(url("bookings:booking_hold", slug=LEG), {"csrfmiddlewaretoken": token})
    assert response.status_code != 403
    assert visitor.post(url("bookings:booking_hold", slug=LEG), {}).status_code == 403


def test_a_cookie_that_is_not_a_secret_is_replaced(demo_studio):
    """A new secret is still sent whenever the page's is not the one the visitor holds."""
    visitor = Browser()
    visitor.get(service_url())
    visitor.cookies["csrftoken"] = "not-a-secret"
    response = visitor.get(service_url())
    assert response.cookies["csrftoken"].value not in ("", "not-a-secret")
    assert "csrftoken" not in visitor.get(service_url()).cookies


def test_an_address_without_a_language_is_redirected_before_the_view(
    demo_studio, django_assert_max_num_queries
):
    """/services/leg-massage/ goes to /en/services/leg-massage/ with no page rendered."""
    visitor = Browser(HTTP_ACCEPT_LANGUAGE="ca")
    with django_assert_max_num_queries(0):
        response = visitor.get(f"/services/{LEG}/?from=mail")
    assert response.status_code == 302
    assert response["Location"] == f"/ca/services/{LEG}/?from=mail"
    assert not response.cookies
    assert visitor.get("/services/leg-massage").status_code in (301, 302)
    assert visitor.get("/no-such-page/").status_code == 404
    assert Browser().get("/healthz").status_code == 200
