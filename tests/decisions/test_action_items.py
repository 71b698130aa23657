"""Who may complete, drop and change an action item; completion and reopening."""

from __future__ import annotations

import pytest

from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import services
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.decisions.helpers import counts


@pytest.fixture
def item(cast):
    return services.create_action_item(
        cast.org, cast.leader, "Publish the guide", cast.member, team=cast.platform
    )


def test_the_owner_completes_and_reopens_their_item(cast, item):
    services.complete_action_item(cast.org, cast.member, item)
    item.refresh_from_db()
    assert item.status == "done" and item.done_at
    services.reopen_action_item(cast.org, cast.member, item)
    item.refresh_from_db()
    assert item.status == "open" and item.done_at is None


def test_someone_unrelated_cannot_complete_or_drop_it(cast, item):
    other = org_services.add_person(cast.org, None, name="Ola Other", role="member")
    before = counts(cast.org)
    with pytest.raises(PermissionDenied):
        services.complete_action_item(cast.org, other, item)
    with pytest.raises(PermissionDenied):
        services.drop_action_item(cast.org, cast.viewer, item)
    assert counts(cast.org) == before


def test_the_teams_lead_may_drop_it(cast, item):
    lead = org_services.add_person(cast.org, None, name="Lea Lead", role="member")
    org_services.add_membership(
        cast.org, None, person=lead, team=cast.platform, role=MembershipRole.LEAD
    )
    services.drop_action_item(cast.org, lead, item)
    item.refresh_from_db()
    assert item.status == "dropped"


def test_a_closed_item_cannot_be_completed_twice_or_edited(cast, item):
    services.complete_action_item(cast.org, cast.member, item)
    before = counts(cast.org)
    with pytest.raises(ServiceError):
        services.complete_action_item(cast.org, cast.member, item)
    with pytest.raises(ServiceError):
        services.update_action_item(cast.org, cast.member, item, title="Renamed")
    assert counts(cast.org) == before


def test_an_action_item_from_an_unknown_decision_is_refused(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.create_action_item(
            cast.org,
            cast.member,
            "Follow up",
            cast.member,
            source_type="decisions.decision",
            source_id=999999,
        )
    assert "source_id" in exc.value.fields
    assert counts(cast.org) == before
