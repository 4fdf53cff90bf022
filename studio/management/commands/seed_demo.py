from django.core.management.base import BaseCommand

from studio.services import demo_seed


class Command(BaseCommand):
    help = "Load the demo studio (services, therapists, rooms, hours, staff and owner logins)."

    def handle(self, *args, **options):
        logins = demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo studio ready."))
        self.stdout.write("Logins (username / password) at /accounts/login/ and /admin/:")
        for username, password in logins.items():
            self.stdout.write(f"  {username:<10} {password}")
        self.stdout.write(
            "Staff accounts then set up two-step sign-in: scan the QR code shown on first "
            "sign-in with an authenticator app (or type its key into one, or run "
            "`oathtool --totp -b KEY`), and keep the recovery codes."
        )
