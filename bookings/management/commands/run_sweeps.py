import time

from django.core.management.base import BaseCommand

from bookings import services, waitlist
from bookings.messages import sweeps


class Command(BaseCommand):
    help = (
        "Run the periodic sweeps (hold expiry, reminders, review alerts, after-care, waitlist "
        "offers) once, or every --every seconds: what Celery beat does when there is no Redis."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, every, **options):
        while True:
            counts = {
                "holds expired": services.holds_expire(),
                "reminders": sweeps.reminders_send(),
                "review alerts": sweeps.review_alerts_send(),
                "after-care": sweeps.aftercare_send(),
                "waitlist offers": waitlist.waitlist_sweep(),
            }
            self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
            if not every:
                return
            time.sleep(every)
