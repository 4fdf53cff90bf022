"""The front desk's day and week calendar, and the therapist's own day, on the demo studio.

Blocks are read back from the rendered grid: each carries its column (therapist, room or
day) and its rows (15 minutes each from the first opening hour), so a test can tell where a
booking was drawn, not only that its text is somewhere on the page.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse

from bookings.models import BookingStatus
from bookings.staff.grid import closed_items
from studio.models import Room, Therapist, TimeOff
from tests.bookings.staff.conftest import MADRID, at
from tests.factories import (
    RoomFactory,
    SubmissionFactory,
    TherapistFactory,
    WaitlistEntryFactory,
    WorkingHoursFactory,
)

pytestmark = pytest.mark.django_db

CALENDAR = reverse("bookings:staff_calendar")
NOT_VALID = "That date is not valid. Showing today instead."
REASON = "Pronounced varicose veins on the left calf."
ADAPTATION = "avoid the left calf"
DAY = timedelta(days=1)

_BLOCK = re.compile(
    r'<div class="cal-block ([^"]*)" data-cal-column="(\d+)" data-cal-rows="(\d+) (\d+)">'
    r"(.*?)</div>",
    re.S,
)
_HEAD = re.compile(
    r'<div class="cal-head"[^>]*>\s*<div></div>(.*?)\s*</div>\s*<div class="cal"', re.S
)


@dataclass(frozen=True)
class Block:
    css: str
    column: str  # the column's heading: a therapist, a room or a day
    rows: tuple[int, int]
    text: str

    @property
    def shaded(self) -> bool:
        return "cal-off" in self.css.split()


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def grid(html: str) -> list[Block]:
    """Return the blocks drawn on a calendar page, each with its column's heading."""
    heads = re.findall(r"<div>(.*?)</div>", _HEAD.search(html).group(1))
    return [
        Block(css, heads[int(column) - 2], (int(first), int(last)), text_of(body))
        for css, column, first, last, body in _BLOCK.findall(html)
    ]


# A nonce="…", the CSRF token in hx-headers, and a form's csrfmiddlewaretoken value.
RANDOM_TOKENS = re.compile(
    r'nonce="[^"]*"|"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"'
)


def day_page(browser, day, **params):
    response = browser.get(CALENDAR, {"date": day.isoformat(), **params})
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def rows(start: time, end: time, opens: int = 9) -> tuple[int, int]:
    """Return the grid lines of a span when the grid opens at ``opens`` o'clock."""

    def line(at_time: time) -> int:
        return ((at_time.hour - opens) * 60 + at_time.minute) // 15 + 1

    return line(start), line(end)


@pytest.fixture
def monday_bookings(demo, monday):
    """Ana's morning and Ben's afternoon on the Monday, with their time off and a block."""
    return {
        "lucia": demo.book(at(monday, 10), client__name="Lucia Prado"),
        "pere": demo.book(
            at(monday, 15),
            therapist="ben",
            room="garden",
            status=BookingStatus.AWAITING_REVIEW,
            client__name="Pere Soler",
        ),
        "gone": demo.book(
            at(monday, 17),
            therapist="ben",
            room="olive",
            status=BookingStatus.CANCELLED,
            client__name="Nuria Gil",
        ),
        "phone": demo.book(
            at(monday, 11, 30),
            minutes=30,
            status=BookingStatus.HELD,
            source="phone",
            client=None,
        ),
        "leave": TimeOff.objects.create(
            therapist=demo.therapist("ana"),
            start_at=at(monday, 12, 30),
            end_at=at(monday, 14),
            kind=TimeOff.Kind.TIME_OFF,
            reason="Doctor",
        ),
        "block": TimeOff.objects.create(
            therapist=demo.therapist("ben"),
            start_at=at(monday, 18),
            end_at=at(monday, 19),
            kind=TimeOff.Kind.BLOCK,
            reason="Team meeting",
        ),
    }


# The day view


