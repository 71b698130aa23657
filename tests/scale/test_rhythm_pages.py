"""Home, my week, the cadence list, a cadence and the organization-wide agenda stay the
same size, in queries and in rendered rows, whether the organization has 30 teams or 200."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.activity.services import recorded_as
from accord.org import services as org_services
from accord.org.models import Person, Role
from accord.rhythm import queries, services
from accord.rhythm.models import Cadence, CadenceKind
from accord.web import pickers
from tests.conftest import login, make_person, sqlite_plan


@pytest.fixture(autouse=True)
def search_boxes(monkeypatch):
    """Every form field choosing a person, team, objective or initiative is a search box at
    both sizes (below the picker's threshold, a 30-team organization would list its
    initiatives, up to that threshold, where a 200-team one has a search box)."""
    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 0)


# A rendered row: a table row, a list item, or a link to a person (participants).
ROW = re.compile(r"<(tr|li)[\s>]|href=\"/o/[^/]+/people/\d+/\"")
# A cadence's trend: one item per past occurrence of its own (at most its last 12), however
# big the organization; how many have passed depends on when the generated cadence began
# and on the hour it meets today, so they are counted apart.
TREND = re.compile(r'<li title="[^"]*">\s*<a [^>]*class="trend__link"')
# An agenda item says how many rows it shows: "first 10 items" (or "first 10 of 1,000+
# items") when it has more, "9 items" when that is all there is (the organization, as
# generated today, has no more).
FIRST = re.compile(r"· first (\d+)(?: of [\d,]+\+?)? items")
# An item with more than it shows says how many ("first 10 of 37 items"): one count of a
# few more rows (at most 1,000) that an item the organization cannot fill does not need.
COUNTED = re.compile(r"· first \d+ of [\d,]+\+? items")
ALL = re.compile(r"· (\d+) items?</small>")


def _viewer(org):
    """Someone in a team of their own, beside the generated tree: what concerns them is
    the same in both organizations (their cadences, the organization-wide review), while
    everything else grows."""
    existing = Person.objects.for_org(org).filter(name="Vera Viewer").first()
    if existing is not None:
        return existing
    person = make_person(org, "Vera Viewer", Role.MEMBER)
    first = org_services.create_team(org, None, name="Guard team", parent=None)
    org_services.add_membership(org, None, person=person, team=first, allocation=0)
    # The same week in both organizations: a check-in owed and a meeting every day, and the
    # latest events (the home page's "recent") of the same kinds.
    for kind in (CadenceKind.CHECKIN, CadenceKind.SYNC):
        services.create_cadence(
            org,
            None,
            name=f"Daily {kind}",
            kind=kind,
            rrule="FREQ=DAILY",
            time=dt.time(9, 0),
            timezone_name="UTC",
            team=first,
            start_date=dt.date(2026, 1, 1),
        )
    # The generator runs the organization-wide review in its head's time zone, which differs
    # between the two organizations: near midnight somewhere, one would fall in this week
    # and the other not. Both meet the same way here.
    orgwide = Cadence.objects.for_org(org).filter(scope="org").exclude(kind="checkin").get()
    services.update_cadence(
        org, None, orgwide, timezone_name="UTC", time=dt.time(9, 0), start_date=dt.date(2026, 1, 1)
    )
    for year in range(2030, 2042):
        services.set_away(
            org, person, person, starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 1, 2)
        )
    # Time off is a person's own settings, which home's recent activity leaves out: what it
    # lists, the latest of what people did, is the same in both (their team's changes).
    with recorded_as(person):
        for n in range(12):
            org_services.update_team(org, None, first, description=f"Guarding, week {n}.")
    return person


def _urls(org) -> dict[str, str]:
    p = f"/o/{org.slug}/rhythm/"
    orgwide = Cadence.objects.for_org(org).filter(scope="org").exclude(kind="checkin").first()
    assert orgwide is not None, "the generator makes an organization-wide review"
    occ = queries.previous_occurrence(orgwide, timezone.now())
    return {
        "home": f"/o/{org.slug}/",
        "my week": p,
        "cadence list": p + "cadences/",
        # Filtered: the viewer's own team (its page of the list), and those they take part
        # in; the organization's other cadences are not read for either.
        "cadence list of a team": p + "cadences/?team=guard-team",
        "cadence list, mine": p + "cadences/?mine=1",
        "cadence detail": p + f"cadences/{orgwide.pk}/",
        "organization-wide agenda": p + f"cadences/{orgwide.pk}/{occ.key}/",
    }


def _measure(org, page: str) -> tuple[list[str], int, int, int]:
    client = login(_viewer(org))
    url = _urls(org)[page]
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    trend = len(TREND.findall(html))
    assert trend <= 12, (url, trend)
    # Rows a list would show if the organization had enough items for it.
    cap = max((int(n) for n in FIRST.findall(html)), default=0)
    short = sum(cap - int(n) for n in ALL.findall(html) if int(n) < cap)
    rows = len(ROW.findall(html)) - trend
    return [q["sql"][:100] for q in ctx.captured_queries], rows, short, len(COUNTED.findall(html))


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "my week",
        "cadence list",
        "cadence list of a team",
        "cadence list, mine",
        "cadence detail",
        "organization-wide agenda",
    ],
)
def test_the_page_does_not_grow_with_the_organization(generated, db, page):
    small_queries, small_rows, small_short, small_counted = _measure(generated["small"], page)
    large_queries, large_rows, large_short, large_counted = _measure(generated["large"], page)
    # The same queries, but for the counts of items only the larger one has more of than
    # it shows (what the smaller one has of a kind depends on the day it is generated).
    assert len(large_queries) - large_counted == len(small_queries) - small_counted, (
        page,
        small_queries,
        large_queries,
    )
    # The same rows at both sizes, but for the lists the smaller one cannot fill.
    assert large_rows - small_rows == small_short - large_short, (page, small_rows, large_rows)


def _rows_read(client, url: str) -> int:
    """Rows the page's statements read back (each run again after the page)."""
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    rows = 0
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH", "(")):
                cursor.execute(q["sql"])
                rows += len(cursor.fetchall())
    return rows


@pytest.mark.parametrize("page", ["team rhythm", "check-in", "check-in round"])
def test_a_teams_rhythm_reads_its_own_not_the_organizations_roster(generated, db, page):
    """A team's rhythm page, a check-in and a round of check-ins read the rows of the team
    and its cadences, not every membership of the organization (half a second a page at
    10,000 teams)."""
    read = {}
    for size, org in generated.items():
        person = _viewer(org)
        team = person.memberships.get().team
        checkin = Cadence.objects.for_org(org).get(team=team, kind=CadenceKind.CHECKIN)
        occ = queries.previous_occurrence(checkin, timezone.now())
        url = {
            "team rhythm": f"/o/{org.slug}/rhythm/teams/{team.slug}/",
            "check-in": f"/o/{org.slug}/rhythm/cadences/{checkin.pk}/{occ.key}/checkin/",
            "check-in round": f"/o/{org.slug}/rhythm/cadences/{checkin.pk}/{occ.key}/checkins/",
        }[page]
        read[size] = _rows_read(login(person), url)
    people = {s: Person.objects.for_org(o).count() for s, o in generated.items()}
    assert people["large"] - people["small"] > 1000
    assert read["large"] - read["small"] < 100, read


def test_an_organization_wide_cadence_lists_a_screen_of_its_people_and_counts_to_a_limit(
    generated, db
):
    """Everyone in a team takes part in an organization-wide cadence. Its page lists the
    first of them by name and counts them up to a thousand ("1,000+"), read person by
    person off the name index: gathering every membership first sorted the whole
    organization's people to show forty (220 ms at 10,000 teams)."""
    from django.utils.html import escape

    from accord.core.counting import COUNT_UP_TO
    from accord.rhythm.views import PARTICIPANTS_SHOWN

    for size, org in generated.items():
        orgwide = Cadence.objects.for_org(org).filter(scope="org").exclude(kind="checkin").get()
        client = login(_viewer(org))
        everyone = queries.participants(org, orgwide)  # the roster's answer, by name
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(f"/o/{org.slug}/rhythm/cadences/{orgwide.pk}/").content.decode()
        shown = f"{len(everyone):,}" if len(everyone) <= COUNT_UP_TO else f"{COUNT_UP_TO:,}+"
        assert f"· {shown} participants" in html, size
        names = [escape(p.name) for p in everyone[:PARTICIPANTS_SHOWN]]
        at = [html.find(f">{name}</a>") for name in names]
        assert -1 not in at and at == sorted(at), size
        counts = [
            q["sql"]
            for q in ctx.captured_queries
            if "COUNT(" in q["sql"]
            and "org_person" in q["sql"]
            # The top bar's one query of the viewer's own people (one an organization),
            # each with their unread inbox items, is not a count of the participants.
            and '"org_person"."user_id" =' not in q["sql"]
        ]
        # Counted up to a limit, never every person.
        assert counts and all(f"LIMIT {COUNT_UP_TO + 1}" in q for q in counts), counts
        (screen,) = [
            q["sql"]
            for q in ctx.captured_queries
            if 'FROM "org_person"' in q["sql"] and f"LIMIT {PARTICIPANTS_SHOWN}" in q["sql"]
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                plan = sqlite_plan(screen)
                assert "TEMP B-TREE" not in plan, plan
            else:
                # Tested person by person: joined by OR to its owner, the test made
                # PostgreSQL hash every membership of the organization first.
                cursor.execute("EXPLAIN " + screen)
                plan = " | ".join(str(row[0]) for row in cursor.fetchall())
                assert "hashed SubPlan" not in plan, plan
    assert len(queries.participants(generated["large"], orgwide)) > 1000


def test_a_running_organization_wide_review_does_not_grow_with_the_organization(generated, db):
    """Started, an organization-wide review is a meeting of everyone: it marks nobody
    present at the start (100,000 rows at 10,000 teams), and its page shows a count and
    the latest marked, not a checkbox and a rating field per person (it never finished
    rendering at 10,000 teams). The same queries and attendance at 30 teams and at 200."""
    seen = {}
    for size, org in generated.items():
        viewer = _viewer(org)
        orgwide = Cadence.objects.for_org(org).filter(scope="org").exclude(kind="checkin").get()
        occ = queries.next_occurrence(orgwide)
        meeting = services.open_meeting(org, None, orgwide, occ.original_start)
        services.start_meeting(org, None, meeting)
        assert not meeting.attendance.exists(), size
        client = login(viewer)
        url = f"/o/{org.slug}/rhythm/cadences/{orgwide.pk}/{occ.key}/"
        client.post(url + "attendee/", {"person": viewer.pk, "present": "1"})
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and "1 present:" in html, size
        assert 'type="checkbox" name="present"' not in html and 'name="rating_' not in html
        attendance = html[html.index('aria-labelledby="att-h"') :]
        attendance = attendance[: attendance.index("</section>")]
        seen[size] = (len(ctx.captured_queries), len(attendance), len(html))
    people = {s: Person.objects.for_org(o).count() for s, o in generated.items()}
    assert people["large"] - people["small"] > 1000
    (small_queries, small_attendance, _), (large_queries, large_attendance, page) = (
        seen["small"],
        seen["large"],
    )
    assert large_queries == small_queries, seen
    # The same section, but for the organization's slug in its links.
    assert abs(large_attendance - small_attendance) < 100, seen
    assert page < 1_000_000, seen


@pytest.mark.parametrize("kind", ["checkins", "meetings"])
def test_the_apis_rhythm_lists_read_a_page_newest_first_and_count_to_a_limit(
    generated, db, monkeypatch, kind
):
    """A check-in a week per person and a meeting per occurrence of every cadence: the
    lists grow by millions a year. A page is read off the newest-first index (sorting
    every check-in of the organization took 64 ms at 300,000), and the count stops at
    the API's limit (null beyond it), as the events' and decisions' do."""
    from accord.api import common
    from tests.conftest import api_client

    org = generated["large"]
    client = api_client(_viewer(org))
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(f"/api/v1/rhythm/{kind}?limit=3").json()
    assert len(body["items"]) == 3 and body["count"] > 3
    when = "occurrence_start" if kind == "checkins" else "occurrence"  # 20270105T140000Z
    starts = [item[when] for item in body["items"]]
    assert starts == sorted(starts, reverse=True)
    (page,) = [q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"]]
    if connection.vendor == "sqlite":
        plan = sqlite_plan(page)
        assert f"rhythm_{kind[:-1]}_newest" in plan and "TEMP B-TREE" not in plan, plan
    monkeypatch.setattr(common, "LIST_COUNT_UP_TO", 3)
    assert client.get(f"/api/v1/rhythm/{kind}?limit=2").json()["count"] is None
