"""The first version of the health questionnaire, and the consent that goes with it.

A data migration copies this into the database, where studios can edit later versions; old
answers stay readable against this one. Keep every code stable once released.

The questions cover the precautions of the two domain texts: the leg-massage guide
("Precautions & When to Avoid") and the studio's service page. Client-facing copy follows the
studio page: warm, plain, and never a medical claim.
"""

from django.utils.translation import gettext_lazy as _

from intake.triage import NO, YES, Choice, Condition, Level, QuestionSpec, Rule

CIRCULATION = "circulation"
SKIN = "skin"
HEALTH = "health"
SERVICE = "service"

# Shown as headings, in this order; a returning client confirms their answers section by
# section.
SECTIONS = {
    CIRCULATION: _("Circulation"),
    SKIN: _("Skin"),
    HEALTH: _("Your health"),
    SERVICE: _("About this session"),
}

# Services that work on the legs, and those that work on the feet; the combined session is in
# both.
LEG_SERVICES = ("leg-massage", "sports-massage", "lymphatic-drainage", "leg-and-foot-massage")
FOOT_SERVICES = ("foot-massage", "leg-and-foot-massage")

QUESTIONS: tuple[QuestionSpec, ...] = (
    # Circulation
    QuestionSpec(
        code="leg_symptoms",
        section=CIRCULATION,
        text=_("Do you have pain, swelling, redness or warmth in your legs right now?"),
        help_text=_(
            "For example a calf that feels sore, looks puffy or red, or is warm to the touch."
        ),
        kind="yes_no",
    ),
    QuestionSpec(
        code="leg_symptoms_side",
        section=CIRCULATION,
        text=_("In one leg or both?"),
        kind="choice",
        choices=(
            Choice("one", _("In one leg only")),
            Choice("both", _("In both legs")),
        ),
        show_if=Condition("leg_symptoms", (YES,)),
        rules=(
            Rule(
                ("one",),
                Level.STOP,
                _("Pain, swelling, redness or warmth in one leg only: a possible clot."),
            ),
            Rule(("both",), Level.REVIEW, _("Pain, swelling, redness or warmth in both legs.")),
        ),
    ),
    QuestionSpec(
        code="blood_clot",
        section=CIRCULATION,
        text=_(
            "Have you ever had a blood clot in a vein (a deep vein thrombosis, or DVT), or "
            "does a doctor think you may have one now?"
        ),
        kind="choice",
        choices=(
            Choice("no", _("No")),
            Choice("now", _("Yes, I have one now, or a doctor thinks I may have one")),
            Choice(
                "past_not_cleared",
                _("I had one in the past, and a doctor has not yet said a massage is fine"),
            ),
            Choice(
                "past_cleared",
                _("I had one in the past, and a doctor has said a massage is fine"),
            ),
        ),
        rules=(
            Rule(("now",), Level.STOP, _("A current or suspected blood clot (DVT).")),
            Rule(
                ("past_not_cleared",),
                Level.STOP,
                _("A past blood clot that a doctor has not cleared for massage."),
            ),
            Rule(("past_cleared",), Level.REVIEW, _("A past blood clot, cleared by a doctor.")),
        ),
    ),
    QuestionSpec(
        code="varicose_veins",
        section=CIRCULATION,
        text=_("Do you have varicose veins?"),
        help_text=_(
            "Pronounced means large, raised or twisted veins, rather than a few small thread veins."
        ),
        kind="choice",
        choices=(
            Choice("none", _("No")),
            Choice("mild", _("A few small ones")),
            Choice("pronounced", _("Yes, pronounced ones")),
        ),
        services=LEG_SERVICES,
        rules=(Rule(("pronounced",), Level.REVIEW, _("Pronounced varicose veins.")),),
    ),
    QuestionSpec(
        code="circulatory_condition",
        section=CIRCULATION,
        text=_("Do you have an ongoing circulatory or vascular condition?"),
        help_text=_("For example one you see a doctor about or take medicine for."),
        kind="yes_no",
        rules=(Rule((YES,), Level.REVIEW, _("An ongoing circulatory or vascular condition.")),),
    ),
    # Skin
    QuestionSpec(
        code="skin_wound",
        section=SKIN,
        text=_("Do you have an open wound or an infection on your legs?"),
        help_text=_("For example a cut or graze that has not healed yet."),
        kind="yes_no",
        services=LEG_SERVICES,
        rules=(
            Rule(
                (YES,),
                Level.STOP,
                _("An open wound or infection in the area to be massaged."),
            ),
        ),
    ),
    QuestionSpec(
        code="skin_problems",
        section=SKIN,
        text=_("Do you have any other skin problem on your legs?"),
        help_text=_("For example a rash, eczema, a burn, or skin that is very fragile."),
        kind="yes_no",
        services=LEG_SERVICES,
        rules=(Rule((YES,), Level.REVIEW, _("A skin problem on the legs.")),),
    ),
    QuestionSpec(
        code="foot_skin",
        section=SKIN,
        text=_(
            "Do you have a wound, an infection, a fungal infection or any other skin problem "
            "on your feet?"
        ),
        kind="yes_no",
        services=FOOT_SERVICES,
    ),
    QuestionSpec(
        code="foot_skin_kind",
        section=SKIN,
        text=_("What is it? Choose all that apply."),
        kind="multi",
        choices=(
            Choice("wound", _("An open wound, cut or blister")),
            Choice("infection", _("An infection")),
            Choice("fungal", _("A fungal infection, such as athlete's foot or a nail infection")),
            Choice("other", _("Another skin problem, such as a rash, cracked skin or a verruca")),
        ),
        show_if=Condition("foot_skin", (YES,)),
        services=FOOT_SERVICES,
        rules=(
            Rule(("wound", "infection"), Level.STOP, _("An open wound or infection on the feet.")),
            Rule(
                ("fungal", "other"), Level.REVIEW, _("A fungal or other skin problem on the feet.")
            ),
        ),
    ),
    # Health
    QuestionSpec(
        code="pregnant",
        section=HEALTH,
        text=_("Are you pregnant?"),
        help_text=_("If this does not apply to you, just answer no."),
        kind="yes_no",
        rules=(Rule((YES,), Level.REVIEW, _("Pregnancy.")),),
    ),
    QuestionSpec(
        code="pregnancy_complications",
        section=HEALTH,
        text=_(
            "Are there any complications in your pregnancy, or has your midwife or doctor "
            "advised caution?"
        ),
        kind="yes_no",
        show_if=Condition("pregnant", (YES,)),
        rules=(
            Rule(
                (YES,),
                Level.REVIEW,
                _("Pregnancy with complications, or a midwife or doctor has advised caution."),
            ),
        ),
    ),
    QuestionSpec(
        code="injury_or_surgery",
        section=HEALTH,
        text=_(
            "In the last twelve months, have you had an injury, a fracture or an operation on "
            "your legs or feet? Or do you have an implant there?"
        ),
        help_text=_("An implant could be a joint replacement, a metal plate or screws."),
        kind="yes_no",
        rules=(
            Rule(
                (YES,),
                Level.REVIEW,
                _("A recent injury, fracture or surgery, or an implant, in the legs or feet."),
            ),
        ),
    ),
    QuestionSpec(
        code="intense_pain",
        section=HEALTH,
        text=_("Are you in intense pain anywhere right now?"),
        kind="yes_no",
        rules=(Rule((YES,), Level.REVIEW, _("Intense pain right now.")),),
    ),
    QuestionSpec(
        code="diabetes_or_neuropathy",
        section=HEALTH,
        text=_("Do you have diabetes or neuropathy (nerve damage)?"),
        kind="yes_no",
    ),
    QuestionSpec(
        code="numb_areas",
        section=HEALTH,
        text=_("Are there areas on your legs or feet where you feel less, or feel numb?"),
        kind="yes_no",
        show_if=Condition("diabetes_or_neuropathy", (YES,)),
        rules=(
            Rule(
                (YES,),
                Level.REVIEW,
                _("Diabetes or neuropathy with numb areas in the legs or feet."),
            ),
        ),
    ),
    QuestionSpec(
        code="medical_condition",
        section=HEALTH,
        text=_("Apart from anything above, do you have an ongoing medical condition or diagnosis?"),
        help_text=_("For example something you see a doctor about regularly."),
        kind="yes_no",
        rules=(Rule((YES,), Level.REVIEW, _("Another ongoing medical condition or diagnosis.")),),
    ),
    # About this session
    QuestionSpec(
        code="lymphatic_assessed",
        section=SERVICE,
        text=_("Has a health professional assessed you for lymphatic drainage?"),
        help_text=_(
            "For example your doctor or physiotherapist. If not, that is fine: one of our "
            "therapists will read your answers before confirming."
        ),
        kind="yes_no",
        services=("lymphatic-drainage",),
        rules=(
            Rule(
                (NO,),
                Level.REVIEW,
                _("Not yet assessed by a health professional for lymphatic drainage."),
            ),
        ),
    ),
    QuestionSpec(
        code="sports_recent_injury",
        section=SERVICE,
        text=_("Have you strained, sprained or injured anything in the last few weeks?"),
        help_text=_("For example while training, running or playing a sport."),
        kind="yes_no",
        services=("sports-massage",),
        rules=(Rule((YES,), Level.REVIEW, _("A recent injury from training or sport.")),),
    ),
    QuestionSpec(
        code="anything_else",
        section=SERVICE,
        text=_("Is there anything else your therapist should know?"),
        help_text=_(
            "Optional. For example an area you would like them to avoid, or the pressure you "
            "prefer."
        ),
        kind="text",
        required=False,
    ),
)

CONSENT_TEXT_V1 = _(
    "Your answers to these questions are about your health, so they deserve special care. "
    "We ask for them for one reason only: to keep your session safe and suited to you.\n\n"
    "By ticking this box you give your explicit consent for the studio to keep and use your "
    "answers for that purpose. Only you, your therapist and the studio owner can read them, "
    "and each time someone opens them it is recorded.\n\n"
    "You can ask at any time for a copy of your answers, or for them to be erased. The record "
    "of your bookings themselves is kept. You can also withdraw your consent whenever you "
    "like; without these answers, a session cannot be booked online."
)
