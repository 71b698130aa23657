"""Histories read as a person writes: human names for fields and verbs, dates in the one
format (with their year), only what changed, and the time a change happened."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.template import Context, Template
from django.utils import timezone

from accord.activity.services import record
from accord.alignment import services as alignment
from accord.org import services
from tests.conftest import login


def history_of_platform(client) -> str:
    page = client.get("/o/acme/teams/platform/").content.decode()
    return page[page.index('id="history-h"') :]


def test_a_change_names_fields_and_verbs_as_people_do_and_shows_only_what_changed(cast):
    period = alignment.create_period(
        cast.org, None, name="Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    objective = alignment.create_objective(
        cast.org, None, title="Faster builds", period=period, level="team", team=cast.platform
    )
    kr = alignment.create_key_result(
        cast.org,
        None,
        objective=objective,
        name="Build minutes",
        start=30,
        target=10,
        direction="decrease",
    )
    with transaction.atomic():
        record(
            cast.org,
            cast.leader,
            "confidence_set",
            cast.platform,
            before={"confidence": 5, "wip_limit": 3},
            after={"confidence": 7, "wip_limit": 3, "key_result": kr.pk},
        )
        record(
            cast.org,
            cast.leader,
            "decided",
            cast.platform,
            before={"outcome": "Kafka", "decided_at": None},
            after={"outcome": "Kafka", "decided_at": "2026-08-22T15:00:00+00:00"},
        )
    history = history_of_platform(login(cast.member))
    assert "Leo Leader</strong> set the confidence of this team" in history
    assert "confidence_set" not in history
    assert "Key result</span>: <ins>Build minutes</ins>" in history
    assert "key_result" not in history and f": <ins>{kr.pk}</ins>" not in history
    assert "Confidence</span>: <del>5</del> → <ins>7</ins>" in history
    assert "Work-in-progress limit" not in history  # unchanged: not a change
    assert "Outcome" not in history  # "Kafka → Kafka" said nothing
    assert "Decided</span>: <ins>22 Aug 2026, 15:00</ins>" in history
    assert "2026-08-22T15:00" not in history.replace('datetime="2026-08-22T15:00', "")


def test_a_backdated_change_shows_when_it_happened_not_when_it_was_recorded(cast):
    done = timezone.now() - dt.timedelta(days=40)
    with transaction.atomic():
        record(
            cast.org,
            None,
            "completed",
            cast.platform,
            before={"status": "open", "done_at": None},
            after={"status": "done", "done_at": done.isoformat()},
        )
    history = history_of_platform(login(cast.member))
    entry = history[: history.index("completed")]
    assert "minutes ago" not in entry and "just now" not in entry
    local = timezone.localtime(done)
    assert f'datetime="{local:%Y-%m-%dT%H:%M}' in entry
    assert f">{local:%-d %b %Y, %H:%M}</time>" in entry


def test_a_recent_change_reads_as_how_long_ago(cast):
    services.update_team(cast.org, cast.leader, cast.platform, description="Runs the servers")
    history = history_of_platform(login(cast.member))
    assert "just now</time>" in history or "minute ago</time>" in history


def render(template: str, **context) -> str:
    return Template(template).render(Context(context))


def test_dates_are_written_one_way_with_their_year():
    moment = dt.datetime(2025, 8, 22, 15, 5, tzinfo=dt.UTC)
    assert render("{{ d|day }}", d=dt.date(2025, 8, 22)) == "22 Aug 2025"
    assert render("{{ d|day }}", d=timezone.now().date()).endswith(str(timezone.now().year))
    assert render("{{ t|moment }}", t=moment) == "22 Aug 2025, 15:05"
    assert render("{{ t|weekday_moment }}", t=moment) == "Fri 22 Aug 2025, 15:05"
    assert render("{{ d|weekday }}", d=dt.date(2025, 8, 22)) == "Fri 22 Aug 2025"
    assert render("{{ t|when }}", t=moment) == "22 Aug 2025, 15:05"
    assert render("{{ t|moment }}", t="2025-08-22T15:05:00+00:00") == "22 Aug 2025, 15:05"
    assert render("{{ t|day }}", t=None) == ""


def test_choices_and_kinds_of_object_are_named_not_coded(cast):
    services.update_person(cast.org, cast.admin, cast.viewer, role="member")
    client = login(cast.member)
    page = client.get(f"/o/acme/people/{cast.viewer.pk}/").content.decode()
    history = page[page.index('id="history-h"') :]
    assert "Role</span>: <del>Viewer</del> → <ins>Member</ins>" in history
    feed = client.get("/o/acme/activity/").content.decode()
    assert '<option value="org.team">Team</option>' in feed
    assert '<span class="tag">person</span>' in feed and "org.person</span>" not in feed


def test_a_confidence_set_again_at_the_same_value_says_the_value(cast):
    """Setting an objective's confidence at the value it had is a judgement made again: its
    history says "Confidence: 7", not a bare "set the confidence" with nothing under it."""
    from accord.alignment import services as alignment
    from accord.alignment.models import Period

    period = Period.objects.for_org(cast.org).first() or alignment.create_period(
        cast.org, None, name="Q1", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    objective = alignment.create_objective(
        cast.org, None, title="Quiet launch", period=period, team=cast.platform
    )
    alignment.set_objective_confidence(cast.org, cast.leader, objective, 7)
    alignment.set_objective_confidence(cast.org, cast.leader, objective, 7)
    page = login(cast.member).get(f"/o/acme/alignment/objectives/{objective.pk}/")
    html = " ".join(page.content.decode().split())
    # The first set (from none) and the second (kept at 7) each say it.
    assert html.count("Confidence</span>: <ins>7</ins>") == 2
