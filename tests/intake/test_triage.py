"""The triage rules and the first questionnaire, without a database.

Each rule's test quotes the passage of the domain texts (or of the design) it comes from:
"guide" is the leg-massage guide, "studio page" the studio's leg-massage page.
"""

import operator
import re
from dataclasses import replace

import pytest
from django.utils.functional import Promise
from hypothesis import assume, given
from hypothesis import strategies as st

from intake.questionnaire_v1 import CONSENT_TEXT_V1, QUESTIONS, SECTIONS
from intake.triage import (
    AFTER_STOP_REASON_CODE,
    ASSESSMENT_REASON_CODE,
    NON_QUESTION_ERRORS,
    TEXT_MAX_LENGTH,
    Choice,
    Condition,
    Level,
    QuestionSpec,
    Reason,
    Rule,
    TriageResult,
    question_fields,
    triage,
    validate_answers,
    visible_questions,
)

SERVICES = (
    "leg-massage",
    "foot-massage",
    "sports-massage",
    "lymphatic-drainage",
    "leg-and-foot-massage",
)
FOOT_SERVICES = ("foot-massage", "leg-and-foot-massage")
BY_CODE = {question.code: question for question in QUESTIONS}
ONE_LEG = {"leg_symptoms": "yes", "leg_symptoms_side": "one"}


def visible_codes(answers, service):
    return [q.code for q in visible_questions(QUESTIONS, answers, service_slug=service)]


def clear_answers(service):
    """Return a complete, valid answer set for `service` that fires no rule."""
    answers = {}
    for question in QUESTIONS:
        if question.code not in visible_codes(answers, service) or question.kind == "text":
            continue
        # "No" first, so that no follow-up is opened.
        values = sorted((o.value for o in question.options), key=lambda value: value != "no")
        answers[question.code] = next(
            value for value in values if not any(value in rule.when for rule in question.rules)
        )
    return answers


def screen(service, **changes):
    """Return the triage of the clear answers with `changes`, checking they are valid."""
    answers = clear_answers(service) | changes
    assert validate_answers(QUESTIONS, answers, service_slug=service) == {}
    return triage(QUESTIONS, answers, service_slug=service)


def flagged(result):
    return [(reason.question, reason.level) for reason in result.reasons]


# The stop rules


@pytest.mark.parametrize("service", SERVICES)
def test_a_single_swollen_leg_stops_the_booking(service):
    """Studio page: "If you notice pain, swelling, redness or a sensation of warmth in a single
    leg, do not go ahead with a massage — seek medical attention promptly instead."
    """
    result = screen(service, **ONE_LEG)
    assert result.level is Level.STOP
    assert flagged(result) == [("leg_symptoms_side", Level.STOP)]
    assert "one leg only" in str(result.reasons[0].text)


@pytest.mark.parametrize("service", SERVICES)
def test_swelling_in_both_legs_goes_to_review_not_stop(service):
    """Design: "Swelling in both legs is not the single-leg stop sign: it goes to review."
    Guide, on swollen legs: "Yes, gently. Use lymphatic strokes toward lymph nodes."
    """
    result = screen(service, leg_symptoms="yes", leg_symptoms_side="both")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("leg_symptoms_side", Level.REVIEW)]
    assert "both legs" in str(result.reasons[0].text)


def test_a_current_or_suspected_blood_clot_stops_the_booking():
    """Guide: "Suspected deep vein thrombosis (DVT) or history of clots — avoid massage until
    cleared".
    """
    result = screen("leg-massage", blood_clot="now")
    assert result.level is Level.STOP
    assert flagged(result) == [("blood_clot", Level.STOP)]


def test_a_past_blood_clot_not_cleared_by_a_doctor_stops_the_booking():
    """Guide: "Suspected deep vein thrombosis (DVT) or history of clots — avoid massage until
    cleared".
    """
    result = screen("leg-massage", blood_clot="past_not_cleared")
    assert result.level is Level.STOP
    assert flagged(result) == [("blood_clot", Level.STOP)]
    assert "not cleared" in str(result.reasons[0].text)


def test_a_past_blood_clot_cleared_by_a_doctor_goes_to_review():
    """Guide: "history of clots — avoid massage until cleared"; once cleared, a therapist
    still reads it first.
    """
    result = screen("leg-massage", blood_clot="past_cleared")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("blood_clot", Level.REVIEW)]


