"""Writes of the web app: saved views. Validate, change and record the event in one
transaction, as every app's services do."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction

from accord.activity import services as activity
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from accord.core.services import require_text
from accord.org.models import Organization, Person, Role
from accord.web.models import SavedView

MAX_QUERY = 2000


def _clean_path(org: Organization, path: str) -> str:
    path = (path or "").strip()
    prefix = f"/o/{org.slug}/"
    if not path.startswith(prefix) or "?" in path or "//" in path or "\\" in path:
        raise ServiceError(
            f"A view is a page of {org.name}: its path starts with {prefix}.",
            fields={"path": [f"Must start with {prefix}."]},
        )
    if len(path) > 300:
        raise ServiceError("The path is too long.", fields={"path": ["At most 300 characters."]})
    return path


def _clean_query(query: str) -> str:
    """The filters without the page number (a saved view opens on its first page)."""
    pairs = [(k, v) for k, v in parse_qsl((query or "").lstrip("?")) if k != "page" and v != ""]
    out = urlencode(pairs)
    if len(out) > MAX_QUERY:
        raise ServiceError(
            "Too many filters to save.", fields={"query": [f"At most {MAX_QUERY} characters."]}
        )
    return out


def save_view(
    org: Organization,
    actor: Person,
    *,
    name: str,
    path: str,
    query: str = "",
    shared: bool = False,
) -> SavedView:
    """Save a list's filters under a name. Anyone in the organization, viewers too, may
    save views of their own; a name already used by the same person for the same list
    replaces that view's filters."""
    if actor is None or actor.org_id != org.pk:
        raise PermissionDenied("Only people of this organization can save views.")
    name = require_text(name, "name", max_length=100)
    path = _clean_path(org, path)
    query = _clean_query(query)
    with transaction.atomic():
        existing = (
            SavedView.objects.for_org(org)
            .select_for_update()
            .filter(owner=actor, path=path, name=name)
            .first()
        )
        if existing is not None:
            before = {"query": existing.query, "shared": existing.shared}
            existing.query, existing.shared = query, shared
            existing.save(update_fields=["query", "shared"])
            activity.record(
                org,
                actor,
                "updated",
                existing,
                before=before,
                after={"query": query, "shared": shared},
            )
            return existing
        view = SavedView.objects.create(
            org=org, owner=actor, name=name, path=path, query=query, shared=shared
        )
        activity.record(
            org, actor, "created", view, after={"path": path, "query": query, "shared": shared}
        )
    return view


def delete_view(org: Organization, actor: Person, view: SavedView) -> None:
    """Its owner removes a saved view; an admin may remove a shared one."""
    if view.org_id != org.pk:
        raise NotFound("No such saved view.")
    if view.owner_id != actor.pk and not (view.shared and actor.has_role(Role.ADMIN)):
        raise PermissionDenied("Only the person who saved this view can remove it.")
    with transaction.atomic():
        activity.record(
            org, actor, "deleted", view, before={"path": view.path, "query": view.query}
        )
        view.delete()
