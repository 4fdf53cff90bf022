"""Write-side intake functions: submit and triage answers, review, export and erase.

The submission and the booking's status change in one transaction, so nothing is ever
half-saved: either the answers are stored and the booking moved on, or neither.
"""

from collections.abc import Collection
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import services as booking_services
from bookings.errors import BookingRefused
from bookings.messages.compose import CLIENT_EVENTS
from bookings.messages.outbox import notify
from bookings.models import Booking, BookingStatus, Client, Notification, new_manage_token
from intake import body_map as body_maps
from intake import selectors
from intake.models import (
    AftercareReport,
    AssessmentApproval,
    Consent,
    ConsentText,
    Question,
    Questionnaire,
    Review,
    SessionNote,
    SessionNoteAddendum,
    Submission,
)
from intake.triage import Level, triage, validate_answers, visible_questions
from intake.validation import Problem
from studio import permissions
from studio.translated import columns, language_names, missing_languages


class IntakeInvalid(BookingRefused):
    """The answers do not fit the questionnaire; ``errors`` maps question codes to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Please check the answers marked below."), code=BookingRefused.INVALID)
        self.errors = errors


class PublishRefused(BookingRefused):
    """The version cannot be published; ``problems`` says why, one readable line each."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__(_("This version cannot be published."), code=BookingRefused.INVALID)
        self.problems = problems


class PublishNotConfirmed(BookingRefused):
    """The version weakens the screening, and not every weakening was confirmed by name."""

    def __init__(self, check: selectors.PublishCheck, missing: frozenset[str]):
        super().__init__(
            _("Please confirm each stop or review this version weakens before publishing it."),
            code=BookingRefused.POLICY,
        )
        self.check = check
        self.missing = missing


class DraftRefused(BookingRefused):
    """A change to a questionnaire version refused for a reason the person editing can read."""


_STATUS_FOR_LEVEL = {
    Level.CLEAR: BookingStatus.CONFIRMED,
    Level.REVIEW: BookingStatus.AWAITING_REVIEW,
    Level.STOP: BookingStatus.STOPPED,
}


def intake_submit(
    *,
    booking: Booking,
    answers: dict,
    consent_given: bool,
    earlier_stops: Collection[str] = (),
    body_map: dict | None = None,
    now: datetime | None = None,
) -> Submission:
    """Triage the answers for a held booking and settle it: confirmed, awaiting review or stopped.

    The optional ``body_map`` (see ``intake.body_map``) is stored with the answers; it takes
    no part in triage.

    A stop releases the hold. Answers that come after a stop (the same attempt, the same
    email, or the same time tried again from a browser the screening stopped: see
    ``selectors.after_stop``; ``earlier_stops`` are that browser's stopped attempts) are
    triaged as changed after a stop, so they reach review at best, and a stopped attempt's
    slot is taken again only if it is still free.
    """
    now = now or timezone.now()
    if not consent_given:
        raise BookingRefused(
            _(
                "We can only take a booking with your consent to use your health answers "
                "to keep your session safe. Please tick the consent box."
            )
        )
    try:
        body_map = body_maps.clean(body_map)
    except body_maps.BodyMapInvalid as invalid:
        raise IntakeInvalid({"body_map": invalid.message}) from invalid
    questionnaire = selectors.questionnaire_current()
    specs = selectors.question_specs(questionnaire)
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("service", "client")
            .get(pk=booking.pk)
        )
        retry_after_stop = booking.status == BookingStatus.STOPPED
        if not retry_after_stop:
            booking_services.hold_check(booking=booking, now=now)
        if booking.client is None:
            raise BookingRefused(_("Please tell us who the booking is for first."))
        service = booking.service
        errors = validate_answers(specs, answers, service_slug=service.slug)
        if errors:
            raise IntakeInvalid(errors)
        after_stop = selectors.after_stop(booking=booking, earlier_stops=earlier_stops, now=now)
        approved = AssessmentApproval.objects.filter(
            client=booking.client, service=service
        ).exists()
        result = triage(
            specs,
            answers,
            service_slug=service.slug,
            service_requires_assessment=service.requires_assessment,
            assessment_approved=approved,
            after_stop=after_stop,
        )
        consent = Consent.objects.create(
            client=booking.client, text=selectors.consent_text_current(), given_at=now
        )
        submission = Submission.objects.create(
            booking=booking,
            client=booking.client,
            questionnaire=questionnaire,
            consent=consent,
            answers=_kept_answers(specs, answers, service.slug),
            level=result.level.value,
            reasons=[
                {"question": r.question, "level": r.level.value, "text": str(r.text)}
                for r in result.reasons
            ],
            body_map=body_map,
            after_stop=after_stop,
            created_at=now,
        )
        status = _STATUS_FOR_LEVEL[result.level]
        booking_services.booking_screening_record(
            booking=booking, level=result.level, stopped=result.level == Level.STOP, now=now
        )
        if retry_after_stop:
            if status != BookingStatus.STOPPED:
                booking = booking_services.booking_reactivate(
                    booking=booking, status=status, now=now
                )
        elif status == BookingStatus.STOPPED:
            booking_services.hold_release(booking=booking, status=BookingStatus.STOPPED)
        else:
            booking = booking_services.booking_settle(booking=booking, status=status, now=now)
        # The booking's own status: past the no-show limit, a clear one awaits the front desk.
        _notify_outcome(booking, submission, status=booking.status, repeated=retry_after_stop)
    return submission


