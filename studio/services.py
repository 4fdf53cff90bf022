"""Write-side functions for the studio: roles, the demo studio, the catalogue and the rooms.

Every catalogue write saves its rows one by one: each save tells the stored weeks of free
times that they are stale (``bookings.receivers``), as the admin's saves do.
"""

from datetime import time
from decimal import Decimal

from django.contrib.auth.models import Group, Permission, User
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from translated_fields import to_attribute

from studio import demo
from studio.errors import CatalogueRefused
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


# The catalogue: services, their order, and their lengths and prices.


@transaction.atomic
def service_save(*, service: Service | None = None, fields: dict, rooms) -> Service:
    """Create a service (placed last) or change one: its texts, settings and rooms."""
    if service is None:
        last = Service.objects.aggregate(last=Max("position"))["last"]
        service = Service(position=0 if last is None else last + 1)
    for name, value in fields.items():
        setattr(service, name, value)
    service.save()
    service.rooms.set(rooms)
    return service


@transaction.atomic
def service_move(*, service: Service, up: bool) -> None:
    """Move a service one place up or down the list; at either end it stays where it is.

    The positions are numbered again from 0, so services that shared a number get their own.
    """
    ordered = list(Service.objects.select_for_update().order_by("position", "name_en", "pk"))
    index = next(i for i, other in enumerate(ordered) if other.pk == service.pk)
    target = index - 1 if up else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])


def _service_set_active(*, service: Service, active: bool) -> None:
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if service.is_active != active:
            service.is_active = active
            service.save(update_fields=["is_active"])


def service_withdraw(*, service: Service) -> None:
    """Stop offering a service: it leaves the public pages; its bookings stay as they are."""
    _service_set_active(service=service, active=False)


def service_restore(*, service: Service) -> None:
    """Offer a withdrawn service again."""
    _service_set_active(service=service, active=True)


def _length_set_active(*, length: ServiceLength, active: bool) -> None:
    with transaction.atomic():
        length = ServiceLength.objects.select_for_update().get(pk=length.pk)
        if length.is_active != active:
            length.is_active = active
            length.save(update_fields=["is_active"])


def length_withdraw(*, length: ServiceLength) -> None:
    """Stop offering a length: nobody books it any more; the bookings made with it keep it."""
    _length_set_active(length=length, active=False)


def length_restore(*, length: ServiceLength) -> None:
    """Offer a withdrawn length again."""
    _length_set_active(length=length, active=True)


def _minutes_taken(*, service: Service, minutes: int, exclude_pk: int | None = None) -> None:
    others = ServiceLength.objects.filter(service=service, minutes=minutes).exclude(pk=exclude_pk)
    other = others.first()
    if other is None:
        return
    if other.is_active:
        raise CatalogueRefused(
            _("This massage already has a %(minutes)s-minute length.") % {"minutes": minutes}
        )
    raise CatalogueRefused(
        _("This massage already has a %(minutes)s-minute length, withdrawn: restore it instead.")
        % {"minutes": minutes}
    )


def length_add(*, service: Service, minutes: int, price: Decimal) -> ServiceLength:
    """Offer a new length of a service at a price; the same minutes twice are refused."""
    _minutes_taken(service=service, minutes=minutes)
    try:
        with transaction.atomic():
            return ServiceLength.objects.create(service=service, minutes=minutes, price=price)
    except IntegrityError as error:
        # Added at the same moment by someone else (the unique constraint decided).
        raise CatalogueRefused(
            _("This massage already has a %(minutes)s-minute length.") % {"minutes": minutes}
        ) from error


