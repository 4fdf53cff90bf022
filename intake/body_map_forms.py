"""The body map as a form field, and what its templates draw.

The list of areas is the real form: per area, a group of radio buttons (not marked, pain,
tension, please avoid) and an intensity, posted as ``body_map-<area>`` and
``body_map-<area>-intensity``. It works without JavaScript and with a screen reader. The
outline of the body (templates/intake/includes/body_map_input.html) is drawn from ``SHAPES``
and kept in step with the list by static/js/body_map.js.
"""

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from intake import body_map
from intake.body_map import BACK, FRONT, LEFT, MIDDLE, REGIONS, RIGHT

NAME = "body_map"
INTENSITY_SUFFIX = "-intensity"

# The outlines' coordinates (viewBox 0 0 120 340): two legs side by side, rows from the
# waist to the feet. Seen from the front, the client's right leg is on the viewer's left.
VIEW_BOX = "0 0 120 340"
_LEG_WIDTH = 44
_COLUMN = {
    (FRONT, RIGHT): 12,
    (FRONT, LEFT): 64,
    (BACK, LEFT): 12,
    (BACK, RIGHT): 64,
}
# Each row at least 38 units high: 44 px and more on a 375 px phone.
_ROWS = {
    "lower_back": (10, 38),
    "hip": (50, 38),
    "buttock": (50, 38),
    "thigh_front": (90, 60),
    "thigh_back": (90, 60),
    "knee": (152, 38),
    "knee_back": (152, 38),
    "shin": (194, 58),
    "calf": (194, 58),
    "ankle": (254, 38),
    "heel": (254, 38),
    "foot_top": (294, 38),
    "sole": (294, 38),
}
VIEW_TITLES = {FRONT: _("Front"), BACK: _("Back")}
SIDE_TITLES = {RIGHT: _("Right side"), LEFT: _("Left side"), MIDDLE: _("Lower back")}
NOT_MARKED = _("Not marked")


def _shape(region) -> dict:
    y, height = _ROWS[region.part]
    if region.side == MIDDLE:
        return {"x": 12, "y": y, "width": 96, "height": height}
    return {"x": _COLUMN[(region.view, region.side)], "y": y, "width": _LEG_WIDTH, "height": height}


SHAPES = {region.code: _shape(region) for region in REGIONS}


def _chosen(value) -> dict[str, tuple[str, str]]:
    """Return area → (kind, intensity) from a stored or posted body map, skipping the unreadable.

    A form sent back with an error shows what was posted, even what ``clean`` refused.
    """
    chosen = {}
    if isinstance(value, Mapping):
        for mark in value.get("marks") or ():
            if isinstance(mark, Mapping) and mark.get("region") in body_map.REGIONS_BY_CODE:
                chosen[mark["region"]] = (
                    str(mark.get("kind") or ""),
                    str(mark.get("intensity") or body_map.DEFAULT_INTENSITY),
                )
    return chosen


# An area's name as the outlines give it, here and in static/js/body_map.js.
STATE_NOT_MARKED = _("%(area)s: not marked")
STATE_MARKED = _("%(area)s: %(kind)s, %(intensity)s")


def _state_label(region, kind: str, intensity: str) -> str:
    if kind not in body_map.KINDS:
        return STATE_NOT_MARKED % {"area": region.label}
    return STATE_MARKED % {
        "area": region.label,
        "kind": str(body_map.KINDS[kind]).lower(),
        "intensity": str(body_map.INTENSITIES.get(intensity, "")).lower(),
    }


def _views(chosen: Mapping[str, tuple[str, str]]) -> list[dict]:
    views = []
    for view in body_map.VIEWS:
        regions = []
        for region in REGIONS:
            if region.view != view:
                continue
            kind, intensity = chosen.get(region.code, ("", body_map.DEFAULT_INTENSITY))
            regions.append(
                {
                    "code": region.code,
                    "label": region.label,
                    "kind": kind if kind in body_map.KINDS else "",
                    "state": _state_label(region, kind, intensity),
                    **SHAPES[region.code],
                }
            )
        views.append({"code": view, "title": VIEW_TITLES[view], "regions": regions})
    return views


