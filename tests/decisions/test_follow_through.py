"""Follow-through: share of action items done by their due date, on hand-built data."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.decisions import queries, services
from accord.decisions.models import ActionItem

TODAY = dt.date(2026, 6, 30)


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _item(cast, owner, due, *, done=None, dropped=False, team=None):
    item = services.create_action_item(cast.org, None, "Do it", owner, due_on=due, team=team)
    if done is not None:
        services.complete_action_item(cast.org, None, item, done_at=_at(done))
    if dropped:
        services.drop_action_item(cast.org, None, item)
    return item


def test_follow_through_counts_on_time_late_overdue_and_undated_items(cast):
    d = TODAY - dt.timedelta(days=10)
    _item(cast, cast.member, d, done=d)  # on time (same day)
    _item(cast, cast.member, d, done=d - dt.timedelta(days=3))  # early
    _item(cast, cast.member, d, done=d + dt.timedelta(days=2))  # late
    _item(cast, cast.member, d)  # overdue
    _item(cast, cast.member, d, dropped=True)  # dropped: not counted
    _item(cast, cast.member, None, done=TODAY - dt.timedelta(days=1))  # no due date, done
    _item(cast, cast.member, None)  # no due date, open
    _item(cast, cast.member, TODAY + dt.timedelta(days=3))  # not due yet
    _item(cast, cast.member, TODAY - dt.timedelta(days=45), done=TODAY)  # outside 30 days
    _item(cast, cast.leader, d)  # someone else's

    ft = queries.follow_through(cast.org, person=cast.member, days=30, today=TODAY)

    assert (ft.due, ft.on_time, ft.late, ft.overdue) == (4, 2, 1, 1)
    assert (ft.undated_done, ft.undated_open) == (1, 1)
    assert ft.rate == 0.5 and ft.percent == 50

    ft90 = queries.follow_through(cast.org, person=cast.member, days=90, today=TODAY)
    assert (ft90.due, ft90.on_time, ft90.late) == (5, 2, 2)


def test_an_item_due_today_is_not_yet_late(cast):
    _item(cast, cast.member, TODAY)
    ft = queries.follow_through(cast.org, person=cast.member, today=TODAY)
    assert ft.due == 0 and ft.rate is None and ft.percent is None


def test_follow_through_per_team_and_per_owner_agree_with_the_single_figure(cast):
    d = TODAY - dt.timedelta(days=5)
    _item(cast, cast.member, d, done=d, team=cast.platform)
    _item(cast, cast.leader, d, team=cast.platform)
    _item(cast, cast.leader, d, done=d, team=cast.root)
    by_team = queries.follow_through_by(cast.org, key="team", today=TODAY)
    assert by_team[cast.platform.pk].percent == 50 and by_team[cast.root.pk].percent == 100
    by_owner = queries.follow_through_by(cast.org, key="owner", today=TODAY)
    assert by_owner[cast.leader.pk].percent == 50
    single = queries.follow_through(cast.org, team=cast.platform, today=TODAY)
    assert (single.due, single.on_time) == (2, 1)


def test_the_overdue_list_holds_open_items_past_their_due_date(cast):
    late = _item(cast, cast.member, TODAY - dt.timedelta(days=2))
    _item(cast, cast.member, TODAY - dt.timedelta(days=2), done=TODAY)
    _item(cast, cast.member, TODAY)
    got = list(queries.overdue_action_items(cast.org, person=cast.member, today=TODAY))
    assert got == [late]


def test_completion_is_recorded_with_its_time(cast):
    item = _item(cast, cast.member, TODAY)
    services.complete_action_item(cast.org, cast.member, ActionItem.objects.get(pk=item.pk))
    item.refresh_from_db()
    assert item.status == "done" and item.done_at is not None


def test_action_items_due_for_an_agenda_include_overdue_ones(cast):
    late = _item(cast, cast.member, TODAY - dt.timedelta(days=2), team=cast.platform)
    soon = _item(cast, cast.leader, TODAY + dt.timedelta(days=2), team=cast.platform)
    _item(cast, cast.leader, TODAY + dt.timedelta(days=20), team=cast.platform)
    until = TODAY + dt.timedelta(days=7)
    assert list(queries.action_items_due(cast.org, team_ids=[cast.platform.pk], until=until)) == [
        late,
        soon,
    ]
    assert list(queries.action_items_due(cast.org, person_ids=[cast.member.pk], until=until)) == [
        late
    ]


def test_the_insight_and_the_action_items_page_count_over_the_same_window(cast):
    """The Insights signal and a team's action-items page say the same of it: the same
    window (`followthrough.WINDOW_DAYS`), the same rule, the same items."""
    from accord.decisions import followthrough
    from accord.intelligence import snapshot
    from accord.intelligence.registry import discover

    today = timezone.localdate()
    recorded = timezone.now() - dt.timedelta(days=60)

    def item(days_ago: int, done: bool = False):
        due = today - dt.timedelta(days=days_ago)
        made = services.create_action_item(
            cast.org, None, f"Due {days_ago} days ago", cast.member, due_on=due,
            team=cast.platform, created_at=recorded,
        )  # fmt: skip
        if done:
            services.complete_action_item(cast.org, None, made, done_at=_at(due, 9))

    item(3, done=True)
    for days_ago in (4, 6, 9, 12):
        item(days_ago)
    item(35)  # due before the page's window: counted by neither
    detector = discover()["actions.follow_through"]
    assert detector.defaults["days"] == followthrough.WINDOW_DAYS
    [found] = detector.func(snapshot.load(cast.org, today), dict(detector.defaults))
    page = queries.follow_through(
        cast.org, team=cast.platform, days=followthrough.WINDOW_DAYS, today=today
    )
    assert (found.numbers["due"], found.numbers["on_time"]) == (page.due, page.on_time) == (5, 1)
    assert f"due in the {followthrough.WINDOW_DAYS} days before" in found.explanation
