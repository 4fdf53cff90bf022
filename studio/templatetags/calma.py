"""Template helpers: subresource integrity for local assets, and studio-time formatting."""

import base64
import hashlib
from functools import cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse, translate_url
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop

from studio.escaping import conditional_escape, escape
from studio.money import price

register = template.Library()


def _served_file(path: str) -> str | None:
    """Return the file behind ``static(path)``: the hashed copy under a manifest storage.

    A manifest storage rewrites references inside what it copies (a stylesheet's
    ``sourceMappingURL``, for one), so the hash of the source file would not match what the
    browser receives, and the browser would refuse the file.
    """
    if isinstance(staticfiles_storage, ManifestFilesMixin) and not settings.DEBUG:
        return staticfiles_storage.path(staticfiles_storage.stored_name(path))
    return finders.find(path)


@cache
def _asset(path: str) -> tuple[str, str]:
    """Return a local asset's address and integrity hash, worked out once per process.

    Neither changes while a process runs: the manifest storage reads its manifest once,
    when it is made. Every page links five or more assets.
    """
    found = _served_file(path)
    if not found:
        raise template.TemplateSyntaxError(f"Static file not found: {path}")
    with open(found, "rb") as handle:
        digest = hashlib.sha384(handle.read()).digest()
    return static(path), "sha384-" + base64.b64encode(digest).decode("ascii")


def _nonce(context) -> str:
    """Return the response's CSP nonce, or "" outside a request (an email, say).

    ``CSP_NONCE`` comes from django-csp's context processor, or from a page rendered to be
    stored (bookings/times_cache.py), which puts a placeholder there.
    """
    nonce = context.get("CSP_NONCE")
    if nonce is None:
        nonce = getattr(context.get("request"), "csp_nonce", None)
    # Not truthiness: django-csp's lazy nonce is falsy until read, and reading it is what
    # puts it in the header.
    return "" if nonce is None else str(nonce)


@register.simple_tag(takes_context=True)
def stylesheet(context, path: str):
    """Render a <link> to a local stylesheet with its subresource-integrity hash and nonce."""
    return format_html(
        '<link rel="stylesheet" href="{}" integrity="{}" crossorigin="anonymous" nonce="{}">',
        *_asset(path),
        _nonce(context),
    )


@register.simple_tag(takes_context=True)
def script(context, path: str, defer: bool = True):
    """Render a <script> for a local file with its subresource-integrity hash and nonce.

    The policy's 'self' allows the file already; the nonce is there as well so that every
    page's policy names a fresh one, and a policy limited to nonces would still allow it.
    """
    return format_html(
        '<script src="{}" integrity="{}" crossorigin="anonymous" nonce="{}"{}></script>',
        *_asset(path),
        _nonce(context),
        " defer" if defer else "",
    )


@register.filter
def seconds_until(moment) -> int:
    """Return the whole seconds from now until ``moment`` (0 once it has passed).

    A countdown runs from this, not from the visitor's own clock, which may be wrong.
    """
    return max(0, int((moment - timezone.now()).total_seconds())) if moment else 0


@register.filter
def euros(amount) -> str:
    """Render a price as the reader writes it: "32,00 €", "€32.00" (``studio.money``)."""
    return price(amount)


@register.filter
def paragraphs(text: str) -> list[str]:
    """Split text on blank lines into paragraphs."""
    return [block.strip() for block in (text or "").split("\n\n") if block.strip()]


@register.filter
def get_item(mapping, key):
    """Return mapping[key], or None: for dictionaries keyed by id in templates."""
    return mapping.get(key) if mapping else None


def _slot_buttons(slots, label) -> str:
    """Render a day's slot buttons (``slot_periods``): the hot loop, kept out of template tags.

    ``slots`` are (value, time) pairs already formatted by the view. Each button's
    accessible name is the day and the time. Escaped by ``studio.escaping``: Django's
    ``escape`` without its lazy-string checks, which cost more than the escaping.
    """
    label = escape(label)
    return mark_safe(  # every value is escaped
        "\n".join(
            f'<button type="submit" name="start" value="{escape(value)}" '
            f'class="btn btn-outline-dark btn-sm" aria-label="{label}, {escape(at)}">'
            f"{escape(at)}</button>"
            for value, at in slots
        )
    )


