"""The admin refuses bad catalogue data with clear messages, and is open to staff and owner."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from studio.models import Service, ServiceLength, Studio, Therapist, TimeOff, WorkingHours
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, demo_studio):
    sign_in(client, User.objects.get(username="owner"))
    return client


def _service_form(service, lengths):
    data = {
        "name": service.name,
        "slug": service.slug,
        "summary": service.summary,
        "description": service.description,
        "buffer_minutes": service.buffer_minutes,
        "position": service.position,
        "is_active": "on",
        "rooms": [room.pk for room in service.rooms.all()],
        "lengths-TOTAL_FORMS": str(len(lengths)),
        "lengths-INITIAL_FORMS": "0",
        "lengths-MIN_NUM_FORMS": "1",
        "lengths-MAX_NUM_FORMS": "1000",
    }
    for index, (minutes, price) in enumerate(lengths):
        data[f"lengths-{index}-minutes"] = str(minutes)
        data[f"lengths-{index}-price"] = str(price)
        data[f"lengths-{index}-service"] = str(service.pk)
    return data


def test_the_admin_refuses_a_length_of_zero_minutes(owner_client):
    service = Service.objects.get(slug="foot-massage")
    before = ServiceLength.objects.count()
    ServiceLength.objects.filter(service=service).delete()
    url = reverse("admin:studio_service_change", args=[service.pk])
    response = owner_client.post(url, _service_form(service, [(0, "10.00")]))
    assert response.status_code == 200
    assert "A length must be longer than zero minutes." in response.content.decode()
    assert ServiceLength.objects.filter(service=service).count() == 0
    assert before > 0


def test_the_admin_refuses_a_negative_price(owner_client):
    service = Service.objects.get(slug="foot-massage")
    ServiceLength.objects.filter(service=service).delete()
    url = reverse("admin:studio_service_change", args=[service.pk])
    response = owner_client.post(url, _service_form(service, [(30, "-5.00")]))
    assert response.status_code == 200
    assert "A price cannot be negative." in response.content.decode()
    assert not ServiceLength.objects.filter(service=service).exists()


def _therapist_form(therapist, hours):
    data = {
        "user": therapist.user_id,
        "display_name": therapist.display_name,
        "slug": therapist.slug,
        "bio": therapist.bio,
        "calendar_token": therapist.calendar_token,
        "is_active": "on",
        "services": [s.pk for s in therapist.services.all()],
        "hours-TOTAL_FORMS": str(len(hours)),
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for index, (weekday, starts, ends) in enumerate(hours):
        data[f"hours-{index}-weekday"] = str(weekday)
        data[f"hours-{index}-starts"] = starts
        data[f"hours-{index}-ends"] = ends
        data[f"hours-{index}-therapist"] = str(therapist.pk)
    return data


def test_the_admin_refuses_hours_that_end_before_they_start(owner_client):
    therapist = Therapist.objects.get(slug="ben")
    before = WorkingHours.objects.filter(therapist=therapist).count()
    url = reverse("admin:studio_therapist_change", args=[therapist.pk])
    response = owner_client.post(url, _therapist_form(therapist, [(6, "18:00", "09:00")]))
    assert response.status_code == 200
    assert "Working hours must end after they start." in response.content.decode()
    assert WorkingHours.objects.filter(therapist=therapist).count() == before


def test_the_admin_refuses_two_overlapping_rows_of_hours(owner_client):
    therapist = Therapist.objects.get(slug="ben")
    before = WorkingHours.objects.filter(therapist=therapist).count()
    url = reverse("admin:studio_therapist_change", args=[therapist.pk])
    response = owner_client.post(
        url, _therapist_form(therapist, [(6, "09:00", "13:00"), (6, "12:00", "15:00")])
    )
    assert response.status_code == 200
    assert "Two rows of working hours overlap on Sunday." in response.content.decode()
    assert WorkingHours.objects.filter(therapist=therapist).count() == before


def test_the_admin_refuses_overlapping_time_off(owner_client):
    therapist = Therapist.objects.get(slug="ana")
    url = reverse("admin:studio_timeoff_add")
    first = {
        "therapist": therapist.pk,
        "kind": "time_off",
        "start_at_0": "2027-01-04",
        "start_at_1": "09:00",
        "end_at_0": "2027-01-08",
        "end_at_1": "14:00",
        "reason": "Holiday",
    }
    assert owner_client.post(url, first).status_code == 302
    clash = {**first, "start_at_0": "2027-01-06", "end_at_0": "2027-01-10"}
    response = owner_client.post(url, clash)
    assert response.status_code == 200
    assert "overlaps time off already recorded" in response.content.decode()
    assert TimeOff.objects.filter(therapist=therapist).count() == 1


@pytest.mark.parametrize("username", ["frontdesk", "owner"])
def test_staff_and_owner_can_use_the_admin_for_studio_data(client, demo_studio, username):
    sign_in(client, User.objects.get(username=username))
    for name in ["studio_service", "studio_therapist", "studio_room", "studio_timeoff"]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_only_the_owner_sees_the_access_log_in_the_admin(client, demo_studio):
    """The front desk is answered "not found", as for anything it may not see."""
    sign_in(client, User.objects.get(username="frontdesk"))
    assert client.get(reverse("admin:intake_accesslog_changelist")).status_code == 404
    sign_in(client, User.objects.get(username="owner"))
    assert client.get(reverse("admin:intake_accesslog_changelist")).status_code == 200


def test_therapists_and_clients_cannot_enter_the_admin(client, demo_studio):
    sign_in(client, User.objects.get(username="ana"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert User.objects.get(username="ana").is_staff is False


def test_the_admin_holds_the_studios_policies_to_the_owners_bounds(owner_client):
    """The admin's studio page refuses what the owner's policies page refuses: a slot step of
    0 minutes or a horizon of millions of days would break every times page."""
    studio = Studio.load()
    url = reverse("admin:studio_studio_change", args=[studio.pk])
    form = owner_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    for name, value in (("slot_step_minutes", 0), ("horizon_days", 3_000_000)):
        response = owner_client.post(url, {**data, name: value})
        assert response.status_code == 200
        assert name in response.context["adminform"].form.errors
    assert Studio.objects.get(pk=studio.pk).horizon_days == studio.horizon_days
    assert Studio.objects.get(pk=studio.pk).slot_step_minutes == studio.slot_step_minutes
    response = owner_client.post(url, {**data, "horizon_days": 90})
    assert response.status_code == 302
    assert Studio.objects.get(pk=studio.pk).horizon_days == 90
