"""The role matrix, generated from DESIGN.md's "Who sees what" table.

The table is read from ``../shared/DESIGN.md`` (the shared folder sits beside the clone); each
cell becomes "all", "none" or "their own", and "each read logged" a logging duty. Every URL of
the project (walked from the resolver, so a new URL nobody classified fails) and every admin
changelist and change view is described below by the data kinds it shows. For each viewer the
expected answer follows from the table:

- a page the viewer may not open answers 404 (a visitor not signed in is sent to sign in only
  on pages naming no object, which every studio has; the admin keeps its own sign-in page for
  anyone who is not staff, before it looks anything up);
- a page the viewer may open answers as it should, shows each kind the viewer may see, and
  shows none of those they may not;
- a read the table says is logged writes one access-log row, and a refused one writes none.
"""

import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from bookings.messages import links
from bookings.models import Booking, BookingStatus, Notification
from intake.models import AccessLog, ConsentText, Questionnaire, SessionNote
from intake.services import questionnaire_copy_as_draft
from studio.models import TimeOff
from tests.auth import authenticator_for
from tests.bookings.staff.conftest import at
from tests.factories import ClientFactory, SubmissionFactory, WaitlistEntryFactory
from tests.routes import routes
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
DESIGN = Path(os.environ.get("CALMA_DESIGN_MD", REPO.parent / "shared" / "DESIGN.md"))

# What the fixture's booking carries, each unique on every page.
CLIENT_NAME = "Marta Soler"
ADAPTATION = "avoid the left calf"
ANSWER = "my left knee is still tender"
REASON = "Pregnancy, flagged for the matrix."
READER = "ghost-reader"
NOTE_TEXT = "Knots in the right calf, eased by the end."


# The table


ALL, NONE, OWN = "all", "none", "own"
COLUMNS = ("client", "therapist", "staff", "owner")
# The table's rows by the words they start with; a row nobody knows fails the test.
KINDS = {
    "catalogue": "catalogue",
    "a booking": "booking",
    "intake level": "level",
    "adaptations": "adaptations",
    "intake answers": "answers",
    "access log": "access_log",
    "session notes": "notes",
    "reports": "reports",
}


@dataclass(frozen=True)
class Cell:
    who: str  # ALL, NONE or OWN
    logged: bool


def _cell(text: str) -> Cell:
    text = text.strip().lower()
    logged = "each read logged" in text
    if text.startswith("their own"):
        return Cell(OWN, logged)
    if text in ("no",):
        return Cell(NONE, logged)
    if text.startswith(("yes", "all")):
        return Cell(ALL, logged)
    if text.startswith("counts"):
        # Reports: counts without money or health data (the front desk's reports).
        return Cell(ALL, logged)
    raise AssertionError(f"DESIGN.md's table has a cell the matrix cannot read: {text!r}")


def design_table() -> dict[str, dict[str, Cell]]:
    """Return {kind: {column: Cell}} from DESIGN.md's "Who sees what" table."""
    if not DESIGN.exists():
        pytest.fail(
            f"DESIGN.md not found at {DESIGN}: the role matrix is generated from it. The shared "
            "folder must sit beside the clone as ../shared (or set CALMA_DESIGN_MD).",
            pytrace=False,
        )
    text = DESIGN.read_text(encoding="utf-8")
    section = text.split("## Who sees what", 1)
    assert len(section) == 2, "DESIGN.md has no 'Who sees what' section"
    lines = []
    for line in section[1].splitlines():
        if line.startswith("|"):
            lines.append(line)
        elif lines:
            break  # the end of the section's first table
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[1:] == list(COLUMNS), f"unexpected columns {header}"
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        kind = next((k for words, k in KINDS.items() if cells[0].startswith(words)), None)
        assert kind is not None, f"DESIGN.md's table has a row the matrix does not know: {cells[0]}"
        table[kind] = {
            column: _cell(value) for column, value in zip(COLUMNS, cells[1:], strict=True)
        }
    assert set(table) == set(KINDS.values()), "a row of the table is missing"
    return table


