"""Who may see a client's health answers, the logging of every read, export and erasure.

The design's "Who sees what": answers and reasons go to the client, the booking's therapist
and the owner only; every read is logged; anyone else gets a 404, never a hint.
"""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import DatabaseError, transaction
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from bookings.messages import links
from bookings.models import Booking, BookingStatus
from intake.models import AccessLog, Review, Submission
from studio.models import Room, Service, Therapist
from tests.auth import sign_in
from tests.factories import SubmissionFactory, UserFactory
from tests.intake.conftest import book, clear_answers, staff_browser

pytestmark = pytest.mark.django_db

LEG = "leg-massage"
SECRET = "Please avoid my left knee, it is still tender"
REASON = "Pregnancy."
QUESTION = "Are you pregnant?"
PREGNANT = {"pregnant": "yes", "pregnancy_complications": "no"}
# Session, user, the second factor's device, groups, therapist profile, the nav's review
# count, the queue and its submissions, the rules their reasons are read out in the
# reader's language from, and the access log's row for the reasons shown: a fixed number
# whatever the length of the queue.
QUEUE_QUERY_BUDGET = 10

ANONYMOUS = "anonymous"
CLIENT = "the client, logged in"
OWN_THERAPIST = "the booking's therapist"
OTHER_THERAPIST = "another therapist"
STAFF = "front desk"
OWNER = "owner"


@pytest.fixture
def flagged(visitor) -> Booking:
    """A leg massage with Ana, awaiting her review, whose answers carry a private note."""
    booking, response = book(
        visitor,
        answers=clear_answers(LEG, **PREGNANT, anything_else=SECRET),
        therapist="ana",
    )
    assert response.status_code == 302
    assert booking.status == BookingStatus.AWAITING_REVIEW
    return booking


def browser_for(who: str, booking: Booking) -> Browser:
    """Return a browser logged in as `who`, relative to the booking."""
    if who == ANONYMOUS:
        return Browser()
    if who == CLIENT:
        # The booking's own client with an account: still no way into the therapist's pages.
        user = UserFactory()
        booking.client.user = user
        booking.client.save(update_fields=["user"])
        browser = Browser()
        sign_in(browser, user)
        return browser
    username = {
        OWN_THERAPIST: booking.therapist.user.username,
        OTHER_THERAPIST: "ben",
        STAFF: "frontdesk",
        OWNER: "owner",
    }[who]
    return staff_browser(username)


def page_url(name: str, booking: Booking) -> str:
    return reverse(name, kwargs={"public_id": booking.public_id})


# The matrix


