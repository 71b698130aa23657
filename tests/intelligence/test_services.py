"""Acknowledge, snooze, dismiss and reopen: validated, recorded, allowed to the right people,
and kept (or not) across evaluations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.coordination import services as coordination
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from accord.intelligence import evaluate, services
from accord.intelligence.models import (
    HealthScore,
    Signal,
    SignalEpisode,
    SignalState,
    SignalTeam,
)
from accord.org import services as org_services
from accord.org.models import Role
from tests.conftest import make_person


def events(signal, verb):
    return list(Event.objects.filter(target_type="intelligence.signal", target_id=str(signal.pk),
                                     verb=verb))  # fmt: skip


def test_a_signal_names_its_teams_owner_and_evidence(cast, blocked):
    s = blocked.signal
    assert s.severity == "critical"
    assert s.owner_id == cast.admin.pk  # the provider's lead
    teams = set(SignalTeam.objects.filter(signal=s).values_list("team_id", flat=True))
    assert teams == {cast.root.pk, cast.platform.pk}
    # The dependency by its own name, linked; then its teams and its date.
    assert [e["label"] for e in s.evidence] == [
        "Payments API",
        "Requester",
        "Provider",
        "Needed by",
    ]
    assert s.evidence[0]["value"] == "Dependency: Platform needs it from Acme"
    assert s.explanation.startswith("Payments API, which Platform needs from Acme by ")


def test_a_leader_acknowledges_and_an_event_records_it(cast, blocked):
    s = services.acknowledge(cast.org, cast.leader, blocked.signal)
    assert s.state == SignalState.ACKNOWLEDGED
    assert s.state_changed_by == cast.leader
    [event] = events(s, "acknowledged")
    assert event.before == {"state": "open", "state_changed_at": None, "state_changed_by": None}
    assert event.after["state"] == "acknowledged"
    assert event.actor == cast.leader
    # The feed names the signal as its page does, not by the detector's code.
    assert event.target_label == s.title and s.kind not in event.target_label


def test_the_lead_of_a_concerned_team_snoozes_until_a_date(cast, blocked):
    until = timezone.localdate() + dt.timedelta(days=7)
    s = services.snooze(cast.org, blocked.lead, blocked.signal, until.isoformat())
    assert (s.state, s.snoozed_until) == (SignalState.SNOOZED, until)
    assert events(s, "snoozed")[0].after["snoozed_until"] == until.isoformat()


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_a_member_who_leads_no_concerned_team_and_a_viewer_may_not(cast, blocked, who):
    person = getattr(cast, who)
    for action in (
        lambda: services.acknowledge(cast.org, person, blocked.signal),
        lambda: services.dismiss(cast.org, person, blocked.signal, "Not ours"),
        lambda: services.snooze(
            cast.org, person, blocked.signal, timezone.localdate() + dt.timedelta(days=2)
        ),
    ):
        with pytest.raises(PermissionDenied):
            action()
    blocked.signal.refresh_from_db()
    assert blocked.signal.state == SignalState.OPEN and blocked.signal.version == 1
    assert not Event.objects.filter(target_type="intelligence.signal").exists()


def test_another_organizations_signal_is_not_found(cast, blocked):
    with pytest.raises(NotFound):
        services.acknowledge(cast.other_org, cast.outsider, blocked.signal)
    blocked.signal.refresh_from_db()
    assert blocked.signal.state == SignalState.OPEN


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda c, s: services.dismiss(c.org, c.admin, s, "   "), "reason"),
        (lambda c, s: services.snooze(c.org, c.admin, s, timezone.localdate()), "until"),
        (lambda c, s: services.snooze(c.org, c.admin, s, "next week"), "until"),
        (lambda c, s: services.snooze(c.org, c.admin, s, "2999-01-01"), "until"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_changes_nothing(cast, blocked, call, field):
    with pytest.raises(ServiceError) as exc:
        call(cast, blocked.signal)
    assert field in exc.value.fields
    blocked.signal.refresh_from_db()
    assert blocked.signal.state == SignalState.OPEN and blocked.signal.version == 1


def test_a_stale_version_is_refused(cast, blocked):
    services.acknowledge(cast.org, cast.admin, blocked.signal)
    with pytest.raises(ServiceError) as exc:
        services.dismiss(cast.org, cast.admin, blocked.signal, "Fine", expected_version=1)
    assert exc.value.status == 409


def test_dismissed_keeps_its_state_and_costs_no_health_until_reopened(cast, blocked):
    evaluate.evaluate(cast.org)
    health = HealthScore.objects.get(org=cast.org, team=cast.platform)
    assert health.dependencies == 75
    assert (health.open_critical, health.rollup_open_critical) == (1, 1)
    root = HealthScore.objects.get(org=cast.org, team=cast.root)
    assert root.rollup_open_critical == 1
    services.dismiss(cast.org, cast.admin, blocked.signal, "The vendor call is on Monday")
    evaluate.evaluate(cast.org)
    blocked.signal.refresh_from_db()
    assert blocked.signal.state == SignalState.DISMISSED
    assert blocked.signal.dismissed_reason == "The vendor call is on Monday"
    health = HealthScore.objects.get(org=cast.org, team=cast.platform)
    assert health.dependencies == 100
    # Nor is it counted as open: not in the team's line, nor in the line above.
    assert (health.open_critical, health.rollup_open_critical) == (0, 0)
    assert HealthScore.objects.get(org=cast.org, team=cast.root).rollup_open_critical == 0
    s = services.reopen(cast.org, cast.admin, blocked.signal)
    assert s.state == SignalState.OPEN and s.dismissed_reason == ""
    evaluate.evaluate(cast.org)
    health = HealthScore.objects.get(org=cast.org, team=cast.platform)
    assert (health.dependencies, health.open_critical) == (75, 1)
    assert [e.verb for e in Event.objects.filter(target_type="intelligence.signal")] == [
        "reopened",
        "dismissed",
    ]


def test_a_snooze_lapses_on_its_date_and_a_resolved_signal_reopens_as_a_new_episode(cast, blocked):
    today = timezone.localdate()
    services.snooze(cast.org, cast.admin, blocked.signal, today + dt.timedelta(days=2))
    evaluate.evaluate(cast.org, today + dt.timedelta(days=2))
    blocked.signal.refresh_from_db()
    assert blocked.signal.state == SignalState.SNOOZED  # the last day of the snooze
    evaluate.evaluate(cast.org, today + dt.timedelta(days=3))
    blocked.signal.refresh_from_db()
    assert blocked.signal.state == SignalState.OPEN
    # The flag is cleared: the cause is gone, the signal resolves; flagged again, it is back.
    coordination.transition(cast.org, None, blocked.dep, "clear_flag")
    run = evaluate.evaluate(cast.org, today + dt.timedelta(days=4))
    blocked.signal.refresh_from_db()
    assert run.resolved >= 1 and blocked.signal.state == SignalState.RESOLVED
    with pytest.raises(ServiceError):
        services.acknowledge(cast.org, cast.admin, blocked.signal)
    blocked.dep.refresh_from_db()
    coordination.transition(cast.org, None, blocked.dep, "flag_blocked", note="Again")
    evaluate.evaluate(cast.org, today + dt.timedelta(days=5))
    blocked.signal.refresh_from_db()
    assert blocked.signal.state == SignalState.OPEN and blocked.signal.resolved_at is None
    stretches = list(SignalEpisode.objects.filter(signal=blocked.signal).order_by("started_at"))
    assert [e.ended_at is None for e in stretches] == [False] * (len(stretches) - 1) + [True]
    assert blocked.signal.first_seen.date() == today + dt.timedelta(days=5)


def test_recomputing_never_duplicates_a_signal(cast, blocked):
    for _ in range(3):
        evaluate.evaluate(cast.org)
    assert (
        blocked.signal.__class__.objects.filter(org=cast.org, kind="dependencies.blocked").count()
        == 1
    )


def test_settings_are_for_admins_and_validated(cast):
    with pytest.raises(PermissionDenied):
        services.update_settings(cast.org, cast.leader, detectors={})
    with pytest.raises(ServiceError) as exc:
        services.update_settings(cast.org, cast.admin, detectors={"nope": {}})
    assert "detectors" in exc.value.fields
    with pytest.raises(ServiceError):
        services.update_settings(
            cast.org, cast.admin, detectors={"dependencies.unanswered": {"days": "five"}}
        )
    with pytest.raises(ServiceError):
        services.update_settings(cast.org, cast.admin, health={"weights": {"rhythm": -1}})
    row = services.update_settings(
        cast.org,
        cast.admin,
        detectors={"dependencies.unanswered": {"days": 2}, "priorities.churn": {"enabled": False}},
        health={"weights": {"rhythm": 2}},
    )
    assert row.detectors["dependencies.unanswered"] == {"days": 2}
    from accord.intelligence import config

    cfg = config.for_org(cast.org)
    assert cfg.detectors["dependencies.unanswered"]["days"] == 2
    assert cfg.detectors["priorities.churn"]["enabled"] is False
    assert cfg.health["weights"]["rhythm"] == 2 and cfg.health["weights"]["alignment"] == 1


def test_a_signal_found_again_keeps_its_facts_or_takes_the_new_ones(cast, blocked):
    """Unchanged, only `last_seen` moves; changed (a concerned team grew), it is rewritten."""
    before = blocked.signal
    later = timezone.now() + dt.timedelta(hours=1)
    evaluate.evaluate(cast.org, later)
    s = Signal.objects.get(pk=before.pk)
    assert s.last_seen == later
    kept = ("first_seen", "state", "severity", "explanation", "evidence", "reach_people")
    assert [getattr(s, f) for f in kept] == [getattr(before, f) for f in kept]
    newcomer = make_person(cast.org, "Nina New", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=newcomer, team=cast.platform)
    evaluate.evaluate(cast.org, later + dt.timedelta(hours=1))
    s = Signal.objects.get(pk=before.pk)
    assert s.reach_people == before.reach_people + 1
    assert s.last_seen == later + dt.timedelta(hours=1) and s.first_seen == before.first_seen


def test_an_evaluation_reads_before_its_transaction_and_writes_only_inside(cast, blocked):
    """On SQLite a transaction holds the database's write lock from its start: reading the
    stored signals, episodes and team links happens before it (steady state)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    evaluate.evaluate(cast.org)
    with CaptureQueriesContext(connection) as ctx:
        evaluate.evaluate(cast.org)
    sql = [q["sql"] for q in ctx.captured_queries]
    start = next(
        i
        for i, s in enumerate(sql)
        if s.startswith("SAVEPOINT") and "intelligence_intelligencesettings" in sql[i + 1]
    )
    inside = sql[start:]
    assert any("intelligence_signalepisode" in s for s in sql[:start])  # read before
    reads = [s for s in inside if s.startswith("SELECT") and "intelligence_signal" in s]
    assert all("intelligence_signalteam" not in s for s in reads)
    assert all("intelligence_signalepisode" not in s for s in reads)
    # Not the stored facts (read as text to compare): only whether a person changed a
    # signal meanwhile, and which are newly critical (to announce).
    assert all("CAST(" not in s.upper() for s in reads)


