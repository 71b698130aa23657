"""Resolves the organization of every /o/<org_slug>/ page and the signed-in person in it."""

from __future__ import annotations

import contextlib
import contextvars
import zoneinfo

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone

from accord.org.models import Organization, Person

_request_org: contextvars.ContextVar[Organization | None] = contextvars.ContextVar(
    "accord_request_org", default=None
)


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
        try:
            return self.get_response(request)
        finally:
            _request_org.reset(token)
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("org_slug")
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        person = (
            Person.objects.select_related("org")
            .filter(org__slug=slug, user=request.user, is_active=True)
            .first()
        )
        if person is None:
            # Not "forbidden": another tenant's organization must not even be confirmed to exist.
            raise Http404("No such organization.")
        request.org: Organization = person.org
        request.person = person
        _request_org.set(person.org)
        # Moments on the pages read in the person's own time zone (dates.py's filters).
        with contextlib.suppress(ValueError, zoneinfo.ZoneInfoNotFoundError):  # else the site's
            timezone.activate(zoneinfo.ZoneInfo(person.timezone))
        if request.session.get("last_org") != slug:  # a write only when it changes
            request.session["last_org"] = slug
        return None
