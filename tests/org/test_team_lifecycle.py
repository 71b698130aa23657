"""Team kinds, states, missions and links; retiring and reactivating a team."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils.timezone import localdate

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import services
from accord.org.models import Team, TeamKind
from tests.conftest import api_client, login


def kind(org, slug):
    return TeamKind.objects.get(org=org, slug=slug)


# --- services ----------------------------------------------------------------------------


def test_a_new_organization_starts_with_the_default_kinds(cast):
    slugs = set(TeamKind.objects.filter(org=cast.org).values_list("slug", flat=True))
    assert {"department", "team", "sig", "working-group", "committee", "guild"} <= slugs


def test_a_team_gets_a_kind_mission_and_links(cast):
    team = services.create_team(
        cast.org,
        cast.leader,
        name="Docs",
        parent=cast.root,
        kind="working-group",
        state="forming",
        mission="Make every page findable.",
        website="https://docs.example.com",
        repository="https://git.example.com/docs",
        chat="#docs",
        mailing_list="docs@example.com",
    )
    team.refresh_from_db()
    assert team.kind.slug == "working-group" and team.state == "forming"
    assert team.links == [
        ("Web page", "https://docs.example.com", "https://docs.example.com"),
        ("Repository", "https://git.example.com/docs", "https://git.example.com/docs"),
        ("Chat channel", "#docs", ""),
        ("Mailing list", "docs@example.com", "mailto:docs@example.com"),
    ]
    created = Event.objects.filter(org=cast.org, verb="created", target_type="org.team")
    event = created.get(target_id=team.pk)
    assert event.after["mission"] == "Make every page findable."


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"website": "javascript:alert(1)"}, "website"),
        ({"repository": "not a url"}, "repository"),
        ({"mailing_list": "nobody at all"}, "mailing_list"),
        ({"chat": "two words"}, "chat"),
        ({"kind": "tribe"}, "kind"),
        ({"state": "retired"}, "state"),
        ({"state": "asleep"}, "state"),
        ({"mission": "x" * 2001}, "mission"),
    ],
)
def test_bad_team_fields_are_refused_and_change_nothing(cast, changes, field):
    before = (cast.platform.version, Event.objects.count())
    with pytest.raises(ServiceError) as exc:
        services.update_team(cast.org, cast.leader, cast.platform, **changes)
    assert field in exc.value.fields
    cast.platform.refresh_from_db()
    assert (cast.platform.version, Event.objects.count()) == before
    assert cast.platform.state == "active" and cast.platform.website == ""


def test_the_team_form_reports_every_bad_field_at_once(cast):
    """A bad web page, a bad mailing list and a name another team has: one submit says
    all three, each beside its field."""
    with pytest.raises(ServiceError) as exc:
        services.create_team(
            cast.org, None, name="Acme", website="nope", mailing_list="nobody at all"
        )
    assert set(exc.value.fields) == {"name", "website", "mailing_list"}
    data = {"name": "Acme", "website": "nope", "mailing_list": "nobody at all", "state": ""}
    html = login(cast.leader).post("/o/acme/teams/new/", data).content.decode()
    assert "Enter a web address starting with https://." in html
    assert "Enter an e-mail address or a web address." in html
    assert "Another team at the top of the tree has this name." in html
    assert not Team.objects.filter(org=cast.org, website="nope").exists()


def test_a_kind_of_another_organization_is_refused(cast):
    theirs = TeamKind.objects.filter(org=cast.other_org).first()
    with pytest.raises(Exception, match="No such team kind"):
        services.update_team(cast.org, None, cast.platform, kind=theirs)


def test_retiring_records_the_date_and_reactivating_brings_it_back(cast):
    services.retire_team(cast.org, cast.leader, cast.platform, on="2026-01-31")
    cast.platform.refresh_from_db()
    assert cast.platform.state == "retired" and cast.platform.retired_on == dt.date(2026, 1, 31)
    retired = Event.objects.get(org=cast.org, verb="retired")
    assert retired.after == {"state": "retired", "retired_on": "2026-01-31"}
    assert not Team.objects.for_org(cast.org).current().filter(pk=cast.platform.pk).exists()
    services.reactivate_team(cast.org, cast.leader, cast.platform, state="advisory")
    cast.platform.refresh_from_db()
    assert (cast.platform.state, cast.platform.retired_on) == ("advisory", None)
    assert Event.objects.filter(org=cast.org, verb="reactivated").exists()


def test_retiring_defaults_to_today(cast):
    services.retire_team(cast.org, None, cast.platform)
    cast.platform.refresh_from_db()
    assert cast.platform.retired_on == localdate()


@pytest.mark.parametrize("case", ["has_current_child", "again", "future", "member"])
def test_retiring_refuses_what_makes_no_sense(cast, case):
    if case == "again":
        services.retire_team(cast.org, None, cast.platform)
    before = Event.objects.count()
    team, kwargs, error, text = {
        "has_current_child": (cast.root, {}, ServiceError, r"current sub-teams \(Platform\)"),
        "again": (cast.platform, {}, ServiceError, "already retired"),
        "future": (cast.platform, {"on": "2999-01-01"}, ServiceError, "future"),
        "member": (cast.platform, {}, PermissionDenied, "Leader role"),
    }[case]
    actor = cast.member if case == "member" else cast.leader
    with pytest.raises(error, match=text):
        services.retire_team(cast.org, actor, team, **kwargs)
    assert Event.objects.count() == before


def test_a_parent_retires_once_its_sub_teams_are_retired(cast):
    services.retire_team(cast.org, None, cast.platform)
    services.retire_team(cast.org, None, cast.root)
    # Reactivating a team under a retired one is refused: its parent comes back first.
    with pytest.raises(ServiceError, match="reactivate Acme first"):
        services.reactivate_team(cast.org, None, cast.platform)
    services.reactivate_team(cast.org, None, cast.root)
    services.reactivate_team(cast.org, None, cast.platform)


def test_a_current_team_cannot_go_under_a_retired_one(cast):
    services.retire_team(cast.org, None, cast.platform)
    with pytest.raises(ServiceError, match="retired"):
        services.create_team(cast.org, None, name="New", parent=cast.platform)
    with pytest.raises(ServiceError, match="reactivate it to change its state"):
        services.update_team(cast.org, None, cast.platform, state="active")


def test_kinds_are_added_renamed_and_removed_only_when_unused(cast):
    chapter = services.add_team_kind(cast.org, cast.admin, name="Chapter")
    assert chapter.slug == "chapter"
    services.update_team(cast.org, None, cast.platform, kind=chapter)
    services.rename_team_kind(cast.org, cast.admin, chapter, "Local chapter")
    chapter.refresh_from_db()
    assert (chapter.slug, chapter.name) == ("chapter", "Local chapter")
    with pytest.raises(ServiceError, match="1 team"):
        services.remove_team_kind(cast.org, cast.admin, chapter)
    with pytest.raises(ServiceError, match="already"):
        services.add_team_kind(cast.org, cast.admin, name="guild")
    with pytest.raises(PermissionDenied):
        services.add_team_kind(cast.org, cast.leader, name="Tribe")
    services.update_team(cast.org, None, cast.platform, kind=None)
    services.remove_team_kind(cast.org, cast.admin, chapter)
    assert not TeamKind.objects.filter(pk=chapter.pk).exists()


# --- pages -------------------------------------------------------------------------------


def test_the_team_settings_form_sets_kind_state_mission_and_links(cast):
    client = login(cast.leader)
    url = "/o/acme/teams/platform/edit/"
    page = client.get(url)
    assert b"Working group" in page.content and b"Mailing list" in page.content
    data = {
        "name": "Platform",
        "parent": cast.root.pk,
        "kind": "guild",
        "state": "advisory",
        "mission": "Paved roads.",
        "description": "",
        "website": "https://platform.example.com",
        "repository": "",
        "chat": "#platform",
        "mailing_list": "platform@example.com",
        "version": cast.platform.version,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    cast.platform.refresh_from_db()
    assert (cast.platform.kind.slug, cast.platform.state) == ("guild", "advisory")
    page = client.get("/o/acme/teams/platform/").content.decode()
    assert "Paved roads." in page and 'href="https://platform.example.com"' in page
    assert 'href="mailto:platform@example.com"' in page and "Guild" in page
    bad = client.post(url, {**data, "website": "ftp://x", "version": cast.platform.version})
    assert bad.status_code == 200 and b"https://" in bad.content
    cast.platform.refresh_from_db()
    assert cast.platform.website == "https://platform.example.com"


def test_a_retired_team_page_shows_the_banner_and_the_directory_drops_it(cast):
    client = login(cast.leader)
    assert client.post("/o/acme/teams/platform/retire/").status_code == 302
    page = client.get("/o/acme/teams/platform/").content.decode()
    assert "Retired on" in page and "Reactivate" in page
    directory = client.get("/o/acme/teams/").content.decode()
    assert "/o/acme/teams/platform/" not in directory and "1 retired team" in directory
    retired = client.get("/o/acme/teams/?state=retired").content.decode()
    assert "/o/acme/teams/platform/" in retired
    found = client.get("/o/acme/teams/?q=plat").content.decode()
    assert "/o/acme/teams/platform/" in found  # search still finds it
    assert client.post("/o/acme/teams/platform/reactivate/").status_code == 302
    cast.platform.refresh_from_db()
    assert cast.platform.state == "active"
    assert "/o/acme/teams/platform/" in client.get("/o/acme/teams/").content.decode()


WRITE_FORMS = ("Add a member", "Declare an open position", "Add a stakeholder team")


def test_a_retired_team_page_offers_no_form_it_would_refuse(cast):
    """No member, open position or stakeholder a retired team would refuse, no meeting to
    come nor chat webhook to add: it says it is retired and how to bring it back."""
    admin = login(cast.admin)
    before = admin.get("/o/acme/teams/platform/").content.decode()
    assert all(form in before for form in WRITE_FORMS) and "No chat webhook" in before
    services.retire_team(cast.org, None, cast.platform)
    page = admin.get("/o/acme/teams/platform/").content.decode()
    assert not any(form in page for form in WRITE_FORMS)
    assert "No chat webhook" not in page and "Platform is retired: it has no meetings" in page
    assert "until it is reactivated." in page and "Reactivate</button>" in page
    seen = login(cast.member).get("/o/acme/teams/platform/").content.decode()
    assert "which someone with the Leader or Admin role can do here." in seen


def test_a_retired_team_is_not_offered_by_the_team_picker(cast):
    services.retire_team(cast.org, None, cast.platform)
    client = login(cast.leader)
    found = client.get("/o/acme/pick/team/?q=Plat")
    assert found.status_code == 200 and b"Platform" not in found.content
    found = client.get("/o/acme/pick/team/?q=Acm")
    assert b"Acme" in found.content


def test_a_member_cannot_retire_a_team(cast):
    response = login(cast.member).post("/o/acme/teams/platform/retire/")
    assert response.status_code in (302, 403)
    cast.platform.refresh_from_db()
    assert cast.platform.state == "active"


def test_the_kinds_page_adds_renames_and_refuses_removing_a_used_kind(cast):
    client = login(cast.admin)
    assert b"Special-interest group" in client.get("/o/acme/teams/kinds/").content
    client.post("/o/acme/teams/kinds/", {"action": "add", "add-name": "Chapter"})
    chapter = kind(cast.org, "chapter")
    client.post("/o/acme/teams/kinds/", {"action": "rename", "kind": chapter.pk, "name": "Ch."})
    chapter.refresh_from_db()
    assert chapter.name == "Ch."
    services.update_team(cast.org, None, cast.platform, kind=chapter)
    page = client.post(
        "/o/acme/teams/kinds/", {"action": "remove", "kind": chapter.pk}, follow=True
    )
    assert b"give them another kind first" in page.content
    assert TeamKind.objects.filter(pk=chapter.pk).exists()
    assert (
        login(cast.leader)
        .post("/o/acme/teams/kinds/", {"action": "add", "add-name": "Tribe"})
        .status_code
        == 403
    )
    other = TeamKind.objects.filter(org=cast.other_org).first()
    assert (
        client.post("/o/acme/teams/kinds/", {"action": "remove", "kind": other.pk}).status_code
        == 404
    )


# --- API ---------------------------------------------------------------------------------


def test_the_api_reads_writes_and_filters_the_new_fields(cast):
    client = api_client(cast.leader)
    created = client.post(
        "/api/v1/teams",
        json.dumps(
            {
                "name": "Release WG",
                "parent_id": cast.root.pk,
                "kind": "working-group",
                "state": "forming",
                "mission": "Ship on time.",
                "repository": "https://git.example.com/release",
                "chat": "#release",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "working-group" and body["kind_name"] == "Working group"
    assert (body["state"], body["retired_on"], body["chat"]) == ("forming", None, "#release")
    team_id = body["id"]
    patched = client.patch(
        f"/api/v1/teams/{team_id}",
        json.dumps({"kind": None, "website": "https://release.example.com"}),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["kind"] is None
    retired = client.post(
        f"/api/v1/teams/{team_id}/retire",
        json.dumps({"retired_on": "2026-02-01"}),
        content_type="application/json",
    )
    assert retired.json()["state"] == "retired" and retired.json()["retired_on"] == "2026-02-01"
    names = lambda q: [t["name"] for t in client.get(f"/api/v1/teams?{q}").json()["items"]]  # noqa: E731
    assert names("state=retired") == ["Release WG"]
    assert "Release WG" not in names("state=current")
    services.update_team(cast.org, None, cast.platform, kind="guild")
    assert names("kind=guild") == ["Platform"]
    back = client.post(f"/api/v1/teams/{team_id}/reactivate", "{}", content_type="application/json")
    assert back.status_code == 200, back.content
    assert back.json()["state"] == "active"


@pytest.mark.parametrize(
    "body",
    [{"kind": "tribe"}, {"state": "retired"}, {"website": "nope"}, {"mailing_list": "x y"}],
)
def test_the_api_refuses_bad_team_fields(cast, body):
    response = api_client(cast.leader).patch(
        f"/api/v1/teams/{cast.platform.pk}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    cast.platform.refresh_from_db()
    assert cast.platform.version == 1


def test_the_api_manages_kinds_and_keeps_them_per_organization(cast):
    client = api_client(cast.admin)
    made = client.post(
        "/api/v1/team-kinds", json.dumps({"name": "Chapter"}), content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["slug"] == "chapter"
    kinds = [k["slug"] for k in client.get("/api/v1/team-kinds").json()]
    assert "chapter" in kinds
    theirs = [k["slug"] for k in api_client(cast.outsider).get("/api/v1/team-kinds").json()]
    assert "chapter" not in theirs
    services.update_team(cast.org, None, cast.platform, kind="chapter")
    refused = client.delete(f"/api/v1/team-kinds/{made.json()['id']}")
    assert refused.status_code == 422, refused.content
    assert "another kind" in refused.json()["error"]["message"]
    other = TeamKind.objects.filter(org=cast.other_org).first()
    assert client.delete(f"/api/v1/team-kinds/{other.pk}").status_code == 404


def test_refusals_name_the_organization_role_not_a_lead(cast):
    """Refusals said "Only a leader", read as a team's lead; they name the organization role."""
    page = login(cast.member).get("/o/acme/teams/platform/retire/")
    assert page.status_code == 403
    assert "Only someone with the Leader or Admin role may retire a team." in page.content.decode()
    with pytest.raises(PermissionDenied) as refused:
        services.retire_team(cast.org, cast.member, cast.platform)
    assert str(refused.value) == (
        "Only someone with the Leader role or above may retire a team; your role is Member."
    )


@pytest.mark.parametrize("url", ["/o/acme/people/new/", "/o/acme/people/invite/"])
def test_where_a_role_is_chosen_it_says_what_each_may_do(cast, url):
    html = login(cast.admin).get(url).content.decode()
    assert ">Organization role <span" in html
    for line in (
        "<strong>Viewer</strong>: reads everything and changes nothing but their own settings.",
        "<strong>Leader</strong>: also the team tree (add, move, retire teams), every team",
        "<strong>Admin</strong>: also people, their roles and sign-in",
    ):
        assert line in html