def _notify_outcome(booking, submission, *, status: str, repeated: bool) -> None:
    key = str(submission.pk)
    if status == BookingStatus.CONFIRMED:
        notify("confirmed", booking, key=key)
    elif status == BookingStatus.AWAITING_DESK:
        notify("awaiting_desk", booking, key=key)
        notify("desk_confirmation_requested", booking, key=key)
    elif status == BookingStatus.AWAITING_REVIEW:
        notify("awaiting_review", booking, key=key)
        notify("review_requested", booking, key=key)
    elif not repeated:
        notify("screening_stop", booking, key=key)


def _kept_answers(specs, answers: dict, service_slug: str) -> dict:
    """Keep only the answers to questions that were shown: hidden follow-ups are dropped."""
    shown = {q.code for q in visible_questions(specs, answers, service_slug=service_slug)}
    return {code: value for code, value in answers.items() if code in shown and value != ""}


@transaction.atomic
def review_decide(
    *,
    booking: Booking,
    reviewer,
    decision: str,
    adaptations: str = "",
    message: str = "",
    now: datetime | None = None,
) -> Review:
    """Record a therapist's decision on a booking awaiting review and move the booking on."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    if not permissions.can_review(reviewer, booking):
        raise BookingRefused(_("Only the therapist of this booking can review it."))
    if booking.status not in (BookingStatus.AWAITING_REVIEW, BookingStatus.ON_HOLD):
        raise BookingRefused(_("This booking is no longer waiting for a review."))
    if decision not in Review.Decision.values:
        raise BookingRefused(_("Please choose a decision."))
    adaptations = adaptations.strip()
    if decision == Review.Decision.ADAPT and not adaptations:
        raise BookingRefused(_("Please describe the adaptations."))
    if decision == Review.Decision.DECLINE and not message.strip():
        raise BookingRefused(_("Please write a short message to the client."))
    submission = selectors.submission_newest(booking=booking)
    if submission is None:
        raise BookingRefused(_("This booking has no answers to review."))
    if decision == Review.Decision.DECLINE:
        booking.status = BookingStatus.DECLINED
        booking.cancelled_at = now
        booking.sequence += 1
    else:
        booking.status = booking_services.status_after_review(booking)
        booking.confirmed_at = now if booking.status == BookingStatus.CONFIRMED else None
        booking.adaptations = adaptations if decision == Review.Decision.ADAPT else ""
        if booking.service.requires_assessment and booking.client_id:
            AssessmentApproval.objects.get_or_create(
                client_id=booking.client_id,
                service_id=booking.service_id,
                defaults={"approved_by": reviewer, "approved_at": now},
            )
    booking.save(
        update_fields=[
            "status",
            "confirmed_at",
            "cancelled_at",
            "adaptations",
            "sequence",
            "updated_at",
        ]
    )
    review = Review.objects.create(
        booking=booking,
        submission=submission,
        decision=decision,
        adaptations=adaptations,
        message=message.strip(),
        reviewer=reviewer,
        decided_at=now,
    )
    notify("review_outcome", booking, key=str(review.pk))
    if booking.status == BookingStatus.AWAITING_DESK:
        notify("desk_confirmation_requested", booking, key=str(review.pk))
    return review


def client_export(*, client: Client) -> dict:
    """Return everything stored about a client, as plain data for a JSON download."""
    bookings = client.bookings.select_related("service", "therapist").order_by("start_at")
    submissions = client.submissions.select_related("questionnaire").order_by("created_at")
    notes = (
        SessionNote.objects.filter(booking__client=client)
        .select_related("booking__service", "author")
        .prefetch_related("addenda__author")
        .order_by("booking__start_at")
    )
    return {
        "client": {
            "name": client.name,
            "email": client.email,
            "phone": client.phone,
            "created_at": client.created_at.isoformat(),
        },
        "bookings": [
            {
                "service": booking.service.name,
                "therapist": booking.therapist.display_name,
                "start_at": booking.start_at.isoformat(),
                "end_at": booking.end_at.isoformat(),
                "status": booking.status,
                "adaptations": booking.adaptations,
            }
            for booking in bookings
        ],
        "health_answers": [
            {
                "submitted_at": submission.created_at.isoformat(),
                "questionnaire_version": submission.questionnaire.version,
                "kind": submission.kind,
                "answers": selectors.answer_rows(submission),
                "level": submission.level,
                "reasons": [reason["text"] for reason in submission.reasons],
                "body_map": [
                    {
                        "area": str(row.region.label),
                        "kind": str(row.kind_label),
                        "intensity": str(row.intensity_label),
                    }
                    for row in body_maps.rows(submission.body_map)
                ],
            }
            for submission in submissions
            if submission.erased_at is None
        ],
        "session_notes": [_note_export(note) for note in notes],
        "after_care": [
            {
                "session": report.booking.start_at.isoformat(),
                "told_at": report.created_at.isoformat(),
                "feelings": report.feeling_labels,
                "details": report.details,
            }
            for report in AftercareReport.objects.filter(booking__client=client)
            .select_related("booking")
            .order_by("created_at")
        ],
        "consents": [
            {
                "version": consent.text.version,
                "given_at": consent.given_at.isoformat(),
                "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
            }
            for consent in client.consents.select_related("text")
        ],
    }


def _note_export(note: SessionNote) -> dict:
    return {
        "session": note.booking.start_at.isoformat(),
        "service": note.booking.service.name,
        "written_by": note.author.get_full_name() or note.author.get_username(),
        "written_at": note.created_at.isoformat(),
        "subjective": note.subjective,
        "objective": note.objective,
        "assessment": note.assessment,
        "plan": note.plan,
        "areas_treated": [str(region.label) for region in body_maps.regions(note.areas)],
        "techniques": note.technique_labels,
        "pressure": note.get_pressure_display(),
        "response": note.response,
        "addenda": [
            {
                "written_by": addendum.author.get_full_name() or addendum.author.get_username(),
                "written_at": addendum.created_at.isoformat(),
                "text": addendum.text,
            }
            for addendum in note.addenda.all()
        ],
    }


@transaction.atomic
def client_erase(*, client: Client, now: datetime | None = None) -> None:
    """Erase a client's answers, personal details and every text about them; keep the bookings.

    Upcoming bookings are cancelled first: without contact details or answers the studio
    could not hold them safely.
    """
    now = now or timezone.now()
    client = Client.objects.select_for_update().get(pk=client.pk)
    # Whatever the client wrote or was written about them goes: their reasons for cancelling
    # (before the cancellations below record why they were cancelled), the therapist's
    # adaptations and messages, and the addresses their emails went to.
    client.bookings.update(cancel_reason="")
    for booking in client.bookings.filter(status__in=Booking.ACTIVE, start_at__gt=now):
        booking_services.booking_cancel(
            booking=booking, reason="Client data erased", by_client=False, now=now
        )
    client.submissions.update(answers={}, reasons=[], body_map={}, erased_at=now)
    # Session notes and their addenda go whole; the bookings they were written for stay.
    SessionNote.objects.filter(booking__client=client).delete()
    AftercareReport.objects.filter(booking__client=client).delete()
    client.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    client.bookings.update(adaptations="", staff_note="")
    Review.objects.filter(booking__client=client).update(adaptations="", message="")
    # Each row keeps an address of its own: the log's uniqueness includes the recipient.
    Notification.objects.filter(booking__client=client, event__in=CLIENT_EVENTS).update(
        recipient=Concat(Value("erased-"), Cast("pk", output_field=CharField()), Value("@invalid"))
    )
    # The links in the client's emails must lead nowhere once their data is gone.
    for booking_id in client.bookings.values_list("pk", flat=True):
        Booking.objects.filter(pk=booking_id).update(manage_token=new_manage_token())
    client.name = _("Erased client")
    client.email = f"erased-{client.pk}@invalid"
    client.phone = ""
    client.user = None
    client.erased_at = now
    client.save()


_RESCREEN_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.AWAITING_REVIEW)


def rescreen_refusal(*, booking: Booking, now: datetime | None = None) -> str | None:
    """Return why this booking cannot be re-screened now, or None if it can."""
    now = now or timezone.now()
    answered = _("Thank you: we already have your answers for this visit.")
    # A booking is on hold because of its re-screen answers: it is not "no longer active".
    if booking.status == BookingStatus.ON_HOLD:
        return answered
    if booking.status not in _RESCREEN_STATUSES:
        return _("This booking is no longer active, so there is nothing to check.")
    if booking.start_at <= now:
        return _("This session has already taken place.")
    if booking.submissions.filter(kind=Submission.Kind.RESCREEN).exists():
        return answered
    return None


def rescreen_submit(*, booking: Booking, answers: dict, now: datetime | None = None) -> Submission:
    """Triage the pre-visit answers: a stop puts the booking on hold, a review re-queues it."""
    now = now or timezone.now()
    questionnaire = selectors.questionnaire_current(kind="rescreen")
    specs = selectors.question_specs(questionnaire)
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("service", "client")
            .get(pk=booking.pk)
        )
        refusal = rescreen_refusal(booking=booking, now=now)
        if refusal:
            raise BookingRefused(refusal, code=BookingRefused.POLICY)
        errors = validate_answers(specs, answers, service_slug=booking.service.slug)
        if errors:
            raise IntakeInvalid(errors)
        result = triage(specs, answers, service_slug=booking.service.slug)
        submission = Submission.objects.create(
            booking=booking,
            client=booking.client,
            questionnaire=questionnaire,
            consent=booking.client.consents.filter(withdrawn_at__isnull=True).first(),
            kind=Submission.Kind.RESCREEN,
            answers=_kept_answers(specs, answers, booking.service.slug),
            level=result.level.value,
            reasons=[
                {"question": r.question, "level": r.level.value, "text": str(r.text)}
                for r in result.reasons
            ],
            created_at=now,
        )
        booking_services.booking_screening_record(
            booking=booking, level=result.level, stopped=False, now=now
        )
        key = str(submission.pk)
        if result.level == Level.STOP:
            booking.status = BookingStatus.ON_HOLD
            booking.save(update_fields=["status", "updated_at"])
            notify("rescreen_stop", booking, key=key)
        elif result.level == Level.REVIEW and booking.status != BookingStatus.AWAITING_REVIEW:
            booking.status = BookingStatus.AWAITING_REVIEW
            booking.save(update_fields=["status", "updated_at"])
            notify("review_requested", booking, key=key)
    return submission


def manage_link_send(*, booking: Booking, now: datetime | None = None) -> None:
    """Email the client the manage link that proves their mailbox (once per ten minutes)."""
    now = now or timezone.now()
    notify("manage_link", booking, key=f"{int(now.timestamp()) // 600}")


@transaction.atomic
def questionnaire_copy_as_draft(*, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a version, its title and questions, as a new draft numbered after the newest one."""
    latest = (
        Questionnaire.objects.select_for_update()
        .filter(kind=questionnaire.kind)
        .order_by("-version")
        .first()
    )
    draft = Questionnaire.objects.create(
        kind=questionnaire.kind,
        version=latest.version + 1,
        **{column: getattr(questionnaire, column) for column in columns("title")},
    )
    for question in questionnaire.questions.all():
        question.pk = None
        question.questionnaire = draft
        question.save()
    return draft


