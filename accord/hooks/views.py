"""Settings → Webhooks: an admin subscribes URLs to the organization's events, sees each
one's delivery log, redelivers, rotates its secret, pauses and resumes it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accord.core.errors import ServiceError
from accord.hooks import queries, services
from accord.hooks.forms import WebhookForm
from accord.org.models import Role
from accord.org.permissions import require_role
from accord.web.helpers import flash_error, form_error, org_view, paginate_uncounted


def _admin(request) -> None:
    require_role(request.person, Role.ADMIN, "manage webhooks")


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
            return _show_secret_once(request, created, secret)
    return render(request, "hooks/index.html", {"webhooks": queries.webhooks(org), "form": form})


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
            "new_secret": new_secret,
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
@require_POST
def pause(request, webhook_id: int):
    return _action(request, webhook_id, services.pause_webhook, "Webhook paused.")


@org_view
@require_POST
def resume(request, webhook_id: int):
    return _action(
        request, webhook_id, services.resume_webhook, "Webhook resumed: what waited is on its way."
    )


@org_view
@require_POST
def rotate(request, webhook_id: int):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    hook, secret = services.rotate_secret(request.org, request.person, hook)
    messages.success(request, "New secret created. Copy it now.")
    return _show_secret_once(request, hook, secret)


@org_view
@require_POST
def delete(request, webhook_id: int):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    services.delete_webhook(request.org, request.person, hook)
    messages.success(request, f"Webhook to {hook.url} deleted.")
    return redirect("hooks:index", org_slug=request.org.slug)


@org_view
@require_POST
def redeliver(request, webhook_id: int, delivery_id: int):
    _admin(request)
    hook = queries.webhook(request.org, webhook_id)
    original = queries.delivery(request.org, hook, delivery_id)
    services.redeliver(request.org, request.person, original)
    messages.success(request, f"Event {original.event_id} queued again.")
    return redirect("hooks:detail", org_slug=request.org.slug, webhook_id=hook.pk)
