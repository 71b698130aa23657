"""Briefings reach each person by e-mail (a real SMTP server) on their own day and hour in
their own time zone, once per week; turning it off stops them; a team may ask for a chat
summary. Rebuilding a sent week gives what was stored."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django_tasks_db.models import DBTaskResult

from accord.activity import delivery
from accord.briefings import compose, queries, services, tasks
from accord.briefings.models import Briefing
from accord.core import scheduler
from accord.core.models import ScheduledRun
from accord.intelligence import evaluate
from accord.org import services as org_services
from tests.briefings.world import WEEK, build_story
from tests.intelligence.world import Clock, build_org, controlled
from tests.rhythm.servers import good_hook, smtp  # noqa: F401  (fixtures)

UTC = dt.UTC


@pytest.fixture
def clock():
    c = Clock()
    CLOCK.append(c)
    with controlled(c):
        yield c
    CLOCK.remove(c)


CLOCK: list[Clock] = []


def run_worker(at: dt.datetime) -> dict:
    """What the worker's two jobs do at `at`: plan the due briefings, then deliver."""
    CLOCK[-1].now = at
    planned = services.send_due(at)
    delivery.deliver(at)
    return planned


def give_address(org, person, tz: str):
    slug = person.name.lower().replace(" ", ".")
    org_services.update_person(org, None, person, email=f"{slug}@mail.example", timezone=tz)
    person.refresh_from_db()
    return person


def to(inbox, person) -> list:
    return [m for m in inbox.messages if m["X-Rcpt"] == person.email]


def test_each_person_gets_it_on_their_own_day_and_hour_once_a_week(db, clock, smtp):  # noqa: F811
    clock.at(dt.date(2026, 1, 5), 9)
    w = build_org("mail", {"Platform": 2, "Web": 2}, checkins=False)
    tokyo = give_address(w.org, w["Platform"].lead, "Asia/Tokyo")  # default: Monday 08:00
    york = give_address(w.org, w["Web"].lead, "America/New_York")
    services.set_schedule(w.org, york, york, weekday=2, hour=17)  # Wednesday 17:00
    services.set_schedule(w.org, w.admin, w.admin, enabled=False)
    # Monday 12 January, 08:00 in Tokyo (Sunday 23:00 UTC) was Tokyo's first: 2026-W02.
    assert run_worker(dt.datetime(2026, 1, 12, 9, 0, tzinfo=UTC)) == {
        "people": 1,
        "teams": 0,
        "more": 0,
    }
    assert len(to(smtp, tokyo)) == 1
    # Wednesday 14 January, 17:00 in New York (22:00 UTC): hers, not a minute before.
    run_worker(dt.datetime(2026, 1, 14, 21, 59, tzinfo=UTC))
    assert to(smtp, york) == []
    run_worker(dt.datetime(2026, 1, 14, 22, 0, tzinfo=UTC))
    assert len(to(smtp, york)) == 1
    assert len(smtp.messages) == 2

    # Monday 19 January, 07:59 in Tokyo: not yet. 08:00: Tokyo's briefing of 2026-W03.
    assert run_worker(dt.datetime(2026, 1, 18, 22, 59, tzinfo=UTC)) == {
        "people": 0,
        "teams": 0,
        "more": 0,
    }
    assert len(smtp.messages) == 2
    assert run_worker(dt.datetime(2026, 1, 18, 23, 0, tzinfo=UTC))["people"] == 1
    mail = to(smtp, tokyo)[-1]
    # The e-mail names the week by its days, as people write it, not by its ISO key.
    assert mail["Subject"].strip() == "Your briefing: Platform: the week of 12\u201318 Jan 2026"
    body = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "no signals recorded yet" in body  # nothing evaluated this organization yet
    assert "/briefings/" in body and 'class="briefing"' in html
    stored = Briefing.objects.get(person=tokyo, week="2026-W03")
    assert stored.timezone == "Asia/Tokyo"
    assert stored.starts_at == dt.datetime(2026, 1, 11, 15, 0, tzinfo=UTC)  # Mon 00:00 Tokyo

    # The worker runs again (or restarts) all week: nothing is sent twice.
    for hour in (23, 24, 40):
        run_worker(dt.datetime(2026, 1, 18, tzinfo=UTC) + dt.timedelta(hours=hour))
    assert len(smtp.messages) == 3

    # Wednesday 21 January, 17:00 in New York (22:00 UTC): hers, not before.
    run_worker(dt.datetime(2026, 1, 21, 21, 59, tzinfo=UTC))
    assert len(to(smtp, york)) == 1
    run_worker(dt.datetime(2026, 1, 21, 22, 0, tzinfo=UTC))
    assert len(to(smtp, york)) == 2
    assert Briefing.objects.get(person=york, week="2026-W03").timezone == "America/New_York"
    run_worker(dt.datetime(2026, 1, 21, 22, 5, tzinfo=UTC))
    assert len(smtp.messages) == 4

    # She turns it off: the next week brings Tokyo's, not hers.
    services.set_schedule(w.org, york, york, enabled=False)
    run_worker(dt.datetime(2026, 1, 25, 23, 0, tzinfo=UTC))
    run_worker(dt.datetime(2026, 1, 28, 22, 0, tzinfo=UTC))
    assert len(to(smtp, tokyo)) == 3 and len(to(smtp, york)) == 2
    assert Briefing.objects.filter(person=york).count() == 2


