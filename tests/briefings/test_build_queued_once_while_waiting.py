"""A briefing not stored yet is built by the worker, once: a reader who keeps the page open
past the end of the quarter hour it was asked in does not queue it again while the first
build still waits for the worker (every poll would, on a busy or stopped worker)."""

from __future__ import annotations

from django.utils import timezone

from accord.briefings import compose, tasks
from tests.briefings.test_on_request import queued_builds, run_queued_builds


def test_a_build_still_waiting_is_not_queued_again_in_a_later_window(cast):
    reader = cast.leader
    week = compose.last_complete_week(timezone.now(), reader.timezone)
    start = 1_800_000_000 - 1_800_000_000 % tasks.BUILD_WINDOW_SECONDS

    def ask(at: float) -> bool:
        return tasks.request_build(cast.org.pk, week.label, week.tz, person_id=reader.pk, now=at)

    assert ask(start + tasks.BUILD_WINDOW_SECONDS - 1)
    assert not ask(start + tasks.BUILD_WINDOW_SECONDS - 1)  # the same window
    assert not ask(start + tasks.BUILD_WINDOW_SECONDS + 2)  # the next, the build still waiting
    assert len(queued_builds()) == 1
    assert run_queued_builds() == 1
    # Built (its result gone with it, as the worker's are pruned): a later window may ask again.
    assert ask(start + 3 * tasks.BUILD_WINDOW_SECONDS)
    assert len(queued_builds()) == 1
