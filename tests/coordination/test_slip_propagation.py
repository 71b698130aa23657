"""A provider initiative slipping past a committed date marks exactly the right
dependencies at risk, downstream through chains."""

from __future__ import annotations

import datetime as dt
import re

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.coordination import services
from accord.coordination.models import Dependency, Flag
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import make_person
from tests.coordination.conftest import initiative


def _accepted(world, requester_init, provider_init, committed, actor_req, actor_prov):
    dep = services.create_dependency(
        world.org,
        actor_req,
        requester_initiative=requester_init,
        provider_team=provider_init.team,
        title=f"{provider_init.title} for {requester_init.title}",
        need_by=committed,
        again=True,  # two requests of one need, with two dates: on purpose
    )
    return services.transition(
        world.org,
        actor_prov,
        dep,
        "accept",
        provider_initiative=provider_init,
        committed_date=committed,
    )


def test_a_slip_ripples_downstream_and_spares_what_it_cannot_reach(world, cast):
    d = lambda n: world.today + dt.timedelta(days=n)  # noqa: E731
    org = world.org
    # A third team, Marketing, relies on Sales' launch.
    marketing = org_services.create_team(org, None, name="Marketing", slug="mkt", parent=cast.root)
    marketer = make_person(org, "Max Marketer", Role.MEMBER)
    org_services.add_membership(
        org, None, person=marketer, team=marketing, role=MembershipRole.LEAD, allocation=100
    )
    campaign = initiative(org, marketing, "Campaign", start=d(0), target=d(90))
    launch2 = initiative(org, world.sales, "Launch site", start=d(0), target=d(40))
    other_ops = initiative(org, world.ops, "Forklifts", start=d(0), target=d(10))

    # warehouse (ops, target d20) -> launch (sales, target d60) -> campaign (marketing)
    on_warehouse = _accepted(world, world.launch, world.warehouse, d(25), world.asker, world.giver)
    tight = _accepted(world, launch2, world.warehouse, d(45), world.asker, world.giver)
    roomy = _accepted(world, launch2, world.warehouse, d(200), world.asker, world.giver)
    downstream = _accepted(world, campaign, world.launch, d(62), marketer, world.asker)
    far_downstream_ok = _accepted(world, campaign, launch2, d(120), marketer, world.asker)
    unrelated = _accepted(world, world.launch, other_ops, d(15), world.asker, world.giver)

    alignment.replan_initiative(org, world.giver, world.warehouse, d(70), "Builder went bust")

    flagged = set(
        Dependency.objects.filter(flag=Flag.AT_RISK, flag_auto=True).values_list("pk", flat=True)
    )
    # d70 > d25 and d45: directly at risk; d200 is still fine. launch can now not finish
    # before d70, after the d62 committed to marketing; launch2 cannot finish before d70,
    # still before the d120 committed to marketing.
    assert flagged == {on_warehouse.pk, tight.pk, downstream.pk}
    assert roomy.pk not in flagged and far_downstream_ok.pk not in flagged
    assert unrelated.pk not in flagged

    on_warehouse.refresh_from_db()
    assert "Builder went bust" in on_warehouse.flag_note
    downstream.refresh_from_db()
    assert "Upstream slip" in downstream.flag_note and "Spring launch" in downstream.flag_note
    # Its dates as the dependency's page writes them beside it ("8 Jan 2027").
    for note in (on_warehouse.flag_note, downstream.flag_note):
        assert not re.search(r"\d{4}-\d{2}-\d{2}", note), note
        assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\b", note), note
    events = Event.objects.filter(verb="flagged_at_risk", target_type="coordination.dependency")
    assert events.count() == 3
    assert all(e.actor is None and e.after["note"] for e in events)


def test_moving_a_target_earlier_flags_nothing(world):
    d = lambda n: world.today + dt.timedelta(days=n)  # noqa: E731
    _accepted(world, world.launch, world.warehouse, d(25), world.asker, world.giver)
    alignment.replan_initiative(world.org, world.giver, world.warehouse, d(5), "Ahead of plan")
    assert not Dependency.objects.filter(flag=Flag.AT_RISK).exists()


def test_a_blocked_flag_is_kept_when_a_slip_comes(world):
    d = lambda n: world.today + dt.timedelta(days=n)  # noqa: E731
    dep = _accepted(world, world.launch, world.warehouse, d(25), world.asker, world.giver)
    services.transition(world.org, world.giver, dep, "flag_blocked", note="Customs")
    alignment.replan_initiative(world.org, world.giver, world.warehouse, d(70), "Late")
    dep.refresh_from_db()
    assert dep.flag == Flag.BLOCKED and dep.flag_note == "Customs"


def test_slips_loop_safely_around_a_cycle(world):
    d = lambda n: world.today + dt.timedelta(days=n)  # noqa: E731
    a = _accepted(world, world.launch, world.warehouse, d(25), world.asker, world.giver)
    b = _accepted(world, world.warehouse, world.launch, d(30), world.giver, world.asker)
    alignment.replan_initiative(world.org, world.giver, world.warehouse, d(80), "Late")
    assert set(Dependency.objects.filter(flag=Flag.AT_RISK).values_list("pk", flat=True)) == {
        a.pk,
        b.pk,
    }
