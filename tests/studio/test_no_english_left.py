"""Every main page in Catalan and Spanish, with no English left in what a person reads.

The English to look for is everything Calma could show in English: each message of the
catalogs (the msgids, cut at their placeholders) and each text the studio keeps as data
(services, therapists, the studio, the questionnaire). A page passes when none of it appears
in its visible text, its labels and its titles. Names (people, rooms, the studio) are names.
"""

import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import translation

from bookings.models import BookingStatus
from intake.models import Question, Questionnaire
from studio.models import Service, Studio, Therapist
from studio.translated import columns, translated_names
from tests.intake.conftest import book, clear_answers, give_details, hold, staff_browser

pytestmark = pytest.mark.django_db

LANGUAGES = ("ca", "es")
CATALOGS = Path(settings.BASE_DIR) / "locale"
# Words that read the same in English and in Catalan or Spanish, or that are names.
SAME_IN_EVERY_LANGUAGE = {"Calma", "Olive room", "Garden room", "min", "€", "OK"}

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>")
_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>", re.S | re.I)
_READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")


def _fragments(text: str) -> set[str]:
    """Return the runs of two or more words of ``text`` between placeholders and markup."""
    runs = set()
    for part in _PLACEHOLDER.split(text):
        for line in part.splitlines():
            line = " ".join(line.split()).strip(" .,:;·—–-()“”\"'!?")
            if len(line.split()) >= 2:
                runs.add(line)
    return runs


def _english(language: str) -> set[str]:
    """Return every English text Calma could show where ``language`` was asked for."""
    found: set[str] = set()
    catalog = polib.pofile(str(CATALOGS / language / "LC_MESSAGES" / "django.po"))
    for entry in catalog:
        if entry.msgstr and entry.msgstr != entry.msgid:
            found |= _fragments(entry.msgid) - _fragments(entry.msgstr)
    for model in (Service, Therapist, Studio, Questionnaire, Question):
        for obj in model.objects.all():
            for name in translated_names(model):
                english, *_others = columns(name)
                theirs = getattr(obj, f"{name}_{language}")
                if theirs and theirs != getattr(obj, english):
                    found |= _fragments(getattr(obj, english)) - _fragments(theirs)
    for question in Question.objects.all():
        for entry, key in [(c, "label") for c in question.choices] + [
            (r, "reason") for r in question.rules
        ]:
            if entry.get(f"{key}_{language}") and entry[f"{key}_{language}"] != entry[key]:
                found |= _fragments(entry[key])
    return {text for text in found if text not in SAME_IN_EVERY_LANGUAGE}


def _read(page: str) -> str:
    """Return what a person reads on a page: its text, labels and titles, as one line."""
    page = _HIDDEN.sub(" ", page)
    labels = " ".join(_READ_ATTRIBUTES.findall(page))
    return " ".join(html.unescape(_TAG.sub(" ", page) + " " + labels).split())


def _page(browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _english_on(page: str, english: set[str]) -> list[str]:
    text = _read(page)
    return sorted(
        fragment for fragment in english if re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_is_left_on_the_clients_pages(client, demo_studio, language):
    english = _english(language)
    assert len(english) > 500  # the catalogs and the studio's texts were read

    with translation.override(language):
        pages = {
            name: _page(client, f"/{language}{url}")
            for name, url in {
                "home": "/",
                "services": "/services/",
                "therapists": "/therapists/",
                "book": "/book/",
                "times": "/book/leg-massage/",
                **{
                    f"service {slug}": f"/services/{slug}/"
                    for slug in Service.objects.values_list("slug", flat=True)
                },
            }.items()
        }
        held = hold(client, "leg-massage")
        pages["details"] = _page(client, f"/{language}/book/hold/{held.public_id}/")
        give_details(client, held)
        pages["health questions"] = _page(client, f"/{language}/book/hold/{held.public_id}/health/")
        booking, response = book(client, "foot-massage", clear_answers("foot-massage"))
        pages["answered"] = _page(client, response.url)
        pages["manage"] = _page(client, f"/{language}/b/{booking.manage_token}/")

    left = {name: _english_on(page, english) for name, page in pages.items()}
    assert {name: found for name, found in left.items() if found} == {}
    assert all(f'<html lang="{language}">' in page for page in pages.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_is_left_on_the_therapists_and_front_desks_pages(demo_studio, language):
    english = _english(language)
    with translation.override(language):
        visitor = Browser()
        booking, _response = book(
            visitor,
            answers=clear_answers("leg-massage", pregnant="yes", pregnancy_complications="no"),
            therapist="ana",
        )
        assert booking.status == BookingStatus.AWAITING_REVIEW
        ana, desk = staff_browser("ana"), staff_browser("frontdesk")
        day = booking.start_at.date().isoformat()
        pages = {
            "my day": _page(ana, f"/{language}/me/day/?date={day}"),
            "my week": _page(ana, f"/{language}/me/week/"),
            "review queue": _page(ana, f"/{language}/therapist/reviews/"),
            "review": _page(ana, f"/{language}/therapist/reviews/{booking.public_id}/"),
            "answers": _page(ana, f"/{language}/therapist/reviews/{booking.public_id}/answers/"),
            "calendar": _page(desk, f"/{language}/staff/calendar/?date={day}"),
            "booking card": _page(desk, f"/{language}/staff/bookings/{booking.public_id}/"),
            "clients": _page(desk, f"/{language}/staff/clients/?q=Marta"),
            "phone booking": _page(desk, f"/{language}/staff/bookings/new/"),
        }

        # Single words are not looked for above: the screening level is checked by name.
        review = f"<strong>{translation.gettext('Review')}</strong>"
    left = {name: _english_on(page, english) for name, page in pages.items()}
    assert {name: found for name, found in left.items() if found} == {}
    assert review in pages["booking card"]
    assert review in pages["my day"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_check_finds_the_english_of_the_english_pages(client, demo_studio, language):
    """The same pages in English are full of what the check looks for: it can fail."""
    english = _english(language)
    for url in ("/en/services/", "/en/services/leg-massage/", "/en/book/leg-massage/"):
        found = _english_on(_page(client, url), english)
        assert len(found) >= 5, (url, found)
    assert "Leg massage" in _english_on(_page(client, "/en/book/"), english)
