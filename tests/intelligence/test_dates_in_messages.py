"""What the signal actions say names days as everywhere else ("1 Mar 2027"), never ISO."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.core.errors import ServiceError
from accord.intelligence import services
from accord.intelligence.models import SignalState
from tests.conftest import login
from tests.intelligence import fixtures_pages as fx

pytestmark = pytest.mark.django_db

URL = "/o/acme/insights/signals/"


def as_read(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def test_snoozing_says_the_day_as_people_read_it(cast):
    s = fx.signal(cast.org, [cast.platform])
    until = timezone.localdate() + dt.timedelta(days=10)
    page = login(cast.admin).post(
        f"{URL}{s.pk}/", {"action": "snooze", "until": until.isoformat()}, follow=True
    )
    html = page.content.decode()
    assert f"Snoozed until {as_read(until)}." in html
    assert f"Snoozed until {until.isoformat()}" not in html


def test_a_snooze_to_today_is_refused_in_read_days(cast):
    s = fx.signal(cast.org, [cast.platform])
    today = timezone.localdate()
    page = login(cast.admin).post(
        f"{URL}{s.pk}/", {"action": "snooze", "until": today.isoformat()}, follow=True
    )
    html = page.content.decode()
    said = f"Snooze until a date after today ({as_read(today)}), not {as_read(today)}."
    assert said in html
    s.refresh_from_db()
    assert s.state == SignalState.OPEN


def test_acting_on_a_resolved_signal_names_its_day_as_read(cast):
    s = fx.signal(cast.org, [cast.platform], state=SignalState.RESOLVED)
    with pytest.raises(ServiceError) as exc:
        services.acknowledge(cast.org, cast.admin, s)
    resolved = timezone.localdate(s.resolved_at)
    assert exc.value.message.startswith(f"This signal was resolved on {as_read(resolved)}: ")
