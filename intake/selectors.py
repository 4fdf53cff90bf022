"""Read-side queries for intake: the current questionnaire, answers (logged), the review queue."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus, Client
from intake import body_map
from intake.models import (
    AccessLog,
    AftercareReport,
    ConsentText,
    LevelChoices,
    Question,
    Questionnaire,
    Review,
    SessionNote,
    Submission,
)
from intake.triage import (
    AFTER_STOP_REASON,
    AFTER_STOP_REASON_CODE,
    ASSESSMENT_REASON,
    ASSESSMENT_REASON_CODE,
    QuestionSpec,
)
from intake.validation import (
    FLOORS,
    Changes,
    Problem,
    questionnaire_changes,
    questionnaire_problems,
)
from studio.translated import (
    CONTENT_LANGUAGES,
    json_missing_languages,
    json_texts,
    language_names,
    localized,
    missing_languages,
)

# A booking on hold after a re-screen stop waits for the therapist just like a review.
REVIEWABLE_STATUSES = (BookingStatus.AWAITING_REVIEW, BookingStatus.ON_HOLD)
# Answers older than this are asked afresh rather than offered for confirmation.
ANSWERS_FRESH_FOR = timedelta(days=183)


def questionnaire_current(kind: str = Questionnaire.Kind.BOOKING) -> Questionnaire:
    """Return the newest published version of the booking questionnaire or the re-screen."""
    return (
        Questionnaire.objects.filter(kind=kind, published_at__isnull=False)
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("position")))
        .latest("version")
    )


@dataclass(frozen=True)
class PublishCheck:
    """What publishing a draft would do: why it cannot, or what it changes."""

    questionnaire: Questionnaire
    current: Questionnaire | None
    problems: tuple[Problem, ...]
    changes: Changes


def _readable_specs(questionnaire: Questionnaire) -> tuple[list[QuestionSpec], list[Problem]]:
    """Return the specs of the questions that can be read, and a problem for each that cannot."""
    specs, problems = [], []
    positions: dict[int, str] = {}
    for question in questionnaire.questions.order_by("position", "pk"):
        if question.position in positions:
            problems.append(
                Problem(
                    question.code,
                    _("It has the same position as “%(other)s”, so their order is unclear.")
                    % {"other": positions[question.position]},
                )
            )
        positions.setdefault(question.position, question.code)
        try:
            specs.append(question.to_spec())
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            problems.append(
                Problem(question.code, _("It cannot be read: %(error)s") % {"error": error})
            )
    return specs, problems


def untranslated(questionnaire: Questionnaire) -> list[Problem]:
    """Return a problem for each text of a version that some language still lacks.

    Every client reads the version in their own language, so it is published only once the
    title, each question and help text, each answer and each reason exist in all of them.
    """
    problems = []
    if missing := missing_languages(questionnaire, "title"):
        problems.append(
            Problem(
                "",
                _("The title is not written in %(languages)s yet.")
                % {"languages": language_names(missing)},
            )
        )
    for question in questionnaire.questions.order_by("position", "pk"):
        missing = set(missing_languages(question, "text"))
        if question.help_text_en.strip():
            missing.update(missing_languages(question, "help_text"))
        for choice in question.choices if isinstance(question.choices, list) else ():
            if isinstance(choice, dict):
                missing.update(json_missing_languages(choice, "label"))
        for rule in question.rules if isinstance(question.rules, list) else ():
            if isinstance(rule, dict) and str(rule.get("reason", "")).strip():
                missing.update(json_missing_languages(rule, "reason"))
        if missing:
            ordered = [language for language in CONTENT_LANGUAGES if language in missing]
            problems.append(
                Problem(
                    question.code,
                    _(
                        "It is not written in %(languages)s yet: its question, help text, "
                        "answers and reasons are needed in every language."
                    )
                    % {"languages": language_names(ordered)},
                )
            )
    return problems


def questionnaire_publish_check(questionnaire: Questionnaire) -> PublishCheck:
    """Check a draft against the rules of a safe questionnaire and the version clients answer.

    A version that cannot be read, breaks the safety floor of its kind, or would not become
    the one clients answer (it is already published, or older than the current one) has
    problems; otherwise the changes say what it does differently from the current version.
    """
    current = (
        Questionnaire.objects.filter(kind=questionnaire.kind, published_at__isnull=False)
        .exclude(pk=questionnaire.pk)
        .order_by("-version")
        .first()
    )
    specs, problems = _readable_specs(questionnaire)
    if questionnaire.published_at is not None:
        problems.insert(0, Problem("", _("This version is already published.")))
    if current is not None and current.version >= questionnaire.version:
        problems.insert(
            0,
            Problem(
                "",
                _(
                    "Version %(version)s would not replace version %(current)s, which clients "
                    "answer now: give it a higher version number."
                )
                % {"version": questionnaire.version, "current": current.version},
            ),
        )
    if not problems:
        problems = questionnaire_problems(specs, floor=FLOORS.get(questionnaire.kind, ()))
    if not problems:
        problems = untranslated(questionnaire)
    old = question_specs(current) if current is not None else None
    changes = questionnaire_changes(old, specs) if not problems else Changes()
    return PublishCheck(
        questionnaire=questionnaire,
        current=current,
        problems=tuple(problems),
        changes=changes,
    )


def consent_text_current() -> ConsentText:
    return ConsentText.objects.filter(published_at__isnull=False).latest("version")


def question_specs(questionnaire: Questionnaire) -> list[QuestionSpec]:
    return [question.to_spec() for question in questionnaire.questions.all()]


def last_answers(*, client: Client, now: datetime | None = None) -> Submission | None:
    """Return the client's most recent booking answers if still fresh enough to confirm."""
    now = now or timezone.now()
    return (
        Submission.objects.filter(
            client=client,
            kind=Submission.Kind.BOOKING,
            erased_at__isnull=True,
            created_at__gte=now - ANSWERS_FRESH_FOR,
        )
        .order_by("-created_at")
        .first()
    )


