"""An optional question says so once: in its legend, unless its help text opens with it."""

from django.utils import translation

from intake.templatetags.intake_tags import marked_optional
from intake.triage import QuestionSpec


def spec(*, required=False, help_text=""):
    return QuestionSpec(
        code="notes", section="health", text="Notes?", kind="text", required=required,
        help_text=help_text,
    )  # fmt: skip


def test_an_optional_question_is_marked_once():
    assert marked_optional(spec())
    assert not marked_optional(spec(help_text="Optional. For example an area to avoid."))
    assert not marked_optional(spec(required=True))
    with translation.override("ca"):
        assert not marked_optional(spec(help_text="Opcional. Per exemple, una zona."))
        assert marked_optional(spec(help_text="Per exemple, una zona."))