def test_the_day_by_therapist_draws_each_booking_with_its_status_in_words(
    frontdesk, monday, monday_bookings
):
    """Each booking is a block in its therapist's column: status as text, time, client."""
    html = day_page(frontdesk, monday)
    bookings = {b.text: b for b in grid(html) if not b.shaded}

    assert sorted((b.column, b.rows) for b in bookings.values()) == [
        ("Ana Ruiz", rows(time(10), time(11))),
        ("Ana Ruiz", rows(time(11, 30), time(12))),
        ("Ben Ortega", rows(time(15), time(16))),
    ]
    assert set(bookings) == {
        "Confirmed 10:00–11:00 Lucia Prado Leg massage · Olive room",
        "Held 11:30–12:00 (no client yet) Leg massage · Olive room",
        "Awaiting review 15:00–16:00 Pere Soler Leg massage · Garden room",
    }
    # A cancelled booking frees its time: it is listed under the grid, not drawn on it.
    assert "Nuria Gil" in html
    # The colour comes from the status class; the words are there for everyone.
    lucia = next(b for b in bookings.values() if "Lucia" in b.text)
    assert "status-confirmed" in lucia.css
    assert f'href="/en/staff/bookings/{monday_bookings["lucia"].public_id}/"' in html


def test_the_day_by_therapist_shades_time_off_and_blocks(frontdesk, monday, monday_bookings):
    """Time off and blocked time are shaded in the therapist's column, with their label."""
    shaded = [b for b in grid(day_page(frontdesk, monday)) if b.shaded]

    assert sorted((b.column, b.rows, b.text) for b in shaded) == [
        ("Ana Ruiz", rows(time(12, 30), time(14)), "Time off: Doctor"),
        ("Ben Ortega", rows(time(18), time(19)), "Blocked: Team meeting"),
    ]


def test_the_day_by_room_draws_bookings_in_their_room_with_the_therapist(
    frontdesk, monday, monday_bookings
):
    """By room, each block sits in its room's column and names the therapist instead."""
    blocks = grid(day_page(frontdesk, monday, by="room"))

    assert sorted((b.column, b.rows, b.text) for b in blocks) == [
        (
            "Garden room",
            rows(time(15), time(16)),
            "Awaiting review 15:00–16:00 Pere Soler Leg massage · Ben Ortega",
        ),
        (
            "Olive room",
            rows(time(10), time(11)),
            "Confirmed 10:00–11:00 Lucia Prado Leg massage · Ana Ruiz",
        ),
        (
            "Olive room",
            rows(time(11, 30), time(12)),
            "Held 11:30–12:00 (no client yet) Leg massage · Ana Ruiz",
        ),
    ]
    # A room has no time off: nothing is shaded.
    assert not any(b.shaded for b in blocks)


def test_a_room_out_of_use_keeps_its_column_while_it_has_bookings(
    frontdesk, monday, monday_bookings
):
    """Taking a room out of use leaves its bookings standing: the calendar still shows them."""
    Room.objects.filter(slug="garden").update(is_active=False)
    Therapist.objects.filter(slug="ben").update(is_active=False)
    by_room = grid(day_page(frontdesk, monday, by="room"))
    assert ("Garden room", rows(time(15), time(16))) in [(b.column, b.rows) for b in by_room]
    by_therapist = grid(day_page(frontdesk, monday))
    assert ("Ben Ortega", rows(time(15), time(16))) in [(b.column, b.rows) for b in by_therapist]
    # The day after, with no booking in it, the room and the therapist have no column.
    html = day_page(frontdesk, monday + timedelta(days=1), by="room")
    assert "Garden room" not in _HEAD.search(html).group(1)


def test_the_day_lists_its_bookings_as_a_table_too(frontdesk, monday, monday_bookings):
    """Below the grid the same day reads as a table, status in words."""
    html = day_page(frontdesk, monday)
    table = text_of(html.split('id="list-heading"', 1)[1].split("</table>", 1)[0])

    assert "10:00–11:00 Lucia Prado Leg massage, 60 min Ana Ruiz Olive room Confirmed" in table
    assert "15:00–16:00 Pere Soler Leg massage, 60 min Ben Ortega Garden room Awaiting review" in (
        table
    )


MARKUP = '<script>alert("x")</script> & <b>Co</b>'
MARKUP_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;"


