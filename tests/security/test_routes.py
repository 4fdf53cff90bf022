"""The routes around "Who sees what" that the front desk could take, each closed.

The admin's "View on site", the phone booking's intake link, linking accounts, the details
form behind an intake link, and the "fill in now" prefill.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from bookings.messages import links
from bookings.models import Booking, BookingStatus, Client
from intake.models import AccessLog
from studio.models import Therapist
from tests.bookings.staff.conftest import LEG_CLEAR, at, intake_post_data
from tests.factories import ClientFactory, SubmissionFactory
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db

ADAPTATION = "avoid the left calf"
ANSWER = "my left knee is still tender"


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def reviewed(demo, monday) -> Booking:
    """Ana's confirmed booking, reviewed with an adaptation."""
    booking = demo.book(at(monday, 10), client=ClientFactory(name="Marta Soler"))
    booking.adaptations = ADAPTATION
    booking.save(update_fields=["adaptations"])
    return booking


@pytest.fixture
def phone_hold(demo, monday) -> Booking:
    """A booking the front desk made by phone, waiting for the client's answers."""
    return demo.book(
        at(monday, 11),
        status=BookingStatus.HELD,
        source=Booking.Source.PHONE,
        hold_expires_at=timezone.now() + timedelta(hours=40),
        client=ClientFactory(name="Rosa Puig", email="rosa@example.com"),
    )


# View on site


def test_the_admins_view_on_site_for_a_booking_leads_to_the_staff_card(reviewed):
    page = sign_in(user("frontdesk")).get(
        reverse("admin:bookings_booking_change", args=[reviewed.pk])
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("bookings:staff_booking", kwargs={"public_id": reviewed.public_id}) in html
    assert reviewed.manage_token not in html
    assert ADAPTATION not in html


def test_a_booking_has_no_generic_address_that_would_be_its_manage_link(reviewed):
    """Whatever asks for a model's address in general never gets the client's credential."""
    assert not hasattr(reviewed, "get_absolute_url")
    assert reviewed.get_manage_url() == f"/en/b/{reviewed.manage_token}/"


# The phone booking's intake link


def test_the_phone_bookings_card_shows_an_intake_link_that_is_not_the_manage_link(phone_hold):
    card = sign_in(user("frontdesk")).get(
        reverse("bookings:staff_booking", kwargs={"public_id": phone_hold.public_id})
    )

    html = card.content.decode()
    assert card.status_code == 200
    assert phone_hold.manage_token not in html
    token = html.split('value="http://testserver/en/intake/', 1)[1].split("/", 1)[0]
    # The intake link opens the health questions, and it is no manage link.
    opened = sign_in(None).get(reverse("intake:phone_intake", kwargs={"token": token}))
    assert opened.status_code == 302
    assert opened.url == reverse("intake:intake_form", kwargs={"public_id": phone_hold.public_id})
    assert sign_in(None).get(f"/en/b/{token}/").status_code == 404


def test_the_manage_link_does_not_open_a_phone_bookings_questions(phone_hold):
    response = sign_in(None).get(
        reverse("intake:phone_intake", kwargs={"token": phone_hold.manage_token})
    )

    assert response.status_code == 404


def test_an_intake_link_cannot_replace_the_bookings_client(phone_hold):
    """Whoever opens the link answers the questions; the details form is not theirs."""
    browser = sign_in(None)
    browser.get(reverse("intake:phone_intake", kwargs={"token": links.intake_token(phone_hold)}))
    details = reverse("bookings:booking_details", kwargs={"public_id": phone_hold.public_id})

    shown = browser.get(details)
    posted = browser.post(
        details, {"name": "Somebody Else", "email": "else@example.com", "phone": "1"}
    )

    assert (shown.status_code, posted.status_code) == (404, 404)
    phone_hold.refresh_from_db()
    assert phone_hold.client.name == "Rosa Puig"
    assert not Client.objects.filter(email="else@example.com").exists()


def test_answering_through_the_intake_link_never_leads_to_the_manage_page(
    phone_hold, django_capture_on_commit_callbacks
):
    browser = sign_in(None)
    browser.get(reverse("intake:phone_intake", kwargs={"token": links.intake_token(phone_hold)}))

    with django_capture_on_commit_callbacks(execute=True):
        answered = browser.post(
            reverse("intake:intake_form", kwargs={"public_id": phone_hold.public_id}),
            intake_post_data(LEG_CLEAR),
        )
    again = browser.get(reverse("intake:intake_form", kwargs={"public_id": phone_hold.public_id}))

    phone_hold.refresh_from_db()
    assert phone_hold.status == BookingStatus.CONFIRMED
    assert answered.status_code == 200
    assert "Your booking is confirmed." in answered.content.decode()
    assert phone_hold.manage_token not in answered.content.decode()
    # Opening the questions again shows the thank-you page, not the booking's manage page.
    assert again.status_code == 200
    assert phone_hold.manage_token not in again.content.decode()


def test_an_intake_link_signed_for_another_purpose_opens_nothing(phone_hold):
    forged = links.rescreen_token(phone_hold)

    assert (
        sign_in(None).get(reverse("intake:phone_intake", kwargs={"token": forged})).status_code
        == 404
    )


# Linking accounts


def test_the_front_desk_cannot_link_an_account_to_a_therapist(demo):
    ana = Therapist.objects.get(slug="ana")
    url = reverse("admin:studio_therapist_change", args=[ana.pk])
    desk = sign_in(user("frontdesk"))

    form = desk.get(url).content.decode()
    desk.post(
        url,
        {
            "user": user("frontdesk").pk,
            "display_name": ana.display_name,
            "slug": ana.slug,
            "calendar_token": ana.calendar_token,
            "is_active": "on",
            "hours-TOTAL_FORMS": "0",
            "hours-INITIAL_FORMS": "0",
        },
    )

    assert 'name="user"' not in form
    ana.refresh_from_db()
    assert ana.user == user("ana")


def test_the_front_desk_cannot_link_an_account_or_change_the_address_of_a_client(demo):
    client = ClientFactory(name="Marta Soler", email="marta@example.com")
    url = reverse("admin:bookings_client_change", args=[client.pk])
    desk = sign_in(user("frontdesk"))

    form = desk.get(url).content.decode()
    response = desk.post(
        url,
        {
            "name": "Marta Soler",
            "email": "frontdesk@example.com",
            "phone": "1",
            "user": user("frontdesk").pk,
        },
    )

    assert 'name="user"' not in form
    assert 'name="email"' not in form
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.user, client.email, client.phone) == (None, "marta@example.com", "1")


