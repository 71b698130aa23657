"""A join link (`services.sign_in_link` / `send_invitation` for someone whose address is
already an Accord login): its holder proves they hold that login, with its password (through
django-axes' lockout, as the sign-in form) or by being signed in as it already, and the
person the link was made for is linked to it (`services.join_with_login`). Like the link to
choose a password, the token is moved off the address at once (kept in the session), so it
never reaches another site in a Referer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    authenticate,
    login,
    update_session_auth_hash,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accord.activity import signins
from accord.core.errors import ServiceError
from accord.core.security import account_username, normalize_username
from accord.core.sso import OIDC_BACKEND
from accord.org import services
from accord.org.tokens import JoinLinkRefused, join_link_person
from accord.web.sso import password_sign_in_off

SESSION_KEY = "_accord_join_token"
IN_SESSION = "open"  # the address the page moves to, its token kept in the session


def _username_of(email: str) -> str:
    """The sign-in name of the account of `email`, as the sign-in form finds it (the
    account's own spelling, so django-axes counts failures against the same name)."""
    return account_username(email)


@never_cache
@sensitive_post_parameters("password")
def join(request, token: str):
    if not settings.ACCORD_PASSWORD_SIGNIN:
        return password_sign_in_off(request)
    if token != IN_SESSION:
        request.session[SESSION_KEY] = token
        return redirect(reverse("join", kwargs={"token": IN_SESSION}))
    token = request.session.get(SESSION_KEY, "")
    try:
        person = join_link_person(token)
    except JoinLinkRefused as refused:
        return _page(request, error=services.JOIN_REFUSED[refused.reason], status=410)
    me = request.user if request.user.is_authenticated else None
    same = me is not None and normalize_username(me.get_username()) == normalize_username(
        person.email
    )
    error = ""
    if request.method == "POST" and me is not None and not same:
        error = f"You are signed in as {me.get_username()}, not as {person.email}."
    elif request.method == "POST":
        user = me
        if not same:
            user = authenticate(
                request,
                username=_username_of(person.email),
                password=request.POST.get("password", ""),
            )
        if user is None:
            error = f"That is not the password of {person.email}'s Accord login."
        else:
            if same and request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND:
                # Signed in by the provider, who proved the address: a password chosen for
                # this login through another organization's link stops working before the
                # person joins (their session stays: it is the provider's).
                services.retire_unproven_password(user, person.email)
                update_session_auth_hash(request, user)
            try:
                person = services.join_with_login(token, user)
            except ServiceError as exc:
                error = exc.message
            else:
                if same:  # signed in already: a sign-in to this organization, once there
                    signins.joined(request)
                else:
                    login(request, user)
                request.session.pop(SESSION_KEY, None)
                messages.success(request, f"You joined {person.org.name} as {person.name}.")
                return redirect(reverse("web:home", kwargs={"org_slug": person.org.slug}))
    return _page(
        request,
        person=person,
        signed_in_as=me.get_username() if me is not None else "",
        same=same,
        error=error,
        token=token,
        status=400 if error else 200,
    )


def _page(request, *, status: int = 200, **context):
    return render(request, "web/join.html", context, status=status)