# How long a screening stop weighs on later attempts (see ``after_stop``).
STOP_REMEMBERED_FOR = timedelta(days=1)


def recent_stop(*, client: Client, now: datetime | None = None) -> bool:
    """Return True if this client's screening stopped an attempt in the last day."""
    now = now or timezone.now()
    return Submission.objects.filter(
        client=client, level="stop", created_at__gte=now - STOP_REMEMBERED_FOR
    ).exists()


def after_stop(
    *, booking: Booking, earlier_stops: Collection[str] = (), now: datetime | None = None
) -> bool:
    """Return True if answers for this hold come after a screening stop, so review at best.

    A stop weighs on the same attempt (answers changed on the stop page), on the same email
    (``recent_stop``), and on the same start time tried again from the browser that was
    stopped (``earlier_stops``, the public ids it remembers), each for a day. It does not
    weigh on somebody else booking another time on the same browser, such as a studio's
    shared tablet.
    """
    now = now or timezone.now()
    if booking.status == BookingStatus.STOPPED:
        return True
    if booking.client_id is not None and recent_stop(client=booking.client, now=now):
        return True
    ids = [value for value in earlier_stops if _is_uuid(value)]
    if not ids:
        return False
    return (
        Booking.objects.filter(
            public_id__in=ids,
            start_at=booking.start_at,
            screening_stopped_at__gte=now - STOP_REMEMBERED_FOR,
        )
        .exclude(pk=booking.pk)
        .exists()
    )


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def answers_read(
    *, submissions, user=None, actor: str, ip: str | None, action: str
) -> AccessLog | None:
    """Record one read: one response that showed these submissions' answers or reasons.

    Call it once the response is built and before it is returned, and only for a GET that
    succeeded: a HEAD, a refusal or an invalid form showed nothing. Nothing shown, no row.
    """
    ids = [submission.pk for submission in submissions]
    if not ids:
        return None
    return AccessLog.objects.create(
        # A read of one booking points at its newest submission; a list's read (the review
        # queue) at none. Every submission shown is in ``submission_ids``.
        submission=submissions[0] if len({s.booking_id for s in submissions}) == 1 else None,
        submission_ids=ids,
        user=user if user is not None and user.is_authenticated else None,
        actor=actor[:150],
        action=action,
        ip_address=ip,
    )


