"""Saved views of lists (a list page's filters under a name), through the API: the same
views the pages offer under "My views" and "Shared views"."""

# No `from __future__ import annotations`: see accord/api/main.py.
import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accord.api.common import (
    OWN_SETTINGS,
    Id,
    InputSchema,
    Pagination,
    PatchSchema,
    actor_of,
    get_or_404,
    if_match,
    org_of,
)
from accord.web import queries, services
from accord.web.models import SavedView

router = Router(tags=["Saved views"])

Name = Field(min_length=1, max_length=100, description="Unique per person and list.")
QueryText = Field(
    "",
    max_length=services.MAX_QUERY,
    description="The list's filters as a query string, without the leading `?` "
    "(e.g. `status=active&team_id=3`); `page` and empty values are dropped.",
)


class SavedViewOut(Schema):
    id: int
    name: str
    path: str = Field(description="The list's page, /o/<organization>/….")
    query: str
    url: str = Field(description="The list with the view's filters: path?query.")
    shared: bool = Field(description="Listed for everyone in the organization.")
    owner_id: int
    owner_name: str = Field(alias="owner.name")
    owner_is_active: bool = Field(
        alias="owner.is_active",
        description="False once the owner has left the organization (deactivated): the "
        'pages name them "Ana Ruiz (left)".',
    )
    created_at: dt.datetime
    version: int


class SavedViewIn(InputSchema):
    name: str = Name
    path: str = Field(
        min_length=1,
        max_length=300,
        description="The list's page, e.g. /o/<organization>/alignment/initiatives/.",
    )
    query: str = QueryText
    shared: bool = Field(
        False,
        description="Listed for everyone in the organization: members and above only "
        "(403 for a viewer, whose views are their own).",
    )


class SavedViewPatch(PatchSchema):
    model = SavedView

    name: str | None = Field(None, min_length=1, max_length=100)
    query: str | None = Field(None, max_length=services.MAX_QUERY)
    shared: bool | None = None


def _view(request, view_id: int) -> SavedView:
    """One of the caller's own views, or a shared one; anyone else's is not found."""
    return get_or_404(
        queries.visible_views(org_of(request), actor_of(request)), view_id, "saved view"
    )


@router.get(
    "/saved-views",
    response=list[SavedViewOut],
    summary="My saved views and the organization's shared ones, by name (of one list with `path`)",
)
@paginate(Pagination)
def list_saved_views(
    request,
    path: str | None = Query(None, max_length=300, description="Only the views of this list."),
):
    return queries.visible_views(org_of(request), actor_of(request), path)


@router.post(
    "/saved-views",
    response={201: SavedViewOut},
    summary="Save a list's filters under a name (viewers too, unshared); a name I already "
    "gave a view of the same list replaces that view's filters",
    auth=OWN_SETTINGS,
)
def create_saved_view(request, payload: SavedViewIn):
    view = services.save_view(org_of(request), actor_of(request), **payload.model_dump())
    return Status(201, view)


@router.get("/saved-views/{view_id}", response=SavedViewOut, summary="One saved view")
def get_saved_view(request, view_id: Id):
    return _view(request, view_id)


@router.patch(
    "/saved-views/{view_id}",
    response=SavedViewOut,
    summary="Rename a saved view, change its filters, share or unshare it (its owner only)",
    auth=OWN_SETTINGS,
)
def update_saved_view(request, view_id: Id, payload: SavedViewPatch):
    return services.update_view(
        org_of(request),
        actor_of(request),
        _view(request, view_id),
        expected_version=if_match(request),
        **payload.model_dump(exclude_unset=True),
    )


@router.delete(
    "/saved-views/{view_id}",
    response={204: None},
    summary="Delete a saved view (its owner, or an admin for a shared one)",
    auth=OWN_SETTINGS,
)
def delete_saved_view(request, view_id: Id):
    services.delete_view(
        org_of(request),
        actor_of(request),
        _view(request, view_id),
        expected_version=if_match(request),
    )
    return Status(204, None)
