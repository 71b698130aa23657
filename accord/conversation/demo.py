"""A short conversation on Northwind's work: comments on an initiative and on a decision,
one of them mentioning Maya, so her inbox and the comments blocks are not empty on first
start. No e-mail or chat post goes out for the demo. The conversation is of yesterday
afternoon and this morning: the comments, their events and the inbox item say so."""

from __future__ import annotations

import bisect
import datetime as dt

from django.utils import timezone

from accord.alignment.models import Initiative
from accord.conversation import services
from accord.conversation.models import Comment, InboxItem
from accord.decisions.models import Decision
from accord.demo import DemoContext, at, happened
from accord.org.models import Person, Role


def _post(org, when: dt.datetime, author: Person, target, body: str) -> Comment:
    """`author`'s comment on `target`, posted at `when` (not later than now): its event, the
    comment and the inbox items it made say so."""
    when = min(when, timezone.now())
    with happened(when):
        comment = services.post_comment(org, author, target, body, notify=False)
    Comment.objects.filter(pk=comment.pk).update(created_at=when)
    InboxItem.objects.filter(comment=comment).update(created_at=when)  # who it mentions
    return comment


def _date_the_inbox(ctx: DemoContext) -> None:
    """What the story's events put in people's inboxes (`accord.conversation.inbox`, a
    mention) arrived when those events happened, and was done when the event that closed
    it (a request answered, a decision decided) happened: an item carries the moment its
    event was recorded, and is done (and read) the moment the closing one was, which the
    load moved (`ctx.moments`)."""
    moments = ctx.moments
    recorded = sorted(moments)
    items = list(InboxItem.objects.filter(org=ctx.org))
    for item in items:
        item.created_at = moments.get(item.created_at, item.created_at)
        if item.done_at is not None:
            closing = bisect.bisect_right(recorded, item.done_at) - 1
            if closing >= 0:
                read_when_done = item.read_at == item.done_at
                item.done_at = max(moments[recorded[closing]], item.created_at)
                if read_when_done:  # done by itself, so read then (`InboxItemQuerySet.close`)
                    item.read_at = item.done_at
    InboxItem.objects.bulk_update(items, ["created_at", "done_at", "read_at"], batch_size=500)


def load(ctx: DemoContext) -> None:
    _conversation(ctx)
    _date_the_inbox(ctx)


def _conversation(ctx: DemoContext) -> None:
    org, maya = ctx.org, ctx.login
    if maya is None:
        return
    initiative = (
        Initiative.objects.for_org(org)
        .exclude(owner=None)
        .exclude(owner=maya)
        .filter(status="active")
        .order_by("pk")
        .first()
    )
    decision = Decision.objects.for_org(org).filter(approver=maya).order_by("pk").first()
    if initiative is None:
        return
    owner = initiative.owner
    colleague = (
        Person.objects.for_org(org)
        .filter(
            role__in=[Role.MEMBER, Role.LEADER],
            is_active=True,
            memberships__team=initiative.team,
            memberships__ended_on__isnull=True,
        )
        .exclude(pk__in=[maya.pk, owner.pk])
        .order_by("pk")
        .first()
    ) or owner
    handle = maya.email.split("@", 1)[0]
    yesterday = ctx.today - dt.timedelta(days=1)
    _post(
        org,
        at(yesterday, 16, 20),
        owner,
        initiative,
        "First slice is in review. The **open question** is the rollout order:\n\n"
        "1. stores with the new tills first\n2. then the web shop\n\n"
        f"@{handle}, can you confirm the order before Friday?",
    )
    _post(
        org,
        at(yesterday, 17, 5),
        colleague,
        initiative,
        "Test data for the tills is ready; I can pair on the rollout checklist.",
    )
    if decision is not None and decision.driver is not None and decision.driver != maya:
        _post(
            org,
            at(ctx.today, 8, 45),
            decision.driver,
            decision,
            "I added the cost comparison to the options. Happy to walk through it.",
        )
