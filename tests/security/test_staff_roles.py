"""Every URL of the project, for every role, against an explicit table of expected answers.

The design's "Who sees what": public pages for everyone; the front desk's pages for staff and
the owner; a therapist's own pages for therapists; health answers for the booking's therapist
and the owner only, with a 404 for anyone else; manage links for whoever holds the token,
since the link is the credential (a client's own data asks for the emailed proof on top).
A URL added without a row here fails the test.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client as Browser
from django.urls import get_resolver, reverse
from django.utils import timezone

from bookings.messages.links import aftercare_token, intake_token, reminder_token, rescreen_token
from bookings.models import Booking, BookingStatus
from intake.models import ConsentText, Questionnaire
from intake.services import questionnaire_copy_as_draft
from studio.roles import Role
from tests.auth import sign_in
from tests.bookings.staff.conftest import at
from tests.factories import ClientFactory, SubmissionFactory, UserFactory, WaitlistEntryFactory
from tests.routes import routes

pytestmark = pytest.mark.django_db

ANONYMOUS, CLIENT, ANA, BEN, STAFF, OWNER = (
    "anonymous",
    "client",
    "ana",
    "ben",
    "frontdesk",
    "owner",
)
ROLES = (ANONYMOUS, CLIENT, ANA, BEN, STAFF, OWNER)

# Outcomes, as `outcome()` reports them.
LOGIN = "302 to login"
ADMIN_LOGIN = "302 to the admin's login"


def everyone(answer) -> dict:
    return dict.fromkeys(ROLES, answer)


PUBLIC = everyone("200")
# The front desk's pages: staff and the owner run the whole calendar. Whoever may not see a
# page gets a 404; a visitor not signed in is asked to sign in, on pages naming no object.
FRONT_DESK = {ANONYMOUS: LOGIN, CLIENT: "404", ANA: "404", BEN: "404", STAFF: "200", OWNER: "200"}
# A page naming one booking or client: a 404 for anyone else, signed in or not.
FRONT_DESK_OBJECT = FRONT_DESK | {ANONYMOUS: "404"}
# Any signed-in account, for itself.
SIGNED_IN = everyone("200") | {ANONYMOUS: LOGIN}


def staff_accounts(answer) -> dict:
    return dict.fromkeys((ANA, BEN, STAFF, OWNER), answer)


# A therapist's own day, week, blocks and feed address: any therapist, for themselves.
THERAPIST = {ANONYMOUS: LOGIN, CLIENT: "404", ANA: "200", BEN: "200", STAFF: "404", OWNER: "404"}
# Health answers and the review of Ana's booking: Ana and the owner; a 404 for anyone else,
# the booking's own client included (they see their answers through their data export).
ANSWERS = {ANONYMOUS: "404", CLIENT: "404", ANA: "200", BEN: "404", STAFF: "404", OWNER: "200"}


def expected_answers(objects: dict) -> dict[str, tuple[str, dict]]:
    """Return, for every route, the method used and each role's expected answer."""
    card = reverse("bookings:staff_booking", kwargs={"public_id": objects["booking"].public_id})
    manage = objects["booking"].get_manage_url()
    phone_form = reverse(
        "intake:intake_form", kwargs={"public_id": objects["phone_hold"].public_id}
    )
    return {
        # Public pages.
        "/": ("GET", PUBLIC),
        "/services/": ("GET", PUBLIC),
        "/services/<slug:slug>/": ("GET", PUBLIC),
        "/therapists/": ("GET", PUBLIC),
        "/healthz": ("GET", PUBLIC),
        "/accounts/login/": ("GET", PUBLIC),
        "/accounts/logout/": ("POST", everyone("302 to /en/")),
        "/accounts/password/reset/": ("GET", PUBLIC),
        "/accounts/password/reset/sent/": ("GET", PUBLIC),
        # A made-up reset link: the page says it is no longer valid.
        "/accounts/password/reset/<uidb64>/<token>/": ("GET", PUBLIC),
        "/accounts/password/reset/done/": ("GET", PUBLIC),
        # Every account's own page and password; staff have passed their second factor here.
        "/accounts/": ("GET", SIGNED_IN),
        "/accounts/password/change/": ("GET", SIGNED_IN),
        "/accounts/password/change/done/": ("GET", SIGNED_IN),
        # Setting up the second factor: a client may choose to; staff already have it, so
        # they are sent on (to enter a code, which they have also done: to the home page).
        "/accounts/mfa/setup/": (
            "GET",
            SIGNED_IN | staff_accounts("302 to /en/accounts/mfa/verify/"),
        ),
        "/accounts/mfa/setup/qr.svg": ("GET", SIGNED_IN | staff_accounts("404")),
        "/accounts/mfa/verify/": (
            "GET",
            SIGNED_IN | {CLIENT: "302 to /en/accounts/mfa/setup/"} | staff_accounts("302 to /en/"),
        ),
        "/book/": ("GET", PUBLIC),
        "/book/<slug:slug>/": ("GET", PUBLIC),
        # An empty choice of time: the form says so, to anyone.
        "/book/<slug:slug>/hold/": ("POST", everyone("400")),
        # A hold belongs to the browser session that made it; nobody else's session has it.
        "/book/hold/<uuid:public_id>/": ("GET", everyone("404")),
        "/book/hold/<uuid:public_id>/health/": ("GET", everyone("404")),
        "/book/hold/<uuid:public_id>/expired/": ("GET", everyone("404")),
        "/book/hold/<uuid:public_id>/renew/": ("POST", everyone("404")),
        # The phone intake link puts the hold into whichever browser opens it.
        "/intake/<signed:token>/": ("GET", everyone(f"302 to {phone_form}")),
        # Manage links and the signed re-screen link: the token is the credential.
        "/b/<token:token>/": ("GET", PUBLIC),
        "/b/<token:token>/booking.ics": ("GET", PUBLIC),
        # A POST would cancel the booking for the other roles; GET shows the route is there.
        "/b/<token:token>/cancel/": ("GET", everyone("405")),
        "/b/<token:token>/reschedule/": ("GET", PUBLIC),
        # A client's own data needs more than the manage link: the browser must have opened
        # the emailed, signed link (the proof lives in that session, which no role here has).
        # An account the owner linked to the client is proof as good (see permissions).
        "/my-data/<token:token>/calma.json": ("GET", everyone("404") | {CLIENT: "200"}),
        "/my-data/<token:token>/erase/": ("GET", everyone("404") | {CLIENT: "200"}),
        # Anyone holding the manage link may ask for that proof to be emailed to the client.
        "/my-data/<token:token>/send-link/": ("POST", everyone(f"302 to {manage}")),
        "/rescreen/<signed:token>/": ("GET", PUBLIC),
        "/aftercare/<signed:token>/": ("GET", PUBLIC),
        # The reminder's answer page: showing it changes nothing, so any role may open it.
        "/reminder/<signed:token>/": ("GET", PUBLIC),
        # A waitlist offer opens with its own token alone: a made-up one is a 404 to all.
        "/waitlist/offer/<token:token>/": ("GET", everyone("404")),
        "/waitlist/<token:token>/": ("GET", everyone("404")),
        "/book/<slug:slug>/waitlist/": ("GET", PUBLIC),
        "/feeds/<token:token>.ics": ("GET", PUBLIC),
        # The front desk. POSTs carry no data: the permission check comes before the form.
        "/staff/calendar/": ("GET", FRONT_DESK),
        "/staff/bookings/new/": ("GET", FRONT_DESK),
        "/staff/bookings/<uuid:public_id>/": ("GET", FRONT_DESK_OBJECT),
        "/staff/bookings/<uuid:public_id>/move/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/staff/bookings/<uuid:public_id>/cancel/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/staff/bookings/<uuid:public_id>/mark/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: f"302 to {card}", OWNER: f"302 to {card}"},
        ),
        # Confirm a booking awaiting the front desk: this one is not, so the card says so.
        "/staff/bookings/<uuid:public_id>/confirm/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: f"302 to {card}", OWNER: f"302 to {card}"},
        ),
        # Revoke or renew the client's link: an empty POST chooses neither.
        "/staff/bookings/<uuid:public_id>/link/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: f"302 to {card}", OWNER: f"302 to {card}"},
        ),
        "/staff/block/": ("GET", FRONT_DESK),
        "/staff/waitlist/<int:pk>/remove/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/staff/waitlist/<int:pk>/offer/": ("GET", FRONT_DESK_OBJECT),
        "/staff/clients/": ("GET", FRONT_DESK),
        "/staff/clients/<int:pk>/": ("GET", FRONT_DESK_OBJECT),
        # The owner's home and reports: counts for the front desk, money and screening for
        # the owner alone (the report walked here is the revenue one).
        "/studio/": ("GET", FRONT_DESK),
        "/studio/reports/<slug:key>/": ("GET", FRONT_DESK | {STAFF: "404"}),
        # The team: therapists are named on the public pages, so a visitor signs in first.
        "/studio/team/": ("GET", FRONT_DESK),
        "/studio/policies/": ("GET", FRONT_DESK),
        "/studio/questionnaires/": ("GET", FRONT_DESK),
        "/studio/questionnaires/<int:pk>/": ("GET", FRONT_DESK_OBJECT),
        "/studio/questionnaires/<int:pk>/copy/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/studio/questionnaires/<int:pk>/publish/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/studio/consent/<int:pk>/": ("GET", FRONT_DESK_OBJECT),
        "/studio/consent/<int:pk>/copy/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/studio/consent/<int:pk>/publish/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/studio/questionnaires/<int:pk>/title/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/studio/questionnaires/<int:pk>/questions/new/": ("GET", FRONT_DESK_OBJECT),
        "/studio/questionnaires/<int:pk>/questions/<int:question_pk>/": (
            "GET",
            FRONT_DESK_OBJECT,
        ),
        "/studio/questionnaires/<int:pk>/questions/<int:question_pk>/move/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/studio/questionnaires/<int:pk>/questions/<int:question_pk>/remove/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/studio/team/<slug:slug>/": ("GET", FRONT_DESK),
        # The catalogue: the front desk and the owner. A POST naming no action changes
        # nothing and is refused after the permission check.
        "/studio/catalogue/": ("GET", FRONT_DESK),
        "/studio/catalogue/services/new/": ("GET", FRONT_DESK),
        "/studio/catalogue/services/<int:pk>/": ("GET", FRONT_DESK_OBJECT),
        "/studio/catalogue/services/<int:pk>/move/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/studio/catalogue/services/<int:pk>/active/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        "/studio/catalogue/services/<int:pk>/lengths/new/": ("GET", FRONT_DESK_OBJECT),
        "/studio/catalogue/lengths/<int:pk>/": ("GET", FRONT_DESK_OBJECT),
        "/studio/catalogue/lengths/<int:pk>/active/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        # The rooms: the same rules as the catalogue.
        "/studio/rooms/": ("GET", FRONT_DESK),
        "/studio/rooms/<int:pk>/": ("GET", FRONT_DESK_OBJECT),
        "/studio/rooms/<int:pk>/active/": (
            "POST",
            FRONT_DESK_OBJECT | {STAFF: "400", OWNER: "400"},
        ),
        # A therapist's own pages.
        "/me/day/": ("GET", THERAPIST),
        "/me/week/": ("GET", THERAPIST),
        "/me/block/": ("GET", THERAPIST),
        "/me/feed/": ("GET", THERAPIST),
        # The review queue: every therapist has one (theirs), the owner sees all of them.
        "/therapist/reviews/": ("GET", ANSWERS | {BEN: "200", ANONYMOUS: LOGIN}),
        "/therapist/reviews/<uuid:public_id>/": ("GET", ANSWERS),
        "/therapist/reviews/<uuid:public_id>/answers/": ("GET", ANSWERS),
        # Session notes: read like the answers; only the session's therapist adds to them
        # (a POST with no note behind it is a 404 for everyone).
        "/therapist/sessions/<uuid:public_id>/note/": ("GET", ANSWERS),
        "/therapist/sessions/<uuid:public_id>/note/addendum/": ("POST", everyone("404")),
        # Django's admin keeps its own permissions (is_staff plus model permissions); only
        # its index is walked here, to show who gets in at all.
        "/admin/": (
            "GET",
            everyone(ADMIN_LOGIN) | {STAFF: "200", OWNER: "200"},
        ),
    }


