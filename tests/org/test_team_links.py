"""Links between teams: a working group and its stakeholder SIGs."""

from __future__ import annotations

import io
import json
import re

import pytest

from accord.activity.models import Event
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from accord.org import services
from accord.org.models import Team, TeamLink
from tests.conftest import api_client, login


def counts(org) -> tuple[int, int]:
    return TeamLink.objects.count(), Event.objects.filter(org=org).count()


def test_a_leader_links_a_stakeholder_team_and_it_is_recorded(cast):
    sales = services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    link = services.link_teams(cast.org, cast.leader, cast.platform, sales, "stakeholder")
    assert (link.from_team, link.to_team, link.kind) == (cast.platform, sales, "stakeholder")
    event = Event.objects.filter(org=cast.org, verb="linked").get()
    assert event.target_id == str(cast.platform.pk)
    assert event.after["to_team"] == sales.pk and event.actor == cast.leader


def test_unlinking_removes_the_link_and_is_recorded(cast):
    services.link_teams(cast.org, None, cast.platform, cast.root)
    services.unlink_teams(cast.org, cast.admin, cast.platform, cast.root)
    assert not TeamLink.objects.exists()
    event = Event.objects.filter(org=cast.org, verb="unlinked").get()
    assert event.before["to_team"] == cast.root.pk


@pytest.mark.parametrize(
    "case",
    ["self", "duplicate", "cross_org", "unknown_kind", "member", "viewer"],
)
def test_it_refuses_bad_links_and_changes_nothing(cast, case):
    services.link_teams(cast.org, None, cast.platform, cast.root)
    before = counts(cast.org)
    args = {
        "self": (None, cast.platform, cast.platform, "stakeholder", ServiceError, "itself"),
        "duplicate": (None, cast.platform, cast.root, "stakeholder", ServiceError, "already"),
        "cross_org": (None, cast.platform, cast.other_team, "stakeholder", ServiceError, "Globex"),
        "unknown_kind": (None, cast.root, cast.platform, "owner", ServiceError, "Unknown kind"),
        "member": (
            cast.member,
            cast.root,
            cast.platform,
            "stakeholder",
            PermissionDenied,
            "Leader role",
        ),
        "viewer": (
            cast.viewer,
            cast.root,
            cast.platform,
            "stakeholder",
            PermissionDenied,
            "Leader role",
        ),
    }[case]
    actor, a, b, kind, error, words = args
    with pytest.raises(error) as exc:
        services.link_teams(cast.org, actor, a, b, kind)
    assert words in str(exc.value)
    assert counts(cast.org) == before


def test_unlinking_what_is_not_linked_is_refused(cast):
    before = counts(cast.org)
    with pytest.raises(NotFound, match="not a stakeholder"):
        services.unlink_teams(cast.org, None, cast.platform, cast.root)
    assert counts(cast.org) == before


def test_deleting_a_team_removes_its_links_with_events(cast):
    sales = services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    services.link_teams(cast.org, None, sales, cast.platform)
    services.link_teams(cast.org, None, cast.root, sales)
    services.delete_team(cast.org, None, sales)
    assert not TeamLink.objects.exists()
    assert Event.objects.filter(org=cast.org, verb="unlinked").count() == 2


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_api_lists_creates_and_deletes_team_links(cast):
    api = api_client(cast.leader)
    r = post(
        api,
        "/api/v1/team-links",
        {"from_team_id": cast.platform.pk, "to_team_id": cast.root.pk, "kind": "stakeholder"},
    )
    assert r.status_code == 201, r.content
    link_id = r.json()["id"]
    assert r.json()["from_team_id"] == cast.platform.pk
    r = api.get(f"/api/v1/team-links?team_id={cast.root.pk}")
    assert [i["id"] for i in r.json()["items"]] == [link_id]
    assert api.get(f"/api/v1/team-links?to_team_id={cast.platform.pk}").json()["items"] == []
    assert api.delete(f"/api/v1/team-links/{link_id}").status_code == 204
    assert not TeamLink.objects.exists()
    assert Event.objects.filter(verb__in=["linked", "unlinked"]).count() == 2


def test_the_api_refuses_bad_team_links_and_changes_nothing(cast):
    services.link_teams(cast.org, None, cast.platform, cast.root)
    link = TeamLink.objects.get()
    leader, member = api_client(cast.leader), api_client(cast.member)
    before = counts(cast.org)  # tokens are made (and recorded) first
    self_link = {"from_team_id": cast.root.pk, "to_team_id": cast.root.pk}
    r = post(leader, "/api/v1/team-links", self_link)
    assert r.status_code == 422 and r.json()["error"]["code"] == "self_link"
    r = post(leader, "/api/v1/team-links", {"from_team_id": cast.root.pk, "to_team_id": 0})
    assert r.status_code == 422 and "to_team_id" in r.json()["error"]["fields"]
    foreign = {"from_team_id": cast.root.pk, "to_team_id": cast.other_team.pk}
    assert post(leader, "/api/v1/team-links", foreign).status_code == 422
    r = post(
        leader, "/api/v1/team-links", {**self_link, "to_team_id": cast.platform.pk, "kind": "x"}
    )
    assert r.status_code == 422
    ok = {"from_team_id": cast.root.pk, "to_team_id": cast.platform.pk}
    assert post(member, "/api/v1/team-links", ok).status_code == 403
    assert member.delete(f"/api/v1/team-links/{link.pk}").status_code == 403
    outsider = api_client(cast.outsider)
    assert outsider.get(f"/api/v1/team-links/{link.pk}").status_code == 404
    assert outsider.delete(f"/api/v1/team-links/{link.pk}").status_code == 404
    assert counts(cast.org) == before


