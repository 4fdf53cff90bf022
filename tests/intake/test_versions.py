"""Publishing a new questionnaire version in the admin, and old answers staying readable."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from intake import selectors
from intake.models import Question, Questionnaire, Submission
from tests.auth import sign_in
from tests.factories import BookingFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _admin(client, username):
    sign_in(client, User.objects.get(username=username))
    return client


@pytest.mark.parametrize("username", ["frontdesk", "owner"])
def test_staff_and_owner_publish_a_new_version_from_the_admin(client, demo_studio, username):
    _admin(client, username)
    v1 = selectors.questionnaire_current()
    changelist = reverse("admin:intake_questionnaire_changelist")
    response = client.post(changelist, {"action": "copy_as_draft", "_selected_action": [v1.pk]})
    assert response.status_code == 302
    draft = Questionnaire.objects.get(kind="booking", version=2)
    assert draft.published_at is None
    assert draft.questions.count() == v1.questions.count()
    # Clients still answer version 1 until the draft is published.
    assert selectors.questionnaire_current().version == 1
    Question.objects.filter(questionnaire=draft, code="intense_pain").update(
        text_en="Do you have strong pain anywhere today?",
        text_ca="Avui tens un dolor fort en algun lloc?",
        text_es="¿Hoy tienes un dolor fuerte en algún sitio?",
    )
    # Publishing asks for a confirmation first, then publishes once it is given.
    response = client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert response.status_code == 200
    assert selectors.questionnaire_current().version == 1
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk], "post": "yes"})
    current = selectors.questionnaire_current()
    assert current.version == 2
    assert "Do you have strong pain anywhere today?" in [q.text for q in current.questions.all()]


def test_old_answers_are_read_against_the_version_they_were_given_on(demo_studio):
    v1 = selectors.questionnaire_current()
    original = v1.questions.get(code="intense_pain").text
    booking = BookingFactory(service=ServiceFactory())
    submission = Submission.objects.create(
        booking=booking,
        client=booking.client,
        questionnaire=v1,
        answers={"intense_pain": "yes"},
        level="review",
        created_at=timezone.now(),
    )
    v2 = Questionnaire.objects.create(kind="booking", version=2, published_at=timezone.now())
    Question.objects.create(
        questionnaire=v2,
        position=1,
        code="intense_pain",
        section="health",
        text="A reworded question",
        kind="yes_no",
    )
    rows = selectors.answer_rows(submission)
    assert rows == [{"question": original, "answer": "Yes", "code": "intense_pain"}]


def test_a_published_version_cannot_be_edited_in_the_admin(client, demo_studio):
    _admin(client, "owner")
    v1 = selectors.questionnaire_current()
    response = client.get(reverse("admin:intake_questionnaire_change", args=[v1.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    # Questions of a published version are shown read-only: no editable inputs for them.
    assert 'name="questions-0-text"' not in body


@pytest.mark.parametrize(
    ("kind", "module"),
    [("booking", "intake.questionnaire_v1"), ("rescreen", "intake.rescreen_v1")],
)
def test_the_stored_first_versions_are_exactly_the_source_questions(db, kind, module):
    """The data migrations store every question, condition and rule of the source files."""
    import importlib

    source = importlib.import_module(module).QUESTIONS
    stored = [q.to_spec() for q in selectors.questionnaire_current(kind=kind).questions.all()]
    assert [s.code for s in stored] == [s.code for s in source]
    for saved, original in zip(stored, source, strict=True):
        assert saved.kind == original.kind
        assert saved.text == str(original.text)
        assert saved.show_if == original.show_if
        assert saved.services == original.services
        assert [(r.when, r.level, r.reason) for r in saved.rules] == [
            (r.when, r.level, str(r.reason)) for r in original.rules
        ]
