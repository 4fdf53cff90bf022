"""Security headers on every page: the Content-Security-Policy, the Permissions-Policy,
Referrer-Policy, nosniff, Cross-Origin-Opener-Policy, and Cache-Control: no-store on every
page but the public catalogue and free times.

Every named URL of the project's views is requested once, as the person who may see it, so a
URL added later without an entry here fails ``test_every_url_of_the_site_is_requested``.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from bookings.messages.links import (
    aftercare_token,
    client_proof,
    intake_token,
    reminder_token,
    rescreen_token,
)
from bookings.models import Booking, BookingStatus
from intake.models import ConsentText, Questionnaire
from intake.services import questionnaire_copy_as_draft
from studio.middleware import CACHEABLE_URL_NAMES
from studio.models import Therapist
from tests.bookings.staff.conftest import at, next_monday
from tests.factories import SubmissionFactory, WaitlistEntryFactory
from tests.intake.conftest import give_details, hold, staff_browser
from tests.routes import routes

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"


@dataclass(frozen=True)
class Page:
    name: str  # the URL's name
    # "anyone", "visitor" (the browser holding a time), "frontdesk", "ana", "owner", or
    # "newcomer" (a therapist signed in with a password, before the second factor)
    who: str
    url: str
    status: int = 200


@pytest.fixture
def site(demo_studio):
    """The demo studio with a held time, a booking awaiting review and a phone booking."""
    visitor = Browser()
    held = hold(visitor, "leg-massage")
    give_details(visitor, held, name="Vera Visitor", email="vera@example.com")
    monday = next_monday()
    ana = Therapist.objects.get(slug="ana")
    review = SubmissionFactory(
        booking__service=held.service,
        booking__length=held.length,
        booking__therapist=ana,
        booking__room=held.room,
        booking__start_at=at(monday, 10),
    ).booking
    phone = Booking.objects.create(
        client=review.client,
        service=review.service,
        length=review.length,
        therapist=ana,
        room=review.room,
        start_at=at(monday, 12),
        end_at=at(monday, 13),
        blocked_until=at(monday, 13, 10),
        price=review.price,
        status=BookingStatus.HELD,
        source=Booking.Source.PHONE,
        hold_expires_at=timezone.now() + timedelta(hours=1),
    )
    # Carla has signed in with her password and not set up her second factor yet.
    newcomer = Browser()
    newcomer.force_login(User.objects.get(username="carla"))
    # The emailed manage link proves the client to this browser (export, erase).
    assert visitor.get(f"{review.get_manage_url()}?k={client_proof(review)}").status_code == 200
    return {
        "browsers": {
            "anyone": Browser(),
            "visitor": visitor,
            "frontdesk": staff_browser("frontdesk"),
            "ana": staff_browser("ana"),
            "owner": staff_browser("owner"),
            "newcomer": newcomer,
        },
        "held": held,
        "review": review,
        "phone": phone,
        "ana": ana,
    }


def _pages(site) -> list[Page]:
    held, review, phone, ana = site["held"], site["review"], site["phone"], site["ana"]
    token = review.manage_token
    day = f"?date={timezone.localtime(review.start_at).date():%Y-%m-%d}"
    staff = {"public_id": review.public_id}
    waiting = WaitlistEntryFactory(
        service=review.service,
        length=review.length,
        first_day=timezone.localdate(review.start_at),
    )
    return [
        Page("studio:home", "anyone", reverse("studio:home")),
        Page("studio:service_list", "anyone", reverse("studio:service_list")),
        Page(
            "studio:service_detail",
            "anyone",
            reverse("studio:service_detail", args=["leg-massage"]),
        ),
        Page("studio:therapist_list", "anyone", reverse("studio:therapist_list")),
        Page("bookings:booking_start", "anyone", reverse("bookings:booking_start")),
        Page(
            "bookings:booking_times",
            "anyone",
            reverse("bookings:booking_times", args=["leg-massage"]),
        ),
        Page("healthz", "anyone", reverse("healthz")),
        Page("accounts:login", "anyone", reverse("accounts:login")),
        Page("accounts:logout", "anyone", reverse("accounts:logout"), 405),
        Page("accounts:password_reset", "anyone", reverse("accounts:password_reset")),
        Page("accounts:account", "ana", reverse("accounts:account")),
        Page("accounts:mfa_setup", "newcomer", reverse("accounts:mfa_setup")),
        Page("accounts:mfa_setup_qr", "newcomer", reverse("accounts:mfa_setup_qr")),
        Page("accounts:mfa_verify", "newcomer", reverse("accounts:mfa_verify"), 302),
        Page(
            "bookings:booking_hold",
            "visitor",
            reverse("bookings:booking_hold", args=["leg-massage"]),
            405,
        ),
        Page(
            "bookings:booking_details",
            "visitor",
            reverse("bookings:booking_details", args=[held.public_id]),
        ),
        Page("intake:intake_form", "visitor", reverse("intake:intake_form", args=[held.public_id])),
        # A live hold's "ran out" page sends it back to its step; renewing is a POST.
        Page(
            "bookings:booking_expired",
            "visitor",
            reverse("bookings:booking_expired", args=[held.public_id]),
            302,
        ),
        Page(
            "bookings:booking_renew",
            "visitor",
            reverse("bookings:booking_renew", args=[held.public_id]),
            405,
        ),
        Page(
            "bookings:booking_manage", "visitor", reverse("bookings:booking_manage", args=[token])
        ),
        Page("bookings:booking_ics", "visitor", reverse("bookings:booking_ics", args=[token])),
        Page(
            "bookings:booking_cancel",
            "visitor",
            reverse("bookings:booking_cancel", args=[token]),
            405,
        ),
        Page(
            "bookings:booking_reschedule",
            "visitor",
            reverse("bookings:booking_reschedule", args=[token]),
        ),
        Page("intake:client_data", "visitor", reverse("intake:client_data", args=[token])),
        Page("intake:client_erase", "visitor", reverse("intake:client_erase", args=[token])),
        Page(
            "intake:client_send_link",
            "visitor",
            reverse("intake:client_send_link", args=[token]),
            405,
        ),
        Page(
            "intake:phone_intake",
            "anyone",
            reverse("intake:phone_intake", args=[intake_token(phone)]),
            302,
        ),
        Page(
            "intake:rescreen", "anyone", reverse("intake:rescreen", args=[rescreen_token(review)])
        ),
        Page(
            "bookings:waitlist_join",
            "anyone",
            reverse("bookings:waitlist_join", args=["leg-massage"]),
        ),
        Page(
            "bookings:waitlist_entry",
            "anyone",
            reverse("bookings:waitlist_entry", args=["made-up-token"]),
            404,
        ),
        Page(
            "bookings:waitlist_offer",
            "anyone",
            reverse("bookings:waitlist_offer", args=["made-up-token"]),
            404,
        ),
        Page(
            "intake:aftercare",
            "anyone",
            reverse("intake:aftercare", args=[aftercare_token(review)]),
        ),
        Page(
            "bookings:reminder_answer",
            "anyone",
            reverse("bookings:reminder_answer", args=[reminder_token(review)]),
        ),
        Page(
            "bookings:therapist_feed",
            "anyone",
            reverse("bookings:therapist_feed", args=[ana.calendar_token]),
        ),
        Page("bookings:staff_calendar", "frontdesk", reverse("bookings:staff_calendar") + day),
        Page("bookings:staff_phone_booking", "frontdesk", reverse("bookings:staff_phone_booking")),
        Page("owner:home", "owner", reverse("owner:home")),
        Page("team:team", "owner", reverse("team:team")),
        Page("studio:policies", "owner", reverse("studio:policies")),
        Page("intake:versions", "owner", reverse("intake:versions")),
        Page(
            "intake:version_detail",
            "owner",
            reverse("intake:version_detail", kwargs={"pk": Questionnaire.objects.first().pk}),
        ),
        Page(
            "intake:version_copy",
            "owner",
            reverse("intake:version_copy", kwargs={"pk": Questionnaire.objects.first().pk}),
            405,
        ),
        Page(
            "intake:version_publish",
            "owner",
            reverse("intake:version_publish", kwargs={"pk": Questionnaire.objects.first().pk}),
            405,
        ),
        Page("team:therapist_edit", "owner", reverse("team:therapist_edit", args=["ana"])),
        Page("owner:report", "owner", reverse("owner:report", kwargs={"key": "revenue"})),
        Page(
            "bookings:staff_booking", "frontdesk", reverse("bookings:staff_booking", kwargs=staff)
        ),
        Page(
            "bookings:staff_booking_move",
            "frontdesk",
            reverse("bookings:staff_booking_move", kwargs=staff),
            405,
        ),
        Page(
            "bookings:staff_booking_cancel",
            "frontdesk",
            reverse("bookings:staff_booking_cancel", kwargs=staff),
            405,
        ),
        Page(
            "bookings:staff_booking_mark",
            "frontdesk",
            reverse("bookings:staff_booking_mark", kwargs=staff),
            405,
        ),
        Page(
            "bookings:staff_booking_confirm",
            "frontdesk",
            reverse("bookings:staff_booking_confirm", kwargs=staff),
            405,
        ),
        Page(
            "bookings:staff_booking_link",
            "frontdesk",
            reverse("bookings:staff_booking_link", kwargs=staff),
            405,
        ),
        Page("bookings:staff_block", "frontdesk", reverse("bookings:staff_block")),
        Page(
            "bookings:staff_waitlist_remove",
            "frontdesk",
            reverse("bookings:staff_waitlist_remove", args=[waiting.pk]),
            405,
        ),
        Page(
            "bookings:staff_waitlist_offer",
            "frontdesk",
            reverse("bookings:staff_waitlist_offer", args=[waiting.pk]),
        ),
        Page("bookings:staff_clients", "frontdesk", reverse("bookings:staff_clients") + "?q=a"),
        Page(
            "bookings:staff_client",
            "frontdesk",
            reverse("bookings:staff_client", args=[review.client_id]),
        ),
        *_catalogue_pages(review),
        *_draft_pages(),
        *_rooms_pages(review),
        Page("bookings:my_day", "ana", reverse("bookings:my_day") + day),
        Page("bookings:my_week", "ana", reverse("bookings:my_week") + day),
        Page("bookings:my_block", "ana", reverse("bookings:my_block")),
        Page("bookings:my_feed", "ana", reverse("bookings:my_feed")),
        Page("intake:review_queue", "ana", reverse("intake:review_queue")),
        Page("intake:review_detail", "ana", reverse("intake:review_detail", kwargs=staff)),
        Page("intake:intake_answers", "ana", reverse("intake:intake_answers", kwargs=staff)),
        Page("intake:session_note", "ana", reverse("intake:session_note", kwargs=staff)),
        Page(
            "intake:session_note_addendum",
            "ana",
            reverse("intake:session_note_addendum", kwargs=staff),
            405,
        ),
        # The admin, for the client's data and the access log.
        Page("admin:index", "owner", reverse("admin:index")),
        Page("admin:bookings_client_changelist", "owner", "/en/admin/bookings/client/"),
        Page(
            "admin:bookings_client_change",
            "owner",
            reverse("admin:bookings_client_change", args=[review.client_id]),
        ),
        Page("admin:bookings_booking_changelist", "frontdesk", "/en/admin/bookings/booking/"),
        Page("admin:intake_accesslog_changelist", "owner", "/en/admin/intake/accesslog/"),
    ]


def _catalogue_pages(booking) -> list[Page]:
    service, length = {"pk": booking.service_id}, {"pk": booking.length_id}
    return [
        Page("catalogue:index", "frontdesk", reverse("catalogue:index")),
        Page("catalogue:service_add", "frontdesk", reverse("catalogue:service_add")),
        Page(
            "catalogue:service_edit", "frontdesk", reverse("catalogue:service_edit", kwargs=service)
        ),
        Page(
            "catalogue:service_move",
            "frontdesk",
            reverse("catalogue:service_move", kwargs=service),
            405,
        ),
        Page(
            "catalogue:service_active",
            "frontdesk",
            reverse("catalogue:service_active", kwargs=service),
            405,
        ),
        Page("catalogue:length_add", "frontdesk", reverse("catalogue:length_add", kwargs=service)),
        Page("catalogue:length_edit", "frontdesk", reverse("catalogue:length_edit", kwargs=length)),
        Page(
            "catalogue:length_active",
            "frontdesk",
            reverse("catalogue:length_active", kwargs=length),
            405,
        ),
    ]


def _draft_pages() -> list[Page]:
    """A draft version's pages: its title, and adding, editing, moving and removing questions."""
    current = Questionnaire.objects.get(kind="booking", published_at__isnull=False)
    draft = questionnaire_copy_as_draft(questionnaire=current)
    version = {"pk": draft.pk}
    question = version | {"question_pk": draft.questions.get(code="pregnant").pk}
    consent = {"pk": ConsentText.objects.get().pk}
    return [
        Page("intake:consent_detail", "owner", reverse("intake:consent_detail", kwargs=consent)),
        Page("intake:consent_copy", "owner", reverse("intake:consent_copy", kwargs=consent), 405),
        Page(
            "intake:consent_publish",
            "owner",
            reverse("intake:consent_publish", kwargs=consent),
            405,
        ),
        Page("intake:version_title", "owner", reverse("intake:version_title", kwargs=version), 405),
        Page("intake:question_add", "owner", reverse("intake:question_add", kwargs=version)),
        Page("intake:question_edit", "owner", reverse("intake:question_edit", kwargs=question)),
        Page(
            "intake:question_move", "owner", reverse("intake:question_move", kwargs=question), 405
        ),
        Page(
            "intake:question_remove",
            "owner",
            reverse("intake:question_remove", kwargs=question),
            405,
        ),
    ]