@register.simple_tag
def slot_periods(periods, label):
    """Render a day's times, a group per part of the day, each time a submit button.

    ``periods`` are ``picker.Period`` rows (key, label, slots); ``label`` names the day.
    Both pickers of times (the client's, and the front desk's after a refusal) show them
    so; the loop of groups costs the busiest page more in template tags than here.
    """
    groups = []
    for period in periods:
        key = escape(period.key)
        groups.append(
            f'\n            <div class="mb-3" role="group" aria-labelledby="period-{key}">'
            f'\n              <h3 class="h6 text-body-secondary" id="period-{key}">'
            f"{conditional_escape(period.label)}</h3>"
            f'\n              <div class="slot-grid">{_slot_buttons(period.slots, label)}</div>'
            "\n            </div>\n          "
        )
    return mark_safe("".join(groups))  # every value is escaped, here or by _slot_buttons


@register.simple_tag
def hidden_inputs(values):
    """Render a hidden input per name and value of a mapping, as a loop in a template would."""
    return mark_safe(  # every name and value is escaped
        "".join(
            f'<input type="hidden" name="{conditional_escape(name)}" '
            f'value="{conditional_escape(value)}">'
            for name, value in values.items()
        )
    )


@register.simple_tag
def picker_weeks(weeks, query):
    """Render the picker's month, a row per week: the page's other hot loop, kept in Python.

    ``weeks`` are ``picker.PickerWeek`` rows whose days come formatted (``iso``, ``label``);
    ``query`` is the query string the day links start with. A day with free times is a
    link, named by its label; another day of the month is plain text.
    """
    query = escape(query)
    rows = []
    for week in weeks:
        cells = []
        for cell in week.days:
            if cell.bookable and cell.free:
                classes = " selected" if cell.selected else ""
                classes += " today" if cell.is_today else ""
                current = ' aria-current="date"' if cell.selected else ""
                inner = (
                    f'<a class="picker-day has-free{classes}" href="?{query}day={cell.iso}" '
                    f'aria-label="{escape(cell.label)}"{current} '
                    f'data-focus-key="day-{cell.iso}">{cell.day.day}</a>'
                )
            elif cell.in_month:
                today = " today" if cell.is_today else ""
                named = f' aria-label="{escape(cell.label)}"' if cell.is_today else ""
                inner = f'<span class="picker-day muted{today}"{named}>{cell.day.day}</span>'
            else:
                inner = ""
            selected = ' aria-selected="true"' if cell.selected else ""
            cells.append(f"<td{selected}>\n            {inner}\n          </td>")
        current_week = ' class="current-week"' if week.current else ""
        rows.append(f"<tr{current_week}>\n          {''.join(cells)}\n        </tr>")
    # Every value above is escaped, a number or an ISO date.
    return mark_safe("".join(rows))


@register.simple_tag
def picker_weekdays(names):
    """Render the picker month's header row: ``names`` are the weekdays, Monday first."""
    cells = "".join(
        f'<th scope="col" class="text-capitalize">{escape(name)}</th>' for name in names
    )
    return mark_safe(f"<tr>{cells}</tr>")  # every name is escaped


@register.simple_tag
def asset_url(path: str):
    """Return a local asset's address, as ``{% static %}`` writes it, worked out once (``_asset``).

    For links with no integrity hash (icons, the manifest): every page has three.
    """
    return mark_safe(escape(_asset(path)[0]))  # escaped


# The client's booking steps, in order (``booking_steps``).
BOOKING_STEPS = (
    gettext_noop("Massage"),
    gettext_noop("Time"),
    gettext_noop("Your details"),
    gettext_noop("Health questions"),
    gettext_noop("Done"),
)


# The step bar per language and step, rendered once per process: the same words for every
# visitor, on every page of the booking (``booking_steps``).
_STEP_BARS: dict[tuple[str | None, int], str] = {}


@register.simple_tag
def booking_steps(step: int):
    """Render the booking's step bar with ``step`` current, as a list of five items.

    On a phone only the current step shows, with how many there are. Written in Python and
    kept per language and step: the bar cost the times page more than the rest of its
    header. As Django keeps a language's catalogue, a translation edited under the
    development server shows once it restarts.
    """
    key = (translation.get_language(), step)
    found = _STEP_BARS.get(key)
    if found is None:
        found = _STEP_BARS[key] = _step_bar(step)
    return found


