"""Publishing a questionnaire version: nothing the studio edits can silently weaken screening.

The checks themselves are pure (`intake.validation`) and are tested without a database, on
the real first versions and on Hypothesis-made edits of them; the service and the admin's
publish action are tested against the database.
"""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import questionnaire_v1, rescreen_v1, selectors, services
from intake.models import Question, Questionnaire
from intake.triage import NO, YES, Choice, Condition, Level, QuestionSpec, Rule, question_fields
from intake.validation import (
    BOOKING_FLOOR,
    FLOORS,
    RESCREEN_FLOOR,
    floor_problems,
    questionnaire_changes,
    questionnaire_problems,
)
from studio.translated import TRANSLATIONS, columns
from tests.auth import sign_in

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BOOKING = questionnaire_v1.QUESTIONS
RESCREEN = rescreen_v1.QUESTIONS
VERSIONS = {"booking": BOOKING, "rescreen": RESCREEN}


def problems(questions, kind="booking"):
    return questionnaire_problems(questions, floor=FLOORS[kind])


def messages_of(questions, kind="booking"):
    return [str(problem) for problem in problems(questions, kind)]


def edit(questions, code, **changes):
    """Return the questions with the one named `code` changed."""
    return tuple(replace(q, **changes) if q.code == code else q for q in questions)


def by_code(questions, code):
    return next(q for q in questions if q.code == code)


def yes_no(code, **options):
    return QuestionSpec(code=code, section="health", text=f"{code}?", kind="yes_no", **options)


# The first versions


@pytest.mark.parametrize("kind", ["booking", "rescreen"])
def test_the_first_versions_have_no_problem_and_hold_the_floor(kind):
    assert problems(VERSIONS[kind], kind) == []


@pytest.mark.parametrize("kind", ["booking", "rescreen"])
def test_a_version_compared_with_itself_changes_nothing(kind):
    changes = questionnaire_changes(VERSIONS[kind], VERSIONS[kind])
    assert not changes
    assert changes.confirmation_keys == frozenset()


# Each refusal


def test_a_rule_on_a_misspelt_value_is_refused():
    rule = Rule(("pronunced",), Level.REVIEW, "Pronounced varicose veins.")
    found = messages_of(edit(BOOKING, "varicose_veins", rules=(rule,)))
    assert any("varicose_veins" in m and "“pronunced”" in m and "pronounced" in m for m in found)


def test_a_rule_on_a_text_question_is_refused_since_it_can_never_fire():
    rule = Rule(("yes",), Level.REVIEW, "Something to know.")
    found = messages_of(edit(BOOKING, "anything_else", rules=(rule,)))
    assert any(m.startswith("anything_else:") and "“yes”" in m for m in found)


def test_a_rule_that_names_no_answer_is_refused():
    found = messages_of(edit(BOOKING, "intense_pain", rules=(Rule((), Level.REVIEW, "Pain."),)))
    assert any(m.startswith("intense_pain:") and "never applies" in m for m in found)


def test_a_follow_up_after_a_question_that_does_not_exist_is_refused():
    questions = edit(BOOKING, "leg_symptoms_side", show_if=Condition("leg_symtoms", (YES,)))
    found = messages_of(questions)
    assert any(m.startswith("leg_symptoms_side:") and "“leg_symtoms”" in m for m in found)
    assert "leg_symptoms_side: No client can ever be shown it." in found


def test_a_follow_up_after_a_later_question_is_refused():
    questions = edit(BOOKING, "leg_symptoms_side", show_if=Condition("intense_pain", (YES,)))
    found = messages_of(questions)
    assert any(
        m.startswith("leg_symptoms_side:") and "“intense_pain”, which comes later" in m
        for m in found
    )


def test_a_follow_up_after_a_value_its_question_does_not_offer_is_refused():
    questions = edit(BOOKING, "leg_symptoms_side", show_if=Condition("leg_symptoms", ("si",)))
    found = messages_of(questions)
    assert any(m.startswith("leg_symptoms_side:") and "answered “si”" in m for m in found)
    assert "leg_symptoms_side: No client can ever be shown it." in found


def test_a_follow_up_waiting_for_no_answer_is_refused():
    questions = edit(BOOKING, "numb_areas", show_if=Condition("diabetes_or_neuropathy", ()))
    assert "numb_areas: No client can ever be shown it." in messages_of(questions)


