"""Write-side functions for the studio: roles and the demo studio."""

from datetime import time
from decimal import Decimal

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q
from translated_fields import to_attribute

from studio import demo
from studio.models import Room, Service, ServiceLength, Studio, Therapist, WorkingHours
from studio.roles import Role
from studio.translated import CONTENT_LANGUAGES, SOURCE_LANGUAGE, translated_names

# App labels whose models each role may manage in the admin.
_STAFF_APPS = ("studio", "bookings")
# The owner also sees sign-in lockouts (axes) and second-factor devices (django-otp): they
# unlock an account, or remove a lost phone's authenticator, from the admin.
_OWNER_APPS = ("studio", "bookings", "intake", "auth", "axes", "otp_totp", "otp_static")


def roles_ensure() -> dict[str, Group]:
    """Create the four role groups and give each its permissions; safe to run repeatedly."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in Role.ALL}
    groups[Role.OWNER].permissions.set(
        Permission.objects.filter(content_type__app_label__in=_OWNER_APPS)
    )
    groups[Role.STAFF].permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label__in=_STAFF_APPS)
            # Staff publish questionnaire versions, but never see answers or the access log.
            | Q(
                content_type__app_label="intake",
                content_type__model__in=["questionnaire", "question", "consenttext"],
            )
        ).exclude(
            Q(content_type__app_label="studio", content_type__model="studio")
            & ~Q(codename="view_studio")
        )
    )
    groups[Role.THERAPIST].permissions.set(
        Permission.objects.filter(content_type__app_label="studio", codename__startswith="view_")
    )
    groups[Role.CLIENT].permissions.clear()
    return groups


def _user_ensure(*, username, email, first_name="", last_name="", group, is_staff=False):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": is_staff,
        },
    )
    if created:
        user.set_password(demo.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(group)
    return user


def _every_language(data: dict, name: str) -> dict[str, str]:
    """Return the columns of a translated field from demo data (``name`` is the English)."""
    return {
        to_attribute(name, language): data[
            name if language == SOURCE_LANGUAGE else f"{name}_{language}"
        ]
        for language in CONTENT_LANGUAGES
    }


@transaction.atomic
def demo_seed() -> dict[str, str]:
    """Load the demo studio; running it again changes nothing. Return the demo logins."""
    groups = roles_ensure()
    studio = Studio.load()
    if studio.name == "Calma" and not studio.tagline_en:
        for language, tagline in demo.TAGLINE.items():
            setattr(studio, to_attribute("tagline", language), tagline)
        studio.address = "Carrer de la Calma 12, 08012 Barcelona"
        studio.phone = "+34 930 000 000"
        studio.email = "hola@calma.localhost"
        # The studio is in Catalonia: a visitor whose browser asks for no language we speak
        # reads Catalan first.
        studio.default_language = "ca"
        studio.save()

    rooms = {
        slug: Room.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for name, slug in demo.ROOMS
    }
    services = {}
    for data in demo.SERVICES:
        fields = {key: data[key] for key in ("position", "buffer_minutes", "requires_assessment")}
        for name in translated_names(Service):
            fields |= _every_language(data, name)
        service, _created = Service.objects.get_or_create(slug=data["slug"], defaults=fields)
        for minutes, price in data["lengths"]:
            ServiceLength.objects.get_or_create(
                service=service, minutes=minutes, defaults={"price": Decimal(price)}
            )
        service.rooms.add(*(rooms[slug] for slug in data["rooms"]))
        services[data["slug"]] = service

    for data in demo.THERAPISTS:
        first, _space, last = data["display_name"].partition(" ")
        user = _user_ensure(
            username=data["username"],
            email=data["email"],
            first_name=first,
            last_name=last,
            group=groups[Role.THERAPIST],
        )
        therapist, created = Therapist.objects.get_or_create(
            user=user,
            defaults={
                "slug": data["slug"],
                "display_name": data["display_name"],
                **_every_language(data, "bio"),
            },
        )
        therapist.services.add(*(services[slug] for slug in data["services"]))
        if created:
            # One by one, not bulk_create: each save tells the stored weeks of times.
            for day, starts, ends in data["hours"]:
                WorkingHours.objects.create(
                    therapist=therapist, weekday=day, starts=starts, ends=ends
                )

    _user_ensure(**demo.STAFF, group=groups[Role.STAFF], is_staff=True)
    _user_ensure(**demo.OWNER, group=groups[Role.OWNER], is_staff=True)
    logins = {
        demo.STAFF["username"]: demo.DEMO_PASSWORD,
        demo.OWNER["username"]: demo.DEMO_PASSWORD,
    }
    logins.update({data["username"]: demo.DEMO_PASSWORD for data in demo.THERAPISTS})
    return logins


@transaction.atomic
def therapist_update(
    *,
    therapist: Therapist,
    services,
    is_active: bool,
    hours: list[tuple[int, time, time]],
) -> Therapist:
    """Set the massages a therapist offers, whether they take bookings, and their weekly hours.

    Rows are saved and deleted one by one, so each clears the stored free times
    (``bookings.receivers``). Bookings already made stay as they are.
    """
    therapist = Therapist.objects.select_for_update().get(pk=therapist.pk)
    if therapist.is_active != is_active:
        therapist.is_active = is_active
        therapist.save(update_fields=["is_active"])
    therapist.services.set(services)
    wanted = set(hours)
    current = {(row.weekday, row.starts, row.ends): row for row in therapist.hours.all()}
    for key, row in current.items():
        if key not in wanted:
            row.delete()
    for weekday, starts, ends in sorted(wanted - current.keys()):
        WorkingHours.objects.create(therapist=therapist, weekday=weekday, starts=starts, ends=ends)
    return therapist
