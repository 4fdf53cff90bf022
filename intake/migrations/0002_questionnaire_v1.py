"""Load the first questionnaire version and consent text as data."""

from django.db import migrations
from django.utils import timezone


def load_v1(apps, schema_editor):
    from intake.questionnaire_v1 import CONSENT_TEXT_V1, QUESTIONS
    from intake.triage import question_fields

    Questionnaire = apps.get_model("intake", "Questionnaire")
    Question = apps.get_model("intake", "Question")
    ConsentText = apps.get_model("intake", "ConsentText")
    now = timezone.now()
    questionnaire, created = Questionnaire.objects.get_or_create(
        version=1, defaults={"title": "Health questions", "published_at": now}
    )
    if created:
        for position, spec in enumerate(QUESTIONS, start=1):
            Question.objects.create(
                questionnaire=questionnaire, position=position, **question_fields(spec)
            )
    ConsentText.objects.get_or_create(
        version=1, defaults={"text": str(CONSENT_TEXT_V1), "published_at": now}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_v1, migrations.RunPython.noop),
    ]
