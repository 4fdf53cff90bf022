"""Calma speaks Catalan, Spanish and English: the URL's language, else the browser's, else
the studio's default (Catalan for the demo studio)."""

import re

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from studio.models import Language, Studio

pytestmark = pytest.mark.django_db

NAV = {"ca": "Massatges", "es": "Masajes", "en": "Massages"}


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)">', html).group(1)


def test_calma_speaks_the_languages_of_its_settings():
    assert [code for code, _name in settings.LANGUAGES] == list(Language.values)
    assert dict(settings.LANGUAGES) == dict(Language.choices)


@pytest.mark.parametrize("code", ["ca", "es", "en"])
def test_a_page_under_a_language_is_in_that_language(client, demo_studio, code):
    with translation.override(code):
        url = reverse("studio:service_list")
    assert url.startswith(f"/{code}/")

    html = client.get(url).content.decode()

    assert _lang(html) == code
    assert NAV[code] in html


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-ES,es;q=0.9,en;q=0.5", "es"),
        ("ca", "ca"),
        ("en-GB,en;q=0.8", "en"),
        ("fr-FR,de;q=0.8,es;q=0.3", "es"),  # the first language Calma speaks, in the order asked
        ("fr-FR,de;q=0.8", "ca"),  # none Calma speaks: the studio's own
        ("", "ca"),
    ],
)
def test_an_address_without_a_language_goes_to_the_browsers_or_the_studios(
    demo_studio, header, expected
):
    response = Browser(HTTP_ACCEPT_LANGUAGE=header).get("/services/?x=1")

    assert response.status_code == 302
    assert response.url == f"/{expected}/services/?x=1"


def test_the_studios_default_language_is_its_own_setting(demo_studio):
    studio = Studio.load()
    studio.default_language = "es"
    studio.save()

    assert Browser().get("/").url == "/es/"


def test_the_language_a_visitor_chose_before_wins_over_the_browsers(demo_studio):
    browser = Browser(HTTP_ACCEPT_LANGUAGE="es")
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    assert browser.get("/").url == "/en/"


def test_the_health_check_has_no_language_and_no_redirect(client, db):
    response = client.get("/healthz")

    assert (response.status_code, response.content) == (200, b"ok")


def test_every_page_links_to_itself_in_each_language(client, demo_studio):
    html = client.get("/ca/services/leg-massage/?ignored=1").content.decode()
    links = re.findall(r'<a class="nav-link px-2( active)?" href="([^"]+)" lang="(\w+)"', html)

    assert [(href, code, bool(active)) for active, href, code in links] == [
        ("/ca/services/leg-massage/", "ca", True),
        ("/es/services/leg-massage/", "es", False),
        ("/en/services/leg-massage/", "en", False),
    ]
    assert '<a class="nav-link px-2 active" href="/ca/services/leg-massage/" lang="ca" ' in html
    assert 'aria-current="true" aria-label="Català">' in html
    assert '<span class="d-none d-sm-inline">Català</span>' in html


def test_a_page_with_no_other_language_links_to_the_home_page_in_each(client, demo_studio):
    html = client.get("/ca/no/such/page/").content.decode()

    assert 'href="/es/" lang="es"' in html
    assert 'href="/en/" lang="en"' in html


def test_the_stored_week_of_times_is_kept_apart_for_each_language(client, demo_studio):
    """A times page stored in Catalan is never served to a Spanish or English visitor."""
    pages = {}
    for code in ("ca", "es", "en", "ca"):
        with translation.override(code):
            url = reverse("bookings:booking_times", args=["leg-massage"])
        pages.setdefault(code, []).append(client.get(url).content.decode())

    assert _lang(pages["ca"][0]) == _lang(pages["ca"][1]) == "ca"
    assert _lang(pages["es"][0]) == "es"
    assert _lang(pages["en"][0]) == "en"
    assert NAV["es"] in pages["es"][0] and NAV["ca"] not in pages["es"][0]


def test_a_request_leaves_the_threads_language_as_it_was(client, demo_studio):
    client.get("/ca/services/")

    assert translation.get_language() == "en"