@pytest.mark.parametrize(
    "params",
    [{}, {"by": "room"}, {"view": "week"}, {"view": "week", "by": "room"}],
    ids=["day", "day by room", "week", "week of a room"],
)
def test_what_clients_and_staff_typed_is_escaped_on_the_calendar(frontdesk, demo, monday, params):
    """A client's name and a reason for time off are text on the page, never markup."""
    demo.book(at(monday, 10), client__name=MARKUP)
    TimeOff.objects.create(
        therapist=demo.therapist("ana"),
        start_at=at(monday, 12),
        end_at=at(monday, 13),
        kind=TimeOff.Kind.BLOCK,
        reason=MARKUP,
    )
    if params.get("view") == "week":
        kind = params.pop("by", "therapist")
        pk = demo.room("olive").pk if kind == "room" else demo.therapist("ana").pk
        params = {**params, "resource": f"{kind}-{pk}"}
    html = day_page(frontdesk, monday, **params)

    assert "<script>alert" not in html and "<b>Co</b>" not in html
    assert f"10:00–11:00 {MARKUP_ESCAPED}<br>" in html  # the block
    assert f'title="10:00–11:00 {MARKUP_ESCAPED} · Leg massage"' in html
    if "view" not in params:
        assert f"<td>{MARKUP_ESCAPED}</td>" in html  # the list
    if "by" not in params and not params.get("resource", "").startswith("room"):
        assert f"Blocked: {MARKUP_ESCAPED}" in html


def test_the_day_reads_the_same_whatever_the_history_behind_it(
    frontdesk, demo, monday, monday_bookings, django_assert_max_num_queries
):
    """Bookings of the weeks before cost no query and show nowhere; the day's still do."""
    params = {"date": monday.isoformat()}
    before = count_queries(django_assert_max_num_queries, DAY_QUERIES, frontdesk, CALENDAR, params)
    for days_back in range(1, 29):
        demo.book(
            at(monday - timedelta(days=days_back), 10),
            status=BookingStatus.COMPLETED,
            client__name=f"Past {days_back}",
        )
    # Began the evening before and runs past midnight: it is still the day's.
    late = demo.book(at(monday, 0) - timedelta(minutes=30), minutes=60, client__name="Night owl")

    after = count_queries(django_assert_max_num_queries, DAY_QUERIES, frontdesk, CALENDAR, params)
    html = day_page(frontdesk, monday)
    assert after == before
    assert "Past " not in html
    assert f'<a href="/en/staff/bookings/{late.public_id}/">23:30–00:30</a>' in html


def test_a_booking_the_client_confirmed_from_the_reminder_says_so_on_the_calendar(
    frontdesk, demo, time_machine
):
    """A tick with its words for screen readers on the grid; the words in the list and card."""
    time_machine.move_to(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), tick=False)
    monday = date(2026, 11, 30)
    said_yes = demo.book(
        at(monday, 10), client__name="Lucia Prado", client_confirmed_at=at(monday, 10) - DAY
    )
    demo.book(at(monday, 15), therapist="ben", room="garden", client__name="Pere Soler")
    # Moved to review since: no longer a confirmed booking, whatever the client said.
    demo.book(
        at(monday, 17),
        therapist="ben",
        room="garden",
        status=BookingStatus.AWAITING_REVIEW,
        client__name="Nuria Gil",
        client_confirmed_at=at(monday, 10) - DAY,
    )
    html = day_page(frontdesk, monday)

    blocks = {b.text.split(" · ")[0]: b.text for b in grid(html) if not b.shaded}
    badge = "✓ Confirmed by the client"
    assert [text for text in blocks.values() if badge in text] == [
        f"Confirmed {badge} 10:00–11:00 Lucia Prado Leg massage · Olive room"
    ]
    assert '<span class="visually-hidden">Confirmed by the client</span>' in html
    table = text_of(html.split('id="list-heading"', 1)[1].split("</table>", 1)[0])
    assert table.count("Confirmed by the client") == 1
    assert "Lucia Prado Leg massage, 60 min Ana Ruiz Olive room Confirmed ✓ Confirmed by" in table
    card = frontdesk.get(reverse("bookings:staff_booking", args=[said_yes.public_id]))
    assert "Confirmed by the client" in card.content.decode()


@pytest.mark.parametrize(
    "day",
    [date(2027, 3, 28), date(2026, 10, 25)],
    ids=["clocks go forward", "clocks go back"],
)
def test_a_day_when_the_clocks_change_still_reads_by_the_wall_clock(frontdesk, demo, day):
    """On the last Sunday of March and of October a 10:00 booking sits in the 10:00 rows."""
    demo.book(at(day, 10), client__name="Clock Change")

    html = day_page(frontdesk, day)

    assert [(b.column, b.rows, b.text) for b in grid(html)] == [
        (
            "Ana Ruiz",
            rows(time(10), time(11)),
            "Confirmed 10:00–11:00 Clock Change Leg massage · Olive room",
        )
    ]
    assert '<div class="cal-time" data-cal-column="1" data-cal-rows="5 9">10:00</div>' in html


