"""Outbound webhooks over the API: subscriptions, their delivery logs, redelivery, retrying
now, a test event, secret rotation, pause and resume. Admins only; the secret is in the
answer to create and rotate, never again."""

# No `from __future__ import annotations` here (see accord/api/main.py).
import datetime as dt

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accord.api.common import (
    BoundedCountPagination,
    Id,
    InputSchema,
    PatchSchema,
    actor_of,
    if_match,
    org_of,
)
from accord.hooks import queries, services
from accord.hooks.models import DeliveryState, Webhook
from accord.org.models import Role
from accord.org.permissions import require_role

router = Router(tags=["Webhooks"])


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    events: list[str] = Field(description="Event kinds: `org.team.created`, `coordination.*`, `*`")
    paused: bool
    paused_at: dt.datetime | None
    paused_reason: str
    consecutive_failures: int
    previous_secret_expires_at: dt.datetime | None = Field(
        description="Until then the secret replaced by the last rotation still signs too."
    )
    created_at: dt.datetime
    version: int


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(description="The signing secret (`whsec_…`). Shown only this once.")


class WebhookIn(InputSchema):
    url: str = Field(max_length=500)
    events: list[str] = Field(min_length=1, max_length=50)
    description: str = Field("", max_length=200)


class WebhookPatch(PatchSchema):
    model = Webhook
    url: str | None = Field(None, max_length=500)
    events: list[str] | None = Field(None, min_length=1, max_length=50)
    description: str | None = Field(None, max_length=200)


class DeliveryOut(Schema):
    id: int
    event_id: int
    kind: str
    target_label: str
    state: str = Field(description="pending, delivered or given_up")
    attempts: int
    response_status: int | None
    duration_ms: int | None
    last_error: str
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    finished_at: dt.datetime | None
    redelivery_of: int | None

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.event.kind

    @staticmethod
    def resolve_target_label(obj) -> str:
        return obj.event.target_label

    @staticmethod
    def resolve_redelivery_of(obj) -> int | None:
        return obj.redelivery_of_id


def _out(hook: Webhook, secret: str | None = None) -> dict:
    data = {
        "id": hook.pk,
        "url": hook.url,
        "description": hook.description,
        "events": list(hook.events),
        "paused": hook.is_paused,
        "paused_at": hook.paused_at,
        "paused_reason": hook.paused_reason,
        "consecutive_failures": hook.consecutive_failures,
        "previous_secret_expires_at": hook.previous_secret_expires_at
        if hook.previous_secret
        else None,
        "created_at": hook.created_at,
        "version": hook.version,
    }
    if secret is not None:
        data["secret"] = secret
    return data


def _admin_hook(request, webhook_id):
    require_role(actor_of(request), Role.ADMIN, "manage webhooks")
    return queries.webhook(org_of(request), webhook_id)


@router.get("/webhooks", response=list[WebhookOut], summary="The organization's webhooks")
@paginate
def list_webhooks(request):
    require_role(actor_of(request), Role.ADMIN, "manage webhooks")
    return [_out(h) for h in queries.webhooks(org_of(request))]


@router.post(
    "/webhooks",
    response={201: WebhookWithSecretOut},
    summary="Subscribe a URL to event kinds (the secret is shown once)",
)
def create_webhook(request, payload: WebhookIn):
    hook, secret = services.create_webhook(
        org_of(request),
        actor_of(request),
        url=payload.url,
        events=payload.events,
        description=payload.description,
    )
    return Status(201, _out(hook, secret))


@router.get("/webhooks/{webhook_id}", response=WebhookOut, summary="One webhook")
def get_webhook(request, webhook_id: Id):
    return _out(_admin_hook(request, webhook_id))


@router.patch("/webhooks/{webhook_id}", response=WebhookOut, summary="Change a webhook")
def update_webhook(request, webhook_id: Id, payload: WebhookPatch):
    hook = _admin_hook(request, webhook_id)
    hook = services.update_webhook(
        org_of(request),
        actor_of(request),
        hook,
        expected_version=if_match(request),
        **payload.model_dump(exclude_unset=True),
    )
    return _out(hook)


@router.delete("/webhooks/{webhook_id}", response={204: None}, summary="Delete a webhook")
def delete_webhook(request, webhook_id: Id):
    hook = _admin_hook(request, webhook_id)
    services.delete_webhook(org_of(request), actor_of(request), hook)
    return HttpResponse(status=204)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=list[DeliveryOut],
    summary="A webhook's delivery log, newest first",
)
@paginate(BoundedCountPagination)
def list_deliveries(request, webhook_id: Id, state: DeliveryState | None = None):
    hook = _admin_hook(request, webhook_id)
    qs = queries.deliveries(hook)
    if state:
        qs = qs.filter(state=state)
    return qs


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut},
    summary="Send a delivery's event again (queued at the end of the webhook's queue)",
)
def redeliver(request, webhook_id: Id, delivery_id: Id):
    hook = _admin_hook(request, webhook_id)
    original = queries.delivery(org_of(request), hook, delivery_id)
    again = services.redeliver(org_of(request), actor_of(request), original)
    return Status(202, queries.deliveries(hook).get(pk=again.pk))


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    response={202: DeliveryOut},
    summary="Try a delivery waiting for its next attempt now (409 once it is finished, or "
    "while it is queued behind an earlier delivery, which it is sent after)",
)
def retry_delivery(request, webhook_id: Id, delivery_id: Id):
    hook = _admin_hook(request, webhook_id)
    waiting = queries.delivery(org_of(request), hook, delivery_id)
    services.retry_now(org_of(request), actor_of(request), waiting)
    return Status(202, queries.deliveries(hook).get(pk=waiting.pk))


@router.post(
    "/webhooks/{webhook_id}/test",
    response={200: DeliveryOut, 202: DeliveryOut},
    summary="Send a test event now and answer its delivery: delivered or failed (200), or "
    "queued behind the worker sending this webhook's events (202)",
)
def send_test_event(request, webhook_id: Id):
    hook = _admin_hook(request, webhook_id)
    sent = services.send_test_event(org_of(request), actor_of(request), hook)
    status = 202 if sent.state == DeliveryState.PENDING else 200
    return Status(status, queries.deliveries(hook).get(pk=sent.pk))


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    response=WebhookWithSecretOut,
    summary="A new signing secret (shown once); the old one signs too during the overlap",
)
def rotate_secret(
    request,
    webhook_id: Id,
    overlap_hours: float | None = Query(
        None,
        ge=0,
        le=services.MAX_OVERLAP_HOURS,
        description="How long the old secret keeps signing, in hours (default: the "
        "server's ACCORD_WEBHOOK_SECRET_OVERLAP_HOURS; 0 stops it at once).",
    ),
):
    hook = _admin_hook(request, webhook_id)
    hook, secret = services.rotate_secret(
        org_of(request), actor_of(request), hook, overlap_hours=overlap_hours
    )
    return _out(hook, secret)


@router.post("/webhooks/{webhook_id}/pause", response=WebhookOut, summary="Pause a webhook")
def pause_webhook(request, webhook_id: Id):
    hook = _admin_hook(request, webhook_id)
    return _out(services.pause_webhook(org_of(request), actor_of(request), hook))


@router.post(
    "/webhooks/{webhook_id}/resume",
    response=WebhookOut,
    summary="Resume a webhook: what waited is sent, in order",
)
def resume_webhook(request, webhook_id: Id):
    hook = _admin_hook(request, webhook_id)
    return _out(services.resume_webhook(org_of(request), actor_of(request), hook))