# The viewers


@dataclass(frozen=True)
class Viewer:
    name: str
    column: str
    own: bool  # their own booking / their own client, in the table's words
    signed_in: bool = True


# Clients have no account: the emailed link opened in their browser is who they are.
ANONYMOUS = Viewer("anonymous", "client", own=False, signed_in=False)
CLIENT = Viewer("client with link", "client", own=True, signed_in=False)
OTHER_CLIENT = Viewer("another client", "client", own=False, signed_in=False)
THERAPIST = Viewer("the booking's therapist", "therapist", own=True)
OTHER_THERAPIST = Viewer("another therapist", "therapist", own=False)
FRONT_DESK = Viewer("front desk", "staff", own=False)
OWNER = Viewer("owner", "owner", own=True)
VIEWERS = (ANONYMOUS, CLIENT, OTHER_CLIENT, THERAPIST, OTHER_THERAPIST, FRONT_DESK, OWNER)


def may(table, viewer: Viewer, kind: str) -> bool:
    cell = table[kind][viewer.column]
    return cell.who == ALL or (cell.who == OWN and viewer.own)


def logged(table, viewer: Viewer, kind: str) -> bool:
    return table[kind][viewer.column].logged


# Who a page is for, from DESIGN.md's journeys: the data table says what, this says where.
EVERYONE = {v.name for v in VIEWERS}
DESK = {FRONT_DESK.name, OWNER.name}
THERAPISTS = {THERAPIST.name, OTHER_THERAPIST.name}
REVIEWERS = THERAPISTS | {OWNER.name}
SIGNED_IN = THERAPISTS | DESK
NOBODY: set[str] = set()  # a browser session's own hold: none of the viewers made it


@dataclass(frozen=True)
class Page:
    """A URL, the kinds it needs to be opened, and the kinds it shows or must hide."""

    audience: set
    needs: tuple = ()
    shows: tuple = ()  # present for those who may see them, absent for the others
    hides: tuple = ()  # absent for those who may not see them (never asserted present)
    method: str = "GET"
    ok: str = "200"
    sign_in: bool = False  # a visitor not signed in is asked to sign in instead of a 404
    credential: str = ""  # a URL whose token is the credential: "manage", "rescreen", "feed"…
    query: dict = field(default_factory=dict)


def _day(objects) -> str:
    return timezone.localtime(objects["booking"].start_at).date().isoformat()


