"""A team's action items, issues and decisions take in the teams below it, in the page and
the API; `only=1` keeps to the team alone; a team of another organization is a 404; a
team page's counts equal the lists they link to."""

from __future__ import annotations

import re

import pytest

from accord.decisions import services
from accord.org import services as org_services
from tests.conftest import api_client, login


@pytest.fixture
def tree(cast):
    """Acme > Platform > Payments, with one action item, issue and decision at each."""
    org, leader = cast.org, cast.leader
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.platform
    )
    teams = {"acme": cast.root, "platform": cast.platform, "payments": payments}
    for slug, team in teams.items():
        services.create_action_item(org, leader, f"Item of {slug}", cast.member, team=team)
        services.raise_issue(org, leader, team, f"Issue of {slug}")
        services.create_decision(org, leader, f"Decision of {slug}?", cast.leader, teams=[team])
    return teams


def _titles(html: str, prefix: str) -> set[str]:
    return set(re.findall(rf"{prefix} of (acme|platform|payments)", html))


def test_pages_take_in_the_subtree_unless_only(cast, tree):
    client = login(cast.member)
    pages = {
        "/o/acme/decisions/actions/": "Item",
        "/o/acme/decisions/issues/": "Issue",
    }
    for url, prefix in pages.items():
        whole = client.get(url, {"team": "platform"})
        assert whole.status_code == 200
        assert _titles(whole.content.decode(), prefix) == {"platform", "payments"}
        assert "Platform and the teams below it" in whole.content.decode()
        only = client.get(url, {"team": "platform", "only": "1"}).content.decode()
        assert _titles(only, prefix) == {"platform"}
        top = client.get(url, {"team": "acme"}).content.decode()
        assert _titles(top, prefix) == {"acme", "platform", "payments"}
    log = client.get("/o/acme/decisions/", {"team": cast.platform.pk}).content.decode()
    assert _titles(log, "Decision") == {"platform", "payments"}
    log = client.get("/o/acme/decisions/", {"team": cast.platform.pk, "only": "on"})
    assert _titles(log.content.decode(), "Decision") == {"platform"}


def test_the_team_filter_is_a_search_box_that_keeps_the_slug_in_the_url(cast, tree):
    client = login(cast.member)
    for url in ("/o/acme/decisions/actions/", "/o/acme/decisions/issues/"):
        page = client.get(url, {"team": "payments", "only": "1"}).content.decode()
        assert '<select id="team-pick"' not in page
        # The hidden input sends the slug the list reads; the box shows the team's name.
        assert 'name="team" value="payments" data-picker-value' in page
        assert 'value="Payments"' in page
        assert 'hx-get="/o/acme/pick/team/?by=slug"' in page
    # What the box offers as the person types is chosen by slug, too.
    answer = client.get("/o/acme/pick/team/", {"q": "pay", "by": "slug"}).content.decode()
    assert 'data-value="payments"' in answer


def test_api_takes_in_the_subtree_unless_only(cast, tree):
    client = api_client(cast.member)
    lists = {
        "/api/v1/action-items": ("title", "Item"),
        "/api/v1/issues": ("title", "Issue"),
        "/api/v1/decisions": ("question", "Decision"),
    }
    for url, (field, prefix) in lists.items():
        whole = client.get(url, {"team_id": cast.platform.pk}).json()["items"]
        assert {r[field].rstrip("?") for r in whole} == {
            f"{prefix} of platform",
            f"{prefix} of payments",
        }
        only = client.get(url, {"team_id": cast.platform.pk, "only": True}).json()["items"]
        assert [r[field].rstrip("?") for r in only] == [f"{prefix} of platform"]
        # Payments has nothing below it: the subtree is the team itself.
        leaf = client.get(url, {"team_id": tree["payments"].pk}).json()["items"]
        assert [r[field].rstrip("?") for r in leaf] == [f"{prefix} of payments"]


def test_another_organizations_team_filters_nothing(cast, tree):
    client = login(cast.member)
    for url in ("/o/acme/decisions/actions/", "/o/acme/decisions/issues/"):
        r = client.get(url, {"team": cast.other_team.slug})
        assert r.status_code == 404
        assert "Issue of" not in r.content.decode() and "Item of" not in r.content.decode()
    api = api_client(cast.member)
    for url in ("/api/v1/action-items", "/api/v1/issues", "/api/v1/decisions"):
        r = api.get(url, {"team_id": cast.other_team.pk})
        assert r.status_code == 404
        assert r.json()["error"]["message"] == f"No team with id {cast.other_team.pk}."
    # And the other organization, filtering by its own team, sees none of Acme's rows.
    outsider = api_client(cast.outsider)
    r = outsider.get("/api/v1/issues", {"team_id": cast.other_team.pk})
    assert r.status_code == 200 and r.json()["count"] == 0
    # A bad log filter (a team of another organization) is named on the page, not applied.
    log = client.get("/o/acme/decisions/", {"team": cast.other_team.pk}).content.decode()
    assert "Select a valid choice" in log


