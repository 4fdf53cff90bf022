"""The after-care follow-up: the client says how they feel; feeling unwell alerts the studio."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from bookings.messages import links, sweeps
from bookings.models import Booking, BookingStatus
from intake import services
from intake.models import AccessLog, AftercareReport
from tests.bookings.messages.conftest import ANA_EMAIL, STAFF_EMAIL
from tests.bookings.staff.conftest import browser_for

pytestmark = pytest.mark.django_db

DETAILS = "Dizzy since I stood up. <b>still</b>"


@pytest.fixture
def booking(make, clock) -> Booking:
    """Wednesday's session, completed, with the clock two hours after it ended."""
    booking = make.book()
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.COMPLETED)
    booking.refresh_from_db()
    clock.now = booking.end_at + timedelta(hours=2)
    mail.outbox.clear()
    return booking


def link(booking: Booking) -> str:
    return urlsplit(links.aftercare_url(booking)).path


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    def post(booking: Booking, data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(link(booking), data)

    return post


def test_the_after_care_email_carries_the_link(booking, clock, django_capture_on_commit_callbacks):
    clock.now = booking.end_at + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.aftercare_send(now=booking.end_at + timedelta(minutes=5))
    (email,) = [m for m in mail.outbox if m.subject == "Thank you for your visit"]
    assert links.aftercare_url(booking) in email.body


def test_feeling_well_is_recorded_and_alerts_nobody(booking, send):
    response = send(booking, {"feelings": ["well"]})
    assert response.status_code == 200
    assert "We are glad you feel well." in response.content.decode()
    assert AftercareReport.objects.get().feelings == ["well"]
    assert mail.outbox == []


def test_feeling_unwell_alerts_the_therapist_and_the_front_desk_without_saying_what(booking, send):
    response = send(booking, {"feelings": ["dizziness"], "details": DETAILS})
    text = response.content.decode()
    assert "Your therapist and the studio have been told" in text
    assert "112" in text
    report = AftercareReport.objects.get()
    assert (report.feelings, report.details, report.needs_attention) == (
        ["dizziness"],
        DETAILS,
        True,
    )
    assert sorted(m.to[0] for m in mail.outbox) == [ANA_EMAIL, STAFF_EMAIL]
    for message in mail.outbox:
        body = message.body + message.alternatives[0][0]
        assert "Dizz" not in body and "still" not in body  # nothing of what was reported
    # The therapist's email leads to the note page, where the report is.
    (therapist,) = [m for m in mail.outbox if m.to == [ANA_EMAIL]]
    assert reverse("intake:session_note", args=[booking.public_id]) in therapist.body

    # Sent twice (a double submit): one report, no second alert.
    again = send(booking, {"feelings": ["discomfort"]})
    assert "We already have your answer" in again.content.decode()
    assert AftercareReport.objects.count() == 1 and len(mail.outbox) == 2


def test_the_report_shows_on_the_note_page_for_its_readers_only(booking, send, clock):
    send(booking, {"feelings": ["dizziness"], "details": DETAILS})
    report = AftercareReport.objects.get()
    url = reverse("intake:session_note", args=[booking.public_id])
    before = AccessLog.objects.count()
    page = browser_for("ana").get(url)
    html = page.content.decode()
    assert "Dizziness" in html and "&lt;b&gt;still&lt;/b&gt;" in html
    row = AccessLog.objects.get(pk__gt=before)
    assert (row.action, row.aftercare_ids, row.note_ids) == ("view_note", [report.pk], [])
    assert browser_for("frontdesk").get(url).status_code == 404
    assert AccessLog.objects.count() == before + 1


def test_bad_choices_and_closed_links_change_nothing(booking, send, clock):
    assert send(booking, {}).status_code == 400
    assert send(booking, {"feelings": ["well", "dizziness"]}).status_code == 400
    assert send(booking, {"feelings": ["fine"]}).status_code == 400
    assert not AftercareReport.objects.exists()
    clock.now = booking.end_at + services.AFTERCARE_OPEN_FOR + timedelta(minutes=1)
    late = send(booking, {"feelings": ["dizziness"]})
    assert "This link has expired" in late.content.decode()
    assert not AftercareReport.objects.exists() and mail.outbox == []


def test_a_session_not_completed_takes_no_report(make, clock, send):
    confirmed = make.book()
    clock.now = confirmed.end_at + timedelta(hours=1)
    response = send(confirmed, {"feelings": ["dizziness"]})
    assert "for a session that has taken place" in response.content.decode()
    assert not AftercareReport.objects.exists()


def test_a_forged_link_is_a_404(client, booking):
    assert client.get(link(booking)[:-3] + "xx/").status_code == 404
    rescreen_path = urlsplit(links.rescreen_url(booking)).path
    token = rescreen_path.rstrip("/").rsplit("/", 1)[1]
    # A re-screen token is no after-care token: each link opens only its own page.
    assert client.get(f"/en/aftercare/{token}/").status_code == 404


def test_the_export_holds_the_report_and_erasure_removes_it(booking, send):
    send(booking, {"feelings": ["discomfort"], "details": "Calf still sore."})
    exported = services.client_export(client=booking.client)["after_care"]
    assert exported[0]["feelings"] == ["A discomfort that does not pass"]
    services.client_erase(client=booking.client)
    assert not AftercareReport.objects.exists()
    assert Booking.objects.filter(pk=booking.pk).exists()
