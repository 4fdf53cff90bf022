"""Admin for the questionnaire versions, consent texts, and (for the owner) the access log.

Health answers are not shown in the admin: they are read on the answers page, where each
read is logged.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.models import AccessLog, ConsentText, Question, Questionnaire
from studio import permissions


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("position", "code", "section", "kind", "required"),
        "text",
        "help_text",
        "choices",
        ("show_if_question", "show_if_values"),
        "services",
        "rules",
    ]

    def has_change_permission(self, request, obj=None):
        # A published version is what old answers are read against: it never changes.
        return obj is None or obj.published_at is None

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "version", "published_at"]
    list_filter = ["kind"]
    inlines = [QuestionInline]
    actions = ["copy_as_draft", "publish"]
    readonly_fields = ["published_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return ["kind", "version", "title", "published_at"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.published_at is None

    @admin.action(description=_("Copy as a new draft version"))
    def copy_as_draft(self, request, queryset):
        for questionnaire in queryset:
            with transaction.atomic():
                latest = Questionnaire.objects.filter(kind=questionnaire.kind).order_by("-version")
                draft = Questionnaire.objects.create(
                    kind=questionnaire.kind,
                    version=latest.first().version + 1,
                    title=questionnaire.title,
                )
                for question in questionnaire.questions.all():
                    question.pk = None
                    question.questionnaire = draft
                    question.save()
            messages.success(request, _("Draft version %(v)s created.") % {"v": draft.version})

    @admin.action(description=_("Publish (clients answer the newest published version)"))
    def publish(self, request, queryset):
        errors = []
        for questionnaire in queryset.filter(published_at__isnull=True):
            try:
                # Building every spec checks kinds, choices and rules before anyone sees them.
                [question.to_spec() for question in questionnaire.questions.all()]
            except (TypeError, ValueError, KeyError) as error:
                errors.append(f"{questionnaire}: {error}")
                continue
            questionnaire.published_at = timezone.now()
            questionnaire.save(update_fields=["published_at"])
        for error in errors:
            messages.error(request, error)


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.published_at is None


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The owner browses who read which answers, when and from where. Nobody edits it."""

    list_filter = ["action"]
    search_fields = ["actor"]
    date_hierarchy = "at"

    list_display = ["at", "actor", "action", "submission", "submission_ids", "ip_address"]

    def has_module_permission(self, request):
        return permissions.can_view_access_log(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_access_log(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