@pytest.mark.parametrize(
    "service", ["leg-massage", "sports-massage", "lymphatic-drainage", "leg-and-foot-massage"]
)
def test_an_open_wound_or_infection_on_the_legs_stops_the_booking(service):
    """Guide, under "Precautions & When to Avoid": "Open wounds, infections, skin lesions"."""
    result = screen(service, skin_wound="yes")
    assert result.level is Level.STOP
    assert flagged(result) == [("skin_wound", Level.STOP)]


@pytest.mark.parametrize("service", FOOT_SERVICES)
@pytest.mark.parametrize("kind", ["wound", "infection"])
def test_a_wound_or_infection_on_the_feet_stops_a_foot_massage(service, kind):
    """Guide, under "Precautions & When to Avoid": "Open wounds, infections, skin lesions"."""
    result = screen(service, foot_skin="yes", foot_skin_kind=[kind])
    assert result.level is Level.STOP
    assert flagged(result) == [("foot_skin_kind", Level.STOP)]


# The review rules


@pytest.mark.parametrize("service", FOOT_SERVICES)
@pytest.mark.parametrize("kind", ["fungal", "other"])
def test_a_fungal_or_other_skin_problem_on_the_feet_goes_to_review(service, kind):
    """Studio page: "skin problems in the area"."""
    result = screen(service, foot_skin="yes", foot_skin_kind=[kind])
    assert result.level is Level.REVIEW
    assert flagged(result) == [("foot_skin_kind", Level.REVIEW)]


def test_a_wound_beside_a_fungal_infection_on_the_feet_still_stops():
    """Guide: "Open wounds, infections, skin lesions"; the most serious answer wins."""
    result = screen("foot-massage", foot_skin="yes", foot_skin_kind=["fungal", "wound"])
    assert result.level is Level.STOP
    assert flagged(result) == [("foot_skin_kind", Level.STOP), ("foot_skin_kind", Level.REVIEW)]


def test_skin_problems_on_the_legs_go_to_review():
    """Studio page: "skin problems in the area"."""
    result = screen("leg-massage", skin_problems="yes")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("skin_problems", Level.REVIEW)]


def test_pregnancy_goes_to_review():
    """Studio page: "during pregnancy (especially if complications are present)"."""
    result = screen("leg-massage", pregnant="yes", pregnancy_complications="no")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("pregnant", Level.REVIEW)]


def test_pregnancy_with_complications_goes_to_review_and_says_so():
    """Studio page: "during pregnancy (especially if complications are present)"."""
    result = screen("leg-massage", pregnant="yes", pregnancy_complications="yes")
    assert result.level is Level.REVIEW
    assert flagged(result) == [
        ("pregnant", Level.REVIEW),
        ("pregnancy_complications", Level.REVIEW),
    ]
    assert "complications" in str(result.reasons[1].text)


def test_pronounced_varicose_veins_go_to_review():
    """Studio page: "if you have pronounced varicose veins"; guide: "Severe varicose veins"."""
    result = screen("leg-massage", varicose_veins="pronounced")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("varicose_veins", Level.REVIEW)]


def test_a_few_small_varicose_veins_stay_clear():
    """Studio page: "if you have pronounced varicose veins" — only pronounced ones flag."""
    assert screen("leg-massage", varicose_veins="mild") == TriageResult(Level.CLEAR, ())


def test_an_ongoing_circulatory_condition_goes_to_review():
    """Studio page: "any ongoing circulatory or medical diagnosis"; guide: "uncontrolled
    vascular disease".
    """
    result = screen("leg-massage", circulatory_condition="yes")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("circulatory_condition", Level.REVIEW)]


def test_an_ongoing_medical_diagnosis_goes_to_review():
    """Studio page: "any ongoing circulatory or medical diagnosis"."""
    result = screen("foot-massage", medical_condition="yes")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("medical_condition", Level.REVIEW)]


@pytest.mark.parametrize("service", SERVICES)
def test_a_recent_injury_fracture_surgery_or_implant_goes_to_review(service):
    """Guide: "Recent fractures, implants, surgeries in leg region"; studio page: "a recent
    injury".
    """
    result = screen(service, injury_or_surgery="yes")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("injury_or_surgery", Level.REVIEW)]


def test_a_recent_sports_injury_sends_a_sports_massage_to_review():
    """Studio page: "This is the moment to mention any recent injury, discomfort or health
    condition."
    """
    result = screen("sports-massage", sports_recent_injury="yes")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("sports_recent_injury", Level.REVIEW)]


def test_intense_pain_goes_to_review():
    """Studio page: "a recent injury, intense pain, skin problems in the area"."""
    result = screen("leg-massage", intense_pain="yes")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("intense_pain", Level.REVIEW)]


