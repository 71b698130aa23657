"""Resolves the organization of every /o/<org_slug>/ page and the signed-in person in it."""

from __future__ import annotations

import contextvars

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone

from accord.activity import signins
from accord.core.days import activate_own_zone
from accord.org import signed_out
from accord.org.models import Organization, Person

_request_org: contextvars.ContextVar[Organization | None] = contextvars.ContextVar(
    "accord_request_org", default=None
)


_request_person: contextvars.ContextVar[Person | None] = contextvars.ContextVar(
    "accord_request_person", default=None
)


def request_person() -> Person | None:
    """The signed-in person of the page being served (a refusal saying "you" when it was
    them: `web.stale`); None outside a page of an organization."""
    return _request_person.get()


def request_org() -> Organization | None:
    """The organization of the page being served, for code a request does not reach (a
    form widget rendering itself); None outside a page of an organization."""
    return _request_org.get()


# The organization a login last opened in this browser, kept across sign-ins (a signed
# cookie naming the login and the organization's address, not the session, which signing
# out ends): the front door opens it again.
LAST_ORG_COOKIE = "accord_last_org"
LAST_ORG_SALT = "accord.org.last-org"
LAST_ORG_AGE = 400 * 24 * 3600  # seconds; the longest browsers keep a cookie


def last_org(request) -> str | None:
    """The address of the organization the signed-in login last opened in this browser,
    or None (none yet, another login's, or a cookie not of ours)."""
    value = request.get_signed_cookie(LAST_ORG_COOKIE, default=None, salt=LAST_ORG_SALT)
    login, _, slug = (value or "").partition(":")
    return slug if slug and login == str(request.user.pk) else None


class OrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.org = None
        request.person = None
        token = _request_org.set(None)
        person_token = _request_person.set(None)
        try:
            response = self.get_response(request)
            remember = getattr(request, "_remember_org", None)
            if remember:
                response.set_signed_cookie(
                    LAST_ORG_COOKIE,
                    remember,
                    salt=LAST_ORG_SALT,
                    max_age=LAST_ORG_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return response
        finally:
            _request_person.reset(person_token)
            _request_org.reset(token)
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("org_slug")
        if slug is None:
            return None
        if not request.user.is_authenticated:  # a form sent signed out: said, not lost
            to_sign_in = redirect_to_login(signed_out.keep(request, view_func))
            if signed_out.is_htmx(request):  # the whole page goes, not the form's part
                return signed_out.for_htmx(to_sign_in.url)
            return to_sign_in
        person = (
            Person.objects.select_related("org")
            .filter(org__slug=slug, user=request.user, is_active=True)
            .first()
        )
        if person is None:
            switched_off = _switched_off(request, slug)
            if switched_off is not None:
                return switched_off
            # Not "forbidden": another tenant's organization must not even be confirmed to exist.
            raise Http404("No such organization.")
        request.org: Organization = person.org
        request.person = person
        # The first page since signing in: the sign-in is this organization's event.
        signins.landed(request, person)
        # typed before a sign-out, and where it was sent
        request.kept_form, request.kept_form_action = signed_out.restore(request)
        _request_org.set(person.org)
        _request_person.set(person)
        # Moments on the pages read in the person's own time zone (dates.py's filters).
        activate_own_zone(person)  # else the site's
        if last_org(request) != slug:  # set only when it changes
            request._remember_org = f"{request.user.pk}:{slug}"
        return None


def _switched_off(request, slug: str):
    """The page a session still open says once its person was deactivated in the
    organization of `slug` (what signing in again would say): access switched off by its
    admins, with the organizations still theirs. None when the login was never its."""
    from django.shortcuts import render

    from accord.web.context import organizations

    gone = (
        Person.objects.filter(org__slug=slug, user=request.user, is_active=False)
        .values_list("org__name", flat=True)
        .first()
    )
    if gone is None:
        return None
    return render(
        request,
        "web/choose_org.html",
        {"orgs": organizations(request), "switched_off": [gone]},
        status=403,
    )
