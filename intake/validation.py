"""Check a questionnaire version before it is published, and compare it with the current one.

Everything here is pure, like triage: specs in, problems and changes out. Publishing refuses a
version with any problem (a rule that can never fire, a follow-up that can never be shown, a
flag without a reason, or a break of the safety floor below), and asks the person publishing
to confirm, by name, every stop or review that the new version no longer raises.

The safety floor is the design's triage table written as answers on the question codes of
each questionnaire family. It lives in code on purpose: a studio edits its questionnaire in
the admin, but lowering the floor itself takes a reviewed change to this file and its tests.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.questionnaire_v1 import FOOT_SERVICES, LEG_SERVICES
from intake.triage import NO, YES, Level, QuestionSpec, triage, visible_questions

# Every service the demo catalogue offers: the v1 questions are written for these.
ALL_SERVICES = tuple(dict.fromkeys(("leg-massage", "foot-massage", *LEG_SERVICES, *FOOT_SERVICES)))
# Stands for any service that no question names, so a question asked of every service is
# checked once more for a service the studio adds later.
OTHER_SERVICE = ""

_FLAGS = (Level.REVIEW, Level.STOP)

# The levels as words inside a sentence.
LEVEL_NAMES = {Level.CLEAR: _("clear"), Level.REVIEW: _("review"), Level.STOP: _("stop")}


@dataclass(frozen=True)
class Problem:
    """Why a version cannot be published, in words the person publishing can act on."""

    question: str
    message: str

    def __str__(self):
        return f"{self.question}: {self.message}" if self.question else self.message


# The safety floor


@dataclass(frozen=True)
class FloorRule:
    """Answers that must raise at least `level` (exactly `level` when `exact`) for `services`."""

    key: str
    description: str
    answers: Mapping[str, str | tuple[str, ...]]
    level: Level
    services: tuple[str, ...] = ALL_SERVICES
    exact: bool = False


BOOKING_FLOOR: tuple[FloorRule, ...] = (
    FloorRule(
        "one_leg",
        _("Pain, swelling, redness or warmth in one leg only stops the booking."),
        {"leg_symptoms": YES, "leg_symptoms_side": "one"},
        Level.STOP,
    ),
    FloorRule(
        "both_legs",
        _("Swelling in both legs goes to review, not to a stop."),
        {"leg_symptoms": YES, "leg_symptoms_side": "both"},
        Level.REVIEW,
        exact=True,
    ),
    FloorRule(
        "clot_now",
        _("A current or suspected blood clot stops the booking."),
        {"blood_clot": "now"},
        Level.STOP,
    ),
    FloorRule(
        "clot_not_cleared",
        _("A past blood clot not cleared by a doctor stops the booking."),
        {"blood_clot": "past_not_cleared"},
        Level.STOP,
    ),
    FloorRule(
        "wound_legs",
        _("An open wound or infection on the legs stops a massage of the legs."),
        {"skin_wound": YES},
        Level.STOP,
        LEG_SERVICES,
    ),
    FloorRule(
        "wound_feet",
        _("An open wound on the feet stops a massage of the feet."),
        {"foot_skin": YES, "foot_skin_kind": ("wound",)},
        Level.STOP,
        FOOT_SERVICES,
    ),
    FloorRule(
        "infection_feet",
        _("An infection on the feet stops a massage of the feet."),
        {"foot_skin": YES, "foot_skin_kind": ("infection",)},
        Level.STOP,
        FOOT_SERVICES,
    ),
    FloorRule("pregnancy", _("Pregnancy goes to review."), {"pregnant": YES}, Level.REVIEW),
    FloorRule(
        "varicose_veins",
        _("Pronounced varicose veins go to review."),
        {"varicose_veins": "pronounced"},
        Level.REVIEW,
        LEG_SERVICES,
    ),
    FloorRule(
        "injury",
        _("A recent injury, fracture, surgery or implant goes to review."),
        {"injury_or_surgery": YES},
        Level.REVIEW,
    ),
    FloorRule(
        "intense_pain", _("Intense pain goes to review."), {"intense_pain": YES}, Level.REVIEW
    ),
    FloorRule(
        "skin_legs",
        _("A skin problem on the legs goes to review."),
        {"skin_problems": YES},
        Level.REVIEW,
        LEG_SERVICES,
    ),
    FloorRule(
        "skin_feet",
        _("A fungal or other skin problem on the feet goes to review."),
        {"foot_skin": YES, "foot_skin_kind": ("other",)},
        Level.REVIEW,
        FOOT_SERVICES,
    ),
    FloorRule(
        "circulatory",
        _("An ongoing circulatory condition goes to review."),
        {"circulatory_condition": YES},
        Level.REVIEW,
    ),
    FloorRule(
        "medical",
        _("An ongoing medical condition or diagnosis goes to review."),
        {"medical_condition": YES},
        Level.REVIEW,
    ),
    FloorRule(
        "numb_areas",
        _("Diabetes or neuropathy with numb areas goes to review."),
        {"diabetes_or_neuropathy": YES, "numb_areas": YES},
        Level.REVIEW,
    ),
    FloorRule(
        "lymphatic",
        _("Lymphatic drainage without a prior assessment goes to review."),
        {"lymphatic_assessed": NO},
        Level.REVIEW,
        ("lymphatic-drainage",),
    ),
)

RESCREEN_FLOOR: tuple[FloorRule, ...] = (
    FloorRule(
        "one_leg",
        _("Pain, swelling, redness or warmth in one leg only stops the visit."),
        {"leg_symptoms_now": YES, "leg_symptoms_now_side": "one"},
        Level.STOP,
    ),
    FloorRule(
        "both_legs",
        _("Swelling in both legs goes to review, not to a stop."),
        {"leg_symptoms_now": YES, "leg_symptoms_now_side": "both"},
        Level.REVIEW,
        exact=True,
    ),
    FloorRule(
        "clot_now",
        _("A suspected blood clot stops the visit."),
        {"clot_now": YES},
        Level.STOP,
    ),
    FloorRule(
        "injury",
        _("A new injury, fracture or operation goes to review."),
        {"new_injury": YES},
        Level.REVIEW,
    ),
)

# Keyed like Questionnaire.Kind, without importing the models: this module stays pure.
FLOORS: dict[str, tuple[FloorRule, ...]] = {"booking": BOOKING_FLOOR, "rescreen": RESCREEN_FLOOR}


def _as_answer(question: QuestionSpec | None, value: str | tuple[str, ...]):
    if question is not None and question.kind == "multi":
        return list(value) if isinstance(value, tuple) else [value]
    return value[0] if isinstance(value, tuple) else value


def floor_problems(questions: Sequence[QuestionSpec], floor: Sequence[FloorRule]) -> list[Problem]:
    """Return a problem for every floor rule these questions no longer hold.

    Only the floor's own answers are given, so nothing else can raise the level for them:
    the rule holds only if those answers alone reach its level.
    """
    by_code = {question.code: question for question in questions}
    problems = []
    for rule in floor:
        answers = {code: _as_answer(by_code.get(code), v) for code, v in rule.answers.items()}
        failing = []
        for service in rule.services:
            shown = {q.code for q in visible_questions(questions, answers, service_slug=service)}
            level = triage(questions, answers, service_slug=service).level
            missing = [code for code in rule.answers if code not in shown]
            too_low = level < rule.level or (rule.exact and level != rule.level)
            if missing or too_low:
                failing.append(service)
        if failing:
            problems.append(
                Problem(
                    "",
                    gettext(
                        "The safety floor no longer holds: %(rule)s (checked with the answers "
                        "%(answers)s, for %(services)s)."
                    )
                    % {
                        "rule": rule.description,
                        "answers": _answers_text(rule.answers),
                        "services": ", ".join(failing),
                    },
                )
            )
    return problems


def _answers_text(answers: Mapping[str, str | tuple[str, ...]]) -> str:
    return ", ".join(
        f"{code} = {'+'.join(value) if isinstance(value, tuple) else value}"
        for code, value in answers.items()
    )


# Problems with the version itself


def _services_universe(*versions: Sequence[QuestionSpec]) -> tuple[str, ...]:
    named = {service for questions in versions for q in questions for service in q.services}
    return (*sorted(named), OTHER_SERVICE)


def _leads_to_a_flag(questions: Sequence[QuestionSpec]) -> set[str]:
    """Return the codes of questions that carry a flag or that a flagged follow-up hangs on."""
    parent = {q.code: q.show_if.question for q in questions if q.show_if is not None}
    codes: set[str] = set()
    for question in questions:
        if any(rule.level in _FLAGS for rule in question.rules):
            code = question.code
            while code is not None and code not in codes:
                codes.add(code)
                code = parent.get(code)
    return codes


def questionnaire_problems(
    questions: Sequence[QuestionSpec], *, floor: Sequence[FloorRule] = ()
) -> list[Problem]:
    """Return every reason this version must not be published; an empty list means none.

    Questions are taken in the order clients see them.
    """
    problems: list[Problem] = []

    def refuse(code: str, message: str, **params) -> None:
        problems.append(Problem(code, message % params if params else message))

    if not questions:
        refuse("", gettext("The version has no questions."))
    seen: dict[str, QuestionSpec] = {}
    codes = [question.code for question in questions]
    for question in questions:
        code = question.code
        if not code.strip():
            refuse(code, gettext("A question has no code."))
        if codes.count(code) > 1 and code not in seen:
            refuse(code, gettext("Two questions share this code."))
        if not str(question.text).strip():
            refuse(code, gettext("The question has no text for the client to read."))
        if any(not str(choice.label).strip() for choice in question.choices):
            refuse(code, gettext("An answer has no text for the client to read."))
        values = [option.value for option in question.options]
        if len(values) != len(set(values)):
            refuse(code, gettext("Two answers of this question share a value."))
        for rule in question.rules:
            if not rule.when:
                refuse(code, gettext("A rule names no answer, so it never applies."))
            for value in rule.when:
                if value not in question.option_values:
                    refuse(
                        code,
                        gettext(
                            "A rule waits for the answer “%(value)s”, which this question "
                            "does not offer (it offers: %(offered)s)."
                        ),
                        value=value,
                        offered=", ".join(values) or gettext("no answers to choose"),
                    )
            if rule.level in _FLAGS and not str(rule.reason).strip():
                refuse(
                    code,
                    gettext("A %(level)s rule has no reason for the therapist to read."),
                    level=LEVEL_NAMES[rule.level],
                )
        condition = question.show_if
        if condition is not None:
            earlier = seen.get(condition.question)
            if earlier is None:
                later = condition.question in codes
                message = (
                    gettext("It is shown only after “%(question)s”, which comes later.")
                    if later
                    else gettext(
                        "It is shown only after “%(question)s”, which is not a question of "
                        "this version."
                    )
                )
                refuse(code, message, question=condition.question)
            else:
                if not condition.any_of:
                    refuse(code, gettext("It is shown only after an answer, but names none."))
                for value in condition.any_of:
                    if value not in earlier.option_values:
                        refuse(
                            code,
                            gettext(
                                "It is shown only when “%(question)s” is answered “%(value)s”, "
                                "which that question does not offer."
                            ),
                            question=earlier.code,
                            value=value,
                        )
        seen.setdefault(code, question)

    problems.extend(_unreachable(questions))
    for code in sorted(_leads_to_a_flag(questions)):
        question = seen.get(code)
        if question is not None and not question.required and question.kind != "multi":
            refuse(
                code,
                gettext(
                    "It raises a stop or review, or leads to one, so it must be required: "
                    "a client who skips it would pass unscreened."
                ),
            )
    problems.extend(floor_problems(questions, floor))
    return problems


def _unreachable(questions: Sequence[QuestionSpec]) -> list[Problem]:
    """Return a problem per question no client of any service can ever be shown."""
    universe = _services_universe(questions)
    problems = []
    reachable: dict[str, set[str]] = {}
    for question in questions:
        services = {s for s in universe if question.applies_to(s)}
        condition = question.show_if
        if condition is not None:
            parent = next((q for q in questions if q.code == condition.question), None)
            if (
                parent is None
                or parent.code not in reachable
                or not set(condition.any_of) & parent.option_values
            ):
                services = set()
            else:
                services &= reachable[parent.code]
            # Asked of services its earlier question is never asked of.
            orphaned = [
                s for s in question.services if s not in services and question.applies_to(s)
            ]
            if services and orphaned:
                problems.append(
                    Problem(
                        question.code,
                        gettext(
                            "It is never shown for %(services)s: the question it follows is "
                            "not asked there."
                        )
                        % {"services": ", ".join(orphaned)},
                    )
                )
        if not services:
            problems.append(Problem(question.code, gettext("No client can ever be shown it.")))
        else:
            reachable.setdefault(question.code, services)
    return problems


# What changed against the current version


@dataclass(frozen=True)
class Weakening:
    """A stop or review that the current version raises and the new one raises lower or not."""

    question: str
    value: str
    reason: str
    before: Level
    after: Level
    # Empty when weakened for every service the old version flagged it for.
    services: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Return the name a person ticks to confirm this weakening."""
        return f"{self.question}={self.value}:{self.before.value}:{self.after.value}"

    def __str__(self):
        params = {
            "question": self.question,
            "value": self.value,
            "reason": self.reason,
            "before": LEVEL_NAMES[self.before],
            "after": LEVEL_NAMES[self.after],
            "services": ", ".join(s or gettext("any other service") for s in self.services),
        }
        if self.after is Level.CLEAR:
            text = gettext("%(question)s = %(value)s (“%(reason)s”) no longer raises a %(before)s")
        else:
            text = gettext(
                "%(question)s = %(value)s (“%(reason)s”) goes from %(before)s down to %(after)s"
            )
        if not self.services:
            return (text + ".") % params
        return (text + gettext(", for %(services)s.")) % params


