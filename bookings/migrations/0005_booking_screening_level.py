"""The booking keeps its newest screening level, and when a screening first stopped it.

The level is added with a plain ``ALTER TABLE … ADD COLUMN`` on every database: on SQLite,
Django would otherwise rebuild the whole table for a NOT NULL column, and the rebuild would
try to create the PostgreSQL-only exclusion constraints (see ``studio.constraints``).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0004_manage_link_expiry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE bookings_booking"
                    " ADD COLUMN screening_level varchar(10) DEFAULT '' NOT NULL",
                    "ALTER TABLE bookings_booking DROP COLUMN screening_level",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="booking",
                    name="screening_level",
                    field=models.CharField(
                        blank=True,
                        choices=[("clear", "Clear"), ("review", "Review"), ("stop", "Stop")],
                        db_default="",
                        default="",
                        max_length=10,
                        verbose_name="screening",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="booking",
            name="screening_stopped_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="stopped by screening"),
        ),
    ]
