"""Planning the next quarter: closing a period early asks plainly (its open objectives stop
being judged) and says which period is current afterwards, which every page agrees on;
"orphaned" means one thing (no proposed or active work serves it); carry-over and a
closed period's tree count open objectives in the same words; the priority stack keeps the
period shown; an organization objective has no team; a cascaded objective starts owned by
its team's lead."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from accord.alignment import queries
from accord.alignment import services as s
from accord.alignment.models import Initiative, Objective, Period, PeriodState
from accord.core.errors import ServiceError
from accord.org import services as org_services
from accord.web.templatetags.dates import day
from tests.conftest import login, make_person

PERIODS = "/o/acme/alignment/periods/"


def _text(response) -> str:
    """The page as read: tags dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def _now_period(cast, name: str = "Now", **kwargs) -> Period:
    """A period running from 30 days ago to 30 days ahead, marked current."""
    today = timezone.localdate()
    period = s.create_period(
        cast.org,
        None,
        name=name,
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=30),
        **kwargs,
    )
    s.set_current_period(cast.org, cast.leader, period)
    return period


def _objectives(cast, period) -> None:
    """Two unfinished open objectives, one complete but not scored, one achieved."""
    org = cast.org
    s.create_objective(org, None, title="Ship it", period=period, team=cast.platform)
    s.create_objective(
        org, None, title="Plan it", period=period, team=cast.platform, status="draft"
    )
    done = s.create_objective(org, None, title="Done", period=period, team=cast.platform)
    s.create_key_result(org, None, done, name="Shipped", target=10, current=10)
    s.create_objective(
        org, None, title="Scored", period=period, team=cast.platform, status="achieved"
    )


def _close_url(period) -> str:
    return f"{PERIODS}{period.pk}/close/"


def test_closing_a_period_early_asks_for_a_tick_saying_its_objectives_stop_being_judged(cast):
    now = _now_period(cast)
    _objectives(cast, now)
    client = login(cast.leader)
    # The Periods page's Close leads to the confirmation, not to a question easily skipped.
    assert f'href="{_close_url(now)}"' in client.get(PERIODS).content.decode()
    asked = client.get(_close_url(now))
    said = _text(asked)
    assert asked.status_code == 200
    assert (
        f"Now runs until {day(now.end)}. Closing it now stops judging its 3 open objectives: "
        "their signals leave Insights and the health scores."
    ) in said
    assert "3 open: 2 unfinished, 1 complete but not scored." in said
    assert 'name="early"' in asked.content.decode()
    # Not ticked: refused, and nothing closed.
    refused = client.post(_close_url(now), {})
    assert refused.status_code == 422
    assert "Tick this to close the period before its end." in _text(refused)
    now.refresh_from_db()
    assert now.state != PeriodState.CLOSED
    # Ticked: closed.
    done = client.post(_close_url(now), {"early": "on"})
    assert done.status_code == 302
    now.refresh_from_db()
    assert now.state == PeriodState.CLOSED


def test_closing_early_with_one_open_objective_says_its_signals(cast):
    now = _now_period(cast)
    s.create_objective(cast.org, None, title="Ship it", period=now, team=cast.platform)
    said = _text(login(cast.leader).get(_close_url(now)))
    assert ("Closing it now stops judging its 1 open objective: its signals leave Insights") in said


def test_closing_an_ended_period_needs_no_tick(cast, plan):
    client = login(cast.leader)
    assert plan.q2.end < timezone.localdate()
    said = _text(client.get(_close_url(plan.q2)))
    assert "runs until" not in said
    assert client.post(_close_url(plan.q2), {}).status_code == 302
    plan.q2.refresh_from_db()
    assert plan.q2.is_closed


def _train(cast) -> Period:
    """An open period overlapping today, not marked current."""
    today = timezone.localdate()
    return s.create_period(
        cast.org,
        None,
        name="Release train",
        kind="custom",
        start=today - dt.timedelta(days=10),
        end=today + dt.timedelta(days=60),
        state="active",
    )


