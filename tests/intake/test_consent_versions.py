"""Consent texts outside the admin: copy as a draft, write it in every language, publish."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from intake import selectors, services
from intake.models import ConsentText
from tests.bookings.staff.conftest import browser_for

pytestmark = pytest.mark.django_db

NEW_TEXT = {
    "text_en": "I agree that Calma keeps my health answers to keep my massage safe.",
    "text_ca": "Accepto que Calma guardi les meves respostes de salut per fer un massatge segur.",
    "text_es": "Acepto que Calma guarde mis respuestas de salud para que el masaje sea seguro.",
}


def test_a_consent_text_copied_rewritten_and_published_becomes_current(demo_studio):
    owner = browser_for("owner")
    before = selectors.consent_text_current()
    listing = owner.get(reverse("intake:versions")).content.decode()
    assert "Clients consent to this one" in listing

    copy = reverse("intake:consent_copy", kwargs={"pk": before.pk})
    assert owner.post(copy, {}).status_code == 400
    copied = owner.post(copy, {"copy": "yes"})
    draft = ConsentText.objects.get(published_at__isnull=True)
    assert copied.url == reverse("intake:consent_detail", kwargs={"pk": draft.pk})
    assert (draft.version, draft.text_ca) == (before.version + 1, before.text_ca)

    url = reverse("intake:consent_detail", kwargs={"pk": draft.pk})
    assert owner.post(url, NEW_TEXT | {"text_en": ""}).status_code == 400
    assert owner.post(url, NEW_TEXT).status_code == 302
    draft.refresh_from_db()
    assert draft.text_es == NEW_TEXT["text_es"]
    page = owner.get(url)
    english = page.context["texts"][0]
    assert (english["changed"], english["current"]) == (True, before.text_en)
    assert "<strong>changed</strong>" in page.content.decode()
    assert selectors.consent_text_current() == before

    publish = reverse("intake:consent_publish", kwargs={"pk": draft.pk})
    unread = owner.post(publish, {})
    assert unread.status_code == 400
    assert selectors.consent_text_current() == before
    published = owner.post(publish, {"read": "yes"}, follow=True)
    assert "Consent text 2 is published" in published.content.decode()
    assert selectors.consent_text_current() == draft


def test_a_consent_text_missing_a_language_is_not_published(demo_studio):
    owner = browser_for("owner")
    draft = services.consent_copy_as_draft(text=selectors.consent_text_current())
    owner.post(
        reverse("intake:consent_detail", kwargs={"pk": draft.pk}), NEW_TEXT | {"text_ca": ""}
    )
    page = owner.get(reverse("intake:consent_detail", kwargs={"pk": draft.pk})).content.decode()
    assert "It is not written in Català yet" in page
    response = owner.post(
        reverse("intake:consent_publish", kwargs={"pk": draft.pk}), {"read": "yes"}
    )
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.published_at is None


def test_a_published_consent_text_never_changes(demo_studio):
    owner = browser_for("owner")
    current = selectors.consent_text_current()
    before = current.text_en
    url = reverse("intake:consent_detail", kwargs={"pk": current.pk})
    response = owner.post(url, NEW_TEXT)
    assert response.status_code == 409
    assert "A published text never changes." in response.content.decode()
    response = owner.post(
        reverse("intake:consent_publish", kwargs={"pk": current.pk}), {"read": "yes"}
    )
    assert response.status_code == 409
    current.refresh_from_db()
    assert current.text_en == before
    with pytest.raises(services.DraftRefused):
        services.consent_text_save(text=current, texts=NEW_TEXT)


def test_an_older_draft_does_not_replace_a_newer_text(demo_studio):
    first = services.consent_copy_as_draft(text=selectors.consent_text_current())
    second = services.consent_copy_as_draft(text=selectors.consent_text_current())
    services.consent_publish(text=second)
    with pytest.raises(services.DraftRefused, match="would not replace version 3"):
        services.consent_publish(text=first)
    assert selectors.consent_text_current() == second


def test_therapists_and_visitors_get_404(demo_studio):
    current = selectors.consent_text_current()
    for browser in (browser_for("ana"), Browser()):
        assert (
            browser.get(reverse("intake:consent_detail", kwargs={"pk": current.pk})).status_code
            == 404
        )
        assert (
            browser.post(
                reverse("intake:consent_copy", kwargs={"pk": current.pk}), {"copy": "yes"}
            ).status_code
            == 404
        )
    assert ConsentText.objects.count() == 1
