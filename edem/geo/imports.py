"""Territories in bulk from a GeoJSON FeatureCollection (the admin's import page and the
``import_territories`` command): a plan is read and checked first, shown as a preview, and
created only when every feature passes the same checks as the admin form.

Each feature gives ``properties.name`` (required), ``properties.kind`` (optional; one of the
territory kinds, else the default chosen for the import) and optionally
``properties.parent`` (the name of an existing or imported territory). Without a parent
name, the parent is found by containment: the smallest territory, stored or imported, of
another kind whose boundary covers the feature's.
"""

import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Territory
from .shapes import shape_from_geojson
from .validation import TOLERANCE, check_inside, check_no_overlap, check_rings, named_shapes

MAX_FEATURES = 500


@dataclass
class Planned:
    """One feature of the file: what will be created, or why it cannot be."""

    number: int
    name: str
    kind: str
    boundary: dict | None
    geom: object = None
    parent: Territory | None = None
    parent_planned: "Planned | None" = None
    requested_parent: str = ""
    errors: list = field(default_factory=list)

    @property
    def parent_name(self):
        if self.parent_planned is not None:
            return self.parent_planned.name
        return self.parent.name if self.parent is not None else ""

    @property
    def kind_label(self):
        return Territory.Kind(self.kind).label if self.kind in Territory.Kind.values else self.kind


@dataclass
class Plan:
    items: list
    errors: list = field(default_factory=list)  # about the file as a whole

    @property
    def ok(self):
        return not self.errors and bool(self.items) and not any(i.errors for i in self.items)


def read(text, *, default_kind=Territory.Kind.DISTRICT):
    """Parse and check a FeatureCollection (``text`` is a str, bytes or a parsed dict)."""
    try:
        data = json.loads(text) if isinstance(text, str | bytes) else text
    except ValueError as exc:
        return Plan([], [_("The file is not valid JSON: %(error)s") % {"error": exc}])
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return Plan([], [_("The file must hold a GeoJSON FeatureCollection.")])
    features = data.get("features")
    if not isinstance(features, list) or not features:
        return Plan([], [_("The collection has no features.")])
    if len(features) > MAX_FEATURES:
        return Plan([], [_("At most %(n)d features at once.") % {"n": MAX_FEATURES}])
    items = [_item(number, feature, default_kind) for number, feature in enumerate(features, 1)]
    _find_parents(items)
    _check_overlaps(items)
    return Plan(items)


def _item(number, feature, default_kind):
    if not isinstance(feature, dict):
        feature = {}
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        properties = {}
    item = Planned(
        number=number,
        name=str(properties.get("name") or "").strip()[:200],
        kind=str(properties.get("kind") or default_kind),
        boundary=feature.get("geometry"),
        requested_parent=str(properties.get("parent") or "").strip(),
    )
    name, kind, geometry = item.name, item.kind, item.boundary
    if feature.get("type") != "Feature":
        item.errors.append(_("This is not a GeoJSON Feature."))
        return item
    if not name:
        item.errors.append(_("The feature has no “name” property."))
    if kind not in Territory.Kind.values:
        item.errors.append(
            _("Unknown kind “%(kind)s”; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Territory.Kind.values)}
        )
    try:
        check_rings(geometry)
        item.geom = shape_from_geojson(geometry)
    except ValidationError as exc:
        item.errors.extend(exc.messages)
    except ValueError as exc:
        item.errors.append(str(exc))
    return item


def _stored():
    return [
        (territory, geom)
        for territory in Territory.objects.filter(boundary__isnull=False)
        for geom in _shape_or_none(territory.boundary)
    ]


def _shape_or_none(boundary):
    try:
        return [shape_from_geojson(boundary)]
    except ValueError:
        return []


def _find_parents(items):
    stored = _stored()
    by_name = {t.name: t for t, _geom in stored}
    planned_by_name = {i.name: i for i in items if i.name}
    for item in items:
        if item.geom is None:
            continue
        if item.requested_parent:
            planned = planned_by_name.get(item.requested_parent)
            existing = (
                by_name.get(item.requested_parent)
                or Territory.objects.filter(name=item.requested_parent).first()
            )
            if planned is not None and planned is not item:
                item.parent_planned = planned
                outer = planned.geom
            elif existing is not None:
                item.parent = existing
                outer = next((g for t, g in stored if t.pk == existing.pk), None)
            else:
                item.errors.append(
                    _("The parent “%(parent)s” is neither stored nor in the file.")
                    % {"parent": item.requested_parent}
                )
                continue
            if outer is not None:
                try:
                    check_inside(item.geom, outer, item.requested_parent)
                except ValidationError as exc:
                    item.errors.extend(exc.messages)
            continue
        candidates = [
            (geom.area, 0, t, None)
            for t, geom in stored
            if t.kind != item.kind and _covers(geom, item.geom)
        ] + [
            (other.geom.area, 1, None, other)
            for other in items
            if other is not item
            and other.geom is not None
            and other.kind != item.kind
            and other.geom.area > item.geom.area
            and _covers(other.geom, item.geom)
        ]
        if candidates:
            _area, _order, territory, planned = min(candidates, key=lambda c: (c[0], c[1]))
            item.parent, item.parent_planned = territory, planned


def _covers(outer, inner):
    return outer.buffer(TOLERANCE).covers(inner)


def _check_overlaps(items):
    for index, item in enumerate(items):
        if item.geom is None:
            continue
        stored = Territory.objects.filter(kind=item.kind, boundary__isnull=False)
        others = named_shapes(stored.values_list("name", "boundary")) + [
            (other.name, other.geom)
            for other in items[:index]
            if other.kind == item.kind and other.geom is not None
        ]
        try:
            check_no_overlap(item.geom, others)
        except ValidationError as exc:
            item.errors.extend(exc.messages)


@transaction.atomic
def create(plan):
    """Create the planned territories, parents first; refuses a plan with errors."""
    if not plan.ok:
        raise ValidationError(_("The file has errors; nothing was imported."))
    created = {}
    for item in sorted(plan.items, key=lambda i: -i.geom.area):
        parent = created[id(item.parent_planned)] if item.parent_planned else item.parent
        territory = Territory(name=item.name, kind=item.kind, parent=parent, boundary=item.boundary)
        territory.full_clean()  # the same checks as the admin form, against what is stored now
        territory.save()
        created[id(item)] = territory
    return [created[id(item)] for item in plan.items]
