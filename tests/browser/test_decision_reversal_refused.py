"""Reversing a decision with a reason refused, in a real browser: the page comes back with
the Reverse section open, the reason as typed and what is wrong under its box, at the
decision's own address; shortened, it goes through."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.decisions import services
from accord.decisions.models import Decision, DecisionStatus
from tests.browser.conftest import has_focus, open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reason_too_long_comes_back_under_its_box_as_typed(page, shot, cast):
    d = services.create_decision(cast.org, cast.member, "Which database?", approver=cast.leader)
    services.decide(cast.org, cast.leader, d, outcome="MySQL", rationale="We know it")
    open_signed_in(page, cast.leader.email, f"/o/acme/decisions/{d.pk}/")
    page.get_by_text("Reverse", exact=True).click()
    typed = "The licence changed and the support contract with it. " * 40
    n = len(typed.strip())  # 2,159 characters: more than a reason holds
    page.locator("#id_reverse_reason").fill(typed)  # Supersede has a reason box too
    page.get_by_role("button", name="Reverse decision").click()

    box = page.locator("#id_reverse_reason")
    expect(box).to_be_visible()  # its section open
    expect(box).to_have_value(typed)
    expect(page.locator("#id_reverse_reason_error")).to_have_text(
        f"Reason is too long ({n:,} characters, at most 2,000)."
    )
    expect(box).to_have_attribute("aria-invalid", "true")
    has_focus(page, "id_reverse_reason")
    assert re.search(rf"/decisions/{d.pk}/$", page.url), page.url
    shot(page, "refused")
    assert Decision.objects.get(pk=d.pk).status == DecisionStatus.DECIDED

    box.fill("The licence changed.")
    page.get_by_role("button", name="Reverse decision").click()
    expect(page.locator(".pagehead .tag").first).to_have_text("Reversed")
    assert Decision.objects.get(pk=d.pk).reversal_reason == "The licence changed."
