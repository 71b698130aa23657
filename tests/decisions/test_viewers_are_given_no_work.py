"""A viewer changes nothing, so nobody can make them the approver of a decision or the
owner of an action item or an issue: they would be shown work they could never do."""

from __future__ import annotations

import pytest

from accord.core.errors import ServiceError
from accord.decisions import services
from tests.conftest import api_client, login
from tests.decisions.helpers import counts


def test_a_viewer_cannot_be_made_an_approver_or_an_owner(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError, match="cannot decide it") as refused:
        services.create_decision(cast.org, cast.member, "Viewer approves?", approver=cast.viewer)
    assert "approver" in refused.value.fields
    with pytest.raises(ServiceError, match="cannot carry it out"):
        services.create_action_item(cast.org, cast.member, "For Vic", cast.viewer)
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Slow builds")
    before = counts(cast.org)
    with pytest.raises(ServiceError, match="cannot see it through"):
        services.set_issue_owner(cast.org, cast.member, issue, cast.viewer)
    assert counts(cast.org) == before


def test_the_pages_and_the_api_refuse_it_beside_the_field(cast):
    """The page's picker offers no viewer (tests/decisions/test_pickers_offer_who_may_act.py);
    a viewer's id posted all the same is refused beside the field, and the API is answered
    by the service's own refusal."""
    before = counts(cast.org)
    page = login(cast.member).post(
        "/o/acme/decisions/new/", {"question": "Viewer approves?", "approver": cast.viewer.pk}
    )
    assert page.status_code in (200, 422)
    html = page.content.decode()
    approver = html[html.index('for="id_approver"') :].split('<div class="field')[0]
    assert '<small class="error"' in approver
    assert counts(cast.org) == before
    api = api_client(cast.member).post(
        "/api/v1/action-items",
        {"title": "For Vic", "owner_id": cast.viewer.pk},
        content_type="application/json",
    )
    assert api.status_code == 422 and "owner" in str(api.json()["error"]["fields"])


def test_a_viewer_who_already_approves_a_decision_sees_no_decide_form(cast):
    d = services.create_decision(cast.org, cast.member, "Old one", approver=cast.leader)
    from accord.decisions.models import Decision

    Decision.objects.filter(pk=d.pk).update(approver=cast.viewer)  # from before this rule
    page = login(cast.viewer).get(f"/o/acme/decisions/{d.pk}/").content.decode()
    assert "You are the approver" not in page


def test_a_viewer_cannot_own_alignment_work(cast):
    from accord.alignment import services as alignment
    from accord.alignment.models import Period

    period = Period.objects.for_org(cast.org).first() or alignment.create_period(
        cast.org, cast.admin, name="2026 Q4", start="2026-10-01", end="2026-12-31"
    )
    with pytest.raises(ServiceError, match="cannot own an initiative"):
        alignment.create_initiative(
            cast.org, cast.member, team=cast.platform, title="Viewer's", owner=cast.viewer
        )
    with pytest.raises(ServiceError, match="cannot be the accountable owner"):
        alignment.create_objective(
            cast.org, cast.member, title="Viewer's goal", period=period, owner=cast.viewer,
            team=cast.platform, level="team",
        )  # fmt: skip
