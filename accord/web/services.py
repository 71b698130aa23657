"""Writes of the web app: saved views; hiding home's getting-started card. Validate, change
and record the event in one transaction, as every app's services do."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction

from accord.activity import services as activity
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from accord.core.services import check_version, require_text, update_and_record
from accord.org.models import Organization, Person, Role
from accord.org.permissions import require_role
from accord.web import getting_started
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
    save views of their own; sharing one with the organization is for members and above
    (a viewer changes nothing others see). A name already used by the same person for the
    same list replaces that view's filters."""
    if actor is None or actor.org_id != org.pk:
        raise PermissionDenied("Only people of this organization can save views.")
    if shared:
        _may_share(org, actor)
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
            existing.version += 1
            existing.save(update_fields=["query", "shared", "version"])
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


def update_view(
    org: Organization,
    actor: Person,
    view: SavedView,
    *,
    expected_version: int | None = None,
    **changes: object,
) -> SavedView:
    """Its owner renames a saved view, changes its filters (`query`) or shares it with the
    organization (and back). Another person's view is never changed: someone else's
    private view is not found, a shared one is refused."""
    _require_visible(org, actor, view)
    if view.owner_id != actor.pk:
        raise PermissionDenied("Only the person who saved this view can change it.")
    unknown = set(changes) - {"name", "query", "shared"}
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a saved view.")
    if "name" in changes:
        changes["name"] = require_text(changes["name"], "name", max_length=100)  # type: ignore[arg-type]
    if "query" in changes:
        changes["query"] = _clean_query(changes["query"])  # type: ignore[arg-type]
    if "shared" in changes and not isinstance(changes["shared"], bool):
        raise ServiceError("Say true or false.", fields={"shared": ["Expected true or false."]})
    if changes.get("shared") is True:
        _may_share(org, actor)
    with transaction.atomic():
        view = SavedView.objects.select_for_update().get(pk=view.pk)
        check_version(view, expected_version)
        name = changes.get("name", view.name)
        taken = (
            SavedView.objects.for_org(org)
            .filter(owner=view.owner_id, path=view.path, name=name)
            .exclude(pk=view.pk)
            .exists()
        )
        if taken:
            raise ServiceError(
                f"You already have a view of this list named “{name}”.",
                fields={"name": ["Already used for another view of this list."]},
            )
        update_and_record(org, actor, view, changes)
    return view


def _may_share(org: Organization, actor: Person) -> None:
    """Sharing a view with everyone is for members and above: a viewer's are their own."""
    require_role(actor, Role.MEMBER, f"share a view with everyone in {org.name}")


def _require_visible(org: Organization, actor: Person | None, view: SavedView) -> None:
    """Someone else's private view does not exist for `actor` (404, as another org's)."""
    if actor is None or view.org_id != org.pk or actor.org_id != org.pk:
        raise NotFound("No such saved view.")
    if view.owner_id != actor.pk and not view.shared:
        raise NotFound("No such saved view.")


def delete_view(
    org: Organization, actor: Person, view: SavedView, *, expected_version: int | None = None
) -> None:
    """Its owner removes a saved view; an admin may remove a shared one."""
    if view.org_id != org.pk:
        raise NotFound("No such saved view.")
    if view.owner_id != actor.pk and not (view.shared and actor.has_role(Role.ADMIN)):
        raise PermissionDenied("Only the person who saved this view can remove it.")
    with transaction.atomic():
        check_version(view, expected_version)
        activity.record(
            org, actor, "deleted", view, before={"path": view.path, "query": view.query}
        )
        view.delete()


# --- home's "Getting started" card (accord.web.getting_started) ---------------------------


def hide_getting_started(org: Organization, actor: Person) -> bool:
    """An admin hides home's getting-started card, for every admin of the organization;
    recorded on the organization. False (nothing recorded) when it is hidden already."""
    return _set_getting_started(org, actor, hide=True)


def show_getting_started(org: Organization, actor: Person) -> bool:
    """An admin brings the card back (it shows while the organization is young and a step
    is left). False (nothing recorded) when it was not hidden."""
    return _set_getting_started(org, actor, hide=False)


def _set_getting_started(org: Organization, actor: Person, *, hide: bool) -> bool:
    if actor is None or actor.org_id != org.pk:
        raise PermissionDenied("Only an admin of this organization may do that.")
    require_role(actor, Role.ADMIN, "hide or show the getting-started guide")
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=org.pk)  # one admin at a time
        if getting_started.hidden(org) == hide:
            return False
        verb = getting_started.HIDDEN if hide else getting_started.SHOWN
        activity.record(org, actor, verb, org, team=None)
    return True
