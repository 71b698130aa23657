"""A proposal of another date or scope, or a counter-proposal, left unanswered raises the
same signal as an unanswered request: counted from the last move that left it waiting on
the side whose move it is, told to that side's lead; and as of a past day, counted as it
was then."""

from __future__ import annotations

import datetime as dt

from accord.coordination import services as coordination
from accord.intelligence import snapshot
from accord.intelligence.detectors import dep_unanswered
from accord.intelligence.registry import discover
from tests.intelligence.world import Clock, build_org, controlled, evaluate_on, live

KIND = "dependencies.unanswered"


def test_a_proposal_and_a_counter_proposal_left_unanswered_are_signalled(db):
    days = discover()[KIND].defaults["days"]
    clock = Clock()
    with controlled(clock):
        w = build_org("haggleco", {"Web": 2, "Data": 2}, checkins=False)
        web, data = w["Web"], w["Data"]
        clock.at(dt.date(2026, 1, 6), 10)
        dep = coordination.create_dependency(
            w.org, None, requester_initiative=web.initiative, provider_team=data.team,
            title="Orders feed", need_by=dt.date(2026, 2, 2),
        )  # fmt: skip
        # Data proposes another date two days later: now Web's move.
        proposed_on = dt.date(2026, 1, 8)
        clock.at(proposed_on, 10)
        coordination.transition(
            w.org, None, dep, "propose", proposed_date=dt.date(2026, 2, 16),
            provider_initiative=data.initiative,
        )  # fmt: skip
        # A day short of the threshold since the proposal (though past it since the ask).
        evaluate_on(w, clock, proposed_on + dt.timedelta(days=days - 1))
        assert live(w.org, KIND, dep) == []
        evaluate_on(w, clock, proposed_on + dt.timedelta(days=days))
        [signal] = live(w.org, KIND, dep)
        assert signal.title == "Web has not answered Data's proposal for Orders feed"
        assert signal.explanation == (
            f"Data proposed another date or scope for Orders feed {days} days ago; Web has "
            "not answered."
        )
        assert signal.next_step == "Web agrees, counter-proposes or cancels."
        assert signal.owner_id == web.lead.pk
        assert signal.numbers["days"] == days
        assert {t.pk for t in signal.teams.all()} == {web.team.pk, data.team.pk}

        # Web counter-proposes: Data's move, counted from the counter-proposal.
        countered_on = proposed_on + dt.timedelta(days=days + 1)
        clock.at(countered_on, 10)
        coordination.transition(
            w.org, None, dep, "counter", proposed_date=dt.date(2026, 2, 9)
        )  # fmt: skip
        evaluate_on(w, clock, countered_on + dt.timedelta(days=days - 1))
        assert live(w.org, KIND, dep) == []
        evaluate_on(w, clock, countered_on + dt.timedelta(days=2 * days))
        [signal] = live(w.org, KIND, dep)
        assert signal.title == "Data has not answered Web's counter-proposal for Orders feed"
        assert signal.owner_id == data.lead.pk
        assert signal.severity == "warning" and signal.numbers["days"] == 2 * days

        # As of a past day, what waited then and since when.
        then = snapshot.load(w.org, proposed_on + dt.timedelta(days=days))
        [found] = [f for f in dep_unanswered(then, {"days": days}) if f.subject_id == str(dep.pk)]
        assert found.title == "Web has not answered Data's proposal for Orders feed"
        assert found.numbers == {"days": days}
        assert then.dependencies[dep.pk].waiting_since == dt.datetime(2026, 1, 8, 10, tzinfo=dt.UTC)
