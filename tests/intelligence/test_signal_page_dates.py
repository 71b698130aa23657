"""A signal's own page dates it as the lists and briefings do (`models.evaluated_day`): an
evaluation of a day (its moment is the end of that day, UTC) found it on that day, not on
the next one as a reader east of UTC would read the moment; a real moment (a live
evaluation) keeps its time of day, in the reader's zone."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone

from accord.intelligence.models import Evaluation, SignalState
from accord.intelligence.snapshot import as_moment
from tests.conftest import login
from tests.intelligence import fixtures_pages as fx

pytestmark = pytest.mark.django_db

D = dt.date


def facts(page: str) -> dict[str, str]:
    """The signal's dates as its page states them: {"First seen": "22 Nov 2026", ...}."""
    found = re.findall(r"<dt>([^<]+)</dt><dd><time [^>]*>([^<]+)</time></dd>", page)
    return {name: value for name, value in found}


@pytest.fixture
def berlin(cast):
    cast.admin.timezone = "Europe/Berlin"
    cast.admin.save(update_fields=["timezone"])
    return login(cast.admin)


def test_an_evaluated_day_is_that_day_on_the_signal_page(cast, berlin):
    signal = fx.signal(
        cast.org, [cast.platform], state=SignalState.RESOLVED,
        first_seen=as_moment(D(2026, 11, 22)), resolved_at=as_moment(D(2026, 12, 6)),
    )  # fmt: skip
    signal.last_seen = as_moment(D(2026, 11, 29))
    signal.save(update_fields=["last_seen"])
    page = berlin.get(f"/o/acme/insights/signals/{signal.pk}/").content.decode()
    assert facts(page) == {
        "First seen": "22 Nov 2026",
        "Last seen": "29 Nov 2026",
        "Resolved": "6 Dec 2026",
    }, facts(page)
    # When it held: the episode's days, as the list items date it.
    assert re.search(r'<time datetime="2026-11-22">22 Nov 2026</time> to '
                     r'<time datetime="2026-12-06">6 Dec 2026</time>', page)  # fmt: skip
    # The list of the resolved signals dates it the same.
    listed = berlin.get("/o/acme/insights/", {"scope": "all", "state": "resolved"})
    assert "resolved 6 Dec 2026" in listed.content.decode()


def test_a_live_evaluation_keeps_its_time_of_day(cast, berlin):
    now = timezone.now().replace(microsecond=0)
    signal = fx.signal(cast.org, [cast.platform], first_seen=now)
    page = berlin.get(f"/o/acme/insights/signals/{signal.pk}/").content.decode()
    here = now.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert facts(page)["First seen"] == f"{here.day} {here:%b %Y, %H:%M}"


def test_where_the_stored_history_begins_is_the_day_the_briefing_names(cast, berlin):
    Evaluation.objects.create(
        org=cast.org, as_of=as_moment(D(2026, 9, 13)), started_at=timezone.now(), backfill=False
    )
    page = berlin.get("/o/acme/insights/", {"scope": "all", "as_of": "2026-09-10"})
    # As `accord briefing` says it: "signals were recorded from 13 Sep 2026".
    assert "their stored history begins 13 Sep 2026." in page.content.decode()