def test_the_close_page_says_which_period_becomes_current_and_the_pages_agree(cast):
    now = _now_period(cast)
    train = _train(cast)
    client = login(cast.leader)
    said = _text(client.get(_close_url(now)))
    assert (
        "Now is the current period; after closing, Release train becomes the current period."
        in said
    )
    assert client.post(_close_url(now), {"early": "on"}).status_code == 302
    assert queries.current_period(cast.org) == train
    # The periods page, the chooser and the page's default period say the same.
    periods = client.get(PERIODS).content.decode()
    row = periods.split("Release train</a>")[1].split("</td>")[0]
    assert "current" in row
    tree = client.get("/o/acme/alignment/").content.decode()
    assert f'<option value="{train.pk}" selected>Release train (current)' in tree
    assert "Now (current)" not in tree
    team = client.get("/o/acme/alignment/teams/platform/").content.decode()
    assert "Release train (current)" in team


def test_closing_can_make_another_period_current(cast):
    now = _now_period(cast)
    _train(cast)
    today = timezone.localdate()
    later = s.create_period(
        cast.org,
        None,
        name="Next quarter",
        start=today + dt.timedelta(days=31),
        end=today + dt.timedelta(days=120),
    )
    client = login(cast.leader)
    page = client.get(_close_url(now)).content.decode()
    assert f'<option value="{later.pk}">Mark Next quarter current</option>' in page
    r = client.post(_close_url(now), {"early": "on", "then_current": later.pk}, follow=True)
    assert (
        "Now is closed; its key-result values are frozen. Next quarter is the current period."
        in _text(r)
    )
    later.refresh_from_db()
    assert later.is_current and later.state == PeriodState.ACTIVE
    assert queries.current_period(cast.org) == later
    # The service refuses to make current the period it closes.
    other = _now_period(cast, "Also now", kind="custom")
    with pytest.raises(ServiceError):
        s.close_period(cast.org, cast.leader, other, then_current=other)


def test_proposed_work_serves_an_objective_on_the_pages_as_in_insights(cast):
    """A planning period's objective served by a proposed initiative through its key result
    is not orphaned (the signal already counted proposed work); one nothing serves is."""
    org = cast.org
    today = timezone.localdate()
    nxt = s.create_period(
        org,
        None,
        name="Next",
        start=today + dt.timedelta(days=40),
        end=today + dt.timedelta(days=130),
    )
    served = s.create_objective(org, None, title="Served", period=nxt, team=cast.platform)
    kr = s.create_key_result(org, None, served, name="Latency", target=10)
    alone = s.create_objective(org, None, title="Alone", period=nxt, team=cast.platform)
    s.create_initiative(org, None, team=cast.platform, title="Cache", key_results=[kr])
    assert Initiative.objects.get(title="Cache").status == "proposed"
    served.refresh_from_db()
    alone.refresh_from_db()
    assert (served.covered, served.orphaned) == (True, False)
    assert alone.orphaned
    page = html.unescape(
        login(cast.leader).get(f"/o/acme/alignment/?period={nxt.pk}").content.decode()
    )
    assert "No proposed or active initiative serves it" in page
    assert page.count('class="tag tag--bad" title="No proposed or active') == 1
    assert list(queries.orphaned_objectives(org, nxt)) == [alone]


def test_a_planning_period_tree_says_its_live_figures_are_todays(cast):
    _now_period(cast)
    today = timezone.localdate()
    nxt = s.create_period(
        cast.org,
        None,
        name="Next",
        start=today + dt.timedelta(days=40),
        end=today + dt.timedelta(days=130),
    )
    client = login(cast.leader)
    said = _text(client.get(f"/o/acme/alignment/?period={nxt.pk}"))
    assert (
        "Unaligned initiatives and teams over WIP count the work under way now, whatever "
        "period is shown: the same on every period, not what Next plans."
    ) in said
    assert "count the work under way now, whatever" not in _text(client.get("/o/acme/alignment/"))


