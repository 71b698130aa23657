"""A briefing not stored yet is never built while someone waits: the page or the API call
queues one build for the worker (once per reader and week) and answers at once; the
worker's run stores it, not sent, and the scheduled e-mail still goes out once on the
person's day and hour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accord.activity import delivery
from accord.activity.models import Event
from accord.briefings import compose, services
from accord.briefings.models import Briefing
from accord.org import services as org_services
from tests.conftest import api_client, login
from tests.rhythm.servers import smtp  # noqa: F401  (fixture)

BUILD = "accord.briefings.tasks.build_briefing"
# Sign-in, organization, person, the stored briefing, the claim and the queued task, with
# room to spare; loading a snapshot of the organization alone takes dozens.
MAX_QUERIES = 16


def queued_builds() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=BUILD).order_by("enqueued_at"))


def run_queued_builds() -> int:
    """What the worker does with each queued build: run it."""
    rows = queued_builds()
    for row in rows:
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
    return len(rows)


def last_week(person) -> compose.Week:
    return compose.last_complete_week(timezone.now(), person.timezone)


def test_the_page_of_an_unstored_week_queues_one_build_and_answers_at_once(
    cast, django_assert_max_num_queries
):
    client = login(cast.member)
    client.get("/o/acme/briefings/")  # the session warmed up
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get("/o/acme/briefings/latest/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Being prepared — this page updates when it is ready" in body
    assert "No background worker has run in the last few minutes" in body
    assert 'hx-trigger="every 3s"' in body and 'hx-get="/o/acme/briefings/latest/"' in body
    assert not Briefing.objects.filter(org=cast.org).exists()
    assert len(queued_builds()) == 1

    # Reloading, and the page's own polls, queue nothing more.
    client.get("/o/acme/briefings/latest/")
    with django_assert_max_num_queries(MAX_QUERIES):
        poll = client.get("/o/acme/briefings/latest/", headers={"HX-Request": "true"})
    assert poll.status_code == 204
    assert len(queued_builds()) == 1

    assert run_queued_builds() == 1
    stored = Briefing.objects.get(org=cast.org, person=cast.member)
    assert stored.week == last_week(cast.member).label and stored.sent_at is None
    assert Event.objects.filter(target_id=stored.pk, verb="built").exists()

    ready = client.get("/o/acme/briefings/latest/", headers={"HX-Request": "true"})
    assert ready["HX-Redirect"] == f"/o/acme/briefings/{stored.pk}/"
    assert client.get("/o/acme/briefings/latest/").url == f"/o/acme/briefings/{stored.pk}/"
    shown = client.get(f"/o/acme/briefings/{stored.pk}/").content.decode()
    assert stored.content["title"] in shown and "Not sent yet: built on request" in shown
    client.get("/o/acme/briefings/latest/")
    assert queued_builds() == []


def test_the_api_answers_202_queues_one_build_then_gives_the_stored_briefing(
    cast, django_assert_max_num_queries
):
    client = api_client(cast.member)
    with django_assert_max_num_queries(MAX_QUERIES):
        first = client.get("/api/v1/me/briefings/week")
    week = last_week(cast.member)
    assert first.status_code == 202
    assert first.json() == {
        "status": "preparing",
        "week": week.label,  # the key, as asked for with ?week=
        "detail": f"The briefing of the week of {week.span()} is being prepared; ask again in "
        "a few seconds.",
        "retry_after": 3,
    }
    assert client.get("/api/v1/me/briefings/week").status_code == 202
    assert len(queued_builds()) == 1
    run_queued_builds()
    ready = client.get("/api/v1/me/briefings/week?format=text")
    assert ready.status_code == 200
    got = ready.json()
    assert got["week"] == week.label and got["sent_at"] is None and got["id"] is not None
    assert got["rendered"].startswith(got["content"]["title"])


def test_a_week_not_ended_yet_is_refused_and_queues_nothing(cast):
    client = api_client(cast.member)
    this_week = compose.week_of(timezone.now(), cast.member.timezone).label
    refused = client.get(f"/api/v1/me/briefings/week?week={this_week}")
    assert refused.status_code == 422 and "has not ended yet" in refused.json()["error"]["message"]
    future = client.get(f"/api/v1/teams/{cast.platform.pk}/briefing?week=2099-W01")
    assert future.status_code == 422
    assert queued_builds() == []


def test_a_teams_page_and_api_show_its_stored_briefing_or_queue_one_build(
    cast, django_assert_max_num_queries
):
    client = login(cast.member)
    client.get("/o/acme/briefings/")
    url = f"/o/acme/briefings/teams/{cast.platform.pk}/"
    with django_assert_max_num_queries(MAX_QUERIES + 4):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "Being prepared" in body
    assert "Weekly summary in the team" in body
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 204
    api = api_client(cast.member).get(f"/api/v1/teams/{cast.platform.pk}/briefing")
    assert api.status_code == 202
    assert len(queued_builds()) == 1  # the page and the API share one build

    run_queued_builds()
    stored = Briefing.objects.get(org=cast.org, person__isnull=True, team=cast.platform)
    assert stored.sent_at is None
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    shown = client.get(url).content.decode()
    assert stored.content["title"] in shown and "Being prepared" not in shown
    got = api_client(cast.member).get(f"/api/v1/teams/{cast.platform.pk}/briefing").json()
    assert got["id"] == stored.pk and got["content"] == stored.content

    # Another organization's team is not there to ask about.
    outsider = api_client(cast.outsider).get(f"/api/v1/teams/{cast.platform.pk}/briefing")
    assert outsider.status_code == 404
    assert len(queued_builds()) == 0


def test_a_teams_page_shows_its_latest_stored_briefing_while_last_weeks_is_prepared(cast):
    week = compose.last_complete_week(timezone.now())
    older = week.previous()
    services.build_on_request(cast.org, older, team=cast.platform)
    page = login(cast.member).get(f"/o/acme/briefings/teams/{cast.platform.pk}/")
    body = page.content.decode()
    assert "Being prepared" in body
    assert f"the latest stored one, of the week of {older.span()}" in body
    assert len(queued_builds()) == 1


def test_the_scheduled_send_still_sends_once_after_a_briefing_built_on_request(
    cast,
    smtp,  # noqa: F811
):
    admin = cast.admin
    org_services.update_person(cast.org, None, admin, email="ada@acme.example")
    admin.refresh_from_db()
    now = timezone.now()
    local = now.astimezone(compose.zone(admin.timezone))
    week = compose.last_complete_week(now, admin.timezone)
    type(admin).objects.filter(pk=admin.pk).update(created_at=week.start - dt.timedelta(days=7))
    services.set_schedule(cast.org, admin, admin, weekday=local.weekday(), hour=local.hour)

    login(admin).get("/o/acme/briefings/latest/")
    run_queued_builds()
    built = Briefing.objects.get(person=admin)
    assert built.sent_at is None

    assert services.send_due(now) == {"people": 1, "teams": 0, "more": 0}
    delivery.deliver(now)
    assert [m["X-Rcpt"] for m in smtp.messages] == ["ada@acme.example"]
    sent = Briefing.objects.get(person=admin)
    assert sent.pk == built.pk and sent.sent_at == now
    assert Event.objects.filter(target_id=sent.pk, verb="sent").count() == 1

    assert services.send_due(now + dt.timedelta(minutes=5)) == {"people": 0, "teams": 0, "more": 0}
    delivery.deliver(now + dt.timedelta(minutes=5))
    assert len(smtp.messages) == 1 and Briefing.objects.filter(person=admin).count() == 1


def test_a_build_asked_for_after_the_send_keeps_the_sent_briefing(cast):
    week = last_week(cast.admin)
    sent = services.send_to_person(cast.org, cast.admin, week, email=False)
    again = services.build_on_request(cast.org, week, person=cast.admin)
    assert again.pk == sent.pk and again.sent_at is not None
    assert services.send_to_person(cast.org, cast.admin, week, email=False) is None


@pytest.mark.parametrize("who", ["person", "team"])
def test_a_build_of_someone_deleted_since_stores_nothing(cast, who):
    from accord.briefings import tasks

    week = last_week(cast.member)
    kwargs = {"person_id": 999999} if who == "person" else {"team_id": 999999}
    assert tasks.build_briefing.call(cast.org.pk, week.label, week.tz, **kwargs) is None
    assert not Briefing.objects.exists()


def test_a_pending_briefing_says_no_worker_runs_only_while_none_has_ticked(cast):
    from accord.core import scheduler

    client = login(cast.member)
    notice = "No background worker has run in the last few minutes"
    assert notice in client.get("/o/acme/briefings/latest/").content.decode()
    scheduler.tick()  # what a running worker does every few seconds
    body = client.get("/o/acme/briefings/latest/").content.decode()
    assert "Being prepared" in body and notice not in body


def test_a_build_that_failed_is_said_with_try_again_not_prepared_forever(cast):
    """The worker ran the build and it raised: the page stops saying "Being prepared" (and
    polling), says it failed, and "Try again" queues a new build at once, though the failed
    one's window has not passed."""
    client = login(cast.member)
    client.get("/o/acme/briefings/latest/")
    (build,) = queued_builds()
    assert build.status == "READY"
    DBTaskResult.objects.filter(pk=build.pk).update(status="FAILED")  # as a worker leaves it

    poll = client.get("/o/acme/briefings/latest/", headers={"HX-Request": "true"})
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"
    page = client.get("/o/acme/briefings/latest/").content.decode()
    assert "could not be prepared" in page and "Being prepared" not in page
    assert 'hx-trigger="every 3s"' not in page and ">Try again</button>" in page
    assert len(queued_builds()) == 1  # nothing queued by looking

    again = client.post("/o/acme/briefings/latest/")
    assert again.url == "/o/acme/briefings/latest/"
    assert [b.status for b in queued_builds()] == ["FAILED", "READY"]
    page = client.get("/o/acme/briefings/latest/").content.decode()
    assert "Being prepared" in page and "could not be prepared" not in page
    DBTaskResult.objects.filter(status="FAILED").delete()
    assert run_queued_builds() == 1
    assert client.get("/o/acme/briefings/latest/").url.startswith("/o/acme/briefings/")


