"""API tokens (the menu under your name): create (shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import defaults

from accord.api import scopes, services
from accord.api.models import ApiToken, TokenScope
from accord.core.errors import ServiceError
from accord.org.models import Role
from accord.web.helpers import (
    change_and_redirect,
    flash_error,
    keep_once,
    org_view,
    own_settings,
    post_only,
    take_once,
)


@org_view
@own_settings
def tokens(request):
    """A new token is made by a POST answered with a redirect here, where it is shown once:
    a reload makes no second token."""
    org, me = request.org, request.person
    if request.method == "POST":
        try:
            token, raw = services.create_token(
                org, me, request.POST.get("name", ""), scope=request.POST.get("scope") or None
            )
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"Token “{token.name}” created. Copy it now.")
            keep_once(request, "token", raw, person=me.pk)
        return redirect(request.path)
    new_token = take_once(request, "token", person=me.pk)
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": ApiToken.objects.for_org(org).filter(person=me),
            "new_token": new_token,
            "scopes": _scope_choices(me),
            "role": Role(me.role).label.lower(),
            "everything_means": scopes.meaning(TokenScope.MEMBER, me.role),
        },
    )


def _scope_choices(me) -> list[tuple[str, str]]:
    """The scopes offered, each said as what it lets a token of `me` do: the widest is what
    their role allows, no more (a viewer's reads and changes only their own profile; an
    admin's does admin work)."""
    role = Role(me.role)
    article = "an" if role == Role.ADMIN else "a"
    if role == Role.VIEWER:
        return [
            (TokenScope.MEMBER, "Everything you may do (as a viewer: read, and your own profile)"),
            (TokenScope.READ, "Read only"),
        ]
    return [
        (TokenScope.MEMBER, f"Everything you may do (as {article} {role.label.lower()})"),
        (TokenScope.REPORT, "Report progress (check-ins, key-result values, your work's status)"),
        (TokenScope.READ, "Read only"),
    ]


def _tokens_url(request, token_id: int) -> str:
    get_object_or_404(
        ApiToken.objects.for_org(request.org).filter(person=request.person), pk=token_id
    )
    return reverse("api-settings:tokens", kwargs={"org_slug": request.org.slug})


@org_view
@own_settings
@post_only(_tokens_url)
def revoke(request, token_id: int):
    org = request.org
    token = get_object_or_404(
        ApiToken.objects.for_org(org).filter(person=request.person), pk=token_id
    )
    return change_and_redirect(
        request,
        lambda: services.revoke_token(org, request.person, token),
        f"Token “{token.name}” revoked.",
        reverse("api-settings:tokens", kwargs={"org_slug": org.slug}),
    )


# --- errors Django answers itself (outside the API's own handlers) --------------------------


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


def bad_request(request, exception=None):
    """400 for anything Django refuses before the API sees it: JSON under /api/."""
    if request.path.startswith("/api/"):
        return _api_error(400, "bad_request", "The request could not be read.")
    return defaults.bad_request(request, exception)


def server_error(request):
    """500 for an error outside the API's handlers (e.g. in a middleware): JSON under /api/."""
    if request.path.startswith("/api/"):
        return _api_error(
            500, "server_error", "Something went wrong on our side; it has been logged."
        )
    return defaults.server_error(request)
