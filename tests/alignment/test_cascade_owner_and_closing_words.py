"""A contributing objective is owned by the lead of whichever team is chosen when no owner
is; a closed period's organization objective offers no team, and its form says when nothing
changed; the close page says plainly what happens; "orphaned" is said in one sentence; the
initiatives' period filter names the current and closed periods as every chooser does."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.utils import timezone

from accord.alignment import services as s
from accord.alignment.models import Objective
from accord.org import services as org_services
from tests.alignment.test_planning_next_quarter import _now_period
from tests.conftest import login, make_person

NEW = "/o/acme/alignment/objectives/new/"
PERIODS = "/o/acme/alignment/periods/"


def _text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def _sales_lead(cast, plan):
    lena = make_person(cast.org, "Lena Lead", "member")
    org_services.add_membership(cast.org, None, person=lena, team=plan.sales, role="lead")
    return lena


def test_a_contribution_is_owned_by_the_lead_of_the_team_chosen_when_left_empty(cast, plan):
    lena = _sales_lead(cast, plan)
    # The admin stands in the top team only: not the team a contribution goes to.
    org_services.add_membership(cast.org, None, person=cast.admin, team=cast.root)
    client = login(cast.admin)
    url = f"{NEW}?parent={plan.platform_obj.pk}"
    page = client.get(url)
    form = page.context["form"]
    # A contribution to a team's objective starts with no team (nor its owner) guessed.
    assert (form["team"].value(), form["owner"].value()) == (None, None)
    assert "Left empty: the team's lead owns it." in _text(page)
    r = client.post(
        url,
        {"title": "Sell checkout", "period": plan.q1.pk, "level": "team",
         "team": plan.sales.pk, "owner": "", "status": "active",
         "parent": plan.platform_obj.pk, "weight": 1},
        follow=True,
    )  # fmt: skip
    made = Objective.objects.get(title="Sell checkout")
    assert made.owner == lena  # the lead of the team chosen, not of the one first shown
    assert "Lena Lead, Sales's lead, owns it." in _text(r)
    # An owner chosen is kept.
    client.post(
        url,
        {"title": "Sell more", "period": plan.q1.pk, "level": "team", "team": plan.sales.pk,
         "owner": cast.member.pk, "status": "active", "parent": plan.platform_obj.pk,
         "weight": 1},
    )  # fmt: skip
    assert Objective.objects.get(title="Sell more").owner == cast.member
    # A contribution to an organization objective starts in the person's own team.
    form = client.get(f"{NEW}?parent={plan.company.pk}").context["form"]
    assert form["team"].value() == cast.root.pk


def test_a_new_objective_not_cascaded_is_not_given_an_owner(cast, plan):
    _sales_lead(cast, plan)
    client = login(cast.leader)
    client.post(
        NEW,
        {"title": "Own thing", "period": plan.q1.pk, "level": "team", "team": plan.sales.pk,
         "owner": "", "status": "active", "weight": 1},
    )  # fmt: skip
    assert Objective.objects.get(title="Own thing").owner is None
    assert "Left empty: the team's lead owns it." not in _text(client.get(NEW))


def test_a_closed_periods_organization_objective_offers_no_team(cast, plan):
    s.close_period(cast.org, cast.leader, plan.q1)
    client = login(cast.leader)
    edit = f"/o/acme/alignment/objectives/{plan.company.pk}/edit/"
    page = client.get(edit).content.decode()
    assert 'name="team"' not in page
    assert 'for="id_team"' not in page
    # The owner is shown, not to change: its search box is disabled.
    owner = page.split('data-picker-name="owner"')[1].split("</div>")[0]
    assert re.search(r'<input type="search"[^>]*\bdisabled\b', owner)
    assert re.search(r"data-picker-value disabled", owner)
    # A team posted anyway changes nothing, and the page does not say "Saved.".
    r = client.post(edit, {"status": "active", "team": cast.platform.pk}, follow=True)
    plan.company.refresh_from_db()
    assert plan.company.team is None
    said = _text(r)
    assert "Saved." not in said
    assert "Nothing to save: it is as it was." in said
    r = client.post(edit, {"status": "achieved"}, follow=True)
    assert "Saved." in _text(r)
    plan.company.refresh_from_db()
    assert plan.company.status == "achieved"


def test_the_close_page_says_plainly_what_closing_does(cast):
    org = cast.org
    now = _now_period(cast)
    s.create_objective(org, None, title="Ship it", period=now, team=cast.platform)
    today = timezone.localdate()
    train = s.create_period(
        org, None, name="Release train 2027.1", kind="custom",
        start=today - dt.timedelta(days=40), end=today + dt.timedelta(days=60), state="active",
    )  # fmt: skip
    client = login(cast.leader)
    r = client.get(f"{PERIODS}{now.pk}/close/")
    said, page = _text(r), r.content.decode()
    assert "Its key-result values will be frozen as a read-only record." in said
    assert "as it falls" not in said
    assert '<option value="" selected>Let the dates decide</option>' in page
    assert (
        "Left to the dates, the open period containing today is current (Release train 2027.1 "
        "after closing)."
    ) in said
    assert f'<option value="{train.pk}">Mark Release train 2027.1 current</option>' in page
    # One open objective, unfinished: no count of none complete.
    assert "0 complete" not in said and 'id="close-counts"' not in page
    # The train starts before Now: nothing later to carry into, so carry-over is not said.
    assert "Carry over" not in said
    later = s.create_period(
        org, None, name="Next", start=today + dt.timedelta(days=31),
        end=today + dt.timedelta(days=120),
    )  # fmt: skip
    assert later.pk
    r = client.get(f"{PERIODS}{now.pk}/close/")
    assert (
        "After closing, Carry over unfinished on the Periods page copies the unfinished ones "
        "into a later period."
    ) in _text(r)
    assert f'href="{PERIODS}#period-{now.pk}"' in r.content.decode()
    assert f'id="period-{now.pk}"' in client.get(PERIODS).content.decode()


MEANING = (
    "No proposed or active initiative serves it (directly, through a key result, or through "
    "a contributing objective)"
)


def test_orphaned_is_said_in_one_sentence_by_the_tag_and_the_counts(cast, plan):
    s.create_objective(cast.org, None, title="Alone", period=plan.q1, team=cast.platform)
    client = login(cast.leader)
    tree = html.unescape(client.get(f"/o/acme/alignment/?period={plan.q1.pk}").content.decode())
    assert f'title="{MEANING}">orphaned' in tree
    assert f'<small class="muted">{MEANING}</small>' in tree
    team = html.unescape(client.get("/o/acme/alignment/teams/platform/").content.decode())
    assert f'<small class="muted">{MEANING}</small>' in team
    assert "no proposed or active work serves them" not in tree + team


def test_the_initiatives_period_filter_names_the_current_and_closed_periods(cast, plan):
    s.close_period(cast.org, cast.leader, plan.q2)
    page = login(cast.leader).get("/o/acme/alignment/initiatives/").content.decode()
    assert f'<option value="{plan.q1.pk}">Q1 2026 (current)</option>' in page
    assert f'<option value="{plan.q2.pk}">Q2 2026 (closed)</option>' in page
