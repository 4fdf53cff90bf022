"""Load the first questionnaire version and consent text as data."""

from django.db import migrations
from django.utils import timezone


def load_v1(apps, schema_editor):
    from intake.questionnaire_v1 import CONSENT_TEXT_V1, QUESTIONS

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
                questionnaire=questionnaire,
                position=position,
                code=spec.code,
                section=spec.section,
                text=str(spec.text),
                kind=spec.kind,
                help_text=str(spec.help_text),
                choices=[{"value": c.value, "label": str(c.label)} for c in spec.choices],
                required=spec.required,
                show_if_question=spec.show_if.question if spec.show_if else "",
                show_if_values=list(spec.show_if.any_of) if spec.show_if else [],
                services=list(spec.services),
                rules=[
                    {"when": list(r.when), "level": str(r.level), "reason": str(r.reason)}
                    for r in spec.rules
                ],
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
