"""A second organization never sees the first one's data in any pillar: not through the pages,
the API, exports or calendar feeds.

The demo organization (Northwind, data in every pillar) is the first; Acme of the cast, with
a little of everything, is the second. Pages are enumerated from each app's urls.py and API
operations from /api/v1/openapi.json, so a new page or endpoint is covered without edits.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.db import transaction
from django.test import Client

from accord.activity.models import Event
from accord.api import services as token_services
from accord.org import services as org_services
from accord.org.models import Role, Team
from tests.conftest import login, make_person
from tests.pillars_fixtures import (
    NOT_OBJECTS,
    call,
    content,
    diff,
    example,
    fill_path,
    fingerprint,
    forms_of,
    leaked,
    markers,
    operations,
    page_url,
    pages,
    reference_kind,
    shared_world,
)

# Operations that legitimately answer without naming an object of the caller's organization.
EXCLUDED = {
    # Authenticated by the secret in the path, not by a token: proven separately below.
    "GET /api/v1/rhythm/calendar/{token}.ics": "feed token in the path",
}


# Body fields ending in _id that do not name an object of a fixed kind.
NOT_REFERENCES = {
    "target_id",  # with target_type (any kind of object): see the test of typed references
    "source_id",  # with source_type (any kind of object): idem
}


@pytest.fixture(scope="module")
def pillar_world(django_db_setup, django_db_blocker):
    yield from shared_world(django_db_blocker)


@pytest.fixture
def world(pillar_world, db):
    return pillar_world


@pytest.fixture(scope="module")
def caller_pages(pillar_world, django_db_blocker):
    """Every page of the second organization as its admin is shown it: url -> (status,
    content type, text). Read once for the tests that look through them (what they show,
    the forms on them), in a transaction undone after, as each test's own is."""
    _, caller = pillar_world
    shown = {}
    with django_db_blocker.unblock(), transaction.atomic():
        client = login(caller.admin)
        for page in pages():
            url = page_url(page, caller.org.slug, caller.ids, action="start")
            response = client.get(url)
            text = content(response).decode(errors="replace")
            shown[url] = (response.status_code, response.get("Content-Type", ""), text)
        transaction.set_rollback(True)
    return shown


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_every_page_of_another_organizations_objects_answers_404_and_post_changes_nothing(world):
    victim, caller = world
    client = login(caller.admin)
    before = fingerprint(victim.org)
    checked = 0
    for page in pages():
        if not any(p not in NOT_OBJECTS for p in page.params):
            continue  # the caller's own organization-wide page (index, new, exports)
        url = page_url(page, caller.org.slug, victim.ids)
        # 405 for a page that only takes POST: the method is refused before any lookup.
        assert client.get(url).status_code in (404, 405), f"GET {url} ({page.name})"
        assert client.post(url, {"title": "Hijacked", "name": "Hijacked"}).status_code == 404, (
            f"POST {url} ({page.name})"
        )
        checked += 1
    assert checked >= 40, checked
    assert diff(before, fingerprint(victim.org)) == []


def test_no_page_of_an_organization_shows_anything_of_another(world, caller_pages):
    victim, caller = world
    marks = markers(victim.org, caller.org)
    shown = 0
    for url, (status, _, text) in caller_pages.items():
        if status == 405:
            continue  # a page that only takes POST
        assert status in (200, 302), f"GET {url}: {status}"
        assert leaked(text, marks) == [], url
        shown += status == 200
    assert shown >= 40, shown


def test_no_page_of_the_first_organization_answers_a_person_of_another(world):
    victim, caller = world
    client = login(caller.admin)
    before = fingerprint(victim.org)
    for page in pages():
        url = page_url(page, victim.org.slug, victim.ids)
        assert client.get(url).status_code in (404, 405), f"GET {url}"
        assert client.post(url, {}).status_code == 404, f"POST {url}"
    assert diff(before, fingerprint(victim.org)) == []


