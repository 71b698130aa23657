"""An action item's owner who is away (their time off) is not reminded of it: no "due
today" on a day off, and the "overdue" reminder goes the first morning they are back,
if that is within a week of its due date; after that, none."""

from __future__ import annotations

import datetime as dt

from accord.activity.models import Notification
from accord.decisions import notifications, services
from accord.decisions.models import ActionItem
from accord.rhythm import services as rhythm
from tests.conftest import at, make_person

GIVEN = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)  # Monday
DUE = dt.date(2026, 12, 8)


def _give(cast, owner, title):
    with at(GIVEN):
        item = services.create_action_item(cast.org, cast.leader, title, owner, DUE)
    ActionItem.objects.filter(pk=item.pk).update(created_at=GIVEN)
    return item


def _morning(day: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, 8, 5, tzinfo=dt.UTC)


def _reminded() -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind="action_due").values_list("person__name", "subject")
    )


def test_no_reminder_while_away_and_overdue_the_first_morning_back(cast):
    back_soon = _give(cast, cast.member, "Write the rollback plan")
    away_long = make_person(cast.org, "Lou Long", "member")
    _give(cast, away_long, "Book the venue")
    here = make_person(cast.org, "Hal Here", "member")
    _give(cast, here, "Order the disks")
    rhythm.set_away(
        cast.org, cast.member, cast.member, starts_on=DUE, ends_on=dt.date(2026, 12, 10)
    )
    rhythm.set_away(cast.org, None, away_long, starts_on=DUE, ends_on=dt.date(2026, 12, 20))
    Notification.objects.all().delete()  # the e-mails that gave them

    assert notifications.remind_due(cast.org, _morning(8)) == 1
    assert _reminded() == [("Hal Here", "Due today: Order the disks")]
    assert notifications.remind_due(cast.org, _morning(9)) == 1  # Hal's overdue only
    assert notifications.remind_due(cast.org, _morning(10)) == 0
    # Mia is back on the 11th: told it is overdue that morning, once.
    assert notifications.remind_due(cast.org, _morning(11)) == 1
    assert notifications.remind_due(cast.org, _morning(12)) == 0
    # Lou is back on the 21st, more than a week after it was due: no reminder.
    for day in range(13, 23):
        assert notifications.remind_due(cast.org, _morning(day)) == 0
    assert _reminded() == [
        ("Hal Here", "Due today: Order the disks"),
        ("Hal Here", "Overdue since 8 Dec 2026: Order the disks"),
        ("Mia Member", f"Overdue since 8 Dec 2026: {back_soon.title}"),
    ]
