"""The owner runs the studio from Calma: today's figures, a report and its CSV, a booked
length withdrawn, a therapist's hours changed and a questionnaire version published after a
preview, in a real browser."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bookings.models import Booking
from intake.models import Questionnaire
from intake.selectors import questionnaire_current
from studio.models import ServiceLength, Therapist
from tests.bookings.staff.conftest import Demo, at, next_monday
from tests.browser.conftest import axe_serious, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_owner_runs_the_studio_from_calma(page, live_demo, shot):
    monday = next_monday()
    booked = Demo().book(at(monday, 10), minutes=30, client__name="Núria Pons")
    base = live_demo.url
    # Colours are checked at rest: no button half-way through its hover transition.
    page.emulate_media(reduced_motion="reduce")
    log_in(page, base, "owner", "/en/studio/")
    expect(page.get_by_role("heading", name="The studio today")).to_be_visible()
    shot("studio-home")

    # A report: the chart, its words, its table, and the same table as CSV.
    page.get_by_role("link", name="Bookings, cancellations and no-shows").click()
    page.get_by_label("From").fill(monday.isoformat())
    page.get_by_label("Until").fill(monday.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("img", name=re.compile("Bookings, cancellations"))).to_be_visible()
    expect(page.locator("table.report-table tbody tr")).to_have_count(1)
    shot("report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    page.mouse.move(0, 0)
    assert rows == [
        ["Massage", "Bookings", "Cancelled early", "Cancelled late", "No-shows"],
        ["Leg massage", "1", "0", "0", "0"],
    ]
    assert axe_serious(page) == []

    # Withdraw the booked 30 minutes: no longer offered, the booking keeps it.
    page.goto(f"{base}/en/studio/")
    page.get_by_role("link", name="Catalogue: massages, lengths and prices").click()
    page.get_by_role("button", name="Withdraw Leg massage, 30 minutes").click()
    expect(
        page.get_by_text("The 30-minute length is withdrawn: nobody can book it now.")
    ).to_be_visible()
    shot("length-withdrawn")
    length = ServiceLength.objects.get(service__slug="leg-massage", minutes=30)
    assert not length.is_active
    page.goto(f"{base}/en/book/leg-massage/")
    options = page.get_by_label("Length").locator("option").all_inner_texts()
    assert options and not any(option.startswith("30 minutes") for option in options)
    page.goto(f"{base}/en/staff/bookings/{booked.public_id}/")
    expect(page.get_by_text("Leg massage, 30 min").first).to_be_visible()

    # Ana's Mondays move to the afternoon.
    page.goto(f"{base}/en/studio/team/")
    page.get_by_role("link", name="Edit Ana Ruiz").click()
    line = page.get_by_role("group", name="Hours, line 1")
    expect(line.get_by_label("Day")).to_have_value("0")
    line.get_by_label("From").fill("15:00")
    line.get_by_label("Until").fill("19:00")
    shot("hours")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Ana Ruiz's services and hours are saved.", exact=False)
    ).to_be_visible()
    assert axe_serious(page) == []
    ana = Therapist.objects.get(slug="ana")
    assert ana.hours.filter(weekday=0).values_list("starts", "ends").get() == (
        at(monday, 15).time(),
        at(monday, 19).time(),
    )
    assert Booking.objects.get(pk=booked.pk).length == length

    # A new version of the health questions: copied, previewed as a client sees it, published.
    page.goto(f"{base}/en/studio/")
    page.get_by_role(
        "link", name="Health questions: edit, preview and publish a new version"
    ).click()
    page.get_by_role("button", name=re.compile(r"^Copy as a draft Health questions")).first.click()
    expect(page.get_by_role("heading", name="Preview, as a client sees it")).to_be_visible()
    expect(page.locator("fieldset.preview legend", has_text="pregnant")).to_have_count(1)
    draft = Questionnaire.objects.get(published_at__isnull=True)
    # One question's help text, rewritten in each language outside the admin.
    page.get_by_role("link", name="Edit pregnant").click()
    expect(page.get_by_role("heading", name="Edit the question")).to_be_visible()
    assert axe_serious(page) == []
    shot("question-edit")
    page.get_by_label("Help text (English)").fill("Including the first weeks.")
    page.get_by_label("Help text (Català)").fill("També les primeres setmanes.")
    page.get_by_label("Help text (Español)").fill("También las primeras semanas.")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_text("Question “pregnant” is saved.")).to_be_visible()
    expect(page.get_by_text("Changed: pregnant (help text)")).to_be_visible()
    expect(page.locator("fieldset.preview")).to_contain_text("Including the first weeks.")
    assert draft.questions.get(code="pregnant").help_text_ca == "També les primeres setmanes."
    assert axe_serious(page) == []
    shot("questionnaire-preview")
    page.get_by_label("I have previewed this version and read what it changes.").check()
    page.get_by_role("button", name=f"Publish version {draft.version}").click()
    expect(page.get_by_text(f"Version {draft.version} is published")).to_be_visible()
    assert questionnaire_current(draft.kind) == draft