def test_a_person_acting_on_a_signal_while_it_is_evaluated_is_not_overwritten(
    cast, blocked, monkeypatch
):
    """A snooze lapses at an evaluation; if its owner snoozes it again while the
    evaluation reads, the evaluation plans again inside its transaction."""
    today = timezone.localdate()
    services.snooze(cast.org, cast.admin, blocked.signal, today + dt.timedelta(days=1))
    planned = []
    plan = evaluate._plan_signals

    def plan_while_someone_acts(org, found, moment):
        got = plan(org, found, moment)
        if not planned:  # the first plan sees the lapsed snooze; then the admin acts
            signal = Signal.objects.get(pk=blocked.signal.pk)
            services.snooze(cast.org, cast.admin, signal, today + dt.timedelta(days=9))
        planned.append(got)
        return got

    monkeypatch.setattr(evaluate, "_plan_signals", plan_while_someone_acts)
    evaluate.evaluate(cast.org, today + dt.timedelta(days=2))
    assert len(planned) == 2
    assert blocked.signal.pk in dict(planned[0].rewrite)  # the first plan would reopen it
    blocked.signal.refresh_from_db()
    assert blocked.signal.state == SignalState.SNOOZED
    assert blocked.signal.snoozed_until == today + dt.timedelta(days=9)
