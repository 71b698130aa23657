"""Work owned by someone who left names them with "(left)": the shared `who` filter the
pages use for an owner's name, and `name_of` for what Python writes (agenda lines)."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from accord.alignment import services as alignment
from accord.decisions import services as decisions
from accord.org import services
from accord.rhythm import services as rhythm
from accord.web.templatetags.people import name_of
from tests.conftest import login


def test_the_filter_marks_a_deactivated_person_and_escapes_names(cast):
    shown = Template("{{ p|who }}|{{ nobody|who|default:'—' }}")
    assert shown.render(Context({"p": cast.member, "nobody": None})) == "Mia Member|—"
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    cast.member.refresh_from_db()
    html = Template("{{ p|who }}").render(Context({"p": cast.member}))
    assert html == (
        'Mia Member <span class="muted person-left" title="Left the organization">(left)</span>'
    )
    bad = {"name": "<b>Eve</b>", "is_active": False}
    assert Template("{{ p|who }}").render(Context({"p": bad})).startswith("&lt;b&gt;Eve")
    assert name_of(cast.member) == "Mia Member (left)"
    assert name_of(cast.leader) == "Leo Leader"


def test_pages_say_the_owner_left(cast):
    org, mia = cast.org, cast.member
    today = dt.date.today()
    item = decisions.create_action_item(org, None, "Write the runbook", mia, team=cast.platform)
    cadence = rhythm.create_cadence(
        org,
        None,
        name="Platform weekly",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(9),
        timezone_name="UTC",
        team=cast.platform,
        owner=mia,
        start_date=today,
    )
    period = alignment.create_period(
        org, None, name="Now", start=today - dt.timedelta(days=5), end=today + dt.timedelta(60)
    )
    objective = alignment.create_objective(
        org, None, title="Faster checkout", period=period, team=cast.platform, owner=mia
    )
    decision = decisions.create_decision(org, cast.leader, "Adopt trunk-based work?", approver=mia)
    issue = decisions.raise_issue(org, mia, cast.platform, "Flaky tests")
    services.update_person(org, cast.admin, mia, is_active=False)
    client = login(cast.admin)
    left = '<span class="muted person-left" title="Left the organization">(left)</span>'
    for url in (
        f"/o/acme/decisions/actions/{item.pk}/",
        f"/o/acme/rhythm/cadences/{cadence.pk}/",
        f"/o/acme/alignment/objectives/{objective.pk}/",
        f"/o/acme/decisions/{decision.pk}/",  # its approver, who has left
        "/o/acme/decisions/",
        f"/o/acme/decisions/issues/{issue.pk}/",  # raised by her
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert left in page.content.decode(), url
    # The alignment tree reads its owners as rows of values: the same marker.
    tree = client.get(f"/o/acme/alignment/?period={period.pk}").content.decode()
    assert f"Mia Member {left}" in tree
