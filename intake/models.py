"""The versioned questionnaire, the answers given on it, consent, reviews and the access log.

A questionnaire version is data, not code: a studio publishes a new version in the admin
and every submission keeps pointing at the version it was answered on.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, Client
from intake.triage import Choice, Condition, Level, QuestionSpec, Rule
from studio.models import Service
from studio.translated import language_names, localized, missing_languages, translated


class Questionnaire(models.Model):
    class Kind(models.TextChoices):
        BOOKING = "booking", _("At booking")
        RESCREEN = "rescreen", _("Before the visit")

    kind = models.CharField(_("used"), max_length=10, choices=Kind.choices, default=Kind.BOOKING)
    version = models.PositiveIntegerField(_("version"))
    title = translated(models.CharField(_("title"), max_length=120, default="Health questions"))
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_("The newest published version is the one clients answer."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="questionnaire_version_unique")
        ]

    def __str__(self):
        return _("%(title)s, version %(version)s") % {"title": self.title, "version": self.version}


class Question(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes or no")
        CHOICE = "choice", _("One choice")
        MULTI = "multi", _("Several choices")
        TEXT = "text", _("Short text")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="questions"
    )
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"))
    section = models.SlugField(_("section"), max_length=40)
    text = translated(models.CharField(_("question"), max_length=300))
    help_text = translated(models.CharField(_("help text"), max_length=400, blank=True))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # [{"value": "one", "label": "In one leg only", "label_ca": "…", "label_es": "…"}, ...]
    # for choice and multi questions: one value, its text in each language.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    show_if_question = models.SlugField(_("shown only if question"), max_length=60, blank=True)
    show_if_values = models.JSONField(_("was answered with one of"), default=list, blank=True)
    # Service slugs the question is asked for; empty means every service.
    services = models.JSONField(_("services"), default=list, blank=True)
    # [{"when": ["yes"], "level": "review", "reason": "…", "reason_ca": "…", "reason_es": "…"}]
    rules = models.JSONField(_("triage rules"), default=list, blank=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "code"], name="question_code_unique_per_version"
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.text}"

    def to_spec(self) -> QuestionSpec:
        """Return the pure description of this question that triage works on.

        Its texts are in the reader's language; its values, conditions and rules are the
        same in every language.
        """
        return QuestionSpec(
            code=self.code,
            section=self.section,
            text=self.text,
            kind=self.kind,
            help_text=self.help_text,
            choices=tuple(Choice(c["value"], localized(c, "label")) for c in self.choices),
            required=self.required,
            show_if=(
                Condition(self.show_if_question, tuple(self.show_if_values))
                if self.show_if_question
                else None
            ),
            services=tuple(self.services),
            rules=tuple(
                Rule(tuple(rule["when"]), Level(rule["level"]), localized(rule, "reason"))
                for rule in self.rules
            ),
        )


class ConsentText(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    text = translated(models.TextField(_("text")))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self):
        return _("Consent text, version %(version)s") % {"version": self.version}

    def clean(self):
        # Every client gives consent to the text in their own language: all of them first.
        if self.published_at is not None and (missing := missing_languages(self, "text")):
            raise ValidationError(
                _(
                    "A consent text is published only once it is written in every language: "
                    "%(languages)s is missing."
                )
                % {"languages": language_names(missing)}
            )


class Consent(models.Model):
    """A client's explicit consent to the processing of their health answers."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField(_("given"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.client} v{self.text.version} {self.given_at:%Y-%m-%d %H:%M}"


class LevelChoices(models.TextChoices):
    CLEAR = Level.CLEAR.value, _("Clear")
    REVIEW = Level.REVIEW.value, _("Review")
    STOP = Level.STOP.value, _("Stop")


class Submission(models.Model):
    """One set of answers, triaged, for one booking (at booking time or before the visit)."""

    class Kind(models.TextChoices):
        BOOKING = "booking", _("At booking")
        RESCREEN = "rescreen", _("Before the visit")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="submissions")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="submissions")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="submissions"
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BOOKING)
    answers = models.JSONField(_("answers"), default=dict)
    level = models.CharField(_("level"), max_length=10, choices=LevelChoices.choices)
    # [{"question": code, "level": "review", "text": "..."}]
    reasons = models.JSONField(_("reasons"), default=list)
    # {"version": 1, "marks": [...]} (see intake/body_map.py), or {} when nothing is marked.
    body_map = models.JSONField(_("body map"), default=dict, blank=True)
    after_stop = models.BooleanField(_("answers changed after a stop"), default=False)
    created_at = models.DateTimeField(_("submitted"))
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        verbose_name = _("intake submission")
        verbose_name_plural = _("intake submissions")

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} ({self.get_level_display()})"


class Review(models.Model):
    """A therapist's decision on a booking that screening sent for review."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approved")
        ADAPT = "adapt", _("Approved with adaptations")
        DECLINE = "decline", _("Declined")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reviews")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    adaptations = models.TextField(_("adaptations"), blank=True)
    message = models.TextField(_("message to the client"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_reviews"
    )
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.booking_id}: {self.get_decision_display()}"


class AssessmentApproval(models.Model):
    """A therapist has assessed this client for a service that needs it (lymphatic drainage)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="approvals")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="approvals")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    approved_at = models.DateTimeField(_("approved"))

    class Meta:
        verbose_name = _("assessment approval")
        verbose_name_plural = _("assessment approvals")
        constraints = [
            models.UniqueConstraint(fields=["client", "service"], name="approval_once_per_service")
        ]

    def __str__(self):
        return f"{self.client} · {self.service}"


