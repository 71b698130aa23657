"""The sign-in pages: password sign-in (unless switched off) and single sign-on with an
OpenID Connect provider (when configured); see accord/core/sso.py for the settings."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from mozilla_django_oidc import views as oidc_views

from accord.core.security import client_ip, normalize_username
from accord.org import invitations, password_resets, signed_out
from accord.org.forms import SignInForm
from accord.org.sso import ProviderUnavailable, endpoints
from accord.org.tokens import inviting_org, sign_in_links
from accord.org.tokens import password_resets as reset_tokens


def sso_context() -> dict:
    return {
        "enabled": settings.ACCORD_OIDC_ENABLED,
        "name": settings.ACCORD_OIDC_PROVIDER_NAME,
        "password": settings.ACCORD_PASSWORD_SIGNIN,
    }


def refused(request, message: str, *, status: int = 403, title: str = "Sign-in refused"):
    return render(
        request,
        "registration/sign_on_refused.html",
        {"title": title, "message": message, "sso": sso_context()},
        status=status,
    )


def password_sign_in_off(request):
    return refused(
        request,
        "Password sign-in is switched off here. Sign in with "
        f"{settings.ACCORD_OIDC_PROVIDER_NAME} instead.",
        title="Password sign-in is off",
    )


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True
    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        from accord.org.models import Organization

        # A new install: nobody can sign in before the first organization is created.
        nothing_yet = not Organization.objects.exists()
        return {
            **super().get_context_data(**kwargs),
            "sso": sso_context(),
            "no_organization": nothing_yet,
            "reset_by_email": invitations.email_configured(),
            # A form sent after being signed out elsewhere: why this page, and where to.
            "signed_out": signed_out.refused_for(self.request, self.get_redirect_url()),
        }

    def post(self, request, *args, **kwargs):
        if not settings.ACCORD_PASSWORD_SIGNIN:
            return password_sign_in_off(request)
        return super().post(request, *args, **kwargs)


class SignOutView(auth_views.LogoutView):
    """Sign out; the new, signed-out session notes who it was, so that a form they send
    from another tab afterwards keeps what they typed for them alone (`org.signed_out`)."""

    def post(self, request, *args, **kwargs):
        user_id = request.user.pk if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if user_id is not None:
            request.session[signed_out.WHO_KEY] = user_id
        return response


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """A sign-in link an admin made (People → the person → *Sign-in link*): the person
    chooses their password. Django's reset check: the link is spent once a password is set
    (or after PASSWORD_RESET_TIMEOUT), and replaced by a newer one made for them
    (`accord.org.tokens`); it is moved off the address at once, so the token never reaches
    another site in a Referer. The page names the organization that made the link; once
    the password is chosen they are signed in to it."""

    template_name = "web/set_password.html"
    reset_url_token = "choose"
    # The link proves who they are, as a password would: once they have chosen theirs they
    # are signed in (the sign-in is recorded as any other, `activity.signins`), to the
    # organization that invited them.
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    token_generator = sign_in_links

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context.get("validlink"):
            context["inviting_org"] = inviting_org(self.user)
        elif self.user is not None:
            token = self.kwargs.get("token")
            if token == self.reset_url_token:
                token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN)
            context["replaced"] = bool(token) and sign_in_links.replaced(self.user, token)
        return context

    def dispatch(self, request, *args, **kwargs):
        if not settings.ACCORD_PASSWORD_SIGNIN:
            return password_sign_in_off(request)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        from django.contrib import messages
        from django.urls import reverse

        org = inviting_org(self.user)
        if org is None:  # deactivated since the link was made: the organizations they have
            messages.success(self.request, "Your password is set and you are signed in.")
            return reverse("home")
        messages.success(self.request, f"Your password is set and you are signed in to {org.name}.")
        return reverse("web:home", kwargs={"org_slug": org.slug})


class ResetPasswordView(SetPasswordView):
    """The link of *Forgot your password?* (`accord.org.password_resets`): the holder of the
    login's address chooses a new password (Django's validators), which replaces the old one
    and ends every other session signed in with it (Django checks the password's hash on
    each request); recorded as `password_changed` in each organization the person is active
    in (`activity.signins`), with nothing of the address, link or password. Then they are
    signed in and land where a sign-in lands. Its own tokens (`tokens.password_resets`):
    spent once used, or once the login signs in, or after PASSWORD_RESET_TIMEOUT."""

    token_generator = reset_tokens

    def get_context_data(self, **kwargs):
        context = auth_views.PasswordResetConfirmView.get_context_data(self, **kwargs)
        context["reset"] = True
        return context

    def get_success_url(self) -> str:
        from django.contrib import messages

        said = "Your new password is set and you are signed in."
        keys = _standing_keys(self.user)
        if keys:
            # A password someone else chose may have made them too: the owner decides.
            said = format_html("{} This login has {}: revoke any you did not make.", said, keys)
        messages.success(self.request, said)
        return resolve_url(settings.LOGIN_REDIRECT_URL)


CAL = "#cal-h"  # the settings page's "My calendar"


def _standing_keys(user) -> str:
    """What still opens Accord for `user` without their password, by organization (of
    those they are active in, by name), each count a link to the page that revokes it: "2
    API tokens and 1 calendar feed in Acme; 1 API token in Globex" (safe HTML; "" for
    none)."""
    from accord.api.models import ApiToken
    from accord.org.models import Organization, Person, PersonKind
    from accord.rhythm.models import CalendarFeed

    people = Person.objects.filter(user=user, kind=PersonKind.PERSON, is_active=True)
    ids = people.values("pk")
    tokens = Counter(
        ApiToken.objects.filter(person__in=ids, revoked_at__isnull=True).values_list(
            "person__org_id", flat=True
        )
    )
    feeds = Counter(
        CalendarFeed.objects.filter(person__in=ids, revoked_at__isnull=True).values_list(
            "org_id", flat=True
        )
    )
    parts = []
    for org in Organization.objects.filter(pk__in=set(tokens) | set(feeds)).order_by("name"):
        where = {"org_slug": org.slug}
        links = [
            format_html('<a href="{}">{} {}{}</a>', url, n, word, "" if n == 1 else "s")
            for n, word, url in (
                (tokens[org.pk], "API token", reverse("api-settings:tokens", kwargs=where)),
                (feeds[org.pk], "calendar feed", reverse("rhythm:settings", kwargs=where) + CAL),
            )
            if n
        ]
        parts.append(format_html("{} in {}", mark_safe(" and ".join(links)), org.name))
    return mark_safe("; ".join(parts))  # of safe parts


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


FORGOT_SESSION_KEY = "_accord_forgot_address"


def _forgot_context() -> dict:
    return {
        "sso": sso_context(),
        "days": invitations._days(invitations.expiry()),
        "every": int(password_resets.EVERY.total_seconds() // 60),
    }


@never_cache
def forgot_password(request):
    """*Forgot your password?*: an address, and the same answer whether or not a login has
    it (`password_resets.ask` queues the same work either way). Without e-mail set up, it
    says to ask an administrator for a sign-in link; with password sign-in off, to sign in
    with the provider."""
    if not settings.ACCORD_PASSWORD_SIGNIN:
        return password_sign_in_off(request)
    configured = invitations.email_configured()
    form = None
    if configured:
        form = ForgotPasswordForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            address = normalize_username(form.cleaned_data["email"])
            password_resets.ask(address, client_ip(request))
            request.session[FORGOT_SESSION_KEY] = address
            return redirect("forgot_password_sent")
    status = 400 if form is not None and form.is_bound else 200
    context = {**_forgot_context(), "form": form, "configured": configured}
    return render(request, "registration/forgot_password.html", context, status=status)


@never_cache
def forgot_password_sent(request):
    """The answer to *Forgot your password?*, the same for every address."""
    if not settings.ACCORD_PASSWORD_SIGNIN:
        return password_sign_in_off(request)
    address = request.session.get(FORGOT_SESSION_KEY)
    if not address:
        return redirect("forgot_password")
    context = {**_forgot_context(), "address": address}
    return render(request, "registration/forgot_password_sent.html", context)


def admin_login(request, extra_context=None):
    """The admin site's own sign-in form, refused like ours when passwords are off."""
    if not settings.ACCORD_PASSWORD_SIGNIN and not request.user.is_authenticated:
        return password_sign_in_off(request)
    return admin.site.__class__.login(admin.site, request, extra_context)


class ProviderSignInView(oidc_views.OIDCAuthenticationRequestView):
    """Sends the browser to the provider (with state, nonce and PKCE)."""

    def __init__(self, *args, **kwargs):
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not settings.ACCORD_OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoints()["authorization_endpoint"]
        except ProviderUnavailable:
            return refused(
                request,
                f"{settings.ACCORD_OIDC_PROVIDER_NAME} did not answer. Try again in a moment.",
                status=503,
                title="Sign-in provider unavailable",
            )
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class ProviderCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back; signs the person in or says why not."""

    def get(self, request):
        if not settings.ACCORD_OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return super().get(request)

    def login_failure(self):
        request = self.request
        message = getattr(request, "accord_sign_on_refused", None)
        if message is None:
            provider = settings.ACCORD_OIDC_PROVIDER_NAME
            if request.GET.get("error"):
                detail = request.GET.get("error_description") or request.GET["error"]
                message = f"{provider} did not sign you in ({detail[:200]})."
            else:
                message = f"Sign-in with {provider} did not complete. Start again."
        return refused(request, message)
