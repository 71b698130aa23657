"""Health arithmetic, property-tested: bounds, weights, roll-up up the tree by people."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.intelligence import health
from accord.intelligence.config import HEALTH_DEFAULTS
from accord.intelligence.models import DIMENSIONS

KEYS = [*DIMENSIONS, "overall"]


@st.composite
def trees(draw, max_teams=25):
    """(parents, people): a forest where each team's parent comes before it."""
    n = draw(st.integers(1, max_teams))
    parents = {0: None}
    for t in range(1, n):
        parents[t] = draw(st.one_of(st.none(), st.integers(0, t - 1)))
    people = {t: draw(st.integers(0, 30)) for t in parents}
    return parents, people


scores = st.floats(0, 100, allow_nan=False)
severities = st.sampled_from(["info", "warning", "critical"])


def subtree(t, parents):
    out = {t}
    grew = True
    while grew:
        grew = False
        for c, p in parents.items():
            if p in out and c not in out:
                out.add(c)
                grew = True
    return out


@st.composite
def signal_costs(draw, team_ids):
    return [
        health.SignalCost(
            signal_id=i,
            kind="k",
            title="t",
            dimension=draw(st.sampled_from(DIMENSIONS)),
            severity=draw(severities),
            team_ids=draw(st.sets(st.sampled_from(team_ids), max_size=3)),
            costs=draw(st.booleans()),
        )
        for i in range(draw(st.integers(0, 40)))
    ]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), tree=trees())
def test_every_score_stays_within_0_and_100(data, tree):
    parents, people = tree
    signals = data.draw(signal_costs(list(parents)))
    measures = {
        t: {"late_checkin_share": data.draw(st.floats(0, 1)), "unaligned_share": 1.0}
        for t in parents
    }
    out = health.compute(parents, people, signals, measures, HEALTH_DEFAULTS)
    for th in out.values():
        for k in KEYS:
            assert 0 <= th.scores[k] <= 100
            assert 0 <= th.rollup[k] <= 100


@settings(max_examples=60, deadline=None)
@given(data=st.data(), tree=trees())
def test_a_rollup_is_the_people_weighted_mean_of_the_subtree(data, tree):
    parents, people = tree
    own = {t: {k: data.draw(scores) for k in KEYS} for t in parents}
    rolled = health.weighted_rollup(parents, own, people, KEYS)
    for t in parents:
        members = subtree(t, parents)
        weight = sum(people[m] for m in members)
        for k in KEYS:
            if weight:
                expected = sum(people[m] * own[m][k] for m in members) / weight
            else:
                expected = sum(own[m][k] for m in members) / len(members)
            assert abs(rolled[t][k] - expected) < 1e-6
            low = min(own[m][k] for m in members)
            high = max(own[m][k] for m in members)
            assert low - 1e-9 <= rolled[t][k] <= high + 1e-9
        if len(members) == 1:  # a leaf's roll-up is its own score
            assert all(abs(rolled[t][k] - own[t][k]) < 1e-9 for k in KEYS)


@settings(max_examples=50, deadline=None)
@given(
    dims=st.fixed_dictionaries({d: scores for d in DIMENSIONS}),
    weights=st.fixed_dictionaries({d: st.floats(0, 10) for d in DIMENSIONS}),
)
def test_overall_is_the_weighted_mean_of_the_dimensions(dims, weights):
    total = sum(weights.values())
    got = health.overall(dims, weights)
    if total > 0:
        expected = sum(dims[d] * weights[d] for d in DIMENSIONS) / total
    else:
        expected = sum(dims.values()) / len(DIMENSIONS)
    assert abs(got - expected) < 1e-6
    assert min(dims.values()) - 1e-9 <= got <= max(dims.values()) + 1e-9


@settings(max_examples=50, deadline=None)
@given(data=st.data(), tree=trees(max_teams=10))
def test_one_more_costing_signal_never_raises_a_score(data, tree):
    parents, people = tree
    signals = data.draw(signal_costs(list(parents)))
    extra = health.SignalCost(
        None, "k", "t", data.draw(st.sampled_from(DIMENSIONS)), data.draw(severities),
        {data.draw(st.sampled_from(list(parents)))},
    )  # fmt: skip
    before = health.compute(parents, people, signals, {}, HEALTH_DEFAULTS)
    after = health.compute(parents, people, [*signals, extra], {}, HEALTH_DEFAULTS)
    for t in parents:
        for k in KEYS:
            assert after[t].scores[k] <= before[t].scores[k] + 1e-9
            assert after[t].rollup[k] <= before[t].rollup[k] + 1e-9


