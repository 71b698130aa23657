"""The Insights pages: scope per role, heat-map drill-down, filters, pagination, a signal's
evidence and the forms on it, the panels on the home and team pages, and a query count
that does not grow with the organization."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.activity.models import Event
from accord.intelligence.models import HealthScore, Signal, SignalState
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import login, make_person
from tests.intelligence import fixtures_pages as fx

pytestmark = pytest.mark.django_db

URL = "/o/acme/insights/"


@pytest.fixture
def acme(cast):
    """Acme: root > Platform (led by Lena) > Web, and root > Sales; a day of health."""
    org = cast.org
    web = org_services.create_team(org, None, name="Web", slug="web", parent=cast.platform)
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    lena = make_person(org, "Lena Lead", Role.MEMBER)
    for team in (cast.platform, web):
        org_services.add_membership(
            org, None, person=lena, team=team, role=MembershipRole.LEAD, allocation=50
        )
    today = timezone.localdate()
    fx.health(org, [cast.root, cast.platform, web, sales], today, score=72)
    cast.web, cast.sales, cast.lena = web, sales, lena
    return cast


def h1(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


def signal_titles(response) -> list[str]:
    html = response.content.decode()
    section = html[html.index('id="signals"') :]
    return re.findall(r'class="sig__head">.*?<a href="[^"]+">([^<]+)</a>', section, re.S)


# --- scope -------------------------------------------------------------------------------


def test_an_admin_sees_the_whole_organization_by_default(acme):
    response = login(acme.admin).get(URL)
    assert response.status_code == 200
    assert h1(response) == "Insights · Whole organization"


def test_a_lead_sees_the_highest_team_they_lead_by_default(acme):
    response = login(acme.lena).get(URL)
    assert h1(response) == "Insights · Platform"


def test_someone_who_leads_nothing_sees_the_whole_organization(acme):
    for person in (acme.leader, acme.member, acme.viewer):
        assert h1(login(person).get(URL)) == "Insights · Whole organization"


def test_the_scope_lives_in_the_url_and_anyone_may_choose_another(acme):
    client = login(acme.lena)
    assert h1(client.get(URL, {"scope": acme.sales.pk})) == "Insights · Sales"
    assert h1(client.get(URL, {"scope": "all"})) == "Insights · Whole organization"


def test_a_scope_that_is_not_a_team_of_the_organization_answers_404(acme):
    client = login(acme.admin)
    assert client.get(URL, {"scope": acme.other_team.pk}).status_code == 404
    assert client.get(URL, {"scope": "nope"}).status_code == 404
    assert client.get(URL, {"scope": 999999}).status_code == 404


def test_team_search_finds_teams_by_name_and_links_their_scope(acme):
    client = login(acme.admin)
    # As the name is typed: the teams that match, each linked to its scope.
    typed = client.get(URL + "teams/", {"q": "we"}, headers={"HX-Request": "true"})
    assert typed.status_code == 200
    assert f'?scope={acme.web.pk}"' in typed.content.decode()
    assert "Sales" not in typed.content.decode()
    partial = client.get(URL + "teams/", {"q": "globex"}, headers={"HX-Request": "true"})
    assert "No team" in partial.content.decode() and "<html" not in partial.content.decode()


def test_sending_the_team_search_opens_the_one_team_that_matches(acme):
    """Enter or Find (the form sent, with or without JavaScript): the team's insights when
    exactly one team matches; else the page listing those that do, or saying none does."""
    client = login(acme.admin)
    response = client.get(URL + "teams/", {"q": "  we "})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?scope={acme.web.pk}"
    several = client.get(URL + "teams/", {"q": "a"})  # Acme, Platform, Sales
    assert several.status_code == 200
    html = several.content.decode()
    assert f'?scope={acme.sales.pk}"' in html and f'?scope={acme.platform.pk}"' in html
    none = client.get(URL + "teams/", {"q": "Globex"})  # another organization's team
    assert none.status_code == 200 and "No team's name contains" in none.content.decode()
    # The picker on Insights sends its form there, and lists as it is typed.
    page = client.get(URL).content.decode()
    assert re.search(r'<form class="scope-picker" method="get" action="' + URL + 'teams/"', page)


# --- heat-map and drill-down -------------------------------------------------------------


def test_the_heat_map_shows_number_and_band_per_cell_and_drills_down(acme):
    response = login(acme.admin).get(URL)
    html = response.content.decode()
    # The single root's children are the rows: Platform and Sales.
    assert f'href="{URL}?scope={acme.platform.pk}"' in html
    assert f'href="{URL}?scope={acme.sales.pk}"' in html
    # A cell: the number and its band in words; it opens the team's signals of that dimension.
    cell = f'href="{URL}?scope={acme.platform.pk}&amp;dimension=dependencies#signals"'
    assert cell in html
    after = html[html.index(cell) :]
    assert re.search(
        r'<span class="heat__n">72</span> <span class="heat__band">watch</span>', after
    )
    # The whole organization's row counts its teams' members, and says so (home counts
    # everyone in the organization, some of whom are in no team).
    assert re.search(r"Whole organization <small [^>]*>\d+ people in teams</small>", html)
    # One level down: Platform's children (Web) are the rows.
    down = login(acme.admin).get(URL, {"scope": acme.platform.pk}).content.decode()
    assert f'href="{URL}?scope={acme.web.pk}"' in down
    assert f'href="{URL}?scope={acme.sales.pk}"' not in down


def test_the_heat_map_has_a_line_of_the_scopes_own_scores_and_says_how_lines_count(acme):
    # Platform's own decisions cost it points (65); its roll-up with Web is 72.
    HealthScore.objects.filter(team=acme.platform).update(
        decisions=65, overall=68, open_critical=0, open_warning=1
    )
    fx.signal(acme.org, [acme.platform], kind="decisions.overdue", title="Platform decides late")
    fx.signal(acme.org, [acme.web], kind="load.overloaded", title="Web is overloaded")
    client = login(acme.lena)
    html = client.get(URL, {"scope": acme.platform.pk}).content.decode()
    heat = html[html.index('id="heat-h"') : html.index('id="trend-h"')]
    own = heat[heat.index('class="heatmap__own"') : heat.index("</tr>", heat.index("heatmap__own"))]
    assert "Platform itself" in own
    assert re.search(r'<span class="heat__n">65</span> <span class="heat__band">watch</span>', own)
    assert "0 / 1" in own  # its own open signals
    # Between the roll-up and the rows of the teams below it.
    assert heat.index("All of Platform") < heat.index("Platform itself") < heat.index(">Web</a>")
    assert "counts in each of their lines" in heat
    # Its cells open the signals concerning Platform alone, not Web's.
    link = f"?scope={acme.platform.pk}&amp;team={acme.platform.slug}&amp;own=1#signals"
    assert link in own
    listed = client.get(URL, {"scope": acme.platform.pk, "team": acme.platform.pk, "own": "1"})
    assert signal_titles(listed) == ["Platform decides late"]
    assert "concerning Platform itself" in listed.content.decode()
    both = client.get(URL, {"scope": acme.platform.pk, "team": acme.platform.pk})
    assert sorted(signal_titles(both)) == ["Platform decides late", "Web is overloaded"]
    # A team with no team below it has no such line: its first line is its own.
    leaf = client.get(URL, {"scope": acme.web.pk}).content.decode()
    assert "heatmap__own" not in leaf and "itself" not in leaf


def test_a_heat_map_of_many_teams_shows_the_least_healthy_50(acme):
    teams = fx.tree(acme.org, acme.sales, 60, fanout=60)
    today = timezone.localdate()
    HealthScore.objects.filter(team__in=teams).delete()
    for n, t in enumerate(teams):
        fx.health(acme.org, [t], today, score=n)
    html = login(acme.admin).get(URL, {"scope": acme.sales.pk}).content.decode()
    shown = re.findall(r'<th scope="row"><a href="[^"]+scope=(\d+)"', html)
    assert sorted(int(i) for i in shown) == sorted(t.pk for t in teams[:50])
    assert "The 50 least healthy of 60 teams are shown" in html


def test_a_cell_link_filters_the_signals_to_its_dimension(acme):
    fx.signal(acme.org, [acme.web], kind="load.overloaded", title="Web is overloaded")
    fx.signal(acme.org, [acme.web], kind="dependencies.overdue", title="Web waits on Sales")
    client = login(acme.admin)
    titles = signal_titles(client.get(URL, {"scope": acme.web.pk, "dimension": "dependencies"}))
    assert titles == ["Web waits on Sales"]
    assert len(signal_titles(client.get(URL, {"scope": acme.web.pk}))) == 2


def test_trends_are_passed_as_json_for_the_charts_with_a_text_summary(acme):
    today = timezone.localdate()
    for weeks in range(1, 13):
        fx.health(
            acme.org, [acme.root], today - dt.timedelta(weeks=weeks), score=60 + weeks, people=4
        )
    html = login(acme.admin).get(URL).content.decode()
    data = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html)
    import json

    points = json.loads(data.group(1))
    assert len(points) == 13 and points[-1]["overall"] == 72 and points[0]["overall"] == 72
    assert 'aria-label="Health over the last 13 weeks.' in html
    assert "Overall health went from 72" in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script>" not in main  # no inline script of its own


def test_trend_weeks_are_the_briefings_weeks_written_the_one_way(acme):
    # Weekly evaluations on Saturdays: the point of ISO week 48 (23-29 Nov 2026) is its
    # last stored day, Saturday 28 Nov, and says both.
    HealthScore.objects.filter(org=acme.org).delete()
    for day in (dt.date(2026, 11, 21), dt.date(2026, 11, 28), dt.date(2026, 11, 29)):
        fx.health(acme.org, [acme.root], day, score=70)
    point = [p for p in fx_trend(acme) if p["week"] == "2026-W48"]
    assert point == [point[0]] and point[0]["date"] == "2026-11-29"
    HealthScore.objects.filter(org=acme.org, date=dt.date(2026, 11, 29)).delete()
    [w47, w48] = fx_trend(acme)
    assert (w48["week"], w48["week_start"], w48["week_end"]) == (
        "2026-W48",
        "2026-11-23",
        "2026-11-29",
    )
    assert (w48["date"], w48["label"]) == ("2026-11-28", "28 Nov")
    assert w47["week"] == "2026-W47"
    html = login(acme.admin).get(URL).content.decode()
    table = html[html.index('id="trend-h"') : html.index('id="trend-data"')]
    # People read a week by its days, as briefings name it, not by its ISO key.
    assert "<td>23\u201329 Nov 2026</td>" in table and "2026-W48" not in table
    assert "<td>Sat 28 Nov 2026</td>" in table
    assert "2026-11-28" not in table


def fx_trend(acme):
    from accord.intelligence import pages

    return pages.trend(acme.org, pages.scope_of(acme.org, None))


# --- signals: ranking, filters, pagination, new and resolved -------------------------------


def test_the_list_filters_by_kind_severity_state_and_team(acme):
    org = acme.org
    fx.signal(org, [acme.web], kind="load.overloaded", severity="critical", title="A")
    fx.signal(org, [acme.sales], kind="load.overloaded", reach_people=9, title="B")
    fx.signal(org, [acme.sales], kind="decisions.overdue", reach_people=8, title="C")
    fx.signal(org, [acme.web], state=SignalState.RESOLVED, reach_people=7, title="D")
    fx.signal(
        org, [acme.web], kind="initiatives.unaligned", state="dismissed", reach_people=6, title="E"
    )
    client = login(acme.admin)
    scope = {"scope": "all"}
    # By default what needs attention: neither resolved (D) nor dismissed (E).
    assert signal_titles(client.get(URL, scope)) == ["A", "B", "C"]
    assert signal_titles(client.get(URL, {**scope, "kind": "load.overloaded"})) == ["A", "B"]
    assert signal_titles(client.get(URL, {**scope, "severity": "warning"})) == ["B", "C"]
    assert signal_titles(client.get(URL, {**scope, "state": "resolved"})) == ["D"]
    assert signal_titles(client.get(URL, {**scope, "state": "dismissed"})) == ["E"]
    assert signal_titles(client.get(URL, {**scope, "state": ""})) == ["A", "B", "C", "D", "E"]
    assert signal_titles(client.get(URL, {**scope, "team": acme.sales.pk})) == ["B", "C"]
    # The team filter takes a team and everything below it.
    assert signal_titles(client.get(URL, {**scope, "team": acme.platform.pk})) == ["A"]
    assert signal_titles(client.get(URL, {**scope, "team": acme.platform.pk, "state": ""})) == [
        "A",
        "D",
        "E",
    ]
    # Unknown values are ignored, not errors.
    assert signal_titles(client.get(URL, {**scope, "kind": "x", "severity": "huge"})) == [
        "A",
        "B",
        "C",
    ]


def test_the_scope_limits_every_section(acme):
    fx.signal(acme.org, [acme.web], title="On web")
    fx.signal(acme.org, [acme.sales], title="On sales")
    html = login(acme.lena).get(URL).content.decode()  # Platform
    assert "On web" in html and "On sales" not in html


def test_the_team_filter_is_a_search_box_and_names_a_team_outside_the_scope(acme):
    fx.signal(acme.org, [acme.web], title="On web")
    fx.signal(acme.org, [acme.sales], title="On sales")
    client = login(acme.admin)
    response = client.get(URL, {"scope": acme.platform.pk, "team": acme.web.pk})
    html = response.content.decode()
    assert '<select id="f-team"' not in html
    # The chosen team is the picker's value, by its short name (as the other lists), and
    # its name is in the box.
    assert f'name="team" value="{acme.web.slug}" data-picker-value' in html
    assert 'value="Web"' in html
    assert signal_titles(response) == ["On web"]
    # A filter narrows the scope, never widens it: Sales is not within Platform.
    response = client.get(URL, {"scope": acme.platform.pk, "team": acme.sales.pk})
    assert signal_titles(response) == ["On web"]
    html = response.content.decode()
    assert "Sales is not within Platform" in html
    assert f'href="{URL}?scope={acme.sales.pk}#signals"' in html


def test_the_list_is_paginated_by_25_keeping_the_filters(acme):
    for n in range(30):
        fx.signal(acme.org, [acme.web], title=f"S{n:02d}", reach_people=100 - n)
    client = login(acme.admin)
    first = client.get(URL, {"scope": acme.platform.pk, "severity": "warning"})
    assert len(signal_titles(first)) == 25
    assert signal_titles(first)[0] == "S00"  # the widest reach first
    html = first.content.decode()
    assert f"?scope={acme.platform.pk}&amp;severity=warning&amp;state=live&amp;page=2" in html
    second = client.get(URL, {"scope": acme.platform.pk, "severity": "warning", "page": 2})
    assert signal_titles(second) == [f"S{n:02d}" for n in range(25, 30)]


def test_the_default_list_leaves_out_dismissed_signals_which_have_their_filter(acme):
    """What needs attention by default (as the heat-map counts it open); a dismissed signal
    is under its own filter, and under any state."""
    fx.signal(acme.org, [acme.web], title="Needs attention")
    fx.signal(acme.org, [acme.web], title="Put aside", state=SignalState.DISMISSED)
    fx.signal(acme.org, [acme.web], title="Snoozed", state=SignalState.SNOOZED)
    client = login(acme.admin)
    response = client.get(URL, {"scope": acme.platform.pk})
    assert sorted(signal_titles(response)) == ["Needs attention", "Snoozed"]
    assert '<option value="live" selected>Not resolved or dismissed</option>' in (
        response.content.decode()
    )
    dismissed = client.get(URL, {"scope": acme.platform.pk, "state": "dismissed"})
    assert signal_titles(dismissed) == ["Put aside"]
    every = client.get(URL, {"scope": acme.platform.pk, "state": ""})
    assert sorted(signal_titles(every)) == ["Needs attention", "Put aside", "Snoozed"]


def test_top_signals_rank_by_severity_then_reach(acme):
    org = acme.org
    fx.signal(org, [acme.web], severity="warning", reach_people=50, title="Wide warning")
    fx.signal(org, [acme.web], severity="critical", reach_people=2, title="Narrow critical")
    fx.signal(org, [acme.web], severity="critical", reach_people=9, title="Wide critical")
    html = login(acme.admin).get(URL).content.decode()
    top = html[html.index('id="top-h"') : html.index('id="new-h"')]
    order = [top.index(t) for t in ("Wide critical", "Narrow critical", "Wide warning")]
    assert order == sorted(order)


def test_new_and_resolved_since_last_week(acme):
    now = timezone.now()
    org = acme.org
    fx.signal(org, [acme.web], title="Fresh", first_seen=now - dt.timedelta(days=2))
    fx.signal(org, [acme.web], title="Old", first_seen=now - dt.timedelta(days=30))
    fx.signal(
        org,
        [acme.web],
        title="Fixed",
        state=SignalState.RESOLVED,
        first_seen=now - dt.timedelta(days=30),
        resolved_at=now - dt.timedelta(days=3),
    )
    fx.signal(
        org,
        [acme.web],
        title="Fixed long ago",
        state=SignalState.RESOLVED,
        first_seen=now - dt.timedelta(days=60),
        resolved_at=now - dt.timedelta(days=20),
    )
    html = login(acme.admin).get(URL).content.decode()
    new = html[html.index('id="new-h"') : html.index('id="resolved-h"')]
    resolved = html[html.index('id="resolved-h"') : html.index('id="signals"')]
    assert "Fresh" in new and "Old" not in new
    assert "Fixed" in resolved and "Fixed long ago" not in resolved
    assert "All the signals new since last week" not in new  # the card holds them all


def test_more_than_ten_new_signals_lead_to_all_of_them(acme):
    now = timezone.now()
    for n in range(12):
        fx.signal(
            acme.org, [acme.web], title=f"Fresh {n:02}", first_seen=now - dt.timedelta(days=1)
        )
    fx.signal(acme.org, [acme.web], title="Old news", first_seen=now - dt.timedelta(days=30))
    client = login(acme.admin)
    html = client.get(URL).content.decode()
    new = html[html.index('id="new-h"') : html.index('id="resolved-h"')]
    # How many, as the list it links to says: not "10+".
    assert '<span class="tag">12</span>' in new and "new=week#signals" in new
    assert "All 12 signals new since last week" in new
    listed = client.get(URL, {"new": "week"}).content.decode()
    signals = listed[listed.index('id="signals"') :]
    assert "New since last week" in signals
    assert all(f"Fresh {n:02}" in signals for n in range(12))
    assert "Old news" not in signals


# --- one signal ----------------------------------------------------------------------------


def test_a_signal_page_shows_its_evidence_linked_to_the_objects(acme):
    s = fx.signal(acme.org, [acme.web], title="Web is overloaded")
    html = login(acme.viewer).get(f"{URL}signals/{s.pk}/").content.decode()
    assert "Web is overloaded" in html and "Explanation of signal" in html
    assert f'href="/o/acme/teams/{acme.web.slug}/"' in html  # evidence links to the team
    assert "wip limit" in html and "Talk to them." in html
    assert "First seen" in html and "Last seen" in html


def test_a_viewer_sees_no_write_controls_and_a_post_is_refused(acme):
    s = fx.signal(acme.org, [acme.web])
    client = login(acme.viewer)
    html = client.get(f"{URL}signals/{s.pk}/").content.decode()
    assert 'method="post"' not in html.split("<main", 1)[1]
    events = Event.objects.count()
    for data in ({"action": "acknowledge"}, {"action": "dismiss", "reason": "no"}, {}):
        assert client.post(f"{URL}signals/{s.pk}/", data).status_code == 403
    s.refresh_from_db()
    assert s.state == SignalState.OPEN and Event.objects.count() == events


def test_a_member_who_leads_no_concerned_team_cannot_act(acme):
    s = fx.signal(acme.org, [acme.sales])
    assert (
        login(acme.lena).post(f"{URL}signals/{s.pk}/", {"action": "acknowledge"}).status_code == 403
    )
    s.refresh_from_db()
    assert s.state == SignalState.OPEN


def test_a_lead_acknowledges_snoozes_dismisses_and_reopens(acme):
    s = fx.signal(acme.org, [acme.web])
    client = login(acme.lena)
    url = f"{URL}signals/{s.pk}/"
    assert 'value="acknowledge"' in client.get(url).content.decode()
    client.post(url, {"action": "acknowledge"})
    s.refresh_from_db()
    assert s.state == SignalState.ACKNOWLEDGED and s.state_changed_by == acme.lena
    until = timezone.localdate() + dt.timedelta(days=10)
    client.post(url, {"action": "snooze", "until": until.isoformat()})
    s.refresh_from_db()
    assert s.state == SignalState.SNOOZED and s.snoozed_until == until
    client.post(url, {"action": "dismiss", "reason": "A planned migration"})
    s.refresh_from_db()
    assert s.state == SignalState.DISMISSED and s.dismissed_reason == "A planned migration"
    client.post(url, {"action": "reopen"})
    s.refresh_from_db()
    assert s.state == SignalState.OPEN
    verbs = list(
        Event.objects.filter(target_type="intelligence.signal", target_id=str(s.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["acknowledged", "snoozed", "dismissed", "reopened"]
    assert "acknowledged" in client.get(url).content.decode()  # the state history


def test_bad_input_is_explained_and_changes_nothing(acme):
    s = fx.signal(acme.org, [acme.web])
    client = login(acme.lena)
    url = f"{URL}signals/{s.pk}/"
    for data, message in (
        ({"action": "snooze", "until": timezone.localdate().isoformat()}, "after today"),
        ({"action": "snooze", "until": "soon"}, "date"),
        ({"action": "dismiss", "reason": "  "}, "Say why"),
        ({"action": "explode"}, "Choose acknowledge"),
    ):
        page = client.post(url, data, follow=True).content.decode()
        assert message in page, data
    s.refresh_from_db()
    assert s.state == SignalState.OPEN and s.version == 1


def test_a_resolved_signal_offers_no_actions(acme):
    s = fx.signal(acme.org, [acme.web], state=SignalState.RESOLVED)
    html = login(acme.admin).get(f"{URL}signals/{s.pk}/").content.decode()
    assert 'value="acknowledge"' not in html and "Resolved" in html


def test_another_organizations_signal_is_not_found(acme):
    other = fx.signal(acme.other_org, [acme.other_team])
    client = login(acme.admin)
    assert client.get(f"{URL}signals/{other.pk}/").status_code == 404
    assert client.post(f"{URL}signals/{other.pk}/", {"action": "acknowledge"}).status_code == 404
    other.refresh_from_db()
    assert other.state == SignalState.OPEN


# --- panels --------------------------------------------------------------------------------


def test_the_home_page_shows_the_signals_its_reader_owns_or_leads(acme):
    fx.signal(acme.org, [acme.web], title="On a team Lena leads")
    fx.signal(acme.org, [acme.sales], title="Owned by Lena", owner=acme.lena)
    fx.signal(acme.org, [acme.sales], title="Nothing to do with Lena")
    html = login(acme.lena).get("/o/acme/").content.decode()
    assert "Signals on your teams" in html
    assert "On a team Lena leads" in html and "Owned by Lena" in html
    assert "Nothing to do with Lena" not in html
    assert "Signals on your teams" not in login(acme.viewer).get("/o/acme/").content.decode()
    # Two: counted. More than five: the five first, saying what they are, and the way to all.
    panel = html.split('id="insights-home-h"')[1].split("</section>")[0]
    assert '<span class="tag tag--warn">2</span>' in panel and "All of them" not in panel
    for n in range(5):
        fx.signal(acme.org, [acme.web], title=f"Another on Web {n}")
    html = login(acme.lena).get("/o/acme/").content.decode()
    panel = html.split('id="insights-home-h"')[1].split("</section>")[0]
    assert "The 5 most severe, then the widest reaching." in panel
    assert panel.count("<li>") == 5 and "All of them in Insights →" in panel


def test_the_home_panel_ranks_what_its_reader_owns_and_leads_as_one_list(acme):
    """Owned and led signals are read as two lists and merged: in `ranked`'s order."""
    from accord.intelligence import queries

    fx.signal(acme.org, [acme.web], title="Led, warning, wide", reach_people=50)
    fx.signal(acme.org, [acme.sales], title="Owned, critical", owner=acme.lena, severity="critical")
    fx.signal(acme.org, [acme.web], title="Led, info", severity="info")
    fx.signal(acme.org, [acme.sales], title="Owned, warning", owner=acme.lena, reach_people=9)
    html = login(acme.lena).get("/o/acme/").content.decode()
    panel = html.split('id="insights-home-h"')[1].split("</section>")[0]
    shown = re.findall(r'<a href="[^"]+/signals/\d+/">([^<]+)</a>', panel)
    assert shown == ["Owned, critical", "Led, warning, wide", "Owned, warning", "Led, info"]
    every = list(Signal.objects.filter(org=acme.org))
    assert sorted(every, key=queries.rank_key) == list(
        queries.ranked(Signal.objects.filter(org=acme.org))
    )


