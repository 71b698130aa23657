"""Reads of the event log shared by pages: names for the ids that events refer to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from accord.activity.models import Event


@cache
def _relation(target_type: str, key: str) -> type[models.Model] | None:
    """The model a changed field of `target_type` refers to by id, read from the model itself
    (a foreign key or a many-to-many), or None for a plain value or an unknown field."""
    try:
        model = apps.get_model(target_type)
        field = model._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    if isinstance(field, models.ForeignKey | models.ManyToManyField):
        return field.related_model
    return None


def _ids(value: object) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    return []


def name_references(org, events: Iterable[Event]) -> list[Event]:
    """Give each event the names of the objects its changes refer to by id, so a history
    reads "parent: Engineering" rather than "parent: 16". One query per kind of object,
    and only the organization's own objects are named."""
    events = list(events)
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for event in events:
        for key in {*event.before, *event.after}:
            model = _relation(event.target_type, key)
            if model is not None:
                wanted[model].update(_ids(event.before.get(key)) + _ids(event.after.get(key)))
    names: dict[type[models.Model], dict[int, str]] = {}
    for model, ids in wanted.items():
        rows = model._default_manager.filter(pk__in=ids)
        if any(f.name == "org" for f in model._meta.concrete_fields):
            rows = rows.filter(org=org)
        names[model] = {obj.pk: str(obj) for obj in rows}
    for event in events:
        event.reference_names = {
            key: names[model]
            for key in {*event.before, *event.after}
            if (model := _relation(event.target_type, key)) in names
        }
    return events
