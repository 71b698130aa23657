"""A team lead finds a likely duplicate of her team's work in Insights, reads why, and marks
the pair as related."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.intelligence import duplicates, evaluate
from accord.intelligence.models import DuplicateJudgement
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.browser.conftest import open_signed_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_marks_a_likely_duplicate_pair_as_related(page, shot, cast):
    duplicates.forget()
    org = cast.org
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.root
    )
    lead = make_person(org, "Pat Lead", Role.MEMBER)
    org_services.add_membership(org, None, person=lead, team=payments, role=MembershipRole.LEAD)
    mine = alignment.create_initiative(
        org,
        None,
        team=payments,
        title="Migrate billing to the new payments gateway",
        description="Move every invoice and card charge off the legacy processor onto the "
        "new payments gateway before the contract ends.",
        status="active",
    )
    alignment.create_initiative(
        org,
        None,
        team=cast.platform,
        title="Move billing onto the new payment provider",
        description="Switch invoicing and card payments from the old processor to the new "
        "payment gateway ahead of the contract renewal.",
        status="active",
    )
    evaluate.evaluate(org)

    open_signed_in(page, lead.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    page.locator("#signals").get_by_role("link", name="Likely duplicate work").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Likely duplicate work")
    pair = page.locator("section[aria-labelledby=dup-h]")
    expect(pair.get_by_role("link", name=mine.title)).to_be_visible()
    evidence = page.locator("section[aria-labelledby=evidence-h]")
    expect(evidence).to_contain_text("Distinctive terms both use")
    shot(page, "pair")

    pair.get_by_role("button", name="Related").click()
    expect(page.get_by_text("Marked as related work")).to_be_visible()
    expect(page.locator("section[aria-labelledby=dup-h]")).to_contain_text(
        "Related, said by Pat Lead"
    )
    shot(page, "related")
    assert DuplicateJudgement.objects.get(org=org).verdict == "related"