def _rooms_pages(booking) -> list[Page]:
    room = {"pk": booking.room_id}
    return [
        Page("rooms:index", "frontdesk", reverse("rooms:index")),
        Page("rooms:room_edit", "frontdesk", reverse("rooms:room_edit", kwargs=room)),
        Page("rooms:room_active", "frontdesk", reverse("rooms:room_active", kwargs=room), 405),
    ]


def _named_urls() -> set[str]:
    """Return the names of the URLs whose views are the project's own (not the admin's)."""
    return {route.name for route in routes() if route.module.split(".")[0] in settings.LOCAL_APPS}


@pytest.fixture
def responses(site):
    """Request every page once, as whoever may see it."""
    return [(page, site["browsers"][page.who].get(page.url, follow=False)) for page in _pages(site)]


def test_every_url_of_the_site_is_requested(site):
    """The table of pages names every URL of the project's own views.

    Pages of Django and other packages (login, the admin) get the same headers from the
    same middleware; a few of them are in the table as well.
    """
    requested = {page.name for page in _pages(site)}
    own = _named_urls()
    assert {
        "studio:home",
        "bookings:booking_manage",
        "intake:intake_answers",
        "bookings:staff_calendar",
    } <= own
    assert own - requested == set()


def test_every_page_answers_as_expected_for_its_viewer(responses):
    """The pages are real pages, not a login redirect or a 404 that proves nothing."""
    wrong = [
        (page.name, page.url, response.status_code)
        for page, response in responses
        if response.status_code != page.status
    ]
    assert not wrong


