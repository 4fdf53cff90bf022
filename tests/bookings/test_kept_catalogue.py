"""The times page's catalogue, kept per process while unedited (``selectors.kept_catalogue``).

On PostgreSQL the service, its lengths and therapists and the studio are read once per
process with a print of the catalogue's tables; each page's month read reads the print
again in its own statement, and a page whose catalogue was edited meanwhile is worked out
again from a fresh one. Whatever writes the edit: a model save, a queryset update (no
signal), raw SQL. The clock is pinned to Monday 23 November 2026, 09:00 in Madrid.
"""

import re

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings import selectors
from bookings.models import Booking, BookingStatus
from studio.models import Room, Service, ServiceLength, Studio, Therapist
from tests.bookings.helpers import NOW, Clock, madrid

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

_OPTION = re.compile(r'<option value="([^"]+)"')
_START = re.compile(r'name="start" value="([^"]+)"')


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    pinned = Clock(NOW)
    monkeypatch.setattr(timezone, "now", pinned)
    return pinned


@pytest.fixture(autouse=True)
def _worked_out_every_time(settings):
    """No stored weeks: every page below is worked out, as the kept catalogue is used."""
    settings.CALMA_TIMES_CACHE_SECONDS = 0


def _page(client, demo, slug: str = "leg-massage", **params):
    url = reverse("bookings:booking_times", kwargs={"slug": slug})
    query = {"length": demo.length(60).pk, "therapist": "any", **params}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    return response, len(queries)


def _options(response) -> list[str]:
    return _OPTION.findall(response.content.decode())


def test_a_kept_catalogue_serves_the_next_pages_in_one_query(client, demo):
    first, first_queries = _page(client, demo)
    second, second_queries = _page(client, demo)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first_queries, second_queries) == (2, 1)
    # The same page either way.
    assert _START.findall(second.content.decode()) == _START.findall(first.content.decode())
    assert _options(second) == _options(first)


def test_the_print_changes_with_a_catalogue_edit_and_not_with_a_booking(demo):
    def printed() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {selectors.catalogue_print_sql()}")
            return cursor.fetchone()[0]

    before = printed()
    assert printed() == before
    service, length = demo.service(), demo.length(60)
    Booking.objects.create(
        service=service,
        length=length,
        therapist=demo.therapist("ana"),
        room=service.rooms.first(),
        start_at=madrid(2026, 11, 24, 10),
        end_at=madrid(2026, 11, 24, 11),
        blocked_until=madrid(2026, 11, 24, 11, 10),
        price=length.price,
        status=BookingStatus.CONFIRMED,
    )
    assert printed() == before
    # Each write to a table the page reads, in the same transaction as the first print (a
    # print of row versions must tell versions apart by command, not by transaction only).
    Service.objects.filter(pk=service.pk).update(buffer_minutes=service.buffer_minutes + 5)
    after_service = printed()
    assert after_service != before
    ServiceLength.objects.filter(pk=length.pk).update(price=length.price + 1)
    after_length = printed()
    assert after_length != after_service
    demo.therapist("carla").services.remove(service)
    after_offer = printed()
    assert after_offer != after_length
    Studio.objects.filter(pk=1).update(horizon_days=30)
    after_studio = printed()
    assert after_studio != after_offer
    # The same row written again by the same transaction: a new version all the same.
    Studio.objects.filter(pk=1).update(horizon_days=31)
    assert printed() != after_studio
    Service.objects.filter(pk=service.pk).update(buffer_minutes=service.buffer_minutes)
    assert printed() not in (before, after_service)


def test_a_service_renamed_shows_its_new_name_on_the_next_page(client, demo):
    _page(client, demo)
    service = demo.service()
    service.name_en = "Tired legs massage"
    service.save()
    response, queries = _page(client, demo)
    assert "Choose a time for your tired legs massage" in response.content.decode()
    # The month read found the print changed: the catalogue and the month again.
    assert queries == 3
    assert _page(client, demo)[1] == 1


def test_a_therapist_withdrawn_by_a_queryset_update_is_not_offered_on_the_next_page(client, demo):
    response, _queries = _page(client, demo)
    carla = demo.therapist("carla")
    assert carla.slug in _options(response)
    # No signal: only the print says so.
    Therapist.objects.filter(pk=carla.pk).update(is_active=False)
    response, _queries = _page(client, demo)
    assert response.status_code == 200
    assert carla.slug not in _options(response)
    assert demo.therapist("ana").slug in _options(response)


def test_a_therapist_who_stops_offering_the_service_in_raw_sql_is_not_offered(client, demo):
    _page(client, demo)
    carla, service = demo.therapist("carla"), demo.service()
    through = Therapist.services.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {through} WHERE therapist_id = %s AND service_id = %s",  # noqa: S608
            [carla.pk, service.pk],
        )
    response, _queries = _page(client, demo)
    assert carla.slug not in _options(response)