def test_carry_over_counts_open_objectives_in_the_close_pages_words(cast):
    org = cast.org
    now = _now_period(cast)
    _objectives(cast, now)
    today = timezone.localdate()
    s.create_period(
        org,
        None,
        name="Next",
        start=today + dt.timedelta(days=31),
        end=today + dt.timedelta(days=120),
    )
    client = login(cast.leader)
    asked = [
        html.unescape(t)
        for t in re.findall(r'data-confirm="([^"]*)"', client.get(PERIODS).content.decode())
    ]
    carry = next(t for t in asked if t.startswith("Carry ") and " of Now " in t)
    assert carry.startswith(
        "Carry 2 unfinished objectives of Now into the chosen period? 3 open: 2 unfinished, "
        "1 complete but not scored (not carried). Their key results start from their "
        "current values"
    )
    nxt = Period.objects.get(org=org, name="Next")
    r = client.post(f"{PERIODS}{now.pk}/carry-over/", {f"c{now.pk}-to_period": nxt.pk}, follow=True)
    assert "their key results start from their current values" in _text(r)
    s.close_period(org, cast.leader, now)
    tree = _text(client.get(f"/o/acme/alignment/?period={now.pk}"))
    assert (
        "Now is closed and 3 of its objectives are still open (2 of them were carried over "
        "into a later period, where the work goes on): score each"
    ) in tree


def test_the_arrows_keep_the_period_shown(cast, plan):
    a = s.create_initiative(cast.org, None, team=cast.platform, title="A", status="active")
    s.create_initiative(cast.org, None, team=cast.platform, title="B", status="active")
    client = login(cast.admin)
    url = f"/o/acme/alignment/teams/platform/?period={plan.q2.pk}"
    page = html.unescape(client.get(url).content.decode())
    assert f'action="/o/acme/alignment/teams/platform/stack/move/?period={plan.q2.pk}"' in page
    r = client.post(
        f"/o/acme/alignment/teams/platform/stack/move/?period={plan.q2.pk}",
        {"initiative_id": a.pk, "position": "down", "moved": "down", "shown": 1},
    )
    assert r.status_code == 302
    assert r["Location"] == f"{url}#move-{a.pk}-up"


def test_an_organization_objective_has_no_team(cast, plan):
    client = login(cast.leader)
    new = "/o/acme/alignment/objectives/new/"
    r = client.post(
        new,
        {
            "title": "Grow margins",
            "period": plan.q2.pk,
            "level": "org",
            "team": cast.platform.pk,
            "status": "active",
            "weight": 1,
        },
    )
    assert r.status_code == 422
    assert "An organization objective belongs to no team" in _text(r)
    assert not Objective.objects.filter(title="Grow margins").exists()
    with pytest.raises(ServiceError, match="belongs to no team"):
        s.create_objective(
            cast.org, cast.leader, title="Grow", period=plan.q2, level="org", team=cast.platform
        )
    # Without a team it is made, with no team.
    r = client.post(
        new,
        {"title": "Grow margins", "period": plan.q2.pk, "level": "org", "team": "",
         "status": "active", "weight": 1},
    )  # fmt: skip
    assert r.status_code == 302
    assert Objective.objects.get(title="Grow margins").team is None
    # The form started for an organization objective leaves the team empty.
    org_services.add_membership(cast.org, None, person=cast.leader, team=cast.platform)
    assert client.get(new).context["form"]["team"].value() == cast.platform.pk
    form = client.get(new + "?level=org").context["form"]
    assert (form["level"].value(), form["team"].value()) == ("org", None)


def test_a_cascaded_objective_left_without_owner_is_owned_by_its_teams_lead(cast, plan):
    lead = make_person(cast.org, "Lena Lead", "member")
    org_services.add_membership(cast.org, None, person=lead, team=cast.platform, role="lead")
    client = login(cast.leader)
    url = f"/o/acme/alignment/objectives/new/?parent={plan.company.pk}&team=platform"
    form = client.get(url).context["form"]
    assert form["owner"].value() is None
    assert form.fields["owner"].help_text == "Left empty: the team's lead owns it."
    post = {"title": "Child of", "period": plan.q1.pk, "level": "team",
            "team": cast.platform.pk, "owner": "", "status": "active",
            "parent": plan.company.pk, "weight": 1}  # fmt: skip
    assert client.post(url, post).status_code == 302
    assert Objective.objects.get(title="Child of").owner == lead
    # Changeable: another owner chosen is saved.
    r = client.post(url, {**post, "title": "Child too", "owner": cast.member.pk})
    assert r.status_code == 302
    assert Objective.objects.get(title="Child too").owner == cast.member
    # Not given by the service on its own.
    made = s.create_objective(
        cast.org, None, title="Child", period=plan.q1, team=cast.platform, parents=[plan.company]
    )
    assert made.owner is None