def _policy(response) -> dict[str, list[str]]:
    policy = {}
    for directive in response[CSP].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def test_every_page_sends_the_policy_without_unsafe_inline(responses):
    """Scripts and styles from this site or with the nonce; no framing, plugins or base."""
    for page, response in responses:
        assert CSP in response, page
        policy = _policy(response)
        assert "'unsafe-inline'" not in response[CSP], page
        assert "'unsafe-eval'" not in response[CSP], page
        assert policy["default-src"] == ["'self'"], page
        for directive in ("script-src", "style-src"):
            assert policy[directive][0] == "'self'", (page, policy)
            assert all(v == "'self'" or v.startswith("'nonce-") for v in policy[directive])
        assert policy["img-src"] == ["'self'", "data:"], page
        assert policy["object-src"] == ["'none'"], page
        assert policy["frame-ancestors"] == ["'none'"], page
        assert policy["form-action"] == ["'self'"], page
        assert policy["base-uri"] == ["'self'"], page


NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def test_every_html_page_carries_a_fresh_nonce_on_its_scripts(client, demo_studio):
    """Each response has its own nonce, and the page's script tags carry that one.

    The times page is asked for twice: the second answer is the stored week
    (bookings/times_cache.py), which must not repeat the first one's nonce.
    """
    times = reverse("bookings:booking_times", args=["leg-massage"])
    nonces = []
    home = reverse("studio:home")
    for path in [home, home, reverse("studio:service_list"), times, times]:
        response = client.get(path)
        header = NONCE.findall(response[CSP])
        assert len(set(header)) == 1, response[CSP]
        nonce = header[0]
        html = response.content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts
        for tag in scripts:
            assert f'nonce="{nonce}"' in tag, tag
        nonces.append(nonce)
    assert len(set(nonces)) == len(nonces)
    assert all(len(nonce) >= 22 for nonce in nonces)