PAGES = {
    "studio:home": Page(EVERYONE, shows=("catalogue",)),
    "studio:service_list": Page(EVERYONE, shows=("catalogue",)),
    "studio:service_detail": Page(EVERYONE, shows=("catalogue",)),
    "studio:therapist_list": Page(EVERYONE, shows=("catalogue",)),
    "healthz": Page(EVERYONE),
    "accounts:login": Page(EVERYONE),
    "accounts:logout": Page(EVERYONE, method="POST", ok="302"),
    "bookings:booking_start": Page(EVERYONE, shows=("catalogue",)),
    "bookings:booking_times": Page(EVERYONE, shows=("catalogue",)),
    # An empty choice of time: the form says so, to anyone.
    "bookings:booking_hold": Page(EVERYONE, method="POST", ok="400"),
    "bookings:booking_details": Page(NOBODY, needs=("booking",)),
    # A hold that ran out is offered again only in the browser that held it.
    "bookings:booking_expired": Page(NOBODY, needs=("booking",)),
    "bookings:booking_renew": Page(NOBODY, needs=("booking",), method="POST"),
    "intake:intake_form": Page(NOBODY, needs=("booking",)),
    # The phone intake link is a credential for the questions alone; it shows no data.
    "intake:phone_intake": Page(EVERYONE, ok="302", hides=("booking", "adaptations", "answers")),
    # The manage link is the credential for the booking, its adaptations and changing it.
    "bookings:booking_manage": Page(
        EVERYONE, needs=("booking",), shows=("adaptations",), credential="manage"
    ),
    "bookings:booking_ics": Page(EVERYONE, needs=("booking",), credential="manage"),
    "bookings:booking_cancel": Page(EVERYONE, needs=("booking",), ok="405", credential="manage"),
    "bookings:booking_reschedule": Page(EVERYONE, needs=("booking",), credential="manage"),
    "intake:client_send_link": Page(
        EVERYONE, needs=("booking",), method="POST", ok="302", credential="manage"
    ),
    # A client's own data asks for proof that they are the client, beyond the link.
    "intake:client_data": Page(
        EVERYONE, needs=("answers",), shows=("answers",), credential="manage"
    ),
    "intake:client_erase": Page(EVERYONE, needs=("answers",), credential="manage"),
    "intake:rescreen": Page(
        EVERYONE, needs=("booking",), hides=("answers",), credential="rescreen"
    ),
    # The reminder's one-tap answer: its signed link is the credential; a GET changes nothing.
    "bookings:reminder_answer": Page(
        EVERYONE, needs=("booking",), hides=("answers",), credential="reminder"
    ),
    # A waitlist offer's link is its credential; none of the viewers was offered a time.
    "bookings:waitlist_offer": Page(NOBODY),
    "bookings:waitlist_entry": Page(NOBODY),
    "bookings:waitlist_join": Page(EVERYONE),
    "intake:aftercare": Page(
        EVERYONE, needs=("booking",), hides=("answers", "notes"), credential="aftercare"
    ),
    "bookings:therapist_feed": Page(
        EVERYONE, needs=("booking",), hides=("answers",), credential="feed"
    ),
    # The front desk.
    "bookings:staff_calendar": Page(
        DESK,
        shows=("booking",),
        hides=("adaptations", "answers"),
        sign_in=True,
        query={"date": _day},
    ),
    "bookings:staff_phone_booking": Page(DESK, sign_in=True),
    # Removing a client from the waitlist: a POST naming no action is refused after the check.
    "bookings:staff_waitlist_remove": Page(DESK, method="POST", ok="400"),
    # Offering a waiting client a time: their name and email, and the free times.
    "bookings:staff_waitlist_offer": Page(DESK, hides=("booking", "adaptations", "answers")),
    # The owner's home and a report of counts (the money and screening reports are the
    # owner's alone: tests/owner/test_reports.py).
    "owner:home": Page(DESK, sign_in=True),
    "owner:report": Page(DESK, shows=("reports",), sign_in=True),
    "team:team": Page(DESK, sign_in=True),
    "studio:policies": Page(DESK, sign_in=True),
    # Questionnaire versions: the questions, never anyone's answers.
    "intake:versions": Page(DESK, sign_in=True),
    "intake:version_detail": Page(DESK),
    "intake:version_copy": Page(DESK, method="POST", ok="400"),
    "intake:version_publish": Page(DESK, method="POST", ok="400"),
    # Consent texts: the text everyone consents to, no one's consent.
    "intake:consent_detail": Page(DESK),
    "intake:consent_copy": Page(DESK, method="POST", ok="400"),
    "intake:consent_publish": Page(DESK, method="POST", ok="400"),
    # A draft's questions: the POSTs carry no data, so the form refuses them after the check.
    "intake:version_title": Page(DESK, method="POST", ok="400"),
    "intake:question_add": Page(DESK),
    "intake:question_edit": Page(DESK),
    "intake:question_move": Page(DESK, method="POST", ok="400"),
    "intake:question_remove": Page(DESK, method="POST", ok="400"),
    "team:therapist_edit": Page(DESK, sign_in=True),
    "bookings:staff_block": Page(DESK, sign_in=True),
    "bookings:staff_clients": Page(
        DESK, shows=("booking",), sign_in=True, query={"q": lambda o: "Marta"}
    ),
    "bookings:staff_booking": Page(
        DESK, needs=("booking",), shows=("level", "adaptations"), hides=("answers",)
    ),
    # The POSTs carry no data: the permission check comes before the form's.
    "bookings:staff_booking_move": Page(DESK, needs=("booking",), method="POST", ok="400"),
    "bookings:staff_booking_cancel": Page(DESK, needs=("booking",), method="POST", ok="400"),
    "bookings:staff_booking_mark": Page(DESK, needs=("booking",), method="POST", ok="302"),
    "bookings:staff_booking_confirm": Page(DESK, needs=("booking",), method="POST", ok="302"),
    "bookings:staff_booking_link": Page(DESK, needs=("booking",), method="POST", ok="302"),
    "bookings:staff_client": Page(
        DESK, needs=("booking",), shows=("level", "adaptations"), hides=("answers",)
    ),
    # A therapist's own pages: their own bookings only.
    "bookings:my_day": Page(
        THERAPISTS,
        shows=("booking", "level", "adaptations"),
        hides=("answers",),
        sign_in=True,
        query={"date": _day},
    ),
    "bookings:my_week": Page(
        THERAPISTS,
        shows=("booking", "adaptations"),
        hides=("answers",),
        sign_in=True,
        query={"date": _day},
    ),
    "bookings:my_block": Page(THERAPISTS, sign_in=True),
    "bookings:my_feed": Page(THERAPISTS, sign_in=True),
    # Accounts: every signed-in person manages their own; the viewers here have all passed
    # the second factor, so its set-up and code pages send them on (tests/accounts has the
    # rest). Password reset is for anyone, and a forged reset link is refused on the page.
    "accounts:account": Page(SIGNED_IN, sign_in=True),
    "accounts:password_change": Page(SIGNED_IN, sign_in=True),
    "accounts:password_change_done": Page(SIGNED_IN, sign_in=True),
    "accounts:mfa_setup": Page(SIGNED_IN, ok="302", sign_in=True),
    "accounts:mfa_setup_qr": Page(SIGNED_IN, ok="404", sign_in=True),
    "accounts:mfa_verify": Page(SIGNED_IN, ok="302", sign_in=True),
    "accounts:password_reset": Page(EVERYONE),
    "accounts:password_reset_done": Page(EVERYONE),
    "accounts:password_reset_confirm": Page(EVERYONE, hides=("booking", "answers")),
    "accounts:password_reset_complete": Page(EVERYONE),
    # The review: the queue names no booking; the booking's pages need its answers.
    "intake:review_queue": Page(REVIEWERS, shows=("booking", "answers"), sign_in=True),
    "intake:review_detail": Page(REVIEWERS, needs=("answers",), shows=("answers",)),
    "intake:intake_answers": Page(REVIEWERS, needs=("answers",), shows=("answers",)),
    # Session notes: the client's therapists and the owner read them; only the session's own
    # therapist writes (an empty addendum is refused after the check).
    "intake:session_note": Page(REVIEWERS, needs=("notes",), shows=("notes",)),
    "intake:session_note_addendum": Page(
        {THERAPIST.name}, needs=("notes",), method="POST", ok="400"
    ),
    # The catalogue, edited by the front desk and the owner. The POSTs name no action: the
    # permission check comes first, then a 400 that changes nothing.
    "catalogue:index": Page(DESK, shows=("catalogue",), sign_in=True),
    "catalogue:service_add": Page(DESK, sign_in=True),
    "catalogue:service_edit": Page(DESK, shows=("catalogue",)),
    "catalogue:service_move": Page(DESK, method="POST", ok="400"),
    "catalogue:service_active": Page(DESK, method="POST", ok="400"),
    "catalogue:length_add": Page(DESK, shows=("catalogue",)),
    "catalogue:length_edit": Page(DESK, shows=("catalogue",)),
    "catalogue:length_active": Page(DESK, method="POST", ok="400"),
    # The rooms, edited by the front desk and the owner; the same rules as the catalogue.
    "rooms:index": Page(DESK, shows=("catalogue",), sign_in=True),
    "rooms:room_edit": Page(DESK, shows=("catalogue",)),
    "rooms:room_active": Page(DESK, method="POST", ok="400"),
}

