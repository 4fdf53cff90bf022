"""Load the first version of the pre-visit re-screen as data."""

from django.db import migrations
from django.utils import timezone


def load_rescreen_v1(apps, schema_editor):
    from intake.rescreen_v1 import QUESTIONS
    from intake.triage import question_fields

    Questionnaire = apps.get_model("intake", "Questionnaire")
    Question = apps.get_model("intake", "Question")
    questionnaire, created = Questionnaire.objects.get_or_create(
        kind="rescreen",
        version=1,
        defaults={"title": "Before your visit", "published_at": timezone.now()},
    )
    if not created:
        return
    for position, spec in enumerate(QUESTIONS, start=1):
        Question.objects.create(
            questionnaire=questionnaire, position=position, **question_fields(spec)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_questionnaire_kind"),
    ]

    operations = [
        migrations.RunPython(load_rescreen_v1, migrations.RunPython.noop),
    ]
