"""Saved views through the API (`/api/v1/saved-views`): the same views the list pages
save; one's own and the organization's shared ones are listed; only the owner changes
a view (an admin may also delete a shared one); every write records an event; bad input
changes nothing; another organization's views do not exist."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.web import services
from accord.web.models import SavedView
from tests.api.conftest import send
from tests.conftest import api_client, login

LIST = "/o/acme/alignment/initiatives/"
BOARD = "/o/acme/alignment/initiatives/board/"


def _events(view_id: int) -> list[str]:
    return list(
        Event.objects.filter(target_type="web.savedview", target_id=str(view_id))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_a_member_creates_reads_renames_shares_and_deletes_a_view(cast):
    client = api_client(cast.member)
    made = send(
        client,
        "post",
        "/api/v1/saved-views",
        {"name": "Late work", "path": LIST, "query": "late=on&page=3&status="},
    )
    assert made.status_code == 201, made.content
    view = made.json()
    assert view["name"] == "Late work" and view["path"] == LIST
    assert view["query"] == "late=on"  # no page number, no empty filter
    assert view["url"] == f"{LIST}?late=on"
    assert view["shared"] is False and view["owner_id"] == cast.member.pk
    assert view["owner_name"] == "Mia Member" and view["version"] == 1
    url = f"/api/v1/saved-views/{view['id']}"
    assert send(client, "get", url).json() == view

    changed = send(
        client, "patch", url, {"name": "Late, all teams", "shared": True}, HTTP_IF_MATCH='"1"'
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Late, all teams" and changed.json()["shared"] is True
    assert changed.json()["version"] == 2 and changed.json()["query"] == "late=on"
    event = Event.objects.filter(target_type="web.savedview", verb="updated").get()
    assert event.actor == cast.member
    assert event.before == {"name": "Late work", "shared": False}
    assert event.after == {"name": "Late, all teams", "shared": True}

    send(client, "post", "/api/v1/saved-views", {"name": "Board", "path": BOARD, "query": ""})
    listed = send(client, "get", "/api/v1/saved-views").json()
    assert listed["count"] == 2 and [v["name"] for v in listed["items"]] == [
        "Board",
        "Late, all teams",
    ]
    one_list = send(client, "get", f"/api/v1/saved-views?path={LIST}").json()
    assert [v["id"] for v in one_list["items"]] == [view["id"]]

    assert send(client, "delete", url, HTTP_IF_MATCH='"2"').status_code == 204
    assert not SavedView.objects.filter(pk=view["id"]).exists()
    assert send(client, "get", url).status_code == 404
    assert _events(view["id"]) == ["created", "updated", "deleted"]


def test_a_view_saved_on_the_page_is_the_one_the_api_lists(cast):
    saved = login(cast.member).post(
        "/o/acme/views/save/", {"name": "Mine", "path": LIST, "query": "status=active"}
    )
    assert saved.status_code == 302
    (row,) = send(api_client(cast.member), "get", "/api/v1/saved-views").json()["items"]
    assert row["name"] == "Mine" and row["url"] == f"{LIST}?status=active"


def test_others_see_shared_views_only_and_change_none_of_them(cast):
    mine = services.save_view(cast.org, cast.member, name="Private", path=LIST)
    shared = services.save_view(cast.org, cast.member, name="Team", path=LIST, shared=True)
    leader = api_client(cast.leader)
    listed = send(leader, "get", "/api/v1/saved-views").json()
    assert [v["name"] for v in listed["items"]] == ["Team"]
    # Someone else's private view does not exist for them; a shared one is read only.
    assert send(leader, "get", f"/api/v1/saved-views/{mine.pk}").status_code == 404
    assert send(leader, "patch", f"/api/v1/saved-views/{mine.pk}", {"name": "x"}).status_code == (
        404
    )
    assert send(leader, "delete", f"/api/v1/saved-views/{mine.pk}").status_code == 404
    assert send(leader, "get", f"/api/v1/saved-views/{shared.pk}").status_code == 200
    refused = send(leader, "patch", f"/api/v1/saved-views/{shared.pk}", {"shared": False})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert send(leader, "delete", f"/api/v1/saved-views/{shared.pk}").status_code == 403
    # Even an admin does not rename someone's view, but may remove a shared one.
    admin = api_client(cast.admin)
    assert send(
        admin, "patch", f"/api/v1/saved-views/{shared.pk}", {"name": "Ours"}
    ).status_code == (403)
    shared.refresh_from_db()
    assert shared.name == "Team" and shared.shared and shared.version == 1
    assert send(admin, "delete", f"/api/v1/saved-views/{mine.pk}").status_code == 404
    assert send(admin, "delete", f"/api/v1/saved-views/{shared.pk}").status_code == 204
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Private"]


def test_a_viewer_saves_and_changes_views_of_their_own(cast):
    client = api_client(cast.viewer)
    made = send(client, "post", "/api/v1/saved-views", {"name": "Watch", "path": LIST})
    assert made.status_code == 201
    url = f"/api/v1/saved-views/{made.json()['id']}"
    assert send(client, "patch", url, {"query": "late=on"}).json()["query"] == "late=on"
    assert send(client, "delete", url).status_code == 204


SHARE = "Share with everyone in Acme"


def test_a_viewer_shares_no_view_with_the_organization(cast):
    """A viewer's saved views are their own settings; publishing one to everyone is a
    change others see, for members and above: not offered, and refused if forced."""
    client = api_client(cast.viewer)
    refused = send(
        client, "post", "/api/v1/saved-views", {"name": "Ours", "path": LIST, "shared": True}
    )
    assert refused.status_code == 403, refused.content
    assert "Member role or above may share a view" in refused.json()["error"]["message"]
    own = services.save_view(cast.org, cast.viewer, name="Watch", path=LIST)
    url = f"/api/v1/saved-views/{own.pk}"
    assert send(client, "patch", url, {"shared": True}).status_code == 403
    assert send(client, "patch", url, {"shared": False}).status_code == 200
    # The list page offers the viewer no sharing, and a forced post shares nothing.
    page = login(cast.viewer)
    assert SHARE not in page.get(LIST).content.decode()
    assert SHARE in login(cast.member).get(LIST).content.decode()
    posted = page.post(
        "/o/acme/views/save/", {"name": "Forced", "path": LIST, "query": "", "shared": "on"}
    )
    assert posted.status_code == 403
    assert "may share a view with everyone in Acme" in posted.content.decode()
    assert list(SavedView.objects.values_list("name", "shared")) == [("Watch", False)]
    assert not Event.objects.filter(target_type="web.savedview", after__shared=True).exists()
    others = send(api_client(cast.member), "get", "/api/v1/saved-views").json()
    assert others["count"] == 0


def test_another_organizations_views_do_not_exist(cast):
    view = services.save_view(cast.org, cast.member, name="Acme's", path=LIST, shared=True)
    outsider = api_client(cast.outsider)
    assert send(outsider, "get", "/api/v1/saved-views").json()["count"] == 0
    url = f"/api/v1/saved-views/{view.pk}"
    assert send(outsider, "get", url).status_code == 404
    assert send(outsider, "patch", url, {"name": "Mine now"}).status_code == 404
    assert send(outsider, "delete", url).status_code == 404
    # Nor can a view of Globex point at Acme's pages.
    foreign = send(outsider, "post", "/api/v1/saved-views", {"name": "Peek", "path": LIST})
    assert foreign.status_code == 422 and "path" in foreign.json()["error"]["fields"]
    view.refresh_from_db()
    assert view.name == "Acme's" and SavedView.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"path": LIST}, "name"),
        ({"name": "", "path": LIST}, "name"),
        ({"name": "   ", "path": LIST}, "name"),
        ({"name": "x" * 101, "path": LIST}, "name"),
        ({"name": "Away", "path": "https://evil.example/o/acme/"}, "path"),
        ({"name": "Away", "path": "/o/acme//evil.example/"}, "path"),
        ({"name": "Long", "path": LIST, "query": "q=" + "x" * 2000}, "query"),
        ({"name": "Long", "path": LIST, "query": "q=" + "é" * 700}, "query"),
        ({"name": "Odd", "path": LIST, "shared": "maybe"}, "shared"),
    ],
)
def test_a_bad_new_view_is_a_422_naming_the_field_and_saves_nothing(cast, body, field):
    answer = send(api_client(cast.member), "post", "/api/v1/saved-views", body)
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["error"]["fields"]
    assert (
        not SavedView.objects.exists()
        and not Event.objects.filter(target_type="web.savedview").exists()
    )


def test_a_bad_change_is_refused_and_changes_nothing(cast):
    view = services.save_view(cast.org, cast.member, name="Late", path=LIST, query="late=on")
    services.save_view(cast.org, cast.member, name="Active", path=LIST, query="status=active")
    client = api_client(cast.member)
    url = f"/api/v1/saved-views/{view.pk}"
    events = Event.objects.count()
    for body, headers, status, field in [
        ({"name": None}, {}, 422, "name"),
        ({"shared": None}, {}, 422, "shared"),
        ({"name": " "}, {}, 422, "name"),
        ({"name": "Active"}, {}, 422, "name"),  # taken by another view of the same list
        ({"path": "/o/acme/"}, {}, 422, "path"),  # not a changeable field: refused
        ({"name": "New"}, {"HTTP_IF_MATCH": '"7"'}, 409, None),
        ({"name": "New"}, {"HTTP_IF_MATCH": '"seven"'}, 422, "If-Match"),
    ]:
        answer = send(client, "patch", url, body, **headers)
        assert answer.status_code == status, (body, answer.content)
        if field:
            assert field in answer.json()["error"]["fields"], body
    view.refresh_from_db()
    assert (view.name, view.path, view.query, view.version) == ("Late", LIST, "late=on", 1)
    assert Event.objects.count() == events
    stale = send(client, "delete", url, HTTP_IF_MATCH='"3"')
    assert stale.status_code == 409 and SavedView.objects.filter(pk=view.pk).exists()
    assert send(client, "get", "/api/v1/saved-views/99999999").status_code == 404
    assert send(client, "get", f"/api/v1/saved-views?path={'x' * 301}").status_code == 422
