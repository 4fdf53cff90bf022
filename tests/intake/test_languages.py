"""The questionnaire in Catalan, Spanish and English: the same questions, values and outcomes.

Texts are data in every language (question, help text, answers, reasons, title, consent);
triage decides on answer values alone, so the same answers give the same level and the same
reasons, by question and level, whatever the language they were read in.
"""

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import BookingStatus
from intake import selectors
from intake.models import Questionnaire, Submission
from intake.triage import triage
from studio.translated import CONTENT_LANGUAGES, TRANSLATIONS, missing_languages
from tests.intake.conftest import book, clear_answers, staff_browser
from tests.intake.test_triage import SERVICES, answer_sets, booking_flags

LEG = "leg-massage"


def specs_in(language: str, kind: str = "booking"):
    """Return the current version's questions as a reader of ``language`` gets them."""
    with translation.override(language):
        return selectors.question_specs(selectors.questionnaire_current(kind=kind))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Questionnaire.Kind.BOOKING, Questionnaire.Kind.RESCREEN])
def test_the_versions_clients_answer_are_written_in_every_language(kind):
    questionnaire = selectors.questionnaire_current(kind=kind)

    assert selectors.untranslated(questionnaire) == []
    assert missing_languages(questionnaire, "title") == []
    assert missing_languages(selectors.consent_text_current(), "text") == []


@pytest.mark.django_db
def test_a_question_reads_in_each_language_with_the_same_values_and_rules():
    by_language = {language: specs_in(language) for language in CONTENT_LANGUAGES}
    side = {language: next(q for q in specs if q.code == "leg_symptoms_side")
            for language, specs in by_language.items()}  # fmt: skip

    assert side["en"].text == "In one leg or both?"
    assert side["ca"].text == "En una cama o en totes dues?"
    assert side["es"].text == "¿En una pierna o en las dos?"
    assert [c.label for c in side["ca"].choices] == ["Només en una cama", "En totes dues cames"]
    assert [c.label for c in side["es"].choices] == ["Solo en una pierna", "En las dos piernas"]
    for language in TRANSLATIONS:
        ours, english = by_language[language], by_language["en"]
        assert [(q.code, q.kind, q.option_values, q.show_if, q.services) for q in ours] == [
            (q.code, q.kind, q.option_values, q.show_if, q.services) for q in english
        ]
        assert [[(r.when, r.level) for r in q.rules] for q in ours] == [
            [(r.when, r.level) for r in q.rules] for q in english
        ]
        # Every text a client or therapist reads is in the language, not English left over.
        assert all(q.text != e.text for q, e in zip(ours, english, strict=True))


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), flags=booking_flags)
def test_the_same_answers_give_the_same_level_and_reasons_in_every_language(data, flags):
    service = data.draw(st.sampled_from(SERVICES))
    answers = data.draw(answer_sets(service, partial=True))
    results = {
        language: triage(specs_in(language), answers, service_slug=service, **flags)
        for language in CONTENT_LANGUAGES
    }

    english = results["en"]
    for language in TRANSLATIONS:
        assert results[language].level is english.level
        assert [(r.question, r.level) for r in results[language].reasons] == [
            (r.question, r.level) for r in english.reasons
        ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATIONS)
def test_a_one_leg_stop_stops_the_booking_with_the_advice_in_the_clients_language(
    visitor, language
):
    advice = {
        "ca": "busca atenció mèdica com més aviat millor",
        "es": "busca atención médica cuanto antes",
    }[language]
    with translation.override(language):
        booking, response = book(
            visitor, answers=clear_answers(LEG, leg_symptoms="yes", leg_symptoms_side="one")
        )
        page = visitor.get(response.url) if response.status_code == 302 else response

    booking.refresh_from_db()
    assert booking.status not in (BookingStatus.CONFIRMED, BookingStatus.AWAITING_REVIEW)
    html = page.content.decode()
    assert f'<html lang="{language}">' in html
    assert advice in html.lower()


@pytest.mark.django_db
def test_a_spanish_speaking_therapist_reads_a_catalan_clients_reasons_in_spanish(visitor):
    with translation.override("ca"):
        booking, _response = book(
            visitor,
            answers=clear_answers(LEG, pregnant="yes", pregnancy_complications="no"),
            therapist="ana",
        )
    assert booking.status == BookingStatus.AWAITING_REVIEW
    (reason,) = Submission.objects.get(booking=booking).reasons
    assert reason["text"] == "Embaràs."  # stored as the client read it
    ana = staff_browser("ana")

    with translation.override("es"):
        queue = ana.get("/es/therapist/reviews/")
        detail = ana.get(f"/es/therapist/reviews/{booking.public_id}/")

    for response in (queue, detail):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Embarazo." in html
        assert "Embaràs." not in html
    assert "Revisión" in detail.content.decode()  # the level, in Spanish too
