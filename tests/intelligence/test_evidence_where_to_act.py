"""A signal's evidence opens the place where its cause is fixed: an overloaded team's
priority stack (its WIP limit, the initiatives to re-rank), and a cycle's initiatives and
dependencies, each by its name; a dependency signal's dependency, by its name too."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.org.models import Role
from tests.conftest import login, make_person
from tests.intelligence.world import build_org, evaluate_on, live

D = dt.date


def page(w, signal) -> str:
    reader = make_person(w.org, "Rita Reader", Role.ADMIN)
    return login(reader).get(f"/o/{w.org.slug}/insights/signals/{signal.pk}/").content.decode()


def test_an_overloaded_teams_evidence_opens_its_priority_stack(db, clock):
    w = build_org("stackco", {"Platform": 3, "Web": 3})
    platform = w["Platform"]
    for n in range(2):
        alignment.create_initiative(
            w.org, None, team=platform.team, title=f"Extra work {n}", status="active"
        )
    alignment.set_wip_limit(w.org, None, platform.team, 2)
    evaluate_on(w, clock, D(2026, 1, 8))
    [signal] = live(w.org, "load.overloaded", platform.team)
    html = page(w, signal)
    stack = f"/o/{w.org.slug}/alignment/teams/{platform.team.slug}/"
    # Where the limit the explanation names comes from, and where it is changed.
    limit = "Active initiatives, against its WIP limit of 2 (set on its priority stack)"
    assert f'<a href="{stack}">{limit}</a>' in html


def test_a_cycles_initiatives_and_dependencies_are_linked_by_their_names(db, clock):
    w = build_org("circleco", {"Platform": 3, "Web": 3})
    platform, web = w["Platform"], w["Web"]
    deps = []
    for asks, gives in ((platform, web), (web, platform)):
        dep = coordination.create_dependency(
            w.org,
            None,
            requester_initiative=asks.initiative,
            provider_team=gives.team,
            title=f"{gives.team.name} part for {asks.team.name}",
            need_by=D(2026, 3, 1),
        )
        coordination.transition(
            w.org,
            None,
            dep,
            "accept",
            committed_date=D(2026, 3, 1),
            provider_initiative=gives.initiative,
        )
        deps.append(dep)
    evaluate_on(w, clock, D(2026, 1, 8))
    [signal] = live(w.org, "dependencies.cycle")
    html = page(w, signal)
    about = html[html.index("<dt>About</dt>") : html.index("<dt>Teams concerned</dt>")]
    for i in (platform.initiative, web.initiative):
        link = f'<a href="/o/{w.org.slug}/alignment/initiatives/{i.pk}/">{i.title}</a>'
        assert link in about and link in html[html.index('id="evidence-h"') :]
    for d in deps:
        assert f'<a href="/o/{w.org.slug}/coordination/d/{d.pk}/">{d.title}</a>' in html
    assert ">Dependency</a>" not in html


def test_a_blocked_dependencys_signal_links_it_by_its_name(db, clock):
    """The signal page's evidence opens a dependency from its own title, never from the
    word "Dependency"; what it is and between whom stands beside it."""
    w = build_org("blockco", {"Platform": 3, "Web": 3})
    platform, web = w["Platform"], w["Web"]
    dep = coordination.create_dependency(
        w.org,
        None,
        requester_initiative=web.initiative,
        provider_team=platform.team,
        title="Session tokens",
        need_by=D(2026, 3, 1),
    )
    coordination.transition(w.org, None, dep, "flag_blocked", note="Waiting on a vendor")
    evaluate_on(w, clock, D(2026, 1, 8))
    [signal] = live(w.org, "dependencies.blocked")
    html = page(w, signal)
    evidence = html[html.index('id="evidence-h"') : html.index("</table>")]
    link = f'<a href="/o/{w.org.slug}/coordination/d/{dep.pk}/">Session tokens</a>'
    assert link in evidence
    assert "Dependency: Web needs it from Platform" in evidence
    assert ">Dependency</a>" not in html
