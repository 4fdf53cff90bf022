from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from studio.database_roles import RuntimeRoleError, runtime_role_grant, runtime_role_problems


class Command(BaseCommand):
    help = (
        "Give the runtime database role (DATABASE_RUNTIME_ROLE) exactly the privileges the web "
        "and worker processes need: rows on every table, only INSERT and SELECT on the access "
        "log. Run it as the owner of the tables, after migrate; safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--role", help="the runtime role (default: the DATABASE_RUNTIME_ROLE setting)"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; fail if the role may do more, or less, than the runtime needs",
        )

    def handle(self, *args, role=None, database=DEFAULT_DB_ALIAS, check=False, **options):
        role = role or settings.DATABASE_RUNTIME_ROLE
        if not role:
            raise CommandError("Name the runtime role: --role or DATABASE_RUNTIME_ROLE.")
        if check:
            problems = runtime_role_problems(role=role, using=database)
            if problems:
                raise CommandError("; ".join(problems))
            self.stdout.write(self.style.SUCCESS(f"{role} has exactly the runtime privileges."))
            return
        try:
            done = runtime_role_grant(role=role, using=database)
        except RuntimeRoleError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(done))
