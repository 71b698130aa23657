"""A stored signal in the cast's organization: Platform's checkout waits on a blocked
request to Acme (the root team, led by the admin); Lara leads Platform. The admin hears of
flags from Insights alone (flag e-mails muted), so the signal is what tells them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accord.activity import delivery
from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.coordination.models import Dependency
from accord.intelligence import evaluate
from accord.intelligence.models import Signal
from accord.org import services as org_services
from accord.org.models import MembershipRole, Person, Role
from tests.conftest import make_person
from tests.rhythm.servers import good_hook, smtp  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def no_kept_text_index():
    """Each test evaluates as a new process would, with no duplicates text index kept from
    an earlier test: the test database gives a later test's organization the same id, and
    an index kept under that id would score its texts incrementally, with another
    organization's vocabulary (a stored digest then differs by the order tests ran in)."""
    from accord.intelligence import duplicates

    duplicates.forget()
    yield
    duplicates.forget()


@dataclass
class Blocked:
    signal: Signal
    dep: Dependency
    lead: Person  # leads Platform, a team the signal concerns


@pytest.fixture
def blocked(cast) -> Blocked:
    org = cast.org
    lead = make_person(org, "Lara Lead", Role.MEMBER)
    org_services.add_membership(
        org, None, person=lead, team=cast.platform, role=MembershipRole.LEAD
    )
    org_services.add_membership(
        org, None, person=cast.admin, team=cast.root, role=MembershipRole.LEAD
    )
    checkout = alignment.create_initiative(
        org, None, team=cast.platform, title="Checkout", status="active"
    )
    dep = coordination.create_dependency(
        org,
        None,
        requester_initiative=checkout,
        provider_team=cast.root,
        title="Payments API",
        need_by=timezone.localdate() + dt.timedelta(days=20),
    )
    # Who heard of the flag is not told of its signal (test_a_block_is_told_once).
    delivery.set_preferences(org, None, cast.admin, muted_kinds=["dependency_flagged"])
    dep = coordination.transition(org, None, dep, "flag_blocked", note="Waiting on the vendor")
    evaluate.evaluate(org)
    return Blocked(Signal.objects.get(org=org, kind="dependencies.blocked"), dep, lead)