MARKERS = {
    "catalogue": ("Leg massage",),
    # The owner's reports: a table of figures drawn as a chart.
    "reports": ('<table class="table table-sm report-table">',),
    "booking": (CLIENT_NAME,),
    "level": ("Screening: <strong>Review</strong>", "Screening: Review"),
    "adaptations": (ADAPTATION,),
    "answers": (ANSWER, REASON),
    "access_log": (READER,),
    "notes": (NOTE_TEXT,),
}


def walk(patterns=None):
    """Yield (route, url name) for every URL pattern outside the admin (see tests.routes)."""
    for route in routes(patterns):
        if route.name != "admin:index":  # walked apart, from the admin's own registry
            yield route.path.removeprefix("/"), route.name


# The one booking set


@pytest.fixture
def objects(demo, monday):
    """Ana's booking awaiting review, with adaptations and logged-for answers; and the rest."""
    booking = demo.book(
        at(monday, 10),
        client=ClientFactory(name=CLIENT_NAME),
        status=BookingStatus.AWAITING_REVIEW,
        adaptations=ADAPTATION,
    )
    SubmissionFactory(
        booking=booking,
        answers={"pregnant": "yes", "pregnancy_complications": "no", "anything_else": ANSWER},
        reasons=[{"question": "pregnant", "level": "review", "text": REASON}],
    )
    other = demo.book(
        at(monday, 16), therapist="ben", room="garden", client=ClientFactory(name="Jordi Puig")
    )
    expiry = timezone.now() + timedelta(hours=2)
    phone_hold = demo.book(
        at(monday, 15, 0) + timedelta(days=1),
        therapist="ben",
        room="garden",
        status=BookingStatus.HELD,
        source=Booking.Source.PHONE,
        hold_expires_at=expiry,
    )
    online_hold = demo.book(
        at(monday, 12), status=BookingStatus.HELD, client=None, hold_expires_at=expiry
    )
    # Whatever the admin lists needs a row to open.
    Notification.objects.create(
        booking=booking, event="confirmed", recipient="marta@example.com", sent_at=timezone.now()
    )
    TimeOff.objects.create(
        therapist=demo.therapist("carla"),
        start_at=at(monday, 9) + timedelta(days=2),
        end_at=at(monday, 12) + timedelta(days=2),
        kind=TimeOff.Kind.BLOCK,
        reason="Training",
    )
    AccessLog.objects.create(actor=READER, action="view_answers", submission_ids=[])
    SessionNote.objects.create(
        booking=booking,
        author=User.objects.get(username="ana"),
        objective=NOTE_TEXT,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    attempt = {"username": "frontdesk", "ip_address": "127.0.0.1", "user_agent": "test"}
    AccessAttempt.objects.create(
        **attempt, path_info="/accounts/login/", get_data="", post_data="", failures_since_start=1
    )
    AxesAccessLog.objects.create(**attempt, path_info="/accounts/login/")
    AccessFailureLog.objects.create(**attempt, path_info="/accounts/login/", locked_out=False)
    owner = User.objects.get(username="owner")
    authenticator_for(owner)
    StaticDevice.objects.create(user=owner, name="Recovery codes", confirmed=True)
    return {
        "booking": booking,
        "other": other,
        "phone_hold": phone_hold,
        "online_hold": online_hold,
        "draft": questionnaire_copy_as_draft(
            questionnaire=Questionnaire.objects.get(kind="booking", version=1)
        ),
        # A client waiting for a time on the booking's day.
        "waiting": WaitlistEntryFactory(
            service=booking.service,
            length=booking.length,
            first_day=timezone.localdate(booking.start_at),
        ),
    }


def browser_for(viewer: Viewer, objects):
    """Return the viewer's browser: a session, and for clients the emailed link opened."""
    if viewer in (CLIENT, OTHER_CLIENT):
        booking = objects["booking"] if viewer is CLIENT else objects["other"]
        browser = sign_in(None)
        url = links.proven_manage_url(booking).removeprefix(settings.SITE_URL.rstrip("/"))
        assert browser.get(url).status_code == 200
        return browser
    username = {
        ANONYMOUS: None,
        THERAPIST: "ana",
        OTHER_THERAPIST: "ben",
        FRONT_DESK: "frontdesk",
        OWNER: "owner",
    }[viewer]
    return sign_in(User.objects.get(username=username) if username else None)


FORGED = "not-a-token-anyone-holds"


def credential_for(kind: str, viewer: Viewer, objects) -> tuple[str, bool]:
    """Return the token the viewer holds for this kind of link, and whether it is ours.

    Only the client holds the booking's manage and re-screen links, only its therapist the
    feed; another client or therapist holds their own; nobody else holds one.
    """
    ours, other = objects["booking"], objects["other"]
    if kind in ("manage", "rescreen", "aftercare", "reminder"):
        holder = {CLIENT: ours, OTHER_CLIENT: other}.get(viewer)
        if holder is None:
            return FORGED, False
        token = {
            "manage": lambda: holder.manage_token,
            "rescreen": lambda: links.rescreen_token(holder),
            "aftercare": lambda: links.aftercare_token(holder),
            "reminder": lambda: links.reminder_token(holder),
        }[kind]()
        return token, holder == ours
    therapist = {THERAPIST: ours.therapist, OTHER_THERAPIST: other.therapist}.get(viewer)
    if therapist is None:
        return FORGED, False
    return therapist.calendar_token, therapist == ours.therapist


ROUTES: dict[str, str] = {}


def url_for(name: str, page: Page, viewer: Viewer, objects) -> tuple[str, bool, bool]:
    """Return the URL this viewer would use, whether it names our booking, and if it is theirs."""
    booking = objects["booking"]
    kwargs = {}
    names_ours, holds_own = True, False
    if page.credential:
        token, names_ours = credential_for(page.credential, viewer, objects)
        holds_own = token != FORGED and not names_ours
        kwargs = {"token": token}
    elif name in (
        "studio:service_detail",
        "bookings:booking_times",
        "bookings:booking_hold",
        "bookings:waitlist_join",
    ):
        kwargs = {"slug": "leg-massage"}
    elif name in (
        "bookings:booking_details",
        "bookings:booking_expired",
        "bookings:booking_renew",
        "intake:intake_form",
    ):
        kwargs = {"public_id": objects["online_hold"].public_id}
    elif name == "intake:phone_intake":
        kwargs = {"token": links.intake_token(objects["phone_hold"])}
    elif name in ("bookings:staff_waitlist_remove", "bookings:staff_waitlist_offer"):
        kwargs = {"pk": objects["waiting"].pk}
    elif name in ("bookings:waitlist_offer", "bookings:waitlist_entry"):
        kwargs = {"token": FORGED}
    elif name == "accounts:password_reset_confirm":
        kwargs = {"uidb64": "MQ", "token": FORGED}
    elif name == "bookings:staff_client":
        kwargs = {"pk": booking.client_id}
    elif name == "owner:report":
        kwargs = {"key": "bookings"}
    elif name.startswith("intake:consent_"):
        kwargs = {"pk": ConsentText.objects.get(version=1).pk}
    elif name in ("intake:version_title", "intake:question_add"):
        kwargs = {"pk": objects["draft"].pk}
    elif name.startswith("intake:question_"):
        question = objects["draft"].questions.get(code="pregnant")
        kwargs = {"pk": objects["draft"].pk, "question_pk": question.pk}
    elif name.startswith("intake:version_"):
        kwargs = {"pk": Questionnaire.objects.get(kind="booking", version=1).pk}
    elif name == "team:therapist_edit":
        kwargs = {"slug": booking.therapist.slug}
    elif name.startswith("catalogue:length_") and name != "catalogue:length_add":
        kwargs = {"pk": booking.length_id}
    elif name.startswith("catalogue:") and "<int:pk>" in ROUTES[name]:
        kwargs = {"pk": booking.service_id}
    elif name.startswith("rooms:") and "<int:pk>" in ROUTES[name]:
        kwargs = {"pk": booking.room_id}
    elif "public_id" in ROUTES[name]:
        kwargs = {"public_id": booking.public_id}
    url = reverse(name, kwargs=kwargs)
    if page.query:
        url += "?" + "&".join(f"{k}={v(objects)}" for k, v in page.query.items())
    return url, names_ours, holds_own


def outcome(response) -> str:
    if response.status_code != 302:
        return str(response.status_code)
    if response.url.startswith(reverse("accounts:login") + "?next="):
        return "login"
    if response.url.startswith(reverse("admin:login") + "?next="):
        return "admin login"
    return "302"


def body(response) -> str:
    content = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # The export escapes nothing, but compare on the decoded text all the same.
        content += json.dumps(json.loads(content), ensure_ascii=False)
    return content


def check(
    table, viewer, response, page: Page, *, names_ours: bool, holds_own: bool, before: int, where
):
    """Return what is wrong with one response, as a list of sentences."""
    problems = []
    allowed = viewer.name in page.audience and all(may(table, viewer, k) for k in page.needs)
    if page.ok == "405":
        expected = "405"  # the method is refused before anything is looked up
    elif page.credential and not names_ours:
        # A viewer holding no link of ours uses their own, or none: our booking never shows.
        expected = page.ok if holds_own else "404"
        allowed = False
    elif allowed:
        expected = page.ok
    elif page.sign_in and not viewer.signed_in:
        expected = "login"
    else:
        expected = "404"
    got = outcome(response)
    if got != expected:
        problems.append(f"{where}: expected {expected}, got {got}")
    html = body(response)
    for kind in set(page.needs) | set(page.shows) | set(page.hides):
        present = any(marker in html for marker in MARKERS[kind])
        visible = allowed and may(table, viewer, kind)
        if present and not visible:
            problems.append(f"{where}: shows {kind} it may not")
        if kind in page.shows and visible and not present and got == "200":
            problems.append(f"{where}: does not show {kind}")
    new_rows = AccessLog.objects.filter(pk__gt=before)
    # Each kind of health data a response showed is one logged read of it.
    reads = [
        kind
        for kind in ("answers", "notes")
        if allowed
        and got == "200"
        and kind in (*page.needs, *page.shows)
        and may(table, viewer, kind)
        and logged(table, viewer, kind)
    ]
    if reads:
        if new_rows.count() != len(reads):
            problems.append(f"{where}: {new_rows.count()} access-log rows for {len(reads)} reads")
    elif not allowed and new_rows.exists():
        problems.append(f"{where}: a refused request wrote the access log")
    return problems


def last_log_pk() -> int:
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.name)
def test_every_url_answers_each_viewer_as_designs_table_says(objects, viewer):
    """Every URL of the project, for one viewer, against the expectations the table gives."""
    table = design_table()
    routes = {name: route for route, name in walk(get_resolver().url_patterns)}
    ROUTES.update(routes)

    assert sorted(set(routes) - set(PAGES)) == [], "a URL the role matrix does not classify"
    assert sorted(set(PAGES) - set(routes)) == [], "the matrix classifies a URL that is gone"

    problems = []
    for name, page in PAGES.items():
        browser = browser_for(viewer, objects)
        url, names_ours, holds_own = url_for(name, page, viewer, objects)
        before = last_log_pk()
        response = browser.post(url) if page.method == "POST" else browser.get(url)
        problems += check(
            table,
            viewer,
            response,
            page,
            names_ours=names_ours,
            holds_own=holds_own,
            before=before,
            where=f"{page.method} {url} ({name})",
        )

    assert not problems, "\n".join(problems)
    booking = objects["booking"]
    booking.refresh_from_db()
    assert (booking.status, booking.sequence) == (BookingStatus.AWAITING_REVIEW, 0)