@dataclass(frozen=True)
class Changes:
    """What a new version changes against the current one."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    weakened: tuple[Weakening, ...] = field(default=())

    @property
    def confirmation_keys(self) -> frozenset[str]:
        """Return the names that must all be confirmed before the version is published."""
        return frozenset(weakening.key for weakening in self.weakened)

    def __bool__(self):
        return bool(self.added or self.removed or self.changed or self.weakened)


_COMPARED = ("section", "text", "help_text", "kind", "choices", "required", "show_if", "services")


def _witnesses(
    questions: Sequence[QuestionSpec], question: QuestionSpec
) -> Iterator[dict[str, object]]:
    """Yield each smallest set of earlier answers that shows `question`."""
    by_code = {q.code: q for q in questions}
    chain: list[tuple[QuestionSpec, tuple[str, ...]]] = []
    current, guard = question, set()
    while current.show_if is not None and current.code not in guard:
        guard.add(current.code)
        parent = by_code.get(current.show_if.question)
        if parent is None:
            return
        values = tuple(v for v in current.show_if.any_of if v in parent.option_values)
        chain.append((parent, values))
        current = parent
    for picked in product(*(values for _parent, values in chain)):
        yield {
            parent.code: _as_answer(parent, value)
            for (parent, _values), value in zip(chain, picked, strict=True)
        }


def _raised(questions, code: str, answers, service: str) -> Level:
    result = triage(questions, answers, service_slug=service)
    return Level.highest(reason.level for reason in result.reasons if reason.question == code)


def _weakenings(old: Sequence[QuestionSpec], new: Sequence[QuestionSpec]) -> list[Weakening]:
    """Return every answer the old version flags that the new one flags lower or not at all.

    The check is on outcomes, not on the rule list: the old version's smallest answers that
    reach the flag are triaged by the new version, service by service. So a rule removed,
    lowered, moved to a value no longer offered, a question removed or no longer asked for a
    service, or hidden behind a new condition all show, each once per answer.
    """
    universe = _services_universe(old, new)
    weakened = []
    for question in old:
        for value in sorted({v for rule in question.rules for v in rule.when}):
            answer = _as_answer(question, value)
            lowest: dict[str, Level] = {}
            flagged: set[str] = set()
            before = Level.CLEAR
            for service in universe:
                for witness in _witnesses(old, question):
                    answers = witness | {question.code: answer}
                    was = _raised(old, question.code, answers, service)
                    if was not in _FLAGS:
                        continue
                    before = max(before, was)
                    flagged.add(service)
                    now = _raised(new, question.code, answers, service)
                    if now < was:
                        lowest[service] = min(lowest.get(service, now), now)
            if lowest:
                reason = next(
                    (
                        str(r.reason)
                        for r in question.rules
                        if value in r.when and r.level is before
                    ),
                    "",
                )
                weakened.append(
                    Weakening(
                        question=question.code,
                        value=value,
                        reason=reason,
                        before=before,
                        after=min(lowest.values()),
                        # Weakened wherever it applied: no need to list every service.
                        services=() if set(lowest) == flagged else tuple(sorted(lowest)),
                    )
                )
    return weakened


def questionnaire_changes(
    old: Sequence[QuestionSpec] | None, new: Sequence[QuestionSpec]
) -> Changes:
    """Return what `new` changes against `old`, the version clients answer now."""
    old = old or ()
    old_by_code = {q.code: q for q in old}
    new_by_code = {q.code: q for q in new}
    changed = []
    for code, question in new_by_code.items():
        before = old_by_code.get(code)
        if before is None:
            continue
        fields = [name for name in _COMPARED if getattr(before, name) != getattr(question, name)]
        if [(r.when, r.level, str(r.reason)) for r in before.rules] != [
            (r.when, r.level, str(r.reason)) for r in question.rules
        ]:
            fields.append("rules")
        if fields:
            changed.append((code, tuple(fields)))
    return Changes(
        added=tuple(code for code in new_by_code if code not in old_by_code),
        removed=tuple(code for code in old_by_code if code not in new_by_code),
        changed=tuple(changed),
        weakened=tuple(_weakenings(old, new)),
    )
