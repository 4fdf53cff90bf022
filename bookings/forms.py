"""Forms for the client's booking flow, and the fields every booking form shares.

They validate shape; the services decide what is allowed. The staff's forms are in
``bookings.staff.forms``.
"""

from datetime import UTC, date, datetime

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bookings.models import WaitlistEntry
from studio.escaping import conditional_escape
from studio.models import Service, Weekday
from studio.money import price

# The widest span of days any form accepts. The services hold the real limits (the booking
# horizon); this bound keeps absurd dates (year 9999, year 1) away from date arithmetic,
# which would overflow, and from the database.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
# RFC 5321 caps a forward path at 256 octets, so an address at 254 characters (Django's
# EmailField in the models, and the column's size on PostgreSQL).
EMAIL_MAX_LENGTH = 254
TOO_FAR = _("That date is further ahead than we take bookings for.")
TOO_EARLY = _("That date is not one we can book.")


def _check_day(day: date | None) -> None:
    """Refuse a day outside the span the calendar can ever show."""
    if day is None:
        return
    if day > LATEST_DAY:
        raise forms.ValidationError(TOO_FAR, code="too_far")
    if day < EARLIEST_DAY:
        raise forms.ValidationError(TOO_EARLY, code="too_early")


def _check_instant(value: datetime | None) -> datetime | None:
    """Refuse an instant outside the calendar's span, in UTC as in any other zone."""
    if value is None:
        return value
    try:
        day = value.astimezone(UTC).date()
    except OverflowError:  # its offset takes it past year 9999 (or before year 1) in UTC
        day = value.date()
    _check_day(day)
    return value


class StartField(forms.DateTimeField):
    """An aware start posted from a slot grid (ISO 8601 with its offset), within the span."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"], **kwargs)

    def clean(self, value):
        return _check_instant(super().clean(value))


class DayField(forms.DateField):
    """A calendar day within the span any booking or time off can have."""

    def clean(self, value):
        day = super().clean(value)
        _check_day(day)
        return day


def _html_attrs(attrs) -> str:
    """Return attributes as Django's ``attrs.html`` writes them: True bare, False left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """A select written in Python, as Django's ``select.html`` would write it, byte for byte.

    The times page is the busiest page, and the template engine costs an include per option
    (a select of therapists is a dozen of them).
    """

    def render(self, name, value, attrs=None, renderer=None):
        kept = self.choices if isinstance(self.choices, _KeptChoices) else None
        if kept is None:
            return self._write(name, value, attrs)
        # Choices kept per catalogue and language: the select is written once per value
        # and attributes, and the few kept (a tampered value makes one more) are bounded.
        key = (
            type(self),
            name,
            tuple(self.format_value(value)),
            tuple(self.build_attrs(self.attrs, attrs).items()),
        )
        try:
            found = kept.written.get(key)
        except TypeError:  # an attribute that cannot be a key: written every time
            return self._write(name, value, attrs)
        if found is None:
            found = self._write(name, value, attrs)
            if len(kept.written) < kept.WRITTEN:
                kept.written[key] = found
        return found

    def _write(self, name, value, attrs) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"{_html_attrs(widget["attrs"])}>'
        ]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_html_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                for option in group_choices
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        # Every value above is escaped (``conditional_escape``); the rest are literals.
        return mark_safe("".join(parts))


class TimesForm(forms.Form):
    """The length and therapist a client is looking at (GET); the day is the picker's."""

    length = forms.TypedChoiceField(
        label=_("Length"), coerce=int, widget=PlainSelect(attrs={"class": "form-select"})
    )
    therapist = forms.ChoiceField(
        label=_("Therapist"), widget=PlainSelect(attrs={"class": "form-select"})
    )

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        lengths, therapists = _times_choices(service)
        self.fields["length"].choices = lengths
        self.fields["therapist"].choices = therapists


class _KeptChoices(BaseChoiceIterator):
    """Choices already in the form Django's fields and widgets keep them, taken as they are.

    A field or widget given a list of choices walks it (``normalize_choices``) on every
    form; this iterator is taken whole, as Django takes its own lazy ones.
    """

    # How many selects written with these choices are kept (``PlainSelect.render``).
    WRITTEN = 32

    def __init__(self, choices: list[tuple]):
        self.choices = choices
        self.written: dict[tuple, str] = {}

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)


def _times_choices(service: Service) -> tuple[_KeptChoices, _KeptChoices]:
    """Return the length and therapist choices of a service, in the active language.

    With the service's lengths and therapists prefetched (a kept catalogue's, read once per
    process: ``selectors.kept_catalogue``), they are worked out once per language and kept
    on the service beside them: the times page is the busiest page, and a length's label
    formats a price. They last as long as the prefetched rows they are made of.
    """
    prefetched = getattr(service, "_prefetched_objects_cache", {})
    kept = None
    if "lengths" in prefetched and "therapists" in prefetched:
        kept = service.__dict__.setdefault("_times_choices", {})
        found = kept.get(get_language())
        if found is not None:
            return found
    found = (
        _KeptChoices(
            [
                (
                    length.pk,
                    _("%(minutes)s minutes · %(price)s")
                    % {"minutes": length.minutes, "price": price(length.price)},
                )
                for length in service.lengths.all()
            ]
        ),
        _KeptChoices(
            [("any", str(_("Anyone available")))]
            + [(therapist.slug, therapist.display_name) for therapist in service.therapists.all()]
        ),
    )
    if kept is not None:
        kept[get_language()] = found
    return found


class HoldForm(forms.Form):
    """The start a client picked, posted from the slot grid."""

    length = forms.IntegerField()
    therapist = forms.CharField(max_length=60)
    start = StartField()


class ClientDetailsForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(
        label=_("Email"),
        max_length=EMAIL_MAX_LENGTH,
        help_text=_("We send your confirmation and a link to manage the booking here."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        help_text=_("So the studio can reach you if something changes."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})


class RescheduleForm(forms.Form):
    start = StartField()


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        max_length=250,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": _(
                "Your booking is not cancelled yet: please keep your message to 250 "
                "characters or fewer (it has %(show_value)d), and send it again."
            )
        },
    )


def local_datetime(day: date, at, tz) -> datetime | None:
    """Return the aware instant of a local date and time, or None if the clocks skip it."""
    candidate = datetime.combine(day, at, tzinfo=tz)
    if candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != candidate.replace(
        tzinfo=None
    ):
        return None
    return candidate


class WaitlistForm(TimesForm):
    """Join the waitlist: a length, a therapist or anyone, and when the client can come."""

    first_day = DayField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = DayField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none for any day."),
    )
    parts = forms.MultipleChoiceField(
        label=_("Parts of the day"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none for any time of day."),
    )
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(
        label=_("Email"),
        max_length=EMAIL_MAX_LENGTH,
        help_text=_("We write here when a time comes free, with a link to book it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weekdays"].choices = Weekday.choices
        self.fields["parts"].choices = WaitlistEntry.PartOfDay.choices
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("Please choose a last day after the first."))
        return cleaned
