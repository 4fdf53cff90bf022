"""Triage a health questionnaire: answers in, a level and readable reasons out.

Everything here is pure: no ORM, no clock, no settings. A questionnaire is a sequence of
`QuestionSpec`; answers map a question code to a value (a list of values for "multi"
questions). The same functions serve the first booking, a returning client and the
re-screen before a visit, whatever version of the questionnaire the answers were given on.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

Kind = Literal["yes_no", "choice", "multi", "text"]
KINDS: tuple[str, ...] = get_args(Kind)

YES = "yes"
NO = "no"

TEXT_MAX_LENGTH = 500

# Reasons that come from the booking rather than from a question carry these codes; question
# codes are snake_case, so the dunder names cannot clash with one.
ASSESSMENT_REASON_CODE = "__assessment__"
AFTER_STOP_REASON_CODE = "__after_stop__"

# The key for errors that belong to no single question, as in Django's forms.
NON_QUESTION_ERRORS = "__all__"

Answers = Mapping[str, str | Sequence[str]]


class Level(StrEnum):
    """How a booking proceeds after triage, declared from least to most serious."""

    CLEAR = "clear"
    REVIEW = "review"
    STOP = "stop"

    @property
    def rank(self) -> int:
        """Return 0 for clear, 1 for review and 2 for stop."""
        return list(type(self)).index(self)

    @classmethod
    def highest(cls, levels: Iterable["Level"]) -> "Level":
        """Return the most serious of `levels`, or clear when there are none."""
        return max(levels, key=lambda level: level.rank, default=cls.CLEAR)

    # Comparisons go by seriousness, never by the alphabetical order of the values.
    def __lt__(self, other):
        return self.rank < other.rank if isinstance(other, Level) else NotImplemented

    def __le__(self, other):
        return self.rank <= other.rank if isinstance(other, Level) else NotImplemented

    def __gt__(self, other):
        return self.rank > other.rank if isinstance(other, Level) else NotImplemented

    def __ge__(self, other):
        return self.rank >= other.rank if isinstance(other, Level) else NotImplemented


def _require_tuple(name: str, value) -> None:
    # A bare string would pass for a tuple of values, and `"yes" in "yes, please"` is true.
    if not isinstance(value, tuple):
        raise TypeError(f"{name} must be a tuple of values, not {type(value).__name__}")


@dataclass(frozen=True)
class Choice:
    """One answer a client can pick."""

    value: str
    label: str


@dataclass(frozen=True)
class Rule:
    """Raise the level to `level` when the answer (any selected value) is in `when`."""

    when: tuple[str, ...]
    level: Level
    reason: str

    def __post_init__(self):
        _require_tuple("Rule.when", self.when)
        # Rules loaded from the database carry the level as a plain string.
        object.__setattr__(self, "level", Level(self.level))


@dataclass(frozen=True)
class Condition:
    """Show a question only when the earlier `question` was answered with one of `any_of`."""

    question: str
    any_of: tuple[str, ...]

    def __post_init__(self):
        _require_tuple("Condition.any_of", self.any_of)


# "No" first, as in every other choice of the questionnaire (its negative answer leads).
YES_NO_OPTIONS = (Choice(NO, _("No")), Choice(YES, _("Yes")))


@dataclass(frozen=True)
class QuestionSpec:
    """One question of a questionnaire, with when it is shown and the rules it triggers."""

    code: str
    section: str
    text: str
    kind: Kind
    help_text: str = ""
    choices: tuple[Choice, ...] = ()
    required: bool = True
    show_if: Condition | None = None
    services: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.code}: unknown kind {self.kind!r}")
        if self.kind in ("choice", "multi") and not self.choices:
            raise ValueError(f"{self.code}: a {self.kind} question needs choices")
        if self.kind in ("yes_no", "text") and self.choices:
            raise ValueError(f"{self.code}: a {self.kind} question takes no choices")
        for name in ("choices", "services", "rules"):
            _require_tuple(f"QuestionSpec.{name}", getattr(self, name))

    @property
    def options(self) -> tuple[Choice, ...]:
        """Return the answers a client can pick: yes and no, the choices, or none for text."""
        return YES_NO_OPTIONS if self.kind == "yes_no" else self.choices

    @property
    def option_values(self) -> frozenset[str]:
        """Return the values of `options`."""
        return frozenset(option.value for option in self.options)

    def applies_to(self, service_slug: str) -> bool:
        """Return whether the question is asked for this service."""
        return not self.services or service_slug in self.services


@dataclass(frozen=True)
class Reason:
    """Why a booking was flagged, in words a person can read out to the therapist."""

    question: str
    level: Level
    text: str


@dataclass(frozen=True)
class TriageResult:
    """The outcome of triage: stop reasons first, then review, each in questionnaire order."""

    level: Level
    reasons: tuple[Reason, ...]


def _selected(answer) -> tuple[object, ...]:
    """Return an answer as a tuple of values; an empty one means unanswered."""
    if answer is None:
        return ()
    if isinstance(answer, str):
        return (answer,) if answer.strip() else ()
    if isinstance(answer, Sequence | set | frozenset):
        return tuple(value for value in answer if value not in (None, ""))
    return (answer,)


def _chosen(answer) -> frozenset[str]:
    """Return the selected values of an answer that can match an option."""
    return frozenset(value for value in _selected(answer) if isinstance(value, str))


def visible_questions(
    questions: Sequence[QuestionSpec], answers: Answers, *, service_slug: str
) -> list[QuestionSpec]:
    """Return the questions asked for this service given the answers, in questionnaire order.

    A follow-up is shown when its earlier question is itself shown and was answered with one
    of the values it waits for, so the follow-up of a hidden question stays hidden.
    """
    shown: dict[str, QuestionSpec] = {}
    for question in questions:
        if not question.applies_to(service_slug):
            continue
        condition = question.show_if
        if condition is not None and (
            condition.question not in shown
            or not _chosen(answers.get(condition.question)) & set(condition.any_of)
        ):
            continue
        shown[question.code] = question
    return list(shown.values())


def _answer_error(question: QuestionSpec, answer) -> str | None:
    """Return why `answer` is not a valid answer to a shown `question`, or None."""
    if question.kind == "text":
        if answer is None:
            answer = ""
        if not isinstance(answer, str):
            return gettext("Please write your answer as text.")
        text = answer.strip()
        if not text and question.required:
            return gettext("Please answer this question.")
        if len(text) > TEXT_MAX_LENGTH:
            return gettext("Please keep this answer to %(limit)d characters or fewer.") % {
                "limit": TEXT_MAX_LENGTH
            }
        return None

    values = _selected(answer)
    if not values:
        if not question.required:
            return None
        if question.kind == "multi":
            return gettext("Please choose at least one answer.")
        return gettext("Please answer this question.")
    if question.kind != "multi" and len(values) > 1:
        return gettext("Please choose just one answer.")
    if any(not isinstance(value, str) or value not in question.option_values for value in values):
        return gettext("Please choose one of the answers offered.")
    return None


def validate_answers(
    questions: Sequence[QuestionSpec], answers: Answers, *, service_slug: str
) -> dict[str, str]:
    """Return an error message per question code; an empty dict means the answers are valid.

    Errors that belong to no question shown on the page (answers to codes this questionnaire
    does not have, or to questions of another service) are grouped under "__all__". Answers
    to follow-ups that are hidden are ignored: a client may say "yes", pick a follow-up answer,
    then go back to "no".
    """
    errors: dict[str, str] = {}
    asked = {question.code for question in questions if question.applies_to(service_slug)}
    if any(code not in asked for code in answers):
        errors[NON_QUESTION_ERRORS] = gettext(
            "Some answers do not match the questions for this service. "
            "Please reload the page and answer again."
        )
    for question in visible_questions(questions, answers, service_slug=service_slug):
        message = _answer_error(question, answers.get(question.code))
        if message is not None:
            errors[question.code] = message
    return errors


ASSESSMENT_REASON = _("This service needs a therapist's assessment before the first session.")
AFTER_STOP_REASON = _("Answers were changed after a screening stop.")


def triage(
    questions: Sequence[QuestionSpec],
    answers: Answers,
    *,
    service_slug: str,
    service_requires_assessment: bool = False,
    assessment_approved: bool = False,
    after_stop: bool = False,
) -> TriageResult:
    """Return the level for these answers and the reasons behind it.

    Only questions shown for the service count, and the most serious fired rule wins. A
    service that needs an assessment goes to review until a therapist has approved the
    client. Answers changed after a stop in the same booking attempt never come out clear:
    a therapist looks at them first. Validate the answers first with `validate_answers`;
    triage itself never raises on them.
    """
    reasons: list[Reason] = []
    for question in visible_questions(questions, answers, service_slug=service_slug):
        selected = _chosen(answers.get(question.code))
        reasons.extend(
            Reason(question.code, rule.level, rule.reason)
            for rule in question.rules
            if selected & set(rule.when)
        )
    if service_requires_assessment and not assessment_approved:
        reasons.append(Reason(ASSESSMENT_REASON_CODE, Level.REVIEW, ASSESSMENT_REASON))
    level = Level.highest(reason.level for reason in reasons)
    # After a stop the therapist should know the answers changed, even when another reason
    # already sends the booking to review; a stop needs no more explanation.
    if after_stop and level is not Level.STOP:
        reasons.append(Reason(AFTER_STOP_REASON_CODE, Level.REVIEW, AFTER_STOP_REASON))
        level = Level.REVIEW
    # A stable sort keeps questionnaire order within each level.
    reasons.sort(key=lambda reason: reason.level.rank, reverse=True)
    return TriageResult(level=level, reasons=tuple(reasons))


def question_fields(spec: QuestionSpec) -> dict:
    """Return a question as the plain field values the database stores for it.

    Data migrations load questionnaire versions with this, so translations are resolved to
    the text the version was published with.
    """
    return {
        "code": spec.code,
        "section": spec.section,
        "text": str(spec.text),
        "kind": spec.kind,
        "help_text": str(spec.help_text),
        "choices": [{"value": c.value, "label": str(c.label)} for c in spec.choices],
        "required": spec.required,
        "show_if_question": spec.show_if.question if spec.show_if else "",
        "show_if_values": list(spec.show_if.any_of) if spec.show_if else [],
        "services": list(spec.services),
        "rules": [
            {"when": list(rule.when), "level": str(rule.level), "reason": str(rule.reason)}
            for rule in spec.rules
        ],
    }
