"""Read-side queries for the studio's public pages and the pages that manage it."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from studio.models import Room, Service, ServiceLength, Therapist


def _offered_lengths() -> Prefetch:
    """Return the prefetch of a service's lengths on offer: withdrawn ones are not."""
    return Prefetch("lengths", queryset=ServiceLength.objects.filter(is_active=True))


def service_list() -> QuerySet[Service]:
    """Return active services with the lengths on offer, in a fixed number of queries."""
    return Service.objects.filter(is_active=True).prefetch_related(_offered_lengths())


def service_detail(*, slug: str) -> Service:
    """Return one active service with its lengths on offer and active therapists, or 404."""
    queryset = Service.objects.filter(is_active=True).prefetch_related(
        _offered_lengths(),
        Prefetch("therapists", queryset=Therapist.objects.filter(is_active=True)),
        "rooms",
    )
    return get_object_or_404(queryset, slug=slug)


def therapist_list() -> QuerySet[Therapist]:
    """Return active therapists with the active services they offer."""
    return Therapist.objects.filter(is_active=True).prefetch_related(
        Prefetch("services", queryset=Service.objects.filter(is_active=True))
    )


def service_bookable(*, slug: str) -> Service:
    """Return an active service with its lengths on offer and active therapists, or 404.

    A service with no length on offer has nothing to book: its times page answers 404. The
    times page and the hold read the same rows in one query
    (``bookings.selectors.kept_catalogue``), tested against this.
    """
    queryset = Service.objects.filter(is_active=True).prefetch_related(
        _offered_lengths(),
        Prefetch("therapists", queryset=Therapist.objects.filter(is_active=True)),
    )
    return get_object_or_404(queryset, slug=slug)


def keep_prefetched(instance, name: str, rows) -> None:
    """Keep ``rows`` as ``instance.<name>.all()``, as ``prefetch_related`` does."""
    related = getattr(instance, name).all()
    related._result_cache = list(rows)
    related._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = related


def service_length(*, service: Service, pk: int) -> ServiceLength | None:
    """Return one of the service's lengths, withdrawn or not, or None."""
    return ServiceLength.objects.filter(service=service, pk=pk).first()


def therapist_for_feed(*, token: str) -> Therapist | None:
    """Return the active therapist whose private calendar feed the token opens, or None."""
    return Therapist.objects.filter(is_active=True, calendar_token=token).first()


def catalogue_services() -> QuerySet[Service]:
    """Return every service in its order, withdrawn ones too, with all its lengths and rooms."""
    return Service.objects.order_by("position", "name_en", "pk").prefetch_related(
        Prefetch("lengths", queryset=ServiceLength.objects.order_by("minutes")), "rooms"
    )


def rooms_with_services() -> QuerySet[Room]:
    """Return every room, those in use first, each with the massages it suits in their order."""
    return Room.objects.order_by("-is_active", "name").prefetch_related(
        Prefetch("services", queryset=Service.objects.order_by("position", "name_en", "pk"))
    )