def test_the_owner_links_an_account_to_a_client(demo):
    client = ClientFactory(name="Marta Soler", email="marta@example.com")
    url = reverse("admin:bookings_client_change", args=[client.pk])
    account = User.objects.create_user("marta", "marta@example.com")

    response = sign_in(user("owner")).post(
        url, {"name": "Marta Soler", "email": "marta@example.com", "phone": "", "user": account.pk}
    )

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.user == account


# "Fill in now"


@pytest.fixture
def returning(demo, monday):
    """A client whose last answers, from a visit with Ana, carry a private note."""
    client = ClientFactory(name="Marta Soler", email="marta@example.com")
    SubmissionFactory(
        booking__client=client,
        booking__service=demo.service(),
        booking__length=demo.length(60),
        booking__therapist=demo.therapist("ana"),
        booking__room=demo.room("olive"),
        booking__start_at=timezone.now() - timedelta(days=14),
        booking__status=BookingStatus.COMPLETED,
        answers=LEG_CLEAR | {"anything_else": ANSWER},
        level="clear",
        reasons=[],
        created_at=timezone.now() - timedelta(days=15),
    )
    return client


def fill_in_now(browser, demo, monday, client):
    response = browser.post(
        reverse("bookings:staff_phone_booking"),
        {
            "client": client.pk,
            "service": demo.service().pk,
            "length": demo.length(60).pk,
            "therapist": demo.therapist("ben").pk,
            "start": at(monday, 15).isoformat(),
            "intake": "now",
            "language": "en",
            "step": "hold",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return browser.get(response.url)


def test_fill_in_now_never_prefills_answers_for_the_front_desk(demo, monday, returning):
    form = fill_in_now(sign_in(user("frontdesk")), demo, monday, returning)

    assert form.status_code == 200
    html = form.content.decode()
    assert "We have filled in" not in html
    assert ANSWER not in html
    assert not AccessLog.objects.exists()


def test_fill_in_now_by_the_owner_prefills_and_the_read_is_logged(demo, monday, returning):
    form = fill_in_now(sign_in(user("owner")), demo, monday, returning)

    assert "We have filled in the answers you gave on" in form.content.decode()
    assert ANSWER in form.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.action) == ("owner", "prefill")
    assert entry.submission_ids == [returning.submissions.get().pk]


def test_fill_in_now_does_not_prefill_for_a_therapist_of_another_visit(demo, monday, returning):
    """Ben works the front desk too; the last answers were given for a visit with Ana."""
    ben = user("ben")
    ben.groups.add(user("frontdesk").groups.get())
    form = fill_in_now(sign_in(ben), demo, monday, returning)

    assert form.status_code == 200
    assert ANSWER not in form.content.decode()
    assert not AccessLog.objects.exists()