def test_nobody_gets_a_briefing_of_a_week_before_they_joined(db, clock, smtp):  # noqa: F811
    clock.at(dt.date(2026, 1, 14), 9)  # a Wednesday of 2026-W03
    w = build_org("new", {"Platform": 2}, checkins=False)
    lead = give_address(w.org, w["Platform"].lead, "UTC")
    run_worker(dt.datetime(2026, 1, 15, 9, 0, tzinfo=UTC))  # 2026-W02 was before them
    assert smtp.messages == [] and not Briefing.objects.exists()
    run_worker(dt.datetime(2026, 1, 19, 9, 0, tzinfo=UTC))  # 2026-W03: they were there
    assert [m["X-Rcpt"] for m in smtp.messages] == [lead.email]


def test_a_briefing_of_someone_with_e_mail_off_is_kept_but_not_e_mailed(db, clock, smtp):  # noqa: F811
    clock.at(dt.date(2026, 1, 5), 9)
    w = build_org("muted", {"Platform": 2}, checkins=False)
    lead = give_address(w.org, w["Platform"].lead, "UTC")
    services.set_schedule(w.org, w.admin, w.admin, enabled=False)
    delivery.set_preferences(w.org, lead, lead, email=False)
    run_worker(dt.datetime(2026, 1, 19, 8, 0, tzinfo=UTC))
    assert smtp.messages == []
    assert Briefing.objects.filter(person=lead, week="2026-W03").exists()


def test_a_team_that_asks_for_it_gets_a_summary_in_its_chat(db, clock, smtp, good_hook):  # noqa: F811
    clock.at(dt.date(2026, 1, 5), 9)
    w = build_org("chat", {"Platform": 2, "Web": 2}, checkins=False)
    for p in (w.admin, w["Platform"].lead, w["Web"].lead):
        services.set_schedule(w.org, p, p, enabled=False)
    delivery.add_chat_webhook(w.org, None, w["Web"].team, url=good_hook.url, flavor="slack")
    services.set_team_schedule(w.org, None, w["Web"].team, enabled=True, weekday=0, hour=9)
    run_worker(dt.datetime(2026, 1, 19, 8, 59, tzinfo=UTC))
    assert good_hook.posts == []
    run_worker(dt.datetime(2026, 1, 19, 9, 0, tzinfo=UTC))
    run_worker(dt.datetime(2026, 1, 19, 10, 0, tzinfo=UTC))
    [post] = good_hook.posts
    assert post["text"].startswith("Web: the week of 12\u201318 Jan 2026")
    assert smtp.messages == []


