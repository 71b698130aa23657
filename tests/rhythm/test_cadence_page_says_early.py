"""A check-in cadence's page says, beside its window, that check-ins may be given early
(`queries.early_from`), and not where the window itself opens a week or more ahead."""

from __future__ import annotations

from accord.rhythm import services
from tests.conftest import login

EARLY = "early check-ins from when the round before closes, at most a week ahead"


def test_the_cadence_page_says_check_ins_may_be_given_early(cast, rhythm):
    page = login(cast.member).get(f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/")
    text = " ".join(page.content.decode().split())
    assert f"window opens 48 h before ({EARLY}), late until" in text


def test_not_when_the_window_opens_a_week_or_more_ahead(cast, rhythm):
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    page = login(cast.member).get(f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/")
    text = " ".join(page.content.decode().split())
    assert "window opens 192 h before, late until" in text and EARLY not in text