@pytest.mark.parametrize("service", SERVICES)
def test_diabetes_or_neuropathy_with_numb_areas_goes_to_review(service):
    """Guide: "Peripheral neuropathy (diabetes) with numb areas — massage with care"."""
    result = screen(service, diabetes_or_neuropathy="yes", numb_areas="yes")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("numb_areas", Level.REVIEW)]


def test_diabetes_without_numb_areas_adds_no_flag_of_its_own():
    """Guide: "Peripheral neuropathy (diabetes) with numb areas" — the numb areas flag it."""
    result = screen("foot-massage", diabetes_or_neuropathy="yes", numb_areas="no")
    assert result == TriageResult(Level.CLEAR, ())


def test_lymphatic_drainage_without_a_professional_assessment_goes_to_review():
    """Studio page: lymphatic drainage "in many cases requires prior assessment by a health
    professional".
    """
    result = screen("lymphatic-drainage", lymphatic_assessed="no")
    assert result.level is Level.REVIEW
    assert flagged(result) == [("lymphatic_assessed", Level.REVIEW)]


# The service and the booking attempt


@pytest.mark.parametrize("service", SERVICES)
def test_a_clear_questionnaire_is_clear_with_no_reasons(service):
    """Design: "clear — none of the above — confirmed at once"."""
    assert screen(service) == TriageResult(Level.CLEAR, ())


def test_lymphatic_drainage_is_reviewed_until_the_therapist_approves():
    """Studio page: lymphatic drainage "has significant contraindications, and in many cases
    requires prior assessment by a health professional".
    """
    answers = clear_answers("lymphatic-drainage")
    pending = triage(
        QUESTIONS, answers, service_slug="lymphatic-drainage", service_requires_assessment=True
    )
    approved = triage(
        QUESTIONS,
        answers,
        service_slug="lymphatic-drainage",
        service_requires_assessment=True,
        assessment_approved=True,
    )
    assert pending.level is Level.REVIEW
    assert flagged(pending) == [(ASSESSMENT_REASON_CODE, Level.REVIEW)]
    assert str(pending.reasons[0].text) == (
        "This service needs a therapist's assessment before the first session."
    )
    assert approved == TriageResult(Level.CLEAR, ())


def test_an_approved_assessment_does_not_hide_other_flags():
    """Guide: "Suspected deep vein thrombosis (DVT) […] — avoid massage until cleared"."""
    answers = clear_answers("lymphatic-drainage") | {"blood_clot": "now"}
    result = triage(
        QUESTIONS,
        answers,
        service_slug="lymphatic-drainage",
        service_requires_assessment=True,
        assessment_approved=True,
    )
    assert flagged(result) == [("blood_clot", Level.STOP)]


def test_answers_changed_after_a_stop_go_to_review_instead_of_clear():
    """A client who met a stop and then changed their answers is seen by a therapist first."""
    result = triage(
        QUESTIONS, clear_answers("leg-massage"), service_slug="leg-massage", after_stop=True
    )
    assert result.level is Level.REVIEW
    assert flagged(result) == [(AFTER_STOP_REASON_CODE, Level.REVIEW)]
    assert str(result.reasons[0].text) == "Answers were changed after a screening stop."


def test_answers_changed_after_a_stop_still_stop_on_a_stop_answer():
    """Studio page: "When those symptoms are present, the right first step is always a health
    professional."
    """
    answers = clear_answers("leg-massage") | ONE_LEG
    result = triage(QUESTIONS, answers, service_slug="leg-massage", after_stop=True)
    assert result.level is Level.STOP
    assert flagged(result) == [("leg_symptoms_side", Level.STOP)]


def test_answers_changed_after_a_stop_are_named_beside_other_review_reasons():
    answers = clear_answers("leg-massage") | {"pregnant": "yes", "pregnancy_complications": "no"}
    result = triage(QUESTIONS, answers, service_slug="leg-massage", after_stop=True)
    assert result.level is Level.REVIEW
    assert flagged(result) == [("pregnant", Level.REVIEW), (AFTER_STOP_REASON_CODE, Level.REVIEW)]