def test_rebuilding_a_past_weeks_briefing_yields_the_stored_one(db, clock, smtp):  # noqa: F811
    s = build_story(clock)
    w = s.w
    give_address(w.org, w.admin, "UTC")
    run_worker(dt.datetime(2026, 1, 19, 8, 0, tzinfo=UTC))
    stored = Briefing.objects.get(person=w.admin, week=WEEK)
    assert stored.content["sections"]
    # Weeks go by: more changes, more evaluations.
    clock.at(dt.date(2026, 1, 27), 10)
    from accord.alignment import services as alignment

    alignment.record_key_result_value(w.org, None, w["Web"].kr, 95)
    alignment.set_objective_confidence(w.org, None, w["Platform"].objective, 9)
    clock.at(dt.date(2026, 1, 28), 10)
    evaluate.evaluate(w.org)
    rebuilt = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    assert rebuilt == stored.content


def readers_due(clock, slug: str):
    clock.at(dt.date(2026, 1, 5), 9)
    w = build_org(slug, {"Platform": 2, "Web": 2}, checkins=False)
    people = [w.admin, w["Platform"].lead, w["Web"].lead]
    return w, [give_address(w.org, p, "UTC") for p in people]


def test_a_run_out_of_time_leaves_the_rest_to_the_next_run(db, clock, smtp):  # noqa: F811
    w, readers = readers_due(clock, "many")
    due = len(queries.subscribers(w.org))
    assert due >= 3
    at = dt.datetime(2026, 1, 19, 8, 0, tzinfo=UTC)  # everyone's Monday 08:00
    clock.now = at
    runs = [services.send_due(at, until=0)]  # out of time at once: one briefing a run
    while runs[-1]["more"] and len(runs) <= due:
        runs.append(services.send_due(at, until=0))
    assert runs == [{"people": 1, "teams": 0, "more": 1}] * (due - 1) + [
        {"people": 1, "teams": 0, "more": 0}
    ]
    assert services.send_due(at, until=0) == {"people": 0, "teams": 0, "more": 0}
    delivery.deliver(at)
    assert sorted(
        m["X-Rcpt"] for m in smtp.messages if m["X-Rcpt"] in {r.email for r in readers}
    ) == sorted(r.email for r in readers)
    assert Briefing.objects.filter(org=w.org, week="2026-W03").count() == due


def test_the_job_out_of_time_queues_its_next_run_as_its_latest(db, clock, smtp, monkeypatch):  # noqa: F811
    readers_due(clock, "queued")
    clock.now = dt.datetime(2026, 1, 19, 8, 0, tzinfo=UTC)
    monkeypatch.setattr(tasks, "RUN_SECONDS", 0)
    job = scheduler.discover()["accord.briefings.tasks.send_briefings"]
    assert tasks.send_briefings.call() == {"people": 1, "teams": 0, "more": 1}
    # Queued behind what is waiting already, and seen by the tick as the job's last run:
    # no second run beside it.
    [queued] = DBTaskResult.objects.filter(task_path=job.name)
    assert queued.status == "READY"
    assert ScheduledRun.objects.filter(job=job.name, result_id=str(queued.pk)).exists()
    assert scheduler.still_running(job)
    assert job.name not in scheduler.tick(now=time.time() + job.every)
    # Once the rest is sent, a run that finds nothing more queues nothing.
    monkeypatch.setattr(tasks, "RUN_SECONDS", 600)
    assert tasks.send_briefings.call()["more"] == 0
    assert DBTaskResult.objects.filter(task_path=job.name).count() == 1


def test_readers_of_one_time_zone_are_sent_together(db, clock, smtp):  # noqa: F811
    """Each zone's week loads the organization's snapshots: a run cut short by its deadline
    must not have loaded every zone's for a reader or two of each."""
    w, (_, platform, _) = readers_due(clock, "zones")
    give_address(w.org, platform, "Asia/Tokyo")  # between two readers in UTC by creation
    at = dt.datetime(2026, 1, 19, 8, 0, tzinfo=UTC)
    clock.now = at
    while services.send_due(at, until=0)["more"]:
        pass
    zones = list(
        Briefing.objects.filter(org=w.org).order_by("pk").values_list("timezone", flat=True)
    )
    assert sorted(zones) == sorted(["Asia/Tokyo", *["UTC"] * (len(zones) - 1)])
    assert zones[0] == "Asia/Tokyo"  # its week ended first
