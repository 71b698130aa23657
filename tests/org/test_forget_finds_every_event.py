"""Forgetting a person rewrites every event of the organization that names them, not only
those they did or that are about their own row: others' events whose label or values hold
their distinctive name or an address (an initiative someone else titled after them, a
team's mailing list set to their address, their login locked out after failed sign-ins,
recorded by Accord with no actor, their term ended when they were deactivated, whose
event holds no `person`). The log is read whole for it (`accord.org.forget`); this pins
down what any cheaper way of finding those events must still find. Each event is rewritten
from what was read with it: the queries do not grow with the events rewritten."""

from __future__ import annotations

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.activity import signins
from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.org import services
from accord.org.models import Role
from tests.conftest import make_person

MIA = "Mia Member"
ADDRESS = "mia.member@acme.example"


def names_mia(event: Event) -> bool:
    text = json.dumps(
        [event.actor_name, event.on_behalf_of_name, event.target_label, event.before, event.after]
    ).lower()
    return MIA.lower() in text or ADDRESS in text


def test_every_event_that_names_them_is_rewritten_whoever_did_it(cast):
    org, mia = cast.org, cast.member
    initiative = alignment.create_initiative(
        org, cast.leader, team=cast.platform, title=f"Onboarding {MIA}", description=ADDRESS
    )
    services.update_team(org, cast.admin, cast.platform, mailing_list=ADDRESS)
    signins.locked_out(None, username=mia.user.get_username())
    services.update_person(org, cast.admin, mia, is_active=False)
    naming = {e.pk: e for e in Event.objects.filter(org=org) if names_mia(e)}
    by_others = {pk for pk, e in naming.items() if e.actor_id != mia.pk}
    # Not all of them are hers or about her row: the leader's initiative, the admin's team
    # change, Accord's lock-out, her term the admin's deactivation of her ended.
    kinds = {(e.target_type, e.verb) for pk, e in naming.items() if pk in by_others}
    assert {
        ("alignment.initiative", "created"),
        ("org.team", "updated"),
        ("auth.user", "locked_out"),
        ("org.membership", "ended"),
    } <= kinds, kinds

    counts = services.forget_person(org, cast.admin, mia)

    label = f"Former member #{mia.pk}"
    still = [e for e in Event.objects.filter(pk__in=naming) if names_mia(e)]
    assert still == [], sorted({e.kind for e in still})
    assert counts["events_rewritten"] >= len(naming)
    created = Event.objects.get(target_type="alignment.initiative", target_id=str(initiative.pk))
    assert created.target_label == f"Onboarding {label}"
    assert created.after["description"] == label
    assert created.actor_id == cast.leader.pk and created.actor_name == "Leo Leader"
    (locked,) = Event.objects.filter(org=org, verb="locked_out")
    assert locked.target_label == label and locked.actor is None


def test_the_queries_do_not_grow_with_the_events_it_rewrites(cast):
    """Each event is rewritten from what was read with it: no query per event (a busy
    person of a large organization is named in thousands)."""
    org = cast.org

    def forget(name: str, events: int) -> int:
        person = make_person(org, name, Role.MEMBER)
        for i in range(events):
            alignment.create_initiative(org, None, team=cast.platform, title=f"{name} {i}")
        services.update_person(org, cast.admin, person, is_active=False)
        with CaptureQueriesContext(connection) as captured:
            counts = services.forget_person(org, cast.admin, person)
        assert counts["events_rewritten"] >= events
        return len(captured.captured_queries)

    assert forget("Nora Few", 2) == forget("Olli Many", 40)