def test_team_page_counts_equal_the_lists_they_link_to(cast, tree):
    services.create_action_item(
        cast.org, cast.leader, "Item of platform, two", cast.member, team=cast.platform
    )
    done = services.create_action_item(
        cast.org, cast.leader, "Item of platform, done", cast.member, team=cast.platform
    )
    services.complete_action_item(cast.org, cast.leader, done)
    client = login(cast.member)
    page = client.get("/o/acme/teams/platform/").content.decode()
    checked = 0
    for label, prefix in (("open issues at", "Issue"), ("open action items of", "Item")):
        # Platform has teams below it: its figures are theirs too, as the lists they open.
        m = re.search(
            rf'href="([^"]+)" aria-label="(\d+) {label} Platform and the teams below it"', page
        )
        assert m, label
        href, count = m.group(1).replace("&amp;", "&"), int(m.group(2))
        listed = client.get(href).content.decode()
        # An open item's row starts with its title (a link to it); a done one's with a
        # "done" tag.
        item_row = r'<td[^>]*><a href="[^"]+">(Item of (?:platform|payments)[^<]*)<'
        row = item_row if prefix == "Item" else r">(Issue of [^<]*)<"
        rows = re.findall(row, listed)
        assert count == len(rows) == len(set(rows)) > 0
        checked += 1
    assert checked == 2


def test_decision_log_counts_equal_the_lists_they_link_to(cast, tree):
    client = login(cast.member)
    log = client.get("/o/acme/decisions/").content.decode()
    links = re.findall(r'<a href="\?status=(\w+)">(\d+) \1</a>', log)
    assert dict(links)["open"] == "3"
    assert len(links) == 5
    for status, count in links:
        listed = client.get("/o/acme/decisions/", {"status": status}).content.decode()
        assert len(set(re.findall(r"Decision of \w+\?", listed))) == int(count), status


def test_the_top_team_takes_in_every_team_but_not_a_second_tree(cast, tree):
    """The only team at the top is read without a team filter (every issue, every decision
    filed to a team); beside a second tree, its lists keep to its own."""
    org, leader = cast.org, cast.leader
    unfiled = services.create_decision(org, leader, "Decision of nobody?", cast.leader)
    client, api = login(cast.member), api_client(cast.member)

    def seen():
        issues = client.get("/o/acme/decisions/issues/", {"team": "acme"}).content.decode()
        log = client.get("/o/acme/decisions/", {"team": cast.root.pk}).content.decode()
        listed = api.get("/api/v1/issues", {"team_id": cast.root.pk}).json()["items"]
        decided = api.get("/api/v1/decisions", {"team_id": cast.root.pk}).json()["items"]
        return (
            _titles(issues, "Issue"),
            _titles(log, "Decision"),
            {i["title"] for i in listed},
            {d["question"] for d in decided},
        )

    every = {"acme", "platform", "payments"}
    issues, log, api_issues, api_decisions = seen()
    assert issues == log == every
    assert api_issues == {f"Issue of {slug}" for slug in every}
    assert api_decisions == {f"Decision of {slug}?" for slug in every}  # not the unfiled one
    assert unfiled.question not in api_decisions

    labs = org_services.create_team(org, None, name="Labs", slug="labs")
    services.raise_issue(org, leader, labs, "Issue of labs")
    services.create_decision(org, leader, "Decision of labs?", cast.leader, teams=[labs])
    assert seen() == (issues, log, api_issues, api_decisions)
    page = client.get("/o/acme/decisions/issues/", {"team": "acme"}).content.decode()
    assert "Issue of labs" not in page
    page = client.get("/o/acme/decisions/", {"team": cast.root.pk}).content.decode()
    assert "Decision of labs?" not in page


def test_the_logs_figures_count_the_team_it_is_filtered_to(cast, tree):
    """The figures above the log (open, proposed, …, overdue) are those of the list below
    them: filtered to a team, the team and the teams below it, and their links keep it."""
    client = login(cast.member)
    whole = client.get("/o/acme/decisions/").content.decode()
    assert ">3 open</a>" in whole
    page = client.get("/o/acme/decisions/", {"team": cast.platform.pk}).content.decode()
    assert "Platform and the teams below it: " in page
    # By its slug too, as the action items and issues link to a team.
    by_slug = client.get("/o/acme/decisions/", {"team": "platform"}).content.decode()
    assert _titles(by_slug, "Decision") == {"platform", "payments"}
    assert "not understood" not in by_slug
    assert f'href="?team={cast.platform.pk}&amp;status=open">2 open</a>' in page
    only = client.get("/o/acme/decisions/", {"team": cast.platform.pk, "only": "on"})
    assert f'href="?team={cast.platform.pk}&amp;only=on&amp;status=open">1 open</a>' in (
        only.content.decode()
    )


