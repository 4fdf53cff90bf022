"""Questionnaire versions, outside the admin: copy one as a draft, preview it as a client
sees it, read what it changes from the version clients answer now, and publish it.

For the owner and front desk (``permissions.can_manage_studio``). A draft's title and
questions are edited here too: each question's texts in every language, its answers, when it
is asked, and the rules its answers trigger (``intake.draft_forms``). Publishing makes the
same checks as the admin's publish action (``selectors.questionnaire_publish_check``,
``services.questionnaire_publish``), including the named confirmation of each stop or review
the new version weakens. A published version never changes: its questions' pages answer 404.
"""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from intake import selectors, services
from intake.draft_forms import (
    ChoiceFormSet,
    QuestionForm,
    RuleFormSet,
    TitleForm,
    answer_options,
    choice_initial,
    rule_initial,
)
from intake.forms import IntakeForm
from intake.models import ConsentText, Question, Questionnaire
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
    consents = list(ConsentText.objects.order_by("-version"))
    current_consent = next((text for text in consents if text.published_at), None)
    consent_rows = [(text, text == current_consent) for text in consents]
    return render(
        request, "intake/versions/list.html", {"rows": rows, "consent_rows": consent_rows}
    )


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
            "Draft version %(version)s is a copy of version %(copied)s: edit its questions, "
            "then preview and publish it."
        )
        % {"version": draft.version, "copied": questionnaire.version},
    )
    return redirect("intake:version_detail", pk=draft.pk)


def _service_for_preview(request) -> Service:
    services_offered = list(Service.objects.filter(is_active=True))
    chosen = request.GET.get("service")
    return next((s for s in services_offered if s.slug == chosen), services_offered[0])


def _detail(request, questionnaire, *, confirmed=(), refused=None, title_form=None, status=200):
    check = selectors.questionnaire_publish_check(questionnaire)
    service = _service_for_preview(request)
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
            "questions": questionnaire.questions.order_by("position", "pk"),
            "title_form": title_form
            or (TitleForm(instance=questionnaire) if questionnaire.published_at is None else None),
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


# Editing a draft


def _draft_or_404(pk) -> Questionnaire:
    return get_object_or_404(Questionnaire, pk=pk, published_at__isnull=True)


def _draft_question_or_404(pk, question_pk) -> Question:
    return get_object_or_404(
        Question.objects.select_related("questionnaire"),
        pk=question_pk,
        questionnaire_id=pk,
        questionnaire__published_at__isnull=True,
    )


@version_object
@require_POST
def version_title(request, pk):
    draft = _draft_or_404(pk)
    form = TitleForm(request.POST, instance=Questionnaire.objects.get(pk=draft.pk))
    if not form.is_valid():
        return _detail(request, draft, title_form=form, status=400)
    try:
        services.questionnaire_title_save(questionnaire=draft, titles=form.cleaned_data)
    except services.DraftRefused as refusal:
        return _detail(request, draft, refused=refusal.message, status=409)
    messages.success(request, _("The title is saved."))
    return redirect("intake:version_detail", pk=draft.pk)


def _question_page(request, draft, question):
    """Show, or save, one question of a draft with its answers and rules."""
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, instance=question or Question(), questionnaire=draft)
    choices = ChoiceFormSet(
        data, initial=choice_initial(question) if question else None, prefix="choices"
    )
    kind = form.data.get("kind") if data is not None else (question.kind if question else "")
    # The rules offer the answers as they stand on the page, typed but not yet saved included.
    if kind in ("choice", "multi"):
        options = (
            choices.typed_options()
            if data is not None
            else answer_options(kind, question.choices if question else [])
        )
    else:
        options = answer_options(kind, [])
    rules = RuleFormSet(
        data,
        initial=rule_initial(question) if question else None,
        prefix="rules",
        form_kwargs={"options": options},
    )
    refused = None
    if data is not None and form.is_valid():
        kind = form.cleaned_data["kind"]
        # A yes-or-no or text question keeps no answers of its own, and a text one no rules.
        parts = [choices] if kind in ("choice", "multi") else []
        parts += [rules] if kind != "text" else []
        if all(part.is_valid() for part in parts):
            try:
                saved = services.question_save(
                    questionnaire=draft,
                    question=question,
                    fields=form.question_fields(),
                    choices=choices.rows() if choices in parts else [],
                    rules=rules.rows() if rules in parts else [],
                )
            except services.DraftRefused as refusal:
                refused = refusal.message
            else:
                messages.success(request, _("Question “%(code)s” is saved.") % {"code": saved.code})
                return redirect("intake:version_detail", pk=draft.pk)
    return render(
        request,
        "intake/versions/question.html",
        {
            "questionnaire": draft,
            "question": question,
            "form": form,
            "choices": choices,
            "rules": rules,
            "refused": refused,
        },
        status=200 if data is None else (409 if refused else 400),
    )


@version_object
@require_http_methods(["GET", "POST"])
def question_add(request, pk):
    return _question_page(request, _draft_or_404(pk), None)


@version_object
@require_http_methods(["GET", "POST"])
def question_edit(request, pk, question_pk):
    question = _draft_question_or_404(pk, question_pk)
    return _question_page(request, question.questionnaire, question)


@version_object
@require_POST
def question_move(request, pk, question_pk):
    question = _draft_question_or_404(pk, question_pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponseBadRequest(_("Choose whether the question moves up or down."))
    try:
        services.question_move(question=question, up=direction == "up")
    except services.DraftRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("intake:version_detail", pk=pk)


@version_object
@require_POST
def question_remove(request, pk, question_pk):
    question = _draft_question_or_404(pk, question_pk)
    if request.POST.get("remove") != "yes":
        return HttpResponseBadRequest(_("Please use the Remove button."))
    try:
        services.question_remove(question=question)
    except services.DraftRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Question “%(code)s” is removed.") % {"code": question.code})
    return redirect("intake:version_detail", pk=pk)
