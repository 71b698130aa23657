"""A put-aside notice (a signal dismissed by its own team, told to the head above; a
dismissed signal reopened, told to whoever dismissed it) waits for its reader's working
hours, in their own zone, as a new critical signal's notice does: not on a Saturday."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from accord.activity.models import Notification
from accord.intelligence import services
from accord.intelligence.notifications import PUT_ASIDE
from accord.org import services as org_services
from tests.conftest import at
from tests.intelligence.test_put_aside_told_above import REASON, dept  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_put_aside_notices_wait_for_the_reader_s_monday_morning(dept):  # noqa: F811
    today = timezone.localdate()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    noon = dt.datetime.combine(saturday, dt.time(12), dt.UTC)
    monday = saturday + dt.timedelta(days=2)
    org_services.update_person(dept.org, None, dept.hana, timezone="Europe/Berlin")
    org_services.update_person(dept.org, None, dept.jonas, timezone="America/New_York")
    dept.hana.refresh_from_db()
    dept.jonas.refresh_from_db()

    with at(noon):
        services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    (mail,) = Notification.objects.filter(kind=PUT_ASIDE, person=dept.hana)
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert mail.next_attempt_at == dt.datetime.combine(monday, dt.time(8), berlin)

    with at(noon + dt.timedelta(hours=1)):
        services.reopen(dept.org, dept.hana, dept.signal)
    (mail,) = Notification.objects.filter(kind=PUT_ASIDE, person=dept.jonas)
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert mail.next_attempt_at == dt.datetime.combine(monday, dt.time(8), new_york)
