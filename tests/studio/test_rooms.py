"""The rooms page: the front desk and the owner add rooms, rename them, choose the massages
each suits, and take a room out of use or put it back.

A room out of use is offered for no new booking, while the bookings already made in it stay;
no room may be taken out of use (or stop suiting a massage) when an active massage would be
left with no room in use. Every change makes the stored weeks of free times stale. The
clock is pinned for every test.
"""

import html
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client as Browser
from django.urls import reverse

from bookings import selectors, times_cache
from bookings import services as booking_services
from bookings.errors import BookingRefused
from bookings.models import Booking, BookingStatus
from studio import services
from studio.errors import CatalogueRefused
from studio.models import Room, Service
from tests.bookings.helpers import NOW
from tests.bookings.staff.conftest import LEG, Demo, at, browser_for
from tests.bookings.test_calendar_locks import Holder, on_postgres

pytestmark = pytest.mark.django_db

# Monday 30 November 2026, a week after NOW: Ana works 09–14, Ben 14–20, Carla is off.
MONDAY = date(2026, 11, 30)
SPORTS = "sports-massage"
LYMPHATIC = "lymphatic-drainage"

INDEX = reverse("rooms:index")


@pytest.fixture(autouse=True)
def _clock_at_now(time_machine):
    """Pin the clock for the whole test, the views' own reads of it included."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def demo(demo_studio) -> Demo:
    return Demo()


@pytest.fixture
def owner(demo_studio) -> Browser:
    return browser_for("owner")


@pytest.fixture
def frontdesk(demo_studio) -> Browser:
    return browser_for("frontdesk")


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def row(response, room: Room) -> str:
    """Return the text of a room's row on the rooms page."""
    page = response.content.decode()
    start = page.index(f'id="room-{room.pk}"')
    return " ".join(html.unescape(page[start : page.index("</tr>", start)]).split())


def ticked(response) -> set[int]:
    """Return the ids of the massages ticked on a room's form."""
    tags = re.findall(
        r'<input type="checkbox"[^>]*name="services"[^>]*>', response.content.decode()
    )
    return {int(re.search(r'value="(\d+)"', tag)[1]) for tag in tags if " checked" in tag}


def edit_url(room: Room) -> str:
    return reverse("rooms:room_edit", kwargs={"pk": room.pk})


def active_url(room: Room) -> str:
    return reverse("rooms:room_active", kwargs={"pk": room.pk})


def suited(room: Room) -> set[str]:
    return set(room.services.values_list("slug", flat=True))


def rooms_table() -> list[tuple]:
    """Every room and every room a massage suits, to compare before and after a request."""
    return [
        list(Room.objects.order_by("pk").values_list()),
        list(Service.rooms.through.objects.order_by("pk").values_list()),
    ]


def rooms_at(demo: Demo, hour: int, therapist: str = "ana") -> set[int] | None:
    """Return the rooms a leg massage could take on Monday at ``hour``, or None if not free."""
    found = selectors.availability(
        service=demo.service(),
        length=demo.length(60),
        therapist=demo.therapist(therapist),
        first_day=MONDAY,
        days=1,
    )
    slot = next((slot for slot in found.slots if slot.start == at(MONDAY, hour)), None)
    return None if slot is None else set(slot.room_ids)


# The page


def test_the_rooms_page_lists_every_room_with_the_massages_it_suits(frontdesk, demo):
    response = frontdesk.get(INDEX)
    assert response.status_code == 200
    olive, garden = demo.room("olive"), demo.room("garden")
    assert "Lymphatic drainage" in row(response, olive)
    assert "Sports massage" not in row(response, olive)
    assert "Sports massage" in row(response, garden)
    assert "Take out of use" in row(response, garden)
    # Reached from the owner's home and from the catalogue.
    assert INDEX in frontdesk.get(reverse("owner:home")).content.decode()
    assert INDEX in frontdesk.get(reverse("catalogue:index")).content.decode()


