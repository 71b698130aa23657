"""A read-only viewer is shown no control that would change anything, and every write they
try anyway is answered 403 the same way, before any input is read."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accord import demo
from accord.activity.models import Event
from accord.org.models import Person
from accord.web.helpers import WRITE_PAGE
from tests.conftest import login

# Where people change only their own settings: viewers may use these.
OWN_SETTINGS = {
    "web:password",
    "rhythm:settings",
    "briefings:schedule",
    "briefings:latest",  # "Try again" of their own briefing
    "api-settings:tokens",
    "api-settings:revoke",
    "web:saved_view_save",
    "web:saved_view_delete",
    "org:time_zone_elsewhere",  # their own time zone, given to their other organizations
}
ACTION = re.compile(r'action="([^"]*)"', re.I)


def _own_settings_form(tag: str) -> bool:
    """A form that changes only the viewer's own things (their saved views, say)."""
    from django.urls import Resolver404, resolve

    found = ACTION.search(tag)
    if not found or not found.group(1).startswith("/o/"):
        return False
    try:
        match = resolve(found.group(1))
    except Resolver404:
        return False
    return f"{match.namespace}:{match.url_name}" in OWN_SETTINGS


def _own_profile(url: str, person) -> bool:
    """The form of `person`'s own profile (name, title, time zone): their own settings."""
    from django.urls import resolve

    match = resolve(url)
    return match.view_name == "org:person_edit" and match.kwargs["person_id"] == person.pk


def org_pages():
    """(name, route kwargs) of every page under /o/<org_slug>/, with made-up values."""
    root = next(
        p for p in get_resolver().url_patterns if str(getattr(p, "pattern", "")).startswith("o/")
    )
    out = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                kwargs = {}
                for name, converter in p.pattern.converters.items():
                    kwargs[name] = 999999 if type(converter).__name__ == "IntConverter" else "x"
                out.append((f"{namespace}:{p.name}", kwargs))

    walk(root, "")
    return out


def test_every_write_of_a_viewer_is_refused_with_403_and_changes_nothing(cast):
    client = login(cast.viewer)
    events = Event.objects.count()
    checked = 0
    for name, kwargs in org_pages():
        if name in OWN_SETTINGS:
            continue
        url = reverse(name, kwargs={"org_slug": "acme", **kwargs})
        response = client.post(url, {"name": "x", "title": "x"})
        assert response.status_code == 403, (name, response.status_code)
        assert "you can see everything but change nothing" in response.content.decode(), name
        checked += 1
    assert checked > 80
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    "url",
    [
        "/o/acme/coordination/new/",
        "/o/acme/alignment/objectives/new/",
        "/o/acme/rhythm/cadences/new/",
        "/o/acme/decisions/new/",
        "/o/acme/teams/platform/edit/",
    ],
)
def test_a_viewer_is_refused_pages_that_are_only_a_form(cast, url):
    assert login(cast.viewer).get(url).status_code == 403
    assert login(cast.member).get(url).status_code in (200, 403)  # members: as the page decides


def test_a_viewer_still_changes_their_own_settings(cast):
    client = login(cast.viewer)
    response = client.post(
        "/o/acme/briefings/schedule/", {"enabled": "on", "weekday": "0", "hour": "8"}
    )
    assert response.status_code == 302
    assert client.get("/o/acme/settings/tokens/").status_code == 200
    assert client.get("/o/acme/password/").status_code == 200


def test_a_viewer_edits_their_own_profile_only(cast):
    """The one page that is only a form a viewer may open: their own profile's, to change
    their name, title or time zone; anyone else's answers the viewer's 403."""
    client = login(cast.viewer)
    assert client.get(f"/o/acme/people/{cast.viewer.pk}/edit/").status_code == 200
    for person in (cast.member, cast.admin):
        other = client.get(f"/o/acme/people/{person.pk}/edit/")
        assert other.status_code == 403
        assert "you can see everything but change nothing" in other.content.decode()
    saved = client.post(
        f"/o/acme/people/{cast.viewer.pk}/edit/",
        {"name": cast.viewer.name, "timezone": "America/Chicago", "version": cast.viewer.version},
    )
    assert saved.status_code == 302
    cast.viewer.refresh_from_db()
    assert cast.viewer.timezone == "America/Chicago"


def test_a_member_still_writes(cast):
    from accord.decisions.models import Issue

    response = login(cast.member).post(
        "/o/acme/decisions/issues/new/",
        {"title": "The build is slow", "team": cast.platform.pk, "severity": "medium"},
    )
    assert response.status_code == 302
    assert Issue.objects.filter(title="The build is slow", raised_by=cast.member).exists()


FORM = re.compile(r"<form\b[^>]*>", re.I)
HX_WRITE = re.compile(r"\bhx-(post|put|patch|delete)=", re.I)
LINK = re.compile(r'(?:href|hx-get)="(/o/northwind/[^"#?]*)')


@pytest.mark.django_db(transaction=True)
def test_the_demo_viewer_sees_no_write_controls_on_any_page():
    """Walk every page the demo's board observer can reach (two of each kind)."""
    from django.urls import resolve

    demo.load()
    viewer = Person.objects.get(org__slug="northwind", role="viewer", user__isnull=False)
    client = login(viewer)
    queue, seen, per_name = ["/o/northwind/"], set(), {}
    problems = []
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        name = "{0.namespace}:{0.url_name}".format(resolve(url))
        if per_name.get(name, 0) >= 2 or name in OWN_SETTINGS or _own_profile(url, viewer):
            continue
        per_name[name] = per_name.get(name, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        for tag in FORM.findall(html):
            if (
                'method="post"' in tag.lower()
                and "/accounts/logout/" not in tag
                and not _own_settings_form(tag)
            ):
                problems.append(f"{url}: {tag}")
        problems += [f"{url}: {m.group(0)}" for m in HX_WRITE.finditer(html)]
        for href in LINK.findall(html):
            target = resolve(href)
            if WRITE_PAGE.search(target.url_name or "") and not _own_profile(href, viewer):
                problems.append(f"{url}: a link to {href}")
            queue.append(href)
    assert len(per_name) > 30, sorted(per_name)
    assert not problems, "\n".join(sorted(set(problems)))