def test_a_follow_up_of_a_question_that_is_never_shown_is_never_shown_either():
    """A chain: the middle question waits for a missing question, so the last one is dead too."""
    questions = (
        yes_no("first"),
        yes_no("middle", show_if=Condition("missing", (YES,))),
        yes_no("last", show_if=Condition("middle", (YES,))),
    )
    found = messages_of(questions)
    assert "middle: No client can ever be shown it." in found
    assert "last: No client can ever be shown it." in found
    assert not any(m.startswith("first:") for m in found)


def test_a_follow_up_for_services_its_question_is_not_asked_for_is_refused():
    # The foot question is asked of foot services only: a leg-only follow-up is never shown.
    questions = edit(BOOKING, "foot_skin_kind", services=("leg-massage",))
    found = messages_of(questions)
    assert "foot_skin_kind: No client can ever be shown it." in found


def test_a_follow_up_asked_of_one_service_more_than_its_question_is_refused():
    questions = edit(BOOKING, "foot_skin_kind", services=("foot-massage", "leg-massage"))
    found = messages_of(questions)
    assert any(m.startswith("foot_skin_kind:") and "leg-massage" in m for m in found)


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.parametrize("level", [Level.STOP, Level.REVIEW])
def test_a_stop_or_review_rule_without_a_reason_is_refused(level, reason):
    questions = edit(BOOKING, "intense_pain", rules=(Rule((YES,), level, reason),))
    found = messages_of(questions)
    assert any(m.startswith("intense_pain:") and "no reason" in m for m in found)


def test_a_clear_rule_needs_no_reason():
    questions = edit(BOOKING, "intense_pain", rules=(*by_code(BOOKING, "intense_pain").rules,))
    questions = edit(
        questions,
        "anything_else",
        kind="yes_no",
        required=True,
        rules=(Rule((NO,), Level.CLEAR, ""),),
    )
    assert problems(questions) == []


@pytest.mark.parametrize("text", ["", "  "])
def test_a_question_or_an_answer_without_text_is_refused(text):
    assert any(
        m.startswith("pregnant:") and "no text" in m
        for m in messages_of(edit(BOOKING, "pregnant", text=text))
    )
    choices = (Choice("one", text), Choice("both", "In both legs"))
    found = messages_of(edit(BOOKING, "leg_symptoms_side", choices=choices))
    assert any(m.startswith("leg_symptoms_side:") and "no text" in m for m in found)


def test_two_questions_with_the_same_code_are_refused():
    questions = (*BOOKING, replace(by_code(BOOKING, "pregnant"), text="Again?"))
    assert "pregnant: Two questions share this code." in messages_of(questions)


def test_two_answers_with_the_same_value_are_refused():
    choices = (Choice("one", "One leg"), Choice("one", "Both legs"))
    questions = edit(BOOKING, "leg_symptoms_side", choices=choices)
    assert any(
        m.startswith("leg_symptoms_side:") and "share a value" in m for m in messages_of(questions)
    )


@pytest.mark.parametrize("code", ["leg_symptoms_side", "leg_symptoms", "intense_pain"])
def test_an_optional_question_that_raises_or_leads_to_a_flag_is_refused(code):
    """A client could skip it: the question, or the follow-up behind it, would never flag."""
    found = messages_of(edit(BOOKING, code, required=False))
    assert any(m.startswith(f"{code}:") and "must be required" in m for m in found)


def test_an_optional_several_choices_question_may_carry_a_flag():
    """Ticking nothing is an answer to a "choose all that apply" question."""
    questions = edit(BOOKING, "foot_skin_kind", required=False)
    assert problems(questions) == []


def test_an_empty_version_is_refused():
    assert "The version has no questions." in messages_of(())


# The safety floor


@pytest.mark.parametrize("rule", BOOKING_FLOOR, ids=lambda rule: rule.key)
def test_every_floor_rule_of_the_booking_questionnaire_is_enforced(rule):
    """Take away the rules of the question the floor rule ends on: publishing is refused."""
    code = list(rule.answers)[-1]
    questions = edit(BOOKING, code, rules=())
    found = floor_problems(questions, BOOKING_FLOOR)
    assert any(str(rule.description) in p.message for p in found)


@pytest.mark.parametrize("rule", RESCREEN_FLOOR, ids=lambda rule: rule.key)
def test_every_floor_rule_of_the_rescreen_is_enforced(rule):
    code = list(rule.answers)[-1]
    questions = edit(RESCREEN, code, rules=())
    found = floor_problems(questions, RESCREEN_FLOOR)
    assert any(str(rule.description) in p.message for p in found)


