"""Raising an issue has a page of its own, as every new thing has (a decision, a request to
another team): the issues list links to it at its top; the team is the person's home team
unless the address names another; refused, the form comes back at once with what was
typed, what is wrong said first (focused and read out) and beside its field."""

from __future__ import annotations

import re

from accord.decisions import services
from accord.decisions.models import Issue
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import login

NEW = "/o/acme/decisions/issues/new/"


def _team_box(html: str) -> tuple[str, str]:
    """(the id the team picker carries, the name its box shows)."""
    value = re.search(r'name="team" value="(\d*)" data-picker-value', html).group(1)
    shown = re.search(r'id="id_team"[^>]*value="([^"]*)"', html, re.S).group(1)
    return value, shown


def test_a_members_team_is_filled_in_with_their_own(cast):
    page = login(cast.member).get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Raise an issue</h1>" in html
    assert _team_box(html) == (str(cast.platform.pk), "Platform")


def test_a_head_gets_the_team_they_lead_and_the_address_may_name_another(cast):
    design = org_services.create_team(cast.org, None, name="Design", parent=cast.root)
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD,
        allocation=50,
    )  # fmt: skip
    org_services.add_membership(cast.org, None, person=cast.leader, team=design, allocation=50)
    client = login(cast.leader)
    assert _team_box(client.get(NEW).content.decode())[1] == "Platform"  # led, not first
    named = client.get(NEW, {"team": design.slug}).content.decode()
    assert _team_box(named) == (str(design.pk), "Design")
    # Someone in no team chooses one.
    assert _team_box(login(cast.admin).get(NEW).content.decode()) == ("", "")


def test_the_list_offers_it_first_and_holds_no_form(cast):
    for n in range(3):
        services.raise_issue(cast.org, cast.member, cast.platform, f"Problem {n}")
    html = login(cast.member).get("/o/acme/decisions/issues/?team=").content.decode()
    link = html.index(f'href="{NEW}">Raise an issue</a>')
    assert link < html.index('<ul class="list issues"')
    assert f'action="{NEW}"' not in html and "<textarea" not in html
    # From a team's list, for that team.
    team = login(cast.member).get("/o/acme/decisions/issues/?team=platform").content.decode()
    assert f'href="{NEW}?team=platform">Raise an issue</a>' in team


def test_a_refused_issue_comes_back_at_once_as_typed(cast):
    before = Issue.objects.count()
    answer = login(cast.member).post(
        NEW,
        {"title": "", "team": cast.platform.pk, "severity": "high", "description": "Twice."},
    )
    assert answer.status_code == 422
    html = answer.content.decode()
    form = html[html.index(f'action="{NEW}"') :].split("</form>")[0]
    # What is wrong comes first in the form, focused, each linked to its field.
    summary = form[: form.index('<div class="field')]
    assert 'role="alert"' in summary and "autofocus" in summary
    assert '<a href="#id_title">Title: This field is required.</a>' in summary
    # What was typed is kept.
    assert _team_box(form) == (str(cast.platform.pk), "Platform")
    assert 'value="high" selected' in form and "Twice." in form
    assert "see the form below" not in html
    assert Issue.objects.count() == before


def test_a_raised_issue_goes_to_its_teams_list(cast):
    answer = login(cast.member).post(
        NEW, {"title": "Deploys are slow", "team": cast.platform.pk, "severity": "medium"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/o/acme/decisions/issues/?team=platform"
    assert Issue.objects.get(title="Deploys are slow").team == cast.platform


def test_a_viewer_is_refused_the_page(cast):
    assert login(cast.viewer).get(NEW).status_code == 403
