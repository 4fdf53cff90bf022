"""The first version of the short re-screen sent with the reminder, about a day before a visit.

Loaded into the database by a data migration, like the booking questionnaire.
"""

from django.utils.translation import gettext_lazy as _

from intake.triage import YES, Choice, Condition, Level, QuestionSpec, Rule

CHANGES = "changes"

QUESTIONS: tuple[QuestionSpec, ...] = (
    QuestionSpec(
        code="leg_symptoms_now",
        section=CHANGES,
        text=_(
            "Since you booked, have you noticed pain, swelling, redness or warmth in your legs?"
        ),
        kind="yes_no",
    ),
    QuestionSpec(
        code="leg_symptoms_now_side",
        section=CHANGES,
        text=_("In one leg or both?"),
        kind="choice",
        choices=(Choice("one", _("In one leg only")), Choice("both", _("In both legs"))),
        show_if=Condition("leg_symptoms_now", (YES,)),
        rules=(
            Rule(
                ("one",),
                Level.STOP,
                _("Re-screen: pain, swelling, redness or warmth in one leg only."),
            ),
            Rule(("both",), Level.REVIEW, _("Re-screen: symptoms in both legs.")),
        ),
    ),
    QuestionSpec(
        code="clot_now",
        section=CHANGES,
        text=_("Has a doctor told you since then that you may have a blood clot?"),
        kind="yes_no",
        rules=(Rule((YES,), Level.STOP, _("Re-screen: a suspected blood clot.")),),
    ),
    QuestionSpec(
        code="new_injury",
        section=CHANGES,
        text=_("Have you had a new injury, fracture or operation?"),
        kind="yes_no",
        rules=(Rule((YES,), Level.REVIEW, _("Re-screen: a new injury, fracture or operation.")),),
    ),
    QuestionSpec(
        code="anything_changed",
        section=CHANGES,
        text=_("Has anything else about your health changed?"),
        kind="yes_no",
        rules=(Rule((YES,), Level.REVIEW, _("Re-screen: something else has changed.")),),
    ),
    QuestionSpec(
        code="anything_changed_detail",
        section=CHANGES,
        text=_("Tell us briefly what has changed."),
        kind="text",
        required=False,
        show_if=Condition("anything_changed", (YES,)),
    ),
)