@pytest.mark.parametrize("url_name", ["intake:review_detail", "intake:intake_answers"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        (CLIENT, 404),
        (OWN_THERAPIST, 200),
        (OTHER_THERAPIST, 404),
        (STAFF, 404),
        (OWNER, 200),
    ],
)
def test_only_the_bookings_therapist_and_the_owner_open_its_intake(flagged, url_name, who, status):
    """The review and answers pages: 200 for the therapist and owner, 404 for anyone else."""
    response = browser_for(who, flagged).get(page_url(url_name, flagged))

    assert response.status_code == status
    if status == 404:
        assert flagged.client.name not in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in_from_the_queue(flagged):
    """The queue names no booking, so a visitor who is not signed in is asked to sign in."""
    response = Browser().get(reverse("intake:review_queue"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize("url_name", ["intake:review_detail", "intake:intake_answers"])
def test_anonymous_visitors_get_a_404_on_a_bookings_review_pages(flagged, url_name):
    """An address naming a booking says nothing, not even that it exists, until signed in."""
    response = Browser().get(page_url(url_name, flagged))

    assert response.status_code == 404
    assert flagged.client.name not in response.content.decode()


@pytest.mark.parametrize("who", [CLIENT, OTHER_THERAPIST, STAFF])
def test_only_the_bookings_therapist_or_the_owner_can_decide(flagged, who):
    """A decision posted by anyone else is a 404 and changes nothing."""
    response = browser_for(who, flagged).post(
        page_url("intake:review_detail", flagged), {"decision": "approve"}
    )

    assert response.status_code == 404
    flagged.refresh_from_db()
    assert flagged.status == BookingStatus.AWAITING_REVIEW
    assert not Review.objects.exists()


def test_the_owner_can_decide_on_any_booking(flagged):
    response = browser_for(OWNER, flagged).post(
        page_url("intake:review_detail", flagged), {"decision": "approve"}
    )

    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == BookingStatus.CONFIRMED


# The review queue


@pytest.fixture
def two_queues(flagged, other_visitor) -> tuple[Booking, Booking]:
    """Ana's flagged booking, and one for Ben from another client."""
    bens, _response = book(
        other_visitor,
        answers=clear_answers(LEG, intense_pain="yes"),
        therapist="ben",
        name="Jordi Puig",
        email="jordi@example.com",
    )
    assert bens.status == BookingStatus.AWAITING_REVIEW
    return flagged, bens


def test_a_therapist_sees_only_their_own_bookings_in_the_queue(two_queues):
    anas, bens = two_queues

    ana = staff_browser("ana").get(reverse("intake:review_queue")).content.decode()
    ben = staff_browser("ben").get(reverse("intake:review_queue")).content.decode()

    assert anas.client.name in ana
    assert REASON in ana
    assert bens.client.name not in ana
    assert bens.client.name in ben
    assert "Intense pain right now." in ben
    assert anas.client.name not in ben


def test_the_owner_sees_every_booking_awaiting_review(two_queues):
    anas, bens = two_queues

    page = staff_browser("owner").get(reverse("intake:review_queue")).content.decode()

    assert anas.client.name in page
    assert bens.client.name in page


@pytest.mark.parametrize("who", [STAFF, CLIENT])
def test_people_without_a_queue_get_a_404(flagged, who):
    response = browser_for(who, flagged).get(reverse("intake:review_queue"))

    assert response.status_code == 404


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("viewer", ["ana", "owner"])
def test_the_review_queue_costs_the_same_queries_for_3_or_30_bookings(
    demo_studio, django_assert_max_num_queries, count, viewer
):
    """The queue's query count does not grow with the number of bookings in it."""
    service = Service.objects.get(slug=LEG)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    for index in range(count):
        SubmissionFactory(
            booking__service=service,
            booking__length=service.lengths.get(minutes=60),
            booking__therapist=Therapist.objects.get(slug="ana"),
            booking__room=Room.objects.get(slug="olive"),
            booking__start_at=start + timedelta(hours=2 * index),
            booking__client__name=f"Queue client {index}",
        )
    browser = staff_browser(viewer)

    with django_assert_max_num_queries(QUEUE_QUERY_BUDGET):
        response = browser.get(reverse("intake:review_queue"))

    assert response.status_code == 200
    html = response.content.decode()
    assert all(f"Queue client {index}</td>" in html for index in range(count))


# The access log


def test_each_read_of_the_answers_writes_one_access_log_row(flagged):
    """Who read, which submission, from where: one row per read."""
    ana = staff_browser("ana")
    submission = Submission.objects.get(booking=flagged)
    url = page_url("intake:intake_answers", flagged)

    first = ana.get(url, REMOTE_ADDR="203.0.113.7")

    assert first.status_code == 200
    assert SECRET in first.content.decode()
    assert QUESTION in first.content.decode()
    entry = AccessLog.objects.get()
    assert entry.user == flagged.therapist.user
    assert entry.actor == "ana"
    assert entry.submission == submission
    assert entry.action == "view_answers"
    assert entry.ip_address == "203.0.113.7"

    ana.get(url, REMOTE_ADDR="203.0.113.7")
    staff_browser("owner").get(url, REMOTE_ADDR="198.51.100.4")

    assert AccessLog.objects.count() == 3
    assert AccessLog.objects.filter(actor="owner", ip_address="198.51.100.4").count() == 1


def test_the_review_detail_shows_the_reasons_but_no_answers_and_logs_the_read(flagged):
    """The decision page shows only the reasons, and that is a read of them: one row."""
    page = staff_browser("ana").get(page_url("intake:review_detail", flagged))

    assert page.status_code == 200
    html = page.content.decode()
    assert REASON in html
    assert SECRET not in html
    assert QUESTION not in html
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.action) == ("ana", "view_reasons")
    assert entry.submission_ids == [Submission.objects.get(booking=flagged).pk]


@pytest.mark.parametrize("who", [CLIENT, OTHER_THERAPIST, STAFF, ANONYMOUS])
def test_a_refused_read_leaves_no_answers_read_in_the_log(flagged, who):
    browser_for(who, flagged).get(page_url("intake:intake_answers", flagged))

    assert not AccessLog.objects.exists()


def test_no_answer_text_appears_on_the_queue_or_on_staff_pages(flagged):
    """The queue shows reasons only; the front desk sees neither answers nor reasons."""
    day = timezone.localtime(flagged.start_at).date().isoformat()
    for who in ("ana", "owner"):
        queue = staff_browser(who).get(reverse("intake:review_queue"))
        assert REASON in queue.content.decode()
        assert SECRET not in queue.content.decode()
        assert QUESTION not in queue.content.decode()

    front_desk = staff_browser("frontdesk")
    pages = [
        reverse("studio:home"),
        reverse("bookings:staff_calendar") + f"?date={day}",
        reverse("bookings:staff_calendar") + f"?date={day}&view=week",
        reverse("bookings:staff_booking", kwargs={"public_id": flagged.public_id}),
        reverse("bookings:staff_clients") + "?q=Marta",
        reverse("bookings:staff_client", kwargs={"pk": flagged.client_id}),
        reverse("admin:index"),
    ]
    for url in pages:
        response = front_desk.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert SECRET not in html, url
        assert QUESTION not in html, url
        assert REASON not in html, url
    # The two queues showed reasons and are logged; the front desk read nothing.
    assert sorted(AccessLog.objects.values_list("actor", flat=True)) == ["ana", "owner"]


@pytest.mark.postgres
def test_the_access_log_is_append_only_on_postgresql(flagged):
    """The database itself refuses to change or remove a row of the access log."""
    staff_browser("ana").get(page_url("intake:intake_answers", flagged))
    entry = AccessLog.objects.get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(action="edited")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()

    entry.refresh_from_db()
    assert entry.action == "view_answers"
    assert AccessLog.objects.count() == 1


# The client's own data


@pytest.fixture
def proven(visitor, flagged):
    """The client's browser after opening the manage link from their email."""
    url = links.proven_manage_url(flagged).removeprefix(settings.SITE_URL.rstrip("/"))
    assert visitor.get(url).status_code == 200
    return visitor


@pytest.mark.parametrize("url_name", ["intake:client_data", "intake:client_erase"])
def test_the_manage_link_alone_does_not_open_the_clients_data(visitor, flagged, url_name):
    """The manage link is shown to whoever typed the email; only the emailed link proves it."""
    response = visitor.get(reverse(url_name, kwargs={"token": flagged.manage_token}))

    assert response.status_code == 404
    assert "open this page from the link we emailed you" in response.content.decode()
    assert SECRET not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_a_forged_proof_proves_nothing(visitor, flagged):
    manage = reverse("bookings:booking_manage", kwargs={"token": flagged.manage_token})
    visitor.get(manage + "?k=forged")

    response = visitor.get(reverse("intake:client_data", kwargs={"token": flagged.manage_token}))

    assert response.status_code == 404


def test_the_client_can_ask_for_the_proven_link_by_email(
    visitor, flagged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(
            reverse("intake:client_send_link", kwargs={"token": flagged.manage_token})
        )

    assert response.status_code == 302
    [email] = [m for m in mail.outbox if "secure link" in m.subject]
    assert email.to == ["marta@example.com"]
    assert "?k=" in email.body
    assert SECRET not in email.body


def test_the_client_can_download_their_answers_and_the_read_is_logged(proven, flagged):
    response = proven.get(reverse("intake:client_data", kwargs={"token": flagged.manage_token}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["client"]["email"] == "marta@example.com"
    [given] = data["health_answers"]
    answers = {row["code"]: row["answer"] for row in given["answers"]}
    assert answers["anything_else"] == SECRET
    assert answers["pregnant"] == "Yes"
    assert given["level"] == "review"
    assert given["reasons"] == [REASON]
    assert [consent["version"] for consent in data["consents"]] == [1]
    entry = AccessLog.objects.get()
    assert entry.action == "client_export"
    assert entry.actor == f"client:{flagged.client_id}"
    assert entry.submission == Submission.objects.get(booking=flagged)
    assert entry.user is None


def test_an_unknown_link_exports_nothing(flagged):
    response = Browser().get(reverse("intake:client_data", kwargs={"token": "not-a-real-token"}))

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


@pytest.fixture
def past_visit(flagged) -> Booking:
    """A completed session last week for the same client, with its own answers."""
    submission = SubmissionFactory(
        booking__client=flagged.client,
        booking__service=flagged.service,
        booking__length=flagged.length,
        booking__therapist=flagged.therapist,
        booking__room=flagged.room,
        booking__start_at=timezone.now() - timedelta(days=7),
        booking__status=BookingStatus.COMPLETED,
        level="clear",
        reasons=[],
        answers=clear_answers(LEG, anything_else=SECRET),
        created_at=timezone.now() - timedelta(days=8),
    )
    return submission.booking


def test_erasure_blanks_answers_and_details_but_keeps_the_bookings(proven, flagged, past_visit):
    """Answers and name, email and phone go; the booking rows stay; upcoming ones cancel."""
    client = flagged.client
    token = flagged.manage_token

    response = proven.post(
        reverse("intake:client_erase", kwargs={"token": token}), {"confirm": "erase"}
    )

    assert response.status_code == 200
    assert "Your data has been erased" in response.content.decode()
    client.refresh_from_db()
    assert client.erased_at is not None
    assert client.name == "Erased client"
    assert "marta" not in client.email
    assert client.phone == ""
    assert set(Booking.objects.filter(client=client)) == {flagged, past_visit}
    flagged.refresh_from_db()
    past_visit.refresh_from_db()
    assert flagged.status == BookingStatus.CANCELLED
    assert past_visit.status == BookingStatus.COMPLETED
    for submission in Submission.objects.filter(client=client):
        assert submission.answers == {}
        assert submission.reasons == []
        assert submission.erased_at is not None
    assert not client.consents.filter(withdrawn_at__isnull=True).exists()


def test_after_erasure_the_clients_links_lead_nowhere(proven, flagged):
    token = flagged.manage_token
    proven.post(reverse("intake:client_erase", kwargs={"token": token}), {"confirm": "erase"})

    for name in ("bookings:booking_manage", "intake:client_data", "intake:client_erase"):
        assert Browser().get(reverse(name, kwargs={"token": token})).status_code == 404, name


def test_after_erasure_the_therapist_reads_no_answers(proven, flagged):
    proven.post(
        reverse("intake:client_erase", kwargs={"token": flagged.manage_token}), {"confirm": "erase"}
    )

    page = staff_browser("ana").get(page_url("intake:intake_answers", flagged))

    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert "Erased at the client" in page.content.decode()


def test_erasure_needs_the_box_ticked(proven, flagged):
    response = proven.post(reverse("intake:client_erase", kwargs={"token": flagged.manage_token}))

    assert response.status_code == 302
    flagged.client.refresh_from_db()
    assert flagged.client.erased_at is None
    assert Submission.objects.get(booking=flagged).answers["anything_else"] == SECRET


# A client is identified by an email nobody verified when it was typed: whoever books with
# another person's email gets a manage link, but never that person's data.


def test_booking_with_someone_elses_email_does_not_reveal_their_answers(flagged, other_visitor):
    """Typing another person's email must not lead to their health answers."""
    mine, _response = book(other_visitor, name="Somebody Else", email="marta@example.com")

    export = other_visitor.get(reverse("intake:client_data", kwargs={"token": mine.manage_token}))

    assert export.status_code == 404
    assert SECRET not in export.content.decode()
    mine.client.refresh_from_db()
    assert mine.client.name != "Somebody Else"  # nor does it rewrite their record


def test_booking_with_someone_elses_email_cannot_erase_their_data(flagged, other_visitor):
    """Typing another person's email must not let anyone cancel or erase their bookings."""
    mine, _response = book(other_visitor, name="Somebody Else", email="marta@example.com")

    other_visitor.post(
        reverse("intake:client_erase", kwargs={"token": mine.manage_token}), {"confirm": "erase"}
    )

    flagged.refresh_from_db()
    assert flagged.status == BookingStatus.AWAITING_REVIEW
    assert Submission.objects.get(booking=flagged).answers["anything_else"] == SECRET