def test_points_follow_the_penalties_and_are_explained():
    parents, people = {1: None, 2: 1}, {1: 2, 2: 8}
    signals = [
        health.SignalCost(7, "dependencies.overdue", "Late API", "dependencies", "critical", {2}),
        health.SignalCost(8, "issues.stuck", "Stuck", "decisions", "warning", {2}, costs=False),
    ]
    out = health.compute(parents, people, signals, {2: {"late_checkin_share": 0.5}},
                         HEALTH_DEFAULTS)  # fmt: skip
    team = out[2]
    assert team.scores["dependencies"] == 75  # critical: 25 points
    assert team.scores["decisions"] == 100  # dismissed: costs nothing, still counted
    assert team.scores["rhythm"] == 90  # half the check-ins late: 20 * 0.5
    assert team.counts == {"info": 0, "warning": 0, "critical": 1}  # dismissed: not open
    assert team.explanation["dependencies"] == [
        {"reason": "Late API", "kind": "dependencies.overdue", "points": 25.0, "signal_id": 7}
    ]
    assert team.explanation["rhythm"][0]["points"] == 10.0
    # The parent (2 people, all 100) rolls up with its child (8 people): 0.2·100 + 0.8·75.
    assert out[1].rollup["dependencies"] == 80
    assert out[1].rollup_people == 10
    assert out[1].rollup_counts == {"info": 0, "warning": 0, "critical": 1}
    weights = {**HEALTH_DEFAULTS, "weights": {d: 0.0 for d in DIMENSIONS} | {"dependencies": 1}}
    assert health.compute(parents, people, signals, {}, weights)[2].scores["overall"] == 75


def test_a_person_in_two_teams_of_a_subtree_counts_once_in_its_people():
    parents = {1: None, 2: 1, 3: 1, 4: 3}
    members = {1: {10}, 2: {11, 12}, 3: {12, 13}, 4: {13, 14}}
    people = {t: len(ids) for t, ids in members.items()}
    out = health.compute(parents, people, [], {}, HEALTH_DEFAULTS, members)
    assert out[1].rollup_people == 5  # 10..14, though the teams hold 7 memberships
    assert out[3].rollup_people == 3  # 12, 13, 14
    assert out[2].rollup_people == 2
    assert health.distinct_people(parents, members) == {1: 5, 2: 2, 3: 3, 4: 2}


def test_a_signal_concerning_two_teams_of_a_subtree_counts_once_in_its_roll_up():
    parents = {1: None, 2: 1, 3: 1, 4: 3}
    people = dict.fromkeys(parents, 1)
    signals = [  # one request between two teams under 1; one concerning 4 and its parent 3
        health.SignalCost(7, "dependencies.blocked", "API", "dependencies", "critical", {2, 3}),
        health.SignalCost(8, "load.overloaded", "Busy", "execution", "warning", {3, 4}),
    ]
    out = health.compute(parents, people, signals, {}, HEALTH_DEFAULTS)
    assert out[1].rollup_counts == {"info": 0, "warning": 1, "critical": 1}
    assert out[3].rollup_counts == {"info": 0, "warning": 1, "critical": 1}
    assert out[4].rollup_counts == {"info": 0, "warning": 1, "critical": 0}
    assert out[2].rollup_counts == {"info": 0, "warning": 0, "critical": 1}
    assert [out[t].counts["critical"] for t in (1, 2, 3, 4)] == [0, 1, 1, 0]  # their own


# --- nothing to judge: no score, not 100 -------------------------------------------------

maybe_scores = st.one_of(st.none(), scores)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), tree=trees())
def test_a_dimension_with_nothing_to_judge_has_no_score_and_is_left_out_of_overall(data, tree):
    parents, people = tree
    signals = data.draw(signal_costs(list(parents)))
    judged = {t: data.draw(st.sets(st.sampled_from(DIMENSIONS))) for t in parents}
    out = health.compute(parents, people, signals, {}, HEALTH_DEFAULTS, judged=judged)
    for t, th in out.items():
        concerned = {s.dimension for s in signals if t in set(s.team_ids)}
        for d in DIMENSIONS:
            # A score where there are inputs or a signal (dismissed too), else none.
            assert (th.scores[d] is None) == (d not in judged[t] | concerned)
        scored = [th.scores[d] for d in DIMENSIONS if th.scores[d] is not None]
        if scored:
            assert abs(th.scores["overall"] - sum(scored) / len(scored)) < 1e-6
        else:
            assert th.scores["overall"] is None
            assert health.why_unscored(th.scores) == "; ".join(
                dict.fromkeys(health.NOTHING_TO_JUDGE.values())
            )
        assert health.left_out(th.scores) == {
            d: health.NOTHING_TO_JUDGE[d] for d in DIMENSIONS if th.scores[d] is None
        }


