"""The action items page gives each follow-through window beside what it is a share of, and
"—" for a window where nothing fell due: a 90-day "0%" stands beside its own "0 / 1", not
alone beside the 30 days' "0 / 0"."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from accord.decisions import services
from accord.decisions.followthrough import recompute
from accord.decisions.models import ActionItem
from tests.conftest import login


def _figure(html: str, label: str) -> str:
    return re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", html).group(1).strip()


def _page(cast) -> str:
    return (
        login(cast.member).get("/o/acme/decisions/actions/", {"team": "platform"}).content.decode()
    )


def test_each_window_shows_its_own_due_count_and_a_dash_when_none_fell_due(cast):
    page = _page(cast)
    for window in ("30 days", "90 days"):
        assert _figure(page, f"Follow-through, {window}") == "—"
    assert _figure(page, "On time / due (30 d)") == "0 / 0"
    assert _figure(page, "On time / due (90 d)") == "0 / 0"

    today = timezone.localdate()
    item = services.create_action_item(
        cast.org, cast.leader, "Done late, two months ago", cast.member, team=cast.platform,
        due_on=today,
    )  # fmt: skip
    ActionItem.objects.filter(pk=item.pk).update(
        due_on=today - dt.timedelta(days=60),
        status="done",
        done_at=timezone.now() - dt.timedelta(days=50),
    )
    recompute(cast.org.pk)
    page = _page(cast)
    assert _figure(page, "Follow-through, 30 days") == "—"
    assert _figure(page, "On time / due (30 d)") == "0 / 0"
    # The 90 days' 0% is judged: one fell due and was done late, as the page says beside it.
    assert _figure(page, "Follow-through, 90 days") == "0%"
    assert _figure(page, "On time / due (90 d)") == "0 / 1"
    assert _figure(page, "Done late (90 d)") == "1"
