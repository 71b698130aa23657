"""A member comes for their action items: one given to them by someone else is e-mailed to
them (kind `action_assigned`, with its due date, never to a chat), and the worker reminds
them the morning it is due and the morning after it became overdue (kind `action_due`,
08:00 in their own zone), once each, through the one delivery path to a real local SMTP
server. Done or dropped items, deactivated owners and people who muted the kind get none."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from accord.activity import delivery
from accord.activity.models import Notification
from accord.conversation.models import InboxItem
from accord.core.scheduler import discover
from accord.decisions import notifications, services, tasks
from accord.decisions.models import ActionItem
from accord.org import services as org_services
from tests.conftest import at, login, make_person, sqlite_plan

TITLE = "Write the runner migration rollback plan"
GIVEN = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)  # Monday
DUE = dt.date(2026, 12, 8)


def _give(cast, owner, title=TITLE, due=DUE, by=None):
    with at(GIVEN):
        item = services.create_action_item(cast.org, by or cast.leader, title, owner, due)
    # Recorded then (a model's default clock is not the frozen one).
    ActionItem.objects.filter(pk=item.pk).update(created_at=GIVEN)
    return item


def _subjects(smtp) -> list[tuple[str, str]]:
    return sorted((m["X-Rcpt"], " ".join(m["Subject"].split())) for m in smtp.messages)


def test_an_action_item_someone_gives_you_is_emailed_with_its_due_date(cast, smtp, good_hook):
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="slack")
    item = _give(cast, cast.member)
    with at(GIVEN):
        services.create_action_item(cast.org, cast.member, "Book the room", cast.member, DUE)
    delivery.deliver(now=GIVEN + dt.timedelta(minutes=1))

    subject = f"Leo Leader gave you an action item: {TITLE} (due 8 Dec 2026)"
    assert _subjects(smtp) == [(cast.member.email, subject)]  # not the one she filed herself
    body = smtp.messages[0].get_body(("plain",)).get_content()
    assert "Due 8 Dec 2026." in body and f"/decisions/actions/{item.pk}/" in body
    assert good_hook.posts == []  # a person's own work: never to the team's chat
    (inbox,) = InboxItem.objects.filter(person=cast.member)
    assert inbox.title == f"Action item for you: {TITLE} (due 8 Dec 2026)"

    # Given to someone else, the new owner is told; given back, she is told again.
    with at(GIVEN):
        item = services.update_action_item(cast.org, cast.leader, item, owner=cast.admin)
        services.update_action_item(cast.org, cast.leader, item, due_on=dt.date(2026, 12, 9))
        item.refresh_from_db()
        services.update_action_item(cast.org, cast.leader, item, owner=cast.member)
    delivery.deliver(now=GIVEN + dt.timedelta(minutes=2))
    assert _subjects(smtp) == [
        (cast.admin.email, subject),
        (cast.member.email, subject),
        (cast.member.email, subject.replace("8 Dec", "9 Dec")),
    ]


def test_muted_it_is_not_emailed(cast, smtp):
    delivery.set_preferences(cast.org, cast.member, cast.member, muted_kinds=["action_assigned"])
    _give(cast, cast.member)
    delivery.deliver(now=GIVEN + dt.timedelta(minutes=1))
    assert smtp.messages == []


def test_the_owner_is_reminded_the_morning_it_is_due_and_the_morning_after(cast, smtp):
    # Mia is in Kolkata (UTC+5:30): her 08:00 of 8 Dec is 02:30 UTC.
    org_services.update_person(cast.org, None, cast.member, timezone="Asia/Kolkata")
    cast.member.refresh_from_db()
    item = _give(cast, cast.member)
    done = _give(cast, cast.member, "Order the spare disks")
    dropped = _give(cast, cast.member, "Draft the vendor letter")
    with at(GIVEN):
        services.complete_action_item(cast.org, cast.member, done)
        services.drop_action_item(cast.org, cast.member, dropped)
    delivery.deliver(now=GIVEN + dt.timedelta(minutes=1))
    smtp.messages.clear()  # the e-mails that gave them

    def tick(moment: dt.datetime) -> int:
        with at(moment):
            queued = tasks.remind_due_action_items.call()
        delivery.deliver(now=moment + dt.timedelta(minutes=1))
        return queued

    assert tick(dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)) == 0  # 07:30 in Kolkata
    assert tick(dt.datetime(2026, 12, 8, 2, 35, tzinfo=dt.UTC)) == 1
    assert tick(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)) == 0  # once
    assert _subjects(smtp) == [(cast.member.email, f"Due today: {TITLE}")]
    body = smtp.messages[0].get_body(("plain",)).get_content()
    assert "is due today, 8 Dec 2026" in body and f"/decisions/actions/{item.pk}/" in body

    assert tick(dt.datetime(2026, 12, 9, 2, 0, tzinfo=dt.UTC)) == 0  # still before 08:00
    assert tick(dt.datetime(2026, 12, 9, 2, 35, tzinfo=dt.UTC)) == 1
    assert tick(dt.datetime(2026, 12, 9, 12, 0, tzinfo=dt.UTC)) == 0
    assert tick(dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC)) == 0  # not every morning
    assert _subjects(smtp) == [
        (cast.member.email, f"Due today: {TITLE}"),
        (cast.member.email, f"Overdue since 8 Dec 2026: {TITLE}"),
    ]
    assert "is overdue since 8 Dec 2026" in smtp.messages[1].get_body(("plain",)).get_content()


def test_no_reminder_once_done_nor_to_who_left_or_muted_it(cast, smtp):
    morning = dt.datetime(2026, 12, 8, 8, 5, tzinfo=dt.UTC)
    done = _give(cast, cast.member)
    muted = _give(cast, cast.admin)
    leaver = make_person(cast.org, "Lea Leaving", "member")
    gone = _give(cast, leaver)
    with at(GIVEN):
        services.complete_action_item(cast.org, cast.member, done)
    delivery.set_preferences(cast.org, cast.admin, cast.admin, muted_kinds=["action_due"])
    org_services.update_person(cast.org, cast.admin, leaver, is_active=False)
    keeps = _give(cast, make_person(cast.org, "Kai Keeps", "member"))
    Notification.objects.all().delete()  # the e-mails that gave them
    assert notifications.remind_due(cast.org, morning) == 1
    (told,) = Notification.objects.filter(kind="action_due")
    assert told.person_id == keeps.owner_id  # not Mia (done), Ada (muted) nor Lea (left)
    assert (muted.status, gone.status) == ("open", "open")


def test_an_item_given_on_its_due_day_is_not_reminded_that_morning(cast, smtp):
    given_at = dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)
    with at(given_at):
        item = services.create_action_item(cast.org, cast.leader, TITLE, cast.member, DUE)
    ActionItem.objects.filter(pk=item.pk).update(created_at=given_at)
    # Its e-mail said it is due today; the next morning it is overdue.
    assert notifications.remind_due(cast.org, given_at + dt.timedelta(minutes=5)) == 0
    assert notifications.remind_due(cast.org, given_at + dt.timedelta(hours=22)) == 1


def test_the_reminders_read_only_the_items_due_near_today_off_the_due_date_index(cast, smtp):
    for k in range(30):  # due later: never read
        _give(cast, cast.member, f"Item {k}", DUE + dt.timedelta(days=10 + k))
    _give(cast, cast.member)
    morning = dt.datetime(2026, 12, 8, 8, 5, tzinfo=dt.UTC)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert notifications.remind_due(cast.org, morning) == 1
    read = next(q["sql"] for q in queries if 'FROM "decisions_actionitem"' in q["sql"])
    if connection.vendor == "sqlite":
        plan = sqlite_plan(read)
        assert "SEARCH decisions_actionitem USING INDEX" in plan and "due_on>" in plan, plan
    assert len(queries) <= 12  # a few reads, and the one notice's rows


def test_the_worker_runs_it_and_settings_offer_both_kinds(cast):
    jobs = discover()
    assert "accord.decisions.tasks.remind_due_action_items" in jobs
    page = login(cast.member).get("/o/acme/rhythm/settings/").content.decode()
    assert 'value="action_assigned"' in page and "Someone gives you an action item" in page
    assert 'value="action_due"' in page and "due today, or has become overdue" in page


def test_renamed_or_given_another_date_its_inbox_line_says_so(cast):
    item = _give(cast, cast.member)
    with at(GIVEN):
        item = services.update_action_item(
            cast.org, cast.leader, item, title="Write the rollback plan", due_on=DUE.replace(day=11)
        )
    (line,) = InboxItem.objects.filter(person=cast.member)
    assert line.title == "Action item for you: Write the rollback plan (due 11 Dec 2026)"
    with at(GIVEN):
        services.update_action_item(cast.org, cast.leader, item, due_on=None)
    line.refresh_from_db()
    assert line.title == "Action item for you: Write the rollback plan"
