"""Since when a signal holds, on Insights pinned to a day and today: the day it began to
hold, not when the episode covering the pinned day began (an episode ends whenever its
wording changes), and an evaluation of a day (which reads at its end, 23:59:59.999 UTC) is
dated that day, not the next as a reader east of UTC (Kolkata) would read the moment."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accord.intelligence.models import Evaluation, SignalEpisode
from accord.intelligence.snapshot import as_moment
from accord.web.templatetags.dates import day
from tests.conftest import api_client, login
from tests.intelligence import fixtures_pages as fx

pytestmark = pytest.mark.django_db

URL = "/o/acme/insights/"
TODAY = timezone.now().astimezone(dt.UTC).date()
D = [TODAY - dt.timedelta(days=n) for n in (40, 30, 20, 10, 5)]  # oldest first


def _episodes(signal, stretches) -> None:
    """Replaces the signal's episodes by (start day, end day or None), each worded anew."""
    SignalEpisode.objects.filter(signal=signal).delete()
    for n, (start, end) in enumerate(stretches):
        SignalEpisode.objects.create(
            org=signal.org,
            signal=signal,
            started_at=as_moment(start),
            ended_at=as_moment(end) if end else None,
            severity=signal.severity,
            explanation=f"Wording {n}.",
        )


@pytest.fixture
def history(cast):
    org = cast.org
    Evaluation.objects.create(org=org, as_of=as_moment(D[0]), started_at=as_moment(D[0]))
    # Held since D0, its wording changed at D1 and D2: it still holds.
    steady = fx.signal(org, [cast.platform], title="Steady", first_seen=as_moment(D[0]))
    _episodes(steady, [(D[0], D[1]), (D[1], D[2]), (D[2], None)])
    # Held from D0 to D3 (its wording changed at D1), then resolved; found again at D4.
    back = fx.signal(org, [cast.platform], title="Came back", first_seen=as_moment(D[4]))
    _episodes(back, [(D[0], D[1]), (D[1], D[3]), (D[4], None)])
    cast.admin.timezone = "Asia/Kolkata"  # 5:30 east of UTC
    cast.admin.save(update_fields=["timezone"])
    return steady, back


def since(html: str, title: str) -> str:
    item = re.search(rf">{title}</a>.*?</li>", html.split('id="signals-h"')[1], re.S).group(0)
    return re.search(r"· since ([^<]+)</p>", item).group(1).strip()


def test_pinned_to_a_day_a_signal_holds_since_it_began_dated_on_its_day(cast, history):
    client = login(cast.admin)
    pinned = client.get(URL, {"scope": "all", "as_of": D[2].isoformat()}).content.decode()
    assert since(pinned, "Steady") == day(D[0])
    assert since(pinned, "Came back") == day(D[0])
    # Between its two stretches, the one it was in then.
    later = client.get(URL, {"scope": "all", "as_of": (D[3] - dt.timedelta(days=1)).isoformat()})
    assert since(later.content.decode(), "Came back") == day(D[0])
    # Today's list says the same day of the same signal, and the second stretch's start.
    now = client.get(URL, {"scope": "all"}).content.decode()
    assert since(now, "Steady") == day(D[0])
    assert since(now, "Came back") == day(D[4])


def test_the_api_pinned_to_a_day_gives_when_the_signal_began_to_hold(cast, history):
    steady, back = history
    body = api_client(cast.admin).get(f"/api/v1/signals?as_of={D[2].isoformat()}").json()
    first_seen = {
        i["id"]: dt.datetime.fromisoformat(i["first_seen"]).replace(microsecond=0)
        for i in body["items"]
    }
    assert first_seen[steady.pk] == first_seen[back.pk] == as_moment(D[0]).replace(microsecond=0)
