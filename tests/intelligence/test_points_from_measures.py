"""A heat-map score's link lists its team's signals of the dimension; what the score lost
to measures rather than signals (a share of unaligned initiatives, of late check-ins) is
said above them, from the stored health, each linked to the list of its records. A team
whose "Unaligned work" signal resolved (it fell below the signal's threshold) still loses
points for the initiatives left unaligned: the page says both, side by side."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.intelligence import evaluate
from accord.intelligence.models import Signal, SignalState
from tests.conftest import login

pytestmark = pytest.mark.django_db

URL = "/o/acme/insights/"
LIST = "/o/acme/alignment/initiatives/?team=platform&amp;only=on&amp;status=active&amp;aligned=no"


def charged(page: str) -> str:
    """The text of the block of points charged from measures ("" when there is none)."""
    found = re.search(r'<div class="charged" id="charged">(.*?)</div>', page, re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


@pytest.fixture
def platform_work(cast):
    """Platform runs three active initiatives, two serving nothing: its Unaligned work
    signal holds; then one of the two is aligned, and it resolves."""
    today = timezone.localdate()
    period = alignment.create_period(
        cast.org, None, name="This quarter", start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60), state="active", is_current=True,
    )  # fmt: skip
    goal = alignment.create_objective(
        cast.org, None, title="Faster checkout", period=period, team=cast.platform
    )
    works = [
        alignment.create_initiative(
            cast.org, None, team=cast.platform, title=title, status="active"
        )
        for title in ("Checkout API", "Dark mode", "Search revamp")
    ]
    alignment.link_initiative(cast.org, None, works[0], objective=goal)
    evaluate.evaluate(cast.org)
    signal = Signal.objects.get(org=cast.org, kind="initiatives.unaligned")
    assert signal.state == SignalState.OPEN
    alignment.link_initiative(cast.org, None, works[1], objective=goal)
    evaluate.evaluate(cast.org)
    signal.refresh_from_db()
    return signal


def test_a_score_lost_to_a_measure_says_so_above_its_empty_signal_list(cast, platform_work):
    assert platform_work.state == SignalState.RESOLVED  # 1 of 3: below the signal's threshold
    client = login(cast.admin)
    # Platform's cell in the heat-map of Acme: its scope, its dimension.
    page = client.get(URL, {"scope": cast.platform.pk, "dimension": "alignment"}).content.decode()
    text = charged(page)
    assert "\N{MINUS SIGN}6.7: 33% of active initiatives unaligned" in text, text
    assert f'<a href="{LIST}">33% of active initiatives unaligned</a>' in page
    # The signal's own threshold beside it: why there is no signal, yet points are lost.
    assert "raised only when more than 34% of a team's active initiatives, and at least 2" in text
    assert "No signal matches these filters." in page
    # The same page lists the signal as resolved: the two read side by side.
    assert "Platform runs unaligned work" in page
    # The link lists the initiative that costs the points, and only it.
    listed = client.get(html_lib.unescape(LIST)).content.decode()
    assert "Search revamp" in listed and "Dark mode" not in listed
    assert "Checkout API" not in listed


def test_a_roll_up_names_the_team_each_charge_is_of(cast, platform_work):
    client = login(cast.admin)
    page = client.get(URL, {"scope": cast.root.pk, "dimension": "alignment"}).content.decode()
    assert "\N{MINUS SIGN}6.7: Platform, 33% of active initiatives unaligned" in charged(page)
    # Acme's own line (its own score, not its subtree's) lost nothing that way.
    own = client.get(
        URL, {"scope": cast.root.pk, "team": cast.root.pk, "own": "1", "dimension": "alignment"}
    ).content.decode()
    assert charged(own) == ""


def test_only_the_score_of_the_dimension_listed_and_only_when_one_is(cast, platform_work):
    client = login(cast.admin)
    for query in (
        {"scope": cast.platform.pk, "dimension": "execution"},  # nothing charged there
        {"scope": cast.platform.pk},  # no score chosen: the list of every dimension
    ):
        assert charged(client.get(URL, query).content.decode()) == "", query
