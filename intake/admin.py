"""Admin for the questionnaire versions, consent texts, and (for the owner) the access log.

Health answers are not shown in the admin: they are read on the answers page, where each
read is logged.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from translated_fields.admin import TranslatedFieldAdmin

from intake import selectors
from intake import services as intake_services
from intake.models import AccessLog, ConsentText, Question, Questionnaire
from studio import permissions
from studio.translated import columns, translated_names


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("position", "code", "section", "kind", "required"),
        *columns("text"),
        *columns("help_text"),
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
class QuestionnaireAdmin(TranslatedFieldAdmin, admin.ModelAdmin):
    list_display = ["title", "kind", "version", "published_at"]
    list_filter = ["kind"]
    inlines = [QuestionInline]
    actions = ["copy_as_draft", "publish"]
    readonly_fields = ["published_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return ["kind", "version", *columns("title"), "published_at"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.published_at is None

    @admin.action(description=_("Copy as a new draft version"))
    def copy_as_draft(self, request, queryset):
        for questionnaire in queryset:
            draft = intake_services.questionnaire_copy_as_draft(questionnaire=questionnaire)
            messages.success(request, _("Draft version %(v)s created.") % {"v": draft.version})

    @admin.action(description=_("Publish (clients answer the newest published version)"))
    def publish(self, request, queryset):
        """Show what publishing changes, and publish once it is confirmed (by name if needed)."""
        if queryset.count() != 1:
            messages.error(request, _("Please publish one version at a time."))
            return None
        questionnaire = queryset.get()
        confirmed = request.POST.getlist("confirm")
        if request.POST.get("post") == "yes":
            try:
                intake_services.questionnaire_publish(
                    questionnaire=questionnaire, confirmed_changes=confirmed
                )
            except intake_services.PublishRefused as refusal:
                self._show_problems(request, questionnaire, refusal.problems)
                return None
            except intake_services.PublishNotConfirmed as refusal:
                messages.error(request, refusal.message)
                return self._confirmation(request, refusal.check, confirmed)
            messages.success(
                request, _("%(questionnaire)s is published.") % {"questionnaire": questionnaire}
            )
            return None
        check = selectors.questionnaire_publish_check(questionnaire)
        if check.problems:
            self._show_problems(request, questionnaire, check.problems)
            return None
        return self._confirmation(request, check, confirmed)

    def _show_problems(self, request, questionnaire, problems):
        messages.error(
            request,
            _("%(questionnaire)s cannot be published, and stays a draft:")
            % {"questionnaire": questionnaire},
        )
        for problem in problems:
            messages.error(request, str(problem))

    def _confirmation(self, request, check, confirmed):
        translated = translated_names(Question)
        fields = {
            name: Question._meta.get_field(
                columns(name)[0] if name in translated else name
            ).verbose_name
            for name in ("section", "text", "help_text", "kind", "choices", "required")
        } | {
            "show_if": Question._meta.get_field("show_if_question").verbose_name,
            "services": Question._meta.get_field("services").verbose_name,
            "rules": Question._meta.get_field("rules").verbose_name,
        }
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish %(questionnaire)s?") % {"questionnaire": check.questionnaire},
            "opts": self.model._meta,
            "check": check,
            "changed": [
                (code, [fields.get(name, name) for name in names])
                for code, names in check.changes.changed
            ],
            "weakened": [
                (weakening.key, str(weakening), weakening.key in confirmed)
                for weakening in check.changes.weakened
            ],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/intake/questionnaire/publish_confirmation.html", context
        )


@admin.register(ConsentText)
class ConsentTextAdmin(TranslatedFieldAdmin, admin.ModelAdmin):
    list_display = ["version", "published_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.published_at is None


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The owner browses who read which answers, when and from where. Nobody edits it."""

    list_filter = ["action"]
    search_fields = ["actor"]
    date_hierarchy = "at"

    list_display = [
        "at",
        "actor",
        "action",
        "submission",
        "submission_ids",
        "note_ids",
        "ip_address",
    ]

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
