"""Every staff account can reset a forgotten password by email and change its password."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from studio.demo import DEMO_PASSWORD
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-and-long-passphrase-42"


def reset_link(message) -> str:
    """Return the path of the reset link in an email's text part."""
    site = re.escape(settings.SITE_URL.rstrip("/"))
    return re.search(site + r"(/en/accounts/password/reset/\S+/)", message.body).group(1)


@pytest.mark.parametrize("username", ["frontdesk", "owner", "ana"])
def test_a_forgotten_password_is_reset_through_the_emailed_link(client, people, username):
    user = people[username]
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = reset_link(message)
    assert f'href="{settings.SITE_URL.rstrip("/")}{link}"' in html

    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # The link works once.
    assert "already been used" in client.get(link, follow=True).content.decode()
    # The new password signs in; the second factor is still asked for.
    signed = client.post(
        reverse("accounts:login"), {"username": username, "password": NEW_PASSWORD}
    )
    assert signed.status_code == 302
    assert client.get("/en/staff/calendar/").url.startswith(reverse("accounts:mfa_setup"))


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, people):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_reset_email_is_plain_and_escapes_what_it_shows(client, people):
    """The HTML part is autoescaped; neither part carries anything but the link."""
    user = people["frontdesk"]
    user.username = "front&desk"
    user.save()
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    html = mail.outbox[0].alternatives[0][0]
    assert "Hello front&amp;desk," in html
    assert "Hello front&desk," in mail.outbox[0].body


def test_a_signed_in_staff_member_changes_their_password(client, people):
    user = people["ana"]
    sign_in(client, user)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    wrong = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.url == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The session stays signed in and past its second factor.
    assert client.get("/en/me/day/").status_code == 200


def test_changing_the_password_needs_the_second_factor_first(client, people):
    client.post(reverse("accounts:login"), {"username": "ana", "password": DEMO_PASSWORD})
    assert client.get(reverse("accounts:password_change")).url.startswith(
        reverse("accounts:mfa_setup")
    )


def test_changing_the_password_needs_signing_in(client, people):
    assert client.get(reverse("accounts:password_change")).url.startswith(reverse("accounts:login"))