def questionnaire_publish(
    *,
    questionnaire: Questionnaire,
    confirmed_changes: Collection[str] = (),
    now: datetime | None = None,
) -> Questionnaire:
    """Publish a draft version, so that clients answer it from now on.

    Refuse a version with any problem (see `intake.validation`). A version that flags some
    answer lower than the current version does, or not at all, is published only when every
    such weakening is named in `confirmed_changes` (by its `Weakening.key`).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Every version of the kind is locked, so the comparison is made with the version
        # that is still current when this one is published.
        list(
            Questionnaire.objects.select_for_update()
            .filter(kind=questionnaire.kind)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        questionnaire = Questionnaire.objects.get(pk=questionnaire.pk)
        check = selectors.questionnaire_publish_check(questionnaire)
        if check.problems:
            raise PublishRefused(check.problems)
        missing = check.changes.confirmation_keys - set(confirmed_changes)
        if missing:
            raise PublishNotConfirmed(check, frozenset(missing))
        questionnaire.published_at = now
        questionnaire.save(update_fields=["published_at"])
    return questionnaire


# Editing a draft. A published version is what old answers are read against: it never changes,
# and each function below refuses it after locking the row, so an edit racing a publish
# either lands before it (and is what gets published) or is refused.


def _locked_unpublished(version, refusal: str):
    """Lock a questionnaire or consent text version; refuse it if it is published already."""
    draft = type(version).objects.select_for_update().get(pk=version.pk)
    if draft.published_at is not None:
        raise DraftRefused(refusal % {"version": draft.version})
    return draft


def _locked_draft(questionnaire: Questionnaire) -> Questionnaire:
    return _locked_unpublished(
        questionnaire,
        _(
            "Version %(version)s is published, so it no longer changes: copy it as a "
            "draft to make a new version."
        ),
    )


def _renumber(questions: list[Question]) -> None:
    """Give the questions the positions 1, 2, 3… in the order given, writing only what moved."""
    for position, question in enumerate(questions, start=1):
        if question.position != position:
            question.position = position
            question.save(update_fields=["position"])


@transaction.atomic
def questionnaire_title_save(*, questionnaire: Questionnaire, titles: dict[str, str]) -> None:
    """Set a draft's title in each language (``titles`` maps its columns to the texts)."""
    draft = _locked_draft(questionnaire)
    for column in columns("title"):
        setattr(draft, column, titles.get(column, ""))
    draft.save(update_fields=columns("title"))


