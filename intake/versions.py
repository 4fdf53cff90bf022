"""Questionnaire versions, outside the admin: copy one as a draft, preview it as a client
sees it, read what it changes from the version clients answer now, and publish it.

For the owner and front desk (``permissions.can_manage_studio``). The draft's questions are
still edited in the admin; the checks are the same as the admin's publish action
(``selectors.questionnaire_publish_check``, ``services.questionnaire_publish``), including
the named confirmation of each stop or review the new version weakens.
"""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from intake import selectors, services
from intake.forms import IntakeForm
from intake.models import Question, Questionnaire
from intake.questionnaire_v1 import SECTIONS
from studio import permissions
from studio.access import requires
from studio.models import Service
from studio.translated import columns, translated_names

versions_page = requires(permissions.can_manage_studio, sign_in=True)
version_object = requires(permissions.can_manage_studio, sign_in=False)

# The question fields a change is named by, in the reader's words.
_FIELDS = ("section", "text", "help_text", "kind", "choices", "required")


@versions_page
@require_safe
def versions(request):
    current = {
        kind: selectors.questionnaire_current(kind) for kind, _label in Questionnaire.Kind.choices
    }
    rows = [
        (questionnaire, questionnaire == current.get(questionnaire.kind))
        for questionnaire in Questionnaire.objects.order_by("kind", "-version")
    ]
    return render(request, "intake/versions/list.html", {"rows": rows})


@version_object
@require_POST
def version_copy(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    if request.POST.get("copy") != "yes":
        # Each POST names what it wants: an empty one (a replay, a forged form) copies nothing.
        return HttpResponseBadRequest(_("Please use the Copy as a draft button."))
    draft = services.questionnaire_copy_as_draft(questionnaire=questionnaire)
    messages.success(
        request,
        _(
            "Draft version %(version)s is a copy of version %(copied)s: edit its questions in "
            "the admin, then preview and publish it here."
        )
        % {"version": draft.version, "copied": questionnaire.version},
    )
    return redirect("intake:version_detail", pk=draft.pk)


def _service_for_preview(request, questionnaire) -> Service:
    services_offered = list(Service.objects.filter(is_active=True))
    chosen = request.GET.get("service")
    return next((s for s in services_offered if s.slug == chosen), services_offered[0])


def _detail(request, questionnaire, *, confirmed=(), refused=None, status=200):
    check = selectors.questionnaire_publish_check(questionnaire)
    service = _service_for_preview(request, questionnaire)
    preview = IntakeForm(
        specs=selectors.question_specs(questionnaire),
        service_slug=service.slug,
        version=questionnaire.version,
        auto_id="preview_%s",
    )
    translated = translated_names(Question)
    names = {
        name: Question._meta.get_field(
            columns(name)[0] if name in translated else name
        ).verbose_name
        for name in _FIELDS
    } | {
        "show_if": Question._meta.get_field("show_if_question").verbose_name,
        "services": Question._meta.get_field("services").verbose_name,
        "rules": Question._meta.get_field("rules").verbose_name,
    }
    return render(
        request,
        "intake/versions/detail.html",
        {
            "questionnaire": questionnaire,
            "check": check,
            "changed": [
                (code, [str(names.get(name, name)) for name in fields])
                for code, fields in check.changes.changed
            ],
            "weakened": [
                (weakening.key, str(weakening), weakening.key in confirmed)
                for weakening in check.changes.weakened
            ],
            "preview": preview,
            "sections": preview.sections(SECTIONS),
            "service": service,
            "services": Service.objects.filter(is_active=True),
            "refused": refused,
        },
        status=status,
    )


@version_object
@require_safe
def version_detail(request, pk):
    return _detail(request, get_object_or_404(Questionnaire, pk=pk))


@version_object
@require_POST
def version_publish(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    confirmed = request.POST.getlist("confirm")
    if request.POST.get("read") != "yes":
        return _detail(
            request,
            questionnaire,
            confirmed=confirmed,
            refused=_("Please confirm that you have read what this version changes."),
            status=400,
        )
    try:
        services.questionnaire_publish(questionnaire=questionnaire, confirmed_changes=confirmed)
    except services.PublishRefused:
        return _detail(
            request,
            questionnaire,
            refused=_("This version cannot be published: see what stands in the way below."),
            status=409,
        )
    except services.PublishNotConfirmed as refusal:
        return _detail(
            request, questionnaire, confirmed=confirmed, refused=refusal.message, status=400
        )
    messages.success(
        request,
        _("Version %(version)s is published: clients answer it from now on.")
        % {"version": questionnaire.version},
    )
    return redirect("intake:versions")