def answer_rows(submission: Submission) -> list[dict]:
    """Return the answers as (question, answer) rows against the version they were given on."""
    rows = []
    for question in submission.questionnaire.questions.all():
        if question.code not in submission.answers:
            continue
        value = submission.answers[question.code]
        labels = {choice.value: choice.label for choice in question.to_spec().options}
        if isinstance(value, list):
            shown = ", ".join(str(labels.get(item, item)) for item in value)
        else:
            shown = str(labels.get(value, value))
        rows.append({"question": question.text, "answer": shown, "code": question.code})
    return rows


# Reasons that come from the booking, not from a question, in the reader's language.
_BOOKING_REASONS = {
    ASSESSMENT_REASON_CODE: ASSESSMENT_REASON,
    AFTER_STOP_REASON_CODE: AFTER_STOP_REASON,
}


def _reason_read(stored: dict, rules: list) -> dict:
    """Return a stored reason with its text in the reader's language.

    The text was stored in the client's language; the rule it came from is found by its
    question, its level and that text in any language, and read out in the reader's.
    """
    code = stored.get("question", "")
    level = stored.get("level")
    shown = {**stored, "level_label": str(dict(LevelChoices.choices).get(level, level))}
    if code in _BOOKING_REASONS:
        return shown | {"text": str(_BOOKING_REASONS[code])}
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("level") != level:
            continue
        if stored.get("text") in json_texts(rule, "reason").values():
            return shown | {"text": localized(rule, "reason")}
    return shown


def reasons_read(submissions: Collection[Submission]) -> None:
    """Give each submission ``reasons_shown``: its reasons in the reader's language.

    A therapist reads a Catalan client's reasons in their own language. One query, whatever
    the number of submissions.
    """
    submissions = [submission for submission in submissions if submission is not None]
    rules: dict[tuple[int, str], list] = {}
    questionnaires = {submission.questionnaire_id for submission in submissions}
    if questionnaires:
        for questionnaire_id, code, question_rules in Question.objects.filter(
            questionnaire_id__in=questionnaires
        ).values_list("questionnaire_id", "code", "rules"):
            rules[(questionnaire_id, code)] = question_rules
    for submission in submissions:
        submission.reasons_shown = [
            _reason_read(
                reason, rules.get((submission.questionnaire_id, reason.get("question")), [])
            )
            for reason in submission.reasons
        ] + body_map_notes(submission)


# A body map's pointers are notes beside the reasons, never a level (intake/body_map.py).
BODY_MAP_NOTE = "note"


def body_map_notes(submission: Submission) -> list[dict]:
    """Return the pointers of a submission's body map, shaped as reasons to show.

    They are worked out when read, in the reader's language, and never stored with the
    reasons: the level and reasons stay what the answers made them.
    """
    return [
        {
            "question": pointer.question,
            "level": BODY_MAP_NOTE,
            "level_label": _("Body map"),
            "text": str(pointer.text),
        }
        for pointer in body_map.pointers(submission.body_map or {})
    ]


def _with_body_map() -> QuerySet[Submission]:
    return Submission.objects.filter(
        kind=Submission.Kind.BOOKING, erased_at__isnull=True, body_map__has_key="marks"
    )


def body_map_submission(*, booking: Booking) -> Submission | None:
    """Return the booking's newest submission with a body map marked, or None."""
    return _with_body_map().filter(booking=booking).order_by("-created_at").first()


