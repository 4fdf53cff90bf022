"""Real-browser tests: pytest-playwright driving the system Chromium against live_server."""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

OUTPUT = Path(__file__).resolve().parent.parent.parent / "test-output" / "screenshots"


@pytest.fixture
def shot(page, request):
    """Save a numbered screenshot of the current page under test-output/screenshots/<test>/."""
    folder = OUTPUT / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(name: str):
        counter["n"] += 1
        page.screenshot(path=str(folder / f"{counter['n']:02d}-{name}.png"), full_page=True)

    return take


@pytest.fixture
def live_demo(live_server, transactional_db):
    """A live server with the demo studio loaded."""
    from studio.services import demo_seed

    demo_seed()
    return live_server


# Helpers for the journey and accessibility tests: they drive the pages the way a client does.

# Answers of a client with nothing to report on the leg-massage questionnaire, by code.
LEG_NOTHING_TO_REPORT = {
    "leg_symptoms": "no",
    "blood_clot": "no",
    "varicose_veins": "none",
    "circulatory_condition": "no",
    "skin_wound": "no",
    "skin_problems": "no",
    "pregnant": "no",
    "injury_or_surgery": "no",
    "intense_pain": "no",
    "diabetes_or_neuropathy": "no",
    "medical_condition": "no",
}


# The journeys run once in each of these languages: the URL carries it (/en/…, /ca/…).
LANGUAGES = ("en", "ca")
in_each_language = pytest.mark.parametrize("lang", LANGUAGES)


def _catalog_has(lang: str, key) -> None:
    """Fail unless ``lang``'s catalog translates ``key``: a page must not fall back to English.

    Without this, a msgid that is missing (or mistyped here) would be looked for in English on
    the Catalan page, and found there if the page showed English too.
    """
    from django.utils.translation import trans_real

    if lang != "en":
        assert key in trans_real.translation(lang)._catalog, f"no {lang} translation: {key!r}"


def t(lang: str, msgid: str, context: str = "", **params) -> str:
    """Return an interface string as the page shows it in ``lang`` (gettext, or pgettext).

    ``params`` fill a ``blocktranslate``'s placeholders: ``t("ca", "Review %(name)s", name=…)``.
    """
    from django.utils import translation

    _catalog_has(lang, f"{context}\x04{msgid}" if context else msgid)
    with translation.override(lang):
        text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    return text % params if params else text


def tn(lang: str, singular: str, plural: str, number: int, **params) -> str:
    """Return a string with a plural form in ``lang`` (``blocktranslate count``), filled in."""
    from django.utils import translation

    _catalog_has(lang, (singular, 0))
    with translation.override(lang):
        text = translation.ngettext(singular, plural, number)
    return text % params


def in_language(lang: str, make):
    """Return ``make()`` computed in ``lang``: an address reversed, a model's text read."""
    from django.utils import translation

    with translation.override(lang):
        return str(make())


def service_name(lang: str, slug: str = "leg-massage") -> str:
    """Return a massage's name as the studio wrote it in ``lang``."""
    from studio.models import Service

    return in_language(lang, lambda: Service.objects.get(slug=slug).name)


def service_link(lang: str, slug: str = "leg-massage") -> re.Pattern:
    """Return the name of a massage's link in the list: its name, then its summary.

    The summary tells apart names that begin alike ("Massatge de cames", "… i peus").
    """
    from django.utils import translation

    from studio.models import Service

    with translation.override(lang):
        service = Service.objects.get(slug=slug)
        name, summary = str(service.name), str(service.summary)
    return re.compile(rf"^{re.escape(name)}\s+{re.escape(summary)}")


def t_pattern(lang: str, msgid: str, context: str = "") -> re.Pattern:
    """Return a pattern for the whole of ``msgid`` in ``lang``, any placeholder matching text."""
    parts = re.split(r"%\(\w+\)[sd]", t(lang, msgid, context))
    return re.compile("^" + ".+".join(map(re.escape, parts)) + "$")


def slot_name_pattern(lang: str) -> re.Pattern:
    """Return the pattern of a slot's accessible name in ``lang``: "Thursday 10 December, 10:00".

    The day and month names are Django's own, so the pattern follows the page's language.
    """
    from django.utils import translation
    from django.utils.dates import MONTHS, WEEKDAYS

    with translation.override(lang):
        days = "|".join(re.escape(str(name)) for name in WEEKDAYS.values())
        months = "|".join(re.escape(str(name)) for name in MONTHS.values())
    return re.compile(rf"^({days}) \d{{1,2}} ({months}), \d{{2}}:\d{{2}}$")


