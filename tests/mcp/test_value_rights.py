"""`record_key_result_value` over MCP asks what the page and the API ask: whoever may
change the key result records its values (a member of another team is refused, with the
edit's words, and nothing changes), and a `report` token only on what a check-in lets its
person update (their own key results and those of the teams they lead)."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.alignment.models import KeyResult, KeyResultValue
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import make_person
from tests.mcp.test_lead_review import client_of, ok, period, refused  # noqa: F401


@pytest.fixture
def sales(cast, period):  # noqa: F811
    """Sales, led by Lea (a member), with Sid in it, and its objective's key results:
    Lea's and Sid's. Mia (the cast's member) is of Platform."""
    org = cast.org
    team = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    lea = make_person(org, "Lea Lead", Role.MEMBER)
    sid = make_person(org, "Sid Seller", Role.MEMBER)
    org_services.add_membership(org, None, person=lea, team=team, role=MembershipRole.LEAD)
    org_services.add_membership(org, None, person=sid, team=team)
    objective = alignment.create_objective(org, None, title="Win deals", period=period, team=team)
    leas = alignment.create_key_result(org, None, objective, name="Deals", target=10, owner=lea)
    sids = alignment.create_key_result(org, None, objective, name="Calls", target=50, owner=sid)
    return lea, sid, leas, sids


def _values(kr) -> tuple:
    kr = KeyResult.objects.get(pk=kr.pk)
    return kr.current, KeyResultValue.objects.filter(key_result=kr).count()


def test_a_member_of_another_team_is_refused_and_nothing_changes(cast, sales):
    _, _, leas, _ = sales
    mia = client_of(cast.member)
    before, events = _values(leas), Event.objects.count()
    text = refused(mia, "record_key_result_value", key_result_id=leas.pk, value=7)
    assert (
        "Only its owner (Lea Lead), members of Sales, a lead of a team above it, a leader or "
        "an admin may change this key result." in text
    ), text
    assert _values(leas) == before and Event.objects.count() == events
    # Its owner, a member of its team and an admin record it.
    lea, sid, _, _ = sales
    for value, person in ((3, lea), (4, sid), (5, cast.admin)):
        ok(client_of(person), "record_key_result_value", key_result_id=leas.pk, value=value)
        assert _values(leas)[0] == value


def test_a_report_token_records_only_what_a_check_in_would(cast, sales):
    lea, sid, leas, sids = sales
    company = alignment.create_objective(
        cast.org, None, title="Grow", period=leas.objective.period, level="org"
    )
    revenue = alignment.create_key_result(
        cast.org, None, company, name="Revenue", target=9, owner=cast.admin
    )
    report = client_of(sid, "report")
    for kr in (leas, revenue):  # his lead's, the company's
        before = _values(kr)
        text = refused(report, "record_key_result_value", key_result_id=kr.pk, value=2)
        assert "A report token may report progress only on what its own person owns" in text
        assert _values(kr) == before
    ok(report, "record_key_result_value", key_result_id=sids.pk, value=6)  # his own
    assert _values(sids)[0] == 6
    # Lea leads Sales: her report token records its key results, not the company's.
    report = client_of(lea, "report")
    ok(report, "record_key_result_value", key_result_id=sids.pk, value=8)
    assert _values(sids)[0] == 8
    refused(report, "record_key_result_value", key_result_id=revenue.pk, value=2)
    assert _values(revenue)[0] == 0
