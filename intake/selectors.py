"""Read-side queries for intake: the current questionnaire, answers (logged), the review queue."""

from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from bookings.models import Booking, BookingStatus, Client
from intake.models import AccessLog, ConsentText, Question, Questionnaire, Submission
from intake.triage import QuestionSpec

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


def recent_stop(*, client: Client, now: datetime | None = None) -> bool:
    """Return True if this client's screening stopped an attempt in the last day."""
    now = now or timezone.now()
    return Submission.objects.filter(
        client=client, level="stop", created_at__gte=now - timedelta(days=1)
    ).exists()


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


def review_queue_count(*, therapist) -> int:
    return Booking.objects.filter(therapist=therapist, status=BookingStatus.AWAITING_REVIEW).count()
