"""The questionnaire as a Django form: fields from the questions, triage's rules for answers."""

import pytest

from intake.forms import FIELD_PREFIX, IntakeForm
from intake.triage import Choice, QuestionSpec

OPTIONAL = (
    QuestionSpec(
        "how_heard",
        "about_you",
        "How did you hear of us?",
        "choice",
        choices=(Choice("friend", "A friend"), Choice("web", "The web")),
        required=False,
    ),
    QuestionSpec(
        "interests",
        "about_you",
        "What would you like to feel afterwards?",
        "multi",
        choices=(Choice("rested", "Rested"), Choice("light", "Lighter legs")),
        required=False,
    ),
    QuestionSpec("note", "about_you", "Anything else?", "text", required=False),
)
REQUIRED = QuestionSpec("first_visit", "about_you", "Is this your first visit?", "yes_no")


def form(specs, **answers) -> IntakeForm:
    data = {"version": "1"} | {FIELD_PREFIX + code: value for code, value in answers.items()}
    return IntakeForm(
        data, specs=list(specs), service_slug="leg-massage", version=1, ask_consent=False
    )


def test_optional_choice_questions_left_unanswered_are_a_valid_form_with_no_answers():
    """Accept the form with optional choice, multiple choice and text questions untouched."""
    unanswered = form(OPTIONAL)
    assert unanswered.is_valid(), unanswered.errors
    assert unanswered.answers() == {}


def test_a_blank_note_is_not_kept_as_an_answer():
    """Drop a note of spaces, as if the client had written nothing, and trim a real one."""
    blank = form(OPTIONAL, note="   ")
    assert blank.is_valid(), blank.errors
    assert blank.answers() == {}
    written = form(OPTIONAL, note="  Tender left calf.  ", how_heard="web")
    assert written.is_valid(), written.errors
    assert written.answers() == {"note": "Tender left calf.", "how_heard": "web"}


@pytest.mark.parametrize("given", [None, ""], ids=["left out", "blank"])
def test_a_required_question_left_unanswered_gets_triages_message(given):
    """Ask for the answer to a required question in triage's words, on that question."""
    answers = {} if given is None else {"first_visit": given}
    unanswered = form((*OPTIONAL, REQUIRED), **answers)
    assert not unanswered.is_valid()
    assert unanswered.errors == {FIELD_PREFIX + "first_visit": ["Please answer this question."]}
