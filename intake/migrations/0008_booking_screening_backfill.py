"""Copy each booking's newest screening level onto the booking, and when a stop came first.

Bookings carry the level (never the answers) since bookings 0005, so the calendar and the
therapist's day read it without reaching into the health data. The intake app writes it.
"""

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery


def backfill(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    Submission = apps.get_model("intake", "Submission")
    newest = Submission.objects.filter(booking=OuterRef("pk")).order_by("-created_at", "-pk")
    Booking.objects.filter(submissions__isnull=False).update(
        screening_level=Subquery(newest.values("level")[:1])
    )
    first_stop = (
        Submission.objects.filter(booking=OuterRef("pk"), kind="booking", level="stop")
        .values("booking")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    Booking.objects.filter(submissions__kind="booking", submissions__level="stop").update(
        screening_stopped_at=Subquery(first_stop[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0007_access_log_submission_ids"),
        ("bookings", "0005_booking_screening_level"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