def body_maps_of(*, bookings: Collection[Booking]) -> dict[int, Submission]:
    """Return each booking's newest submission with a body map, by booking id: one query."""
    found: dict[int, Submission] = {}
    ids = [booking.pk for booking in bookings]
    if not ids:
        return found
    for submission in (
        _with_body_map()
        .filter(booking_id__in=ids)
        .only("pk", "booking_id", "body_map", "created_at")
        .order_by("booking_id", "-created_at")
    ):
        found.setdefault(submission.booking_id, submission)
    return found


def review_queue(*, therapist=None) -> QuerySet[Booking]:
    """Return bookings awaiting review, soonest first, with their reasons.

    With a therapist, only theirs; without one (the owner's view), everybody's.
    """
    queryset = Booking.objects.filter(status__in=REVIEWABLE_STATUSES)
    if therapist is not None:
        queryset = queryset.filter(therapist=therapist)
    return (
        queryset.select_related("service", "length", "client", "room", "therapist")
        .prefetch_related(
            Prefetch(
                "submissions",
                queryset=Submission.objects.defer("answers").order_by("-created_at"),
                to_attr="submissions_newest_first",
            )
        )
        .order_by("start_at")
    )


def submission_newest(*, booking: Booking) -> Submission | None:
    """Return the booking's newest submission (the one a review decides on), or None."""
    return booking.submissions.order_by("-created_at").first()


def submissions_of(*, booking: Booking) -> list[Submission]:
    """Return every submission of a booking, newest first, with its questionnaire."""
    return list(booking.submissions.select_related("questionnaire").order_by("-created_at"))


def reviews_of(*, booking: Booking) -> QuerySet[Review]:
    """Return the decisions taken on a booking, with who took them."""
    return booking.reviews.select_related("reviewer")


def submissions_exported(*, client: Client) -> QuerySet[Submission]:
    """Return the submissions a client's data download shows (erased ones hold nothing)."""
    return client.submissions.filter(erased_at__isnull=True).order_by("-created_at")


# Session notes: health data, each read logged like the answers.


def notes_read(
    *, notes, aftercare=(), user=None, actor: str, ip: str | None, action: str
) -> AccessLog | None:
    """Record one read: one response that showed these session notes or after-care reports.

    None shown, no row.
    """
    ids = [note.pk for note in notes]
    aftercare_ids = [report.pk for report in aftercare]
    if not ids and not aftercare_ids:
        return None
    return AccessLog.objects.create(
        note_ids=ids,
        aftercare_ids=aftercare_ids,
        user=user if user is not None and user.is_authenticated else None,
        actor=actor[:150],
        action=action,
        ip_address=ip,
    )


def session_note(booking: Booking) -> SessionNote | None:
    """Return the note of this booking with its addenda, or None if none is written yet."""
    return (
        SessionNote.objects.filter(booking=booking)
        .select_related("author", "booking__service", "booking__therapist")
        .prefetch_related("addenda__author")
        .first()
    )


def last_notes(*, bookings) -> dict[int, SessionNote]:
    """Return, for each booking, the newest note of its client from an earlier session.

    In one query, whatever the number of bookings: the therapist's day shows each client's
    last note beside the booking.
    """
    bookings = [booking for booking in bookings if booking.client_id is not None]
    if not bookings:
        return {}
    notes = (
        SessionNote.objects.filter(booking__client_id__in={b.client_id for b in bookings})
        .select_related("author", "booking__service", "booking__therapist")
        .order_by("-booking__start_at")
    )
    by_client: dict[int, list[SessionNote]] = {}
    for note in notes:
        by_client.setdefault(note.booking.client_id, []).append(note)
    found = {}
    for booking in bookings:
        earlier = [
            n for n in by_client.get(booking.client_id, ()) if n.booking.start_at < booking.start_at
        ]
        if earlier:
            found[booking.pk] = earlier[0]
    return found


def aftercare_report(booking: Booking) -> AftercareReport | None:
    return AftercareReport.objects.filter(booking=booking).first()