def test_every_api_endpoint_answers_404_for_another_organizations_objects(world):
    victim, caller = world
    client = bearer(caller.token)
    before = fingerprint(victim.org)
    checked = 0
    for op in operations(client):
        if str(op) in EXCLUDED or not op.names_object:
            continue
        url = fill_path(op, victim.ids)
        # A body the schema accepts, naming the caller's own objects: only the path is foreign.
        body = example(op.body, ids=caller.ids) if op.body else None
        response = call(client, op.method, url, body)
        assert response.status_code == 404, f"{op}: {response.status_code} {response.content!r}"
        assert response.json()["error"]["code"] == "not_found", str(op)
        checked += 1
    assert checked >= 60, checked
    assert diff(before, fingerprint(victim.org)) == []


def test_api_lists_and_reports_never_include_another_organizations_data(world):
    victim, caller = world
    mine, theirs = bearer(caller.token), bearer(victim.token)
    marks = markers(victim.org, caller.org)
    lists = filters = 0
    for op in operations(mine):
        if op.method != "get" or str(op) in EXCLUDED:
            continue
        url = fill_path(op, caller.ids)
        refs = [q for q in op.query if reference_kind(q)]
        response = mine.get(url, {"limit": 100} if op.paginated else {})
        for q in refs:  # a report that needs a subject: name one of the caller's own
            if response.status_code == 422 and not op.paginated:
                response = mine.get(url, {q: caller.ids[reference_kind(q)]})
        if response.status_code == 422 and "q" in op.query:
            # A search: asked for the other organization's names, it finds none of them.
            for text in sorted(marks)[:8]:
                response = mine.get(url, {"q": text})
                assert response.status_code == 200, f"{op}?q={text}: {response.status_code}"
                assert leaked(content(response).decode(), marks) == [], f"{op}?q={text}"
        # 202: a briefing not stored yet is being prepared (the answer names only the week).
        assert response.status_code in (200, 202), (
            f"{op}: {response.status_code} {response.content!r}"
        )
        assert leaked(content(response).decode(), marks) == [], str(op)
        if op.paginated:
            # Items without an id (a measurable's weekly values) belong to an object in the
            # path, which the 404 test covers; the rest are compared by id.
            own = {item.get("id") for item in response.json()["items"]} - {None}
            other = theirs.get(fill_path(op, victim.ids), {"limit": 200}).json()["items"]
            assert not own & {item.get("id") for item in other}, str(op)
            lists += other != []
        # Filtering by another organization's object finds nothing (or is refused).
        for q in refs:
            params = {q: victim.ids[reference_kind(q)]}
            filtered = mine.get(url, params)
            where = f"{op}?{q}: {filtered.status_code} {filtered.content[:200]!r}"
            assert filtered.status_code in (200, 404, 422), where
            if filtered.status_code == 200:
                assert leaked(filtered.content.decode(), marks) == [], where
                if op.paginated:
                    assert filtered.json()["count"] == 0, where
            filters += 1
    assert lists >= 15, lists  # the first organization had something in most lists
    assert filters >= 30, filters


def test_a_reference_to_another_organizations_object_in_a_body_is_refused(world):
    victim, caller = world
    client = bearer(caller.token)
    before = fingerprint(caller.org), fingerprint(victim.org)
    refused, unknown = 0, []
    for op in operations(client):
        if op.body is None or str(op) in EXCLUDED:
            continue
        for name in op.body.get("properties", {}):
            kind = reference_kind(name, op.path)
            if kind is None:
                if name.endswith(("_id", "_ids")) and name not in NOT_REFERENCES:
                    unknown.append(f"{op} {name}")
                continue
            body = example(op.body, ids=caller.ids)
            foreign = victim.ids[kind]
            body[name] = [foreign] if name.endswith("_ids") else foreign
            response = call(client, op.method, fill_path(op, caller.ids), body)
            where = f"{op} {name}={foreign}: {response.status_code} {response.content[:300]!r}"
            assert response.status_code == 422, where
            assert name in response.json()["error"]["fields"], where
            refused += 1
    assert unknown == [], "a new reference field: map it in pillars_fixtures.REFERENCES"
    assert refused >= 20, refused
    assert diff(before[0], fingerprint(caller.org)) == []
    assert diff(before[1], fingerprint(victim.org)) == []


