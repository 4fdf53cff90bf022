"""What a browser session remembers of a client without an account (bookings.sessions)."""

import uuid
from types import SimpleNamespace

from bookings import sessions


def _request(**session):
    return SimpleNamespace(session=dict(session))


def _booking():
    return SimpleNamespace(public_id=uuid.uuid4())


def test_a_session_keeps_the_ten_newest_holds_once_each():
    request = _request()
    bookings = [_booking() for _ in range(12)]
    for booking in bookings:
        sessions.hold_remember(request, booking)
    sessions.hold_remember(request, bookings[5])

    kept = sessions.holds(request)
    assert len(kept) == sessions.KEPT == 10
    assert kept[-1] == str(bookings[5].public_id)
    assert kept.count(str(bookings[5].public_id)) == 1
    assert str(bookings[0].public_id) not in kept


def test_each_list_is_kept_apart():
    request = _request()
    hold, phone, stopped = _booking(), _booking(), _booking()
    sessions.hold_remember(request, hold)
    sessions.intake_only_allow(request, phone)
    sessions.screening_stop_remember(request, stopped)

    assert sessions.holds(request) == [str(hold.public_id)]
    assert sessions.intake_only(request) == [str(phone.public_id)]
    assert sessions.screening_stops(request) == [str(stopped.public_id)]


def test_a_tampered_session_value_reads_as_nothing_remembered():
    request = _request(**{sessions.HOLDS: "not a list", sessions.SCREENING_STOPS: [1, None, "x"]})

    assert sessions.holds(request) == []
    assert sessions.screening_stops(request) == ["x"]
