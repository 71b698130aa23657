"""Insights pinned to a day (`?as_of=`): the heat map, the trend's end and the signals as
they stood at the end of that day, with when the figures were computed; a link to a past
day shows the same figures tomorrow, whatever was evaluated since. The API's health says
when it was computed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord.alignment import services as s
from accord.intelligence import evaluate
from accord.web.templatetags.dates import day
from tests.conftest import api_client, at, login

# After the cast was made (now), so that its teams were there: two evaluations a week apart.
DAY = dt.date.today() + dt.timedelta(days=3)
EVALUATED = dt.datetime.combine(DAY, dt.time(19, 5), tzinfo=dt.UTC)
LATER = EVALUATED + dt.timedelta(days=7)


@pytest.fixture
def history(cast):
    """A key result behind pace on 20 November (a signal, health that day), caught up a
    week later (the signal resolved, health higher)."""
    org = cast.org
    with at(EVALUATED - dt.timedelta(days=1)):
        period = s.create_period(
            org, None, name="This quarter", start=DAY - dt.timedelta(days=50),
            end=DAY + dt.timedelta(days=40), is_current=True,
        )  # fmt: skip
        objective = s.create_objective(
            org, None, title="Win the quarter", period=period, team=cast.platform,
            owner=cast.leader,
        )  # fmt: skip
        kr = s.create_key_result(
            org, None, objective, name="Stores live", start=0, target=100, unit="stores",
            owner=cast.member, at=EVALUATED - dt.timedelta(days=50),
        )  # fmt: skip
        s.record_key_result_value(org, cast.member, kr, 5, "slow going")
    with at(EVALUATED):
        evaluate.evaluate(org, None, announce=False)
    with at(LATER - dt.timedelta(hours=1)):
        s.record_key_result_value(org, cast.member, kr, 95, "caught up")
    with at(LATER):
        evaluate.evaluate(org, None, announce=False)
    return kr


def _summary(html: str) -> str:
    """The heat map's first line (the scope's scores), its markup as shown."""
    return re.search(r'<tr class="heatmap__summary">.*?</tr>', html, re.S).group(0)


def _signals(html: str) -> str:
    return html.split('id="signals-h"')[1].split("</section>")[0]


def test_a_past_day_shows_its_own_health_and_signals_and_the_same_tomorrow(cast, history):
    client = login(cast.leader)
    url = f"/o/acme/insights/?scope=all&as_of={DAY.isoformat()}"
    with at(LATER + dt.timedelta(hours=1)):
        pinned = client.get(url).content.decode()
        latest = client.get("/o/acme/insights/?scope=all").content.decode()
    assert "Stores live is behind pace" in _signals(pinned)
    assert "Stores live is behind pace" not in _signals(latest)
    assert _summary(pinned) != _summary(latest)  # the health of that day, not the latest
    assert f"As of the end of {day(DAY)}" in pinned
    assert f"computed at {day(DAY)}" in pinned and f"computed at {day(LATER)}" in latest
    # The trend ends on that day.
    trend = pinned.split('id="trend-data"')[1].split("</script>")[0]
    assert DAY.isoformat() in trend and LATER.date().isoformat() not in trend

    # Tomorrow, after more evaluations and changes, the same link shows the same figures.
    with at(LATER + dt.timedelta(days=1)):
        s.record_key_result_value(cast.org, cast.member, history, 40, "slipped again")
        evaluate.evaluate(cast.org, None, announce=False)
    with at(LATER + dt.timedelta(days=2)):
        again = client.get(url).content.decode()
    assert _summary(again) == _summary(pinned)
    assert _signals(again) == _signals(pinned)


def test_a_day_before_the_signals_history_says_so(cast, history):
    with at(LATER):
        page = login(cast.leader).get(f"/o/acme/insights/?scope=all&as_of={dt.date.today()}")
    html = page.content.decode()
    assert f"No signals were stored by then: their stored history begins {day(DAY)}" in html


@pytest.mark.parametrize("value", ["yesterday", "2026-13-40", "9999-01-01", "after"])
def test_an_as_of_the_page_cannot_read_is_named_and_the_latest_figures_shown(cast, history, value):
    if value == "after":  # a day after today
        value = (LATER.date() + dt.timedelta(days=1)).isoformat()
    with at(LATER):
        html = login(cast.leader).get(f"/o/acme/insights/?as_of={value}").content.decode()
    assert "Left out, not understood: as of" in html
    assert 'class="card pinned"' not in html


def test_the_api_says_when_a_days_health_was_computed(cast, history):
    client = api_client(cast.admin)
    with at(LATER + dt.timedelta(hours=2)):
        first = client.get(f"/api/v1/health/{cast.root.pk}?as_of={LATER.date()}").json()
    assert first["date"] == LATER.date().isoformat()
    assert first["computed_at"].startswith(f"{LATER.date()}T19:05")
    # Evaluated again the same day: that day's scores are replaced, and say so.
    with at(LATER + dt.timedelta(hours=3)):
        evaluate.evaluate(cast.org, None, announce=False)
        again = client.get(f"/api/v1/health/{cast.root.pk}?as_of={LATER.date()}").json()
        past = client.get(f"/api/v1/health/{cast.root.pk}?as_of={DAY}").json()
    assert again["computed_at"].startswith(f"{LATER.date()}T22:05")
    assert past["computed_at"].startswith(f"{DAY}T19:05")


def test_a_past_day_with_more_signals_than_a_page_reads_asks_for_a_team(cast, history, monkeypatch):
    """Near the top of a large organization a past day's signals are tens of thousands:
    beyond `HELD_MOST` in the scope the page keeps its health and asks for a team below,
    rather than reading them all (minutes and gigabytes at 10,000 teams)."""
    from accord.intelligence import pages

    client = login(cast.leader)
    url = f"/o/acme/insights/?scope=all&as_of={DAY.isoformat()}"
    with at(LATER + dt.timedelta(hours=1)):
        assert "Stores live is behind pace" in _signals(client.get(url).content.decode())
        monkeypatch.setattr(pages, "HELD_MOST", 0)
        html = client.get(url).content.decode()
    assert "More than 0 signals held in this scope that week: pick a team below" in html
    assert "Stores live is behind pace" not in _signals(html)
    assert f"As of the end of {day(DAY)}" in html and '<tr class="heatmap__summary">' in html
