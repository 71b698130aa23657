"""Reads of the event log shared by pages: names for the ids that events refer to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import models

from accord.activity.models import Event

# (target type, changed field) -> the model whose id the field holds. Apps may add theirs,
# e.g. REFERENCES[("alignment.objective", "owner")] = Person, in their AppConfig.ready().
REFERENCES: dict[tuple[str, str], type[models.Model]] = {}


def _register_org_references() -> None:
    from accord.org.models import Person, Team

    REFERENCES.update(
        {
            ("org.team", "parent"): Team,
            ("org.membership", "team"): Team,
            ("org.membership", "person"): Person,
        }
    )


def name_references(org, events: Iterable[Event]) -> list[Event]:
    """Give each event the names of the objects its changes refer to by id, so a history
    reads "parent: Engineering" rather than "parent: 16". One query per kind of object."""
    if not REFERENCES:
        _register_org_references()
    events = list(events)
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for event in events:
        for key, before, after in event.changed_fields:
            model = REFERENCES.get((event.target_type, key))
            if model is not None:
                wanted[model].update(v for v in (before, after) if isinstance(v, int))
    names: dict[type[models.Model], dict[int, str]] = {}
    for model, ids in wanted.items():
        rows = model._default_manager.filter(org=org, pk__in=ids)
        names[model] = {obj.pk: str(obj) for obj in rows}
    for event in events:
        event.reference_names = {
            key: names.get(model, {})
            for (target_type, key), model in REFERENCES.items()
            if target_type == event.target_type
        }
    return events