def length_change(*, length: ServiceLength, minutes: int, price: Decimal) -> ServiceLength:
    """Change a length's price, or its minutes while nobody has booked it.

    A booked length keeps its minutes: its bookings were made for that long. The studio
    withdraws it and adds a new length instead.
    """
    with transaction.atomic():
        length = ServiceLength.objects.select_for_update().get(pk=length.pk)
        if minutes != length.minutes:
            if length.bookings.exists():
                raise CatalogueRefused(
                    _(
                        "This length has bookings, so its minutes stay as they are. "
                        "Add a new length and withdraw this one instead."
                    )
                )
            _minutes_taken(service=length.service, minutes=minutes, exclude_pk=length.pk)
        if (minutes, price) != (length.minutes, length.price):
            length.minutes, length.price = minutes, price
            try:
                with transaction.atomic():
                    length.save(update_fields=["minutes", "price"])
            except IntegrityError as error:
                raise CatalogueRefused(
                    _("This massage already has a %(minutes)s-minute length.")
                    % {"minutes": minutes}
                ) from error
    return length


# Rooms: which massages each suits, and whether it is in use.


def _room_slug(name: str) -> str:
    """Return a slug made from a room's name that no other room has."""
    base = slugify(name)[:40].strip("-") or "room"
    taken = set(Room.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _refuse_leaving_without_room(*, room: Room, service_ids) -> None:
    """Refuse when an active massage among ``service_ids`` would have no room in use but this.

    The massages are locked first, in a fixed order, so two rooms taken out of use at once
    cannot each count on the other to keep a massage bookable.
    """
    ids = list(
        Service.objects.select_for_update()
        .filter(pk__in=list(service_ids), is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    other_room = Service.rooms.through.objects.filter(
        service=OuterRef("pk"), room__is_active=True
    ).exclude(room=room)
    bare = list(
        Service.objects.filter(pk__in=ids)
        .filter(~Exists(other_room))
        .order_by("position", "name_en", "pk")
    )
    if bare:
        raise CatalogueRefused(
            ngettext(
                "%(names)s would have no room left to be booked in. Give it another room "
                "first, or withdraw it from the catalogue.",
                "%(names)s would have no room left to be booked in. Give them another room "
                "first, or withdraw them from the catalogue.",
                len(bare),
            )
            % {"names": ", ".join(service.name for service in bare)}
        )


def room_save(*, room: Room | None = None, name: str, services) -> Room:
    """Add a room (its slug made from the name), or rename one; set the massages it suits.

    A room in use may not stop suiting an active massage that no other room in use suits.
    Each row is saved on its own, so the stored weeks of free times go stale
    (``bookings.receivers``). Bookings already made keep their room.
    """
    wanted = {service.pk for service in services}
    creating = room is None
    with transaction.atomic():
        if creating:
            room = Room(name=name, slug=_room_slug(name))
        else:
            room = Room.objects.select_for_update().get(pk=room.pk)
            if room.is_active:
                current = set(room.services.values_list("pk", flat=True))
                _refuse_leaving_without_room(room=room, service_ids=current - wanted)
        if creating or room.name != name:
            room.name = name
            try:
                with transaction.atomic():
                    room.save(update_fields=None if creating else ["name"])
            except IntegrityError as error:
                # Given the same name at the same moment elsewhere: the unique name (or the
                # slug made from it) decided.
                raise CatalogueRefused(
                    _("Another room was just given this name. Please choose another.")
                ) from error
        room.services.set(wanted)
    return room


def room_set_active(*, room: Room, active: bool) -> Room:
    """Put a room in use or take it out of use; asked twice, the second time changes nothing.

    A room out of use is offered for no new booking; the bookings already made in it stay
    as they are. It may not be the last room in use of an active massage.
    """
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        if room.is_active == active:
            return room
        if not active:
            _refuse_leaving_without_room(
                room=room, service_ids=room.services.values_list("pk", flat=True)
            )
        room.is_active = active
        room.save(update_fields=["is_active"])
    return room


@transaction.atomic
def policies_update(*, fields: dict) -> Studio:
    """Save the studio's booking policies (its save clears the stored free times)."""
    studio = Studio.objects.select_for_update().get(pk=Studio.load().pk)
    for name, value in fields.items():
        setattr(studio, name, value)
    studio.save(update_fields=list(fields))
    return studio