def test_exports_and_calendar_feeds_hold_nothing_of_another_organization(world):
    victim, caller = world
    client = login(caller.admin)
    marks = markers(victim.org, caller.org)
    own = markers(caller.org, victim.org)
    base = f"/o/{caller.org.slug}"
    from accord.decisions.models import Decision

    decision = Decision.objects.for_org(caller.org).first()
    texts = {}
    for url in (
        f"{base}/interchange/export.yaml",
        f"{base}/interchange/my-data.yaml",
        f"{base}/decisions/export.csv",
        f"{base}/decisions/{decision.pk}.md",
        f"/api/v1/rhythm/calendar/{caller.feed_token}.ics",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = content(response)
    for url in (f"{base}/interchange/export.zip", f"{base}/decisions/export-markdown.zip"):
        response = client.get(url)
        assert response.status_code == 200, url
        with zipfile.ZipFile(io.BytesIO(content(response))) as archive:
            for name in archive.namelist():
                texts[f"{url}:{name}"] = archive.read(name)
    api = bearer(caller.token)
    for url in ("/api/v1/interchange/export", "/api/v1/interchange/export/me"):
        response = api.get(url)
        assert response.status_code == 200, url
        texts[url] = content(response)
    for url, body in texts.items():
        assert leaked(body.decode(), marks) == [], url
    # The exports are not empty: the caller's own data is there.
    assert any(leaked(texts[f"{base}/interchange/export.yaml"].decode(), own)), own
    # A feed of the first organization shows only the first organization.
    feed = Client().get(f"/api/v1/rhythm/calendar/{victim.feed_token}.ics").content.decode()
    assert "BEGIN:VCALENDAR" in feed and "Zephyr" not in feed and leaked(feed, own) == []


# kind of object a decision link or an action item's source names -> its key in collect_ids
TYPED = {
    "alignment.objective": "objective_id",
    "alignment.keyresult": "kr_id",
    "alignment.initiative": "initiative_id",
    "coordination.dependency": "dep_id",
    "rhythm.meeting": "meeting_id",
    "rhythm.checkin": "checkin_id",
    "decisions.issue": "issue_id",
    "decisions.decision": "decision_id",
}


def test_a_typed_reference_to_another_organizations_object_is_refused(world):
    from accord.decisions.models import ActionSource
    from accord.decisions.services import LINKABLE

    victim, caller = world
    client = bearer(caller.token)
    before = fingerprint(caller.org), fingerprint(victim.org)
    decision = caller.ids["decision_id"]
    assert set(TYPED) >= LINKABLE, "a new kind of link: add it to TYPED"
    for kind in sorted(LINKABLE):
        foreign = victim.ids[TYPED[kind]]
        link = {"target_type": kind, "target_id": foreign}
        for url, body in (
            (f"/api/v1/decisions/{decision}/links", link),
            (
                "/api/v1/decisions",
                {"question": "Q?", "approver_id": caller.admin.pk, "links": [link]},
            ),
        ):
            response = call(client, "post", url, body)
            where = f"{url} {kind} {foreign}: {response.status_code} {response.content[:300]!r}"
            assert response.status_code == 422, where
            assert "target_id" in str(response.json()["error"]["fields"]), where
    for kind in sorted(set(ActionSource.values) - {""}):
        foreign = victim.ids[TYPED[kind]]
        body = {
            "title": "T",
            "owner_id": caller.admin.pk,
            "source_type": kind,
            "source_id": foreign,
        }
        response = call(client, "post", "/api/v1/action-items", body)
        where = f"action item from {kind} {foreign}: {response.status_code} {response.content!r}"
        assert response.status_code == 422, where
        assert "source_id" in response.json()["error"]["fields"], where
    assert diff(before[0], fingerprint(caller.org)) == []
    assert diff(before[1], fingerprint(victim.org)) == []


def test_applying_another_organizations_file_never_touches_that_organization(world):
    victim, _ = world
    exported = content(bearer(victim.token).get("/api/v1/interchange/export"))
    assert victim.org.name.encode() in exported
    # A new organization takes the file in (as a copy: the first one's file names no ids).
    third = org_services.create_organization("Third", "third")
    admin = make_person(third, "Thea Third", Role.ADMIN)
    _, raw = token_services.create_token(third, admin, "third")
    client = bearer(raw)
    before = fingerprint(victim.org)
    # As exported it names the first organization: refused, touching neither.
    refused = client.post("/api/v1/interchange/apply", exported, content_type="application/yaml")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "other_organization"
    assert not Team.objects.for_org(third).exists()
    # Made this organization's (its slug changed), it is taken in as a copy.
    named = f"\n  slug: {victim.org.slug}\n".encode()
    assert named in exported
    exported = exported.replace(named, b"\n  slug: third\n", 1)
    for url in ("/api/v1/interchange/plan", "/api/v1/interchange/apply"):
        response = client.post(url, exported, content_type="application/yaml")
        assert response.status_code == 200, f"{url}: {response.content[:500]!r}"
    after = fingerprint(victim.org)
    assert [k for k in diff(before, after) if k != "events"] == []
    copied = set(Team.objects.for_org(third).values_list("name", flat=True))
    assert copied == set(Team.objects.for_org(victim.org).values_list("name", flat=True))


def test_a_form_naming_another_organizations_object_writes_nothing(world, caller_pages):
    """Each form of the caller's pages that writes when posted as shown writes nothing once
    one of its references (team, owner, initiative, ...) names the first organization's."""
    victim, caller = world
    client = login(caller.admin)
    html = [
        (url, text)
        for url, (status, kind, text) in caller_pages.items()
        if status == 200 and "html" in kind
    ]
    before = fingerprint(victim.org)
    tried = 0
    for action, fields in forms_of(html).items():
        refs = [name for name in fields if reference_kind(name + "_id")]
        if not refs:
            continue
        with transaction.atomic():  # as shown: does this form write at all?
            events = Event.objects.count()
            client.post(action, fields)
            writes = Event.objects.count() > events
            transaction.set_rollback(True)
        if not writes:
            continue
        for name in refs:
            foreign = victim.ids[reference_kind(name + "_id")]
            with transaction.atomic():
                events = Event.objects.count()
                response = client.post(action, {**fields, name: foreign})
                where = f"{action} {name}={foreign}: {response.status_code}"
                assert Event.objects.count() == events, where
                transaction.set_rollback(True)
            tried += 1
    assert tried >= 10, tried
    assert diff(before, fingerprint(victim.org)) == []


def test_the_openapi_document_describes_each_body_as_the_endpoint_reads_it(world):
    """Two apps' schema classes of one name would share one entry in the document, and
    one of their endpoints would be described with the other's body."""
    _, caller = world
    doc = bearer(caller.token).get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    wrong = set()
    for op in operations(bearer(caller.token)):
        if op.body is None:
            continue
        described = doc["paths"][op.path][op.method]["requestBody"]["content"]
        schema = described["application/json"]["schema"]
        # An optional body is described as "that schema, or null".
        ref = schema.get("$ref") or next(s["$ref"] for s in schema["anyOf"] if "$ref" in s)
        name = ref.rsplit("/", 1)[1]
        body = op.body
        if "anyOf" in body:
            body = next(s for s in body["anyOf"] if s.get("type") != "null")
        if set(schemas[name].get("properties", {})) != set(body.get("properties", {})):
            wrong.add(str(op))
    assert not wrong, sorted(wrong)