def test_both_team_pages_show_the_link_and_a_leader_adds_and_removes_one(cast):
    sales = services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    services.link_teams(cast.org, None, cast.platform, sales)
    browser = login(cast.viewer)
    page = browser.get("/o/acme/teams/platform/").content.decode()
    stakeholders = page.split('id="stakeholders-h"')[1].split("</section>")[0]
    assert "Sales" in stakeholders and "Add a stakeholder team" not in page
    page = browser.get("/o/acme/teams/sales/").content.decode()
    assert "Platform" in page.split('id="stakeholder-of-h"')[1].split("</section>")[0]

    leader = login(cast.leader)
    r = leader.post(
        "/o/acme/teams/sales/",
        {"action": "link", "to_team": cast.root.pk, "kind": "stakeholder"},
    )
    assert r.status_code == 302
    assert TeamLink.objects.filter(from_team=sales, to_team=cast.root).exists()
    link = TeamLink.objects.get(from_team=cast.platform)
    r = leader.post("/o/acme/teams/sales/", {"action": "unlink", "link": link.pk})
    assert r.status_code == 302 and not TeamLink.objects.filter(pk=link.pk).exists()


def test_the_team_page_refuses_bad_links_and_changes_nothing(cast):
    before = counts(cast.org)
    member, leader = login(cast.member), login(cast.leader)
    url = "/o/acme/teams/platform/"
    assert member.post(url, {"action": "link", "to_team": cast.root.pk}).status_code == 403
    r = leader.post(url, {"action": "link", "to_team": cast.platform.pk}, follow=True)
    assert "Select a valid choice" in r.content.decode()
    r = leader.post(url, {"action": "link", "to_team": cast.other_team.pk}, follow=True)
    assert "Select a valid choice" in r.content.decode()
    assert leader.post(url, {"action": "unlink", "link": 999}).status_code == 404
    assert counts(cast.org) == before


def _feed_lines(client, team_slug: str) -> list[str]:
    """The lines of a team's own activity feed (without the teams below it), as read."""
    page = client.get(f"/o/acme/activity/?team={team_slug}&only=1").content.decode()
    lines = re.findall(r'<li class="event">(.*?)</li>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in lines]


def test_a_link_made_and_removed_shows_in_the_feed_of_the_team_it_is_to(cast):
    """A link is recorded on the team it is from; the team it is to reads it in its own
    feed too (its second team), made and removed, and so does the events API."""
    sales = services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    services.link_teams(cast.org, cast.leader, cast.platform, sales, "stakeholder")
    services.unlink_teams(cast.org, cast.leader, cast.platform, sales, "stakeholder")
    events = Event.objects.filter(org=cast.org, verb__in=["linked", "unlinked"]).order_by("id")
    assert [(e.verb, e.team_id, e.other_team_id) for e in events] == [
        ("linked", cast.platform.pk, sales.pk),
        ("unlinked", cast.platform.pk, sales.pk),
    ]
    viewer = login(cast.viewer)
    for slug in ("sales", "platform"):
        lines = [line for line in _feed_lines(viewer, slug) if "linked" in line]
        assert len(lines) == 2, (slug, lines)
        assert all("Platform" in line for line in lines), lines
    # What changed names the team linked to, as it is called, not by its id.
    page = viewer.get("/o/acme/activity/?team=sales&only=1").content.decode()
    assert '<span class="changes__field">To team</span>: <ins>Sales</ins>' in page
    assert "To team name" not in page and f"<ins>{sales.pk}</ins>" not in page
    api = api_client(cast.viewer).get(f"/api/v1/events?team_id={sales.pk}&target_type=org.team")
    verbs = {(e["verb"], e["target_id"]) for e in api.json()["items"]}
    assert {("linked", str(cast.platform.pk)), ("unlinked", str(cast.platform.pk))} <= verbs


def test_the_fill_gives_older_link_events_the_team_they_are_to(cast):
    """Link events recorded before they carried the team linked to get it from
    `accord fill-event-teams`, once; one to a team deleted since is left without."""
    from django.core.management import call_command

    sales = services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    gone = services.create_team(cast.org, None, name="Gone", slug="gone", parent=cast.root)
    services.link_teams(cast.org, None, cast.platform, sales)
    services.link_teams(cast.org, None, cast.root, gone)
    services.unlink_teams(cast.org, None, cast.platform, sales)
    links = Event._base_manager.filter(org=cast.org, verb__in=["linked", "unlinked"])
    recorded = dict(links.values_list("pk", "other_team_id"))
    assert sorted(recorded.values()) == sorted([sales.pk, sales.pk, gone.pk])
    links.update(other_team=None)  # as they were recorded before (the log is append-only)
    TeamLink.objects.filter(to_team=gone).delete()
    Team._base_manager.filter(pk=gone.pk).delete()
    call_command("fill_event_teams", "--quiet", "--org", "acme", stdout=io.StringIO())
    filled = dict(links.values_list("pk", "other_team_id"))
    assert filled == {pk: (None if team == gone.pk else team) for pk, team in recorded.items()}
    assert "Platform" in " ".join(_feed_lines(login(cast.viewer), "sales"))