def test_stop_reasons_come_first_then_review_in_questionnaire_order():
    answers = clear_answers("leg-and-foot-massage") | {
        "leg_symptoms": "yes",
        "leg_symptoms_side": "both",
        "intense_pain": "yes",
        "foot_skin": "yes",
        "foot_skin_kind": ["other"],
        "blood_clot": "now",
        "skin_wound": "yes",
    }
    result = triage(
        QUESTIONS,
        answers,
        service_slug="leg-and-foot-massage",
        service_requires_assessment=True,
    )
    assert result.level is Level.STOP
    assert flagged(result) == [
        ("blood_clot", Level.STOP),
        ("skin_wound", Level.STOP),
        ("leg_symptoms_side", Level.REVIEW),
        ("foot_skin_kind", Level.REVIEW),
        ("intense_pain", Level.REVIEW),
        (ASSESSMENT_REASON_CODE, Level.REVIEW),
    ]


# Hidden follow-ups


def test_a_hidden_follow_up_is_ignored_by_triage_and_by_validation():
    answers = clear_answers("leg-massage") | {"leg_symptoms": "no", "leg_symptoms_side": "one"}
    assert "leg_symptoms_side" not in visible_codes(answers, "leg-massage")
    assert validate_answers(QUESTIONS, answers, service_slug="leg-massage") == {}
    assert triage(QUESTIONS, answers, service_slug="leg-massage") == TriageResult(Level.CLEAR, ())


def test_an_invalid_answer_to_a_hidden_follow_up_is_not_an_error():
    answers = clear_answers("leg-massage") | {"pregnant": "no", "pregnancy_complications": "?"}
    assert validate_answers(QUESTIONS, answers, service_slug="leg-massage") == {}


def test_the_follow_up_of_a_hidden_question_is_hidden_too():
    questions = (
        QuestionSpec("a", "health", "A?", "yes_no"),
        QuestionSpec("b", "health", "B?", "yes_no", show_if=Condition("a", ("yes",))),
        QuestionSpec(
            "c",
            "health",
            "C?",
            "yes_no",
            show_if=Condition("b", ("yes",)),
            rules=(Rule(("yes",), Level.STOP, "C."),),
        ),
    )
    answers = {"a": "no", "b": "yes", "c": "yes"}
    assert visible_questions(questions, answers, service_slug="leg-massage") == [questions[0]]
    assert triage(questions, answers, service_slug="leg-massage").level is Level.CLEAR
    chained = {"a": "yes", "b": "yes", "c": "yes"}
    assert triage(questions, chained, service_slug="leg-massage").level is Level.STOP


def test_a_follow_up_is_shown_when_its_question_gets_the_answer_it_waits_for():
    assert "numb_areas" not in visible_codes({"diabetes_or_neuropathy": "no"}, "foot-massage")
    assert "numb_areas" in visible_codes({"diabetes_or_neuropathy": "yes"}, "foot-massage")


def test_questions_of_other_services_are_not_shown():
    leg = visible_codes({}, "leg-massage")
    foot = visible_codes({}, "foot-massage")
    assert "lymphatic_assessed" in visible_codes({}, "lymphatic-drainage")
    assert "sports_recent_injury" in visible_codes({}, "sports-massage")
    assert "lymphatic_assessed" not in leg and "sports_recent_injury" not in leg
    assert "foot_skin" in foot and "foot_skin" not in leg
    assert "skin_wound" in leg and "skin_wound" not in foot


# Validation


def test_a_clear_answer_set_without_the_optional_note_is_valid():
    for service in SERVICES:
        assert validate_answers(QUESTIONS, clear_answers(service), service_slug=service) == {}


def test_a_missing_required_answer_is_an_error():
    answers = clear_answers("leg-massage")
    del answers["blood_clot"]
    errors = validate_answers(QUESTIONS, answers, service_slug="leg-massage")
    assert set(errors) == {"blood_clot"}
    assert errors["blood_clot"] == "Please answer this question."


def test_a_blank_answer_counts_as_missing():
    answers = clear_answers("leg-massage") | {"pregnant": "  "}
    assert set(validate_answers(QUESTIONS, answers, service_slug="leg-massage")) == {"pregnant"}


def test_a_shown_follow_up_needs_an_answer():
    answers = clear_answers("leg-massage") | {"leg_symptoms": "yes"}
    errors = validate_answers(QUESTIONS, answers, service_slug="leg-massage")
    assert set(errors) == {"leg_symptoms_side"}


def test_a_multiple_choice_follow_up_needs_at_least_one_answer():
    answers = clear_answers("foot-massage") | {"foot_skin": "yes", "foot_skin_kind": []}
    errors = validate_answers(QUESTIONS, answers, service_slug="foot-massage")
    assert errors == {"foot_skin_kind": "Please choose at least one answer."}


def test_an_unknown_question_code_is_an_error():
    answers = clear_answers("leg-massage") | {"favourite_colour": "blue"}
    errors = validate_answers(QUESTIONS, answers, service_slug="leg-massage")
    assert set(errors) == {NON_QUESTION_ERRORS}


