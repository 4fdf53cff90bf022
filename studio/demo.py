"""The demo studio's content. Copy follows the studio page in the seeds: warm, plain, no claims."""

from datetime import time

ROOMS = [
    ("Olive room", "olive"),
    ("Garden room", "garden"),
]

PRECAUTIONS_LEGS = (
    "For most healthy people a gentle session is calm and straightforward. Even so, some "
    "situations call for a word with a health professional before going ahead: pregnancy "
    "(especially with complications), pronounced varicose veins, a recent injury, fracture, "
    "surgery or implant in the legs, intense pain, skin problems in the area, diabetes or "
    "neuropathy with numb areas, or any ongoing circulatory or medical diagnosis. Letting us "
    "know beforehand lets your therapist adapt the session or, if needed, postpone it.\n\n"
    "One warning matters above all. If you notice pain, swelling, redness or a sensation of "
    "warmth in a single leg, do not go ahead with a massage: seek medical attention promptly "
    "instead. The same applies to a suspected or known blood clot that a doctor has not "
    "cleared, and to an open wound or infection in the area."
)

AFTERCARE = (
    "Many people notice a pleasant sense of lightness or ease afterwards, and sometimes a "
    "little drowsiness. Take a few minutes before returning to your day, and drinking some "
    "water is a reasonable habit after any bodywork session.\n\n"
    "If instead you notice a discomfort that does not pass, dizziness or anything unusual, do "
    "not ignore it: consulting a health professional is always the sensible call."
)

SERVICES = [
    {
        "slug": "leg-massage",
        "name": "Leg massage",
        "position": 1,
        "buffer_minutes": 10,
        "requires_assessment": False,
        "summary": (
            "Calves and thighs with light or medium pressure and long upward strokes, for a "
            "sense of rest and lightness after a long day."
        ),
        "description": (
            "A session focused on the lower body: calves, thighs and, if you like, the feet. "
            "Your therapist works with light or medium pressure, often with long upward strokes "
            "and an oil or cream so the hands glide smoothly.\n\n"
            "It is a wellness and self-care service, not a medical treatment. It can leave a "
            "momentary sense of relaxation and ease; it does not change the shape of your legs "
            "or resolve circulatory conditions."
        ),
        "what_to_expect": (
            "We begin with a short check-in: how you feel today and anything your therapist "
            "should know. The massage usually starts at the calves and moves up toward the "
            "thighs. At no point should it hurt: if a movement bothers you, just ask for the "
            "pressure to be adjusted."
        ),
        "who_it_may_suit": (
            "People who feel heaviness or tiredness in the legs after many hours sitting at a "
            "desk or standing at work, and active people who like it as part of their routine. "
            "If the heaviness keeps coming back, it is worth mentioning to a health "
            "professional so the cause can be looked at."
        ),
        "precautions": PRECAUTIONS_LEGS,
        "aftercare": AFTERCARE,
        "lengths": [(30, "32.00"), (45, "44.00"), (60, "56.00")],
        "rooms": ["olive", "garden"],
    },
    {
        "slug": "foot-massage",
        "name": "Foot massage",
        "position": 2,
        "buffer_minutes": 10,
        "requires_assessment": False,
        "summary": (
            "Unhurried work on the feet and ankles, a natural companion to a day spent walking "
            "or standing."
        ),
        "description": (
            "A session for the feet and ankles with gentle, attentive pressure. Many people "
            "simply enjoy the calm it brings.\n\n"
            "Like all our sessions it is a wellness service, not a treatment for any condition."
        ),
        "what_to_expect": (
            "After a short check-in your therapist works on each foot in turn, adjusting the "
            "pressure to what feels comfortable for you."
        ),
        "who_it_may_suit": (
            "Anyone who spends long hours on their feet, or who would like a quiet half hour "
            "of rest."
        ),
        "precautions": (
            "Please tell us before the session about any wound, infection, fungal or other skin "
            "problem on the feet, and about diabetes or neuropathy with numb areas, so your "
            "therapist can adapt the session or suggest waiting.\n\n"
            "If you notice pain, swelling, redness or warmth in one leg only, do not go ahead "
            "with a massage: seek medical attention promptly instead."
        ),
        "aftercare": AFTERCARE,
        "lengths": [(30, "30.00"), (45, "42.00")],
        "rooms": ["olive", "garden"],
    },
    {
        "slug": "sports-massage",
        "name": "Sports massage",
        "position": 3,
        "buffer_minutes": 15,
        "requires_assessment": False,
        "summary": (
            "Framed around physical activity: deeper, more focused work as part of your "
            "training and recovery routine."
        ),
        "description": (
            "A sports massage is designed with physical training in mind. Your therapist "
            "adapts it to what you do, where you feel tight and how you want to feel after.\n\n"
            "It is part of a self-care routine, not a treatment for an injury. For pain that "
            "is sharp, new or not getting better, a health professional is the right first step."
        ),
        "what_to_expect": (
            "We ask about your activity and any recent strain or injury, then work on the "
            "areas you choose, with more localised pressure where it suits you."
        ),
        "who_it_may_suit": (
            "People who run, cycle, train or play regularly and want a session built around that."
        ),
        "precautions": PRECAUTIONS_LEGS,
        "aftercare": AFTERCARE,
        "lengths": [(45, "48.00"), (60, "60.00")],
        "rooms": ["garden"],
    },
    {
        "slug": "lymphatic-drainage",
        "name": "Lymphatic drainage",
        "position": 4,
        "buffer_minutes": 15,
        "requires_assessment": True,
        "summary": (
            "A very light, rhythmic technique that needs a therapist's assessment before the "
            "first session."
        ),
        "description": (
            "Lymphatic drainage is a different technique from a leg massage: it uses a very "
            "specific rhythm and very light pressure. It has significant contraindications and "
            "in many cases needs prior assessment by a health professional.\n\n"
            "It is not a method for reshaping the body or resolving health problems on its own."
        ),
        "what_to_expect": (
            "Every booking first goes to one of our therapists, who reads your answers and "
            "confirms the session, suggests adaptations, or explains why another option fits "
            "better. You will hear from us before your visit."
        ),
        "who_it_may_suit": (
            "People who have talked it over with a health professional, or who would like a "
            "therapist to look at whether it suits them."
        ),
        "precautions": PRECAUTIONS_LEGS,
        "aftercare": AFTERCARE,
        "lengths": [(45, "50.00"), (60, "62.00")],
        "rooms": ["olive"],
    },
    {
        "slug": "leg-and-foot-massage",
        "name": "Leg and foot massage",
        "position": 5,
        "buffer_minutes": 10,
        "requires_assessment": False,
        "summary": (
            "Legs and feet in one session, since the two areas complement each other naturally."
        ),
        "description": (
            "A combined session that works from the feet up through the calves and thighs, "
            "with light to medium pressure.\n\n"
            "A wellness and self-care service: it can leave a sense of rest and ease, without "
            "any medical promise."
        ),
        "what_to_expect": (
            "A short check-in, then the feet first and the legs after, with long upward "
            "strokes. Ask at any time for more or less pressure."
        ),
        "who_it_may_suit": (
            "Anyone with tired legs and feet at the end of the day, or who simply wants a "
            "longer moment of rest."
        ),
        "precautions": PRECAUTIONS_LEGS,
        "aftercare": AFTERCARE,
        "lengths": [(45, "46.00"), (60, "58.00")],
        "rooms": ["olive", "garden"],
    },
]

