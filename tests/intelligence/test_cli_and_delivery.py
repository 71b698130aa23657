"""`accord signals` and `accord health`; who is told about a new critical signal; the
debounced evaluation after writes; the catalogue open to other apps' detectors."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Notification
from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.core.models import ScheduledRun
from accord.intelligence import evaluate, notifications, registry, tasks
from accord.intelligence.models import Evaluation, Signal
from accord.org import services as org_services
from accord.org.models import MembershipRole


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_signals_prints_a_readable_table_and_json(cast, blocked):
    text = run("signals", "--org", "acme")
    assert text.startswith("Acme: 1 signal\n")
    assert "CRITICAL  dependencies.blocked  open   2/3" in text
    assert "Payments API, which Platform needs from Acme by" in text
    data = json.loads(run("signals", "--org", "acme", "--team", "platform", "--json"))
    assert data["count"] == 1
    assert data["signals"][0]["evidence"][0]["label"] == "Payments API"
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert run("signals", "--org", "acme", "--as-of", yesterday).startswith("Acme: 0 signals")


def test_health_prints_the_team_and_the_teams_below(cast, blocked):
    text = run("health", "--org", "acme")
    lines = text.splitlines()
    assert lines[0].startswith("Acme: coordination health on ")
    assert lines[1].split() == [
        "TEAM", "PEOPLE", "ALIGNMENT", "EXECUTION", "DEPENDENCIES", "RHYTHM", "DECISIONS",
        "OVERALL", "CRIT", "WARN",
    ]  # fmt: skip
    # Platform's one initiative serves nothing (alignment 80) and both teams carry the
    # blocked request (dependencies 75); Acme (1 person) and Platform (2) weigh 1:2. The
    # one critical signal concerns both teams, and counts once in Acme's subtree. No team
    # has a check-in, meeting, decision, action item or issue: rhythm and decisions are
    # not scored (n/a), not 100, and overall is the mean of what has a score: Acme 75
    # (its dependency alone), Platform 85 (80, 100, 75), so (75 + 2 * 85) / 3.
    assert lines[3].split() == ["Acme", "3", "80", "100", "75", "n/a", "n/a", "82", "1", "0"]
    assert lines[4].split()[:2] == ["Platform", "2"]
    assert "n/a: not scored, nothing to judge (left out of overall)." in text
    data = json.loads(run("health", "--org", "acme", "--team", "platform", "--json"))
    assert data["teams"][0]["team"] == "Platform"
    assert data["teams"][0]["dependencies"] == 75
    assert data["teams"][0]["rhythm"] is None and data["teams"][0]["reason"] is None
    assert data["teams"][0]["left_out"] == {
        "rhythm": "no check-ins or meetings due in the last 8 weeks",
        "decisions": "no decisions, action items or issues in the last 8 weeks",
    }


def test_health_rounds_its_figures_as_the_insights_page_does(cast, blocked):
    from accord.intelligence.models import HealthScore
    from tests.conftest import login

    run("health", "--org", "acme")  # computed and stored
    HealthScore.objects.filter(org=cast.org, team=cast.root).update(
        rollup_alignment=94.5, rollup_execution=78.5
    )
    row = run("health", "--org", "acme").splitlines()[3].split()
    assert row[:4] == ["Acme", "3", "95", "79"]  # f"{94.5:.0f}" is "94"
    page = login(cast.admin).get("/o/acme/insights/?scope=all").content.decode()
    assert ">95<" in page.replace(" ", "") and ">79<" in page.replace(" ", "")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--team", "nope"], "No team 'nope' in Acme."),
        (["--as-of", "yesterday"], "--as-of takes a date like 2026-03-31"),
        (["--org", "missing"], "No organization 'missing'."),
    ],
)
def test_bad_options_stop_with_a_plain_message(cast, args, message):
    for command in ("signals", "health"):
        with pytest.raises(CommandError, match=message):
            run(command, *(["--org", "acme"] if "--org" not in args else []), *args)


def test_signals_refuses_a_state_or_kind_no_signal_has(cast):
    from accord.core.errors import ServiceError

    with pytest.raises(ServiceError, match="Unknown state 'bogus'"):
        run("signals", "--org", "acme", "--state", "bogus")
    with pytest.raises(ServiceError, match="Unknown kind of signal 'nope'"):
        run("signals", "--org", "acme", "--kind", "nope")


def test_the_owner_of_a_new_critical_signal_is_told_once_a_week_unless_muted(cast, blocked):
    signal = blocked.signal
    assert notifications.recipients(cast.org, [signal]) == [(cast.admin, signal)]
    assert notifications.announce_new_critical(cast.org, [signal]) == 1
    assert notifications.recipients(cast.org, [signal]) == []  # told already this week
    later = timezone.now() + dt.timedelta(days=8)
    assert notifications.recipients(cast.org, [signal], now=later) == [(cast.admin, signal)]
    delivery.set_preferences(
        cast.org, cast.admin, cast.admin, muted_kinds=["signal.dependencies.blocked"]
    )
    assert notifications.recipients(cast.org, [signal], now=later) == []
    # Nobody is told about another organization's signal, nor about a non-critical one.
    assert notifications.recipients(cast.other_org, [signal]) == []
    signal.severity = "warning"
    assert notifications.recipients(cast.org, [signal], now=later) == []


def test_a_new_critical_signal_is_announced_when_its_evaluation_commits(
    cast, blocked, django_capture_on_commit_callbacks
):
    from accord.activity.models import Event

    Signal.objects.filter(pk=blocked.signal.pk).delete()
    with django_capture_on_commit_callbacks(execute=True):
        evaluate.evaluate(cast.org)
    told = Event.objects.filter(target_type="intelligence.signal", verb="told")
    assert [(e.after["person"], e.after["kind"]) for e in told] == [
        (cast.admin.pk, "dependencies.blocked")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        evaluate.evaluate(cast.org)  # not new any more
    assert told.count() == 1
    assert Notification.objects.filter(kind="signal.dependencies.blocked").count() == 1


def in_working_hours(minutes: int) -> dt.datetime:
    """`minutes` after now, or after the next working day starts (UTC: the cast's zone):
    when a signal's notice queued now has gone out."""
    return notifications.working_hours_from(timezone.now(), dt.UTC) + dt.timedelta(minutes=minutes)


def test_a_new_critical_signal_reaches_its_owner_and_team_chat_once(
    cast, blocked, smtp, good_hook, django_capture_on_commit_callbacks
):
    # The flag's own notice (accord.conversation.inbox) is out already, to Lara alone (the
    # admin muted flag notices: the signal is what tells them).
    delivery.deliver()
    assert [m["X-Rcpt"] for m in smtp.messages if "blocked" in m["Subject"]] == [blocked.lead.email]
    smtp.messages.clear()
    delivery.add_chat_webhook(cast.org, None, cast.root, url=good_hook.url, flavor="slack")
    Signal.objects.filter(pk=blocked.signal.pk).delete()
    with django_capture_on_commit_callbacks(execute=True):
        evaluate.evaluate(cast.org)
    assert smtp.messages == [] and good_hook.posts == []  # the worker sends, not evaluation
    assert delivery.deliver(now=in_working_hours(1))["sent"] == 2
    [mail] = smtp.messages
    assert mail["X-Rcpt"] == cast.admin.email
    assert mail["Subject"] == "Critical: Payments API is blocked"
    signal = Signal.objects.get(org=cast.org, kind="dependencies.blocked")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Payments API" in body and f"/insights/signals/{signal.pk}/" in body
    [post] = good_hook.posts
    assert "Critical: Payments API is blocked" in post["text"]
    # Evaluating again, and delivering again, sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        evaluate.evaluate(cast.org)
    delivery.deliver(now=in_working_hours(2))
    assert len(smtp.messages) == 1 and len(good_hook.posts) == 1


def test_a_signal_that_turns_critical_reaches_its_owner_once(
    cast, smtp, django_capture_on_commit_callbacks
):
    # Acme (the admin alone, its lead) accepts two of Platform's requests due in 3 days: an
    # overloaded provider (warning). Once they are late, the same signal is critical.
    org, today = cast.org, timezone.localdate()
    org_services.add_membership(
        org, None, person=cast.admin, team=cast.root, role=MembershipRole.LEAD
    )
    checkout = alignment.create_initiative(
        org, None, team=cast.platform, title="Checkout", status="active"
    )
    payments = alignment.create_initiative(org, None, team=cast.root, title="Payments")
    for title in ("Payments API", "Refunds API"):
        dep = coordination.create_dependency(
            org, None, requester_initiative=checkout, provider_team=cast.root,
            title=title, need_by=today + dt.timedelta(days=3),
        )  # fmt: skip
        coordination.transition(
            org, cast.admin, dep, "accept", provider_initiative=payments, committed_date=dep.need_by
        )

    def evaluate_and_deliver(days: int) -> list[str]:
        before = len(smtp.messages)
        # After the writes above, whatever the time of day: an evaluation as of a moment
        # before them sees the organization without them (the snapshot replays history).
        at = timezone.now() + dt.timedelta(days=days)
        with django_capture_on_commit_callbacks(execute=True):
            evaluate.evaluate(org, at)
        delivery.deliver(now=in_working_hours(days + 1))
        told = smtp.messages[before:]
        return [f"{m['X-Rcpt']}: {m['Subject']}" for m in told if "Critical" in m["Subject"]]

    assert evaluate_and_deliver(0) == []
    signal = Signal.objects.get(org=org, kind="load.overloaded")
    assert signal.severity == "warning"
    sent = evaluate_and_deliver(5)
    signal.refresh_from_db()
    assert signal.severity == "critical" and signal.first_seen < signal.last_seen
    assert sent.count(f"{cast.admin.email}: Critical: Acme is overloaded") == 1
    assert evaluate_and_deliver(6) == []  # still critical: nothing new to tell


def test_muted_signal_kinds_are_listed_with_every_other_kind_of_notice(cast):
    listed = {k.kind: k for k in delivery.kinds()}
    assert listed["signal.dependencies.blocked"].group == "Insights"
    assert set(notifications.KINDS) == {f"signal.{k}" for k in registry.discover()} | {
        notifications.PUT_ASIDE
    }


def test_writes_ask_for_one_evaluation_per_organization_per_window(cast, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(tasks, "_claimed", {})
    now = 1_800_000_000.0
    start = dt.datetime.fromtimestamp(now, tz=dt.UTC)
    assert tasks.request_evaluation(cast.org.pk, now) is True
    assert tasks.request_evaluation(cast.org.pk, now + 10) is False
    monkeypatch.setattr(tasks, "_claimed", {})  # another process: the database says no
    assert tasks.request_evaluation(cast.org.pk, now + 20) is False
    assert tasks.request_evaluation(cast.other_org.pk, now + 20) is True
    # The next window: while the first is still queued (not started) it reads these writes
    # too, so no second one queues up behind it; once it has started, a next one is queued.
    claim = ScheduledRun.objects.get(
        job=f"intelligence.evaluate:{cast.org.pk}",
        slot=int(now // tasks.DEBOUNCE_SECONDS) * tasks.DEBOUNCE_SECONDS,
    )
    first = DBTaskResult.objects.get(pk=claim.result_id)
    assert first.status == "READY"
    monkeypatch.setattr(tasks, "_claimed", {})
    assert tasks.request_evaluation(cast.org.pk, now + tasks.DEBOUNCE_SECONDS) is False
    DBTaskResult.objects.filter(pk=first.pk).update(status="RUNNING")
    assert tasks.request_evaluation(cast.org.pk, now + tasks.DEBOUNCE_SECONDS) is True
    # (Counted in this test's window only: rows of real time may be left by other tests.)
    slots = [int(t // tasks.DEBOUNCE_SECONDS) * tasks.DEBOUNCE_SECONDS for t in (now, now + 300)]
    mine = ScheduledRun.objects.filter(job__startswith="intelligence.evaluate:", slot__in=slots)
    assert sorted(mine.values_list("job", "slot")) == sorted(
        [
            (f"intelligence.evaluate:{cast.org.pk}", slots[0]),
            (f"intelligence.evaluate:{cast.other_org.pk}", slots[0]),
            (f"intelligence.evaluate:{cast.org.pk}", slots[1]),
        ]
    )
    queued = DBTaskResult.objects.filter(task_path__endswith="evaluate_org", run_after__gte=start)
    assert queued.count() == 3
    assert all(r.run_after is not None for r in queued)


def test_an_event_of_any_pillar_asks_for_an_evaluation_after_commit(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    from accord.org import services as org_services

    asked = []
    monkeypatch.setattr(tasks, "request_evaluation", lambda org_id: asked.append(org_id))
    with django_capture_on_commit_callbacks(execute=True):
        org_services.create_team(cast.org, None, name="Billing", parent=cast.root)
    assert asked == [cast.org.pk]


def test_the_periodic_task_evaluates_every_organization(cast, blocked):
    assert tasks.evaluate_all.call() == 2
    assert tasks.evaluate_org.call(cast.org.pk) == 1
    assert tasks.evaluate_org.call(999_999) == 0


def test_another_app_adds_a_detector_without_editing_a_central_list(cast, blocked):
    @registry.detector("test.always", title="Always", dimension="rhythm")
    def always(snap, cfg):
        yield registry.Found(
            kind="test.always", subject_type="org.team", subject_id=str(cast.platform.pk),
            subject_label="Platform", severity="info", title="Always", explanation="Always.",
            next_step="Nothing.", team_ids={cast.platform.pk},
        )  # fmt: skip

    try:
        evaluate.evaluate(cast.org)
        assert Signal.objects.filter(org=cast.org, kind="test.always").count() == 1
    finally:
        registry.DETECTORS.pop("test.always")


def test_refresh_evaluates_first_and_backfill_fills_past_weeks(cast, blocked):
    coordination.transition(cast.org, None, blocked.dep, "clear_flag")
    assert "1 signal" in run("signals", "--org", "acme")  # as stored
    assert run("signals", "--org", "acme", "--refresh").startswith("Acme: 0 signals")
    before = Evaluation.objects.filter(org=cast.org, backfill=True).count()
    run("health", "--org", "acme", "--backfill", "2")
    assert Evaluation.objects.filter(org=cast.org, backfill=True).count() == before + 2


def test_health_on_a_date_before_any_stored_points_to_backfill_not_refresh(cast, blocked):
    """--refresh computes today's health, so it cannot answer for a past date: the message
    names --backfill, which computes past weeks from the organization's history."""
    run("health", "--org", "acme", "--refresh")
    with pytest.raises(CommandError, match="on or before 2020-01-06: `accord health --backfill"):
        run("health", "--org", "acme", "--as-of", "2020-01-06")
