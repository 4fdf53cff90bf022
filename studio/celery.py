"""The Celery application; tasks are found in each installed app's tasks module."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.base")

app = Celery("calma")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