def _step_bar(step: int) -> str:
    items = []
    for number, name in enumerate(BOOKING_STEPS, start=1):
        shown = gettext(name)
        if number == step:
            counted = gettext("Step %(number)s of 5:") % {"number": number}
            items.append(
                format_html(
                    '<li class="list-inline-item fw-bold text-body" aria-current="step">'
                    '<span class="d-sm-none">{}</span><span class="d-none d-sm-inline">{}.</span>'
                    " {}</li>",
                    counted,
                    number,
                    shown,
                )
            )
        else:
            items.append(
                format_html(
                    '<li class="list-inline-item d-none d-sm-inline-block">{}. {}</li>',
                    number,
                    shown,
                )
            )
    return format_html(
        '<nav aria-label="{}" class="mb-2 mb-sm-3">\n'
        '  <ol class="list-inline small text-body-secondary mb-0">\n'
        "    {}\n\n"
        "  </ol>\n"
        "</nav>",
        gettext("Booking steps"),
        mark_safe("\n\n    ".join(items)),  # each item is format_html's
    )


# Each page's links, by urlconf, script prefix, language and path: the same for every
# visitor. Bounded, as the paths come from the visitors.
_LANGUAGE_LINKS: dict[tuple, list[dict]] = {}
_LANGUAGE_LINKS_MAX = 1024


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """Return this page in every language Calma speaks: code, name, address and whether shown.

    The address is the same page in the other language (``translate_url``); a page that has
    no other language (an error page) links to the home page in that language. The query is
    left behind: it is whatever the visitor typed, and a page falls back to its defaults.
    A resolved page's links are reversed once per process and kept (read-only).
    """
    request = context.get("request")
    current = translation.get_language()
    key = None
    if request is not None and getattr(request, "resolver_match", None) is not None:
        key = (get_urlconf(), get_script_prefix(), current, request.path)
        found = _LANGUAGE_LINKS.get(key)
        if found is not None:
            return found
    links = []
    for code, name in settings.LANGUAGES:
        url = ""
        if request is not None:
            url = _same_page(request, code)
            if url == request.path and code != current:
                with translation.override(code):
                    url = reverse("studio:home")
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    if key is not None:
        if len(_LANGUAGE_LINKS) >= _LANGUAGE_LINKS_MAX:
            _LANGUAGE_LINKS.clear()
        _LANGUAGE_LINKS[key] = links
    return links


def _same_page(request, code: str) -> str:
    """Return ``translate_url(request.path, code)``, from the view the request resolved to.

    ``translate_url`` resolves the path again for every language; the request knows its view.
    """
    match = getattr(request, "resolver_match", None)
    if match is None:
        return translate_url(request.path, code)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    with translation.override(code):
        try:
            return reverse(name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return request.path


class VisitorChromeNode(template.Node):
    """Render the page's chrome once per page and language for visitors, then reuse it.

    The header and footer of ``base.html`` are the same for every visitor who is not signed
    in: they vary with the language (links, words) and the address (the language links)
    only. On the busiest pages they cost as much as the content, so a visitor's copy is
    kept on this node, per page template, language, address and URLconf, and rendered again
    only for signed-in staff (whose links differ) or a template reloaded (a new node).
    What is kept must not depend on anything else: no CSRF token, nonce or message.
    """

    KEEP = 1024

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.kept: dict[tuple, str] = {}
        self._by_type: dict[type, list[template.Node]] = {}

    def get_nodes_by_type(self, nodetype):
        """Return the nodes of a type in the chrome, found once: they never change once parsed.

        Every render of a page that extends ``base.html`` asks all its nodes for their blocks
        (``{% extends %}``), and the chrome is most of them.
        """
        found = self._by_type.get(nodetype)
        if found is None:
            found = self._by_type[nodetype] = super().get_nodes_by_type(nodetype)
        return found

    def render(self, context) -> str:
        request = context.get("request")
        # The request's own user: a page's context may name somebody else "user".
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated:
            return self.nodelist.render(context)
        origin = getattr(context.template, "origin", None)
        key = (
            getattr(origin, "name", None),
            translation.get_language(),
            request.path,
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
        )
        found = self.kept.get(key)
        if found is None:
            found = self.nodelist.render(context)
            if len(self.kept) >= self.KEEP:
                self.kept.clear()
            self.kept[key] = found
        return found


@register.tag
def visitor_chrome(parser, token):
    """``{% visitor_chrome %}…{% endvisitor_chrome %}``: see ``VisitorChromeNode``."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("visitor_chrome takes no arguments")
    nodelist = parser.parse(("endvisitor_chrome",))
    parser.delete_first_token()
    return VisitorChromeNode(nodelist)
