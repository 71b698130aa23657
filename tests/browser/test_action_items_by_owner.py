"""A chief of staff reads who owes the organization's overdue action items, opens one
owner's, and takes them away as CSV: in a browser, on the demo organization."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_who_owes_the_organizations_items_their_list_and_its_csv(page, shot):
    from accord.decisions.models import ActionItem, ActionStatus
    from accord.org.models import Membership

    demo.load()
    open_signed_in(page, demo.DEMO_LOGIN, "/o/northwind/decisions/actions/?team=northwind")
    owners = page.get_by_role("region", name="Open items by owner")
    expect(owners).to_contain_text("people owe open items filed to Northwind Outfitters")
    rows = owners.locator("tbody tr")
    expect(rows).to_have_count(20)  # a screen of them, then more
    expect(owners.get_by_role("link", name="More owners →")).to_be_visible()
    overdue = page.get_by_role("region", name="Overdue")
    heads = overdue.get_by_role("columnheader")
    expect(heads).to_have_text(["Action", "Owner", "Team", "Due", "Actions"])
    shot(page, "owners")

    # The top team's own items: department heads owe some, from the leadership meeting,
    # and are no members of the top team; each row opens that owner's items of it.
    page.get_by_role("link", name="Northwind Outfitters itself").click()
    owners = page.get_by_role("region", name="Open items by owner")
    names = owners.locator("tbody tr td:first-child").all_inner_texts()
    assert "Maya Chen" in names and len(names) > 1, names
    member = set(
        Membership.objects.filter(team__org__slug="northwind", team__slug="northwind").values_list(
            "person__name", flat=True
        )
    )
    head = next(n for n in names if n not in member)
    owners.get_by_role("link", name=head).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Action items · {head} · Northwind Outfitters"
    )
    expect(page.get_by_role("region", name="Open items by owner")).to_have_count(0)
    heads = page.get_by_role("region", name="Overdue").get_by_role("columnheader")
    expect(heads).to_have_text(["Action", "Due", "Actions"])  # one owner's, of one team
    shot(page, "one-owner")

    with page.expect_download() as download:
        page.get_by_role("link", name="open ones").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = ActionItem.objects.filter(
        org__slug="northwind", owner__name=head, status=ActionStatus.OPEN, team__slug="northwind"
    )
    assert rows and sorted(r["title"] for r in rows) == sorted(
        expected.values_list("title", flat=True)
    )
    assert {(r["owner"], r["team"]) for r in rows} == {(head, "Northwind Outfitters")}
