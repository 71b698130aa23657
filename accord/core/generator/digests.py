"""A digest of one organization's rows, to compare two generated organizations.

Ids differ between databases (and between two generations in one), so every id is
written relative to the smallest id of its table in that organization: foreign keys,
generic references (an event's target, an action item's source, a decision's link) and
the ids in an event's before/after (read as the activity feed reads them). The
organization's own id, name and address are left out. Same digest, same content.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.apps import apps
from django.db import models

from accord.activity.queries import _relation
from accord.org.models import Organization

GENERIC = {"target_id": "target_type", "source_id": "source_type"}
# Ids whose model a sibling column names by a word: (table, column) -> (that column,
# word -> model label).
TYPED = {
    ("decisions_followtally", "subject"): (
        "kind",
        {"org": "org.Organization", "owner": "org.Person", "team": "org.Team", "tree": "org.Team"},
    ),
    ("decisions_latencyfigure", "subject"): (
        "kind",
        {"org": "org.Organization", "team": "org.Team", "approver": "org.Person"},
    ),
}


def _reference(kind: str, key: str) -> type[models.Model] | None:
    """The model an id under `key` in an event of `kind` names: a field's (as the activity
    feed reads it), a many-to-many's in the singular (`key_result`), or for `parent`
    without a field (objectives link through a table) the event's own kind."""
    model = _relation(kind, key) or _relation(kind, f"{key}s")
    if model is None and key == "parent":
        return apps.get_model(kind)
    return model


def _org_rows(model: type[models.Model], org: Organization, scoped: set) -> models.QuerySet | None:
    """The rows of `model` that belong to `org`: by its `org` column, or for a
    many-to-many table, by its first link to an organization's model."""
    names = {f.name for f in model._meta.concrete_fields}
    if "org" in names:
        return model._base_manager.filter(org=org)
    if model._meta.auto_created:
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in scoped:
                return model._base_manager.filter(**{f"{f.name}__org": org})
    return None


def digest(org: Organization) -> str:
    """A SHA-256 over every row of `org` in every table, ids made relative."""
    all_models = apps.get_models(include_auto_created=True)
    scoped = {m for m in all_models if "org" in {f.name for f in m._meta.concrete_fields}}
    querysets = {}
    for model in sorted(all_models, key=lambda m: m._meta.db_table):
        qs = _org_rows(model, org, scoped)
        if qs is not None and model is not Organization:
            querysets[model] = qs
    base = {m: qs.aggregate(low=models.Min("pk"))["low"] or 0 for m, qs in querysets.items()}
    h = hashlib.sha256()

    def relative(model: type[models.Model] | None, value: Any) -> Any:
        if model is Organization:
            return 0
        if model is None or isinstance(value, bool):
            return value
        if isinstance(value, int | str) and str(value).isdigit():
            return int(value) - base.get(model, 0)
        if isinstance(value, list):
            return [relative(model, v) for v in value]
        return value

    def generic(label: str) -> type[models.Model] | None:
        try:
            return apps.get_model(label) if label else None
        except (LookupError, ValueError):
            return None

    for model, qs in querysets.items():
        fields = [f for f in model._meta.concrete_fields if f.name != "org"]
        names = [f.name for f in fields]
        h.update(model._meta.db_table.encode())
        for row in qs.order_by("pk").values_list(*(f.attname for f in fields)):
            values = dict(zip(names, row, strict=True))
            out = []
            for f in fields:
                value = values[f.name]
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    value = None
                elif f.primary_key:
                    value = relative(model, value)
                elif f.is_relation:
                    value = relative(f.related_model, value)
                elif (model._meta.db_table, f.name) in TYPED:
                    column, models_by_word = TYPED[(model._meta.db_table, f.name)]
                    value = relative(generic(models_by_word.get(values[column], "")), value)
                elif f.name in GENERIC and GENERIC[f.name] in values:
                    value = relative(generic(values[GENERIC[f.name]]), value)
                elif f.name in ("before", "after") and "target_type" in values:
                    kind = values["target_type"]
                    value = {k: relative(_reference(kind, k), v) for k, v in value.items()}
                out.append(value)
            h.update(repr(out).encode())
    return h.hexdigest()
