"""Settings → Webhooks: an admin subscribes URLs to the organization's events, sees each
one's delivery log, redelivers, rotates its secret, pauses and resumes it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from accord.activity import kinds
from accord.core import outbound
from accord.core.errors import ServiceError
from accord.hooks import outbox, queries, services
from accord.hooks.forms import WebhookForm
from accord.hooks.models import DeliveryState
from accord.org.models import Role
from accord.org.permissions import require_role
from accord.web.helpers import flash_error, form_error, org_view, paginate_uncounted, post_only


def _admin(request) -> None:
    require_role(request.person, Role.ADMIN, "manage webhooks")


def _detail_url(request, webhook_id: int, **_ignored) -> str:
    """The webhook's page, where the forms that post to its actions are (checked as the
    page itself would be: admins only, the organization's own webhooks)."""
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    return reverse("hooks:detail", kwargs={"org_slug": request.org.slug, "webhook_id": hook.pk})


@org_view
def index(request):
    _admin(request)
    org, me = request.org, request.person
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.create_webhook(org, me, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"Webhook to {created.url} created. Copy its secret now.")
            _warn_if_unreachable(request, created.url)
            return _show_secret_once(request, created, secret)
    return render(
        request,
        "hooks/index.html",
        {
            "webhooks": queries.webhooks(org),
            "form": form,
            "event_kinds": kinds.catalogue(),
            "named_only": outbox.NAMED_ONLY,
        },
    )


def _warn_if_unreachable(request, url: str) -> None:
    """An address Accord cannot call now (its name does not resolve) is kept: the host may
    exist only inside the network Accord runs in, or not yet. The admin is told what
    follows."""
    reason = outbound.unreachable(url)
    if reason:
        messages.warning(
            request,
            f"Accord cannot reach it now ({reason}). Events are kept and each delivery is "
            f"retried for {settings.WEBHOOK_RETRY_HOURS} hours, then given up; after "
            f"{settings.WEBHOOK_PAUSE_AFTER} failures in a row the webhook is paused. "
            "Send a test event to check the address.",
        )


SECRET_KEY = "hooks_new_secret"


def _show_secret_once(request, hook, secret: str):
    """Redirect to the webhook's page, which shows `secret` on its next view only (so that
    reloading the page neither shows it again nor repeats the write)."""
    request.session[SECRET_KEY] = {"webhook": hook.pk, "secret": secret}
    return redirect("hooks:detail", org_slug=request.org.slug, webhook_id=hook.pk)


def _detail(request, hook, *, form=None, status=200):
    shown = request.session.get(SECRET_KEY)
    new_secret = None
    if shown and shown.get("webhook") == hook.pk:
        new_secret = request.session.pop(SECRET_KEY)["secret"]
    page = paginate_uncounted(request, queries.deliveries(hook), per_page=25)
    initial = {"url": hook.url, "events": " ".join(hook.events), "description": hook.description}
    return render(
        request,
        "hooks/detail.html",
        {
            "page_path": reverse(
                "hooks:detail", kwargs={"org_slug": request.org.slug, "webhook_id": hook.pk}
            ),
            "hook": hook,
            "form": form or WebhookForm(initial=initial),
            "page": page,
            "queue_head": queries.queue_head(hook.pk),
            "new_secret": new_secret,
            "event_kinds": kinds.catalogue(),
            "named_only": outbox.NAMED_ONLY,
        },
        status=status,
    )


@org_view
def detail(request, webhook_id: int):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    if request.method != "POST":
        return _detail(request, hook)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            services.update_webhook(request.org, request.person, hook, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Webhook saved.")
            _warn_if_unreachable(request, form.cleaned_data["url"])
            return redirect("hooks:detail", org_slug=request.org.slug, webhook_id=hook.pk)
    return _detail(request, hook, form=form, status=422)


def _action(request, webhook_id, act, done: str):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    try:
        act(request.org, request.person, hook)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, done)
    return redirect("hooks:detail", org_slug=request.org.slug, webhook_id=hook.pk)


@org_view
@post_only(_detail_url)
def pause(request, webhook_id: int):
    return _action(request, webhook_id, services.pause_webhook, "Webhook paused.")


@org_view
@post_only(_detail_url)
def resume(request, webhook_id: int):
    return _action(
        request, webhook_id, services.resume_webhook, "Webhook resumed: what waited is on its way."
    )


@org_view
@post_only(_detail_url)
def rotate(request, webhook_id: int):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    hook, secret = services.rotate_secret(request.org, request.person, hook)
    messages.success(request, "New secret created. Copy it now.")
    return _show_secret_once(request, hook, secret)


@org_view
@post_only(_detail_url)
def delete(request, webhook_id: int):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    services.delete_webhook(request.org, request.person, hook)
    messages.success(request, f"Webhook to {hook.url} deleted.")
    return redirect("hooks:index", org_slug=request.org.slug)


@org_view
@post_only(_detail_url)
def redeliver(request, webhook_id: int, delivery_id: int):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    original = queries.delivery(request.org, hook, delivery_id)
    services.redeliver(request.org, request.person, original)
    messages.success(request, f"Event {original.event_id} queued again.")
    return redirect("hooks:detail", org_slug=request.org.slug, webhook_id=hook.pk)


@org_view
@post_only(_detail_url)
def send_test(request, webhook_id: int):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    d = services.send_test_event(request.org, request.person, hook)
    if d.state == DeliveryState.DELIVERED:
        took = f" in {d.duration_ms} ms" if d.duration_ms is not None else ""
        messages.success(
            request, f"Test event #{d.event_id} delivered: HTTP {d.response_status}{took}."
        )
    elif d.state == DeliveryState.GIVEN_UP:
        messages.error(
            request,
            f"Test event #{d.event_id} failed: {d.last_error}. A test is not retried; "
            "send another once the address is put right.",
        )
    else:
        messages.info(
            request,
            f"Test event #{d.event_id} is queued: the worker is sending this webhook's events "
            "right now. Its outcome shows in the log below.",
        )
    return redirect("hooks:detail", org_slug=request.org.slug, webhook_id=hook.pk)


@org_view
@post_only(_detail_url)
def retry(request, webhook_id: int, delivery_id: int):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    d = queries.delivery(request.org, hook, delivery_id)
    try:
        services.retry_now(request.org, request.person, d)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(
            request,
            f"Event {d.event_id} is tried again now"
            + (" (once the webhook is resumed)." if hook.is_paused else "."),
        )
    return redirect("hooks:detail", org_slug=request.org.slug, webhook_id=hook.pk)