def day_name(lang: str, day) -> str:
    """Return a day as the times grid names it in ``lang``: "dijous 10 desembre"."""
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override(lang):
        return date_format(day, "l j F")


@dataclass(frozen=True)
class Asked:
    """A question as a client reads it in one language: its text, and its answers by value."""

    code: str
    text: str
    labels: dict[str, str]
    # The reason a therapist reads when the question flags a booking, by the answer's value.
    reasons: dict[str, str]


def question(code: str, lang: str = "en") -> Asked:
    """Return a question of the current questionnaire as the page shows it in ``lang``.

    The texts are the studio's data, read from the database in that language (the
    questionnaire module is the English source only); the text is the fieldset's legend.
    """
    from django.utils import translation

    from intake.selectors import questionnaire_current

    with translation.override(lang):
        spec = questionnaire_current().questions.get(code=code).to_spec()
        return Asked(
            code=code,
            text=str(spec.text),
            labels={option.value: str(option.label) for option in spec.options},
            reasons={value: str(rule.reason) for rule in spec.rules for value in rule.when},
        )


def answer_questions(page, answers: dict[str, str], lang: str = "en") -> None:
    """Tick each answer's radio by its label, inside the fieldset named by the question."""
    for code, value in answers.items():
        asked = question(code, lang)
        group = page.get_by_role("group", name=asked.text, exact=True)
        group.get_by_label(asked.labels[value], exact=True).check()


def next_week(page, lang: str = "en") -> None:
    """In the month picker, choose the first day with free times a week or more from today.

    A week ahead, no time is near the minimum notice while the test runs, and a booking stays
    outside the cancellation window. htmx swaps the chosen day's times in place.
    """
    from django.utils import timezone

    from studio.timezones import studio_tz

    target = (timezone.localdate(timezone.now(), studio_tz()) + timedelta(days=7)).isoformat()
    expand = page.locator(".picker-expand")
    for _month in range(3):
        # static/js/picker.js has set the picker up (a phone's month folded to one week).
        expect(page.locator("[data-picker][data-ready]")).to_have_count(1)
        if expand.is_visible() and expand.get_attribute("aria-expanded") == "false":
            expand.click()
        keys = page.locator("a.picker-day").evaluate_all(
            "links => links.map((link) => link.dataset.focusKey.slice(4))"
        )
        later = sorted(day for day in keys if day >= target)
        if later:
            day = page.locator(f'a.picker-day[data-focus-key="day-{later[0]}"]')
            day.click()
            expect(
                page.locator(f'a.picker-day[data-focus-key="day-{later[0]}"]')
            ).to_have_attribute("aria-current", "date")
            return
        shown = page.locator("#picker-month").inner_text()
        page.get_by_role("link", name=t(lang, "Next month")).click()
        expect(page.locator("#picker-month")).not_to_have_text(shown)
    raise AssertionError(f"no free day from {target} in three months")


def slot_buttons(page):
    """Return the slot buttons of the times grid."""
    return page.locator(".slot-grid button")


def open_times(
    page, base_url: str, slug: str = "leg-massage", therapist: str = "", lang: str = "en"
):
    """Open a service's times page, optionally for one therapist (chosen as a client would)."""
    page.goto(f"{base_url}/{lang}/book/{slug}/")
    if therapist:
        with page.expect_response(lambda response: "therapist=" in response.url):
            page.get_by_label(t(lang, "Therapist")).select_option(therapist)
        # The day shown stays: if this therapist has no time left on it (late in the day,
        # or not their day), the client follows "Next day with free times".
        chosen = f'#slots input[name="therapist"][value="{therapist}"]'
        none_left = '#slots .alert [data-focus-key="next-available"]'
        expect(page.locator(f"{chosen}, {none_left}").first).to_be_attached()
        if page.locator(none_left).count():
            with page.expect_response(lambda response: "day=" in response.url):
                page.locator(none_left).click()
        # The grid swapped in place carries the therapist into the hold it posts.
        expect(page.locator('#slots input[name="therapist"]')).to_have_value(therapist)
    return slot_buttons(page)


def fill_details(
    page, *, name: str, email: str, phone: str = "+34 600 111 222", lang: str = "en"
) -> None:
    """Fill in the client's details and go on to the health questions."""
    page.get_by_label(t(lang, "Your name")).fill(name)
    page.get_by_label(t(lang, "Email")).fill(email)
    page.get_by_label(t(lang, "Phone")).fill(phone)
    page.get_by_role("button", name=t(lang, "Continue")).click()
    page.wait_for_url("**/health/")


