"""The team page, the team directory and the people list show as many rows, in as many
queries, for an organization of 200 teams as for one of 30."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org import queries
from accord.org.models import Role, Team
from tests.conftest import login, make_person


@pytest.fixture
def short(monkeypatch):
    """First screens small enough that both organizations fill them."""
    monkeypatch.setattr(queries, "DIRECTORY_ROWS", 12, raising=False)
    monkeypatch.setattr(queries, "TEAM_PAGE_ROWS", 3, raising=False)
    monkeypatch.setattr(queries, "LIST_PAGE", 10, raising=False)


def measure(client, url: str) -> tuple[int, str]:
    client.get(url)  # the first request of a session does some one-off work
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


def rows(html: str, pattern: str) -> int:
    return len(re.findall(pattern, html))


def both(generated, path) -> dict[str, tuple[int, str]]:
    out = {}
    for size, org in generated.items():
        client = login(make_person(org, f"Sam Scale {size.title()}", Role.ADMIN))
        url = f"/o/{org.slug}/" + path(org)
        out[size] = measure(client, url)
    return out


def root(org) -> Team:
    return Team.objects.for_org(org).filter(parent=None).order_by("pk").first()


def leaf(org) -> Team:
    return Team.objects.for_org(org).filter(children=None).order_by("pk").first()


TREE_ROW = r'class="tree__row"'
TABLE_ROW = r"<tr>"


@pytest.mark.parametrize(
    "path,pattern",
    [
        (lambda org: "teams/", TREE_ROW),
        (lambda org: "teams/?q=e", TREE_ROW),
        (lambda org: f"teams/?parent={root(org).slug}", TREE_ROW),
        (lambda org: "people/", TABLE_ROW),
        (lambda org: "people/?q=a", TABLE_ROW),
        (lambda org: f"people/?team={root(org).slug}", TABLE_ROW),
        (lambda org: "people/?signed_in=never", TABLE_ROW),
    ],
    ids=[
        "directory",
        "directory search",
        "sub-teams",
        "people",
        "people search",
        "members",
        "never signed in",
    ],
)
def test_lists_are_bounded(generated, db, short, path, pattern):
    got = both(generated, path)
    (small_q, small_html), (large_q, large_html) = got["small"], got["large"]
    assert small_q == large_q
    if path(generated["large"]) == "teams/":
        # The top of the tree: at most DIRECTORY_ROWS rows (a team's sub-teams are shown
        # all or none, so the rows stop at a family's edge).
        assert 0 < rows(small_html, pattern) <= 12 and 0 < rows(large_html, pattern) <= 12
    else:
        assert rows(small_html, pattern) == rows(large_html, pattern) > 0


@pytest.mark.parametrize("which", [root, leaf], ids=["root", "leaf"])
def test_the_team_page_is_bounded(generated, db, short, which):
    got = both(generated, lambda org: f"teams/{which(org).slug}/")
    (small_q, small_html), (large_q, large_html) = got["small"], got["large"]
    assert small_q == large_q
    section = r'<section class="card" aria-labelledby="(members|subteams)-h">(.*?)</section>'

    def own_rows(html):
        return sum(
            len(re.findall(r"<tr>|<li>", body)) for _, body in re.findall(section, html, re.S)
        )

    assert own_rows(small_html) == own_rows(large_html)
    assert len(large_html) < 200_000


def test_a_team_page_counts_members_and_sub_teams_only_beyond_its_first_screen(
    generated, db, monkeypatch
):
    """A team whose members and sub-teams fit on the first screen is counted by what it
    shows; one with more says how many in all ("All 12 members") from a count."""
    from accord.org.models import Membership

    org = generated["large"]
    client = login(make_person(org, "Cy Counter", Role.ADMIN))
    team = root(org)
    members = Membership.objects.for_org(org).filter(team=team).count()
    children = Team.objects.for_org(org).filter(parent=team).count()
    assert members > 1 and children > 1

    def page(rows):
        monkeypatch.setattr(queries, "TEAM_PAGE_ROWS", rows, raising=False)
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(f"/o/{org.slug}/teams/{team.slug}/").content.decode()
        counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT")]
        return html, counts

    html, counts = page(max(members, children) + 1)  # everything fits: nothing counted
    assert f">{members} member{'s' if members != 1 else ''}</a>" in html
    assert f">{children} sub-teams</a>" in html
    assert not [q for q in counts if '"org_membership"' in q or 'FROM "org_team"' in q]
    html, counts = page(1)  # a screen of one: both counted, and the rest linked
    assert f"All {members} members</a>" in html and f"All {children} sub-teams</a>" in html
    assert len([q for q in counts if '"org_membership"' in q or 'FROM "org_team"' in q]) == 2


def test_counts_are_grouped_by_thousands(generated, db):
    """A large organization's counts read as numbers ("2,043 people"), not as codes."""
    from accord.org.models import Person

    org = generated["large"]
    people = Person.objects.for_org(org).filter(is_active=True).count()
    assert people >= 1000
    client = login(make_person(org, "Sam Counts", Role.ADMIN))
    html = client.get(f"/o/{org.slug}/").content.decode()
    people += 1  # Sam
    assert f">{people:,} people</a>" in html
    assert f'href="/o/{org.slug}/people/"' in html