def test_a_departments_action_items_show_each_team_below_with_its_own_below(cast, tree):
    """A leader reading the top team's action items sees each team below it, counted with
    the teams below that one, and can open it; the grandchildren are inside their parent."""
    import datetime as dt

    from django.utils import timezone

    week_ago = timezone.localdate() - dt.timedelta(days=7)
    done = services.create_action_item(
        cast.org, None, "Done on time", cast.member, due_on=week_ago, team=tree["platform"]
    )
    services.complete_action_item(
        cast.org, None, done, done_at=timezone.now() - dt.timedelta(days=8)
    )
    services.create_action_item(
        cast.org, None, "Still open", cast.member, due_on=week_ago, team=tree["payments"]
    )
    page = login(cast.leader).get("/o/acme/decisions/actions/", {"team": "acme"})
    html = page.content.decode()
    section = html[
        html.index('id="below-h"') : html.index("</section>", html.index('id="below-h"'))
    ]
    assert "Teams below Acme" in section
    row = section[section.index('href="?team=platform"') :].split("</tr>")[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["2", "1", "1", "50%"]  # Platform's and Payments': due, on time, overdue
    assert "?team=payments" not in section
    only = login(cast.leader).get("/o/acme/decisions/actions/", {"team": "acme", "only": "1"})
    assert 'id="below-h"' not in only.content.decode()


def test_a_teams_log_figures_are_figures(cast, tree, monkeypatch):
    """Read for all the statuses at once over the subtree, and kept as every figure is."""
    from django.utils import timezone

    from tests.conftest import check_figure

    client = login(cast.member)
    figure = re.compile(r'status=open">([\d,]+) open</a>')

    def shown() -> int:
        page = client.get("/o/acme/decisions/", {"team": "platform"}).content.decode()
        return int(figure.search(page).group(1).replace(",", ""))

    def add(name: str) -> None:
        services.create_decision(
            cast.org, cast.leader, f"{name}?", cast.leader, teams=[tree["payments"]]
        )

    today = timezone.localdate().isoformat()
    key = f"decision-figures:{cast.org.pk}:{cast.platform.pk}:0:{today}"
    check_figure(shown, add, key, monkeypatch)


@pytest.mark.parametrize("value", ["nope", "\x00", "a" * 5000, "../acme", "9999999"])
def test_a_team_filter_the_log_does_not_understand_is_named_and_left_out(cast, tree, value):
    page = login(cast.member).get("/o/acme/decisions/", {"team": value})
    assert page.status_code == 200
    html = page.content.decode()
    assert "not understood: team" in html
    assert _titles(html, "Decision") == {"acme", "platform", "payments"}


def test_a_decision_about_an_issue_a_team_holds_is_in_its_log_without_teams_affected(cast):
    """Recorded without "Teams affected" (an optional, folded section), a decision about an
    issue Platform holds is still one of Platform's (and of the teams above it)."""
    from accord.decisions import queries as q
    from accord.decisions import services as s

    issue = s.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    about = s.create_decision(
        cast.org,
        cast.member,
        "Quarantine flaky tests?",
        approver=cast.leader,
        links=[("decisions.issue", issue.pk, "")],
    )
    unrelated = s.create_decision(cast.org, cast.member, "Lunch on Fridays?", cast.leader)
    for team, only in ((cast.platform, True), (cast.platform, False), (cast.root, False)):
        found = set(q.filter_log(cast.org, team=team, only=only))
        assert about in found and unrelated not in found, (team, only)
    assert q.log_figures(cast.org, cast.platform, True)["open"] == 1
    page = login(cast.member).get("/o/acme/decisions/?team=platform").content.decode()
    assert "Quarantine flaky tests?" in page and "Lunch on Fridays?" not in page


def test_a_page_past_the_end_of_the_log_says_so_with_a_way_back(cast):
    services.create_decision(cast.org, cast.member, "Lunch on Fridays?", cast.leader)
    page = login(cast.member).get("/o/acme/decisions/?status=open&page=999").content.decode()
    assert "No decision matches." not in page
    assert "No more decisions this far: page 999 is past the end." in page
    assert '<a href="?status=open">First page</a>' in page
    empty = login(cast.member).get("/o/acme/decisions/?q=nothing-like-it").content.decode()
    assert "No decision matches." in empty


def test_a_reversed_opened_range_is_named_not_silently_empty(cast):
    services.create_decision(cast.org, cast.member, "Lunch on Fridays?", cast.leader)
    page = (
        login(cast.member)
        .get("/o/acme/decisions/?since=2026-06-10&until=2026-06-01")
        .content.decode()
    )
    assert (
        "Left out of the filter, not understood: opened to (The range ends before it begins.)"
        in page
    )
