"""Flagging a dependency blocked tells the other side once. The flag's own notice (an e-mail
to the team waiting, a post to each side's chat: `accord.conversation.inbox`) says who
flagged it and why; the critical signal the flag raises minutes later is not told again to
a person or a chat that notice reached, only to one it did not."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Notification
from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.intelligence import evaluate, notifications
from accord.intelligence.models import Signal
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import make_person

LATER = dt.timedelta(days=3)  # every notice queued is due by then, working hours or not


def of_the_block(subjects) -> list[str]:
    """Of what was said, what is about the block (not the request itself, say)."""
    return [s for s in subjects if "blocked" in s]


def waiting_on_acme(cast, hook_url: str):
    """Platform (led by Lara) waits on Acme (led by Ada) for the payments API; each team
    has a chat webhook."""
    org = cast.org
    lara = make_person(org, "Lara Lead", Role.MEMBER)
    org_services.add_membership(
        org, None, person=lara, team=cast.platform, role=MembershipRole.LEAD
    )
    org_services.add_membership(
        org, None, person=cast.admin, team=cast.root, role=MembershipRole.LEAD
    )
    for team in (cast.root, cast.platform):
        delivery.add_chat_webhook(org, None, team, url=hook_url, flavor="slack")
    checkout = alignment.create_initiative(
        org, None, team=cast.platform, title="Checkout", status="active"
    )
    dep = coordination.create_dependency(
        org,
        lara,
        requester_initiative=checkout,
        provider_team=cast.root,
        title="Payments API",
        need_by=timezone.localdate() + dt.timedelta(days=20),
    )
    return lara, dep


def flag_and_evaluate(cast, dep, capture) -> Signal:
    coordination.transition(cast.org, cast.admin, dep, "flag_blocked", note="Vendor is down")
    with capture(execute=True):  # the evaluation a few minutes later announces the signal
        evaluate.evaluate(cast.org)
    return Signal.objects.get(org=cast.org, kind="dependencies.blocked")


def test_the_lead_waiting_and_each_chat_hear_of_a_block_once(
    cast, smtp, good_hook, django_capture_on_commit_callbacks
):
    lara, dep = waiting_on_acme(cast, good_hook.url)
    signal = flag_and_evaluate(cast, dep, django_capture_on_commit_callbacks)
    delivery.deliver(now=timezone.now() + LATER)
    # Lara is the one the signal is for (Ada flagged it herself), and the flag told her
    # already, with who flagged it and why: nothing more.
    assert of_the_block(m["Subject"] for m in smtp.messages if m["X-Rcpt"] == lara.email) == [
        "Ada Admin flags blocked: Payments API"
    ]
    # The flag's post in each team's chat, and nothing more.
    assert (
        of_the_block(p["text"].splitlines()[0] for p in good_hook.posts)
        == ["Ada Admin flags blocked: Payments API"] * 2
    )
    assert not Notification.objects.filter(kind="signal.dependencies.blocked").exists()
    assert notifications.recipients(cast.org, [signal]) == [(lara, signal)]
    assert notifications.announce_new_critical(cast.org, [signal]) == 0  # asked again: still


def test_the_signal_tells_whom_the_flag_did_not_and_no_chat_twice(
    cast, smtp, good_hook, django_capture_on_commit_callbacks
):
    lara, dep = waiting_on_acme(cast, good_hook.url)
    # Lara hears of no flag by e-mail; the critical signal is hers all the same.
    delivery.set_preferences(cast.org, lara, lara, muted_kinds=["dependency_flagged"])
    flag_and_evaluate(cast, dep, django_capture_on_commit_callbacks)
    delivery.deliver(now=timezone.now() + LATER)
    assert of_the_block(m["Subject"] for m in smtp.messages if m["X-Rcpt"] == lara.email) == [
        "Critical: Payments API is blocked"
    ]
    # Both chats heard of the flag; neither hears of it again as a signal.
    assert (
        of_the_block(p["text"].splitlines()[0] for p in good_hook.posts)
        == ["Ada Admin flags blocked: Payments API"] * 2
    )