def test_a_single_swollen_leg_lowered_to_review_breaks_the_floor():
    rules = (Rule(("one", "both"), Level.REVIEW, "Symptoms in the legs."),)
    found = messages_of(edit(BOOKING, "leg_symptoms_side", rules=rules))
    assert any("one leg only stops the booking" in m for m in found)


def test_swelling_in_both_legs_raised_to_stop_breaks_the_floor():
    """The design: both legs go to review, not to a stop."""
    rules = (Rule(("one", "both"), Level.STOP, "Symptoms in the legs."),)
    found = messages_of(edit(BOOKING, "leg_symptoms_side", rules=rules))
    assert any("both legs goes to review, not to a stop" in m for m in found)


def test_renaming_a_floor_question_breaks_the_floor():
    questions = tuple(
        replace(q, code="vein_check") if q.code == "varicose_veins" else q for q in BOOKING
    )
    found = messages_of(questions)
    assert any("varicose veins" in m and "leg-massage" in m for m in found)


def test_a_floor_question_no_longer_asked_of_one_service_breaks_the_floor():
    questions = edit(BOOKING, "varicose_veins", services=("leg-massage",))
    found = floor_problems(questions, BOOKING_FLOOR)
    assert len(found) == 1
    assert "sports-massage" in found[0].message
    assert "leg-massage," not in found[0].message


# Hypothesis: broken versions are refused, harmless edits are not


def _flag_rules(questions):
    return [
        (i, j)
        for i, q in enumerate(questions)
        for j, rule in enumerate(q.rules)
        if rule.level in (Level.STOP, Level.REVIEW)
    ]


def _replace_at(questions, index, question):
    return (*questions[:index], question, *questions[index + 1 :])


@st.composite
def misspelt_rule_value(draw, questions):
    i, j = draw(st.sampled_from(_flag_rules(questions)))
    question = questions[i]
    rule = question.rules[j]
    k = draw(st.integers(0, len(rule.when) - 1))
    typo = draw(
        st.sampled_from(
            [
                rule.when[k][:-1],
                rule.when[k] + "s",
                rule.when[k].upper(),
                rule.when[k].replace("o", "0"),
                " " + rule.when[k],
            ]
        ).filter(lambda value: value not in question.option_values)
    )
    when = (*rule.when[:k], typo, *rule.when[k + 1 :])
    rules = _replace_at(question.rules, j, replace(rule, when=when))
    return _replace_at(questions, i, replace(question, rules=rules)), question.code


@st.composite
def show_if_nowhere(draw, questions):
    """Point a question's condition at a missing question, a later one, or a missing value."""
    i = draw(st.integers(0, len(questions) - 1))
    question = questions[i]
    earlier = [q for q in questions[:i] if q.kind != "text"]
    later = [q.code for q in questions[i:]]
    kinds = ["missing", "later"] + (["value"] if earlier else [])
    how = draw(st.sampled_from(kinds))
    if how == "missing":
        name = draw(st.from_regex(r"[a-z]{3,12}", fullmatch=True))
        condition = Condition(name + "_x", (YES,))
    elif how == "later":
        condition = Condition(draw(st.sampled_from(later)), (YES,))
    else:
        parent = draw(st.sampled_from(earlier))
        value = draw(
            st.sampled_from(["si", "Yes", "maybe", "pronunced", ""]).filter(
                lambda v: v not in parent.option_values
            )
        )
        condition = Condition(parent.code, (value,))
    return _replace_at(questions, i, replace(question, show_if=condition)), question.code


@st.composite
def reason_dropped(draw, questions):
    i, j = draw(st.sampled_from(_flag_rules(questions)))
    question = questions[i]
    blank = draw(st.sampled_from(["", " ", "\n\t"]))
    rules = _replace_at(question.rules, j, replace(question.rules[j], reason=blank))
    return _replace_at(questions, i, replace(question, rules=rules)), question.code


