"""The client's language is recorded with the booking: later emails and links use it.

Bookings made before languages existed were made in English. Added with a plain
``ALTER TABLE`` for the reason given in 0005 (SQLite would rebuild the table).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0005_booking_screening_level"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE bookings_booking"
                    " ADD COLUMN language varchar(8) DEFAULT 'en' NOT NULL",
                    "ALTER TABLE bookings_booking DROP COLUMN language",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="booking",
                    name="language",
                    field=models.CharField(
                        choices=[("ca", "Català"), ("es", "Español"), ("en", "English")],
                        db_default="en",
                        default="en",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
            ],
        ),
    ]