def test_a_length_added_without_a_signal_is_offered_on_the_next_page(client, demo):
    response, _queries = _page(client, demo)
    service = demo.service()
    assert ServiceLength.objects.filter(service=service, minutes=75).count() == 0
    ServiceLength.objects.bulk_create([ServiceLength(service=service, minutes=75, price=70)])
    added = ServiceLength.objects.get(service=service, minutes=75)
    response, _queries = _page(client, demo)
    assert str(added.pk) in _options(response)


def test_a_service_withdrawn_by_a_queryset_update_is_gone_on_the_next_page(client, demo):
    assert _page(client, demo)[0].status_code == 200
    Service.objects.filter(slug="leg-massage").update(is_active=False)
    assert _page(client, demo)[0].status_code == 404
    # Nothing kept for a service not on offer: read, and refused, every time.
    assert _page(client, demo)[0].status_code == 404


def test_a_shorter_horizon_reaches_the_next_page(client, demo):
    december = {"month": "2026-12"}
    response, _queries = _page(client, demo, **december)
    assert _START.findall(response.content.decode())
    # The studio's policies are catalogue too: a horizon of a day shows no December.
    Studio.objects.filter(pk=1).update(horizon_days=1)
    response, _queries = _page(client, demo, **december)
    assert response.status_code == 200
    assert all(start.startswith("2026-11-") for start in _START.findall(response.content.decode()))


def test_an_edit_between_the_catalogue_and_the_month_reads_works_the_page_out_again(
    client, demo, monkeypatch
):
    """An edit that commits between the page's two statements is caught by the second."""
    read = selectors._catalogue
    edits = []

    def read_then_edit(**kwargs):
        found = read(**kwargs)
        if not edits:
            edits.append(Service.objects.filter(slug="leg-massage").update(name_en="Heavy legs"))
        return found

    monkeypatch.setattr(selectors, "_catalogue", read_then_edit)
    response, queries = _page(client, demo)
    assert edits == [1]
    assert response.status_code == 200
    assert "Choose a time for your heavy legs" in response.content.decode()
    # The catalogue, the edit, the month (print changed), the catalogue and the month again.
    assert queries == 5
    assert _page(client, demo)[1] == 1


# --- the hold ------------------------------------------------------------------------------


def _hold(client, demo, start: str, *, therapist: str = "any"):
    url = reverse("bookings:booking_hold", kwargs={"slug": "leg-massage"})
    data = {"length": demo.length(60).pk, "therapist": therapist, "start": start}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    return response, len(queries)


def _starts(client, demo, *, therapist: str = "any") -> list[str]:
    response, _queries = _page(client, demo, therapist=therapist)
    return _START.findall(response.content.decode())


def test_a_kept_catalogue_serves_the_next_hold_with_one_query_fewer(client, demo):
    starts = _starts(client, demo)
    first, first_queries = _hold(client, demo, starts[0])
    # Another browser, and a start hours away, so both are a visitor's first hold.
    second, second_queries = _hold(Browser(), demo, starts[-1])
    assert (first.status_code, second.status_code) == (302, 302)
    assert second_queries == first_queries - 1
    assert Booking.objects.filter(status=BookingStatus.HELD).count() == 2


def test_a_hold_for_a_therapist_withdrawn_since_the_catalogue_was_kept_is_refused(client, demo):
    """The hold's re-check under the locks reads the print: the kept list is not trusted."""
    starts = _starts(client, demo, therapist="carla")
    assert _hold(Browser(), demo, starts[0], therapist="carla")[0].status_code == 302
    carla = demo.therapist("carla")
    Therapist.objects.filter(pk=carla.pk).update(is_active=False)  # no signal
    response, _queries = _hold(Browser(), demo, starts[-1], therapist="carla")
    assert response.status_code == 400
    assert "That choice is not available for this massage." in response.content.decode()
    assert Booking.objects.filter(therapist=carla).count() == 1


def test_an_anyone_hold_never_takes_a_room_closed_since_the_catalogue_was_kept(client, demo):
    starts = _starts(client, demo)
    assert _hold(Browser(), demo, starts[0])[0].status_code == 302
    taken = Booking.objects.get().room
    # The room the next hold would take first: closed with no signal.
    Room.objects.filter(pk=taken.pk).update(is_active=False)
    response, _queries = _hold(Browser(), demo, starts[-1])
    assert response.status_code == 302
    assert Booking.objects.exclude(room=taken).filter(status=BookingStatus.HELD).count() == 1


def test_a_hold_on_a_service_with_nobody_and_nowhere_to_take_it_is_refused(client, demo):
    """No therapist offers it and no room suits it: nothing to lock, and a refusal, not a 500."""
    service = demo.service()
    Therapist.services.through.objects.filter(service=service).delete()  # no signal
    Service.rooms.through.objects.filter(service=service).delete()
    assert _starts(client, demo) == []  # the catalogue, as it is now, kept
    response, _queries = _hold(Browser(), demo, madrid(2026, 11, 25, 10).isoformat())
    assert response.status_code == 409
    assert "that time was just taken" in response.content.decode()
    assert not Booking.objects.exists()