def walk(patterns=None):
    """Yield (route, url name) for every URL pattern, the admin once (see tests.routes)."""
    for route in routes(patterns):
        yield route.path, route.name


def url_arguments(objects: dict) -> dict[str, dict]:
    """Return the real arguments for every URL name that takes some."""
    booking = objects["booking"]
    by_id = {"public_id": booking.public_id}
    by_token = {"token": booking.manage_token}
    draft_question = objects["draft"].questions.get(code="pregnant")
    return {
        "studio:service_detail": {"slug": "leg-massage"},
        "bookings:booking_times": {"slug": "leg-massage"},
        "bookings:booking_hold": {"slug": "leg-massage"},
        "owner:report": {"key": "revenue"},
        "team:therapist_edit": {"slug": "ana"},
        "intake:version_detail": {"pk": Questionnaire.objects.first().pk},
        "intake:version_copy": {"pk": Questionnaire.objects.first().pk},
        "intake:version_publish": {"pk": Questionnaire.objects.first().pk},
        "intake:version_title": {"pk": objects["draft"].pk},
        **{
            name: {"pk": ConsentText.objects.get().pk}
            for name in ("intake:consent_detail", "intake:consent_copy", "intake:consent_publish")
        },
        "intake:question_add": {"pk": objects["draft"].pk},
        **{
            name: {"pk": objects["draft"].pk, "question_pk": draft_question.pk}
            for name in ("intake:question_edit", "intake:question_move", "intake:question_remove")
        },
        "bookings:booking_details": {"public_id": objects["online_hold"].public_id},
        "bookings:booking_expired": {"public_id": objects["online_hold"].public_id},
        "bookings:booking_renew": {"public_id": objects["online_hold"].public_id},
        "intake:intake_form": {"public_id": objects["online_hold"].public_id},
        "intake:phone_intake": {"token": intake_token(objects["phone_hold"])},
        "bookings:booking_manage": by_token,
        "bookings:booking_ics": by_token,
        "bookings:booking_cancel": by_token,
        "bookings:booking_reschedule": by_token,
        "intake:client_data": by_token,
        "intake:client_erase": by_token,
        "intake:client_send_link": by_token,
        "intake:rescreen": {"token": rescreen_token(booking)},
        "intake:aftercare": {"token": aftercare_token(booking)},
        "bookings:reminder_answer": {"token": reminder_token(booking)},
        "bookings:waitlist_offer": {"token": "made-up-token"},
        "bookings:waitlist_entry": {"token": "made-up-token"},
        "bookings:waitlist_join": {"slug": "leg-massage"},
        "bookings:staff_waitlist_remove": {"pk": objects["waiting"].pk},
        "bookings:staff_waitlist_offer": {"pk": objects["waiting"].pk},
        "bookings:therapist_feed": {"token": booking.therapist.calendar_token},
        "bookings:staff_booking": by_id,
        "bookings:staff_booking_move": by_id,
        "bookings:staff_booking_cancel": by_id,
        "bookings:staff_booking_mark": by_id,
        "bookings:staff_booking_confirm": by_id,
        "bookings:staff_booking_link": by_id,
        "bookings:staff_client": {"pk": booking.client.pk},
        "intake:review_detail": by_id,
        "intake:intake_answers": by_id,
        "intake:session_note": by_id,
        "intake:session_note_addendum": by_id,
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "made-up-token"},
        "catalogue:service_edit": {"pk": booking.service_id},
        "catalogue:service_move": {"pk": booking.service_id},
        "catalogue:service_active": {"pk": booking.service_id},
        "catalogue:length_add": {"pk": booking.service_id},
        "catalogue:length_edit": {"pk": booking.length_id},
        "catalogue:length_active": {"pk": booking.length_id},
        "rooms:room_edit": {"pk": booking.room_id},
        "rooms:room_active": {"pk": booking.room_id},
    }


