from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from accounts.services import second_factor_reset


class Command(BaseCommand):
    help = "Remove a user's two-step sign-in (lost phone): they set it up again next time."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        second_factor_reset(user=user)
        self.stdout.write(f"{username} sets up two-step sign-in again on their next sign-in.")
