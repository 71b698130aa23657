"""Links between initiatives ("replaces", read backwards as "replaced by") and stages."""

from __future__ import annotations

import json

import pytest

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import Initiative, InitiativeLink
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from tests.conftest import api_client, login


def counts(org) -> tuple[int, int]:
    return InitiativeLink.objects.count(), Event.objects.filter(org=org).count()


@pytest.fixture
def pair(cast):
    old = s.create_initiative(cast.org, None, team=cast.platform, title="Old checkout")
    new = s.create_initiative(cast.org, None, team=cast.platform, title="New checkout")
    return old, new


def test_an_initiative_replaces_another_and_it_is_recorded(cast, pair):
    old, new = pair
    link = s.link_initiatives(cast.org, cast.member, new, old, "replaces")
    assert (link.from_initiative, link.to_initiative, link.kind) == (new, old, "replaces")
    event = Event.objects.filter(org=cast.org, verb="linked").get()
    assert event.target_id == str(new.pk) and event.after["to_initiative"] == old.pk
    s.unlink_initiatives(cast.org, cast.member, new, old)
    assert not InitiativeLink.objects.exists()
    assert Event.objects.filter(org=cast.org, verb="unlinked").count() == 1


def test_it_refuses_bad_links_and_changes_nothing(cast, pair):
    old, new = pair
    s.link_initiatives(cast.org, None, new, old)
    alien = s.create_initiative(cast.other_org, None, team=cast.other_team, title="Alien")
    before = counts(cast.org)
    for actor, a, b, kind, error, words in (
        (None, new, new, "replaces", ServiceError, "itself"),
        (None, new, old, "replaces", ServiceError, "already"),
        (None, old, new, "replaces", ServiceError, "each other"),
        (None, new, alien, "replaces", ServiceError, "not an initiative of Acme"),
        (None, old, new, "blocks", ServiceError, "Unknown kind"),
        (cast.viewer, old, new, "replaces", PermissionDenied, "Member role"),
    ):
        with pytest.raises(error) as exc:
            s.link_initiatives(cast.org, actor, a, b, kind)
        assert words in str(exc.value)
    assert counts(cast.org) == before
    with pytest.raises(NotFound):
        s.unlink_initiatives(cast.org, None, old, new)
    assert counts(cast.org) == before


def test_deleting_an_initiative_removes_its_links_with_events(cast, pair):
    old, new = pair
    s.link_initiatives(cast.org, None, new, old)
    s.delete_initiative(cast.org, None, old)
    assert not InitiativeLink.objects.exists()
    assert Event.objects.filter(org=cast.org, verb="unlinked").count() == 1


def test_a_stage_is_set_changed_and_checked(cast):
    i = s.create_initiative(cast.org, None, team=cast.platform, title="X", stage="  alpha ")
    assert i.stage == "alpha"
    s.update_initiative(cast.org, None, i, stage="beta")
    assert Initiative.objects.get(pk=i.pk).stage == "beta"
    before = Event.objects.count()
    with pytest.raises(ServiceError, match="at most 40"):
        s.update_initiative(cast.org, None, i, stage="x" * 41)
    assert Initiative.objects.get(pk=i.pk).stage == "beta" and Event.objects.count() == before


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_api_links_initiatives_and_shows_both_directions(cast, pair):
    old, new = pair
    api = api_client(cast.member)
    body = {"from_initiative_id": new.pk, "to_initiative_id": old.pk, "kind": "replaces"}
    r = post(api, "/api/v1/initiative-links", body)
    assert r.status_code == 201, r.content
    link_id = r.json()["id"]
    assert api.get(f"/api/v1/initiatives/{new.pk}").json()["replaces_ids"] == [old.pk]
    got = api.get(f"/api/v1/initiatives/{old.pk}").json()
    assert (got["replaced_by_ids"], got["replaces_ids"]) == ([new.pk], [])
    listed = api.get(f"/api/v1/initiative-links?initiative_id={old.pk}").json()["items"]
    assert [i["id"] for i in listed] == [link_id]
    assert api.delete(f"/api/v1/initiative-links/{link_id}").status_code == 204
    assert not InitiativeLink.objects.exists()