def test_the_calendar_lists_a_booking_on_its_local_day_across_midnight_utc(frontdesk, demo, monday):
    """A booking at 00:30 Madrid time (the evening before in UTC) is listed on its local day."""
    late = demo.book(at(monday, 0, 30), minutes=30, client__name="Night Owl")

    html = day_page(frontdesk, monday)
    previous = day_page(frontdesk, monday - timedelta(days=1))

    assert "Night Owl" in html
    assert "Night Owl" not in previous
    assert str(late.public_id) in html


# The week view


@pytest.fixture
def week_bookings(demo, monday):
    wednesday = monday + timedelta(days=2)
    tuesday = monday + timedelta(days=1)
    return {
        "ana_monday": demo.book(at(monday, 9), client__name="Ana Client Mon"),
        "ana_wednesday": demo.book(
            at(wednesday, 12), room="garden", minutes=30, client__name="Ana Client Wed"
        ),
        "ben_tuesday": demo.book(at(tuesday, 16), therapist="ben", client__name="Ben Client Tue"),
        "ana_leave": TimeOff.objects.create(
            therapist=demo.therapist("ana"),
            start_at=at(monday + timedelta(days=4), 9),
            end_at=at(monday + timedelta(days=4), 14),
            reason="Course",
        ),
        "ben_block": TimeOff.objects.create(
            therapist=demo.therapist("ben"),
            start_at=at(tuesday, 18),
            end_at=at(tuesday, 19),
            kind=TimeOff.Kind.BLOCK,
            reason="Meeting",
        ),
    }


def test_the_week_of_a_therapist_shows_only_their_bookings_and_time_off(
    frontdesk, demo, monday, week_bookings
):
    """One column per day; Ana's week has her two bookings and her day off, nothing of Ben."""
    html = day_page(
        frontdesk,
        monday + timedelta(days=3),
        view="week",
        resource=f"therapist-{demo.therapist('ana').pk}",
    )
    day = f"{monday:%a %d/%m}"
    wednesday = f"{monday + timedelta(days=2):%a %d/%m}"
    friday = f"{monday + timedelta(days=4):%a %d/%m}"

    assert "Ana Ruiz, week of" in html
    assert sorted((b.column, b.rows, b.text) for b in grid(html)) == sorted(
        [
            (
                day,
                rows(time(9), time(10)),
                "Confirmed 09:00–10:00 Ana Client Mon Leg massage · Olive room",
            ),
            (
                wednesday,
                rows(time(12), time(12, 30)),
                "Confirmed 12:00–12:30 Ana Client Wed Leg massage · Garden room",
            ),
            (friday, rows(time(9), time(14)), "Time off: Course"),
        ]
    )


def test_the_week_of_a_room_shows_every_therapist_there_and_no_time_off(
    frontdesk, demo, monday, week_bookings
):
    """The Olive room's week has Ana's Monday and Ben's Tuesday, with who works them."""
    html = day_page(frontdesk, monday, view="week", resource=f"room-{demo.room('olive').pk}")

    assert "Olive room, week of" in html
    assert sorted((b.column, b.text) for b in grid(html)) == [
        (f"{monday:%a %d/%m}", "Confirmed 09:00–10:00 Ana Client Mon Leg massage · Ana Ruiz"),
        (
            f"{monday + timedelta(days=1):%a %d/%m}",
            "Confirmed 16:00–17:00 Ben Client Tue Leg massage · Ben Ortega",
        ),
    ]


def test_the_week_without_a_resource_opens_the_first_therapist(frontdesk, demo, monday):
    response = frontdesk.get(CALENDAR, {"view": "week", "date": monday.isoformat()})

    assert response.status_code == 302
    assert response.url == (
        f"{CALENDAR}?view=week&date={monday:%Y-%m-%d}&resource=therapist-{demo.therapist('ana').pk}"
    )


@pytest.mark.parametrize("resource", ["therapist-999999", "room-999999"])
def test_the_week_of_an_unknown_therapist_or_room_is_not_found(frontdesk, monday, resource):
    response = frontdesk.get(
        CALENDAR, {"view": "week", "date": monday.isoformat(), "resource": resource}
    )

    assert response.status_code == 404


