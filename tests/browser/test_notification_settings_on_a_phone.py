"""The notification settings on a phone (390 px): the kinds of notice come in groups that
open (the critical signals by the dimension of health their detector weighs), each saying
how many of its kinds are on; a ticked box is a kind notified of, and the count follows the
boxes before saving; nothing scrolls sideways; a box unticked in an opened group is saved
as a mute, and a group's "All off" / "All on" saves the whole group. In Debian's Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.activity.models import DeliveryPreferences
from accord.intelligence import registry
from tests.browser.conftest import open_signed_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
URL = "/o/acme/rhythm/settings/"
BLOCKED = "A new critical signal: dependency blocked"


def _signals_of(dimension: str) -> set[str]:
    """The kinds of notice of the critical signals whose detectors weigh `dimension`."""
    return {f"signal.{k}" for k, d in registry.discover().items() if d.dimension == dimension}


def _muted(cast) -> set[str]:
    prefs = DeliveryPreferences.objects.filter(person=cast.member).first()
    return set(prefs.muted_kinds) if prefs else set()


def test_the_kinds_of_notice_in_groups_on_a_phone(page, shot, cast):
    page.set_viewport_size(PHONE)
    open_signed_in(page, cast.member.email, URL)
    groups = page.locator("details.mutes__group")
    assert groups.count() >= 8
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Every group closed: the page is their names, and how many of each are on.
    assert groups.evaluate_all("gs => gs.filter(g => g.open).length") == 0
    deps = page.locator("details#group-signals-dependencies")
    summary = deps.locator("summary")
    n = len(_signals_of("dependencies"))
    expect(summary).to_have_text(f"Critical signals: dependencies — {n} of {n} on")
    expect(page.get_by_label(BLOCKED)).to_be_hidden()
    shot(page, "closed")

    summary.click()
    expect(page.get_by_label(BLOCKED)).to_be_checked()  # ticked: notified of
    page.get_by_label(BLOCKED).uncheck()
    # The count follows the boxes before anything is saved.
    expect(summary).to_have_text(f"Critical signals: dependencies — {n - 1} of {n} on")
    assert _muted(cast) == set()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "opened")
    page.get_by_role("button", name="Save notifications").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()
    assert _muted(cast) == {"signal.dependencies.blocked"}
    expect(summary).to_have_text(f"Critical signals: dependencies — {n - 1} of {n} on")
    summary.click()
    expect(page.get_by_label(BLOCKED)).not_to_be_checked()

    # A group's "All off", then "All on": the whole group saved, the others kept.
    rhythm = page.locator("details#group-signals-rhythm")
    rhythm.locator("summary").click()
    rhythm.get_by_role("button", name="All off: Critical signals: rhythm").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()
    rhythm_kinds = _signals_of("rhythm")
    assert "signal.rhythm.meetings_not_held" in rhythm_kinds
    assert _muted(cast) == {"signal.dependencies.blocked", *rhythm_kinds}
    r = len(rhythm_kinds)
    expect(rhythm.locator("summary")).to_have_text(f"Critical signals: rhythm — 0 of {r} on")
    expect(rhythm).to_have_attribute("open", "")  # back at the group changed, open
    boxes = rhythm.locator("input[type=checkbox]")
    assert boxes.count() == r
    assert boxes.evaluate_all("bs => bs.filter(b => b.checked).length") == 0
    shot(page, "group-off")
    rhythm.get_by_role("button", name="All on: Critical signals: rhythm").click()
    expect(rhythm.locator("summary")).to_have_text(f"Critical signals: rhythm — {r} of {r} on")
    assert _muted(cast) == {"signal.dependencies.blocked"}
    # Ticking a box back counts it at once, before saving.
    rhythm.get_by_label("A new critical signal: meetings of a cadence not held").uncheck()
    expect(rhythm.locator("summary")).to_have_text(f"Critical signals: rhythm — {r - 1} of {r} on")
    rhythm.get_by_label("A new critical signal: meetings of a cadence not held").check()
    expect(rhythm.locator("summary")).to_have_text(f"Critical signals: rhythm — {r} of {r} on")


def test_a_wide_screen_opens_the_groups(page, cast):
    page.set_viewport_size({"width": 1280, "height": 900})
    open_signed_in(page, cast.member.email, URL)
    expect(page.get_by_label(BLOCKED)).to_be_visible()