@pytest.fixture
def objects(demo, monday) -> dict:
    """Ana's confirmed, screened booking for a client with an account, and two holds."""
    client_user = UserFactory(username="marta")
    client_user.groups.add(Group.objects.get(name=Role.CLIENT))
    booking = demo.book(
        at(monday, 10),
        client=ClientFactory(name="Marta Soler", user=client_user),
        adaptations="avoid the left calf",
    )
    SubmissionFactory(booking=booking)
    expiry = timezone.now() + timedelta(hours=2)
    return {
        "booking": booking,
        "online_hold": demo.book(
            at(monday, 12), status=BookingStatus.HELD, client=None, hold_expires_at=expiry
        ),
        "phone_hold": demo.book(
            at(monday, 15),
            therapist="ben",
            room="garden",
            status=BookingStatus.HELD,
            source=Booking.Source.PHONE,
            hold_expires_at=expiry,
        ),
        "draft": questionnaire_copy_as_draft(questionnaire=Questionnaire.objects.first()),
        "waiting": WaitlistEntryFactory(
            service=booking.service,
            length=booking.length,
            first_day=timezone.localdate(booking.start_at),
        ),
        "users": {
            CLIENT: client_user,
            **{name: User.objects.get(username=name) for name in (ANA, BEN, STAFF, OWNER)},
        },
    }