# Dates that are not dates


BAD_DATES = [
    "tomorrow",
    "2026-02-30",
    "2026-13-01",
    "30/11/2026",
    "2026-11-30T10:00",
    "1999-12-31",
    "2101-01-01",
    "9999-12-31",
    "0001-01-01",
    "' OR 1=1 --",
]


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize(
    ("url_name", "params", "who"),
    [
        ("bookings:staff_calendar", {}, "frontdesk"),
        ("bookings:staff_calendar", {"view": "week"}, "frontdesk"),
        ("bookings:my_day", {}, "ana"),
        ("bookings:my_week", {}, "ana"),
    ],
)
def test_a_malformed_or_out_of_range_date_redirects_to_today_with_a_message(
    request, url_name, params, who, value
):
    """Never a 500: the page redirects to today and says why."""
    browser = request.getfixturevalue(who)
    url = reverse(url_name)

    response = browser.get(url, {**params, "date": value})

    assert response.status_code == 302
    assert response.url == url
    page = browser.get(response.url)
    assert page.status_code == 200
    assert NOT_VALID in page.content.decode()


@pytest.mark.parametrize("value", ["2000-01-01", "2100-12-31"])
@pytest.mark.parametrize("params", [{}, {"view": "week"}, {"by": "room"}])
def test_the_first_and_last_days_in_range_still_render(frontdesk, demo_studio, value, params):
    response = frontdesk.get(CALENDAR, {**params, "date": value}, follow=True)

    assert response.status_code == 200
    assert NOT_VALID not in response.content.decode()


# What the calendar keeps to itself


@pytest.fixture
def flagged(demo, monday):
    """Ana's 10:00 client, reviewed with an adaptation, whose answers carry a reason."""
    booking = demo.book(at(monday, 10), client__name="Marta Soler", adaptations=ADAPTATION)
    SubmissionFactory(
        booking=booking,
        answers={"varicose_veins": "pronounced", "anything_else": "left calf is tender"},
        reasons=[{"question": "varicose_veins", "level": "review", "text": REASON}],
    )
    return booking


@pytest.mark.parametrize("who", ["frontdesk", "owner"])
@pytest.mark.parametrize("params", [{}, {"by": "room"}, {"view": "week", "resource": "ana"}])
def test_the_calendar_never_shows_intake_answers_or_reasons(
    request, demo, monday, flagged, who, params
):
    """The level may show ("Review"); the reasons, answers and the way to them never do."""
    browser = request.getfixturevalue(who)
    if params.get("resource") == "ana":
        params = {**params, "resource": f"therapist-{demo.therapist('ana').pk}"}

    html = day_page(browser, monday, **params)

    assert "Marta Soler" in html
    # Reviewed and confirmed: the level no longer flags it, and the status says so.
    assert "Confirmed" in html
    assert '<span class="badge badge-review">' not in html
    assert "varicose" not in html.lower()
    assert "tender" not in html
    assert reverse("intake:intake_answers", kwargs={"public_id": flagged.public_id}) not in html
    assert reverse("intake:review_detail", kwargs={"public_id": flagged.public_id}) not in html
    if who == "frontdesk":
        # Adaptations come from a review: the front desk does not see them.
        assert ADAPTATION not in html


def test_the_booking_card_hides_adaptations_from_the_front_desk_but_not_the_owner(
    frontdesk, owner, flagged
):
    url = reverse("bookings:staff_booking", kwargs={"public_id": flagged.public_id})

    desk = frontdesk.get(url).content.decode()
    own = owner.get(url).content.decode()

    assert ADAPTATION not in desk
    assert ADAPTATION in own
    for html in (desk, own):
        assert "Screening: <strong>Review</strong>" in html
        assert REASON not in html
        assert "tender" not in html