@transaction.atomic
def question_save(
    *,
    questionnaire: Questionnaire,
    question: Question | None,
    fields: dict,
    choices: list[dict],
    rules: list[dict],
) -> Question:
    """Add a question at the end of a draft, or change one of its questions.

    ``fields`` holds the question's own columns, ``choices`` and ``rules`` their JSON rows. A
    yes-or-no or text question keeps no choices, and a text question no rules. A new code is
    carried over to the follow-ups shown after the question, so none loses its way.
    """
    draft = _locked_draft(questionnaire)
    questions = list(draft.questions.select_for_update().order_by("position", "pk"))
    # The row as it is now, not the caller's object, which a form may have changed already.
    saved = None
    if question is not None:
        saved = next((q for q in questions if q.pk == question.pk), None)
        if saved is None:
            raise DraftRefused(_("This question was removed meanwhile."))
    others = [other for other in questions if other is not saved]
    if any(other.code == fields["code"] for other in others):
        raise DraftRefused(
            _("Another question of this version has the code “%(code)s”.")
            % {"code": fields["code"]}
        )
    question = saved or Question(
        questionnaire=draft, position=max((q.position for q in others), default=0) + 1
    )
    old_code = question.code
    for name, value in fields.items():
        setattr(question, name, value)
    question.choices = choices if question.kind in ("choice", "multi") else []
    question.rules = rules if question.kind != "text" else []
    question.save()
    if old_code and old_code != question.code:
        draft.questions.filter(show_if_question=old_code).update(show_if_question=question.code)
    return question