# The admin


# Every registered model by what its pages show. "accounts" (users and roles) is the owner's,
# from DESIGN.md's journeys ("owner/admin: everything above plus users and roles").
ADMIN_KINDS = {
    "auth.user": "accounts",
    "auth.group": "accounts",
    "studio.studio": "catalogue",
    "studio.service": "catalogue",
    "studio.room": "catalogue",
    "studio.therapist": "catalogue",
    "studio.timeoff": "catalogue",
    "bookings.client": "booking",
    "bookings.booking": "booking",
    "bookings.notification": "booking",
    "intake.questionnaire": "catalogue",
    "intake.consenttext": "catalogue",
    "intake.accesslog": "access_log",
    # Sign-in attempts and second-factor devices: the security of accounts, the owner's.
    "axes.accessattempt": "accounts",
    "axes.accesslog": "accounts",
    "axes.accessfailurelog": "accounts",
    "otp_totp.totpdevice": "accounts",
    "otp_static.staticdevice": "accounts",
}
# The admin is the front desk's and the owner's; anyone else is sent to its own sign-in.
ADMIN_USERS = DESK


def admin_may(table, viewer: Viewer, kind: str) -> bool:
    if kind == "accounts":
        return viewer is OWNER
    return may(table, viewer, kind)


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.name)
def test_every_admin_list_and_change_page_answers_each_viewer_as_the_table_says(objects, viewer):
    table = design_table()
    registered = {model._meta.label_lower: model for model in admin.site._registry}

    assert sorted(set(registered) - set(ADMIN_KINDS)) == [], "an admin page nobody classified"

    problems = []
    for label, model in registered.items():
        kind = ADMIN_KINDS[label]
        instance = model._default_manager.order_by("pk").first()
        assert instance is not None, f"the fixture has no {label} to open"
        info = (model._meta.app_label, model._meta.model_name)
        for url in (
            reverse("admin:{}_{}_changelist".format(*info)),
            reverse("admin:{}_{}_change".format(*info), args=[instance.pk]),
        ):
            response = browser_for(viewer, objects).get(url)
            if viewer.name not in ADMIN_USERS:
                expected = "admin login"
            else:
                expected = "200" if admin_may(table, viewer, kind) else "404"
            got = outcome(response)
            if got != expected:
                problems.append(f"GET {url} ({label}): expected {expected}, got {got}")
            html = response.content.decode()
            listed = expected == "200" and label == "bookings.booking" and "changelist" in url
            if listed and CLIENT_NAME not in html:
                problems.append(f"GET {url}: the bookings do not show")
            if expected == "200" and label == "intake.accesslog" and READER not in html:
                problems.append(f"GET {url}: the access log does not show")
            for marker in (ADAPTATION, ANSWER, REASON, objects["booking"].manage_token):
                # Adaptations and answers are read where each read is decided and logged.
                if marker in html:
                    problems.append(f"GET {url}: shows {marker!r}")

    # "View on site" for a booking never leads to the client's manage link.
    booking = objects["booking"]
    shortcut = reverse(
        "admin:view_on_site",
        args=[ContentType.objects.get_for_model(Booking).pk, booking.pk],
    )
    response = browser_for(viewer, objects).get(shortcut)
    assert booking.manage_token not in response.get("Location", "")
    assert outcome(response) == ("404" if viewer.name in ADMIN_USERS else "admin login")

    assert not problems, "\n".join(problems)


def test_the_table_is_read_as_the_design_says():
    """A few cells read back, so a misparse cannot pass the matrix by itself."""
    table = design_table()

    assert table["answers"]["staff"] == Cell(NONE, logged=False)
    assert table["answers"]["therapist"] == Cell(OWN, logged=True)
    assert table["answers"]["owner"] == Cell(ALL, logged=True)
    assert table["level"]["staff"].who == ALL
    assert table["adaptations"]["staff"].who == NONE
    assert table["access_log"]["owner"].who == ALL
    assert [may(table, v, "access_log") for v in VIEWERS] == [False] * 6 + [True]
