"""Read-side queries for the studio's public pages."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from studio.models import Service, ServiceLength, Therapist


def service_list() -> QuerySet[Service]:
    """Return active services with their lengths, in a fixed number of queries."""
    return Service.objects.filter(is_active=True).prefetch_related(
        Prefetch("lengths", queryset=ServiceLength.objects.order_by("minutes"))
    )


def service_detail(*, slug: str) -> Service:
    """Return one active service with its lengths and active therapists, or raise 404."""
    queryset = Service.objects.filter(is_active=True).prefetch_related(
        Prefetch("lengths", queryset=ServiceLength.objects.order_by("minutes")),
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
    """Return an active service with its lengths and active therapists to book, or raise 404."""
    queryset = Service.objects.filter(is_active=True).prefetch_related(
        Prefetch("lengths", queryset=ServiceLength.objects.order_by("minutes")),
        Prefetch("therapists", queryset=Therapist.objects.filter(is_active=True)),
    )
    return get_object_or_404(queryset, slug=slug)


def therapist_for_feed(*, token: str) -> Therapist | None:
    """Return the active therapist whose private calendar feed the token opens, or None."""
    return Therapist.objects.filter(is_active=True, calendar_token=token).first()