@st.composite
def made_unreachable(draw, questions):
    """Hide a follow-up: its question no longer offers the answer, or is asked elsewhere."""
    follow_ups = [i for i, q in enumerate(questions) if q.show_if is not None]
    i = draw(st.sampled_from(follow_ups))
    question = questions[i]
    parent_index = next(k for k, q in enumerate(questions) if q.code == question.show_if.question)
    parent = questions[parent_index]
    hows = ["parent_hidden", "no_values"] + (["services"] if parent.services else [])
    how = draw(st.sampled_from(hows))
    if how == "services":
        # Asked only of a service the question it follows is never asked of.
        return _replace_at(questions, i, replace(question, services=("back-massage",))), (
            question.code
        )
    if how == "no_values":
        return (
            _replace_at(
                questions, i, replace(question, show_if=Condition(question.show_if.question, ()))
            ),
            question.code,
        )
    # Hide the question it follows behind a condition that cannot hold.
    hidden = replace(parent, show_if=Condition("no_such_question", (YES,)))
    return _replace_at(questions, parent_index, hidden), question.code


MUTATIONS = [misspelt_rule_value, show_if_nowhere, reason_dropped, made_unreachable]

# No deadline: how long an example takes on a busy machine is not what these tests check.


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_generated_broken_version_is_refused_naming_the_question(data):
    kind = data.draw(st.sampled_from(["booking", "rescreen"]))
    mutation = data.draw(st.sampled_from(MUTATIONS))
    questions, code = data.draw(mutation(VERSIONS[kind]))
    found = problems(questions, kind)
    assert found, "a broken version was accepted"
    assert any(problem.question == code for problem in found), [str(p) for p in found]


@st.composite
def harmless_edits(draw, questions):
    """Reword texts and reasons, add questions that flag nothing or flag more."""
    words = st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40
    )
    questions = list(questions)
    for i in draw(st.lists(st.integers(0, len(questions) - 1), max_size=5)):
        question = questions[i]
        rules = tuple(
            replace(rule, reason=draw(words).strip() or "A reason.") for rule in question.rules
        )
        text = draw(words).strip() or "A question?"
        questions[i] = replace(question, text=text, help_text=draw(words), rules=rules)
    for n in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(questions)))
        extra_rules = draw(
            st.sampled_from([(), (Rule((YES,), Level.REVIEW, "Something to look at."),)])
        )
        questions.insert(at, yes_no(f"new_question_{n}", rules=extra_rules))
    return tuple(questions)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_harmless_edits_are_accepted_and_weaken_nothing(data):
    kind = data.draw(st.sampled_from(["booking", "rescreen"]))
    questions = data.draw(harmless_edits(VERSIONS[kind]))
    assert problems(questions, kind) == []
    assert questionnaire_changes(VERSIONS[kind], questions).weakened == ()


# The changes against the current version


def _flagged_values(questions):
    return sorted(
        (i, value)
        for i, q in enumerate(questions)
        for rule in q.rules
        if rule.level in (Level.STOP, Level.REVIEW)
        for value in rule.when
    )


def _without_value(question, value, level):
    """Return the question with `value` flagged at `level` (clear: not at all) instead."""
    rules = []
    for rule in question.rules:
        when = tuple(v for v in rule.when if v != value)
        if when:
            rules.append(replace(rule, when=when))
    if level is not Level.CLEAR:
        rules.append(Rule((value,), level, "Lowered."))
    return replace(question, rules=tuple(rules))


@st.composite
def weakened_versions(draw, questions):
    """Weaken some flags; return the new version and the (code, value, after) expected."""
    picked = draw(st.lists(st.sampled_from(_flagged_values(questions)), min_size=1, unique=True))
    questions = list(questions)
    expected = set()
    for i, value in picked:
        question = questions[i]
        before = Level.highest(r.level for r in question.rules if value in r.when)
        after = draw(st.sampled_from([lvl for lvl in Level if lvl < before]))
        questions[i] = _without_value(question, value, after)
        expected.add((question.code, value, after))
    return tuple(questions), expected


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_changes_name_every_weakened_flag_and_nothing_else(data):
    kind = data.draw(st.sampled_from(["booking", "rescreen"]))
    questions, expected = data.draw(weakened_versions(VERSIONS[kind]))
    changes = questionnaire_changes(VERSIONS[kind], questions)
    assert {(w.question, w.value, w.after) for w in changes.weakened} == expected
    assert all(w.key in changes.confirmation_keys for w in changes.weakened)
    for weakening in changes.weakened:
        assert weakening.question in str(weakening) and weakening.value in str(weakening)