class SessionNote(models.Model):
    """What happened in one session, written by its therapist in four parts (SOAP).

    Health data, like the answers: read by the client's therapists and the owner, each read
    logged (``permissions.can_see_notes``). A note can be changed until ``LOCKED_AFTER`` the
    session's end; after that a correction is an addendum with its author and time.
    """

    LOCKED_AFTER = timedelta(hours=24)

    class Technique(models.TextChoices):
        # The techniques of the studio's guide (../shared/seeds/000_…).
        EFFLEURAGE = "effleurage", _("Effleurage (long, smooth strokes)")
        PETRISSAGE = "petrissage", _("Petrissage (kneading)")
        TAPOTEMENT = "tapotement", _("Gentle tapotement (light tapping)")
        MYOFASCIAL = "myofascial", _("Myofascial glides")
        LYMPHATIC = "lymphatic", _("Lymphatic drainage strokes")
        TOOLS = "tools", _("Tools (roller, massage stick)")

    class Pressure(models.TextChoices):
        LIGHT = "light", _("Light")
        MEDIUM = "medium", _("Medium")
        FIRM = "firm", _("Firm")

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="session_note", verbose_name=_("booking")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subjective = models.TextField(_("what the client said"), blank=True)
    objective = models.TextField(_("what you found"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    plan = models.TextField(_("plan for next time"), blank=True)
    # Region codes of the body map (intake/body_map.py), in its order.
    areas = models.JSONField(_("areas treated"), default=list, blank=True)
    techniques = models.JSONField(_("techniques"), default=list, blank=True)
    pressure = models.CharField(_("pressure"), max_length=10, choices=Pressure.choices, blank=True)
    response = models.TextField(_("how the client responded"), blank=True)
    created_at = models.DateTimeField(_("written"))
    updated_at = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")

    def __str__(self):
        return _("Session note for %(booking)s") % {"booking": self.booking}

    @property
    def locks_at(self):
        return self.booking.end_at + self.LOCKED_AFTER

    def is_locked(self, now) -> bool:
        return now >= self.locks_at

    @property
    def technique_labels(self) -> list[str]:
        known = dict(self.Technique.choices)
        return [str(known.get(code, code)) for code in self.techniques]


class SessionNoteAddendum(models.Model):
    """A correction or addition to a locked note: never an edit of what was written."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("addendum"))
    created_at = models.DateTimeField(_("written"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")

    def __str__(self):
        return f"{self.note} + {self.created_at:%Y-%m-%d %H:%M}"


class AftercareReport(models.Model):
    """How the client feels after the session, told through the after-care email's link.

    Health data, read where the session's note is read (``permissions.can_see_notes``) and
    logged with it. A report of anything but feeling well alerts the therapist and the front
    desk, by email with no word of what was reported.
    """

    class Feeling(models.TextChoices):
        WELL = "well", _("I feel well")
        DISCOMFORT = "discomfort", _("A discomfort that does not pass")
        DIZZINESS = "dizziness", _("Dizziness")
        UNUSUAL = "unusual", _("Another unusual symptom")

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="aftercare_report"
    )
    feelings = models.JSONField(_("how the client feels"), default=list)
    details = models.TextField(_("in the client's words"), blank=True)
    created_at = models.DateTimeField(_("told"))

    class Meta:
        verbose_name = _("after-care report")
        verbose_name_plural = _("after-care reports")

    def __str__(self):
        return _("After-care report for %(booking)s") % {"booking": self.booking}

    @property
    def needs_attention(self) -> bool:
        return any(feeling != self.Feeling.WELL for feeling in self.feelings)

    @property
    def feeling_labels(self) -> list[str]:
        known = dict(self.Feeling.choices)
        return [str(known.get(code, code)) for code in self.feelings]


class AccessLog(models.Model):
    """Append-only record of every read of health answers or reasons (PostgreSQL refuses edits).

    One row per read: one response that showed them, whoever asked, whatever it showed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who read, as text too: kept readable even for reads by a client without an account.
    actor = models.CharField(_("who"), max_length=150)
    # The read of one booking's intake points at its newest submission; a list's (the review
    # queue) at none.
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="access_log", null=True
    )
    # What was read: every submission whose answers or reasons the response showed.
    submission_ids = models.JSONField(
        _("submissions read"),
        default=list,
        # Rows written by hand (or by an older release) record no list rather than fail.
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
    )
    # The session notes the response showed, by id (notes are erased with the client's data).
    note_ids = models.JSONField(
        _("session notes read"),
        default=list,
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
    )
    aftercare_ids = models.JSONField(
        _("after-care reports read"),
        default=list,
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
    )
    action = models.CharField(_("what"), max_length=40)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        shown = ", ".join(
            [f"#{pk}" for pk in self.submission_ids] + [f"note #{pk}" for pk in self.note_ids]
        )
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {shown}"
