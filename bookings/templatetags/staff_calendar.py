"""The staff calendar's hot loops, rendered in Python: its hours, its blocks, the day's list.

A day of 80 bookings drawn through an include per block, with ``{% url %}``, ``|time`` and
``{% translate %}`` per booking, spent most of the page's time in the template engine. Here
each text is translated once a page, each booking's address is the reversed prefix and its
id, and each time, status and name is formatted and escaped once.

Escaping: every value put into the markup is an ``int`` (formatted ``:d``, which refuses
anything else), a date or time formatted as digits (``:%H:%M``), or has gone through
``escape`` (Django's, unwrapped: ``studio.escaping``): ``_Escaped`` remembers the escaped
form of what repeats (statuses, times, names of services, rooms and therapists), and what
a person typed once per booking (a client's name, a reason for time off) is escaped as it
is written out.
"""

import uuid

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bookings.models import BookingStatus
from studio.escaping import escape

register = template.Library()

_SAMPLE_ID = uuid.UUID(int=0)


class _Escaped(dict):
    """Escaped text by its source, each escaped once a page: ``escaped[value]``."""

    def __missing__(self, value) -> str:
        text = self[value] = escape(value)
        return text


class _Page:
    """What every block of a page shares: its translated words, addresses and clock."""

    def __init__(self):
        self.escaped = _Escaped()
        prefix, _sample, suffix = reverse(
            "bookings:staff_booking", kwargs={"public_id": _SAMPLE_ID}
        ).partition(str(_SAMPLE_ID))
        self._card = (escape(prefix), escape(suffix))
        self._labels: dict[str, str] = {}
        self._clock: dict = {}
        self.confirmed_by_client = self.escaped[_("Confirmed by the client")]

    def card(self, public_id) -> str:
        """Return the escaped address of a booking's staff card: one reverse a page."""
        prefix, suffix = self._card
        return f"{prefix}{escape(public_id)}{suffix}"

    def hh_mm(self, moment) -> str:
        """Return an instant on the studio's wall clock, as ``|time:"H:i"`` shows it."""
        text = self._clock.get(moment)
        if text is None:
            text = self._clock[moment] = timezone.localtime(moment).strftime("%H:%M")
        return text

    def status(self, booking) -> str:
        """Return the escaped words for a booking's status."""
        label = self._labels.get(booking.status)
        if label is None:
            label = self._labels[booking.status] = escape(booking.status_label)
        return label


def _safe(parts: list[str]) -> SafeString:
    # Every part is markup built as the module's docstring says: escaped already.
    return mark_safe("".join(parts))


@register.simple_tag
def calendar_hours(grid) -> SafeString:
    """Render the hour labels down the time column (one row every 15 minutes)."""
    return _safe(
        [
            f'<div class="cal-time" data-cal-column="1" data-cal-rows="{line:d} {line + 4:d}">'
            f"{at:%H:%M}</div>\n"
            for line, at in grid.rows
            if at.minute == 0
        ]
    )


@register.simple_tag
def calendar_blocks(grid, by: str) -> SafeString:
    """Render the grid's blocks: bookings, time off and blocks, and the hours not worked.

    A booking names its room, or its therapist when the columns are rooms (``by``).
    """
    page = _Page()
    esc = page.escaped
    stop = f'<span class="badge text-bg-danger">{esc[_("Stop")]}</span>'
    review = f'<span class="badge badge-review">{esc[_("Review")]}</span>'
    client_confirmed = (
        f' <span class="badge badge-client-confirmed" title="{page.confirmed_by_client}">'
        f'<span aria-hidden="true">✓</span><span class="visually-hidden">'
        f"{page.confirmed_by_client}</span></span>"
    )
    no_client = esc[_("(no client yet)")]
    not_working = esc[_("Not working")]
    blocked, time_off = esc[_("Blocked")], esc[_("Time off")]
    parts = []
    for block in grid.blocks:
        place = (
            f'data-cal-column="{block.column + 1:d}" '
            f'data-cal-rows="{block.row_start:d} {block.row_end:d}"'
        )
        if block.kind == "booking":
            b = block.item
            times = f"{esc[page.hh_mm(b.start_at)]}–{esc[page.hh_mm(b.end_at)]}"
            client = escape(b.client_name)
            service = esc[b.service_name]
            where = esc[(b.therapist if by == "room" else b.room).name]
            badges = ""
            if b.screening_level == "stop" and b.status == BookingStatus.ON_HOLD:
                badges = stop
            elif b.screening_level == "review" and b.status == BookingStatus.AWAITING_REVIEW:
                badges = review
            if b.status == BookingStatus.CONFIRMED and b.client_confirmed_at:
                badges += client_confirmed
            if b.status == BookingStatus.AWAITING_DESK:
                badges += f' <span class="small">({escape(b.desk_reason)})</span>'
            parts.append(
                f'<div class="cal-block status-{esc[b.status]}" {place}>\n'
                f'  <a href="{page.card(b.public_id)}" title="{times} {client} · {service}">\n'
                f'    <span class="status-label">{page.status(b)}</span>\n'
                f"    {badges}<br>\n"
                f"    {times} {client or no_client}<br>\n"
                f'    <span class="small">{service} · {where}</span>\n'
                "  </a>\n"
                "</div>\n"
            )
        elif block.kind == "closed":
            parts.append(
                f'<div class="cal-closed" {place}>'
                f'<span class="visually-hidden">{not_working}</span></div>\n'
            )
        else:
            reason = block.item.reason
            parts.append(
                f'<div class="cal-block cal-off" {place}>\n'
                f"  {blocked if block.kind == 'block' else time_off}"
                f"{': ' + escape(reason) if reason else ''}\n"
                "</div>\n"
            )
    return _safe(parts)


@register.simple_tag
def calendar_list_rows(bookings) -> SafeString:
    """Render the rows of the day's list: every booking, cancelled and declined ones too."""
    page = _Page()
    esc = page.escaped
    client_confirmed = (
        ' <span class="badge badge-client-confirmed"><span aria-hidden="true">✓</span> '
        f"{page.confirmed_by_client}</span>"
    )
    parts = []
    for b in bookings:
        confirmed = b.status == BookingStatus.CONFIRMED and b.client_confirmed_at
        parts.append(
            "<tr>\n"
            f'    <td><a href="{page.card(b.public_id)}">'
            f"{esc[page.hh_mm(b.start_at)]}–{esc[page.hh_mm(b.end_at)]}</a></td>\n"
            f"    <td>{escape(b.client_name or '—')}</td>"
            f"<td>{esc[b.service_name]}, {b.minutes:d} min</td>\n"
            f"    <td>{esc[b.therapist.name]}</td><td>{esc[b.room.name]}</td>\n"
            f'    <td><span class="cal-block status-{esc[b.status]} d-inline-block">'
            f"{page.status(b)}</span>{client_confirmed if confirmed else ''}</td>\n"
            f"    <td>{esc[b.screening_label] if b.screening_level else '—'}</td>\n"
            "  </tr>"
        )
    return _safe(parts)


@register.simple_tag
def week_links(day, therapists, rooms) -> SafeString:
    """Render the links to each therapist's and each room's week, from ``day``."""
    week = escape(_("Week: %(name)s"))
    base = f"?view=week&amp;date={day:%Y-%m-%d}&amp;resource="

    def links(kind, columns):
        return [
            f'<a class="btn btn-sm btn-outline-secondary" href="{base}{kind}-{column.pk:d}">'
            f"{week % {'name': escape(column.name)}}</a>"
            for column in columns
        ]

    return _safe([*links("therapist", therapists), "\n    ", *links("room", rooms)])
