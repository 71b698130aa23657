"""A viewer changes nothing in any pillar, through the pages or the API.

Every write operation of /api/v1/openapi.json and every page of each pillar's urls.py is
tried by a viewer of the demo organization on that organization's own objects, with a body
the endpoint accepts: each is refused with 403 and the organization is left as it was.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accord import demo
from accord.activity.models import Event
from accord.alignment.models import Initiative
from accord.api import services as token_services
from accord.api.models import ApiToken
from accord.coordination.models import Dependency, State
from accord.decisions.models import Decision
from accord.org.models import Person
from accord.rhythm.models import Cadence
from accord.rhythm.queries import occurrences_of
from tests.conftest import login
from tests.pillars_fixtures import (
    call,
    diff,
    example,
    fill_path,
    fingerprint,
    harvest_forms,
    operations,
    page_url,
    pages,
    shared_world,
    viewer_of,
)

# Bodies the schema alone does not make acceptable (one field out of several is needed).
BODIES = {
    "POST /api/v1/rhythm/cadences": {"template": "weekly-sync", "team_id": "team_id"},
    "POST /api/v1/rhythm/cadences/{cadence_id}/occurrences/{key}/move": {"cancel": True},
}

# Writes a viewer may make, and why.
VIEWER_MAY = {
    # A preview of a file: computes a plan and changes nothing (the fingerprint proves it).
    "POST /api/v1/interchange/plan",
    # Anyone may choose what they are told and how (their own preferences only).
    "PATCH /api/v1/me/notifications",
    # Anyone may choose when they get their weekly briefing, or turn it off (their own).
    "PATCH /api/v1/me/briefing-schedule",
    # Anyone reads, finishes and reopens what is in their own inbox.
    "POST /api/v1/me/inbox/{inbox_item_id}/read",
    "POST /api/v1/me/inbox/{inbox_item_id}/done",
    "POST /api/v1/me/inbox/{inbox_item_id}/reopen",
    "POST /api/v1/me/inbox/read",
    # Anyone may save views of a list for themselves (changing another's is still refused).
    "POST /api/v1/saved-views",
}


@pytest.fixture(scope="module")
def pillar_world(django_db_setup, django_db_blocker):
    yield from shared_world(django_db_blocker)


@pytest.fixture
def northwind(pillar_world, db):
    """The demo organization, a viewer of it, and ids of its objects."""
    victim, _ = pillar_world
    org = victim.org
    viewer = viewer_of(org)
    ids = dict(victim.ids)
    # One team throughout, the initiative's: a refusal must not come from a mismatch.
    team = Initiative.objects.get(pk=ids["initiative_id"]).team
    ids.update(team_id=team.pk, team_slug=team.slug)
    # Objects in a state where each write would be allowed to someone who may make it.
    ids["dep_id"] = Dependency.objects.for_org(org).filter(state=State.REQUESTED).first().pk
    ids["decision_id"] = Decision.objects.for_org(org).filter(status="open").first().pk
    cadence = Cadence.objects.get(pk=ids["cadence_id"])
    now = timezone.now()
    ahead = occurrences_of(cadence, now, now + dt.timedelta(days=60))
    ids["key"] = ahead[0].key  # an occurrence without a meeting yet
    return org, viewer, ids


def test_a_viewer_is_refused_every_write_of_the_api(northwind):
    org, viewer, ids = northwind
    _, raw = token_services.create_token(org, viewer, "viewer's")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    before = fingerprint(org)
    writes = 0
    for op in operations(client):
        if op.method == "get" or str(op) in VIEWER_MAY:
            continue
        body = example(op.body, ids=ids) if op.body else None
        if str(op) in BODIES:
            extra = BODIES[str(op)]
            body = {**body, **{k: ids[v] if k == "team_id" else v for k, v in extra.items()}}
        response = call(client, op.method, fill_path(op, ids), body)
        where = f"{op}: {response.status_code} {response.content[:300]!r}"
        assert response.status_code == 403, where
        assert response.json()["error"]["code"] == "forbidden", where
        writes += 1
    assert writes >= 70, writes
    assert diff(before, fingerprint(org)) == []


# Pages a viewer may post to, and why.
VIEWER_MAY_POST = {
    "api-settings:tokens": "anyone may create an API token of their own (with their own role)",
    "rhythm:settings": "anyone may set their own notifications and time off",
    "briefings:schedule": "anyone may choose when they get their own weekly briefing",
    "conversation:inbox_read_all": "anyone may mark their own inbox read",
}


def test_a_viewer_is_refused_every_form_of_the_pillars(northwind):
    """Each page is posted the form the admin sees for it (found on any page of the
    pillars), else a bare title: nothing of the organization changes, though the same
    form from the admin writes."""
    org, viewer, ids = northwind
    admin = login(Person.objects.get(org=org, email=demo.DEMO_LOGIN))
    urls = {page.name: page_url(page, org.slug, ids, action="start") for page in pages()}
    forms = harvest_forms(admin, urls.values())
    client = login(viewer)
    before = fingerprint(org)
    tokens = before["api.ApiToken"]
    with_form, statuses = 0, {}
    for name, url in urls.items():
        data = forms.get(url) or {"title": "Viewer's", "name": "Viewer's"}
        if url in forms and name not in VIEWER_MAY_POST:
            with transaction.atomic():  # the same post by the admin writes (then undone)
                events = Event.objects.count()
                admin.post(url, data)
                with_form += Event.objects.count() > events
                transaction.set_rollback(True)
        events = Event.objects.count()
        response = client.post(url, data)
        statuses[name] = response.status_code
        if name in VIEWER_MAY_POST:
            continue
        assert Event.objects.count() == events, f"a viewer changed something at {url}: {data}"
    after = fingerprint(org)
    # What a viewer may change is their own; and it did change: the check can see a write.
    changed = set(diff(before, after))
    assert "api.ApiToken" in changed
    assert changed <= {
        "events",
        "activity.Event",
        "api.ApiToken",
        "activity.DeliveryPreferences",
        "rhythm.CadenceMute",
        "briefings.BriefingSchedule",
        "hooks.Delivery",  # each event is queued for the organization's webhook of every kind
    }
    new_tokens = ApiToken.objects.filter(org=org).exclude(pk__in=[t["id"] for t in tokens])
    assert {t.person_id for t in new_tokens} == {viewer.pk}
    assert with_form >= 20, with_form  # forms that write when the admin sends them
    refused = [n for n, code in statuses.items() if code == 403]
    assert len(refused) >= 25, statuses


def test_an_admin_cannot_delete_a_team_the_pillars_still_use(northwind):
    org, _, ids = northwind
    maya = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
    team = Initiative.objects.get(pk=ids["initiative_id"]).team
    _, raw = token_services.create_token(org, maya, "maya")
    before = fingerprint(org)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = client.delete(f"/api/v1/teams/{team.pk}")
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    # A team that worked keeps its history: it is retired, never deleted.
    assert error["code"] == "has_history" and "initiative" in error["message"]
    assert "retire it instead" in error["message"]
    page = login(maya).post(f"/o/{org.slug}/teams/{team.slug}/delete/", follow=True)
    assert "retire it instead, which keeps its history" in page.content.decode()
    assert diff(before, fingerprint(org)) == []
