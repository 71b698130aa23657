"""A link can open the dependency request form pre-filled (a check-in blocker offers one);
what the asker could not choose is left out, and nothing is created until they submit."""

from __future__ import annotations

import re

from django.urls import reverse

from accord.coordination.models import Dependency
from tests.conftest import login


def _chosen_team(html: str) -> list[str]:
    """The team a picker carries (teams are always chosen through a search box)."""
    return re.findall(r'<input type="hidden" name="provider_team" value="([^"]*)"', html)


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


def test_the_form_starts_from_the_links_values(world):
    url = reverse("coordination:new", kwargs={"org_slug": world.org.slug})
    response = login(world.asker).get(
        url,
        {
            "provider_team": world.ops.slug,
            "title": "Operations: racks are late",
            "description": "Operations: racks are late\nWe cannot start the pilot.",
            "requester_initiative": world.launch.pk,
            "priority": "high",
            "need_by": "2031-05-04",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert _chosen_team(html) == [str(world.ops.pk)]
    assert _selected(html, "requester_initiative") == [str(world.launch.pk)]
    assert _selected(html, "priority") == ["high"]
    assert 'value="Operations: racks are late"' in html
    assert "We cannot start the pilot." in html
    assert 'value="2031-05-04"' in html
    assert Dependency.objects.count() == 0
    # A team given by id works the same.
    by_id = login(world.asker).get(url, {"provider_team": world.ops.pk}).content.decode()
    assert _chosen_team(by_id) == [str(world.ops.pk)]


def test_values_the_asker_could_not_choose_are_left_out(world, cast):
    url = reverse("coordination:new", kwargs={"org_slug": world.org.slug})
    response = login(world.asker).get(
        url,
        {
            "provider_team": cast.other_team.pk,  # another organization's team
            "requester_initiative": world.warehouse.pk,  # not an initiative of the asker's
            "priority": "urgent!!",
            "need_by": "next week",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert _chosen_team(html) == [""]  # the empty choice
    assert _selected(html, "requester_initiative") == [""]
    assert _selected(html, "priority") == ["medium"]
    assert 'name="need_by" value' not in html
