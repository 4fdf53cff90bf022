"""Malformed or extreme values in URLs get a page or a 404, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "?week=9999-12-31",
        "?week=0001-01-01",
        "?week=2026-02-30",
        "?week=%00",
        "?length=-1&therapist=nobody",
        "?length=99999999999999999999",
    ],
)
def test_the_times_page_survives_odd_query_strings(client, demo_studio, query):
    response = client.get("/en/book/leg-massage/" + query)
    assert response.status_code == 200
    assert "Choose a time" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/en/book/hold/not-a-uuid/",
        "/en/book/hold/00000000-0000-0000-0000-000000000000/",
        "/en/book/hold/00000000-0000-0000-0000-000000000000/health/",
        "/en/b/" + "x" * 500 + "/",
        "/en/b/%2e%2e/",
        "/en/intake/forged/",
        "/en/rescreen/forged/",
        "/en/feeds/forged.ics",
    ],
)
def test_forged_links_are_a_404(client, demo_studio, url):
    assert client.get(url).status_code == 404


def test_reschedule_far_in_the_future_stays_within_the_horizon(client, demo_studio):
    from tests.factories import BookingFactory

    booking = BookingFactory()
    response = client.get(f"/en/b/{booking.manage_token}/reschedule/?week=9999-12-31")
    assert response.status_code == 200
    assert "9999" not in response.content.decode()