def test_a_removed_question_names_each_flag_it_carried():
    questions = tuple(q for q in BOOKING if q.code != "blood_clot")
    changes = questionnaire_changes(BOOKING, questions)
    assert changes.removed == ("blood_clot",)
    assert {w.key for w in changes.weakened} == {
        "blood_clot=now:stop:clear",
        "blood_clot=past_not_cleared:stop:clear",
        "blood_clot=past_cleared:review:clear",
    }


def test_a_removed_question_takes_its_follow_ups_flags_with_it():
    questions = tuple(q for q in BOOKING if q.code not in ("pregnant", "pregnancy_complications"))
    keys = questionnaire_changes(BOOKING, questions).confirmation_keys
    assert keys == {"pregnant=yes:review:clear", "pregnancy_complications=yes:review:clear"}


def test_a_flagged_question_hidden_behind_a_new_condition_is_a_weakening():
    questions = edit(BOOKING, "intense_pain", show_if=Condition("pregnant", (YES,)))
    changes = questionnaire_changes(BOOKING, questions)
    assert [w.key for w in changes.weakened] == ["intense_pain=yes:review:clear"]
    assert changes.changed == (("intense_pain", ("show_if",)),)


def test_a_flagged_question_asked_of_fewer_services_is_a_weakening_for_those():
    questions = edit(BOOKING, "varicose_veins", services=("leg-massage",))
    (weakening,) = questionnaire_changes(BOOKING, questions).weakened
    assert weakening.key == "varicose_veins=pronounced:review:clear"
    assert set(weakening.services) == {
        "sports-massage",
        "lymphatic-drainage",
        "leg-and-foot-massage",
    }
    assert "sports-massage" in str(weakening)


def test_a_flag_moved_to_a_different_value_names_the_value_no_longer_flagged():
    rules = (Rule(("mild", "pronounced"), Level.REVIEW, "Varicose veins."),)
    changes = questionnaire_changes(BOOKING, edit(BOOKING, "varicose_veins", rules=rules))
    assert changes.weakened == ()
    rules = (Rule(("mild",), Level.REVIEW, "Varicose veins."),)
    changes = questionnaire_changes(BOOKING, edit(BOOKING, "varicose_veins", rules=rules))
    assert [w.key for w in changes.weakened] == ["varicose_veins=pronounced:review:clear"]


def test_the_changes_list_added_removed_and_changed_questions():
    questions = (
        *edit(
            tuple(q for q in BOOKING if q.code != "intense_pain"),
            "pregnant",
            text="Is there a baby on the way?",
        ),
        yes_no("new_one"),
    )
    changes = questionnaire_changes(BOOKING, questions)
    assert changes.added == ("new_one",)
    assert changes.removed == ("intense_pain",)
    assert changes.changed == (("pregnant", ("text",)),)


# Every version in the database


@pytest.mark.django_db
def test_every_published_version_in_the_database_holds_its_floor():
    """After the migrations: the booking questionnaire and the re-screen, version 1."""
    published = Questionnaire.objects.filter(published_at__isnull=False)
    assert {q.kind for q in published} == {"booking", "rescreen"}
    for questionnaire in published:
        specs = selectors.question_specs(questionnaire)
        found = questionnaire_problems(specs, floor=FLOORS[questionnaire.kind])
        assert found == [], (str(questionnaire), [str(p) for p in found])


# The service


def stored_fields(spec: QuestionSpec) -> dict:
    """Return a question's stored fields in every language (the catalogs' translations)."""
    fields = question_fields(spec)
    for language in TRANSLATIONS:
        with translation.override(language):
            texts = question_fields(spec)
        fields[f"text_{language}"] = texts["text"]
        fields[f"help_text_{language}"] = texts["help_text"]
        for choice, translated in zip(fields["choices"], texts["choices"], strict=True):
            choice[f"label_{language}"] = translated["label"]
        for rule, translated in zip(fields["rules"], texts["rules"], strict=True):
            rule[f"reason_{language}"] = translated["reason"]
    return fields


def _draft(kind="booking", questions=None, version=None):
    """Store a draft version of `kind` (by default a copy of the first version's questions)."""
    current = selectors.questionnaire_current(kind=kind)
    draft = Questionnaire.objects.create(
        kind=kind,
        version=version or current.version + 1,
        **{column: getattr(current, column) for column in columns("title")},
    )
    for position, spec in enumerate(questions or VERSIONS[kind], start=1):
        Question.objects.create(questionnaire=draft, position=position, **stored_fields(spec))
    return draft


