"""Reads of the web app: the saved views a list page offers."""

from __future__ import annotations

from django.db.models import Q

from accord.org.models import Organization, Person, Role
from accord.web.models import SavedView


def saved_views(org: Organization, person: Person | None, path: str) -> dict:
    """{"mine": …, "shared": …, "can_share": …} for one list page: one query. Shared views
    of others are listed under "shared"; one's own shared ones under "mine"; `can_share`:
    whether the person may share a view with the organization (a member or above; a
    viewer saves views of their own only)."""
    visible = Q(shared=True)
    if person is not None:
        visible |= Q(owner=person)
    rows = list(
        SavedView.objects.for_org(org)
        .filter(path=path)
        .filter(visible)
        .select_related("owner")
        .order_by("name", "id")[:200]
    )
    mine = [v for v in rows if person is not None and v.owner_id == person.pk]
    return {
        "mine": mine,
        "shared": [v for v in rows if v not in mine],
        "can_share": person is not None and person.is_active and person.has_role(Role.MEMBER),
    }


def visible_views(org: Organization, person: Person, path: str | None = None):
    """The saved views `person` sees: their own and the organization's shared ones, by
    name (of one list when `path` is given). The (org, path, owner) and (org, path,
    shared) indexes serve a list's views."""
    qs = SavedView.objects.for_org(org).filter(Q(owner=person) | Q(shared=True))
    if path is not None:
        qs = qs.filter(path=path)
    return qs.select_related("owner").order_by("name", "id")
