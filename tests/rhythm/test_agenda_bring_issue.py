"""Bringing an issue already raised to a meeting's agenda instead of raising it again: one
of a team below the meeting's is escalated up to it (each step recorded, with why); one on
the agenda already is left as it is; one outside the meeting's teams, closed, or not the
bringer's to escalate is refused and nothing changes. Raising a new one like an open issue
first shows that one, to follow or bring."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import services as decisions
from accord.decisions.models import Issue, IssueEscalation
from accord.org import services as org_services
from accord.rhythm import queries, services
from accord.rhythm.models import Cadence
from tests.conftest import at, login
from tests.rhythm.conftest import existed_since, utc

MONDAY = utc(2026, 11, 9, 7)  # before the week's syncs (10:00 in Berlin)


@pytest.fixture
def world(cast, rhythm):
    """The top team's weekly sync (scope: Acme alone), Platform's, and a team below
    Platform (Builds), each with an open issue."""
    builds = org_services.create_team(
        cast.org, None, name="Builds", slug="builds", parent=cast.platform
    )
    top = services.create_cadence_from_template(
        cast.org,
        None,
        "weekly-sync",
        team=cast.root,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
        owner=cast.leader,
        name="Leadership sync",
    )
    existed_since(cast.org)
    with at(MONDAY - dt.timedelta(days=3)):
        issues = {
            "fees": decisions.raise_issue(cast.org, None, cast.root, "Payment fees doubled"),
            "disk": decisions.raise_issue(cast.org, None, cast.platform, "Database disk at 85%"),
            "flaky": decisions.raise_issue(cast.org, None, builds, "Flaky release builds"),
        }
    return {"top": Cadence.objects.get(pk=top.pk), "builds": builds, "issues": issues}


def _url(cadence: Cadence) -> str:
    occ = queries.next_occurrence(cadence, MONDAY)
    return f"/o/acme/rhythm/cadences/{cadence.pk}/{occ.key}/"


def _issues_section(page: str) -> str:
    return page.split('id="section-issues"', 1)[1].split('class="card agenda__section"')[0]


def test_an_issue_of_a_team_below_is_brought_up_to_the_meetings_team(cast, world):
    top, disk = world["top"], world["issues"]["disk"]
    client = login(cast.leader)
    with at(MONDAY):
        page = client.get(_url(top)).content.decode()
        assert "Or bring an issue a team below raised" in page
        assert f'<option value="{disk.pk}">Database disk at 85% (Platform)</option>' in page
        assert "Database disk at 85%" not in _issues_section(page)
        r = client.post(_url(top) + "bring/", {"issue": disk.pk})
        assert r.status_code == 302 and r["Location"].endswith("#section-issues")
        page = html.unescape(client.get(r["Location"]).content.decode())
    assert (
        "“Database disk at 85%” is escalated to Acme: it is on this meeting's agenda, "
        "under “Issues”." in page
    )
    assert "Database disk at 85%" in _issues_section(page)
    disk.refresh_from_db()
    assert disk.team == cast.root and disk.raised_in == cast.platform
    (up,) = IssueEscalation.objects.filter(issue=disk)
    assert up.reason == "Brought to the agenda of Leadership sync by Leo Leader"


def test_two_levels_below_it_is_escalated_a_level_at_a_time(cast, world):
    flaky = world["issues"]["flaky"]
    issue, moved = services.bring_to_agenda(cast.org, cast.leader, world["top"], flaky)
    assert moved and issue.team == cast.root
    steps = IssueEscalation.objects.filter(issue=flaky).order_by("at", "pk")
    assert [(s.from_team.name, s.to_team.name) for s in steps] == [
        ("Builds", "Platform"),
        ("Platform", "Acme"),
    ]


def test_one_on_the_agenda_already_is_left_as_it_is(cast, world):
    fees = world["issues"]["fees"]
    client = login(cast.leader)
    with at(MONDAY):
        r = client.post(_url(world["top"]) + "bring/", {"issue": fees.pk})
        assert r.status_code == 422  # not offered: nothing to bring
    issue, moved = services.bring_to_agenda(cast.org, cast.leader, world["top"], fees)
    assert not moved and issue.team == cast.root
    assert not IssueEscalation.objects.exists()


def test_what_cannot_be_brought_is_refused_and_nothing_changes(cast, rhythm, world):
    fees, flaky = world["issues"]["fees"], world["issues"]["flaky"]
    # Platform's sync: the top team's issue is not of its teams nor below them.
    with pytest.raises(ServiceError) as exc:
        services.bring_to_agenda(cast.org, cast.leader, rhythm.sync, fees)
    assert exc.value.code == "not_in_scope"
    assert "is an issue of Acme, which is neither one of" in exc.value.message
    # A member of Platform may escalate its issues, not those of Builds.
    with pytest.raises(ServiceError) as exc:
        services.bring_to_agenda(cast.org, cast.member, world["top"], flaky)
    assert exc.value.code == "not_allowed"
    assert "Only people of Builds or a leader may escalate its issues" in exc.value.message
    decisions.drop_issue(cast.org, cast.leader, world["issues"]["disk"], reason="Fixed")
    with pytest.raises(ServiceError) as exc:
        services.bring_to_agenda(cast.org, cast.leader, world["top"], world["issues"]["disk"])
    assert exc.value.code == "not_open"
    with pytest.raises(PermissionDenied):
        services.bring_to_agenda(cast.org, cast.viewer, world["top"], flaky)
    assert not IssueEscalation.objects.exists()
    assert Issue.objects.get(pk=flaky.pk).team == world["builds"]
    # On Platform's page: Builds' issue is offered, not the top team's, and that is refused.
    client = login(cast.leader)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/20261109T090000Z/"
    with at(MONDAY):
        offered = client.get(url).content.decode().split('id="bring-issue"', 1)[1]
        offered = offered.split("</form>", 1)[0]
        assert "Flaky release builds (Builds)" in offered and "Payment fees" not in offered
        r = client.post(url + "bring/", {"issue": fees.pk})
    assert r.status_code == 422
    assert "Choose an open issue from the list." in html.unescape(r.content.decode())
    assert Issue.objects.get(pk=fees.pk).team == cast.root


def test_raising_one_like_an_open_issue_shows_it_first(cast, world):
    top = world["top"]
    client = login(cast.leader)
    before = Issue.objects.count()
    with at(MONDAY):
        r = client.post(_url(top) + "agenda/", {"title": "Database disk", "team": cast.root.pk})
        assert r.status_code == 422
        page = html.unescape(r.content.decode())
        assert Issue.objects.count() == before  # nothing raised
        similar = page.split('id="similar-issues"', 1)[1].split("</div>", 1)[0]
        assert "Database disk at 85%" in similar and "Bring it here" in similar
        assert 'value="Database disk"' in page  # what was typed, kept
        # Raised anyway, once it is said not to be one of those.
        r = client.post(
            _url(top) + "agenda/", {"title": "Database disk", "team": cast.root.pk, "again": "1"}
        )
    assert r.status_code == 302
    assert Issue.objects.filter(title="Database disk", team=cast.root).exists()