def test_an_answer_to_a_question_of_another_service_is_an_error():
    answers = clear_answers("leg-massage") | {"lymphatic_assessed": "yes"}
    errors = validate_answers(QUESTIONS, answers, service_slug="leg-massage")
    assert set(errors) == {NON_QUESTION_ERRORS}


@pytest.mark.parametrize(
    ("code", "value"),
    [("pregnant", "maybe"), ("blood_clot", "sometimes"), ("foot_skin", "y")],
)
def test_a_value_outside_the_options_is_an_error(code, value):
    answers = clear_answers("foot-massage") | {code: value}
    errors = validate_answers(QUESTIONS, answers, service_slug="foot-massage")
    assert errors == {code: "Please choose one of the answers offered."}


def test_an_unknown_value_among_several_selected_is_an_error():
    answers = clear_answers("foot-massage") | {"foot_skin": "yes", "foot_skin_kind": ["other", 3]}
    errors = validate_answers(QUESTIONS, answers, service_slug="foot-massage")
    assert set(errors) == {"foot_skin_kind"}


def test_several_values_for_a_single_choice_question_are_an_error():
    answers = clear_answers("leg-massage") | {"varicose_veins": ["none", "pronounced"]}
    errors = validate_answers(QUESTIONS, answers, service_slug="leg-massage")
    assert errors == {"varicose_veins": "Please choose just one answer."}


def test_a_note_longer_than_the_limit_is_an_error():
    long_note = "x" * (TEXT_MAX_LENGTH + 1)
    answers = clear_answers("leg-massage") | {"anything_else": long_note}
    errors = validate_answers(QUESTIONS, answers, service_slug="leg-massage")
    assert set(errors) == {"anything_else"}
    answers["anything_else"] = "x" * TEXT_MAX_LENGTH
    assert validate_answers(QUESTIONS, answers, service_slug="leg-massage") == {}


def test_the_note_triggers_nothing():
    note = "My left calf was swollen last week; it is fine now."
    assert screen("leg-massage", anything_else=note) == TriageResult(Level.CLEAR, ())


# The questionnaire itself


def test_every_question_code_is_unique_and_snake_case():
    codes = [question.code for question in QUESTIONS]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", code) for code in codes)


def test_every_follow_up_points_to_an_earlier_question_and_its_options():
    seen = {}
    for question in QUESTIONS:
        if question.show_if is not None:
            parent = seen[question.show_if.question]
            assert question.show_if.any_of
            assert set(question.show_if.any_of) <= parent.option_values
            # A follow-up is never asked for a service that is not asked its question.
            if parent.services:
                assert question.services
                assert set(question.services) <= set(parent.services)
        seen[question.code] = question


def test_every_rule_fires_on_valid_options_with_a_readable_reason():
    for question in QUESTIONS:
        for rule in question.rules:
            assert rule.when
            assert set(rule.when) <= question.option_values, question.code
            assert isinstance(rule.level, Level)
            assert str(rule.reason).strip().endswith("."), question.code


def test_every_question_names_known_services_and_sections():
    for question in QUESTIONS:
        assert set(question.services) <= set(SERVICES), question.code
        assert question.section in SECTIONS, question.code


def test_each_section_is_one_block_in_the_declared_order():
    order = [question.section for question in QUESTIONS]
    blocks = [section for i, section in enumerate(order) if i == 0 or order[i - 1] != section]
    assert blocks == list(SECTIONS)


def test_every_client_facing_string_is_marked_for_translation():
    strings = [CONSENT_TEXT_V1, *SECTIONS.values()]
    for question in QUESTIONS:
        strings += [question.text, *(option.label for option in question.choices)]
        strings += [rule.reason for rule in question.rules]
        if question.help_text:
            strings.append(question.help_text)
    assert all(isinstance(string, Promise) for string in strings)


def test_the_questionnaire_covers_every_stop_and_review_example_of_the_design():
    fired = {(code, rule.level) for code, q in BY_CODE.items() for rule in q.rules}
    assert {
        ("leg_symptoms_side", Level.STOP),
        ("blood_clot", Level.STOP),
        ("skin_wound", Level.STOP),
        ("foot_skin_kind", Level.STOP),
    } <= fired
    for code in [
        "pregnant",
        "pregnancy_complications",
        "varicose_veins",
        "injury_or_surgery",
        "sports_recent_injury",
        "intense_pain",
        "skin_problems",
        "circulatory_condition",
        "medical_condition",
        "numb_areas",
        "lymphatic_assessed",
    ]:
        assert (code, Level.REVIEW) in fired, code


