"""Pages do a bounded number of queries, whatever the size of the organization."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org.models import Membership, Person, Team
from tests.conftest import login

PAGES = [
    "/o/acme/teams/",  # the directory: the whole tree
    "/o/acme/teams/platform/",  # a team with every other team below it
    "/o/acme/teams/team-005/",  # a team deep in the tree, with a team below it
    "/o/acme/teams/deep-leaf/",  # a team deeper still, with none below it
    "/o/acme/people/",
    "/o/acme/",
]


def add_teams(cast, start: int, stop: int) -> None:
    """Teams start..stop-1 under Platform, each the parent of the next ten, two people each."""
    org = cast.org
    for i in range(start, stop):
        parent = (
            Team.objects.get(org=org, slug=f"team-{i // 10 - 1:03d}") if i >= 10 else cast.platform
        )
        team = Team.objects.create(
            org=org, name=f"Team {i:03d}", slug=f"team-{i:03d}", parent=parent
        )
        people = Person.objects.bulk_create(
            [Person(org=org, name=f"Person {i:03d}{s}") for s in "ab"]
        )
        Membership.objects.bulk_create(
            [
                Membership(org=org, person=people[0], team=team, role="lead", allocation=50),
                Membership(org=org, person=people[1], team=team, allocation=50),
            ]
        )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_pages_do_as_many_queries_for_200_teams_as_for_10(cast):
    client = login(cast.member)
    add_teams(cast, 0, 10)
    # Below team-005 at both sizes: its page is a team with sub-teams' at both.
    deep = Team.objects.get(org=cast.org, slug="team-005")
    Team.objects.create(org=cast.org, name="Deep leaf", slug="deep-leaf", parent=deep)
    client.get("/o/acme/")  # the first request of a session does some one-off work
    small = {url: queries_for(client, url) for url in PAGES}
    add_teams(cast, 10, 200)
    assert Team.objects.for_org(cast.org).count() == 203
    large = {url: queries_for(client, url) for url in PAGES}
    assert large == small
    for url, n in large.items():
        # The team page, the busiest, reads its panels of every pillar, and its open
        # positions, past terms, liaisons and role names (35 queries); a team with
        # sub-teams also its issues, action items, decisions and dependencies with the
        # teams below it (11 more; with a current period, its objectives' figures too),
        # and whether the reader may add its chat webhook (one more); its issue and
        # decision figures are the lists' own, kept a minute when large (two cache reads).
        assert n <= (49 if url.endswith(("/platform/", "/team-005/")) else 35), (url, n)


def test_a_page_reads_the_shell_once_however_many_panels_it_renders(cast):
    """The team page renders a panel of each pillar as a template of its own; the shell
    (navigation, the organizations the viewer may switch to) is built once for all."""
    client = login(cast.member)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/o/acme/teams/platform/")
    assert page.status_code == 200
    # The login's people in each organization, with the unread items of each one's inbox.
    switcher = [
        q
        for q in ctx.captured_queries
        if 'FROM "org_person" INNER JOIN "org_organization"' in q["sql"] and "inboxitem" in q["sql"]
    ]
    assert len(switcher) == 1
    assert page.content.decode().count('href="/o/acme/alignment/"') >= 1