def test_a_team_page_shows_its_health_and_open_signals(acme):
    fx.signal(acme.org, [acme.web], title="Below Platform")
    fx.signal(acme.org, [acme.web], title="Gone", state=SignalState.RESOLVED)
    fx.signal(acme.org, [acme.sales], title="Elsewhere")
    client = login(acme.viewer)
    page = client.get(f"/o/acme/teams/{acme.platform.slug}/").content.decode()
    # The team page loads the panel once shown, so it does no query for it itself.
    panel_url = f"/o/acme/insights/teams/{acme.platform.pk}/panel/"
    assert f'hx-get="{panel_url}" hx-trigger="load"' in page
    assert f"/o/acme/insights/?scope={acme.platform.pk}" in page  # and a link without script
    html = client.get(panel_url).content.decode()
    assert "Coordination health" in html and "watch" in html
    assert "Below Platform" in html and "Gone" not in html and "Elsewhere" not in html
    assert client.get(f"/o/acme/insights/teams/{acme.other_team.pk}/panel/").status_code == 404


# --- bounded queries -----------------------------------------------------------------------


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_reads_a_bounded_number_of_queries_whatever_the_size(acme):
    client = login(acme.admin)
    today = timezone.localdate()

    def grow(n_teams, n_signals):
        teams = fx.tree(acme.org, acme.root, n_teams)
        fx.health(acme.org, teams, today)
        for k in range(n_signals):
            pair = {teams[k % len(teams)], teams[(k * 7 + 1) % len(teams)]}
            fx.signal(acme.org, sorted(pair, key=lambda t: t.pk))
        return teams

    grow(5, 5)
    client.get(URL)  # the first view of an organization records it in the session
    small = {
        "all": _count(client, URL, {"scope": "all"}),
        "team": _count(client, URL, {"scope": acme.root.pk, "state": ""}),
        "signal": _count(client, f"{URL}signals/{Signal.objects.first().pk}/", {}),
    }
    grow(300, 120)
    large = {
        "all": _count(client, URL, {"scope": "all"}),
        "team": _count(client, URL, {"scope": acme.root.pk, "state": ""}),
        "signal": _count(client, f"{URL}signals/{Signal.objects.first().pk}/", {}),
    }
    assert large == small, (small, large)
    assert max(large.values()) <= 30, large


