"""A department's team page says of its action items what each number counts: the
overdue ones of it and the teams below it, and the open ones filed to it alone (not "9 of
the team itself" beside "38 overdue", read as nine of those overdue)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.decisions import services
from tests.conftest import login
from tests.decisions.helpers import recorded_long_ago


def test_the_teams_own_count_says_it_counts_open_items(cast):
    today = timezone.localdate()
    for title, team, days in (
        ("Board pack", cast.root, -3),
        ("Offsite agenda", cast.root, 4),
        ("Hiring plan", cast.root, 9),
        ("Fix the build", cast.platform, -2),
    ):
        services.create_action_item(
            cast.org,
            cast.admin,
            title,
            cast.member,
            team=team,
            due_on=today + dt.timedelta(days=days),
            **recorded_long_ago(),
        )
    page = login(cast.member).get("/o/acme/teams/acme/").content.decode()
    card = page.split('id="tact-h"')[1].split("</section>")[0]
    assert ">2 overdue</a>" in card  # Acme's and Platform's
    assert ">3 open at Acme itself</a>" in card  # one of them overdue, two not yet due
    assert "of Acme itself" not in card