CLEARED_CLOT_IS_CLEAR = edit(
    BOOKING,
    "blood_clot",
    rules=tuple(r for r in by_code(BOOKING, "blood_clot").rules if r.level is Level.STOP),
)
CLEARED_CLOT_KEY = "blood_clot=past_cleared:review:clear"


BLANKS = {
    "question": lambda question, language: setattr(question, f"text_{language}", ""),
    "help text": lambda question, language: setattr(question, f"help_text_{language}", " "),
    "answer": lambda question, language: question.choices[0].pop(f"label_{language}"),
    "reason": lambda question, language: question.rules[0].update({f"reason_{language}": ""}),
}
HAS = {
    "question": lambda question: True,
    "help text": lambda question: bool(question.help_text_en),
    "answer": lambda question: bool(question.choices),
    "reason": lambda question: bool(question.rules),
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATIONS)
@pytest.mark.parametrize(
    ("kind", "where"),
    [
        *(("booking", where) for where in BLANKS),
        # The re-screen has no help texts.
        *(("rescreen", where) for where in ("question", "answer", "reason")),
    ],
)
def test_a_version_missing_a_language_is_refused_and_names_the_language(kind, language, where):
    draft = _draft(kind)
    question = next(q for q in draft.questions.order_by("position") if HAS[where](q))
    BLANKS[where](question, language)
    question.save()

    with pytest.raises(services.PublishRefused) as refused:
        services.questionnaire_publish(questionnaire=draft, now=NOW)

    (problem,) = refused.value.problems
    assert problem.question == question.code
    assert {"ca": "Català", "es": "Español"}[language] in str(problem)
    draft.refresh_from_db()
    assert draft.published_at is None


@pytest.mark.django_db
def test_a_version_whose_title_lacks_a_language_is_refused():
    draft = _draft()
    draft.title_es = ""
    draft.save()

    with pytest.raises(services.PublishRefused) as refused:
        services.questionnaire_publish(questionnaire=draft, now=NOW)

    assert [str(problem) for problem in refused.value.problems] == [
        "The title is not written in Español yet."
    ]


@pytest.mark.django_db
def test_publishing_a_reworded_version_makes_it_current():
    draft = _draft(questions=edit(BOOKING, "pregnant", text="Is there a baby on the way?"))
    services.questionnaire_publish(questionnaire=draft, now=NOW)
    draft.refresh_from_db()
    assert draft.published_at == NOW
    assert selectors.questionnaire_current().pk == draft.pk


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["booking", "rescreen"])
def test_publishing_a_broken_version_is_refused_and_leaves_it_a_draft(kind):
    questions = VERSIONS[kind]
    code = next(q.code for q in questions if q.show_if is not None)
    broken = edit(questions, code, show_if=Condition("nowhere", (YES,)))
    draft = _draft(kind, broken)
    with pytest.raises(services.PublishRefused) as refused:
        services.questionnaire_publish(questionnaire=draft, now=NOW)
    assert any(p.question == code for p in refused.value.problems)
    draft.refresh_from_db()
    assert draft.published_at is None
    assert selectors.questionnaire_current(kind=kind).version == 1


@pytest.mark.django_db
def test_publishing_a_version_that_breaks_the_floor_is_refused_even_if_confirmed():
    rules = (Rule(("one", "both"), Level.REVIEW, "Symptoms in the legs."),)
    weakened = edit(BOOKING, "leg_symptoms_side", rules=rules)
    draft = _draft(questions=weakened)
    keys = questionnaire_changes(BOOKING, weakened).confirmation_keys
    assert "leg_symptoms_side=one:stop:review" in keys
    with pytest.raises(services.PublishRefused):
        services.questionnaire_publish(questionnaire=draft, confirmed_changes=keys, now=NOW)
    draft.refresh_from_db()
    assert draft.published_at is None


@pytest.mark.django_db
def test_publishing_a_weakening_needs_it_confirmed_by_name():
    draft = _draft(questions=CLEARED_CLOT_IS_CLEAR)
    with pytest.raises(services.PublishNotConfirmed) as refused:
        services.questionnaire_publish(questionnaire=draft, now=NOW)
    assert refused.value.missing == {CLEARED_CLOT_KEY}
    with pytest.raises(services.PublishNotConfirmed):
        services.questionnaire_publish(
            questionnaire=draft, confirmed_changes=["blood_clot=now:stop:clear"], now=NOW
        )
    draft.refresh_from_db()
    assert draft.published_at is None
    services.questionnaire_publish(
        questionnaire=draft, confirmed_changes=[CLEARED_CLOT_KEY], now=NOW
    )
    draft.refresh_from_db()
    assert draft.published_at == NOW


