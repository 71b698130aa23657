"""On a phone (390 by 844), a long unbroken title (a 300-letter word, a pasted address)
wraps instead of making the issues list wider than the screen, and each label of the
issues list's filter stays with its control."""

from __future__ import annotations

import pytest

from accord.decisions import services
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD = "Unbroken" + "x" * 292
ADDRESS = "https://status.example.com/incidents/" + "a1b2c3d4" * 30


def _raise_long_ones(cast):
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    services.raise_issue(cast.org, cast.member, cast.platform, WORD[:300])
    services.raise_issue(cast.org, cast.member, cast.platform, ADDRESS[:300])


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_long_titles_wrap_on_a_phone(page, cast, shot):
    _raise_long_ones(cast)
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, cast.member.email, "/o/acme/decisions/issues/?team=platform")
    assert page.locator(".issue-row").count() == 2
    assert _overflow(page) <= 0, _overflow(page)
    shot(page, "issues")
    issue = page.locator(".issue-row a").first.get_attribute("href")
    page.goto(issue)
    assert _overflow(page) <= 0, _overflow(page)
    shot(page, "issue")


def test_the_issue_filters_labels_stay_with_their_controls_on_a_phone(page, cast, shot):
    _raise_long_ones(cast)
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, cast.member.email, "/o/acme/decisions/issues/?team=platform")
    form = page.get_by_role("form", name="Which issues")
    shot(page, "filters")
    for label in form.locator("label[for]").all():
        control = form.locator(f"#{label.get_attribute('for')}")
        lab, ctl = label.bounding_box(), control.bounding_box()
        said = label.inner_text()
        # Beside its control on the same line (just before it), or right above it.
        beside = (
            abs((lab["y"] + lab["height"] / 2) - (ctl["y"] + ctl["height"] / 2)) < ctl["height"]
            and 0 <= ctl["x"] - (lab["x"] + lab["width"]) < 40
        )
        above = 0 <= ctl["y"] - (lab["y"] + lab["height"]) < 20 and abs(ctl["x"] - lab["x"]) < 40
        assert beside or above, (said, lab, ctl)
