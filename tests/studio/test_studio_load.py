"""The studio row is read once per request or task, and read again once it changes."""

import pytest
from celery import signals
from django.urls import reverse

import studio.celery  # noqa: F401  (connects the task receivers)
from studio.models import Studio

pytestmark = pytest.mark.django_db


def test_the_studio_is_read_once_however_often_it_is_asked_for(
    demo_studio, django_assert_num_queries
):
    Studio.forget()
    with django_assert_num_queries(1):
        first = Studio.load()
        assert Studio.load() is first
        assert Studio.load().hold_minutes == first.hold_minutes


def test_a_saved_studio_is_read_afresh():
    studio = Studio.load()
    studio.hold_minutes = 25
    studio.save()

    assert Studio.load().hold_minutes == 25


def test_each_task_reads_the_studio_afresh(demo_studio):
    """Another process may have changed the row: a task never sees it stale."""
    assert Studio.load().hold_minutes == 10
    Studio.objects.filter(pk=1).update(hold_minutes=12)  # as another process would
    assert Studio.load().hold_minutes == 10  # still this thread's studio

    signals.task_prerun.send(sender=None, task_id="t", task=None, args=(), kwargs={})
    assert Studio.load().hold_minutes == 12


def test_each_request_reads_the_studio_afresh(client, demo_studio, settings):
    """A page never shows the studio as an earlier request (or another process) left it."""
    # Stored pages off: a queryset update raises no catalogue version (save() would).
    settings.CALMA_TIMES_CACHE_SECONDS = 0
    assert "Calma Gràcia" not in client.get(reverse("studio:home")).content.decode()
    Studio.load()
    Studio.objects.filter(pk=1).update(name="Calma Gràcia")  # as another process would

    assert "Calma Gràcia" in client.get(reverse("studio:home")).content.decode()