class _Counter:
    """Counts its reads: a kept chrome is not rendered again, so it does not read this."""

    def __init__(self):
        self.reads = 0

    @property
    def read(self) -> int:
        self.reads += 1
        return self.reads


def test_a_visitors_chrome_is_rendered_once_per_page_and_language(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines

    page = engines["django"].from_string(
        "{% load calma i18n %}{% visitor_chrome %}{% get_current_language as code %}"
        "{{ counter.read }} {{ code }} {{ request.path }}{% endvisitor_chrome %}"
    )
    counter = _Counter()

    def shown(path: str, code: str, user=None) -> str:
        request = rf.get(path)
        request.user = user or AnonymousUser()
        with translation.override(code):
            return page.render({"counter": counter}, request)

    assert shown("/ca/a/", "ca") == "1 ca /ca/a/"
    assert shown("/ca/a/", "ca") == "1 ca /ca/a/"  # kept
    assert shown("/es/a/", "es") == "2 es /es/a/"
    assert shown("/ca/b/", "ca") == "3 ca /ca/b/"
    assert shown("/ca/a/", "es") == "4 es /ca/a/"
    assert shown("/ca/a/", "ca") == "1 ca /ca/a/"


def test_a_block_in_the_chrome_is_filled_by_the_page_that_extends_it(rf):
    """The chrome answers ``{% extends %}``'s search for blocks from what it found once."""
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Engine

    engine = Engine(
        loaders=[
            (
                "django.template.loaders.locmem.Loader",
                {
                    "base.html": "{% load calma %}{% visitor_chrome %}[{% block nav %}base"
                    "{% endblock nav %}]{% endvisitor_chrome %}",
                    "page.html": "{% extends 'base.html' %}{% block nav %}page+{{ block.super }}"
                    "{% endblock nav %}",
                    "other.html": "{% extends 'base.html' %}",
                },
            )
        ],
        libraries={"calma": "studio.templatetags.calma"},
    )
    request = rf.get("/ca/")
    request.user = AnonymousUser()

    def shown(name: str) -> str:
        return engine.get_template(name).render(Context({"request": request}))

    assert shown("page.html") == "[page+base]"
    assert shown("other.html") == "[base]"
    assert shown("page.html") == "[page+base]"
    assert shown("base.html") == "[base]"


@pytest.mark.django_db
def test_a_signed_in_person_never_gets_a_visitors_chrome(rf, django_user_model):
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines

    page = engines["django"].from_string(
        "{% load calma %}{% visitor_chrome %}{{ counter.read }} {{ request.user.get_username }}"
        "{% endvisitor_chrome %}"
    )
    counter = _Counter()
    person = django_user_model.objects.create_user("marta")

    def shown(viewer, **context) -> str:
        request = rf.get("/ca/")
        request.user = viewer
        return page.render({"counter": counter, **context}, request)

    assert shown(AnonymousUser()) == "1 "
    assert shown(person) == "2 marta"
    assert shown(person) == "3 marta"
    # The request's user decides, whatever a page's context calls "user".
    assert shown(person, user=AnonymousUser()) == "4 marta"
    assert shown(AnonymousUser()) == "1 "


def test_staff_see_their_own_menu_on_a_page_a_visitor_saw_first(client, demo_studio):
    from django.contrib.auth.models import User

    from tests import auth

    visitor = client.get("/ca/no/such/page/").content.decode()
    desk = auth.sign_in(Browser(), User.objects.get(username="frontdesk"))
    staff = desk.get("/ca/no/such/page/").content.decode()
    again = client.get("/ca/no/such/page/").content.decode()

    login = f'href="{reverse_in("ca", "accounts:login")}"'
    calendar = f'href="{reverse_in("ca", "bookings:staff_calendar")}"'
    assert login in visitor and calendar not in visitor
    assert calendar in staff and login not in staff and "frontdesk" in staff
    assert login in again and calendar not in again and "frontdesk" not in again


def reverse_in(code: str, name: str) -> str:
    with translation.override(code):
        return reverse(name)
