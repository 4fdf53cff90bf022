"""The catalogue pages: the front desk and the owner edit services, lengths and prices.

A withdrawn length is offered nowhere (the client's times page, the phone booking, a hold
posted anyway), while the bookings made with it keep it; every change makes the stored
weeks of free times stale.
"""

import html
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client as Browser
from django.urls import reverse

from bookings import times_cache
from bookings.models import Booking
from studio import permissions, services
from studio.errors import CatalogueRefused
from studio.models import Room, Service, ServiceLength
from tests.bookings.staff.conftest import LEG, Demo, at, browser_for, next_monday

pytestmark = pytest.mark.django_db

WITHDRAWN_HOLD = "That length is no longer offered for this massage."


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


def times_url(slug: str = LEG) -> str:
    return reverse("bookings:booking_times", kwargs={"slug": slug})


def length_options(response) -> str:
    """Return the text of the page's length select."""
    page = response.content.decode()
    start = page.index('name="length"')
    return html.unescape(page[start : page.index("</select>", start)])


def withdraw(browser: Browser, length: ServiceLength, action: str = "withdraw"):
    return browser.post(
        reverse("catalogue:length_active", kwargs={"pk": length.pk}), {"action": action}
    )


def test_the_catalogue_lists_every_service_with_its_lengths_and_prices(owner, demo):
    response = owner.get(reverse("catalogue:index"))
    assert response.status_code == 200
    page = text(response)
    assert "Leg massage" in page
    assert "30 min" in page
    assert "€32.00" in page or "32.00" in page
    assert reverse("catalogue:index") in page  # the navbar's link