def test_the_consent_names_its_purpose_who_reads_it_and_the_clients_rights():
    text = str(CONSENT_TEXT_V1)
    for phrase in ["explicit consent", "safe", "your therapist", "studio owner", "copy", "erased"]:
        assert phrase in text


def test_a_rule_or_condition_refuses_a_bare_string_of_values():
    with pytest.raises(TypeError):
        Rule("yes", Level.STOP, "Yes.")
    with pytest.raises(TypeError):
        Condition("pregnant", "yes")


def test_a_rule_takes_its_level_as_stored_text_and_refuses_an_unknown_one():
    assert Rule(("yes",), "stop", "Yes.").level is Level.STOP
    with pytest.raises(ValueError):
        Rule(("yes",), "urgent", "Yes.")


def test_a_yes_no_question_offers_no_then_yes_like_every_choice():
    """The negative answer comes first everywhere: "No", then "Yes", as "No" leads blood_clot."""
    assert [choice.value for choice in BY_CODE["pregnant"].options] == ["no", "yes"]
    assert BY_CODE["blood_clot"].choices[0].value == "no"
    assert BY_CODE["anything_else"].options == ()
    assert BY_CODE["blood_clot"].options == BY_CODE["blood_clot"].choices


def test_levels_order_by_seriousness():
    assert Level.STOP > Level.REVIEW > Level.CLEAR
    assert Level.highest([Level.REVIEW, Level.STOP, Level.CLEAR]) is Level.STOP
    assert Level.highest([]) is Level.CLEAR


# Properties over every valid answer set


def answer_for(question):
    """Return a strategy for one valid answer to `question`."""
    values = sorted(question.option_values)
    if question.kind == "multi":
        return st.lists(st.sampled_from(values), min_size=1, unique=True)
    if question.kind == "text":
        return st.text(max_size=TEXT_MAX_LENGTH)
    return st.sampled_from(values)


@st.composite
def answer_sets(draw, service, *, fixed=None, partial=False):
    """Draw answers for `service`, question by question, as a client would give them.

    `fixed` answers are given as they stand; with `partial`, any question may be left out.
    """
    fixed = fixed or {}
    answers = {}
    for question in QUESTIONS:
        if question.code not in visible_codes(answers, service):
            continue
        if question.code in fixed:
            answers[question.code] = fixed[question.code]
        elif (partial or not question.required) and draw(st.booleans()):
            continue
        else:
            answers[question.code] = draw(answer_for(question))
    return answers


booking_flags = st.fixed_dictionaries(
    {
        "service_requires_assessment": st.booleans(),
        "assessment_approved": st.booleans(),
        "after_stop": st.booleans(),
    }
)


@given(st.data(), booking_flags)
def test_any_valid_answers_with_a_single_symptomatic_leg_stop(data, flags):
    """Studio page, on pain, swelling, redness or warmth in a single leg: "This is not a
    situation to try and see."
    """
    service = data.draw(st.sampled_from(SERVICES))
    answers = data.draw(answer_sets(service, fixed=ONE_LEG))
    assert validate_answers(QUESTIONS, answers, service_slug=service) == {}
    result = triage(QUESTIONS, answers, service_slug=service, **flags)
    assert result.level is Level.STOP
    assert result.reasons[0].question == "leg_symptoms_side"


@given(st.data(), booking_flags)
def test_answering_one_more_question_never_lowers_the_level(data, flags):
    """Saying "yes" to one more question cannot turn a review into a clear, nor drop a reason."""
    service = data.draw(st.sampled_from(SERVICES))
    answers = data.draw(answer_sets(service, partial=True))
    unanswered = [
        question
        for question in visible_questions(QUESTIONS, answers, service_slug=service)
        if question.code not in answers
    ]
    assume(unanswered)
    question = data.draw(st.sampled_from(unanswered))
    more = answers | {question.code: data.draw(answer_for(question))}

    before = triage(QUESTIONS, answers, service_slug=service, **flags)
    after = triage(QUESTIONS, more, service_slug=service, **flags)
    assert after.level >= before.level
    # The after-stop reason alone may go: a stop needs no note that answers changed.
    kept = {reason for reason in before.reasons if reason.question != AFTER_STOP_REASON_CODE}
    assert kept <= set(after.reasons)