def test_every_page_denies_powerful_features_and_leaks_no_referrer(responses):
    """Permissions-Policy denies camera, microphone and the rest; the other headers are set."""
    for page, response in responses:
        features = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial"):
            assert features.get(feature) == "()", (page, feature)
        assert response["Referrer-Policy"] == "same-origin", page
        assert response["X-Content-Type-Options"] == "nosniff", page
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", page
        assert response["X-Frame-Options"] == "DENY", page


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


def test_every_page_but_the_public_ones_is_not_stored(responses):
    """Answers, reasons, adaptations, client details, the calendar, the admin: no-store."""
    for page, response in responses:
        public = page.name in CACHEABLE_URL_NAMES and page.who == "anyone"
        assert _no_store(response) is not public, (page, response.get("Cache-Control"))


def test_the_pages_with_health_data_or_client_details_are_not_stored(responses):
    """The pages the design names are among the no-store ones, whatever the list above says."""
    private = {
        "bookings:booking_manage",
        "bookings:booking_ics",
        "bookings:booking_reschedule",
        "bookings:booking_details",
        "bookings:booking_expired",
        "intake:intake_form",
        "intake:phone_intake",
        "intake:rescreen",
        "bookings:reminder_answer",
        "intake:client_data",
        "intake:client_erase",
        "bookings:therapist_feed",
        "intake:review_queue",
        "intake:review_detail",
        "intake:intake_answers",
        "bookings:staff_booking",
        "bookings:staff_clients",
        "bookings:staff_client",
        "bookings:staff_phone_booking",
        "bookings:staff_calendar",
        "owner:home",
        "owner:report",
        "bookings:my_day",
        "bookings:my_week",
        "catalogue:index",
        "rooms:index",
        "admin:index",
        "admin:bookings_client_changelist",
        "admin:bookings_client_change",
        "admin:bookings_booking_changelist",
        "admin:intake_accesslog_changelist",
    }
    assert not private & CACHEABLE_URL_NAMES
    seen = {page.name for page, response in responses if _no_store(response)}
    assert private <= seen


