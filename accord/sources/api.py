"""Key-result sources, initiatives' tracker links and the organization's tracker access."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema, Status

from accord.alignment.models import Initiative, KeyResult
from accord.api.common import Id, InputSchema, actor_of, get_or_404, org_of
from accord.core.errors import NotFound
from accord.rhythm.models import Measurable
from accord.sources import services
from accord.sources.models import KeyResultSource, TrackerCredential, TrackerLink

router = Router(tags=["Sources and trackers"])


class PullStateOut(Schema):
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str
    last_error_at: dt.datetime | None
    failures: int = Field(description="Failed pulls in a row.")


class SourceOut(PullStateOut):
    key_result_id: int | None
    measurable_id: int | None
    kind: Literal["json", "csv", "prometheus"]
    url: str
    json_path: str
    csv_column: str
    csv_row: str
    key_column: str
    key_value: str
    query: str
    header_name: str
    header_secret_set: bool = Field(description="A header value is stored (never shown).")
    last_value: float | None

    @staticmethod
    def resolve_header_secret_set(obj: KeyResultSource) -> bool:
        return bool(obj.header_secret)


class SourceIn(InputSchema):
    kind: Literal["json", "csv", "prometheus"]
    url: str = Field(max_length=1000, description="http(s); for Prometheus, the server's base.")
    json_path: str = Field("", max_length=200, description="JSON: the JSONPath to the number.")
    csv_column: str = Field("", max_length=200, description="CSV: header name or number from 1.")
    csv_row: str = Field("", max_length=20, description='CSV: "last" or a number from 1.')
    key_column: str = Field("", max_length=200, description="CSV: find the row by this column…")
    key_value: str = Field("", max_length=200, description="…holding this value (the last such).")
    query: str = Field("", max_length=1000, description="Prometheus: an instant query.")
    header_name: str = Field("", max_length=100, description="A header sent with each pull.")
    header_value: str | None = Field(
        None,
        max_length=2000,
        description="Its secret value, stored encrypted. Left out: keep the stored one.",
    )


class PullOut(Schema):
    ok: bool
    message: str
    value: float | None = None


class TrackerLinkOut(PullStateOut):
    initiative_id: int
    url: str
    tracker: Literal["github", "gitlab", "jira"]
    item_kind: str
    title: str
    state: str = Field(description="The item's state as the tracker says it.")
    closed: bool
    done_count: int | None
    total_count: int | None
    note: str = Field(
        description="Why the finished item did not mark the initiative done; empty otherwise."
    )


class TrackerLinkIn(InputSchema):
    url: str = Field(max_length=1000, description="The issue, epic or milestone's address.")


class CredentialOut(Schema):
    tracker: Literal["github", "gitlab", "jira"]
    base_url: str = Field(description="The API base; empty: derived from each linked URL.")
    token_set: bool
    token_set_at: dt.datetime | None
    auth_error: str = Field(description="Why the tracker last refused the token, if it did.")
    auth_error_at: dt.datetime | None

    @staticmethod
    def resolve_token_set(obj: TrackerCredential) -> bool:
        return bool(obj.token)


class CredentialIn(InputSchema):
    base_url: str | None = Field(None, max_length=500, description='Left out: kept; "": cleared.')
    token: str | None = Field(
        None, max_length=2000, description='Stored encrypted, never shown; "": removed.'
    )


def _kr(request, kr_id: int) -> KeyResult:
    return get_or_404(
        KeyResult.objects.for_org(org_of(request)).select_related("objective"), kr_id, "key result"
    )


def _initiative(request, initiative_id: int) -> Initiative:
    return get_or_404(Initiative.objects.for_org(org_of(request)), initiative_id, "initiative")


def _measurable(request, measurable_id: int) -> Measurable:
    return get_or_404(
        Measurable.objects.for_org(org_of(request)).select_related("team"),
        measurable_id,
        "measurable",
    )


def _source(target: KeyResult | Measurable) -> KeyResultSource:
    field = "measurable" if isinstance(target, Measurable) else "key_result"
    source = KeyResultSource.objects.filter(**{field: target}).first()
    if source is None:
        raise NotFound(f"{target.name} has no source.")
    return source


def _put_source(request, target, payload: SourceIn):
    data = payload.dict()
    header_value = data.pop("header_value")
    return services.set_source(
        org_of(request), actor_of(request), target, header_value=header_value, **data
    )


def _pull(request, target) -> PullOut:
    result = services.pull_source(org_of(request), actor_of(request), _source(target))
    return PullOut(ok=result.ok, message=result.message, value=result.value)


def _link(item: Initiative) -> TrackerLink:
    link = TrackerLink.objects.filter(initiative=item).first()
    if link is None:
        raise NotFound(f"{item.title} is not linked to a tracker.")
    return link


@router.get("/key-results/{kr_id}/source", response=SourceOut, summary="A key result's source")
def get_source(request, kr_id: Id):
    return _source(_kr(request, kr_id))


@router.put(
    "/key-results/{kr_id}/source",
    response=SourceOut,
    summary="Set where a key result's value is pulled from (its owner or an admin)",
)
def put_source(request, kr_id: Id, payload: SourceIn):
    return _put_source(request, _kr(request, kr_id), payload)


@router.delete("/key-results/{kr_id}/source", response={204: None}, summary="Stop pulling it")
def delete_source(request, kr_id: Id):
    services.clear_source(org_of(request), actor_of(request), _kr(request, kr_id))
    return Status(204, None)


@router.post(
    "/key-results/{kr_id}/source/pull",
    response=PullOut,
    summary="Pull the value now (a failure is answered here and recorded on the source)",
)
def pull_source(request, kr_id: Id):
    return _pull(request, _kr(request, kr_id))


@router.get(
    "/measurables/{measurable_id}/source",
    response=SourceOut,
    summary="A scorecard measurable's source",
)
def get_measurable_source(request, measurable_id: Id):
    return _source(_measurable(request, measurable_id))


@router.put(
    "/measurables/{measurable_id}/source",
    response=SourceOut,
    summary="Set where a measurable's weekly value is pulled from (its owner or an admin)",
)
def put_measurable_source(request, measurable_id: Id, payload: SourceIn):
    return _put_source(request, _measurable(request, measurable_id), payload)


@router.delete(
    "/measurables/{measurable_id}/source", response={204: None}, summary="Stop pulling it"
)
def delete_measurable_source(request, measurable_id: Id):
    measurable = _measurable(request, measurable_id)
    services.clear_source(org_of(request), actor_of(request), measurable)
    return Status(204, None)


@router.post(
    "/measurables/{measurable_id}/source/pull",
    response=PullOut,
    summary="Pull this week's value now",
)
def pull_measurable_source(request, measurable_id: Id):
    return _pull(request, _measurable(request, measurable_id))


@router.get(
    "/initiatives/{initiative_id}/tracker",
    response=TrackerLinkOut,
    summary="An initiative's tracker item",
)
def get_tracker(request, initiative_id: Id):
    return _link(_initiative(request, initiative_id))


@router.put(
    "/initiatives/{initiative_id}/tracker",
    response=TrackerLinkOut,
    summary="Link a GitHub, GitLab or Jira item (its owner or an admin)",
)
def put_tracker(request, initiative_id: Id, payload: TrackerLinkIn):
    item = _initiative(request, initiative_id)
    return services.set_tracker_link(org_of(request), actor_of(request), item, payload.url)


@router.delete(
    "/initiatives/{initiative_id}/tracker", response={204: None}, summary="Unlink the tracker"
)
def delete_tracker(request, initiative_id: Id):
    item = _initiative(request, initiative_id)
    services.clear_tracker_link(org_of(request), actor_of(request), item)
    return Status(204, None)


@router.post(
    "/initiatives/{initiative_id}/tracker/pull",
    response=PullOut,
    summary="Pull the item's state and progress now",
)
def pull_tracker(request, initiative_id: Id):
    link = _link(_initiative(request, initiative_id))
    result = services.pull_tracker(org_of(request), actor_of(request), link)
    return PullOut(ok=result.ok, message=result.message)


@router.get(
    "/integrations/trackers",
    response=list[CredentialOut],
    summary="The organization's tracker access (tokens are never shown)",
)
def list_credentials(request):
    return list(TrackerCredential.objects.for_org(org_of(request)))


@router.put(
    "/integrations/trackers/{tracker}",
    response=CredentialOut,
    summary="Set a tracker's API base URL and token (admins)",
)
def put_credential(request, tracker: Literal["github", "gitlab", "jira"], payload: CredentialIn):
    return services.set_credential(
        org_of(request),
        actor_of(request),
        tracker,
        base_url=payload.base_url,
        token=payload.token,
    )