@given(st.data(), booking_flags)
def test_the_result_does_not_depend_on_the_order_of_the_answers(data, flags):
    """Shuffle the answers and the values of each multiple choice: the same result."""
    service = data.draw(st.sampled_from(SERVICES))
    answers = data.draw(answer_sets(service))
    items = data.draw(st.permutations(list(answers.items())))
    shuffled = {
        code: data.draw(st.permutations(value)) if isinstance(value, list) else value
        for code, value in items
    }
    assert triage(QUESTIONS, shuffled, service_slug=service, **flags) == triage(
        QUESTIONS, answers, service_slug=service, **flags
    )
    assert validate_answers(QUESTIONS, shuffled, service_slug=service) == validate_answers(
        QUESTIONS, answers, service_slug=service
    )


@given(
    st.sampled_from(SERVICES),
    st.dictionaries(
        st.sampled_from([*BY_CODE, "unknown"]),
        st.none() | st.text(max_size=5) | st.lists(st.text(max_size=5), max_size=3),
    ),
)
def test_triage_and_validation_never_raise_even_on_malformed_answers(service, answers):
    result = triage(QUESTIONS, answers, service_slug=service)
    assert isinstance(result.level, Level)
    assert all(isinstance(reason, Reason) for reason in result.reasons)
    assert isinstance(validate_answers(QUESTIONS, answers, service_slug=service), dict)


# Optional questions and blank answers, on a small questionnaire of every kind

ABOUT_YOU = (
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
    QuestionSpec("first_visit", "about_you", "Is this your first visit?", "yes_no", required=False),
    QuestionSpec("note", "about_you", "Anything else?", "text", required=False),
)
REQUIRED_ABOUT_YOU = tuple(replace(question, required=True) for question in ABOUT_YOU)
BLANKS = {"how_heard": "  ", "interests": ["", None], "first_visit": "", "note": " \n "}


@pytest.mark.parametrize("answers", [{}, BLANKS], ids=["left out", "blank"])
def test_an_optional_question_of_any_kind_may_be_left_unanswered(answers):
    """Accept an optional choice, multiple choice, yes/no or text question with no answer."""
    assert validate_answers(ABOUT_YOU, answers, service_slug="leg-massage") == {}


@pytest.mark.parametrize("answers", [{}, BLANKS], ids=["left out", "blank"])
def test_a_blank_answer_to_a_required_question_is_asked_for_again(answers):
    """Count spaces, an empty string or an empty selection as no answer: ask for one, rather
    than accept it or call it an answer that was not offered."""
    assert validate_answers(REQUIRED_ABOUT_YOU, answers, service_slug="leg-massage") == {
        "how_heard": "Please answer this question.",
        "interests": "Please choose at least one answer.",
        "first_visit": "Please answer this question.",
        "note": "Please answer this question.",
    }


def test_the_blank_answer_of_the_first_questionnaire_is_asked_for_again():
    """Ask again for a pregnancy answer of two spaces, with the words for a missing answer."""
    answers = clear_answers("leg-massage") | {"pregnant": "  "}
    errors = validate_answers(QUESTIONS, answers, service_slug="leg-massage")
    assert errors == {"pregnant": "Please answer this question."}


def test_an_optional_question_still_refuses_an_answer_it_does_not_offer():
    """Leave an optional question unanswered, but refuse a value it does not offer."""
    answers = {"how_heard": "radio", "interests": ["rested", "dancing"], "first_visit": "maybe"}
    errors = validate_answers(ABOUT_YOU, answers, service_slug="leg-massage")
    assert errors == {
        "how_heard": "Please choose one of the answers offered.",
        "interests": "Please choose one of the answers offered.",
        "first_visit": "Please choose one of the answers offered.",
    }


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (["a", "list"], "Please write your answer as text."),
        (7, "Please write your answer as text."),
        ("x" * (TEXT_MAX_LENGTH + 1), "Please keep this answer to 500 characters or fewer."),
    ],
    ids=["a list", "a number", "too long"],
)
def test_a_text_answer_that_is_not_short_text_says_why_in_its_own_words(answer, message):
    """Refuse a note that is not text, or too long, with the words the translations know."""
    errors = validate_answers(ABOUT_YOU, {"note": answer}, service_slug="leg-massage")
    assert errors == {"note": message}


def test_answers_to_questions_not_asked_say_so_for_the_whole_form():
    """Refuse answers to an unknown question under "__all__", in the words to translate."""
    errors = validate_answers(ABOUT_YOU, {"favourite_colour": "blue"}, service_slug="leg-massage")
    assert errors == {
        NON_QUESTION_ERRORS: "Some answers do not match the questions for this service. "
        "Please reload the page and answer again."
    }