def test_the_trend_in_words_rounds_as_the_table_does():
    from accord.intelligence.views import _trend_summary

    point = {"date": "2026-11-30", "overall": 88.5, "critical": 1, "warning": 2}
    assert _trend_summary([point]).startswith("Overall health went from 89 on 30 Nov 2026 to 89")


def test_overall_is_not_called_good_while_a_critical_signal_is_open():
    from accord.intelligence.pages import cells_of

    def overall(critical: int) -> tuple[float, str]:
        h = HealthScore(
            rollup_alignment=95, rollup_execution=90, rollup_dependencies=70, rollup_rhythm=95,
            rollup_decisions=90, rollup_overall=88, rollup_open_critical=critical,
        )  # fmt: skip
        [cell] = [c for c in cells_of(h) if c.column == "overall"]
        return cell.score, cell.band

    assert overall(0) == (88, "good")
    assert overall(2) == (88, "watch")  # the score stays; its word does not say all is well
    deps = [c for c in cells_of(HealthScore(rollup_dependencies=70)) if c.column == "dependencies"]
    assert deps[0].band == "watch"


def test_evidence_links_name_what_they_open_and_a_persons_signal_sits_in_their_home_team(acme):
    """A decision waiting is linked by its question, not by the word "Waiting" beside it
    (as a dependency is by its title); a date or a figure keeps its label as the link. A
    signal about a person is under their home team (the one they give most time to), not
    the first of its teams by name; someone in no team: under no team."""
    from accord.decisions import services as decisions

    org = acme.org
    hugo = make_person(org, "Hugo Home", Role.MEMBER)
    for team, allocation in ((acme.sales, 20), (acme.platform, 60)):
        org_services.add_membership(
            org, None, person=hugo, team=team, role=MembershipRole.MEMBER, allocation=allocation
        )
    asked = decisions.create_decision(org, None, "Do we ship on Friday?", hugo)
    s = fx.signal(org, [acme.web, acme.sales], kind="decisions.approver_bottleneck")
    s.subject_type, s.subject_id = "org.person", str(hugo.pk)
    s.evidence = [
        {"label": "Waiting", "value": asked.question, "target_type": "decisions.decision",
         "target_id": str(asked.pk)},
        {"label": "Decide by", "value": "1 Dec 2026", "target_type": "decisions.decision",
         "target_id": str(asked.pk)},
    ]  # fmt: skip
    s.save()
    html = login(acme.admin).get(f"{URL}signals/{s.pk}/").content.decode()
    decision_url = f"/o/acme/decisions/{asked.pk}/"
    assert f'<td>Waiting</td><td><a href="{decision_url}">Do we ship on Friday?</a></td>' in html
    assert f'<td><a href="{decision_url}">Decide by</a></td><td>1 Dec 2026</td>' in html
    crumbs = re.search(r'<nav aria-label="Breadcrumb".*?</nav>', html, re.S).group(0)
    # Platform, where he gives most of his time; not Sales, the first of the signal's
    # teams by name.
    assert f'?scope={acme.platform.pk}">Platform</a>' in crumbs and "Sales" not in crumbs

    nobody = make_person(org, "Nora Nobody", Role.MEMBER)
    s.subject_id = str(nobody.pk)
    s.save()
    html = login(acme.admin).get(f"{URL}signals/{s.pk}/").content.decode()
    crumbs = re.search(r'<nav aria-label="Breadcrumb".*?</nav>', html, re.S).group(0)
    assert "?scope=" not in crumbs and ">Insights</a>" in crumbs


def test_a_team_page_says_why_its_overall_is_held_at_watch(acme):
    """Overall 90 reads "watch", not "good", while a critical signal is open: the panel
    says so, beside dimensions that read good."""
    from accord.intelligence.pages import COLUMNS

    HealthScore.objects.filter(team=acme.platform).update(
        rollup_open_critical=1, **{f"rollup_{c}": 90 for c in COLUMNS}
    )
    html = login(acme.viewer).get(f"/o/acme/insights/teams/{acme.platform.pk}/panel/")
    html = html.content.decode()
    assert '<span class="heat__n">90</span> <span class="heat__band">watch</span>' in html
    assert (
        "Overall is at most watch while a critical signal is open: 1 is open in Platform or "
        "the teams below it." in html
    )
    HealthScore.objects.filter(team=acme.platform).update(rollup_open_critical=0)
    html = login(acme.viewer).get(f"/o/acme/insights/teams/{acme.platform.pk}/panel/")
    assert "at most watch" not in html.content.decode()