@pytest.mark.django_db
def test_publishing_a_version_older_than_the_current_one_is_refused():
    newer = _draft(version=3)
    services.questionnaire_publish(questionnaire=newer, now=NOW)
    older = _draft(version=2)
    with pytest.raises(services.PublishRefused) as refused:
        services.questionnaire_publish(questionnaire=older, now=NOW)
    assert "higher version number" in str(refused.value.problems[0])
    older.refresh_from_db()
    assert older.published_at is None


@pytest.mark.django_db
def test_publishing_an_already_published_version_is_refused():
    current = selectors.questionnaire_current()
    published_at = current.published_at
    with pytest.raises(services.PublishRefused):
        services.questionnaire_publish(questionnaire=current, now=NOW)
    current.refresh_from_db()
    assert current.published_at == published_at


@pytest.mark.django_db
def test_a_stored_question_that_cannot_be_read_is_refused_not_a_crash():
    draft = _draft()
    Question.objects.filter(questionnaire=draft, code="intense_pain").update(
        rules=[{"when": ["yes"], "level": "urgent", "reason": "Pain."}]
    )
    with pytest.raises(services.PublishRefused) as refused:
        services.questionnaire_publish(questionnaire=draft, now=NOW)
    assert any(p.question == "intense_pain" for p in refused.value.problems)


# The admin's publish action


def _owner(client):
    return sign_in(client, User.objects.get(username="owner"))


CHANGELIST = "admin:intake_questionnaire_changelist"


def _publish(client, draft, **data):
    return client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [draft.pk], **data}
    )


@pytest.mark.django_db
def test_the_admin_lists_the_weakened_flags_and_publishes_only_once_each_is_ticked(
    client, demo_studio
):
    _owner(client)
    draft = _draft(questions=CLEARED_CLOT_IS_CLEAR)

    page = _publish(client, draft)
    body = page.content.decode()
    assert page.status_code == 200
    assert f'name="confirm" value="{CLEARED_CLOT_KEY}"' in body
    assert "A past blood clot, cleared by a doctor." in body
    assert "Changed: blood_clot" in body
    draft.refresh_from_db()
    assert draft.published_at is None

    # Sent without ticking the weakening: the page comes back, nothing is published.
    again = _publish(client, draft, post="yes")
    assert again.status_code == 200
    assert f'value="{CLEARED_CLOT_KEY}"' in again.content.decode()
    assert any("confirm each" in str(m) for m in get_messages(again.wsgi_request))
    draft.refresh_from_db()
    assert draft.published_at is None

    done = _publish(client, draft, post="yes", confirm=[CLEARED_CLOT_KEY])
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert selectors.questionnaire_current().pk == draft.pk


@pytest.mark.django_db
def test_the_admin_asks_a_simple_confirmation_when_nothing_is_weakened(client, demo_studio):
    _owner(client)
    draft = _draft(questions=edit(BOOKING, "pregnant", text="Is there a baby on the way?"))
    page = _publish(client, draft)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="confirm"' not in body
    assert "Changed: pregnant" in body
    assert 'name="post" value="yes"' in body
    draft.refresh_from_db()
    assert draft.published_at is None
    assert _publish(client, draft, post="yes").status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("post", [{}, {"post": "yes"}])
def test_the_admin_refuses_a_broken_version_with_its_reasons(client, demo_studio, post):
    _owner(client)
    rule = Rule(("pronunced",), Level.REVIEW, "Pronounced varicose veins.")
    draft = _draft(questions=edit(BOOKING, "varicose_veins", rules=(rule,)))
    response = _publish(client, draft, **post)
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("stays a draft" in m for m in shown)
    assert any(m.startswith("varicose_veins:") and "“pronunced”" in m for m in shown)
    assert any("Pronounced varicose veins go to review" in m for m in shown)
    draft.refresh_from_db()
    assert draft.published_at is None


@pytest.mark.django_db
def test_the_admin_publishes_one_version_at_a_time(client, demo_studio):
    _owner(client)
    first = _draft()
    second = _draft(version=first.version + 1)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "publish", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Questionnaire.objects.filter(
        pk__in=[first.pk, second.pk], published_at__isnull=False
    )
