"""Each write made through a service records exactly one event with what changed."""

from __future__ import annotations

from accord.activity.models import Event
from accord.api import services as tokens
from accord.org import services
from accord.org.models import MembershipRole


def new_events(since_id: int) -> list[Event]:
    return list(Event.objects.filter(id__gt=since_id).order_by("id"))


def last_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def only_event(since_id: int) -> Event:
    events = new_events(since_id)
    assert len(events) == 1, [(e.verb, e.target_type) for e in events]
    return events[0]


def test_creating_an_organization_records_it(db):
    org = services.create_organization("Initech", "initech")
    event = Event.objects.get(org=org)
    assert (event.verb, event.target_type, event.target_id) == (
        "created",
        "org.organization",
        str(org.pk),
    )
    assert event.actor is None and event.actor_name == "Accord"
    assert event.after == {"name": "Initech", "slug": "initech"}


def test_adding_and_changing_a_person_records_one_event_each(cast):
    mark = last_id()
    person = services.add_person(cast.org, cast.admin, name="Nia New", email="nia@acme.example")
    event = only_event(mark)
    assert (event.verb, event.target_type, event.actor_id) == (
        "created",
        "org.person",
        cast.admin.pk,
    )
    assert event.after == {
        "name": "Nia New",
        "email": "nia@acme.example",
        "title": "",
        "role": "member",
        "timezone": "UTC",
        "is_active": True,
    }
    mark = last_id()
    services.update_person(
        cast.org, cast.admin, person, title="Analyst", role="leader", name="Nia New"
    )
    event = only_event(mark)
    assert event.verb == "updated"
    assert event.before == {"title": "", "role": "member"}  # the unchanged name is left out
    assert event.after == {"title": "Analyst", "role": "leader"}
    person.refresh_from_db()
    assert person.version == 2


def test_a_change_that_changes_nothing_records_nothing(cast):
    mark = last_id()
    services.update_person(cast.org, cast.admin, cast.member, name="Mia Member")
    services.update_team(cast.org, cast.admin, cast.platform, name="Platform")
    assert new_events(mark) == []
    cast.platform.refresh_from_db()
    assert cast.platform.version == 1


def test_team_writes_record_one_event_each(cast):
    mark = last_id()
    team = services.create_team(cast.org, cast.leader, name="Data", description="Numbers")
    event = only_event(mark)
    assert event.verb == "created" and event.target_label == "Data"
    assert event.after == {
        "name": "Data",
        "slug": "data",
        "parent": None,
        "description": "Numbers",
        "kind": None,
        "state": "active",
        "mission": "",
        "website": "",
        "repository": "",
        "chat": "",
        "mailing_list": "",
    }

    mark = last_id()
    services.update_team(cast.org, cast.leader, team, name="Data & AI", description="Numbers")
    event = only_event(mark)
    assert (event.verb, event.before, event.after) == (
        "updated",
        {"name": "Data"},
        {"name": "Data & AI"},
    )

    mark = last_id()
    services.update_team(cast.org, cast.leader, team, parent=cast.root)
    event = only_event(mark)
    assert (event.verb, event.before, event.after) == (
        "moved",
        {"parent": None},
        {"parent": cast.root.pk},
    )

    mark, team_id = last_id(), team.pk
    services.delete_team(cast.org, cast.leader, team)
    event = only_event(mark)
    assert event.verb == "deleted" and event.target_id == str(team_id)
    assert event.before["name"] == "Data & AI"
    # Its history is its parent's now: the team's created, updated and moved events.
    assert event.after == {"history_moved_to": cast.root.pk, "events_moved": 3}


def test_membership_writes_record_one_event_each(cast):
    mark = last_id()
    m = services.add_membership(
        cast.org, cast.admin, person=cast.viewer, team=cast.root, allocation=20
    )
    event = only_event(mark)
    assert event.target_type == "org.membership" and event.verb == "created"
    assert event.after == {
        "person": cast.viewer.pk,
        "team": cast.root.pk,
        "role": "member",
        "allocation": 20,
        "person_name": "Vic Viewer",
        "team_name": cast.root.name,
    }

    mark = last_id()
    services.update_membership(cast.org, cast.admin, m, role=MembershipRole.LEAD, allocation=25)
    event = only_event(mark)
    assert event.before == {"role": "member", "allocation": 20}
    assert event.after == {
        "role": "lead",
        "allocation": 25,
        "person_name": "Vic Viewer",
        "team_name": cast.root.name,
    }  # the names the event reads by, not changed

    mark = last_id()
    services.remove_membership(cast.org, cast.admin, m)  # `m` is the copy from before the update
    event = only_event(mark)
    assert event.verb == "deleted"
    assert event.before == {
        "person": cast.viewer.pk,
        "team": cast.root.pk,
        "role": "lead",
        "allocation": 25,
        "started_on": None,
        "ended_on": None,
        "person_name": "Vic Viewer",
        "team_name": cast.root.name,
    }


def test_token_writes_record_one_event_each_without_the_secret(cast):
    mark = last_id()
    token, raw = tokens.create_token(cast.org, cast.member, "sync")
    event = only_event(mark)
    assert (event.verb, event.target_type) == ("created", "api.apitoken")
    assert event.after == {
        "name": "sync",
        "prefix": raw[:10],
        "scope": "member",
        "person": cast.member.pk,
    }
    assert raw not in str(event.before) + str(event.after)
    mark = last_id()
    tokens.revoke_token(cast.org, cast.member, token)
    tokens.revoke_token(cast.org, cast.member, token)  # revoking twice changes nothing more
    assert only_event(mark).verb == "revoked"
