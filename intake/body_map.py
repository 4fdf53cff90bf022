"""The client's body map: where they feel pain or tension, or would rather not be touched.

Everything here is pure, like ``intake.triage``: no ORM, no clock, no settings. A body map is
versioned data stored with a submission, in one canonical shape::

    {"version": 1, "marks": [{"region": "right_calf", "kind": "tension", "intensity": "mild"}]}

or ``{}`` when the client marked nothing (the step is optional). Marks come in the order of
``REGIONS``, one per region at most. Every mark carries an intensity, "please avoid" too (how
firmly to keep away), so that each mark reads the same way; the form offers "moderate" first.

A body map never takes part in triage: it raises no level and lowers none. It only adds
pointers to the review's reasons (``pointers``), each naming the question the therapist should
look at again with the client.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

BODY_MAP_VERSION = 1

FRONT = "front"
BACK = "back"
VIEWS = (FRONT, BACK)

RIGHT = "right"
LEFT = "left"
# The lower back spans both sides.
MIDDLE = ""

PAIN = "pain"
TENSION = "tension"
AVOID = "avoid"
KINDS = {
    PAIN: _("Pain"),
    TENSION: _("Tension"),
    AVOID: _("Please avoid"),
}

INTENSITIES = {
    "mild": _("Mild"),
    "moderate": _("Moderate"),
    "strong": _("Strong"),
}
DEFAULT_INTENSITY = "moderate"

# The question a one-sided leg pain points the therapist to (intake/questionnaire_v1.py).
ONE_LEG_QUESTION = "leg_symptoms_side"


@dataclass(frozen=True)
class Region:
    """One area a client can mark, on one view of the body and one side of it."""

    code: str
    view: str
    side: str
    part: str
    label: str
    # Part of the leg, from the thigh down: what a one-leg pain is about.
    leg: bool = True


def _pair(view: str, part: str, right_label, left_label, *, leg: bool = True) -> tuple:
    return (
        Region(f"right_{part}", view, RIGHT, part, right_label, leg),
        Region(f"left_{part}", view, LEFT, part, left_label, leg),
    )


# Labels are whole phrases, one per region: a translator sees "Right calf", never a "Right"
# glued to a "calf" in an order only English uses.
REGIONS: tuple[Region, ...] = (
    *_pair(FRONT, "hip", _("Right hip"), _("Left hip"), leg=False),
    *_pair(FRONT, "thigh_front", _("Front of the right thigh"), _("Front of the left thigh")),
    *_pair(FRONT, "knee", _("Right knee"), _("Left knee")),
    *_pair(FRONT, "shin", _("Right shin"), _("Left shin")),
    *_pair(FRONT, "ankle", _("Right ankle"), _("Left ankle")),
    *_pair(FRONT, "foot_top", _("Top of the right foot"), _("Top of the left foot")),
    Region("lower_back", BACK, MIDDLE, "lower_back", _("Lower back"), leg=False),
    *_pair(BACK, "buttock", _("Right buttock"), _("Left buttock"), leg=False),
    *_pair(BACK, "thigh_back", _("Back of the right thigh"), _("Back of the left thigh")),
    *_pair(BACK, "knee_back", _("Back of the right knee"), _("Back of the left knee")),
    *_pair(BACK, "calf", _("Right calf"), _("Left calf")),
    *_pair(BACK, "heel", _("Right heel and Achilles tendon"), _("Left heel and Achilles tendon")),
    *_pair(BACK, "sole", _("Sole of the right foot"), _("Sole of the left foot")),
)
REGIONS_BY_CODE: dict[str, Region] = {region.code: region for region in REGIONS}
_ORDER = {region.code: index for index, region in enumerate(REGIONS)}


class BodyMapInvalid(ValueError):
    """The posted or stored body map does not fit the version; the message says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Mark:
    region: str
    kind: str
    intensity: str


@dataclass(frozen=True)
class Pointer:
    """A note for the review: which question to look at again, and why."""

    question: str
    text: str


def _mark(value) -> Mark:
    if not isinstance(value, Mapping):
        raise BodyMapInvalid(_("Each marked area must name its area and what you feel there."))
    region, kind = value.get("region"), value.get("kind")
    intensity = value.get("intensity") or DEFAULT_INTENSITY
    if not isinstance(region, str) or region not in REGIONS_BY_CODE:
        raise BodyMapInvalid(_("One of the marked areas is not on the body map."))
    if not isinstance(kind, str) or kind not in KINDS:
        raise BodyMapInvalid(_("Please choose pain, tension or “please avoid” for each area."))
    if not isinstance(intensity, str) or intensity not in INTENSITIES:
        raise BodyMapInvalid(_("Please choose mild, moderate or strong for each area."))
    return Mark(region, kind, intensity)


