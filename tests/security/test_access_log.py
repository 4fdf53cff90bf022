"""One access-log row per read of answers or reasons: who, what, when; none for HEAD or refusals.

A read is one response that showed them: the answers page, the review page and the queue
(reasons), a prefilled form, the client's JSON export.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from bookings.messages import links
from bookings.models import BookingStatus
from intake.models import AccessLog, Submission
from tests.bookings.staff.conftest import at
from tests.factories import ClientFactory, SubmissionFactory
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db

REASON = "Pregnancy, flagged for the log."


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def flagged(demo, monday):
    """Ana's booking awaiting review, with its answers at booking and a later re-screen."""
    booking = demo.book(
        at(monday, 10),
        client=ClientFactory(name="Marta Soler"),
        status=BookingStatus.AWAITING_REVIEW,
    )
    first = SubmissionFactory(
        booking=booking,
        reasons=[{"question": "pregnant", "level": "review", "text": REASON}],
        created_at=timezone.now() - timedelta(days=2),
    )
    second = SubmissionFactory(
        booking=booking,
        kind=Submission.Kind.RESCREEN,
        reasons=[{"question": "pregnant", "level": "review", "text": REASON}],
        created_at=timezone.now() - timedelta(days=1),
    )
    return booking, [second, first]


def page(name, booking) -> str:
    return reverse(name, kwargs={"public_id": booking.public_id})


def test_one_read_of_two_submissions_is_one_row_naming_both(flagged):
    booking, (newest, oldest) = flagged
    before = timezone.now()

    response = sign_in(user("ana")).get(
        page("intake:intake_answers", booking), REMOTE_ADDR="203.0.113.9"
    )

    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.user, entry.actor, entry.action) == (user("ana"), "ana", "view_answers")
    assert entry.submission_ids == [newest.pk, oldest.pk]
    assert entry.submission == newest
    assert entry.ip_address == "203.0.113.9"
    assert entry.at >= before


def test_every_read_is_a_row_of_its_own(flagged):
    booking, _submissions = flagged
    ana, owner = sign_in(user("ana")), sign_in(user("owner"))

    ana.get(page("intake:intake_answers", booking))
    ana.get(page("intake:intake_answers", booking))
    owner.get(page("intake:intake_answers", booking))

    assert list(AccessLog.objects.order_by("pk").values_list("actor", flat=True)) == [
        "ana",
        "ana",
        "owner",
    ]


def test_the_review_page_logs_its_reasons_read(flagged):
    booking, (newest, _oldest) = flagged

    response = sign_in(user("ana")).get(page("intake:review_detail", booking))

    assert REASON in response.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.action, entry.submission_ids) == ("view_reasons", [newest.pk])


def test_the_review_queue_logs_one_row_for_every_reason_it_shows(flagged, demo, monday):
    _booking, (newest, _oldest) = flagged
    later = SubmissionFactory(
        booking__service=demo.service(),
        booking__length=demo.length(60),
        booking__therapist=demo.therapist("ana"),
        booking__room=demo.room("olive"),
        booking__start_at=at(monday, 12),
        reasons=[{"question": "pregnant", "level": "review", "text": REASON}],
    )

    response = sign_in(user("ana")).get(reverse("intake:review_queue"))

    assert response.content.decode().count(REASON) == 2
    entry = AccessLog.objects.get()
    assert entry.action == "review_queue"
    assert entry.submission_ids == [newest.pk, later.pk]
    assert entry.submission is None  # a list's read points at no single submission


def test_an_empty_queue_showed_nothing_and_logs_nothing(demo):
    response = sign_in(user("ben")).get(reverse("intake:review_queue"))

    assert response.status_code == 200
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    ("name", "status"), [("intake:intake_answers", 200), ("intake:review_detail", 405)]
)
def test_a_head_request_logs_nothing(flagged, name, status):
    """HEAD shows no body: answered (the answers page) or refused (the review form), no row."""
    booking, _submissions = flagged

    response = sign_in(user("ana")).head(page(name, booking))

    assert response.status_code == status
    assert not AccessLog.objects.exists()


def test_a_head_request_on_the_queue_logs_nothing(flagged):
    response = sign_in(user("ana")).head(reverse("intake:review_queue"))

    assert response.status_code == 200
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("who", ["ben", "frontdesk"])
@pytest.mark.parametrize("name", ["intake:intake_answers", "intake:review_detail"])
def test_a_refused_read_logs_nothing(flagged, who, name):
    booking, _submissions = flagged

    response = sign_in(user(who)).get(page(name, booking))

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_an_invalid_decision_logs_nothing(flagged):
    """The form comes back with its errors: a failed request, not a read."""
    booking, _submissions = flagged

    response = sign_in(user("ana")).post(
        page("intake:review_detail", booking), {"decision": "adapt"}
    )

    assert response.status_code == 400
    assert not AccessLog.objects.exists()


def test_the_clients_export_is_one_row_for_all_their_answers(flagged):
    booking, (newest, oldest) = flagged
    browser = sign_in(None)
    proven = links.proven_manage_url(booking).removeprefix(settings.SITE_URL.rstrip("/"))
    browser.get(proven)

    response = browser.get(reverse("intake:client_data", kwargs={"token": booking.manage_token}))
    head = browser.head(reverse("intake:client_data", kwargs={"token": booking.manage_token}))

    assert (response.status_code, head.status_code) == (200, 200)
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.action, entry.user) == (
        f"client:{booking.client_id}",
        "client_export",
        None,
    )
    assert entry.submission_ids == [newest.pk, oldest.pk]


def test_an_export_without_proof_logs_nothing(flagged):
    booking, _submissions = flagged

    response = sign_in(None).get(
        reverse("intake:client_data", kwargs={"token": booking.manage_token})
    )

    assert response.status_code == 404
    assert not AccessLog.objects.exists()
