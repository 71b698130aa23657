"""The kinds of object people comment on: how to find one in an organization, name it and
link to its page. One table, so pages, the API and notices agree."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.urls import reverse

from accord.core.errors import NotFound, ServiceError
from accord.org.models import Organization


@dataclass(frozen=True)
class Kind:
    name: str  # what the API and forms call it, e.g. "key_result"
    model: str  # app_label.ModelName
    label: str  # "key result"
    title_field: str

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind("objective", "alignment.Objective", "objective", "title"),
        Kind("key_result", "alignment.KeyResult", "key result", "name"),
        Kind("initiative", "alignment.Initiative", "initiative", "title"),
        Kind("dependency", "coordination.Dependency", "dependency", "title"),
        Kind("decision", "decisions.Decision", "decision", "question"),
        Kind("issue", "decisions.Issue", "issue", "title"),
        Kind("action_item", "decisions.ActionItem", "action item", "title"),
    ]
}


def kind_of(name: str) -> Kind:
    found = KINDS.get(name)
    if found is None:
        raise ServiceError(
            f"Comments are not kept on {name!r}; use one of {', '.join(KINDS)}.",
            fields={"target": [f"Unknown kind {name!r}."]},
        )
    return found


def kind_for(obj: models.Model) -> Kind:
    model = f"{obj._meta.app_label}.{obj._meta.object_name}"
    for kind in KINDS.values():
        if kind.model == model:
            return kind
    raise ValueError(f"Comments are not kept on {model}.")


def get(org: Organization, name: str, pk: object, *, field: str | None = None) -> models.Model:
    """The object of `org` a comment is about; another organization's is not found (404),
    or, when it is named in a body's `field`, refused as an unknown reference (422)."""
    kind = kind_of(name)
    try:
        pk = int(pk)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        pk = None
    obj = kind.model_class()._default_manager.filter(org=org, pk=pk).first() if pk else None
    if obj is None:
        message = f"No {kind.label} with id {pk} in {org.name}."
        if field:
            raise ServiceError(
                message, fields={field: [f"Unknown {kind.label} {pk}."]}, code="unknown_reference"
            )
        raise NotFound(message)
    return obj


def title(obj: models.Model) -> str:
    return str(getattr(obj, kind_for(obj).title_field))


def path(org: Organization, obj: models.Model) -> str:
    """The page that shows `obj` and its comments."""
    name = kind_for(obj).name
    slug = org.slug
    if name == "objective":
        return reverse("alignment:objective", kwargs={"org_slug": slug, "objective_id": obj.pk})
    if name == "key_result":
        return reverse("alignment:key_result", kwargs={"org_slug": slug, "kr_id": obj.pk})
    if name == "initiative":
        return reverse("alignment:initiative", kwargs={"org_slug": slug, "initiative_id": obj.pk})
    if name == "dependency":
        return reverse("coordination:detail", kwargs={"org_slug": slug, "dep_id": obj.pk})
    if name == "decision":
        return reverse("decisions:decision", kwargs={"org_slug": slug, "decision_id": obj.pk})
    if name == "action_item":
        return reverse("decisions:action", kwargs={"org_slug": slug, "item_id": obj.pk})
    return reverse("decisions:issue", kwargs={"org_slug": slug, "issue_id": obj.pk})


def comment_path(org: Organization, obj: models.Model, comment_id: int) -> str:
    """Where one comment is shown: its object's page, at the page of comments holding it."""
    base = path(org, obj).partition("#")[0]
    return f"{base}?comment={comment_id}#comment-{comment_id}"