def test_the_rooms_page_costs_the_same_few_queries_however_many_rooms(
    owner, demo, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        assert owner.get(INDEX).status_code == 200
    services_all = list(Service.objects.all())
    for number in range(5):
        services.room_save(name=f"Extra room {number}", services=services_all)
    with django_assert_max_num_queries(10):
        response = owner.get(INDEX)
    assert response.status_code == 200
    assert "Extra room 4" in text(response)


@pytest.mark.parametrize("who, status", [("ana", 404), ("frontdesk", 200), ("owner", 200)])
def test_who_may_open_the_rooms_pages(demo, who, status):
    browser = browser_for(who)
    assert browser.get(INDEX).status_code == status
    assert browser.get(edit_url(demo.room("olive"))).status_code == status


def test_a_therapist_and_a_visitor_change_nothing(demo):
    """A visitor is asked to sign in on the list; pages naming a room answer 404."""
    olive = demo.room("olive")
    response = Browser().get(INDEX)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    before = rooms_table()
    posts = [
        (INDEX, {"name": "Quiet room", "services": [demo.service().pk]}),
        (edit_url(olive), {"name": "Renamed", "services": [demo.service().pk]}),
        (active_url(olive), {"action": "deactivate"}),
    ]
    for browser in (browser_for("ana"), Browser()):
        for url, data in posts:
            response = browser.post(url, data)
            assert response.status_code in (302, 404), url
            if url != INDEX:
                assert response.status_code == 404, url
    assert rooms_table() == before


# Adding and editing


def test_a_room_is_added_with_the_massages_it_suits(owner, demo):
    leg, sports = demo.service(), demo.service(SPORTS)
    response = owner.post(INDEX, {"name": "Quiet room", "services": [leg.pk, sports.pk]})
    quiet = Room.objects.get(name="Quiet room")
    assert response.status_code == 302
    assert response.url == f"{INDEX}#room-{quiet.pk}"
    assert (quiet.slug, quiet.is_active) == ("quiet-room", True)
    assert suited(quiet) == {LEG, SPORTS}
    assert "Quiet room has been added." in text(owner.get(response.url))
    # A massage that suits it may be booked there.
    assert quiet.pk in rooms_at(demo, 10)

    # A name that makes the same slug gets a slug of its own.
    assert owner.post(INDEX, {"name": "Quiet room!"}).status_code == 302
    assert Room.objects.get(name="Quiet room!").slug == "quiet-room-2"


def test_a_name_already_taken_is_a_form_error(owner, demo):
    count = Room.objects.count()
    for name in ("Olive room", "olive ROOM"):
        response = owner.post(INDEX, {"name": name, "services": [demo.service().pk]})
        assert response.status_code == 400
        assert "There is already a room with this name." in text(response)
    garden = demo.room("garden")
    taken = owner.post(edit_url(garden), {"name": "Olive room", "services": [demo.service().pk]})
    assert taken.status_code == 400
    assert Room.objects.count() == count
    garden.refresh_from_db()
    assert garden.name == "Garden room"


def test_a_name_taken_at_the_same_moment_is_a_refusal_not_an_error(demo):
    """Past the form's check, the unique name decides, and the service says so plainly."""
    olive, garden = demo.room("olive"), demo.room("garden")
    for room in (None, garden):
        with pytest.raises(CatalogueRefused, match="Another room was just given this name"):
            services.room_save(room=room, name=olive.name, services=garden.services.all())
    assert list(Room.objects.filter(name=olive.name)) == [olive]
    garden.refresh_from_db()
    assert garden.name == "Garden room"


def test_a_room_is_renamed_and_suits_other_massages(frontdesk, demo):
    olive = demo.room("olive")
    page = frontdesk.get(edit_url(olive))
    assert page.status_code == 200
    assert ticked(page) == {
        demo.service(slug).pk for slug in (LEG, "foot-massage", LYMPHATIC, "leg-and-foot-massage")
    }
    wanted = [demo.service(slug).pk for slug in (LEG, LYMPHATIC, SPORTS)]

    response = frontdesk.post(edit_url(olive), {"name": "Olive", "services": wanted})

    assert response.status_code == 302
    assert response.url == f"{INDEX}#room-{olive.pk}"
    olive.refresh_from_db()
    # The slug stays: it is how the demo studio finds its rooms again.
    assert (olive.name, olive.slug) == ("Olive", "olive")
    assert suited(olive) == {LEG, LYMPHATIC, SPORTS}
    assert "Olive has been saved." in text(frontdesk.get(response.url))


def test_a_room_may_not_stop_suiting_a_massage_no_other_room_in_use_suits(owner, demo):
    """The lymphatic drainage is booked in the olive room alone: it stays there."""
    olive = demo.room("olive")
    before = rooms_table()
    response = owner.post(
        edit_url(olive), {"name": "Renamed as well", "services": [demo.service().pk]}
    )
    assert response.status_code == 400
    assert "Lymphatic drainage would have no room left to be booked in." in text(response)
    assert '<h1 class="h3 mb-3">Olive room' in response.content.decode()
    assert rooms_table() == before

    # Once the garden room suits it too, the olive room may stop suiting it.
    garden = demo.room("garden")
    services.room_save(
        room=garden, name=garden.name, services=[*garden.services.all(), demo.service(LYMPHATIC)]
    )
    assert owner.post(edit_url(olive), {"name": "Olive room", "services": []}).status_code == 302
    assert suited(olive) == set()


# Out of use and back


def test_a_room_is_taken_out_of_use_and_put_back(frontdesk, demo):
    garden = demo.room("garden")
    olive = demo.room("olive")
    services.room_save(
        room=olive, name=olive.name, services=[*olive.services.all(), demo.service(SPORTS)]
    )

    response = frontdesk.post(active_url(garden), {"action": "deactivate"})

    assert response.status_code == 302
    assert response.url == f"{INDEX}#room-{garden.pk}"
    garden.refresh_from_db()
    assert garden.is_active is False
    page = frontdesk.get(response.url)
    assert "Garden room is out of use" in text(page)
    assert "Inactive" in row(page, garden)
    assert "Put back in use" in row(page, garden)

    response = frontdesk.post(active_url(garden), {"action": "reactivate"})
    assert response.status_code == 302
    garden.refresh_from_db()
    assert garden.is_active is True
    assert "Garden room is in use again" in text(frontdesk.get(response.url))


def test_the_last_room_in_use_of_a_massage_stays_in_use(owner, demo):
    """The sports massage is booked in the garden room alone: it cannot go out of use."""
    garden = demo.room("garden")
    before = rooms_table()

    response = owner.post(active_url(garden), {"action": "deactivate"})

    assert response.status_code == 302
    page = text(owner.get(response.url))
    assert (
        "Sports massage would have no room left to be booked in. Give it another room first, "
        "or withdraw it from the catalogue."
    ) in page
    assert rooms_table() == before

    # Withdrawn from the catalogue, the sports massage no longer needs a room.
    services.service_withdraw(service=demo.service(SPORTS))
    assert owner.post(active_url(garden), {"action": "deactivate"}).status_code == 302
    garden.refresh_from_db()
    assert garden.is_active is False


def test_a_refusal_names_every_massage_left_without_a_room(demo):
    olive, garden = demo.room("olive"), demo.room("garden")
    quiet = services.room_save(
        name="Quiet room", services=[demo.service(SPORTS), demo.service(LYMPHATIC)]
    )
    services.room_set_active(room=olive, active=False)
    with pytest.raises(CatalogueRefused) as refused:
        services.room_set_active(room=garden, active=False)
    # Sports massage and lymphatic drainage have the quiet room; the others only these two.
    message = refused.value.message
    assert message.startswith("Leg massage, Foot massage, Leg and foot massage would have")
    assert "Give them another room first" in message
    garden.refresh_from_db()
    assert garden.is_active is True
    assert quiet.is_active is True


def test_the_free_times_no_longer_use_a_room_out_of_use(owner, demo):
    """At 10:00 on Monday the olive and garden rooms are taken and only the new quiet room is
    free: out of use, it takes no new booking, while the booking already made in it stays."""
    quiet = services.room_save(name="Quiet room", services=[demo.service()])
    demo.book(at(MONDAY, 10), therapist="ben", room="olive")
    demo.book(at(MONDAY, 10), therapist="carla", room="garden")
    # Tuesday, the next day: a booking already made in the quiet room.
    kept = demo.book(at(date(2026, 12, 1), 10), therapist="ben", room=quiet.slug)
    assert rooms_at(demo, 10) == {quiet.pk}
    assert rooms_at(demo, 12) == {demo.room("olive").pk, demo.room("garden").pk, quiet.pk}
    times = reverse("bookings:booking_times", kwargs={"slug": LEG})
    assert Browser().get(times).status_code == 200
    version = cache.get(times_cache.VERSION_KEY)
    assert version is not None

    assert owner.post(active_url(quiet), {"action": "deactivate"}).status_code == 302

    assert cache.get(times_cache.VERSION_KEY) != version
    assert rooms_at(demo, 10) is None
    assert rooms_at(demo, 12) == {demo.room("olive").pk, demo.room("garden").pk}
    with pytest.raises(BookingRefused):
        booking_services.hold_create(
            service=demo.service(),
            length=demo.length(60),
            therapist=demo.therapist("ana"),
            start_at=at(MONDAY, 10),
        )
    kept.refresh_from_db()
    assert (kept.status, kept.room_id) == (BookingStatus.CONFIRMED, quiet.pk)
    assert Booking.objects.filter(room=quiet).count() == 1

    # Back in use, it is offered again.
    assert owner.post(active_url(quiet), {"action": "reactivate"}).status_code == 302
    assert rooms_at(demo, 10) == {quiet.pk}


def test_a_change_to_the_massages_a_room_suits_makes_the_stored_times_stale(owner, demo):
    olive = demo.room("olive")
    Browser().get(reverse("bookings:booking_times", kwargs={"slug": LEG}))
    version = cache.get(times_cache.VERSION_KEY)
    assert version is not None
    wanted = [*olive.services.values_list("pk", flat=True), demo.service(SPORTS).pk]
    assert owner.post(edit_url(olive), {"name": olive.name, "services": wanted}).status_code == 302
    assert cache.get(times_cache.VERSION_KEY) != version


# Bad input


def test_forged_ids_and_wrong_methods_never_500(owner, demo):
    before = rooms_table()
    for pk in (0, 999999, 99999999999999999999):
        edit = reverse("rooms:room_edit", kwargs={"pk": pk})
        active = reverse("rooms:room_active", kwargs={"pk": pk})
        assert owner.get(edit).status_code == 404
        assert owner.post(edit, {"name": "X"}).status_code == 404
        assert owner.post(active, {"action": "deactivate"}).status_code == 404
        assert owner.get(active).status_code == 405
    assert owner.get(active_url(demo.room("olive"))).status_code == 405
    assert rooms_table() == before


def test_a_post_that_names_no_action_is_refused_and_changes_nothing(owner, demo):
    before = rooms_table()
    for data in ({}, {"action": "delete"}, {"action": ""}):
        response = owner.post(active_url(demo.room("olive")), data)
        assert response.status_code == 400
    assert rooms_table() == before


def test_an_empty_form_is_refused_and_changes_nothing(owner, demo):
    olive = demo.room("olive")
    before = rooms_table()
    for url in (INDEX, edit_url(olive)):
        response = owner.post(url, {})
        assert response.status_code == 400
        assert "This field is required." in text(response)
    assert rooms_table() == before


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Quiet room", "services": ["99999999999999999999"]},
        {"name": "Quiet room", "services": ["999999"]},
        {"name": "Quiet room", "services": ["abc"]},
        {"name": "x" * 81},
        {"name": "a\x00b"},
        {"name": "   "},
    ],
    ids=["huge-id", "unknown-id", "not-an-id", "long-name", "nul-byte", "blank-name"],
)
def test_bad_values_are_form_errors(owner, demo, data):
    before = rooms_table()
    for url in (INDEX, edit_url(demo.room("olive"))):
        assert owner.post(url, data).status_code == 400
    assert rooms_table() == before