def test_a_screening_stop_is_listed_with_its_time_and_service_only(frontdesk, demo, monday):
    """Staff see that an attempt at 11:30 was stopped, and for what; not who, nor why."""
    stopped = demo.book(
        at(monday, 11, 30),
        status=BookingStatus.STOPPED,
        client__name="Zoe Paredes",
        client__email="zoe@example.com",
    )
    SubmissionFactory(
        booking=stopped,
        level="stop",
        answers={"leg_symptoms": "yes", "leg_symptoms_side": "one"},
        reasons=[{"question": "leg_symptoms_side", "level": "stop", "text": "One swollen calf."}],
    )

    html = day_page(frontdesk, monday)

    section = html.split('id="stops-heading"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r"<li>(.*?)</li>", section) == ["11:30 · Leg massage"]
    # The page's random CSP nonces and CSRF token may spell "Zoe" by chance: not the name.
    shown = RANDOM_TOKENS.sub("", html)
    for private in ("Zoe", "zoe@example.com", "swollen", str(stopped.public_id)):
        assert private not in shown
    assert grid(html) == []


def test_a_stop_stays_listed_after_changed_answers_send_it_to_review(frontdesk, demo, monday):
    """Changed answers after a stop reach review; the front desk still sees the stop came first."""
    retried = demo.book(at(monday, 12, 0), status=BookingStatus.AWAITING_REVIEW)
    SubmissionFactory(booking=retried, level="stop", reasons=[])
    SubmissionFactory(booking=retried, level="review", after_stop=True, reasons=[])

    html = day_page(frontdesk, monday)

    section = html.split('id="stops-heading"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r"<li>(.*?)</li>", section) == [
        "12:00 · Leg massage · answers changed afterwards, now: Awaiting review"
    ]


def test_a_day_without_stops_has_no_stopped_list(frontdesk, monday, monday_bookings):
    assert 'id="stops-heading"' not in day_page(frontdesk, monday)


# Query budgets: a calendar page costs the same whatever the number of bookings.

# Session, user, the second factor's device, groups with whether the user is a therapist
# (nav), the calendar (therapists with their hours, rooms, bookings with their screening
# stops and time off, and how many wait for the day, in one statement), and the waitlist
# for the day when anybody does (the week has none).
DAY_QUERIES = 6
WEEK_QUERIES = 5
# Session, user, the second factor's device, therapist, bookings, screenings, groups, the
# review count, time off; on the day, the body maps and the clients' last session notes (and
# the access log's row for each kind shown).
MY_DAY_QUERIES = 10
MY_WEEK_QUERIES = 9
SLOT = timedelta(minutes=45)  # a 30-minute session, its 10-minute buffer, and a margin


@pytest.fixture
def ten_therapists(demo, monday):
    """The three demo therapists and seven more, each with a room and Monday–Friday hours."""
    therapists = [demo.therapist(slug) for slug in ("ana", "ben", "carla")]
    rooms = [demo.room("olive"), demo.room("garden")]
    leg = demo.service()
    for _index in range(7):
        therapist = TherapistFactory(services=[leg])
        for weekday in range(5):
            WorkingHoursFactory(therapist=therapist, weekday=weekday, starts=time(8), ends=time(21))
        therapists.append(therapist)
    for _index in range(8):
        room = RoomFactory()
        leg.rooms.add(room)
        rooms.append(room)
    return list(zip(therapists, rooms, strict=True))


def fill(demo, pairs, *, day, slots: range, reviewed: bool = True):
    """Book each therapist (in their own room) for the given 45-minute slots from 08:00."""
    for therapist, room in pairs:
        for slot in slots:
            booking = demo.book(
                at(day, 8) + slot * SLOT,
                therapist=therapist.slug,
                room=room.slug,
                minutes=30,
                # The client's "I'll be there" is on the booking's row: it costs no query.
                client_confirmed_at=at(day, 8) - DAY if slot % 3 == 0 else None,
            )
            if reviewed and slot % 2 == 0:
                SubmissionFactory(booking=booking)
        # One short block per call, so time off grows with the bookings without overlapping.
        start_at = at(day, 20) + timedelta(minutes=5 * slots.start)
        TimeOff.objects.create(
            therapist=therapist,
            start_at=start_at,
            end_at=start_at + timedelta(minutes=5),
            kind=TimeOff.Kind.BLOCK,
        )


def count_queries(assert_max, budget, browser, url, params) -> int:
    with assert_max(budget) as queries:
        response = browser.get(url, params)
    assert response.status_code == 200
    return len(queries)


def test_the_day_view_costs_the_same_for_10_or_80_bookings(
    frontdesk, demo, monday, ten_therapists, django_assert_max_num_queries
):
    params = {"date": monday.isoformat()}
    fill(demo, ten_therapists, day=monday, slots=range(1))
    few = count_queries(django_assert_max_num_queries, DAY_QUERIES, frontdesk, CALENDAR, params)
    by_room_few = count_queries(
        django_assert_max_num_queries, DAY_QUERIES, frontdesk, CALENDAR, {**params, "by": "room"}
    )

    fill(demo, ten_therapists, day=monday, slots=range(1, 8))
    html = day_page(frontdesk, monday)
    many = count_queries(django_assert_max_num_queries, DAY_QUERIES, frontdesk, CALENDAR, params)
    by_room_many = count_queries(
        django_assert_max_num_queries, DAY_QUERIES, frontdesk, CALENDAR, {**params, "by": "room"}
    )

    assert len([b for b in grid(html) if not b.shaded]) == 80
    assert (few, by_room_few) == (many, by_room_many)


def test_the_day_views_waiting_list_costs_the_same_for_1_or_8_clients(
    frontdesk, demo, monday, django_assert_max_num_queries
):
    """Each waiting client has its Offer a time link, and no query more."""
    params = {"date": monday.isoformat()}
    entries = [
        WaitlistEntryFactory(
            service=demo.service(), length=demo.length(), first_day=monday, name="Client 0"
        )
    ]
    few = count_queries(django_assert_max_num_queries, DAY_QUERIES, frontdesk, CALENDAR, params)
    entries += [
        WaitlistEntryFactory(
            service=demo.service(),
            length=demo.length(),
            therapist=demo.therapist("ana") if n % 2 else None,
            first_day=monday,
            name=f"Client {n}",
        )
        for n in range(1, 8)
    ]
    many = count_queries(django_assert_max_num_queries, DAY_QUERIES, frontdesk, CALENDAR, params)

    assert few == many
    html = day_page(frontdesk, monday)
    for entry in entries:
        offer = reverse("bookings:staff_waitlist_offer", kwargs={"pk": entry.pk})
        assert f'href="{offer}?date={monday.isoformat()}"' in html
        assert f'Offer a time<span class="visually-hidden"> {entry.name}</span>' in html


def test_the_day_view_asks_for_the_waitlist_only_on_a_day_somebody_waits_for(
    frontdesk, demo, monday, django_assert_num_queries
):
    """The calendar's statement counts who waits for the day: nobody, no waitlist query."""
    params = {"date": monday.isoformat()}
    offer = {"service": demo.service(), "length": demo.length()}
    WaitlistEntryFactory(**offer, first_day=monday + DAY, last_day=monday + 7 * DAY, name="Later")
    WaitlistEntryFactory(**offer, first_day=monday - 7 * DAY, last_day=monday - DAY, name="Before")
    WaitlistEntryFactory(**offer, first_day=monday, status="left", name="Gone")
    with django_assert_num_queries(DAY_QUERIES - 1):
        assert frontdesk.get(CALENDAR, params).status_code == 200

    # Its dates include the day, its weekdays do not: asked for, and not shown.
    WaitlistEntryFactory(**offer, first_day=monday, last_day=monday + DAY, weekdays=[1])
    with django_assert_num_queries(DAY_QUERIES):
        html = frontdesk.get(CALENDAR, params).content.decode()
    assert "Waiting for a time this day" not in html

    WaitlistEntryFactory(**offer, first_day=monday - DAY, last_day=monday, name="Today")
    with django_assert_num_queries(DAY_QUERIES):
        html = frontdesk.get(CALENDAR, params).content.decode()
    assert "Waiting for a time this day: 1 client" in html
    assert "Today · " in html
    for name in ("Later", "Before", "Gone", "Joan Puig"):
        assert f"{name} · " not in html


def test_the_week_view_costs_the_same_for_10_or_80_bookings(
    frontdesk, demo, monday, ten_therapists, django_assert_max_num_queries
):
    therapist, room = ten_therapists[3]
    weekdays = [monday + timedelta(days=offset) for offset in range(5)]
    views = [
        {"view": "week", "date": monday.isoformat(), "resource": f"therapist-{therapist.pk}"},
        {"view": "week", "date": monday.isoformat(), "resource": f"room-{room.pk}"},
    ]
    for day in weekdays:
        fill(demo, [(therapist, room)], day=day, slots=range(2))
    few = [
        count_queries(django_assert_max_num_queries, WEEK_QUERIES, frontdesk, CALENDAR, params)
        for params in views
    ]

    for day in weekdays:
        fill(demo, [(therapist, room)], day=day, slots=range(2, 16))
    many = [
        count_queries(django_assert_max_num_queries, WEEK_QUERIES, frontdesk, CALENDAR, params)
        for params in views
    ]

    html = frontdesk.get(CALENDAR, views[0]).content.decode()
    assert len([b for b in grid(html) if not b.shaded]) == 80
    assert few == many


def test_my_day_and_week_cost_the_same_for_few_or_many_bookings(
    ana, demo, monday, django_assert_max_num_queries
):
    """A therapist's own day (and week) keeps its query count as the bookings grow."""
    pairs = [(demo.therapist("ana"), demo.room("olive"))]
    day_params = {"date": monday.isoformat()}
    fill(demo, pairs, day=monday, slots=range(3))
    few = (
        count_queries(
            django_assert_max_num_queries,
            MY_DAY_QUERIES,
            ana,
            reverse("bookings:my_day"),
            day_params,
        ),
        count_queries(
            django_assert_max_num_queries,
            MY_WEEK_QUERIES,
            ana,
            reverse("bookings:my_week"),
            day_params,
        ),
    )

    fill(demo, pairs, day=monday, slots=range(3, 16))
    for offset in range(1, 5):
        fill(demo, pairs, day=monday + timedelta(days=offset), slots=range(16))
    html = ana.get(reverse("bookings:my_day"), day_params).content.decode()
    many = (
        count_queries(
            django_assert_max_num_queries,
            MY_DAY_QUERIES,
            ana,
            reverse("bookings:my_day"),
            day_params,
        ),
        count_queries(
            django_assert_max_num_queries,
            MY_WEEK_QUERIES,
            ana,
            reverse("bookings:my_week"),
            day_params,
        ),
    )

    assert html.count('class="card mb-2 cal-block') == 16
    assert few == many


# My day


def test_my_day_shows_the_therapists_own_sessions_with_status_and_time_off(
    ana, demo, monday, monday_bookings
):
    """Ana sees her sessions (never Ben's), their status in words, and her time off."""
    html = ana.get(reverse("bookings:my_day"), {"date": monday.isoformat()}).content.decode()

    assert "10:00–11:00 · Leg massage, 60 min · Lucia Prado" in html
    assert '<span class="status-label">Confirmed</span>' in html
    assert f"Time off: {monday:%-d %b} 12:30–{monday:%-d %b} 14:00 (Doctor)" in html
    assert "Pere Soler" not in html
    assert "Team meeting" not in html


def test_the_calendar_flags_a_pending_review_and_a_stop_on_hold_differently(
    frontdesk, demo, monday
):
    """A review still pending and a stop on hold each have their own word and colour."""
    demo.book(
        at(monday, 10),
        client__name="Rosa Review",
        status=BookingStatus.AWAITING_REVIEW,
        screening_level="review",
    )
    demo.book(
        at(monday, 12),
        client__name="Sara Stop",
        status=BookingStatus.ON_HOLD,
        screening_level="stop",
    )
    demo.book(at(monday, 16), client__name="Clara Clear", screening_level="review")

    html = day_page(frontdesk, monday)

    assert html.count('<span class="badge badge-review">Review</span>') == 1
    assert html.count('<span class="badge text-bg-danger">Stop</span>') == 1
    assert "Clara Clear" in html


def test_the_times_outside_someones_hours_are_what_is_closed():
    day = date(2026, 11, 23)
    items = closed_items(
        column=2,
        day=day,
        hours=[(time(15), time(18)), (time(10), time(12))],
        tz=MADRID,
        opens=time(9),
        closes=time(20),
    )
    assert [(i.start.time(), i.end.time(), i.column, i.kind) for i in items] == [
        (time(9), time(10), 2, "closed"),
        (time(12), time(15), 2, "closed"),
        (time(18), time(20), 2, "closed"),
    ]
    kwargs = {"column": 0, "day": day, "tz": MADRID, "opens": time(9), "closes": time(20)}
    assert closed_items(hours=[(time(8), time(21))], **kwargs) == []
    (whole,) = closed_items(hours=[], **kwargs)
    assert (whole.start.time(), whole.end.time()) == (time(9), time(20))


def test_the_calendar_shades_each_therapists_time_off_work(frontdesk, monday):
    """Monday: Ana works the morning, Ben the afternoon, and Carla not at all."""
    html = day_page(frontdesk, monday)

    assert html.count('<div class="cal-closed"') == 3
    assert html.count("Not working") == 3
