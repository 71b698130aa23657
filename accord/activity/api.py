"""The event log over the API: the audit trail integrators read."""

# No `from __future__ import annotations` here: ninja resolves the annotations of
# @paginate-wrapped endpoints in ninja's own module, where our names do not exist.
import datetime as dt
from typing import Any

from ninja import Router, Schema
from ninja.pagination import paginate

from accord.activity.models import Event
from accord.api.common import Id, org_of

router = Router(tags=["Activity"])


class EventOut(Schema):
    id: int
    kind: str
    verb: str
    target_type: str
    target_id: str
    target_label: str
    actor_id: Id | None
    actor_name: str
    before: dict[str, Any]
    after: dict[str, Any]
    created_at: dt.datetime


@router.get("/events", response=list[EventOut], summary="The event log, newest first")
@paginate
def list_events(
    request,
    target_type: str = "",
    target_id: str = "",
    actor_id: Id | None = None,
    since: dt.datetime | None = None,
):
    qs = Event.objects.for_org(org_of(request))
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return qs