def test_the_same_post_twice_is_harmless(owner, demo):
    quiet = {"name": "Quiet room", "services": [demo.service().pk]}
    assert owner.post(INDEX, quiet).status_code == 302
    assert owner.post(INDEX, quiet).status_code == 400
    assert Room.objects.filter(name="Quiet room").count() == 1
    room = Room.objects.get(name="Quiet room")
    for _twice in range(2):
        assert owner.post(edit_url(room), quiet | {"name": "Calm room"}).status_code == 302
        assert owner.post(active_url(room), {"action": "deactivate"}).status_code == 302
    room.refresh_from_db()
    assert (room.name, room.is_active) == ("Calm room", False)
    assert suited(room) == {LEG}


def test_markup_in_a_name_is_shown_as_text(owner, demo):
    name = "<b>Bold</b> room"
    assert owner.post(INDEX, {"name": name}).status_code == 302
    page = owner.get(INDEX).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; room" in page
    assert "<b>Bold</b>" not in page


# Two rooms taken out of use at once (PostgreSQL)


@pytest.fixture
def impatient():
    """Make this connection give up on a lock after half a second instead of waiting."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '500ms'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")


@on_postgres
def test_two_rooms_of_a_massage_cannot_go_out_of_use_at_once(demo, impatient):
    """While the garden room is being taken out of use, the olive room waits: each would
    leave the leg massage its other room, and only one of them may count on that.
    A room suiting none of the garden room's massages goes ahead meanwhile."""
    olive, garden = demo.room("olive"), demo.room("garden")
    services.room_save(name="Quiet room", services=[demo.service(SPORTS), demo.service(LYMPHATIC)])
    corner = services.room_save(name="Corner room", services=[demo.service(LYMPHATIC)])

    with Holder(lambda: services.room_set_active(room=garden, active=False)):
        with pytest.raises(OperationalError, match="lock"):
            services.room_set_active(room=olive, active=False)
        assert services.room_set_active(room=corner, active=False).is_active is False

    garden.refresh_from_db()
    assert garden.is_active is False
    with pytest.raises(CatalogueRefused, match="Leg massage"):
        services.room_set_active(room=olive, active=False)
    olive.refresh_from_db()
    assert olive.is_active is True
