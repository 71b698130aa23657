"""A search that names a team exactly shows, right after the team, a few of its objectives
of the current period and of its open initiatives, and where all of them are: a team's work
rarely holds its name, so "platform" found the team but nothing it does."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.search import queries
from tests.conftest import login

URL = "/o/acme/search/"


def work_of_platform(cast):
    current = alignment.create_period(
        cast.org,
        None,
        name="Now",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        is_current=True,
    )
    past = alignment.create_period(
        cast.org, None, name="Before", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30)
    )
    for n in range(queries.TEAM_WORK_SHOWN + 1):
        alignment.create_objective(
            cast.org, None, title=f"Uptime goal {n}", period=current, team=cast.platform
        )
    alignment.create_objective(cast.org, None, title="Old goal", period=past, team=cast.platform)
    alignment.create_initiative(cast.org, None, team=cast.platform, title="Event bus")
    alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Finished thing", status="done"
    )


def test_a_team_named_exactly_shows_some_of_its_work_and_links_to_all_of_it(cast):
    work_of_platform(cast)
    hits = queries.search(cast.org, cast.member, "Platform")
    work = queries.team_work(cast.org, cast.member, " platform ", hits)
    assert work.team == "Platform" and work.team_url == "/o/acme/teams/platform/"
    assert [(h.kind, h.title) for h in work.hits] == [
        ("objective", "Uptime goal 0"),
        ("objective", "Uptime goal 1"),
        ("objective", "Uptime goal 2"),
        ("initiative", "Event bus"),
    ]
    assert work.objectives_url == "/o/acme/alignment/teams/platform/"
    assert work.initiatives_url == "/o/acme/alignment/initiatives/?team=platform"
    assert queries.team_work(cast.org, cast.member, "platfor", hits) is None  # not its name

    body = login(cast.member).get(URL, {"q": "platform"}, headers={"HX-Request": "true"})
    html = body.content.decode()
    team, uptime, old = html.find(">Platform</a>"), html.find("Uptime goal 0"), "Old goal"
    assert 0 < team < uptime and old not in html
    assert (
        "All of Platform\u2019s initiatives" in html
        and 'data-href="/o/acme/alignment/teams' in html
    )
    page = login(cast.member).get(URL, {"q": "platform"}).content.decode()
    assert "Event bus" in page and "All of Platform\u2019s objectives" in page


def test_a_team_without_work_or_a_search_not_naming_a_team_shows_none(cast):
    hits = queries.search(cast.org, cast.member, "platform")
    assert queries.team_work(cast.org, cast.member, "platform", hits) is None
    html = login(cast.member).get(URL, {"q": "platform"}).content.decode()
    assert "All of Platform" not in html