def test_the_catalogue_page_costs_the_same_few_queries_however_many_services(
    owner, demo, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert owner.get(reverse("catalogue:index")).status_code == 200
    for number in range(5):
        service = Service.objects.create(name=f"Extra {number}", slug=f"extra-{number}")
        ServiceLength.objects.create(service=service, minutes=30, price=Decimal("20"))
    with django_assert_max_num_queries(12):
        assert owner.get(reverse("catalogue:index")).status_code == 200


def test_a_withdrawn_length_is_offered_nowhere_but_its_booking_keeps_it(owner, frontdesk, demo):
    """The owner withdraws the booked 30 minutes: gone from the times page and the phone
    booking, a hold for it is refused and creates nothing; the booking's card still shows it."""
    thirty = demo.length(30)
    booking = demo.book(at(next_monday(), 10), minutes=30)
    visitor = Browser()
    assert "30 minutes" in length_options(visitor.get(times_url()))

    response = withdraw(owner, thirty)
    assert response.status_code == 302
    thirty.refresh_from_db()
    assert thirty.is_active is False

    times = visitor.get(times_url())
    assert times.status_code == 200
    assert "30 minutes" not in length_options(times)
    assert "45 minutes" in length_options(times)
    # Asked for by its id, the page falls back to a length on offer.
    asked = visitor.get(times_url(), {"length": thirty.pk, "therapist": "any"})
    assert asked.status_code == 200
    assert "30 minutes" not in length_options(asked)

    phone = frontdesk.get(reverse("bookings:staff_phone_booking"), {"service": demo.service().pk})
    assert phone.status_code == 200
    assert "30 minutes" not in length_options(phone)
    assert "45 minutes" in length_options(phone)

    bookings_before = Booking.objects.count()
    hold = visitor.post(
        reverse("bookings:booking_hold", kwargs={"slug": LEG}),
        {"length": thirty.pk, "therapist": "any", "start": at(next_monday(), 12).isoformat()},
    )
    assert hold.status_code == 400
    assert WITHDRAWN_HOLD in text(hold)
    assert Booking.objects.count() == bookings_before

    card = frontdesk.get(reverse("bookings:staff_booking", kwargs={"public_id": booking.public_id}))
    assert card.status_code == 200
    assert "Leg massage, 30 min" in text(card)

    # The public pages list the lengths on offer only.
    detail = text(visitor.get(reverse("studio:service_detail", kwargs={"slug": LEG})))
    assert "45 min" in detail
    assert "30 min" not in detail


def test_a_restored_length_is_offered_again(owner, demo):
    thirty = demo.length(30)
    withdraw(owner, thirty)
    response = withdraw(owner, thirty, "restore")
    assert response.status_code == 302
    assert "30 minutes" in length_options(Browser().get(times_url()))


def test_withdrawing_twice_is_harmless(owner, demo):
    thirty = demo.length(30)
    assert withdraw(owner, thirty).status_code == 302
    assert withdraw(owner, thirty).status_code == 302
    thirty.refresh_from_db()
    assert thirty.is_active is False


def test_a_hold_for_a_withdrawn_length_is_refused_by_the_service(demo):
    from bookings import services as booking_services
    from bookings.errors import BookingRefused

    thirty = demo.length(30)
    services.length_withdraw(length=thirty)
    thirty.refresh_from_db()
    with pytest.raises(BookingRefused, match="no longer offered"):
        booking_services.hold_create(
            service=demo.service(),
            length=thirty,
            therapist=None,
            start_at=at(next_monday(), 12),
        )
    assert not Booking.objects.exists()


def test_a_service_with_every_length_withdrawn_cannot_be_booked(owner, demo):
    for length in demo.service().lengths.all():
        withdraw(owner, length)
    assert Browser().get(times_url()).status_code == 404


def test_a_stored_week_of_times_no_longer_offers_a_withdrawn_length(owner, demo):
    """A times page stored before the withdrawal is not served after it."""
    cache.clear()
    params = {"length": demo.length(45).pk, "therapist": "any"}
    first = Browser().get(times_url(), params)
    assert "30 minutes" in length_options(first)
    version = cache.get(times_cache.VERSION_KEY)
    assert version is not None

    withdraw(owner, demo.length(30))

    assert cache.get(times_cache.VERSION_KEY) != version
    again = Browser().get(times_url(), params)
    assert "30 minutes" not in length_options(again)


def test_services_move_up_and_down_the_list(owner, demo):
    order = list(Service.objects.order_by("position", "name_en").values_list("slug", flat=True))
    second = Service.objects.get(slug=order[1])
    response = owner.post(
        reverse("catalogue:service_move", kwargs={"pk": second.pk}), {"direction": "up"}
    )
    assert response.status_code == 302
    moved = list(Service.objects.order_by("position", "name_en").values_list("slug", flat=True))
    assert moved == [order[1], order[0], *order[2:]]
    # At the top it stays there.
    owner.post(reverse("catalogue:service_move", kwargs={"pk": second.pk}), {"direction": "up"})
    assert list(Service.objects.values_list("slug", flat=True)) == moved
    owner.post(reverse("catalogue:service_move", kwargs={"pk": second.pk}), {"direction": "down"})
    assert list(Service.objects.values_list("slug", flat=True)) == order
    # The public list follows the order.
    page = text(Browser().get(reverse("studio:service_list")))
    names = [Service.objects.get(slug=slug).name for slug in order]
    assert page.index(names[0]) < page.index(names[1])


def test_a_service_withdrawn_and_restored(frontdesk, demo):
    url = reverse("catalogue:service_active", kwargs={"pk": demo.service().pk})
    assert frontdesk.post(url, {"action": "withdraw"}).status_code == 302
    assert Browser().get(times_url()).status_code == 404
    assert frontdesk.post(url, {"action": "restore"}).status_code == 302
    assert Browser().get(times_url()).status_code == 200


def test_a_length_is_added_and_offered(owner, demo):
    url = reverse("catalogue:length_add", kwargs={"pk": demo.service().pk})
    assert owner.get(url).status_code == 200
    response = owner.post(url, {"minutes": "90", "price": "80.50"})
    assert response.status_code == 302
    added = ServiceLength.objects.get(service=demo.service(), minutes=90)
    assert added.price == Decimal("80.50")
    assert "90 minutes" in length_options(Browser().get(times_url()))
    # The same minutes twice: a form error, nothing added.
    again = owner.post(url, {"minutes": "90", "price": "80.50"})
    assert again.status_code == 400
    assert "already has a 90-minute length" in text(again)
    assert ServiceLength.objects.filter(service=demo.service(), minutes=90).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"minutes": "0", "price": "10"},
        {"minutes": "-5", "price": "10"},
        {"minutes": "abc", "price": "10"},
        {"minutes": "99999999999999999999", "price": "10"},
        {"minutes": "90", "price": "-1"},
        {"minutes": "90", "price": "NaN"},
        {"minutes": "90", "price": "1e30"},
        {},
    ],
)
def test_bad_numbers_for_a_length_are_form_errors(owner, demo, data):
    count = ServiceLength.objects.count()
    response = owner.post(reverse("catalogue:length_add", kwargs={"pk": demo.service().pk}), data)
    assert response.status_code == 400
    assert ServiceLength.objects.count() == count


