"""Consent texts, outside the admin: copy the current one as a draft, write it in every
language, compare it with the text clients consent to now, and publish it.

For the owner and front desk (``permissions.can_manage_studio``), like the questionnaire
versions beside them. A published text never changes: each consent given keeps pointing at
the version it was given to.
"""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from intake import services
from intake.draft_forms import ConsentTextForm
from intake.models import ConsentText
from intake.versions import version_object
from studio.translated import CONTENT_LANGUAGES, columns


def _current(text: ConsentText) -> ConsentText | None:
    return (
        ConsentText.objects.filter(published_at__isnull=False)
        .exclude(pk=text.pk)
        .order_by("-version")
        .first()
    )


def _page(request, text, *, form=None, refused=None, status=200):
    current = _current(text)
    texts = [
        {
            "code": language,
            "text": getattr(text, column),
            "current": getattr(current, column) if current else None,
            "changed": current is not None and getattr(current, column) != getattr(text, column),
        }
        for language, column in zip(CONTENT_LANGUAGES, columns("text"), strict=True)
    ]
    draft = text.published_at is None
    return render(
        request,
        "intake/versions/consent.html",
        {
            "text": text,
            "current": current,
            "texts": texts,
            "form": form or (ConsentTextForm(instance=text) if draft else None),
            "problems": services.consent_publish_problems(text) if draft else [],
            "refused": refused,
        },
        status=status,
    )


@version_object
@require_http_methods(["GET", "POST"])
def consent_detail(request, pk):
    text = get_object_or_404(ConsentText, pk=pk)
    if request.method == "GET":
        return _page(request, text)
    if text.published_at is not None:
        return _page(request, text, refused=_("A published text never changes."), status=409)
    form = ConsentTextForm(request.POST, instance=ConsentText.objects.get(pk=text.pk))
    if not form.is_valid():
        return _page(request, text, form=form, status=400)
    try:
        services.consent_text_save(text=text, texts=form.cleaned_data)
    except services.DraftRefused as refusal:
        return _page(request, text, refused=refusal.message, status=409)
    messages.success(request, _("The consent text is saved."))
    return redirect("intake:consent_detail", pk=text.pk)


@version_object
@require_POST
def consent_copy(request, pk):
    text = get_object_or_404(ConsentText, pk=pk)
    if request.POST.get("copy") != "yes":
        return HttpResponseBadRequest(_("Please use the Copy as a draft button."))
    draft = services.consent_copy_as_draft(text=text)
    messages.success(
        request,
        _("Draft consent text %(version)s is a copy of version %(copied)s.")
        % {"version": draft.version, "copied": text.version},
    )
    return redirect("intake:consent_detail", pk=draft.pk)


@version_object
@require_POST
def consent_publish(request, pk):
    text = get_object_or_404(ConsentText, pk=pk)
    if request.POST.get("read") != "yes":
        return _page(
            request,
            text,
            refused=_("Please confirm that you have read the new text in every language."),
            status=400,
        )
    try:
        services.consent_publish(text=text)
    except services.DraftRefused as refusal:
        return _page(request, text, refused=refusal.message, status=409)
    messages.success(
        request,
        _("Consent text %(version)s is published: clients consent to it from now on.")
        % {"version": text.version},
    )
    return redirect("intake:versions")