@settings(max_examples=60, deadline=None)
@given(data=st.data(), tree=trees())
def test_a_rollup_averages_only_the_teams_of_the_subtree_that_have_a_score(data, tree):
    parents, people = tree
    own = {t: {k: data.draw(maybe_scores) for k in KEYS} for t in parents}
    rolled = health.weighted_rollup(parents, own, people, KEYS)
    for t in parents:
        for k in KEYS:
            have = [m for m in subtree(t, parents) if own[m][k] is not None]
            weight = sum(people[m] for m in have)
            if not have:
                assert rolled[t][k] is None
                continue
            if weight:
                expected = sum(people[m] * own[m][k] for m in have) / weight
            else:
                expected = sum(own[m][k] for m in have) / len(have)
            assert abs(rolled[t][k] - expected) < 1e-6


@settings(max_examples=50, deadline=None)
@given(data=st.data(), tree=trees(max_teams=10))
def test_one_more_signal_never_raises_a_dimension_nor_takes_a_score_away(data, tree):
    parents, people = tree
    signals = data.draw(signal_costs(list(parents)))
    judged = {t: data.draw(st.sets(st.sampled_from(DIMENSIONS))) for t in parents}
    extra = health.SignalCost(
        None, "k", "t", data.draw(st.sampled_from(DIMENSIONS)), data.draw(severities),
        {data.draw(st.sampled_from(list(parents)))},
    )  # fmt: skip
    before = health.compute(parents, people, signals, {}, HEALTH_DEFAULTS, judged=judged)
    after = health.compute(parents, people, [*signals, extra], {}, HEALTH_DEFAULTS, judged=judged)
    for t in parents:
        for d in DIMENSIONS:
            if before[t].scores[d] is not None:
                assert after[t].scores[d] <= before[t].scores[d] + 1e-9
            if before[t].rollup[d] is not None:
                assert after[t].rollup[d] is not None


def test_a_department_of_silent_teams_does_not_count_as_healthy():
    # A department (10 people in it, nothing to judge) above one team with a score of 75.
    parents, people = {1: None, 2: 1, 3: 1}, {1: 10, 2: 1, 3: 4}
    signals = [health.SignalCost(7, "k", "Late", "dependencies", "critical", {2})]
    judged = {2: {"dependencies"}}  # team 3 (4 people) has nothing either
    out = health.compute(parents, people, signals, {}, HEALTH_DEFAULTS, judged=judged)
    assert out[2].scores["overall"] == 75  # its one dimension, not (75 + 4 * 100) / 5
    assert out[1].scores["overall"] is None and out[3].scores["overall"] is None
    assert out[3].rollup["overall"] is None
    assert out[1].rollup["overall"] == 75  # not (10 * 100 + 75 + 4 * 100) / 15
    assert out[1].rollup["rhythm"] is None
    assert health.unscored_reason(out[3].scores).startswith("Not enough activity to score: ")
    # Where the scored dimensions weigh nothing, there is no overall either, and why.
    weights = {**HEALTH_DEFAULTS, "weights": {d: 0.0 for d in DIMENSIONS} | {"rhythm": 1}}
    out = health.compute(parents, people, signals, {}, weights, judged=judged)
    assert out[2].scores["overall"] is None
    assert health.why_unscored(out[2].scores) == (
        "only dependencies had anything to judge, and it weighs nothing in the overall score"
    )


@settings(max_examples=50, deadline=None)
@given(data=st.data(), tree=trees(max_teams=12))
def test_open_counts_are_the_signals_not_dismissed_of_the_team_and_its_subtree(data, tree):
    """A dismissed signal is not counted as open, in a team's line or any line above it."""
    parents, people = tree
    signals = data.draw(signal_costs(list(parents)))
    out = health.compute(parents, people, signals, {}, HEALTH_DEFAULTS)
    for t in parents:
        below = subtree(t, parents)
        for severity in ("info", "warning", "critical"):
            of = [s for s in signals if s.costs and s.severity == severity]
            assert out[t].counts[severity] == sum(t in s.team_ids for s in of)
            assert out[t].rollup_counts[severity] == sum(bool(below & s.team_ids) for s in of)