def clean(value) -> dict:
    """Return the canonical body map for ``value``, or ``{}`` when nothing is marked.

    ``value`` is a stored or posted body map (``{"version": 1, "marks": [...]}``), or empty.
    Refuse another version, an unknown area, kind or intensity, and two marks on one area.
    """
    if value in (None, "", {}):
        return {}
    if not isinstance(value, Mapping):
        raise BodyMapInvalid(_("The body map could not be read."))
    if value.get("version") != BODY_MAP_VERSION:
        raise BodyMapInvalid(_("The body map was changed meanwhile. Please mark it again."))
    marks = value.get("marks") or []
    if not isinstance(marks, list | tuple):
        raise BodyMapInvalid(_("The body map could not be read."))
    cleaned = [_mark(mark) for mark in marks]
    regions = [mark.region for mark in cleaned]
    if len(set(regions)) != len(regions):
        raise BodyMapInvalid(_("Each area can be marked once."))
    if not cleaned:
        return {}
    cleaned.sort(key=lambda mark: _ORDER[mark.region])
    return {
        "version": BODY_MAP_VERSION,
        "marks": [
            {"region": mark.region, "kind": mark.kind, "intensity": mark.intensity}
            for mark in cleaned
        ],
    }


def from_choices(choices: Mapping[str, tuple[str, str]]) -> dict:
    """Return the canonical body map for what a form chose: area → (kind, intensity).

    An area whose kind is empty is not marked, whatever its intensity says.
    """
    return clean(
        {
            "version": BODY_MAP_VERSION,
            "marks": [
                {"region": region, "kind": kind, "intensity": intensity}
                for region, (kind, intensity) in choices.items()
                if kind
            ],
        }
    )


def marks(body_map: Mapping) -> tuple[Mark, ...]:
    """Return the marks of a stored (canonical) body map; an empty one has none."""
    if not body_map:
        return ()
    return tuple(Mark(m["region"], m["kind"], m["intensity"]) for m in body_map.get("marks", ()))


def by_region(body_map: Mapping) -> dict[str, Mark]:
    return {mark.region: mark for mark in marks(body_map)}


@dataclass(frozen=True)
class Row:
    """One mark as a person reads it: "Right calf · Tension · Moderate"."""

    region: Region
    kind: str
    kind_label: str
    intensity: str
    intensity_label: str


def rows(body_map: Mapping) -> list[Row]:
    """Return the marks readably, in the order of the regions."""
    return [
        Row(
            region=REGIONS_BY_CODE[mark.region],
            kind=mark.kind,
            kind_label=KINDS[mark.kind],
            intensity=mark.intensity,
            intensity_label=INTENSITIES[mark.intensity],
        )
        for mark in marks(body_map)
    ]


def _pain_sides(found: Iterable[Mark]) -> set[str]:
    return {
        REGIONS_BY_CODE[mark.region].side
        for mark in found
        if mark.kind == PAIN and REGIONS_BY_CODE[mark.region].leg
    }


def pointers(body_map: Mapping) -> tuple[Pointer, ...]:
    """Return the review's notes that this body map calls for; never a level.

    Pain marked on one leg only points the therapist to the one-leg question: the answers
    decide the level, and the therapist checks with the client that they agree.
    """
    sides = _pain_sides(marks(body_map))
    if sides == {RIGHT}:
        return (
            Pointer(
                ONE_LEG_QUESTION,
                _(
                    "The body map shows pain in the right leg only: please check the answer "
                    "to “In one leg or both?” with the client."
                ),
            ),
        )
    if sides == {LEFT}:
        return (
            Pointer(
                ONE_LEG_QUESTION,
                _(
                    "The body map shows pain in the left leg only: please check the answer "
                    "to “In one leg or both?” with the client."
                ),
            ),
        )
    return ()


def regions(codes: Iterable[str]) -> list[Region]:
    """Return the regions named by ``codes`` in the body map's order, leaving out unknown ones.

    Session notes keep the areas treated as region codes of this same map.
    """
    wanted = set(codes)
    return [region for region in REGIONS if region.code in wanted]