def test_a_large_organizations_headcount_is_counted_once_a_minute(generated, db, monkeypatch):
    """Home names how many teams and people there are. Up to FIGURES_EXACT it counts on
    every view, so a new colleague shows at once; beyond it, it counts at most once a
    minute: a whole count of 100,000 people on each view of the page most viewed."""
    from django.core.cache import cache

    from accord.core import counting
    from accord.org.models import Person

    org = generated["large"]
    client = login(make_person(org, "Hal Headcount", Role.ADMIN))
    people = Person.objects.for_org(org).filter(is_active=True).count()
    assert people > 1000

    def home():
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(f"/o/{org.slug}/").content.decode()
        whole = [
            q["sql"]
            for q in ctx.captured_queries
            if 'COUNT(*) AS "__count" FROM "org_person"' in q["sql"]
        ]
        return html, whole

    # Small enough: every view counts (up to the limit), and sees a new person at once.
    html, whole = home()
    assert f">{people:,} people</a>" in html and not whole
    Person.objects.create(org=org, name="New Colleague")
    assert f">{people + 1:,} people</a>" in home()[0]

    # Beyond the limit: counted whole once, then read from the cache for a minute.
    monkeypatch.setattr(counting, "FIGURES_EXACT", 1000)
    cache.delete(f"headcount:{org.pk}")
    html, whole = home()
    assert f">{people + 1:,} people</a>" in html and len(whole) == 1
    Person.objects.create(org=org, name="Another Colleague")
    html, whole = home()
    assert f">{people + 1:,} people</a>" in html and not whole
    cache.delete(f"headcount:{org.pk}")  # as when the minute is up
    assert f">{people + 2:,} people</a>" in home()[0]


def test_everyone_is_listed_as_many_pages_as_the_headcount_says(generated, db, monkeypatch):
    """The people list, unfiltered, reads a page without counting everyone (100,000 at
    10,000 teams): its page count comes from home's headcount, a figure. A search or a
    team's members are counted as they are found."""
    from django.core.cache import cache

    from accord.core import counting
    from accord.org.models import Person

    org = generated["large"]
    client = login(make_person(org, "Paula Pages", Role.ADMIN))
    people = Person.objects.for_org(org).filter(is_active=True).count()
    pages = -(-people // queries.LIST_PAGE)
    assert pages > 2

    def listed(url: str) -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        whole = [
            q["sql"]
            for q in ctx.captured_queries
            if 'COUNT(*) AS "__count" FROM "org_person"' in q["sql"]
        ]
        return html, whole

    html, whole = listed(f"/o/{org.slug}/people/")
    assert f"Page 1 of {pages:,}" in html and not whole
    html, _ = listed(f"/o/{org.slug}/people/?page={pages}")
    assert f"Page {pages:,} of {pages:,}" in html and "Next →" not in html
    html, _ = listed(f"/o/{org.slug}/people/?page={pages + 5}")
    assert "Nobody more this far." in html and "Nobody here yet" not in html
    html, whole = listed(f"/o/{org.slug}/people/?q=a")
    assert len(whole) == 1 and " of " in html.split('class="pager"')[1].split("</td>")[0]

    # A headcount behind the list (someone added since it was counted): no page count the
    # list contradicts, and the next page is still offered.
    monkeypatch.setattr(counting, "FIGURES_EXACT", 5)
    cache.delete(f"headcount:{org.pk}")
    listed(f"/o/{org.slug}/people/")
    last = Person.objects.for_org(org).filter(is_active=True).order_by("name", "id").last()
    for n in range(queries.LIST_PAGE):
        Person.objects.create(org=org, name=f"{last.name} {n:02d}")
    html, _ = listed(f"/o/{org.slug}/people/?page={pages}")
    assert re.search(rf"Page {pages:,}\s+<a [^>]+>Next →", html), html.split('class="pager"')[1]


def test_the_number_filter_needs_no_load():
    from django.template import Context, Template

    t = Template("{{ a|num }} · {{ b|num }} · {{ c|num }} · {{ d|num }} · {{ e|num }}")
    assert t.render(Context({"a": 99786, "b": 3.5, "c": 1250.456, "d": None, "e": "1,000+"})) == (
        "99,786 · 3.5 · 1,250.46 · — · 1,000+"
    )


def test_the_people_lists_invitations_are_sought_by_person_not_walked_in_order(generated, db):
    """A page of people's latest invitations: seek each person's events in the (org,
    target) index and sort their few rows, never walk every person's events of the
    organization in order (50 ms at 100,000 people)."""
    from accord.org import invitations
    from accord.org.models import Person
    from tests.conftest import sqlite_plan

    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    org = generated["large"]
    ids = list(Person.objects.for_org(org).order_by("name").values_list("pk", flat=True)[:50])
    with CaptureQueriesContext(connection) as ctx:
        invitations.invited_on(org, ids)
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    plan = sqlite_plan(sql)
    assert "activity_event_target_order (org_id=? AND target_type=? AND target_id=?)" in plan, plan
