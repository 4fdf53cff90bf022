"""The Celery application; tasks are found in each installed app's tasks module."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.base")

app = Celery("calma")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def _fresh_studio(**kwargs):
    """Each task reads the studio's policies afresh (``Studio.load`` keeps them per thread)."""
    from studio.models import Studio

    Studio.forget()
