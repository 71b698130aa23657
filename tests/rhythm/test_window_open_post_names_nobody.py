"""A team's chat hears that a check-in window opened without a roll call of the whole team
(everyone owes it then; nobody is behind); the "due soon" post names who is still to
check in."""

from __future__ import annotations

import datetime as dt

from accord.activity import delivery
from accord.rhythm import notifications, services
from tests.rhythm.conftest import DUE

H = dt.timedelta(hours=1)
OPENS = DUE - 48 * H


def test_the_window_opening_names_nobody_and_due_soon_names_who_is_still_to_check_in(
    cast, rhythm, good_hook
):
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="slack")
    at = OPENS + dt.timedelta(minutes=5)
    notifications.plan(cast.org, at)
    delivery.deliver(at)
    [opened] = good_hook.posts
    assert opened["text"].splitlines()[0].startswith("Check-in open: Weekly team check-in")
    assert "Still to check in" not in opened["text"]
    assert "Leo Leader" not in opened["text"] and "Mia Member" not in opened["text"]
    services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, now=OPENS + H)
    at = DUE - 4 * H + dt.timedelta(minutes=1)
    notifications.plan(cast.org, at)
    delivery.deliver(at)
    due_soon = good_hook.posts[1]["text"]
    assert due_soon.startswith("Check-in due soon: Weekly team check-in")
    assert "\nStill to check in: Leo Leader\n" in due_soon and "Mia" not in due_soon