# The stop page's advice (its msgid: the template's blocktranslate, trimmed).
STOP_ADVICE = (
    "Pain, swelling, redness or warmth in one leg, a blood clot that a doctor has not cleared, "
    "or an open wound or infection in the area can be signs of something that needs proper "
    "assessment, and massage could be harmful. Please seek medical attention promptly: contact "
    "your doctor or a health service today. This is not a situation to try and see."
)

CONSENT = "I consent to the studio keeping and using my health answers as described above."


def send_answers(page, answers: dict[str, str], *, consent: bool = True, lang: str = "en") -> None:
    """Answer the health questions, give consent and send them."""
    answer_questions(page, answers, lang)
    if consent:
        page.get_by_label(t(lang, CONSENT)).check()
    page.get_by_role("button", name=t(lang, "Send my answers")).click()
    page.wait_for_load_state()


def log_in(page, base_url: str, username: str, next_url: str = "", lang: str = "en") -> None:
    """Log a demo user in through the login page, and past the second step for staff."""
    from django.utils.text import capfirst

    from studio.demo import DEMO_PASSWORD

    page.goto(f"{base_url}/{lang}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    # Django's login form labels the field with the user model's "username", capitalised.
    page.get_by_label(capfirst(t(lang, "username"))).fill(username)
    page.get_by_label(t(lang, "Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=t(lang, "Log in")).click()
    page.wait_for_load_state()
    pass_second_factor(page, username, lang)
    if next_url:
        page.wait_for_url(f"{base_url}{next_url}*")


def totp_from_secret(secret: str, *, ahead: int = 0) -> str:
    """Return the code an authenticator app shows for a base32 secret (``ahead`` steps on)."""
    from base64 import b32decode

    from django_otp.oath import TOTP

    totp = TOTP(b32decode(secret))
    totp.time = totp.time + 30 * ahead
    return f"{totp.token():06d}"


def pass_second_factor(page, username: str, lang: str = "en") -> None:
    """Set up the authenticator (first sign-in) or enter its code, as the person would."""
    if f"/{lang}/accounts/mfa/setup/" in page.url:
        secret = page.locator("#totp-secret").get_attribute("data-secret")
        page.get_by_role("textbox", name=t(lang, "Code")).fill(totp_from_secret(secret))
        page.get_by_role("button", name=t(lang, "Confirm")).click()
        page.get_by_role("link", name=t(lang, "I have saved them, continue")).click()
        page.wait_for_load_state()
    elif f"/{lang}/accounts/mfa/verify/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tests.auth import totp_code

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_role("textbox", name=t(lang, "Code")).fill(totp_code(device))
        page.get_by_role("button", name=t(lang, "Continue")).click()
        page.wait_for_load_state()


@pytest.fixture
def shot_of(request):
    """Like ``shot``, for tests with several browser contexts: ``shot_of(page, name)``."""
    folder = OUTPUT / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(target, name: str):
        counter["n"] += 1
        target.screenshot(path=str(folder / f"{counter['n']:02d}-{name}.png"), full_page=True)

    return take


SERIOUS = ("serious", "critical")


def axe_serious(page) -> list[str]:
    """Run axe-core on the page; return its serious and critical violations, readably."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        targets = "; ".join(
            f"{', '.join(map(str, node['target']))}: {node.get('failureSummary', '')}"
            for node in violation["nodes"][:5]
        )
        found.append(f"{page.url}: {violation['id']} ({violation['impact']}) {targets}")
    return found


def book_directly(
    *,
    name: str,
    email: str,
    answers: dict[str, str],
    slug: str = "leg-massage",
    therapist: str = "ana",
    days_ahead: int = 7,
):
    """Book the first free time some days ahead through the services, as the web flow does."""
    from datetime import timedelta

    from django.utils import timezone

    from bookings import selectors, services
    from intake.services import intake_submit
    from studio.models import Service, Therapist
    from studio.timezones import studio_tz

    service = Service.objects.get(slug=slug)
    length = service.lengths.order_by("minutes").first()
    chosen = Therapist.objects.get(slug=therapist)
    first_day = timezone.localdate(timezone.now(), studio_tz()) + timedelta(days=days_ahead)
    free = selectors.availability(
        service=service, length=length, therapist=chosen, first_day=first_day, days=7
    )
    booking = services.hold_create(
        service=service, length=length, therapist=chosen, start_at=free.slots[0].start
    )
    booking = services.hold_attach_client(
        booking=booking, name=name, email=email, phone="+34 600 555 666"
    )
    intake_submit(booking=booking, answers=answers, consent_given=True)
    booking.refresh_from_db()
    return booking