def test_the_api_sets_and_checks_the_stage(cast):
    api = api_client(cast.member)
    r = post(
        api, "/api/v1/initiatives", {"team_id": cast.platform.pk, "title": "X", "stage": "alpha"}
    )
    assert r.status_code == 201 and r.json()["stage"] == "alpha"
    url = f"/api/v1/initiatives/{r.json()['id']}"
    patched = api.patch(url, json.dumps({"stage": "beta"}), content_type="application/json")
    assert patched.json()["stage"] == "beta"
    before = Event.objects.count()
    long = api.patch(url, json.dumps({"stage": "b" * 41}), content_type="application/json")
    assert long.status_code == 422
    assert api.get(url).json()["stage"] == "beta" and Event.objects.count() == before


def test_the_api_refuses_bad_initiative_links_and_changes_nothing(cast, pair):
    old, new = pair
    alien = s.create_initiative(cast.other_org, None, team=cast.other_team, title="Alien")
    member, viewer = api_client(cast.member), api_client(cast.viewer)
    before = counts(cast.org)
    url = "/api/v1/initiative-links"
    r = post(member, url, {"from_initiative_id": new.pk, "to_initiative_id": new.pk})
    assert r.status_code == 422 and r.json()["error"]["code"] == "self_link"
    r = post(member, url, {"from_initiative_id": new.pk, "to_initiative_id": alien.pk})
    assert r.status_code == 422 and "to_initiative_id" in r.json()["error"]["fields"]
    body = {"from_initiative_id": new.pk, "to_initiative_id": old.pk}
    assert post(member, url, {**body, "kind": "blocks"}).status_code == 422
    assert post(viewer, url, body).status_code == 403
    assert counts(cast.org) == before


def test_the_initiative_page_shows_both_directions_and_a_member_links_and_unlinks(cast, pair):
    old, new = pair
    s.update_initiative(cast.org, None, new, stage="beta")
    base = "/o/acme/alignment/initiatives"
    member = login(cast.member)
    r = member.post(
        f"{base}/{old.pk}/link/",
        {"link": "replacement", "direction": "replaced_by", "other": new.pk},
    )
    assert r.status_code == 302
    link = InitiativeLink.objects.get()
    assert (link.from_initiative, link.to_initiative) == (new, old)

    viewer = login(cast.viewer)
    page = viewer.get(f"{base}/{new.pk}/").content.decode()
    section = page.split('id="replaces-h"')[1].split('id="replaced-by-h"')[0]
    assert "Old checkout" in section and '<span class="tag" title="Stage">beta</span>' in page
    assert "Add a replacement link" not in page
    page = viewer.get(f"{base}/{old.pk}/").content.decode()
    assert "New checkout" in page.split('id="replaced-by-h"')[1].split("</section>")[0]
    team_page = viewer.get("/o/acme/alignment/teams/platform/").content.decode()
    assert '<span class="tag" title="Stage">beta</span>' in team_page

    r = member.post(f"{base}/{old.pk}/unlink/", {"replacement": link.pk})
    assert r.status_code == 302 and not InitiativeLink.objects.exists()


def test_the_initiative_page_refuses_bad_links_and_changes_nothing(cast, pair):
    old, new = pair
    alien = s.create_initiative(cast.other_org, None, team=cast.other_team, title="Alien")
    base = "/o/acme/alignment/initiatives"
    before = counts(cast.org)
    viewer, member = login(cast.viewer), login(cast.member)
    body = {"link": "replacement", "direction": "replaces", "other": old.pk}
    assert viewer.post(f"{base}/{new.pk}/link/", body).status_code == 403
    r = member.post(f"{base}/{new.pk}/link/", {**body, "other": new.pk}, follow=True)
    assert "Select a valid choice" in r.content.decode()
    r = member.post(f"{base}/{new.pk}/link/", {**body, "other": alien.pk}, follow=True)
    assert "Select a valid choice" in r.content.decode()
    assert member.post(f"{base}/{new.pk}/unlink/", {"replacement": 999}).status_code == 404
    assert counts(cast.org) == before


def test_the_edit_form_sets_the_stage(cast):
    i = s.create_initiative(cast.org, None, team=cast.platform, title="Search")
    r = login(cast.member).post(
        f"/o/acme/alignment/initiatives/{i.pk}/edit/",
        {"title": "Search", "team": cast.platform.pk, "progress": 0, "stage": "stable"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Initiative.objects.get(pk=i.pk).stage == "stable"