@transaction.atomic
def question_remove(*, question: Question) -> None:
    """Remove a question from a draft, unless another question is shown only after it."""
    draft = _locked_draft(question.questionnaire)
    followers = list(
        draft.questions.filter(show_if_question=question.code)
        .exclude(pk=question.pk)
        .values_list("code", flat=True)
    )
    if followers:
        raise DraftRefused(
            _(
                "“%(followers)s” is shown only after this question: remove it, or change when "
                "it is shown, first."
            )
            % {"followers": ", ".join(followers)}
        )
    question.delete()
    _renumber(list(draft.questions.select_for_update().order_by("position", "pk")))


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """Move a question of a draft one place up or down; at either end it stays where it is."""
    draft = _locked_draft(question.questionnaire)
    questions = list(draft.questions.select_for_update().order_by("position", "pk"))
    index = next((i for i, q in enumerate(questions) if q.pk == question.pk), None)
    if index is None:  # removed meanwhile: nothing to move
        return
    other = index - 1 if up else index + 1
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
    _renumber(questions)


# Consent texts: copied as a draft, written in every language, published. Clients consent to
# the newest published text; each consent keeps the version it was given to.


def _locked_consent_draft(text: ConsentText) -> ConsentText:
    return _locked_unpublished(
        text,
        _(
            "Consent text version %(version)s is published, so it no longer changes: copy "
            "it as a draft to make a new version."
        ),
    )