def test_question_fields_keep_every_text_a_version_was_published_with():
    """Store a question's text, help text, choice labels, condition and rules as plain data."""
    spec = QuestionSpec(
        "foot_skin_kind",
        "feet",
        "What do you notice?",
        "multi",
        help_text="Choose all that apply.",
        choices=(Choice("wound", "A wound"), Choice("other", "Something else")),
        show_if=Condition("foot_skin", ("yes",)),
        services=("foot-massage",),
        rules=(Rule(("wound",), Level.STOP, "A wound on the feet."),),
    )
    assert question_fields(spec) == {
        "code": "foot_skin_kind",
        "section": "feet",
        "text": "What do you notice?",
        "kind": "multi",
        "help_text": "Choose all that apply.",
        "choices": [
            {"value": "wound", "label": "A wound"},
            {"value": "other", "label": "Something else"},
        ],
        "required": True,
        "show_if_question": "foot_skin",
        "show_if_values": ["yes"],
        "services": ["foot-massage"],
        "rules": [{"when": ["wound"], "level": "stop", "reason": "A wound on the feet."}],
    }
    bare = question_fields(replace(spec, show_if=None, required=False))
    assert (bare["show_if_question"], bare["show_if_values"], bare["required"]) == ("", [], False)


def test_every_comparison_of_levels_goes_by_seriousness():
    """Compare each pair of levels with <, <=, > and >= by seriousness alone."""
    for a in Level:
        for b in Level:
            assert (a < b, a <= b, a > b, a >= b) == (
                a.rank < b.rank,
                a.rank <= b.rank,
                a.rank > b.rank,
                a.rank >= b.rank,
            ), (a, b)


@pytest.mark.parametrize("other", [1, None, 2.5])
def test_a_level_does_not_compare_with_something_that_is_not_a_level(other):
    """Refuse to order a level against a number or None, rather than guess."""
    for compare in (operator.lt, operator.le, operator.gt, operator.ge):
        with pytest.raises(TypeError):
            compare(Level.REVIEW, other)


SOME_CHOICES = (Choice("a", "A"), Choice("b", "B"))


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: QuestionSpec("q", "s", "T?", "essay"), ValueError, "q: unknown kind 'essay'"),
        (
            lambda: QuestionSpec("q", "s", "T?", "choice"),
            ValueError,
            "q: a choice question needs choices",
        ),
        (
            lambda: QuestionSpec("q", "s", "T?", "multi"),
            ValueError,
            "q: a multi question needs choices",
        ),
        (
            lambda: QuestionSpec("q", "s", "T?", "yes_no", choices=SOME_CHOICES),
            ValueError,
            "q: a yes_no question takes no choices",
        ),
        (
            lambda: QuestionSpec("q", "s", "T?", "text", choices=SOME_CHOICES),
            ValueError,
            "q: a text question takes no choices",
        ),
        (
            lambda: QuestionSpec("q", "s", "T?", "choice", choices=list(SOME_CHOICES)),
            TypeError,
            "QuestionSpec.choices must be a tuple of values, not list",
        ),
        (
            lambda: QuestionSpec("q", "s", "T?", "yes_no", services="leg-massage"),
            TypeError,
            "QuestionSpec.services must be a tuple of values, not str",
        ),
        (
            lambda: Rule("yes", Level.STOP, "R."),
            TypeError,
            "Rule.when must be a tuple of values, not str",
        ),
        (
            lambda: Condition("q", "yes"),
            TypeError,
            "Condition.any_of must be a tuple of values, not str",
        ),
    ],
    ids=[
        "unknown kind",
        "choice without choices",
        "multi without choices",
        "yes_no with choices",
        "text with choices",
        "choices in a list",
        "services as a string",
        "rule on a string",
        "condition on a string",
    ],
)
def test_a_malformed_question_is_refused_with_what_is_wrong(build, error, message):
    """Refuse, at definition, a question whose kind and choices disagree or whose values are
    not tuples, saying which question and which field (an author reads it in a traceback)."""
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        build()


@pytest.mark.parametrize("kind", ["choice", "multi"])
def test_a_choice_question_with_choices_and_a_yes_no_question_without_are_fine(kind):
    """Accept the well-formed kinds: choices for choice and multi, none for yes/no and text."""
    assert QuestionSpec("q", "s", "T?", kind, choices=SOME_CHOICES).option_values == {"a", "b"}
    assert QuestionSpec("q", "s", "T?", "yes_no").option_values == {"yes", "no"}
    assert QuestionSpec("q", "s", "T?", "text").option_values == frozenset()