def test_a_public_page_is_not_stored_for_someone_signed_in(site):
    """Signed in, the header names the person and their reviews: even /services/ is private."""
    response = site["browsers"]["ana"].get(reverse("studio:service_list"))
    assert response.status_code == 200
    assert _no_store(response)
    assert not _no_store(site["browsers"]["anyone"].get(reverse("studio:service_list")))


def test_static_files_stay_cacheable(client):
    """Static files are not pages: whitenoise serves them before the no-store rule."""
    response = client.get(settings.STATIC_URL.rstrip("/") + "/css/calma.css")
    assert response.status_code == 200
    assert not _no_store(response)


# --- The rule for templates: nothing inline that the policy would refuse ----------------------

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Emails are read in mail clients, not under the site's policy; they need inline styles.
NOT_UNDER_THE_POLICY = ("emails/",)
INLINE = {
    "inline <script> (use a static file)": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> block (use static/css)": re.compile(r"<style\b", re.I),
    'style="…" attribute (use a class)': re.compile(r"\sstyle\s*=", re.I),
    "on…= event handler (use a static script)": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on (needs eval)": re.compile(r"\shx-on", re.I),
}


def test_no_template_holds_what_the_policy_refuses():
    """No inline script, style block, style attribute, handler or javascript: URL."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if relative.startswith(NOT_UNDER_THE_POLICY):
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"templates/{relative}:{line}: {what}")
    assert not found, "\n".join(found)