def test_a_price_is_changed_but_a_booked_lengths_minutes_are_not(owner, demo):
    thirty = demo.length(30)
    demo.book(at(next_monday(), 10), minutes=30)
    url = reverse("catalogue:length_edit", kwargs={"pk": thirty.pk})
    assert owner.get(url).status_code == 200
    assert owner.post(url, {"minutes": "30", "price": "35.00"}).status_code == 302
    thirty.refresh_from_db()
    assert thirty.price == Decimal("35.00")

    refused = owner.post(url, {"minutes": "35", "price": "35.00"})
    assert refused.status_code == 400
    assert "Add a new length" in text(refused)
    thirty.refresh_from_db()
    assert thirty.minutes == 30


def test_an_unbooked_lengths_minutes_can_change(demo):
    ninety = services.length_add(service=demo.service(), minutes=90, price=Decimal("80"))
    services.length_change(length=ninety, minutes=100, price=Decimal("85"))
    ninety.refresh_from_db()
    assert (ninety.minutes, ninety.price) == (100, Decimal("85"))
    with pytest.raises(CatalogueRefused, match="already has a 60-minute"):
        services.length_change(length=ninety, minutes=60, price=Decimal("85"))


def test_a_service_is_added_and_edited_in_every_language(owner, demo):
    rooms = list(demo.service().rooms.values_list("pk", flat=True))
    data = {
        "name_en": "Hand massage",
        "name_ca": "Massatge de mans",
        "name_es": "Masaje de manos",
        "summary_en": "Feet first.",
        "summary_ca": "Primer els peus.",
        "summary_es": "Primero los pies.",
        "description_en": "A calm hand massage.",
        "slug": "hand-massage",
        "buffer_minutes": "10",
        "rooms": rooms,
    }
    assert owner.get(reverse("catalogue:service_add")).status_code == 200
    response = owner.post(reverse("catalogue:service_add"), data)
    assert response.status_code == 302, response.context["form"].errors
    hand = Service.objects.get(slug="hand-massage")
    assert (hand.name_ca, hand.summary_es) == ("Massatge de mans", "Primero los pies.")
    assert (
        hand.position == Service.objects.exclude(pk=hand.pk).order_by("-position")[0].position + 1
    )
    assert set(hand.rooms.values_list("pk", flat=True)) == set(rooms)

    edit = reverse("catalogue:service_edit", kwargs={"pk": hand.pk})
    assert "Massatge de mans" in text(owner.get(edit))
    response = owner.post(edit, data | {"name_en": "Hands massage", "requires_assessment": "on"})
    assert response.status_code == 302
    hand.refresh_from_db()
    assert hand.name_en == "Hands massage"
    assert hand.requires_assessment is True

    # A slug already taken is a form error.
    taken = owner.post(edit, data | {"slug": LEG})
    assert taken.status_code == 400
    hand.refresh_from_db()
    assert hand.slug == "hand-massage"

    # Rooms out of use alone would leave the massage nowhere to be booked.
    Room.objects.filter(pk__in=rooms).update(is_active=False)
    page = owner.get(edit)
    assert "(out of use)" in text(page)
    nowhere = owner.post(edit, data | {"name_en": "Nowhere"})
    assert nowhere.status_code == 400
    assert "Choose at least one room in use" in text(nowhere)
    hand.refresh_from_db()
    assert hand.name_en == "Hands massage"