@transaction.atomic
def consent_copy_as_draft(*, text: ConsentText) -> ConsentText:
    """Copy a consent text as a new draft, numbered after the newest version."""
    latest = ConsentText.objects.select_for_update().order_by("-version").first()
    return ConsentText.objects.create(
        version=latest.version + 1,
        **{column: getattr(text, column) for column in columns("text")},
    )


@transaction.atomic
def consent_text_save(*, text: ConsentText, texts: dict[str, str]) -> None:
    """Set a draft consent text in each language (``texts`` maps its columns to the texts)."""
    draft = _locked_consent_draft(text)
    for column in columns("text"):
        setattr(draft, column, texts.get(column, ""))
    draft.save(update_fields=columns("text"))


def consent_publish_problems(text: ConsentText) -> list[str]:
    """Return why a consent text cannot be published now; an empty list means it can."""
    if text.published_at is not None:
        return [_("This version is already published.")]
    problems = []
    current = (
        ConsentText.objects.filter(published_at__isnull=False)
        .exclude(pk=text.pk)
        .order_by("-version")
        .first()
    )
    if current is not None and current.version >= text.version:
        problems.append(
            _("Version %(version)s would not replace version %(current)s: give it a higher number.")
            % {"version": text.version, "current": current.version}
        )
    if missing := missing_languages(text, "text"):
        problems.append(
            _("It is not written in %(languages)s yet: every client consents in their language.")
            % {"languages": language_names(missing)}
        )
    return problems