def input_context(value, *, name: str = NAME, errors=()) -> dict:
    """Return what the body map's form template draws: the outlines, and the list by group."""
    chosen = _chosen(value)
    groups = []
    for view in body_map.VIEWS:
        for side in (RIGHT, LEFT, MIDDLE):
            regions = [r for r in REGIONS if r.view == view and r.side == side]
            if not regions:
                continue
            items = []
            for region in regions:
                kind, intensity = chosen.get(region.code, ("", body_map.DEFAULT_INTENSITY))
                items.append(
                    {
                        "code": region.code,
                        "label": region.label,
                        "name": f"{name}-{region.code}",
                        "intensity_name": f"{name}-{region.code}{INTENSITY_SUFFIX}",
                        # "Not marked" is never ticked beforehand: an area left alone is
                        # simply not marked, and the page shows nothing ticked by itself.
                        "kinds": [{"value": "", "label": NOT_MARKED, "checked": False}]
                        + [
                            {"value": value, "label": label, "checked": value == kind}
                            for value, label in body_map.KINDS.items()
                        ],
                        "intensities": [
                            {"value": value, "label": label, "selected": value == intensity}
                            for value, label in body_map.INTENSITIES.items()
                        ],
                    }
                )
            groups.append(
                {
                    "code": f"{view}-{side or 'middle'}",
                    "title": (
                        SIDE_TITLES[side]
                        if side == MIDDLE
                        else _("%(view)s, %(side)s")
                        % {"view": VIEW_TITLES[view], "side": str(SIDE_TITLES[side]).lower()}
                    ),
                    "regions": items,
                }
            )
    return {
        "view_box": VIEW_BOX,
        "views": _views(chosen),
        "groups": groups,
        "kinds": body_map.KINDS,
        "state_not_marked": STATE_NOT_MARKED,
        "state_marked": STATE_MARKED,
        "errors": list(errors),
    }


def shown_context(value) -> dict:
    """Return what the read-only body map draws for a stored body map: outlines and rows."""
    chosen = {mark.region: (mark.kind, mark.intensity) for mark in body_map.marks(value or {})}
    return {"view_box": VIEW_BOX, "views": _views(chosen), "rows": body_map.rows(value or {})}


class BodyMapWidget(forms.Widget):
    """Read the list's radio groups and intensities back into a body map."""

    def value_from_datadict(self, data, files, name):
        prefix = f"{name}-"
        marks = []
        for key in data:
            if not key.startswith(prefix) or key.endswith(INTENSITY_SUFFIX):
                continue
            kind = data.get(key) or ""
            if not kind:
                continue
            region = key.removeprefix(prefix)
            marks.append(
                {
                    "region": region,
                    "kind": kind,
                    "intensity": data.get(f"{key}{INTENSITY_SUFFIX}") or "",
                }
            )
        return {"version": body_map.BODY_MAP_VERSION, "marks": marks}

    def value_omitted_from_data(self, data, files, name):
        return not any(key.startswith(f"{name}-") for key in data)


class BodyMapField(forms.Field):
    """An optional body map; cleans to its canonical shape (``{}`` when nothing is marked)."""

    widget = BodyMapWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Where you feel it"))
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return body_map.clean(value)
        except body_map.BodyMapInvalid as invalid:
            raise forms.ValidationError(invalid.message, code="invalid") from invalid


def draft_values(data) -> list[str]:
    """Return the marks posted in ``data`` as short strings, for a run-out hold's draft.

    The list has fifty controls; the draft keeps only what was marked, one
    ``region:kind:intensity`` per mark (``from_draft_values`` reads them back).
    """
    posted = BodyMapWidget().value_from_datadict(data, None, NAME)
    return [f"{m['region']}:{m['kind']}:{m['intensity']}" for m in posted["marks"]]


def from_draft_values(values) -> dict:
    """Return the body map a draft kept, or ``{}`` if it cannot be read any more."""
    marks = []
    for value in [values] if isinstance(values, str) else values:
        region, _sep, rest = str(value).partition(":")
        kind, _sep, intensity = rest.partition(":")
        marks.append({"region": region, "kind": kind, "intensity": intensity})
    try:
        return body_map.clean({"version": body_map.BODY_MAP_VERSION, "marks": marks})
    except body_map.BodyMapInvalid:
        return {}