def test_a_therapist_gets_404_and_a_visitor_is_sent_to_sign_in(demo):
    ana = browser_for("ana")
    service, length = demo.service(), demo.length(30)
    for url in (reverse("catalogue:index"), reverse("catalogue:service_add")):
        assert ana.get(url).status_code == 404
        response = Browser().get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    posts = [
        (reverse("catalogue:service_move", kwargs={"pk": service.pk}), {"direction": "up"}),
        (reverse("catalogue:service_active", kwargs={"pk": service.pk}), {"action": "withdraw"}),
        (reverse("catalogue:length_active", kwargs={"pk": length.pk}), {"action": "withdraw"}),
        (reverse("catalogue:length_add", kwargs={"pk": service.pk}), {"minutes": 90, "price": 1}),
        (reverse("catalogue:length_edit", kwargs={"pk": length.pk}), {"minutes": 30, "price": 1}),
        (reverse("catalogue:service_edit", kwargs={"pk": service.pk}), {"name_en": "X"}),
    ]
    before = list(ServiceLength.objects.order_by("pk").values_list())
    services_before = list(Service.objects.order_by("pk").values_list())
    for url, data in posts:
        assert ana.post(url, data).status_code == 404, url
        assert Browser().post(url, data).status_code == 404, url
    assert list(ServiceLength.objects.order_by("pk").values_list()) == before
    assert list(Service.objects.order_by("pk").values_list()) == services_before
    assert "Catalogue" not in text(ana.get(reverse("studio:service_list")))


def test_only_the_front_desk_and_the_owner_manage_the_catalogue(demo):
    assert permissions.can_manage_studio(demo.user("owner"))
    assert permissions.can_manage_studio(demo.user("frontdesk"))
    assert not permissions.can_manage_studio(demo.user("ana"))


def test_forged_ids_and_wrong_methods_never_500(owner):
    for pk in (0, 999999, 99999999999999999999):
        for name in ("service_edit", "length_add", "length_edit"):
            assert owner.get(reverse(f"catalogue:{name}", kwargs={"pk": pk})).status_code == 404
        for name, data in (
            ("service_move", {"direction": "up"}),
            ("service_active", {"action": "withdraw"}),
            ("length_active", {"action": "withdraw"}),
        ):
            url = reverse(f"catalogue:{name}", kwargs={"pk": pk})
            assert owner.post(url, data).status_code == 404
            assert owner.get(url).status_code == 405


def test_a_post_that_names_no_action_is_refused_and_changes_nothing(owner, demo):
    service, length = demo.service(), demo.length(30)
    before = (
        list(Service.objects.order_by("pk").values_list()),
        list(ServiceLength.objects.order_by("pk").values_list()),
    )
    for name, pk, data in (
        ("service_move", service.pk, {"direction": "sideways"}),
        ("service_active", service.pk, {}),
        ("length_active", length.pk, {"action": "delete"}),
    ):
        response = owner.post(reverse(f"catalogue:{name}", kwargs={"pk": pk}), data)
        assert response.status_code == 400
    assert before == (
        list(Service.objects.order_by("pk").values_list()),
        list(ServiceLength.objects.order_by("pk").values_list()),
    )


def test_a_booking_of_a_withdrawn_length_can_still_be_moved(demo):
    """Withdrawing a length refuses new bookings only: the front desk still moves old ones."""
    from bookings import services as booking_services

    monday = next_monday()
    booking = demo.book(at(monday, 10), minutes=30)
    services.length_withdraw(length=demo.length(30))
    booking.refresh_from_db()
    moved = booking_services.booking_move(
        booking=booking, start_at=at(monday, 11), therapist=demo.therapist("ana")
    )
    assert moved.start_at == at(monday, 11)
    assert moved.length.minutes == 30
