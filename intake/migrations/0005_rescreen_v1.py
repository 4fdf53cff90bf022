"""Load the first version of the pre-visit re-screen as data."""

from django.db import migrations
from django.utils import timezone


def load_rescreen_v1(apps, schema_editor):
    from intake.rescreen_v1 import QUESTIONS

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


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_questionnaire_kind"),
    ]

    operations = [
        migrations.RunPython(load_rescreen_v1, migrations.RunPython.noop),
    ]
