import secrets

from django.db import migrations, models

import studio.models


def fill_tokens(apps, schema_editor):
    Therapist = apps.get_model("studio", "Therapist")
    for therapist in Therapist.objects.filter(calendar_token__isnull=True):
        therapist.calendar_token = secrets.token_urlsafe(32)
        therapist.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="therapist",
            name="calendar_token",
            field=models.CharField(max_length=64, null=True, verbose_name="calendar feed token"),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="therapist",
            name="calendar_token",
            field=models.CharField(
                default=studio.models.new_calendar_token,
                max_length=64,
                unique=True,
                verbose_name="calendar feed token",
            ),
        ),
    ]
