"""Questionnaire versions outside the admin: copy as a draft, preview, see the changes, publish."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from intake import selectors
from intake.models import Question, Questionnaire
from tests.bookings.staff.conftest import browser_for

pytestmark = pytest.mark.django_db


def current() -> Questionnaire:
    return selectors.questionnaire_current(Questionnaire.Kind.BOOKING)


def test_a_draft_copied_previewed_and_published_becomes_the_version_clients_answer(demo_studio):
    owner = browser_for("owner")
    before = current()
    empty = owner.post(reverse("intake:version_copy", kwargs={"pk": before.pk}))
    assert empty.status_code == 400
    copied = owner.post(reverse("intake:version_copy", kwargs={"pk": before.pk}), {"copy": "yes"})
    draft = Questionnaire.objects.get(kind=before.kind, version=before.version + 1)
    assert copied.status_code == 302
    assert copied.url == reverse("intake:version_detail", kwargs={"pk": draft.pk})
    assert draft.published_at is None
    assert draft.questions.count() == before.questions.count()

    # A question's help text changes in the draft (in the admin, for now).
    question = draft.questions.get(code="pregnant")
    question.help_text_en = "Any stage, including the first weeks."
    question.save()

    page = owner.get(copied.url, {"service": "foot-massage"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Changed: pregnant" in text
    assert "Preview, as a client sees it" in text
    assert before.questions.get(code="pregnant").text in text  # the preview shows the questions
    assert page.context["service"].slug == "foot-massage"
    assert current() == before

    # Publishing asks that the changes were read, then publishes.
    url = reverse("intake:version_publish", kwargs={"pk": draft.pk})
    unread = owner.post(url, {})
    assert unread.status_code == 400
    assert "Please confirm that you have read what this version changes." in unread.content.decode()
    assert current() == before

    published = owner.post(url, {"read": "yes"}, follow=True)
    assert published.redirect_chain == [(reverse("intake:versions"), 302)]
    assert f"Version {draft.version} is published" in published.content.decode()
    assert current() == draft


def test_a_draft_with_a_problem_is_refused_and_stays_a_draft(demo_studio):
    owner = browser_for("owner")
    owner.post(reverse("intake:version_copy", kwargs={"pk": current().pk}), {"copy": "yes"})
    draft = Questionnaire.objects.filter(published_at__isnull=True).get()
    Question.objects.filter(questionnaire=draft).update(text_ca="")  # Catalan missing

    page = owner.get(reverse("intake:version_detail", kwargs={"pk": draft.pk}))
    assert "This draft cannot be published yet" in page.content.decode()
    response = owner.post(
        reverse("intake:version_publish", kwargs={"pk": draft.pk}), {"read": "yes"}
    )
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.published_at is None


def test_who_may_manage_versions(demo_studio):
    draft_of = current()
    for who in ("ana",):
        browser = browser_for(who)
        assert browser.get(reverse("intake:versions")).status_code == 404
        assert (
            browser.post(
                reverse("intake:version_copy", kwargs={"pk": draft_of.pk}), {"copy": "yes"}
            ).status_code
            == 404
        )
    assert Questionnaire.objects.filter(published_at__isnull=True).count() == 0
    anonymous = Browser()
    assert anonymous.get(reverse("intake:versions")).status_code == 302
    assert (
        anonymous.get(reverse("intake:version_detail", kwargs={"pk": draft_of.pk})).status_code
        == 404
    )
    assert browser_for("frontdesk").get(reverse("intake:versions")).status_code == 200
    assert (
        browser_for("owner")
        .get(reverse("intake:version_detail", kwargs={"pk": 999999}))
        .status_code
        == 404
    )
