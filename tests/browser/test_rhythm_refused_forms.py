"""A refused form of a running meeting in a real browser: the page comes back with what
was typed and the error beside the field, and the notes typed but not saved are kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.decisions.models import ActionItem
from accord.rhythm.models import Meeting
from tests.browser.conftest import open_signed_in, pick
from tests.rhythm.conftest import rhythm, started_sync  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_action_item_without_an_owner_comes_back_as_typed(page, shot, cast, started_sync):  # noqa: F811
    open_signed_in(page, cast.leader.email, started_sync)
    page.get_by_label("Notes on Issues").fill("Quarantine the suite.")
    page.get_by_label("New action item").fill("Quarantine the flaky tests")
    page.get_by_role("button", name="Add action item").click()
    expect(page.get_by_text("Give the action item a title and an owner.")).to_be_visible()
    expect(page.get_by_label("New action item")).to_have_value("Quarantine the flaky tests")
    expect(page.locator("#id_owner_error")).to_have_text("This field is required.")
    expect(page.get_by_label("Notes on Issues")).to_have_value("Quarantine the suite.")
    shot(page, "refused")
    assert not ActionItem.objects.exists()
    # Notes typed on the page shown again still travel with its next form.
    page.get_by_label("Notes on Check-in: good news").fill("Two new hires start Monday.")
    pick(page.get_by_role("region", name="Action items"), "Owner", cast.member.name)
    page.get_by_role("button", name="Add action item").click()
    expect(page.locator("#actions-h + ul")).to_contain_text("Quarantine the flaky tests")
    assert Meeting.objects.get().notes == {
        "issues": "Quarantine the suite.",
        "segue": "Two new hires start Monday.",
    }
