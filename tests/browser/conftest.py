"""Real-browser tests: pytest-playwright driving the system Chromium against live_server."""

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


def question(code: str):
    """Return the questionnaire's spec for a question code (its text is the fieldset legend)."""
    from intake.questionnaire_v1 import QUESTIONS

    return next(spec for spec in QUESTIONS if spec.code == code)


def answer_questions(page, answers: dict[str, str]) -> None:
    """Tick each answer's radio by its label, inside the fieldset named by the question."""
    for code, value in answers.items():
        spec = question(code)
        label = next(str(option.label) for option in spec.options if option.value == value)
        group = page.get_by_role("group", name=str(spec.text), exact=True)
        group.get_by_label(label, exact=True).check()


def next_week(page) -> None:
    """Show the next week of times (htmx swaps the grid in place)."""
    page.get_by_role("link", name="Next week").click()
    expect(page.get_by_role("link", name="Previous week")).to_be_visible()


def slot_buttons(page):
    """Return the slot buttons of the times grid."""
    return page.locator(".slot-grid button")


def open_times(page, base_url: str, slug: str = "leg-massage", therapist: str = ""):
    """Open a service's times page, optionally for one therapist (chosen as a client would)."""
    page.goto(f"{base_url}/book/{slug}/")
    if therapist:
        with page.expect_response(lambda response: "therapist=" in response.url):
            page.get_by_label("Therapist").select_option(therapist)
        # The grid swapped in place carries the therapist into the hold it posts.
        expect(page.locator('#slots input[name="therapist"]')).to_have_value(therapist)
    return slot_buttons(page)


def fill_details(page, *, name: str, email: str, phone: str = "+34 600 111 222") -> None:
    """Fill in the client's details and go on to the health questions."""
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone").fill(phone)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/health/")


def send_answers(page, answers: dict[str, str], *, consent: bool = True) -> None:
    """Answer the health questions, give consent and send them."""
    answer_questions(page, answers)
    if consent:
        page.get_by_label("I consent to the studio").check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()


def log_in(page, base_url: str, username: str, next_url: str = "") -> None:
    """Log a demo user in through the login page, and past the second step for staff."""
    from studio.demo import DEMO_PASSWORD

    page.goto(f"{base_url}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    pass_second_factor(page, username)
    if next_url:
        page.wait_for_url(f"{base_url}{next_url}*")


def totp_from_secret(secret: str, *, ahead: int = 0) -> str:
    """Return the code an authenticator app shows for a base32 secret (``ahead`` steps on)."""
    from base64 import b32decode

    from django_otp.oath import TOTP

    totp = TOTP(b32decode(secret))
    totp.time = totp.time + 30 * ahead
    return f"{totp.token():06d}"


def pass_second_factor(page, username: str) -> None:
    """Set up the authenticator (first sign-in) or enter its code, as the person would."""
    if "/en/accounts/mfa/setup/" in page.url:
        secret = page.locator("#totp-secret").get_attribute("data-secret")
        page.get_by_role("textbox", name="Code").fill(totp_from_secret(secret))
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="I have saved them, continue").click()
        page.wait_for_load_state()
    elif "/en/accounts/mfa/verify/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tests.auth import totp_code

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_role("textbox", name="Code").fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()
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