def outcome(response) -> str:
    if response.status_code != 302:
        return str(response.status_code)
    target = response.url
    if target.startswith(reverse("accounts:login") + "?next="):
        return LOGIN
    if target.startswith(reverse("admin:login") + "?next="):
        return ADMIN_LOGIN
    return f"302 to {target.split('?', 1)[0]}"


def test_every_url_answers_every_role_as_the_table_says(objects):
    routes = dict(walk(get_resolver().url_patterns))
    table = expected_answers(objects)
    arguments = url_arguments(objects)

    assert sorted(set(routes) - set(table)) == [], "a URL has no expected answers"
    assert sorted(set(table) - set(routes)) == [], "an expectation names no URL"

    wrong = []
    for route, name in routes.items():
        method, expected = table[route]
        url = reverse(name, kwargs=arguments.get(name, {}))
        for role in ROLES:
            browser = Browser()
            if role != ANONYMOUS:
                sign_in(browser, objects["users"][role])
            response = browser.post(url) if method == "POST" else browser.get(url)
            got = outcome(response)
            if got != expected[role]:
                wrong.append(f"{method} {url} as {role}: expected {expected[role]}, got {got}")

    assert not wrong, "\n".join(wrong)
    # The walk changed nothing it could have: the booking still stands as it was.
    booking = objects["booking"]
    booking.refresh_from_db()
    assert (booking.status, booking.sequence) == (BookingStatus.CONFIRMED, 0)