_WEEKDAYS_MORNING = [(day, time(9, 0), time(14, 0)) for day in range(0, 5)]
_WEEKDAYS_AFTERNOON = [(day, time(14, 0), time(20, 0)) for day in range(0, 5)]

THERAPISTS = [
    {
        "username": "ana",
        "slug": "ana",
        "display_name": "Ana Ruiz",
        "email": "ana@calma.localhost",
        "bio": "Ana has worked with tired legs and feet for twelve years and loves a calm, "
        "unhurried session.",
        "services": ["leg-massage", "foot-massage", "leg-and-foot-massage", "lymphatic-drainage"],
        "hours": [*_WEEKDAYS_MORNING, (5, time(10, 0), time(14, 0))],
    },
    {
        "username": "ben",
        "slug": "ben",
        "display_name": "Ben Ortega",
        "email": "ben@calma.localhost",
        "bio": "Ben runs marathons and focuses on sports massage for people who train.",
        "services": ["sports-massage", "leg-massage", "leg-and-foot-massage"],
        "hours": _WEEKDAYS_AFTERNOON,
    },
    {
        "username": "carla",
        "slug": "carla",
        "display_name": "Carla Vidal",
        "email": "carla@calma.localhost",
        "bio": "Carla trained in lymphatic drainage and works closely with clients' health "
        "professionals.",
        "services": ["lymphatic-drainage", "leg-massage", "foot-massage", "leg-and-foot-massage"],
        "hours": [(day, time(10, 0), time(13, 30)) for day in (1, 2, 3)]
        + [(day, time(15, 0), time(19, 0)) for day in (1, 2, 3)],
    },
]

# Demo credentials: printed by seed_demo. Never use a demo database in production.
DEMO_PASSWORD = "calma-demo-2026"  # noqa: S105 (printed for the demo on purpose)
STAFF = {"username": "frontdesk", "email": "frontdesk@calma.localhost", "first_name": "Front"}
OWNER = {"username": "owner", "email": "owner@calma.localhost", "first_name": "Olga"}