def test_try_again_queues_nothing_unless_the_last_build_failed(cast):
    """A second post, or a script's, while a build is queued or once the briefing is
    stored, queues no other build."""
    client = login(cast.member)
    client.get("/o/acme/briefings/latest/")
    assert client.post("/o/acme/briefings/latest/").status_code == 302
    assert len(queued_builds()) == 1  # still the one queued
    assert run_queued_builds() == 1
    client.post("/o/acme/briefings/latest/")
    assert queued_builds() == []


def test_a_viewer_may_ask_again_for_their_own_briefing(cast):
    client = login(cast.viewer)
    client.get("/o/acme/briefings/latest/")
    DBTaskResult.objects.filter(task_path=BUILD).update(status="FAILED")
    assert client.post("/o/acme/briefings/latest/").status_code == 302
    assert [b.status for b in queued_builds()] == ["FAILED", "READY"]


def test_a_team_briefing_that_failed_is_said_with_try_again_not_prepared_forever(cast):
    """As for a person's: the team's page stops saying "Being prepared" once the worker's
    build raised, and "Try again" queues a new build at once (only after a failure)."""
    client = login(cast.member)
    url = f"/o/acme/briefings/teams/{cast.platform.pk}/"
    client.get(url)
    (build,) = queued_builds()
    assert client.post(url, {"action": "retry"}).status_code == 302
    assert len(queued_builds()) == 1  # not failed: nothing more queued
    DBTaskResult.objects.filter(pk=build.pk).update(status="FAILED")  # as a worker leaves it

    poll = client.get(url, headers={"HX-Request": "true"})
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"
    page = client.get(url).content.decode()
    assert "could not be prepared" in page and "Being prepared" not in page
    assert 'hx-trigger="every 3s"' not in page and ">Try again</button>" in page
    assert f'action="{url}"' in page and 'name="action" value="retry"' in page
    assert len(queued_builds()) == 1  # nothing queued by looking

    again = client.post(url, {"action": "retry"})
    assert again.url == url
    assert [b.status for b in queued_builds()] == ["FAILED", "READY"]
    page = client.get(url).content.decode()
    assert "Being prepared" in page and "could not be prepared" not in page
    DBTaskResult.objects.filter(status="FAILED").delete()
    assert run_queued_builds() == 1
    assert "Being prepared" not in client.get(url).content.decode()