@transaction.atomic
def consent_publish(*, text: ConsentText, now: datetime | None = None) -> ConsentText:
    """Publish a draft consent text, so that clients consent to it from now on."""
    # Every version is locked, so two drafts published at once cannot both become current.
    list(ConsentText.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    text = ConsentText.objects.get(pk=text.pk)
    if problems := consent_publish_problems(text):
        raise DraftRefused(" ".join(str(problem) for problem in problems))
    text.published_at = now or timezone.now()
    text.save(update_fields=["published_at"])
    return text


# Session notes


class NoteRefused(BookingRefused):
    """A session note or addendum refused for a reason the therapist can read."""


@transaction.atomic
def session_note_save(
    *, booking: Booking, author, fields: dict, now: datetime | None = None
) -> SessionNote:
    """Write the note of an attended session, or change it until it locks.

    ``fields`` holds the note's parts as the form cleaned them. A note is written once the
    session is marked completed; from ``SessionNote.LOCKED_AFTER`` past its end, it only takes
    addenda (``session_note_addendum_add``).
    """
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.COMPLETED:
        raise NoteRefused(_("A note is written once the session is marked completed."))
    note = SessionNote.objects.filter(booking=booking).first()
    if note is None:
        note = SessionNote(booking=booking, author=author, created_at=now)
    elif note.is_locked(now):
        raise NoteRefused(
            _("This note locked 24 hours after the session: add an addendum to correct it.")
        )
    for name, value in fields.items():
        setattr(note, name, value)
    note.updated_at = now
    note.save()
    return note


@transaction.atomic
def session_note_addendum_add(
    *, note: SessionNote, author, text: str, now: datetime | None = None
) -> SessionNoteAddendum:
    """Add a correction to a locked note, with its author and time; the note stays as written."""
    now = now or timezone.now()
    note = SessionNote.objects.select_for_update().select_related("booking").get(pk=note.pk)
    if not note.is_locked(now):
        raise NoteRefused(_("The note can still be changed: correct it there."))
    return SessionNoteAddendum.objects.create(note=note, author=author, text=text, created_at=now)


# After-care: how the client feels after the session.

# How long after a session its after-care link takes an answer (the email's link lasts as long).
AFTERCARE_OPEN_FOR = timedelta(days=14)


def aftercare_refusal(*, booking: Booking, now: datetime | None = None) -> str | None:
    """Return why this booking's after-care cannot be answered now, or None if it can."""
    now = now or timezone.now()
    if booking.status != BookingStatus.COMPLETED or booking.client_id is None:
        return _("This link is for a session that has taken place.")
    if booking.client.erased_at is not None:
        return _("This link no longer works.")
    if now > booking.end_at + AFTERCARE_OPEN_FOR:
        return _(
            "This link has expired. If you do not feel well, please contact the studio, or a "
            "health professional."
        )
    return None


@transaction.atomic
def aftercare_report(
    *, booking: Booking, feelings: list[str], details: str, now: datetime | None = None
) -> AftercareReport:
    """Record how the client feels after the session; alert the studio if not well.

    One report per session: a second answer (a double submit, the link opened again) keeps
    the first and changes nothing, so nobody is alerted twice.
    """
    now = now or timezone.now()
    booking = (
        Booking.objects.select_for_update(of=("self",)).select_related("client").get(pk=booking.pk)
    )
    if refusal := aftercare_refusal(booking=booking, now=now):
        raise BookingRefused(refusal, code=BookingRefused.POLICY)
    existing = AftercareReport.objects.filter(booking=booking).first()
    if existing is not None:
        return existing
    report = AftercareReport.objects.create(
        booking=booking, feelings=list(feelings), details=details, created_at=now
    )
    if report.needs_attention:
        notify("aftercare_alert", booking, key=str(report.pk))
    return report
