"""A title stored with a right-to-left override (before such characters were refused), or a
right-to-left title, keeps to its own link: the page's words after it stay in their order
and place (app.css sets typed text apart)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.alignment.models import Objective
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_override_in_a_stored_title_stops_at_its_link(page, cast):
    today = timezone.localdate()
    period = alignment.create_period(
        cast.org,
        None,
        name="Now",
        start=today - dt.timedelta(days=10),
        end=today + dt.timedelta(days=80),
        is_current=True,
    )
    made = [
        alignment.create_objective(
            cast.org, None, title=f"Objective {n}", period=period, team=cast.platform
        )
        for n in (1, 2)
    ]
    # As a row written before the rule holds them (the services refuse both now).
    Objective.objects.filter(pk=made[0].pk).update(title="Cut costs \u202e%05 yb kcab tegdub")
    Objective.objects.filter(pk=made[1].pk).update(title="خفض التكاليف (2026)")
    page.set_default_navigation_timeout(60_000)  # a first page on a busy machine
    open_signed_in(page, cast.admin.email, "/o/acme/alignment/teams/platform/")
    for objective in made:
        link = page.locator(f"a[href$='/alignment/objectives/{objective.pk}/']").first
        row = link.locator("xpath=ancestor::li[1]")
        bar = row.locator(".pbar").first
        linked, after = link.bounding_box(), bar.bounding_box()
        assert linked and after
        # "no measure yet" follows the title, never inside it ("Cut costs no measure yet
        # budget back by 50%") nor before it.
        assert after["x"] >= linked["x"] + linked["width"] - 1, (objective.pk, linked, after)
