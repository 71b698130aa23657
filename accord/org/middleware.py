"""Resolves the organization of every /o/<org_slug>/ page and the signed-in person in it."""

from __future__ import annotations

import contextvars

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone

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


class OrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.org = None
        request.person = None
        token = _request_org.set(None)
        person_token = _request_person.set(None)
        try:
            return self.get_response(request)
        finally:
            _request_person.reset(person_token)
            _request_org.reset(token)
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("org_slug")
        if slug is None:
            return None
        if not request.user.is_authenticated:  # a form sent signed out: said, not lost
            return redirect_to_login(signed_out.keep(request, view_func))
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
        request.kept_form = signed_out.restore(request)  # typed before a sign-out
        _request_org.set(person.org)
        _request_person.set(person)
        # Moments on the pages read in the person's own time zone (dates.py's filters).
        activate_own_zone(person)  # else the site's
        if request.session.get("last_org") != slug:  # a write only when it changes
            request.session["last_org"] = slug
        return None


def _switched_off(request, slug: str):
    """The page a session still open says once its person was deactivated in the
    organization of `slug` (what signing in again would say): access switched off by its
    admins, with the organizations still theirs. None when the login was never its."""
    from django.shortcuts import render

    from accord.org.queries import orgs_for_user

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
        {"orgs": orgs_for_user(request.user), "switched_off": [gone]},
        status=403,
    )
